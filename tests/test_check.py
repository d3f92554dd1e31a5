"""The independent rule checker: each rule finds a hand-made violation, with who and when."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from staffing import load_centre
from staffing.check import CHECKS, check_rules
from staffing.roster import breaks as break_rules
from staffing.roster import rules as day_rules
from tests.conftest import ROOT

T = pd.Timestamp


def row(agent, activity, start, end, code="D", team="T1", line="chat"):
    start, end = T(start), T(end)
    return {"agent": agent, "team": team, "line": line, "date": start.date(), "activity": activity,
            "code": "rest" if activity == "rest" else code, "start": start, "end": end}


def good_day(day: str = "2026-08-10") -> list[dict]:
    """Three agents on D 09:00-17:00, meals 11, 12, 13 o'clock, breaks spaced, one away at a time."""
    rows = []
    plan = {"A1": ("11:00", ["14:20", "15:30"]), "A2": ("12:00", ["10:50", "15:50"]),
            "A3": ("13:00", ["10:40", "15:40"])}
    for agent, (meal, breaks) in plan.items():
        rows.append(row(agent, "shift", f"{day}T09:00", f"{day}T17:00"))
        rows.append(row(agent, "meal", f"{day}T{meal}", T(f"{day}T{meal}") + pd.Timedelta(hours=1)))
        for b in breaks:
            rows.append(row(agent, "break", f"{day}T{b}", T(f"{day}T{b}") + pd.Timedelta(minutes=10)))
    return rows


@pytest.fixture
def centre(tiny: Path):
    return load_centre(tiny)


def violations(centre, rows, rule):
    report = check_rules(centre, pd.DataFrame(rows))
    return next(r for r in report.rules if r.rule == rule).violations


def test_a_good_day_passes_every_rule(centre) -> None:
    """The hand-made day keeps every rule."""
    report = check_rules(centre, pd.DataFrame(good_day()))
    assert report.ok, [v for r in report.rules for v in r.violations]
    assert '"ok": true' in report.to_json()


def test_meal_outside_its_window(centre) -> None:
    """A2's meal moved to 15:00 (window 11:00-14:00) is named with its time."""
    rows = good_day()
    rows[5 + 0]["start"], rows[5]["end"] = T("2026-08-10T15:00"), T("2026-08-10T16:00")
    found = violations(centre, rows, "meal_window")
    assert [(v.agent, v.start) for v in found] == [("A2", "2026-08-10T15:00")]


def test_break_too_close_to_the_meal(centre) -> None:
    """A1's first break moved to 12:10, ten minutes after its meal."""
    rows = good_day()
    rows[2]["start"], rows[2]["end"] = T("2026-08-10T12:10"), T("2026-08-10T12:20")
    found = violations(centre, rows, "break_window")
    assert any(v.agent == "A1" and v.start == "2026-08-10T12:10" for v in found)


def test_two_away_at_once(centre) -> None:
    """A3's meal moved onto A2's: two of team T1 away 12:00-13:00."""
    rows = good_day()
    rows[9]["start"], rows[9]["end"] = T("2026-08-10T12:00"), T("2026-08-10T13:00")
    found = violations(centre, rows, "max_away")
    assert [(v.team, v.start, v.end) for v in found] == [("T1", "2026-08-10T12:00", "2026-08-10T13:00")]
    assert "A2" in found[0].detail and "A3" in found[0].detail


def test_two_shifts_and_an_unknown_template(centre) -> None:
    """A second shift the same day, and a shift code that is no template."""
    rows = [*good_day(), row("A1", "shift", "2026-08-10T09:00", "2026-08-10T17:00", code="X")]
    found = violations(centre, rows, "one_shift_per_day")
    assert {v.detail for v in found} >= {"a second shift on the same day", "'X' is not a shift template of line chat"}


def test_line_unstaffed(centre) -> None:
    """With A1 resting, A2 and A3 both away 12:00-13:00 leaves the line empty: coverage says when."""
    rows = [r for r in good_day() if r["agent"] != "A1"]
    for r in rows:
        if r["agent"] == "A3" and r["activity"] == "meal":
            r["start"], r["end"] = T("2026-08-10T12:00"), T("2026-08-10T13:00")
    found = violations(centre, rows, "coverage")
    assert [(v.line, v.start, v.end) for v in found] == [("chat", "2026-08-10T12:00", "2026-08-10T13:00")]


def test_rest_between_shifts_and_consecutive_days(centre) -> None:
    """Seven days in a row breaks the 6-day limit on the seventh day."""
    rows = []
    for i in range(7):
        day = (T("2026-08-10") + pd.Timedelta(days=i)).date().isoformat()
        rows += [r for r in good_day(day) if r["agent"] == "A1"]
    found = violations(centre, rows, "max_consecutive_working_days")
    assert [(v.agent, v.day) for v in found] == [("A1", "2026-08-16")]


def test_two_on_leave(centre) -> None:
    """Two of T1 on leave the same day."""
    rows = [row("A1", "leave", "2026-08-10T00:00", "2026-08-11T00:00", code="annual"),
            row("A2", "leave", "2026-08-10T00:00", "2026-08-11T00:00", code="sick")]
    found = violations(centre, rows, "max_on_leave_per_team_per_day")
    assert found[0].team == "T1" and "A1, A2" in found[0].detail


def test_rule_ids_agree_with_the_solver_and_the_docs() -> None:
    """Every hard rule the checker knows is one the solver adds and the docs list."""
    solver_ids = set()
    for module in (day_rules, break_rules):
        for name in dir(module):
            if name.startswith("add_"):
                doc = getattr(module, name).__doc__ or ""
                solver_ids |= set(re.findall(r"Rule `([a-z_]+)`", doc))
    docs = (ROOT / "docs" / "roster.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", docs, re.M))
    assert set(CHECKS) <= documented
    assert set(CHECKS) - {"max_on_leave_per_team_per_day"} <= solver_ids
