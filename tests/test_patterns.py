"""Work-pattern rules: contracts (agents.csv), forbidden successions, requests and shift cover.

Each rule from both sides: the engine keeps it where breaking it would pay, and the
independent checker flags a hand-written roster that breaks it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

import cli
from staffing import load_centre
from staffing.check import check_rules
from staffing.errors import InputError
from staffing.roster import roster
from staffing.roster.counts import COUNT_RULES, create_count_vars
from staffing.roster.problem import build_problem

MONDAY = dt.date(2026, 9, 7)
NO_REQUIREMENT = pd.DataFrame(columns=["line", "start", "end", "required", "floor", "day_min_agents"])

CENTRE = """[centre]
name = "shift counts"

[rules]
rest_days_per_month = 0
max_consecutive_working_days = 7
min_rest_between_shifts_h = 0
{rules}

[weights]
fair_shifts = 0
minutes_worked = 0
point = 1

[lines.L]
channel = "voice"

[lines.L.queue]
handle_time_s = 180

[shifts.E]
start = "06:00"
end = "14:00"
meals = 0
breaks = 0

[shifts.N]
start = "22:00"
end = "06:00"
meals = 0
breaks = 0
{night}

[teams.T]
line = "L"
"""


def write_centre(folder: Path, *, agents: str = "agent,team,line\nA1,T,L\n", rules: str = "", night: str = "",
                 requests: str | None = None, cover: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "centre.toml").write_text(CENTRE.format(rules=rules, night=night), encoding="utf-8")
    (folder / "agents.csv").write_text(agents, encoding="utf-8")
    if requests is not None:
        (folder / "requests.csv").write_text(requests, encoding="utf-8")
    if cover is not None:
        (folder / "shift_cover.csv").write_text(cover, encoding="utf-8")
    return folder


def cover_rows(wanted: dict[int, str], *, under: int = 100, over: int = 1, days: int = 14) -> str:
    """shift_cover.csv wanting one agent on ``wanted[day offset]`` and nobody on the other
    shifts of the first ``days`` days."""
    rows = [f"{MONDAY + dt.timedelta(days=d)},{code},{int(wanted.get(d) == code)},{under},{over}"
            for d in range(days) for code in ("E", "N")]
    return "date,shift,required,under_weight,over_weight\n" + "\n".join(rows) + "\n"


def solve(folder: Path, days: int):
    centre = load_centre(folder)
    result = roster(centre, NO_REQUIREMENT, MONDAY, MONDAY + dt.timedelta(days=days - 1), time_limit_s=10)
    assert problems(centre, result.frame) == []
    return centre, result


def worked(frame: pd.DataFrame, agent: str = "A1") -> dict[int, str]:
    rows = frame[(frame["agent"] == agent) & (frame["activity"] == "shift")]
    return {(day - MONDAY).days: code for day, code in zip(rows["date"], rows["code"])}


def problems(centre, frame: pd.DataFrame) -> list[str]:
    report = check_rules(centre, frame)
    return [f"{v.rule}: {v.agent} {v.day}: {v.detail}" for r in report.rules for v in r.violations]


def hand_roster(centre, pattern: dict[str, dict[int, str]], days: int) -> pd.DataFrame:
    """A roster written by hand: each agent works pattern[agent][day] or rests."""
    rows = []
    for agent in centre.agents:
        for d in range(days):
            day = MONDAY + dt.timedelta(days=d)
            code = pattern.get(agent.id, {}).get(d)
            if code is None:
                rows.append((agent.id, agent.team, agent.line, day, "rest", "rest", pd.Timestamp(day),
                             pd.Timestamp(day + dt.timedelta(days=1))))
            else:
                t = centre.shifts[code]
                rows.append((agent.id, agent.team, agent.line, day, "shift", code,
                             pd.Timestamp(day) + pd.Timedelta(minutes=t.start_min),
                             pd.Timestamp(day) + pd.Timedelta(minutes=t.end_min)))
    return pd.DataFrame(rows, columns=["agent", "team", "line", "date", "activity", "code", "start", "end"])


def test_shift_cover_is_met_when_nothing_stands_in_the_way(tmp_path: Path) -> None:
    _, result = solve(write_centre(tmp_path, cover=cover_rows({0: "N", 1: "E", 3: "E"})), 5)
    assert worked(result.frame) == {0: "N", 1: "E", 3: "E"}
    assert result.status == "optimal" and result.objective == 0


def test_not_followed_by_costs_a_missed_shift_and_is_checked(tmp_path: Path) -> None:
    folder = write_centre(tmp_path, night='not_followed_by = ["E"]', cover=cover_rows({0: "N", 1: "E"}))
    centre, result = solve(folder, 3)
    assert len(worked(result.frame)) == 1 and result.penalties_by_rule["shift_cover"] == 100
    broken = hand_roster(centre, {"A1": {0: "N", 1: "E"}}, 3)
    assert any(p.startswith("not_followed_by: A1") for p in problems(centre, broken))


def test_max_shifts_per_code(tmp_path: Path) -> None:
    folder = write_centre(tmp_path, agents="agent,team,line,max_shifts\nA1,T,L,E:1;N:0\n",
                          cover=cover_rows({0: "E", 2: "E", 4: "N"}))
    centre, result = solve(folder, 5)
    assert list(worked(result.frame).values()) == ["E"]
    assert any(p.startswith("max_shifts: A1") for p in problems(centre, hand_roster(centre, {"A1": {0: "E", 2: "E"}},
                                                                                   5)))


def test_hours_range_forces_and_caps_work(tmp_path: Path) -> None:
    least = write_centre(tmp_path / "least", agents="agent,team,line,min_hours\nA1,T,L,16\n",
                         rules="", cover=cover_rows({0: "E"}, under=100, over=5))
    centre, result = solve(least, 4)
    assert len(worked(result.frame)) == 2  # one more shift than the cover wants, the cheapest way
    assert any(p.startswith("hours_range: A1") for p in problems(centre, hand_roster(centre, {"A1": {0: "E"}}, 4)))
    most = write_centre(tmp_path / "most", agents="agent,team,line,max_hours\nA1,T,L,8\n",
                        cover=cover_rows({0: "E", 2: "E"}))
    centre, result = solve(most, 4)
    assert len(worked(result.frame)) == 1
    assert any(p.startswith("hours_range: A1") for p in problems(centre, hand_roster(centre, {"A1": {0: "E", 2: "E"}},
                                                                                    4)))


def test_min_consecutive_working_days_inside_the_horizon(tmp_path: Path) -> None:
    folder = write_centre(tmp_path, rules="min_consecutive_working_days = 2", cover=cover_rows({2: "E"}))
    centre, result = solve(folder, 5)
    days = sorted(worked(result.frame))
    assert 2 in days and len(days) == 2 and days[1] - days[0] == 1  # a two-day run, one shift over
    assert any(p.startswith("min_consecutive_working_days: A1")
               for p in problems(centre, hand_roster(centre, {"A1": {2: "E"}}, 5)))
    # a run that touches the horizon's end is exempt
    assert problems(centre, hand_roster(centre, {"A1": {4: "E"}}, 5)) == []


def test_min_consecutive_rest_days_per_agent(tmp_path: Path) -> None:
    folder = write_centre(tmp_path, agents="agent,team,line,min_consecutive_days_off\nA1,T,L,2\n",
                          cover=cover_rows({0: "E", 1: "E", 3: "E", 4: "E"}, over=200))
    centre, result = solve(folder, 5)
    off = sorted(set(range(5)) - set(worked(result.frame)))
    assert len(off) == 2 and off[1] - off[0] == 1 and 2 in off
    assert any(p.startswith("min_consecutive_rest_days: A1")
               for p in problems(centre, hand_roster(centre, {"A1": {0: "E", 1: "E", 3: "E", 4: "E"}}, 5)))


def test_max_weekends_worked(tmp_path: Path) -> None:
    folder = write_centre(tmp_path, rules="max_weekends_worked = 1", cover=cover_rows({5: "E", 12: "E", 13: "E"}))
    centre, result = solve(folder, 14)
    weekend_days = [d for d in worked(result.frame) if d in (5, 6, 12, 13)]
    assert sorted(weekend_days) == [12, 13]  # the weekend with two shifts wanted
    assert any(p.startswith("max_weekends_worked: A1")
               for p in problems(centre, hand_roster(centre, {"A1": {5: "E", 13: "E"}}, 14)))


def test_fixed_day_off_and_weighted_wishes(tmp_path: Path) -> None:
    requests = (f"agent,date,kind,shift,weight\nA1,{MONDAY + dt.timedelta(days=1)},day_off,,\n"
                f"A1,{MONDAY + dt.timedelta(days=3)},work,N,3\nA1,{MONDAY + dt.timedelta(days=2)},avoid,,50\n"
                f"A1,{MONDAY + dt.timedelta(days=0)},avoid,E,150\n")
    folder = write_centre(tmp_path, requests=requests, cover=cover_rows({0: "E", 1: "E", 2: "E"}))
    centre, result = solve(folder, 4)
    # day 0: avoiding E (150) beats covering it (100); day 1: off whatever the cover; day 2: the
    # cover (100) beats the wish (50); day 3: the wish to work N (3) beats one extra agent (1).
    assert worked(result.frame) == {2: "E", 3: "N"}
    assert result.penalties_by_rule["requests"] == 50 and result.penalties_by_rule["shift_cover"] == 200 + 1
    assert any(p.startswith("day_off: A1") for p in problems(centre, hand_roster(centre, {"A1": {1: "E"}}, 4)))


@pytest.mark.parametrize("file, text, where", [
    ("agents.csv", "agent,team,line,max_shifts\nA1,T,L,X:3\n", "agents.csv:2: max_shifts"),
    ("agents.csv", "agent,team,line,max_shifts\nA1,T,L,E=3\n", "agents.csv:2: max_shifts"),
    ("agents.csv", "agent,team,line,min_hours,max_hours\nA1,T,L,40,30\n", "agents.csv:2: max_hours"),
    ("agents.csv", "agent,team,line,max_weekends\nA1,T,L,-1\n", "agents.csv:2: max_weekends"),
    ("requests.csv", "agent,date,kind\nA9,2026-09-07,work\n", "requests.csv:2: agent"),
    ("requests.csv", "agent,date,kind\nA1,2026-09-07,holiday\n", "requests.csv:2: kind"),
    ("requests.csv", "agent,date,kind,shift\nA1,2026-09-07,day_off,E\n", "requests.csv:2: shift"),
    ("requests.csv", "agent,date,kind,weight\nA1,2026-09-07,work,0\n", "requests.csv:2: weight"),
    ("requests.csv", "agent,date,kind\nA1,2026-09-07,work\nA1,2026-09-07,work\n", "requests.csv:3: date"),
    ("shift_cover.csv", "date,shift,required\n2026-09-07,Z,1\n", "shift_cover.csv:2: shift"),
    ("shift_cover.csv", "date,shift,required\n2026-09-07,E,x\n", "shift_cover.csv:2: required"),
    ("shift_cover.csv", "date,shift,required\n2026-09-07,E,1\n2026-09-07,E,2\n", "shift_cover.csv:3: shift"),
])
def test_bad_pattern_inputs_name_file_row_and_field(tmp_path: Path, file: str, text: str, where: str) -> None:
    folder = write_centre(tmp_path)
    (folder / file).write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_centre(folder)
    assert str(error.value).startswith(where) or where in str(error.value)


def test_not_followed_by_must_name_a_shift(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not_followed_by"):
        load_centre(write_centre(tmp_path, night='not_followed_by = ["Q"]'))


@given(st.lists(st.sampled_from(["E", "N", None]), min_size=7, max_size=7), st.integers(1, 3), st.integers(1, 2),
       st.booleans())
@settings(max_examples=10)
def test_random_pattern_rosters_pass_the_independent_check(wanted: list, least_run: int, least_off: int,
                                                           forbid: bool) -> None:
    """On random cover and rules every roster the engine emits passes the independent check."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        folder = write_centre(
            Path(scratch), agents="agent,team,line,max_weekends\nA1,T,L,1\nA2,T,L,\n",
            rules=f"min_consecutive_working_days = {least_run}\nmin_consecutive_rest_days = {least_off}",
            night='not_followed_by = ["E"]' if forbid else "",
            cover=cover_rows({d: code for d, code in enumerate(wanted) if code}))
        solve(folder, 7)


def test_cli_roster_and_check_on_a_shift_count_centre(tmp_path: Path) -> None:
    folder = write_centre(tmp_path / "centre", night='not_followed_by = ["E"]',
                          cover=cover_rows({0: "N", 1: "E", 2: "E"}))
    req, out = tmp_path / "requirements.csv", tmp_path / "roster.csv"
    req.write_text(f"line,start,end,required\nL,{MONDAY}T00:00,{MONDAY}T01:00,0\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["roster", str(folder), "--requirements", str(req), "--start", str(MONDAY),
                                           "--end", str(MONDAY + dt.timedelta(days=2)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    checked = CliRunner().invoke(cli.main, ["check", str(folder), "--roster", str(out), "--requirements", str(req),
                                            "--json", str(tmp_path / "check.json")])
    assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize(("caps", "weekend_shifts", "feasible"), [
    ("1,1", (1, 1), True),    # each agent works one of the two weekends
    ("1,1", (2, 0), True),    # both on the first, neither on the second
    ("1,1", (2, 1), False),   # three agent-weekends where the two agents have two
    ("2,", (2, 2), True),     # one agent capped at two, the other free
])
def test_stage_one_plans_no_more_weekends_than_the_agents_have(tmp_path: Path, caps: str,
                                                                   weekend_shifts: tuple[int, int],
                                                                   feasible: bool) -> None:
    """Stage 1's counts keep `max_weekends_worked` summed over a team: its agents working a weekend
    are at least those on its busier day, and no agent works more weekends than its cap, so
    counts that need more agent-weekends than the caps give are cut (before, stage 1 planned
    them and naming then took agent-days off wherever they fell)."""
    first, second = caps.split(",")
    folder = write_centre(tmp_path, agents=f"agent,team,line,max_weekends\nA1,T,L,{first}\nA2,T,L,{second}\n")
    problem = build_problem(load_centre(folder), NO_REQUIREMENT, MONDAY, MONDAY + dt.timedelta(days=13))
    model = cp_model.CpModel()
    v = create_count_vars(model, problem)
    for rule in COUNT_RULES:
        rule(model, v, problem)
    for saturday, wanted in zip((5, 12), weekend_shifts, strict=True):
        model.add(v.works["T", saturday] == wanted)
    status = cp_model.CpSolver().solve(model)
    assert (status in (cp_model.OPTIMAL, cp_model.FEASIBLE)) is feasible
