"""Judging a leave request: pure functions over the request, the ledger's approvals and a roster.

Nothing here reads or writes files or the ledger. Two families:

- against the ledger: notice in working days (Chinese calendar: make-up 调休 days count,
  holidays do not), resignation notice, the agent's own approved leave, at most
  ``max_on_leave_per_team_per_day`` of a team on leave a day, at most ``max_away_per_team``
  of a team away at once (part-day absences);
- against a roster: take the agent off for the request's days (or add the absence as a
  ``meeting`` row), then :func:`staffing.check.check_rules` on the roster before and after:
  every violation the request adds is a reason (the floor is the ``coverage`` rule); with
  requirements, the change in agent-minutes short of ``required`` on the request's line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from staffing.calendar import WorkCalendar, add_months, centre_calendar, service_windows
from staffing.check import Violation, check_rules, on_line_by_minute
from staffing.domain import Centre
from staffing.leave.ledger import LedgerEntry
from staffing.leave.reasons import Reason
from staffing.leave.request import LeaveRequest, RequestError

ROSTER_COLUMNS = ["agent", "team", "line", "date", "activity", "code", "start", "end"]
AWAY = ("meal", "break", "meeting")
UNREPAIRABLE = ("max_on_leave_per_team_per_day",)   # a repair never moves another person's leave


# --- against the ledger -------------------------------------------------------------------


def judge_notice(request: LeaveRequest, calendar: WorkCalendar, notice_working_days: int) -> Reason:
    """Rule `leave_notice`: asked at least N working days before the first day off (DOMAIN §3)."""
    first = request.first_day
    deadline = calendar.add_working_days(first, -notice_working_days)
    asked = request.submitted.date()
    detail = (f"submitted {asked} {asked:%a}, first day off {first} {first:%a}: {notice_working_days} working "
              f"day(s) ahead means by {deadline} {deadline:%a}")
    if asked <= deadline:
        return Reason(rule="leave_notice", ok=True, detail=detail)
    return Reason(rule="leave_notice", ok=False, detail=f"{detail}; asked too late")


def judge_resignation_notice(request: LeaveRequest, notice_months: int) -> Reason:
    """Rule `resignation_notice`: the leaving day at least N months after the notice (DOMAIN §3)."""
    asked = request.submitted.date()
    earliest = add_months(asked, notice_months)
    detail = (f"notice given {asked}, first day not worked {request.first_day}; {notice_months} month(s) "
              f"notice means {earliest} at the earliest")
    note = "; the manual also wants the replacement in place and able to work alone, which the product cannot judge"
    return Reason(rule="resignation_notice", ok=request.first_day >= earliest, detail=detail + note)


def judge_own_leave(request: LeaveRequest, approved: Sequence[LedgerEntry]) -> Reason:
    """Rule `own_leave`: the agent has no approved leave, absence or departure at the same time."""
    clash = [e for e in approved if e.request.agent == request.agent and _overlaps(e.request, request)]
    if clash:
        listed = ", ".join(f"#{e.id} {e.request.describe()}" for e in clash)
        return Reason(rule="own_leave", ok=False, detail=f"already approved: {listed}")
    return Reason(rule="own_leave", ok=True, detail="no approved leave of the agent overlaps")


def judge_team_leave(request: LeaveRequest, approved: Sequence[LedgerEntry], limit: int) -> Reason:
    """Rule `max_on_leave_per_team_per_day`: at most ``limit`` of a team on full-day leave a
    day, this request included (DOMAIN §3: 离席人数限定一人)."""
    worst: tuple[int, dt.date, list[LedgerEntry]] = (0, request.first_day, [])
    for day in request.days():
        others = [e for e in approved if e.request.kind == "full_day" and e.request.team == request.team
                  and e.request.agent != request.agent and e.request.first_day <= day <= e.request.last_day]
        if len(others) + 1 > worst[0]:
            worst = (len(others) + 1, day, others)
    count, day, others = worst
    if count > limit:
        listed = ", ".join(f"{e.request.agent} (#{e.id})" for e in others)
        return Reason(rule="max_on_leave_per_team_per_day", ok=False,
                      detail=f"{day}: team {request.team} already has {listed} on approved leave; at most {limit} "
                             "a day")
    return Reason(rule="max_on_leave_per_team_per_day", ok=True,
                  detail=f"at most {count} of team {request.team} on leave on any of the days (limit {limit})")


def judge_team_away(request: LeaveRequest, approved: Sequence[LedgerEntry], limit: int) -> Reason:
    """Rule `max_away` (ledger part): at most ``limit`` of a team away at once counting the
    approved part-day absences (meals and breaks need the roster)."""
    others = [e for e in approved if e.request.kind == "part_day" and e.request.team == request.team
              and e.request.agent != request.agent and _overlaps(e.request, request)]
    minutes = int((request.end - request.start).total_seconds() // 60)
    count = np.ones(minutes, dtype=int)
    for entry in others:
        lo = max(int((entry.request.start - request.start).total_seconds() // 60), 0)
        hi = min(int((entry.request.end - request.start).total_seconds() // 60), minutes)
        count[lo:hi] += 1
    if count.max() > limit:
        listed = ", ".join(f"{e.request.agent} {e.request.start:%H:%M}-{e.request.end:%H:%M} (#{e.id})"
                           for e in others)
        return Reason(rule="max_away", ok=False, detail=f"{int(count.max())} of team {request.team} away at once "
                                                        f"with {listed}; at most {limit}")
    return Reason(rule="max_away", ok=True, detail=f"{int(count.max())} of team {request.team} away at once counting "
                                                   f"approved absences (limit {limit}; meals and breaks need "
                                                   "the roster)")


def judge_ledger(request: LeaveRequest, approved: Sequence[LedgerEntry], centre: Centre) -> list[Reason]:
    """Every ledger-side rule for ``request`` against the approved requests overlapping it."""
    rules = centre.rules
    reasons = []
    if request.kind == "resignation":
        reasons.append(judge_resignation_notice(request, rules.resignation_notice_months))
    else:
        reasons.append(judge_notice(request, centre_calendar(centre), rules.leave_notice_working_days))
    reasons.append(judge_own_leave(request, approved))
    if request.kind == "full_day":
        reasons.append(judge_team_leave(request, approved, rules.max_on_leave_per_team_per_day))
    elif request.kind == "part_day":
        reasons.append(judge_team_away(request, approved, rules.max_away_per_team))
    return reasons


def _overlaps(a: LeaveRequest, b: LeaveRequest) -> bool:
    a_end = dt.datetime.max if a.kind == "resignation" else a.end
    b_end = dt.datetime.max if b.kind == "resignation" else b.end
    return a.start < b_end and b.start < a_end


# --- editing a roster ---------------------------------------------------------------------


def roster_days(roster: pd.DataFrame) -> list[dt.date]:
    return sorted(set(roster["date"]))


def request_days_in_roster(request: LeaveRequest, roster: pd.DataFrame, roster_name: str) -> list[dt.date]:
    """The roster's service days the request takes the agent off; a full-day or part-day
    request must lie inside the roster (else :class:`RequestError`), a resignation takes
    every roster day from its leaving day (none when the roster ends before)."""
    days = roster_days(roster)
    if request.kind == "resignation":
        return [d for d in days if d >= request.first_day]
    known = set(days)
    for option, day in (("--start", request.first_day), ("--end", request.last_day)):
        if day not in known:
            raise RequestError(option, f"{day} is outside the roster ({days[0]}..{days[-1]} in {roster_name})")
    return request.days()


def apply_request(roster: pd.DataFrame, request: LeaveRequest) -> pd.DataFrame:
    """The roster with the request taken: full-day leave replaces each working day's shift,
    meals and breaks with one ``leave`` row (rest days stay rest); a part-day absence becomes a
    ``meeting`` row clipped to the agent's shift; a resignation removes every row from the
    leaving day on. The frame given is not changed."""
    own = roster["agent"] == request.agent
    if request.kind == "resignation":
        gone = own & (roster["date"] >= request.first_day)
        return roster[~gone].reset_index(drop=True) if gone.any() else roster
    if request.kind == "part_day":
        shift = roster[own & (roster["date"] == request.service_day) & (roster["activity"] == "shift")]
        if shift.empty:
            return roster
        row = shift.iloc[0]
        start, end = max(pd.Timestamp(request.start), row["start"]), min(pd.Timestamp(request.end), row["end"])
        if end <= start:
            return roster
        meeting = {**row.to_dict(), "activity": "meeting", "code": request.type, "start": start, "end": end}
        return pd.concat([roster, pd.DataFrame([meeting])], ignore_index=True)
    days = set(request.days())
    working = set(roster.loc[own & roster["date"].isin(days) & (roster["activity"] == "shift"), "date"])
    if not working:
        return roster
    template = roster[own].iloc[0]
    leave = [{"agent": request.agent, "team": template["team"], "line": template["line"], "date": day,
              "activity": "leave", "code": request.type, "start": pd.Timestamp(day),
              "end": pd.Timestamp(day) + pd.Timedelta(days=1)} for day in sorted(working)]
    kept = roster[~(own & roster["date"].isin(working))]
    return pd.concat([kept, pd.DataFrame(leave)], ignore_index=True)


def is_reflected(roster: pd.DataFrame, request: LeaveRequest) -> bool:
    """Whether the roster already shows an approved request (its leave rows, its meeting, the
    agent gone), so it is not applied twice."""
    after = apply_request(roster, request)
    if request.kind == "part_day" and len(after) > len(roster):
        added = after.iloc[-1]
        same = roster[(roster["agent"] == request.agent) & (roster["activity"] == "meeting")
                      & (roster["start"] == added["start"]) & (roster["end"] == added["end"])]
        return not same.empty
    return len(after) == len(roster) and after.equals(roster)


def reflect_approved(roster: pd.DataFrame, approved: Iterable[LedgerEntry]) -> tuple[pd.DataFrame, list[int]]:
    """The roster with every approved request it does not show yet; returns it and their ids."""
    applied = []
    for entry in approved:
        if not is_reflected(roster, entry.request):
            roster = apply_request(roster, entry.request)
            applied.append(entry.id)
    return roster, applied


def tidy(roster: pd.DataFrame, original: pd.DataFrame) -> pd.DataFrame:
    """``roster``'s rows in ``original``'s order, so a written roster differs from the given one
    only where it changed: agent-days in the order they first appear there (new ones last),
    an unchanged agent-day's rows as they were, a changed one's shift first, then by start."""
    columns = ["agent", "date", "activity", "code", "start", "end"]
    position: dict[tuple, int] = {}
    before: dict[tuple, set] = {}
    for i, key in enumerate(zip(*(original[c] for c in columns))):
        position.setdefault(key, i)
        before.setdefault(key[:2], set()).add(key)
    cell_rank = {cell: rank for rank, cell in enumerate(before)}
    keys = list(zip(*(roster[c] for c in columns)))
    after: dict[tuple, set] = {}
    for key in keys:
        after.setdefault(key[:2], set()).add(key)
    changed = {cell for cell, rows in after.items() if before.get(cell) != rows}
    first = {"shift": 0, "leave": 0, "rest": 0}
    order = []
    for i, key in enumerate(keys):
        cell = key[:2]
        rank = (cell_rank.get(cell, len(cell_rank)), str(cell[0]), cell[1])
        within = (1, first.get(key[2], 1), key[4]) if cell in changed else (0, 0, position[key])
        order.append((*rank, *within, i))
    return roster.iloc[[item[-1] for item in sorted(order)]].reset_index(drop=True)


def to_csv_text(roster: pd.DataFrame) -> str:
    """``roster.csv`` text (CONTRACT columns, datetimes to the minute)."""
    out = roster[ROSTER_COLUMNS].copy()
    for name in ("start", "end"):
        out[name] = pd.to_datetime(out[name]).dt.strftime("%Y-%m-%dT%H:%M")
    out["date"] = [d.isoformat() for d in out["date"]]
    return out.to_csv(index=False, lineterminator="\n")


# --- judging a roster ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterJudgement:
    """What taking the request does to a roster: the violations it adds and the shortfall."""

    new_violations: tuple[Violation, ...]
    short_before: int | None      # agent-minutes short of `required` on the line, request's days
    short_after: int | None
    tolerance_min: int

    @property
    def extra_short(self) -> int | None:
        return None if self.short_after is None else self.short_after - self.short_before

    @property
    def rules_ok(self) -> bool:
        return not self.new_violations

    @property
    def short_ok(self) -> bool:
        return self.extra_short is None or self.extra_short <= self.tolerance_min

    @property
    def ok(self) -> bool:
        return self.rules_ok and self.short_ok

    @property
    def repairable(self) -> bool:
        return not any(v.rule in UNREPAIRABLE for v in self.new_violations)


SOFT_RULES = ("required",)     # judged as the shortfall against `required`, with a tolerance
LINE_RULES = ("coverage", "required")


def neighbourhood(roster: pd.DataFrame, team: str, days: Iterable[dt.date], agents: Iterable[str]) -> pd.DataFrame:
    """The rows whose per-agent and per-team verdicts the request can change: every row of
    ``agents`` (the people changed), and the team's away and leave rows around ``days``.
    (The line's floor and shortfall are judged over the whole roster, see :func:`floor_breaches`.)"""
    days = sorted(set(days))
    start = pd.Timestamp(days[0] - dt.timedelta(days=1))
    end = pd.Timestamp(days[-1] + dt.timedelta(days=2))
    team_rows = ((roster["team"] == team) & roster["activity"].isin((*AWAY, "leave"))
                 & (roster["end"] > start) & (roster["start"] < end))
    return roster[team_rows | roster["agent"].isin(set(agents))]


def new_violations(centre: Centre, before: pd.DataFrame, after: pd.DataFrame, requirements: pd.DataFrame | None,
                   *, skip: Iterable[str] = SOFT_RULES) -> tuple[Violation, ...]:
    """Violations :func:`check_rules` finds in ``after`` and not in ``before`` (a rule broken
    anew, or a breach made longer or worse), leaving out the rules in ``skip``."""
    skip = set(skip)
    old = {v for result in check_rules(centre, before, requirements).rules for v in result.violations}
    return tuple(v for result in check_rules(centre, after, requirements).rules for v in result.violations
                 if v not in old and v.rule not in skip)


def required_by_minute(requirements: pd.DataFrame, line: str, start: pd.Timestamp, end: pd.Timestamp,
                       column: str = "required") -> np.ndarray:
    """A requirement column (``required`` or ``floor``) per minute over ``[start, end)``
    (0 where no row or no value)."""
    minutes = int((end - start).total_seconds() // 60)
    need = np.zeros(minutes, dtype=int)
    rows = requirements[(requirements["line"] == line) & (requirements["end"] > start)
                        & (requirements["start"] < end)]
    for row in rows.itertuples():
        value = getattr(row, column)
        if pd.isna(value):
            continue
        lo = max(int((row.start - start).total_seconds() // 60), 0)
        hi = min(int((row.end - start).total_seconds() // 60), minutes)
        need[lo:hi] = np.maximum(need[lo:hi], int(value))
    return need


def _windows(centre: Centre, line: str, days: Iterable[dt.date]):
    calendar = centre_calendar(centre)
    for day in sorted(set(days)):
        for start, end in service_windows(centre.lines[line], day, calendar):
            yield day, pd.Timestamp(start), pd.Timestamp(end)


def shortfall_agent_min(centre: Centre, roster: pd.DataFrame, requirements: pd.DataFrame, line: str,
                        days: Iterable[dt.date]) -> int:
    """Agent-minutes the line is short of ``required`` in its open hours on ``days``."""
    total = 0
    for _, start, end in _windows(centre, line, days):
        gap = required_by_minute(requirements, line, start, end) - on_line_by_minute(roster, line, start, end)
        total += int(np.clip(gap, 0, None).sum())
    return total


def floor_breaches(centre: Centre, before: pd.DataFrame, after: pd.DataFrame, line: str, days: Iterable[dt.date],
                   requirements: pd.DataFrame | None) -> tuple[Violation, ...]:
    """Rule `coverage` (the floor), where the request makes it worse: minutes of the line's
    hours on ``days`` with fewer on the line than ``min_agents`` (or the requirement's
    ``floor``) and fewer than before, as runs."""
    out = []
    minimum = centre.lines[line].min_agents
    for day, start, end in _windows(centre, line, days):
        was = on_line_by_minute(before, line, start, end)
        now = on_line_by_minute(after, line, start, end)
        floor = np.full(len(now), minimum)
        if requirements is not None and "floor" in requirements:
            floor = np.maximum(floor, required_by_minute(requirements, line, start, end, "floor"))
        worse = np.flatnonzero((now < floor) & (now < was))
        for run in np.split(worse, np.flatnonzero(np.diff(worse) > 1) + 1) if len(worse) else []:
            first = start + pd.Timedelta(minutes=int(run[0]))
            last = start + pd.Timedelta(minutes=int(run[-1]) + 1)
            out.append(Violation(rule="coverage", line=line, day=str(day), start=first.isoformat(timespec="minutes"),
                                 end=last.isoformat(timespec="minutes"),
                                 detail=f"{int(now[run].min())} on the line, floor {int(floor[run].max())}"))
    return tuple(out)


def judge_roster(centre: Centre, before: pd.DataFrame, after: pd.DataFrame, request: LeaveRequest,
                 days: Sequence[dt.date], requirements: pd.DataFrame | None, tolerance_min: int,
                 changed: Iterable[str] = ()) -> RosterJudgement:
    """The violations ``after`` adds to ``before`` on ``days`` and the change in shortfall.

    Per-agent and per-team rules: :func:`check_rules` on the rows that can change
    (:func:`neighbourhood`). The floor and the shortfall: the request's line, minute by
    minute, over the whole roster.
    """
    agents = {request.agent, *changed}
    near_before = neighbourhood(before, request.team, days, agents)
    near_after = neighbourhood(after, request.team, days, agents)
    added = new_violations(centre, near_before, near_after, None, skip=LINE_RULES)
    added += floor_breaches(centre, before, after, request.line, days, requirements)
    short_before = short_after = None
    if requirements is not None:
        short_before = shortfall_agent_min(centre, before, requirements, request.line, days)
        short_after = shortfall_agent_min(centre, after, requirements, request.line, days)
    return RosterJudgement(new_violations=added, short_before=short_before, short_after=short_after,
                           tolerance_min=tolerance_min)


def describe_violation(violation: Violation) -> str:
    who = violation.agent or violation.team or violation.line
    when = violation.start or violation.day
    if violation.start and violation.end:
        when = f"{violation.start}-{violation.end[11:]}"
    return f"{who} {when}: {violation.detail}"


def roster_reasons(judgement: RosterJudgement, roster_name: str) -> list[Reason]:
    """Reasons for the supervisor: each rule the request breaks (first few breaches named),
    then the shortfall against ``required``."""
    reasons = []
    by_rule: dict[str, list[Violation]] = {}
    for violation in judgement.new_violations:
        by_rule.setdefault(violation.rule, []).append(violation)
    for rule, found in by_rule.items():
        shown = "; ".join(describe_violation(v) for v in found[:3])
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        reasons.append(Reason(rule=rule, ok=False, detail=f"without the agent {roster_name} breaks it: {shown}{more}"))
    if not by_rule:
        reasons.append(Reason(rule="roster_rules", ok=True,
                              detail=f"{roster_name} without the agent keeps every hard rule and the floor"))
    if judgement.extra_short is not None:
        detail = (f"{judgement.short_before:,} -> {judgement.short_after:,} agent-minutes short of required on the "
                  f"request's days ({judgement.extra_short:+,}; tolerance {judgement.tolerance_min:,})")
        reasons.append(Reason(rule="service_targets", ok=judgement.short_ok, detail=detail))
    return reasons
