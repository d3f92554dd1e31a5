"""`staffing check`: each rule finds a hand-made violation with who and when; service targets
follow the roster's real staffing minute by minute; the command's exit codes and check.json."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import cli
from staffing import load_centre
from staffing.check import CHECKS, check_plan, check_rules
from staffing.frames import read_roster, write_table
from staffing.queueing_chat import chat_metrics
from staffing.roster import breaks as break_rules
from staffing.roster import patterns as pattern_rules
from staffing.roster import roster
from staffing.roster import rules as day_rules
from staffing.targets import Estimate, judge
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
    """Every hard rule the checker knows is one the solver adds; every check is documented
    (the roster's rules in docs/roster.md, all of them in docs/check.md)."""
    solver_ids = set()
    for module in (day_rules, break_rules, pattern_rules):
        for name in dir(module):
            if name.startswith("add_"):
                doc = getattr(module, name).__doc__ or ""
                solver_ids |= set(re.findall(r"Rule `([a-z_]+)`", doc))
    documented = set()
    for page in ("roster.md", "check.md"):
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        documented |= set(re.findall(r"^\| `([a-z_]+)` \|", text, re.M))
    check_docs = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    assert set(CHECKS) <= set(re.findall(r"^\| `([a-z_]+)` \|", check_docs, re.M))
    assert set(CHECKS) <= documented
    assert set(CHECKS) - {"max_on_leave_per_team_per_day", "required"} <= solver_ids


# --- more rules, each from a hand-written roster with one violation -----------------------------


def test_meal_on_a_rest_day_is_outside_any_shift(centre) -> None:
    """A meal row on A1's rest day is named: a meal must lie inside the agent's shift."""
    rows = [*good_day(), row("A1", "rest", "2026-08-11T00:00", "2026-08-12T00:00"),
            row("A1", "meal", "2026-08-11T12:00", "2026-08-11T13:00")]
    found = violations(centre, rows, "meal_window")
    assert [(v.agent, v.start, v.detail) for v in found] == [
        ("A1", "2026-08-11T12:00", "meal outside the agent's shift that day")]


def test_a_shift_on_a_rest_day(centre) -> None:
    """A shift on a day the same roster gives A2 as rest breaks one_shift_per_day."""
    rows = [*good_day(), row("A2", "rest", "2026-08-10T00:00", "2026-08-11T00:00")]
    found = violations(centre, rows, "one_shift_per_day")
    assert [(v.agent, v.day, v.detail) for v in found] == [("A2", "2026-08-10", "a shift on a rest day")]


def test_too_little_rest_between_shifts(centre) -> None:
    """A shift starting at 02:00 nine hours after a 17:00 end: named with the agent and time."""
    rows = [r for r in good_day() if r["agent"] == "A1"]
    rows.append(row("A1", "shift", "2026-08-11T02:00", "2026-08-11T10:00"))
    found = violations(centre, rows, "min_rest_between_shifts")
    assert [(v.agent, v.start) for v in found] == [("A1", "2026-08-11T02:00")]
    assert found[0].detail == "9 h after the shift ending 2026-08-10T17:00"


def test_rest_days_owed_pro_rata(centre) -> None:
    """Eight working days of August in a row owe one rest day (4 x 8 // 31): A1 has none."""
    rows = []
    for i in range(8):
        day = (T("2026-08-03") + pd.Timedelta(days=i)).date().isoformat()
        rows += [r for r in good_day(day) if r["agent"] == "A1"]
    found = violations(centre, rows, "rest_days_per_month")
    assert [(v.agent, v.day) for v in found] == [("A1", "2026-08")]
    assert found[0].detail == "0 rest day(s) in 2026-08, 1 owed for 8 rostered day(s)"


def hourly(day: str, required: int, floor: int = 1, contacts: float | None = None, hours=range(9, 17)) -> pd.DataFrame:
    """A requirement frame of whole hours (``contacts`` per hour, or none)."""
    rows = [("chat", T(f"{day}T{h:02d}:00"), T(f"{day}T{h:02d}:00") + pd.Timedelta(hours=1), required, floor,
             float("nan"), float("nan") if contacts is None else contacts) for h in hours]
    return pd.DataFrame(rows, columns=["line", "start", "end", "required", "floor", "day_min_agents", "contacts"])


def test_required_shortfall_in_agent_minutes_worst_first(centre) -> None:
    """`required` 3 while one of three is away: every away minute is one agent-minute short.
    Meals make 11-14 the worst hours (60 each, in time order), then 15-16 (three breaks)."""
    report = check_rules(centre, pd.DataFrame(good_day()), hourly("2026-08-10", 3))
    found = next(r for r in report.rules if r.rule == "required").violations
    assert [(v.start[11:], v.detail.split(" ")[0]) for v in found] == [
        ("11:00", "60"), ("12:00", "60"), ("13:00", "60"), ("15:00", "30"), ("10:00", "20"), ("14:00", "10")]
    assert found[0].detail == "60 agent-minutes short: required 3, as few as 2 on the line"
    assert not report.ok


def test_floor_from_the_requirement_file(centre) -> None:
    """A floor of 3 at 12:00-13:00 is broken by A2's meal, for exactly that hour."""
    need = hourly("2026-08-10", 2).assign(floor=lambda f: np.where(f["start"].dt.hour == 12, 2, 1))
    need.loc[need["start"].dt.hour == 12, ["required", "floor"]] = 3
    found = next(r for r in check_rules(centre, pd.DataFrame(good_day()), need).rules if r.rule == "coverage")
    assert [(v.start, v.end, v.detail) for v in found.violations] == [
        ("2026-08-10T12:00", "2026-08-10T13:00", "2 on the line, floor 3")]


def test_a_solver_roster_with_a_moved_break_is_flagged(centre, tmp_path: Path) -> None:
    """The solver's roster passes; the same file with A1's first break moved onto A2's meal
    (as a supervisor might in Excel) is caught: two of T1 away, at that time, by name."""
    need = hourly("2026-08-10", 2)
    result = roster(centre, need, dt.date(2026, 8, 10), dt.date(2026, 8, 10), time_limit_s=20, workers=1)
    path = tmp_path / "roster.csv"
    write_table(result.frame, path, list(result.frame.columns))
    assert check_plan(centre, read_roster(path, centre), need).ok
    meal = result.frame[(result.frame["agent"] == "A2") & (result.frame["activity"] == "meal")].iloc[0]
    moved_to = meal["start"] + pd.Timedelta(minutes=20)
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, text in enumerate(lines) if text.startswith("A1,") and ",break," in text)
    fields = lines[index].split(",")
    fields[6:8] = [f"{moved_to:%Y-%m-%dT%H:%M}", f"{moved_to + pd.Timedelta(minutes=10):%Y-%m-%dT%H:%M}"]
    lines[index] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_plan(centre, read_roster(path, centre), need)
    away = next(r for r in report.rules if r.rule == "max_away").violations
    assert [(v.team, v.start) for v in away] == [("T1", f"{moved_to:%Y-%m-%dT%H:%M}")]
    assert "A1" in away[0].detail and "A2" in away[0].detail
    assert not report.ok


# --- service targets from the roster's minute-by-minute staffing -------------------------------


def chat_minute(centre, agents, rate_per_min):
    line = centre.lines["chat"]
    return chat_metrics(agents, rate_per_min / 60, handle_time_by_concurrency_s=line.queue.handle_time_by_concurrency_s,
                        answer_within_s=line.target.answer_within_s, patience_s=line.queue.patience_s)


def on_line_minutes(rows, day="2026-08-10") -> np.ndarray:
    """Agents on the line in each minute 09:00-17:00, counted by hand from the rows."""
    minutes = pd.date_range(T(f"{day}T09:00"), T(f"{day}T17:00"), freq="min", inclusive="left")
    count = np.zeros(len(minutes), dtype=int)
    for r in rows:
        inside = (minutes >= r["start"]) & (minutes < r["end"])
        count[inside] += 1 if r["activity"] == "shift" else -1 if r["activity"] in ("meal", "break") else 0
    return count


def target(report, name, scope="line", **where):
    return next(t for t in report.targets if t.target == name and t.scope == scope
                and all(getattr(t, k) == v for k, v in where.items()))


def test_service_level_follows_who_is_on_the_line(centre) -> None:
    """The day's service level is the contact-weighted mean of each minute's chat formula at
    the roster's real on-line count (2 while someone is away, else 3), not the shift count."""
    rate = 1.0  # contacts per minute, 60 an hour
    report = check_plan(centre, pd.DataFrame(good_day()), hourly("2026-08-10", 2, contacts=60.0))
    count = on_line_minutes(good_day())
    expected = chat_minute(centre, count, np.full(len(count), rate)).service_level.mean()
    everyone = float(chat_minute(centre, 3, rate).service_level)
    found = target(report, "service_level", "day", day="2026-08-10")
    assert found.value == pytest.approx(expected, abs=1e-9)
    assert target(report, "service_level").value == pytest.approx(expected, abs=1e-9)
    assert abs(found.value - everyone) > 1e-3
    answer = chat_minute(centre, count, np.full(len(count), rate)).p_abandon.mean()
    assert target(report, "answer_rate").value == pytest.approx(1 - answer, abs=1e-9)


def test_daily_load_against_the_cap(tiny: Path) -> None:
    """With a daily cap of 100, 1.5 contacts a minute is too much: each minute's answered
    contacts are shared by the agents then on the line; the busiest agent is named."""
    toml = tiny / "centre.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("handle_time_s = 300", "handle_time_s = 300\n"
                                                             "daily_cap_per_agent = 100"), encoding="utf-8")
    centre = load_centre(tiny)
    rows = good_day()
    report = check_plan(centre, pd.DataFrame(rows), hourly("2026-08-10", 2, contacts=90.0))
    count = on_line_minutes(rows)
    answered = 1.5 * (1 - chat_minute(centre, count, np.full(len(count), 1.5)).p_abandon)
    loads = {}
    for agent in ("A1", "A2", "A3"):
        mine = on_line_minutes([r for r in rows if r["agent"] == agent])
        loads[agent] = float((answered * mine / count).sum())
    most = max(loads.values())
    found = target(report, "daily_load", "day", day="2026-08-10")
    assert found.value == pytest.approx(most, abs=1e-9)
    # the agents may tie to the last bits (A1 and A3 do here): any agent at the most may be named
    named = found.detail.removeprefix("busiest agent ")
    assert loads[named] == pytest.approx(most, abs=1e-9) and found.goal == 100 and not found.ok
    assert not report.ok


def test_peak_day_online_hours(centre) -> None:
    """On the 818 day (07:00-02:00) a 09:00-17:00 team staffs the line 8 h: below 16 h, and the
    floor fails before 09:00 and after 17:00."""
    report = check_plan(centre, pd.DataFrame(good_day("2026-08-18")), None)
    found = target(report, "online_hours_peak", "day", day="2026-08-18")
    assert (found.value, found.goal, found.ok) == (8.0, 16.0, False)
    coverage = next(r for r in report.rules if r.rule == "coverage").violations
    assert [(v.start, v.end) for v in coverage] == [("2026-08-18T07:00", "2026-08-18T09:00"),
                                                     ("2026-08-18T17:00", "2026-08-19T02:00")]


def test_without_arrival_rates_only_rules_are_judged(centre) -> None:
    """No forecast and no contacts column: the notes say so, and no queue target is invented."""
    report = check_plan(centre, pd.DataFrame(good_day()), hourly("2026-08-10", 2))
    assert report.targets == () and report.ok
    assert "no arrival rates" in report.notes[0]


def test_forecast_and_contacts_column_give_the_same_targets(centre) -> None:
    """An hourly forecast and the same contacts in the requirement file agree exactly."""
    need = hourly("2026-08-10", 2, contacts=40.0)
    forecast = need[["line", "start", "end", "contacts"]]
    from_contacts = check_plan(centre, pd.DataFrame(good_day()), need)
    from_forecast = check_plan(centre, pd.DataFrame(good_day()), need.assign(contacts=np.nan), forecast=forecast)
    assert [t.to_dict() for t in from_contacts.targets] == [t.to_dict() for t in from_forecast.targets]
    assert from_forecast.notes[0] == "arrival rates from the forecast"


def test_missed_intervals_worst_first(centre) -> None:
    """Intervals that miss are listed worst first; the worst is the meal hour with two on the line."""
    report = check_plan(centre, pd.DataFrame(good_day()), hourly("2026-08-10", 2, contacts=75.0))
    rows = [t for t in report.targets if t.scope == "interval" and t.target == "service_level"]
    assert rows and all(not t.ok for t in rows)
    values = [t.value for t in rows]
    assert values == sorted(values)
    assert target(report, "service_level", "day").value > values[0]


@settings(max_examples=8)
@given(extra_start=st.integers(9, 15), rate=st.floats(0.2, 2.0))
def test_one_more_agent_never_lowers_the_service_level(extra_start: int, rate: float) -> None:
    """Property: adding an agent to the line (a fourth shift, no breaks) never lowers any
    day-level service level or answer rate."""
    centre = load_centre(ROOT / "tests" / "data" / "tiny")
    need = hourly("2026-08-10", 2, contacts=rate * 60)
    base = check_plan(centre, pd.DataFrame(good_day()), need)
    extra = row("A4", "shift", f"2026-08-10T{extra_start:02d}:00", "2026-08-10T17:00", team="T1")
    more = check_plan(centre, pd.DataFrame([*good_day(), extra]), need)
    for name in ("service_level", "answer_rate"):
        assert target(more, name).value >= target(base, name).value - 1e-12


def test_judge_lets_a_clear_simulation_overrule_the_formula() -> None:
    """The formula decides unless the simulated interval excludes it and lies wholly on the
    other side of the goal."""
    inside = judge("service_level", "chat", 0.85, Estimate(value=0.86, simulated=0.855, ci_low=0.84, ci_high=0.87),
                   "line")
    assert (inside.ok, inside.judged_by, inside.formula_in_ci) == (True, "formula", True)
    overruled = judge("service_level", "chat", 0.85, Estimate(value=0.86, simulated=0.80, ci_low=0.78, ci_high=0.82),
                      "line")
    assert (overruled.ok, overruled.judged_by, overruled.formula_in_ci) == (False, "simulation", False)
    straddles = judge("service_level", "chat", 0.85, Estimate(value=0.86, simulated=0.84, ci_low=0.80, ci_high=0.855),
                      "line")
    assert (straddles.ok, straddles.judged_by) == (True, "formula")
    assert overruled.to_dict()["judged_by"] == "simulation"
    assert list(overruled.to_dict())[:5] == ["target", "line", "goal", "value", "ok"]


# --- the command ---------------------------------------------------------------------------------


def write_inputs(folder: Path, rows: list[dict], contacts_per_hour: float) -> tuple[Path, Path]:
    roster_path, need_path = folder / "roster.csv", folder / "requirements.csv"
    write_table(pd.DataFrame(rows), roster_path, ["agent", "team", "line", "date", "activity", "code", "start", "end"])
    write_table(hourly("2026-08-10", 2, contacts=contacts_per_hour), need_path,
                ["line", "start", "end", "required", "floor", "contacts"])
    return roster_path, need_path


def run_check(tiny: Path, roster_path: Path, need_path: Path, out: Path, *extra: str):
    return CliRunner().invoke(cli.main, ["check", str(tiny), "--roster", str(roster_path), "--requirements",
                                         str(need_path), "--json", str(out), *extra])


def test_cli_exit_0_when_every_rule_and_target_holds(tiny: Path, tmp_path: Path) -> None:
    """A light day kept by the good roster: exit 0, check.json says ok with every CONTRACT key."""
    out = tmp_path / "check.json"
    result = run_check(tiny, *write_inputs(tmp_path, good_day(), 2.0), out)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2] == "Verdict: OK: every rule and target holds"
    verdict = json.loads(out.read_text(encoding="utf-8"))
    assert verdict["ok"] is True and len(verdict["rules"]) == len(CHECKS)
    assert {"line", "day"} <= {t["scope"] for t in verdict["targets"]}
    for row_ in verdict["targets"]:
        assert list(row_)[:5] == ["target", "line", "goal", "value", "ok"]


def test_cli_exit_1_names_a_moved_break(tiny: Path, tmp_path: Path) -> None:
    """A1's break moved onto A2's meal: exit 1, the verdict names team, time and agents."""
    rows = good_day()
    rows[2]["start"], rows[2]["end"] = T("2026-08-10T12:20"), T("2026-08-10T12:30")
    out = tmp_path / "check.json"
    result = run_check(tiny, *write_inputs(tmp_path, rows, 2.0), out)
    assert result.exit_code == 1
    assert "  FAIL  max_away: 1 violation(s)" in result.output
    assert "team T1 2026-08-10 12:20-12:30: 2 away at once (A1, A2)" in result.output
    assert json.loads(out.read_text(encoding="utf-8"))["ok"] is False


def test_cli_exit_1_on_a_missed_target(tiny: Path, tmp_path: Path) -> None:
    """Every rule kept but 100 contacts an hour: the service level is missed, exit 1."""
    out = tmp_path / "check.json"
    result = run_check(tiny, *write_inputs(tmp_path, good_day(), 100.0), out)
    assert result.exit_code == 1
    assert "    FAIL  service_level" in result.output
    verdict = json.loads(out.read_text(encoding="utf-8"))
    assert all(r["ok"] for r in verdict["rules"] if r["rule"] != "required")
    assert any(t["target"] == "service_level" and not t["ok"] for t in verdict["targets"])


def test_cli_simulation_is_seeded(tiny: Path, tmp_path: Path) -> None:
    """--simulate with the same seed writes the same check.json; rows carry their 95% interval."""
    paths = write_inputs(tmp_path, good_day(), 50.0)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for out in (first, second):
        result = run_check(tiny, *paths, out, "--simulate", "4", "--seed", "7")
        assert result.exit_code in (0, 1), result.output
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    line_row = next(t for t in json.loads(first.read_text(encoding="utf-8"))["targets"]
                    if t["scope"] == "line" and t["target"] == "service_level")
    assert line_row["ci_low"] <= line_row["simulated"] <= line_row["ci_high"]


def test_a_shift_before_the_agent_joins(tiny: Path) -> None:
    """A3 joins on 11 August (agents.csv start_date): a shift on the 10th is named."""
    agents = tiny / "agents.csv"
    agents.write_text("agent,name,team,line,start_date\nA1,Ann,T1,chat,\nA2,Bo,T1,chat,\nA3,Cai,T1,chat,2026-08-11\n",
                      encoding="utf-8")
    found = violations(load_centre(tiny), good_day(), "one_shift_per_day")
    assert [(v.agent, v.day) for v in found] == [("A3", "2026-08-10")]
    assert "not employed" in found[0].detail
