"""The main job end to end, and the headcount gap it reports."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

import cli
from staffing import load_centre
from staffing.headcount import TEAM_MAX, _spread, extra_agents_for_day
from staffing.plan import coming_campaign, default_range
from tests.conftest import EXAMPLE


def test_default_range_is_the_month_of_the_coming_campaign(example_centre) -> None:
    """The example's history ends in July 2026: the coming campaign is 818-2026, planned for August."""
    campaign = coming_campaign(example_centre)
    assert campaign is not None and campaign.day == dt.date(2026, 8, 18)
    assert default_range(example_centre) == (dt.date(2026, 8, 1), dt.date(2026, 8, 31))


def test_a_short_day_needs_the_agents_that_cover_it(tiny: Path) -> None:
    """Two short 09:00-17:00 on a D (09:00-17:00) line: two extra agents on D, each losing
    its meal and breaks where the line is least short, so a third is never added for them."""
    centre = load_centre(tiny)
    short = np.zeros(288, dtype=int)
    short[54:102] = 2
    added, by_template = extra_agents_for_day(centre, "chat", short, 10)
    assert added >= 2 and by_template["D"] == added
    assert extra_agents_for_day(centre, "chat", np.zeros(288, dtype=int), 10) == (0, {})


def test_new_agents_fill_the_smallest_teams_then_a_new_one(example_centre) -> None:
    sizes = {t: len(example_centre.agents_of(team=t)) for t in ("H1", "H2")}
    room = sum(TEAM_MAX - size for size in sizes.values())
    placed = dict(_spread(example_centre, "hotline", room + 3))
    assert placed["new"] == 3
    assert all(sizes[t] + placed.get(t, 0) == TEAM_MAX for t in sizes)


def test_plan_writes_every_file(tmp_path: Path) -> None:
    """Two ordinary days of the bundled example: every file of the plan folder, one .ics per agent."""
    out = tmp_path / "plan"
    result = CliRunner().invoke(cli.main, ["plan", str(EXAMPLE), "--out", str(out), "--start", "2026-08-24",
                                           "--end", "2026-08-25", "--time-limit", "20"])
    assert result.exit_code in (0, 1), result.output
    for name in ("forecast.csv", "requirements.csv", "roster.csv", "check.json", "plan.json", "plan.xlsx",
                 "report.html"):
        assert (out / name).stat().st_size > 0, name
    assert len(list(out.glob("*.ics"))) == 44
    document = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert document["start"] == "2026-08-24" and document["end"] == "2026-08-25"
    assert set(document) >= {"centre", "headcount_gap", "met_without_gap", "summary"}
    check = json.loads((out / "check.json").read_text(encoding="utf-8"))
    assert result.exit_code == (0 if check["ok"] else 1)
    assert "Agents per line and day" in result.output


def test_plan_on_the_bundled_example_names_the_headcount_gap(tmp_path: Path) -> None:
    """Three days around 818 on the bundled example: the peak cannot be met with 34 chat agents,
    so the plan exits 1, names the missing agents and their on-board date (before the window)."""
    out = tmp_path / "plan"
    result = CliRunner().invoke(cli.main, ["plan", str(EXAMPLE), "--out", str(out), "--start", "2026-08-17",
                                           "--end", "2026-08-19", "--time-limit", "40"])
    assert result.exit_code == 1, result.output
    document = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    online = [g for g in document["headcount_gap"] if g["line"] == "online"]
    assert online and sum(g["missing"] for g in online) > 0
    assert all(g["on_board_by"] <= "2026-07-30" for g in online)
    assert "Headcount gap" in result.output and "on board by" in result.output
