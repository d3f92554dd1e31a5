"""Leave requests: the rules judged (notice on the Chinese calendar, resignation, one of a team
on leave a day, one away at a time), the roster judged without the agent, and the command
line end to end with its exit codes and one-line errors.

The rosters here are written by hand for the tiny centre (one team of three on a 09:00-17:00
chat line, template D 09:00-17:00 with a meal in 11:00-14:00 and two breaks), so every
number can be checked by hand; every roster is first confirmed clean by `staffing.check`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import cli
from staffing import load_centre, read_roster
from staffing.calendar import WorkCalendar
from staffing.check import check_rules
from staffing.leave import approved_absences, approved_leave, list_requests
from staffing.leave.judge import apply_request, judge_notice
from staffing.leave.request import RequestError, parse_request

MON, TUE, WED = dt.date(2026, 8, 10), dt.date(2026, 8, 11), dt.date(2026, 8, 12)

# (agent, day) -> (template, meal start, [break starts]) or "rest"; times "HH:MM" on that day.
TWO_WORK = {  # two on the line: their meals and breaks never overlap
    "A": ("D", "11:10", ["10:00", "14:00"]),
    "B": ("D", "12:20", ["10:20", "14:30"]),
}
THREE_WORK = {  # three on the line: meals back to back 11:00-14:00, breaks around them
    "A1": ("D", "11:00", ["14:00", "15:10"]),
    "A2": ("D", "12:00", ["10:00", "14:20"]),
    "A3": ("D", "13:00", ["10:20", "15:30"]),
}
TEMPLATE_HOURS = {"D": ("09:00", "17:00"), "L": ("10:00", "18:00")}
_TINY = load_centre(Path(__file__).resolve().parent / "data" / "tiny")


def roster_rows(plan: dict[tuple[str, dt.date], tuple | str], team: str = "T1", line: str = "chat") -> pd.DataFrame:
    """A roster frame (CONTRACT columns) from a compact plan."""
    rows = []
    for (agent, day), what in plan.items():
        midnight = pd.Timestamp(day)

        def at(text: str, midnight: pd.Timestamp = midnight) -> pd.Timestamp:
            hours, minutes = map(int, text.split(":"))
            return midnight + pd.Timedelta(hours=hours, minutes=minutes)

        base = {"agent": agent, "team": team, "line": line, "date": day}
        if what == "rest":
            rows.append({**base, "activity": "rest", "code": "rest", "start": midnight,
                         "end": midnight + pd.Timedelta(days=1)})
            continue
        code, meal, breaks = what
        start, end = TEMPLATE_HOURS[code]
        rows.append({**base, "activity": "shift", "code": code, "start": at(start), "end": at(end)})
        rows.append({**base, "activity": "meal", "code": code, "start": at(meal),
                     "end": at(meal) + pd.Timedelta(minutes=60)})
        for item in breaks:
            rows.append({**base, "activity": "break", "code": code, "start": at(item),
                         "end": at(item) + pd.Timedelta(minutes=10)})
    return pd.DataFrame(rows)


def day_plan(day: dt.date, pattern: dict, names: dict[str, str], resting: tuple[str, ...] = ()) -> dict:
    plan = {(names[key], day): value for key, value in pattern.items()}
    plan.update({(agent, day): "rest" for agent in resting})
    return plan


def write_roster(frame: pd.DataFrame, path: Path) -> Path:
    out = frame.copy()
    for name in ("start", "end"):
        out[name] = out[name].dt.strftime("%Y-%m-%dT%H:%M")
    out.to_csv(path, index=False)
    return path


def three_day_roster() -> dict:
    """Mon: A1 and A2 work, A3 rests; Tue: all three; Wed: A2 and A3 work, A1 rests."""
    plan = {}
    plan.update(day_plan(MON, TWO_WORK, {"A": "A1", "B": "A2"}, resting=("A3",)))
    plan.update(day_plan(TUE, THREE_WORK, {"A1": "A1", "A2": "A2", "A3": "A3"}))
    plan.update(day_plan(WED, TWO_WORK, {"A": "A2", "B": "A3"}, resting=("A1",)))
    return plan


@pytest.fixture
def tiny_roster(tiny: Path) -> Path:
    """tiny with roster.csv: the three-day roster, clean by `staffing check`."""
    path = write_roster(roster_rows(three_day_roster()), tiny / "roster.csv")
    centre = load_centre(tiny)
    report = check_rules(centre, read_roster(path, centre))
    assert [v for r in report.rules for v in r.violations] == []
    return path


def invoke(*args: str):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


# --- the request and its parsing --------------------------------------------------------


def test_parse_full_day_part_day_and_resignation(tiny: Path) -> None:
    """Dates make whole days (end included), date-times a part-day absence, `resignation` a departure."""
    centre = load_centre(tiny)
    now = dt.datetime(2026, 8, 1, 9, 0)
    full = parse_request(centre, agent="A1", start="2026-08-10", end="2026-08-12", leave_type="annual",
                         submitted=None, now=now)
    assert (full.kind, full.days(), full.submitted) == ("full_day", [MON, TUE, WED], now)
    part = parse_request(centre, agent="A2", start="2026-08-11T14:00", end="2026-08-11T15:30", leave_type="doctor",
                         submitted="2026-08-07", now=now)
    assert (part.kind, part.service_day, part.end - part.start) == ("part_day", TUE, dt.timedelta(minutes=90))
    late = parse_request(centre, agent="A2", start="2026-08-18T23:00", end="2026-08-19T01:00", leave_type="meeting",
                         submitted=None, now=now)
    assert late.service_day == dt.date(2026, 8, 18)   # 818 is open 07:00-02:00: 01:00 belongs to the 18th
    gone = parse_request(centre, agent="A3", start="2026-09-01", end=None, leave_type="离职", submitted="2026-07-15",
                         now=now)
    assert (gone.kind, gone.first_day) == ("resignation", dt.date(2026, 9, 1))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"agent": "A11"}, "--agent: 'A11' is not in agents.csv (did you mean 'A1'?)"),
    ({"start": "2026-08-12", "end": "2026-08-11"}, "--end: 2026-08-11 is before --start 2026-08-12"),
    ({"start": "2026-08-1x"}, "--start: '2026-08-1x' is not a date (YYYY-MM-DD) or a local date-time "
                              "(YYYY-MM-DDTHH:MM)"),
    ({"start": "2026-08-12T25:00", "end": "2026-08-12T26:00"}, "--start: '2026-08-12T25:00' is not a date"),
    ({"start": "2026-08-12T10:00", "end": "2026-08-12T09:00"}, "--end: 2026-08-12T09:00 is not after --start "
                                                               "2026-08-12T10:00"),
    ({"start": "2026-08-12T10:00", "end": "2026-08-12"}, "--end: give dates for both"),
    ({"start": "2026-08-12T10:00", "end": "2026-08-14T10:00"}, "--end: a part-day absence lasts at most 24 hours"),
    ({"leave_type": "annual leave"}, "--type: 'annual leave': use 1-40 letters"),
    ({"submitted": "yesterday"}, "--submitted: 'yesterday' is not a date"),
])
def test_malformed_requests_name_the_option(tiny: Path, kwargs: dict, message: str) -> None:
    """Each malformed request is one RequestError (exit 2) naming the option."""
    centre = load_centre(tiny)
    given_ = {"agent": "A1", "start": "2026-08-12", "end": None, "leave_type": "annual", "submitted": None, **kwargs}
    with pytest.raises(RequestError) as caught:
        parse_request(centre, now=dt.datetime(2026, 8, 1), **given_)
    assert caught.value.exit_code == 2 and str(caught.value).startswith(message)


# --- notice on the Chinese calendar ------------------------------------------------------


@pytest.mark.parametrize(("first", "submitted", "ok"), [
    ("2026-08-10", "2026-08-07", True),     # Mon: the Friday before is one working day ahead
    ("2026-08-10", "2026-08-08", False),    # a plain Saturday is not a working day
    ("2026-10-08", "2026-09-30", True),     # after National Day (Oct 1-7 off): the last working day is Sep 30
    ("2026-10-08", "2026-10-02", False),    # asked during the holiday: too late
    ("2026-10-12", "2026-10-10", True),     # Sat Oct 10 is a 调休 make-up working day: it counts
    ("2026-10-12", "2026-10-11", False),    # Sunday Oct 11 is not
    ("2026-09-21", "2026-09-20", True),     # Sun Sep 20 is a make-up working day too
])
def test_notice_across_holidays_and_make_up_days(first: str, submitted: str, ok: bool) -> None:
    """One working day ahead on the statutory calendar: holidays do not count, make-up days do."""
    request = parse_request(_TINY, agent="A1", start=first, end=None, leave_type="annual", submitted=submitted,
                            now=dt.datetime(2026, 1, 1))
    assert judge_notice(request, WorkCalendar(), 1).ok is ok



@settings(max_examples=60)
@given(first=st.dates(dt.date(2026, 1, 5), dt.date(2026, 12, 20)), back=st.integers(0, 20),
       notice=st.integers(0, 4))
def test_notice_means_enough_working_days_in_between(first: dt.date, back: int, notice: int) -> None:
    """Property: notice holds exactly when at least N working days lie in [submitted, first day)."""
    calendar = WorkCalendar()
    submitted = first - dt.timedelta(days=back)
    request = parse_request(_TINY, agent="A1", start=first.isoformat(), end=None, leave_type="annual",
                            submitted=submitted.isoformat(), now=dt.datetime(2026, 1, 1))
    between = sum(calendar.is_working_day(submitted + dt.timedelta(days=i)) for i in range(back))
    assert judge_notice(request, calendar, notice).ok is (between >= notice)


# --- the ledger's rules through the command line ---------------------------------------


def test_ledger_only_decision_says_coverage_was_not_judged(tiny: Path) -> None:
    """Without --roster: notice and the team's leave judged, coverage named as not judged; exit 0."""
    result = invoke("leave", "request", tiny, "--agent", "A1", "--start", "2026-08-12", "--type", "annual",
                    "--submitted", "2026-08-07")
    assert result.exit_code == 0, result.output
    assert "Decision: APPROVED" in result.output
    assert "[note] coverage: not judged: no --roster given" in result.output
    assert (tiny / "leave.db").exists()


def test_one_of_a_team_on_leave_a_day(tiny: Path) -> None:
    """A second teammate on leave the same day is refused (exit 1), naming the first; another day is fine."""
    assert invoke("leave", "request", tiny, "--agent", "A1", "--start", "2026-08-11", "--end", "2026-08-12",
                  "--type", "annual", "--submitted", "2026-08-07").exit_code == 0
    refused = invoke("leave", "request", tiny, "--agent", "A2", "--start", "2026-08-12", "--type", "sick",
                     "--submitted", "2026-08-07")
    assert refused.exit_code == 1
    assert "[FAIL] max_on_leave_per_team_per_day: 2026-08-12: team T1 already has A1 (#1) on approved leave" in \
        refused.output
    assert invoke("leave", "request", tiny, "--agent", "A2", "--start", "2026-08-13", "--type", "sick",
                  "--submitted", "2026-08-07").exit_code == 0


def test_late_request_is_refused_and_kept(tiny: Path) -> None:
    """Asked on Saturday for Monday: refused, exit 1, and the refusal stays in the ledger."""
    result = invoke("leave", "request", tiny, "--agent", "A1", "--start", "2026-08-10", "--type", "annual",
                    "--submitted", "2026-08-08")
    assert result.exit_code == 1 and "[FAIL] leave_notice" in result.output
    entries = list_requests(tiny)
    assert [(e.status, e.decision) for e in entries] == [("refused", "refused")]
    assert any(r.rule == "leave_notice" and not r.ok for r in entries[0].reasons)


def test_resignation_needs_a_month(tiny: Path) -> None:
    """Resignation: one month's notice; it ends the agent's later requests; it is not leave."""
    short = invoke("leave", "request", tiny, "--agent", "A3", "--start", "2026-09-01", "--type", "resignation",
                   "--submitted", "2026-08-07")
    assert short.exit_code == 1 and "2026-09-07 at the earliest" in short.output
    ok = invoke("leave", "request", tiny, "--agent", "A3", "--start", "2026-09-01", "--type", "resignation",
                "--submitted", "2026-07-31")
    assert ok.exit_code == 0, ok.output
    after = invoke("leave", "request", tiny, "--agent", "A3", "--start", "2026-09-10", "--type", "annual",
                   "--submitted", "2026-08-20")
    assert after.exit_code == 1 and "[FAIL] own_leave: already approved: #2 A3 (team T1) resignation" in after.output
    assert approved_leave(tiny, dt.date(2026, 8, 1), dt.date(2026, 9, 30)) == ()


def test_part_day_absences_one_away_at_a_time(tiny: Path) -> None:
    """Two teammates' part-day absences may not overlap (one away at a time); back to back is fine."""
    first = invoke("leave", "request", tiny, "--agent", "A1", "--start", "2026-08-12T10:00", "--end",
                   "2026-08-12T11:00", "--type", "meeting", "--submitted", "2026-08-07")
    assert first.exit_code == 0, first.output
    clash = invoke("leave", "request", tiny, "--agent", "A2", "--start", "2026-08-12T10:30", "--end",
                   "2026-08-12T11:30", "--type", "doctor", "--submitted", "2026-08-07")
    assert clash.exit_code == 1 and "[FAIL] max_away: 2 of team T1 away at once with A1 10:00-11:00 (#1)" in \
        clash.output
    after = invoke("leave", "request", tiny, "--agent", "A2", "--start", "2026-08-12T11:00", "--end",
                   "2026-08-12T12:00", "--type", "doctor", "--submitted", "2026-08-07")
    assert after.exit_code == 0, after.output
    absences = approved_absences(tiny, WED, WED)
    assert [(a.agent, a.start.hour, a.end.hour, a.code) for a in absences] == [("A1", 10, 11, "meeting"),
                                                                             ("A2", 11, 12, "doctor")]


# --- against a roster --------------------------------------------------------------------


def test_multi_day_leave_within_the_roster_is_approved_and_written(tiny: Path) -> None:
    """Three on Tuesday and Wednesday: A3 off both days leaves two, every rule kept; --apply
    writes leave rows and keeps the previous roster beside it."""
    plan = {}
    for day in (MON, TUE, WED):
        plan.update(day_plan(day, THREE_WORK, {"A1": "A1", "A2": "A2", "A3": "A3"}))
    path = write_roster(roster_rows(plan), tiny / "roster.csv")
    before = path.read_bytes()
    result = invoke("leave", "request", tiny, "--agent", "A3", "--start", "2026-08-11", "--end", "2026-08-12",
                    "--type", "annual", "--submitted", "2026-08-07", "--roster", path, "--apply")
    assert result.exit_code == 0, result.output
    assert "[ok  ] roster_rules: roster.csv without the agent keeps every hard rule and the floor" in result.output
    centre = load_centre(tiny)
    written = read_roster(path, centre)
    leave = written[(written["agent"] == "A3") & (written["activity"] == "leave")]
    assert sorted(leave["date"]) == [TUE, WED] and set(leave["code"]) == {"annual"}
    assert written[(written["agent"] == "A3") & (written["date"] != MON)]["activity"].tolist() == ["leave", "leave"]
    assert [v for r in check_rules(centre, written).rules for v in r.violations] == []
    backup = tiny / "roster.before-request-1.csv"
    assert backup.read_bytes() == before
    entry = list_requests(tiny)[0]
    assert entry.judged.written_path == str(path.resolve()) and entry.judged.backup_path == str(backup.resolve())
    assert approved_leave(tiny, MON, WED)[0].start == TUE


def test_removal_that_breaks_the_floor_is_refused_when_nothing_can_repair_it(tiny_roster: Path) -> None:
    """Wednesday has A2 and A3 and A1 rests, but A1 has no day to give back in return: A3 off
    leaves A2 alone during meal and breaks (floor 1), and no repair exists; exit 1."""
    plan = three_day_roster()
    plan[("A1", TUE)] = "rest"     # A1 works Monday only: no day to swap away on Wednesday's account
    write_roster(roster_rows(plan), tiny_roster)
    result = invoke("leave", "request", tiny_roster.parent, "--agent", "A3", "--start", "2026-08-12", "--type",
                    "annual", "--submitted", "2026-08-07", "--roster", tiny_roster)
    assert result.exit_code == 1, result.output
    assert "[FAIL] coverage: without the agent roster.csv breaks it: chat 2026-08-12T10:00-10:10: 0 on the line, " \
           "floor 1" in result.output
    assert "[FAIL] repair: no repair" in result.output


def test_requirements_shortfall_is_judged_against_a_tolerance(tiny: Path) -> None:
    """With 3 required on the line all Tuesday, three working are short only while one is away
    (3 x 80 = 240 agent-minutes); A1 off adds a whole shift less A1's own away time (480 - 80):
    refused at tolerance 0 (nobody rests that day, nothing can recover it), approved at 400."""
    plan = {}
    for day in (MON, TUE):
        plan.update(day_plan(day, THREE_WORK, {"A1": "A1", "A2": "A2", "A3": "A3"}))
    roster = write_roster(roster_rows(plan), tiny / "roster.csv")
    requirements = tiny / "requirements.csv"
    requirements.write_text("line,start,end,required\nchat,2026-08-11T09:00,2026-08-11T17:00,3\n", encoding="utf-8")
    common = ["leave", "request", tiny, "--agent", "A1", "--start", "2026-08-11", "--type", "annual",
              "--submitted", "2026-08-07", "--roster", roster, "--requirements", requirements]
    refused = invoke(*common)
    assert refused.exit_code == 1, refused.output
    assert "[FAIL] service_targets: 240 -> 640 agent-minutes short of required on the request's days (+400; " \
           "tolerance 0)" in refused.output
    assert "[FAIL] repair: no repair" in refused.output
    approved = invoke(*common, "--max-extra-short", "400")
    assert approved.exit_code == 0, approved.output
    assert "[ok  ] service_targets: 240 -> 640" in approved.output


def test_ledger_approvals_missing_from_the_roster_are_judged_as_if_there(tiny: Path) -> None:
    """An approval recorded without --apply is applied to the roster before judging the next
    request: the slack it used is gone."""
    plan = {}
    for day in (MON, TUE):
        plan.update(day_plan(day, THREE_WORK, {"A1": "A1", "A2": "A2", "A3": "A3"}))
    roster = write_roster(roster_rows(plan), tiny / "roster.csv")
    (tiny / "centre.toml").write_text((tiny / "centre.toml").read_text(encoding="utf-8").replace(
        "max_away_per_team = 1", "max_away_per_team = 1\nmax_on_leave_per_team_per_day = 2"), encoding="utf-8")
    first = invoke("leave", "request", tiny, "--agent", "A1", "--start", "2026-08-11", "--type", "annual",
                   "--submitted", "2026-08-07", "--roster", roster)
    assert first.exit_code == 0, first.output
    second = invoke("leave", "request", tiny, "--agent", "A2", "--start", "2026-08-11", "--type", "annual",
                    "--submitted", "2026-08-07", "--roster", roster)
    assert second.exit_code == 1, second.output
    assert "[note] ledger: roster.csv does not show approved request(s) #1; judged as if it did" in second.output
    assert "[FAIL] coverage" in second.output


@pytest.mark.parametrize(("args", "message"), [
    (["--agent", "Z1", "--start", "2026-08-11"], "Error: --agent: 'Z1' is not in agents.csv\n"),
    (["--agent", "A1", "--start", "2026-08-20"], "Error: --start: 2026-08-20 is outside the roster "
                                                 "(2026-08-10..2026-08-12 in roster.csv)\n"),
    (["--agent", "A1", "--start", "2026-08-12", "--end", "2026-08-11"], "Error: --end: 2026-08-11 is before "
                                                                        "--start 2026-08-12\n"),
    (["--agent", "A1", "--start", "2026-08-12T9:00", "--end", "2026-08-12T10:00"],
     "Error: --start: '2026-08-12T9:00' is not a date (YYYY-MM-DD) or a local date-time (YYYY-MM-DDTHH:MM)\n"),
])
def test_bad_input_is_exit_2_one_line_nothing_recorded(tiny_roster: Path, args: list[str], message: str) -> None:
    """Unknown agent, a date outside the roster, end before start, malformed time: exit 2,
    one line on stderr, nothing recorded and the roster untouched."""
    before = tiny_roster.read_bytes()
    result = invoke("leave", "request", tiny_roster.parent, *args, "--type", "annual", "--submitted", "2026-08-07",
                    "--roster", tiny_roster, "--apply")
    assert result.exit_code == 2 and result.output == message
    assert list_requests(tiny_roster.parent) == () and tiny_roster.read_bytes() == before


def test_bad_roster_file_is_exit_2(tiny: Path) -> None:
    """A roster naming an unknown agent is the reader's one-line error, exit 2."""
    (tiny / "roster.csv").write_text("agent,team,line,date,activity,code,start,end\n"
                                     "Q1,T1,chat,2026-08-10,rest,rest,,\n", encoding="utf-8")
    result = invoke("leave", "request", tiny, "--agent", "A1", "--start", "2026-08-10", "--type", "annual",
                    "--roster", tiny / "roster.csv")
    assert result.exit_code == 2 and result.output.startswith("Error: roster.csv:2: agent: 'Q1' is not in agents.csv")


def test_list_and_cancel(tiny: Path) -> None:
    """`leave list` shows every request; cancel marks (never deletes); cancelling twice is exit 2."""
    invoke("leave", "request", tiny, "--agent", "A1", "--start", "2026-08-12", "--type", "annual",
           "--submitted", "2026-08-07")
    invoke("leave", "request", tiny, "--agent", "A2", "--start", "2026-08-12", "--type", "annual",
           "--submitted", "2026-08-07")
    cancelled = invoke("leave", "cancel", tiny, "1", "--reason", "plans changed")
    assert cancelled.exit_code == 0 and "#1 cancelled" in cancelled.output
    listing = invoke("leave", "list", tiny, "--reasons")
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert lines[0].startswith("#1 cancelled A1 (team T1) annual 2026-08-12") and "(plans changed)" in lines[0]
    assert any(line.startswith("#2 refused") for line in lines) and lines[-1] == "2 request(s)"
    assert invoke("leave", "list", tiny, "--status", "refused").output.splitlines()[-1] == "1 request(s)"
    again = invoke("leave", "cancel", tiny, "1")
    assert again.exit_code == 2 and again.output == ("Error: leave.db: id: request #1 is cancelled; only approved or "
                                                     "proposed requests can be cancelled\n")
    assert invoke("leave", "cancel", tiny, "9").output == "Error: leave.db: id: no request #9\n"
    assert approved_leave(tiny, WED, WED) == ()
    third = invoke("leave", "request", tiny, "--agent", "A2", "--start", "2026-08-12", "--type", "annual",
                   "--submitted", "2026-08-07")
    assert third.exit_code == 0, third.output


def test_list_without_a_ledger_creates_nothing(tiny: Path) -> None:
    """Reading an empty centre prints no requests and creates no leave.db."""
    result = invoke("leave", "list", tiny)
    assert result.exit_code == 0 and result.output == "0 request(s)\n"
    assert not (tiny / "leave.db").exists()


def test_apply_request_leaves_the_given_frame_alone(tiny: Path) -> None:
    """apply_request returns a new frame: full-day leave replaces the working day's rows with
    one leave row, rest days stay, a part-day absence is clipped to the shift."""
    frame = roster_rows(three_day_roster())
    snapshot = frame.copy()
    centre = load_centre(tiny)
    request = parse_request(centre, agent="A3", start="2026-08-10", end="2026-08-11", leave_type="sick",
                            submitted=None, now=dt.datetime(2026, 8, 1))
    after = apply_request(frame, request)
    pd.testing.assert_frame_equal(frame, snapshot)
    own = after[after["agent"] == "A3"].sort_values("date")
    assert own[own["date"] == MON]["activity"].tolist() == ["rest"]
    assert own[own["date"] == TUE]["activity"].tolist() == ["leave"]
    part = parse_request(centre, agent="A1", start="2026-08-10T08:00", end="2026-08-10T10:30", leave_type="doctor",
                         submitted=None, now=dt.datetime(2026, 8, 1))
    meeting = apply_request(frame, part).iloc[-1]
    assert (meeting["activity"], meeting["start"].hour, meeting["end"].minute) == ("meeting", 9, 30)


def test_docs_name_every_option_and_reason() -> None:
    """docs/leave.md documents each option of `leave request` and each reason a decision can give;
    every leave command's --help has an example."""
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "leave.md").read_text(encoding="utf-8")
    group = cli.main.commands["leave"]
    for option in group.commands["request"].params:
        if isinstance(option, click.Option):
            assert option.opts[0] in text, option.opts[0]
    for rule in ("leave_notice", "resignation_notice", "own_leave", "max_on_leave_per_team_per_day", "max_away",
                 "roster_rules", "coverage", "service_targets", "repair", "ledger"):
        assert f"`{rule}`" in text, rule
    for name in group.commands:
        result = invoke("leave", name, "--help")
        assert result.exit_code == 0 and "Example:" in result.output, name


def test_predicted_targets_refuse_leave_that_breaks_service_level(tiny) -> None:
    """Three on a busy chat day hold the service level; without one of them it is missed, so the
    request gets a blocking `predicted_targets` reason naming the target and the day."""
    from types import SimpleNamespace

    import pandas as pd

    from staffing import load_centre
    from staffing.leave.decide import target_reasons
    from tests.test_check import good_day

    centre = load_centre(tiny)
    before = pd.DataFrame(good_day())
    after = before[before["agent"] != "A1"]
    slots = pd.date_range("2026-08-10T09:00", "2026-08-10T16:50", freq="10min")
    needs = pd.DataFrame({"line": "chat", "start": slots, "end": slots + pd.Timedelta(minutes=10), "required": 2,
                          "floor": 1, "day_min_agents": float("nan"), "contacts": 3.0})
    request = SimpleNamespace(line="chat")
    day = [pd.Timestamp("2026-08-10").date()]
    kept = target_reasons(centre, before, before, request, day, needs)
    assert [r.ok for r in kept] == [True]
    lost = target_reasons(centre, before, after, request, day, needs)
    assert len(lost) == 1 and not lost[0].ok and lost[0].rule == "predicted_targets"
    assert "2026-08-10" in lost[0].detail
