"""Check any roster against every rule, independently of the solver (no ortools here).

One ``check_<rule>(centre, roster, context)`` per rule id, the same ids the roster engine
uses (``staffing.roster.rules`` and ``staffing.roster.breaks``). Each returns the
violations with the agent, day and time of each, so a hand-edited roster (Excel, then back
to CSV) is judged exactly like a solver-made one. Times are checked to the minute.
"""

from __future__ import annotations

import calendar as month_calendar
import itertools
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from staffing.calendar import centre_calendar, date_range, service_windows
from staffing.domain import Centre

AWAY = ("meal", "break", "meeting")


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """One breach of a rule: who, which day, when, and what."""

    rule: str
    detail: str
    agent: str = ""
    team: str = ""
    line: str = ""
    day: str = ""
    start: str = ""
    end: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleResult:
    rule: str
    violations: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """The verdict (``check.json``: ``{"ok", "rules": [...], "targets": [...]}``)."""

    rules: tuple[RuleResult, ...]
    targets: tuple[dict, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rules) and all(t.get("ok", True) for t in self.targets)

    def to_json(self) -> str:
        return json.dumps({
            "ok": self.ok,
            "rules": [{"rule": r.rule, "ok": r.ok, "violations": [asdict(v) for v in r.violations]}
                      for r in self.rules],
            "targets": list(self.targets),
        }, ensure_ascii=False, indent=2)


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What several checks share: the requirement per line and slot, when given."""

    requirements: pd.DataFrame | None = None


def _stamp(value) -> str:
    return pd.Timestamp(value).isoformat(timespec="minutes")


def _violation(rule: str, row, detail: str) -> Violation:
    return Violation(rule=rule, detail=detail, agent=str(row.agent), team=str(row.team), line=str(row.line),
                     day=str(row.date), start=_stamp(row.start), end=_stamp(row.end))


def check_one_shift_per_day(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`one_shift_per_day`: at most one shift per agent per service day, from a template of
    the agent's line, at the template's times."""
    out = []
    shifts = roster[roster["activity"] == "shift"]
    for row in shifts[shifts.duplicated(["agent", "date"], keep="first")].itertuples():
        out.append(_violation("one_shift_per_day", row, "a second shift on the same day"))
    for row in shifts.itertuples():
        template = centre.shifts.get(row.code)
        if template is None or row.line not in template.lines:
            out.append(_violation("one_shift_per_day", row, f"{row.code!r} is not a shift template of line {row.line}"))
            continue
        midnight = pd.Timestamp(row.date)
        expected = (midnight + pd.Timedelta(minutes=template.start_min),
                    midnight + pd.Timedelta(minutes=template.end_min))
        if (pd.Timestamp(row.start), pd.Timestamp(row.end)) != expected:
            out.append(_violation("one_shift_per_day", row, f"times differ from template {template}"))
    return out


def _shifts_with_away(centre: Centre, roster: pd.DataFrame):
    """Each shift row from a known template, with its template and that agent-day's away rows."""
    away = roster[roster["activity"].isin(AWAY)].sort_values("start")
    by_day = {key: group for key, group in away.groupby(["agent", "date"])}
    for row in roster[roster["activity"] == "shift"].itertuples():
        template = centre.shifts.get(row.code)
        if template is not None:
            yield row, template, by_day.get((row.agent, row.date), roster.iloc[0:0])


def check_meal_window(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`meal_window`: the template's meals, each of `rules.meal_min`, inside its window."""
    out, rules = [], centre.rules
    for row, template, own in _shifts_with_away(centre, roster):
        meals = own[own["activity"] == "meal"]
        if len(meals) != template.meals:
            out.append(_violation("meal_window", row, f"{len(meals)} meal(s); template {template.code} earns "
                                                      f"{template.meals}"))
        midnight = pd.Timestamp(row.date)
        for meal in meals.itertuples():
            length = (meal.end - meal.start).total_seconds() / 60
            window = template.meal_window
            inside = window is not None and (midnight + pd.Timedelta(minutes=window.start_min) <= meal.start
                                             and meal.end <= midnight + pd.Timedelta(minutes=window.end_min))
            if length != rules.meal_min or not inside:
                out.append(_violation("meal_window", meal, f"meal of {length:g} min, window {window}"))
    return out


def check_break_window(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`break_window`: the template's breaks of `rules.break_min`, far enough from the
    shift's start and end, and `break_min_gap_min` from each other and the meal."""
    out, rules = [], centre.rules
    for row, template, own in _shifts_with_away(centre, roster):
        breaks = own[own["activity"] == "break"]
        if len(breaks) != template.breaks:
            out.append(_violation("break_window", row, f"{len(breaks)} break(s); template {template.code} earns "
                                                       f"{template.breaks}"))
        earliest = row.start + pd.Timedelta(minutes=template.break_min_from_start_min)
        latest = row.end - pd.Timedelta(minutes=template.break_min_from_end_min)
        for item in breaks.itertuples():
            if (item.end - item.start).total_seconds() / 60 != rules.break_min:
                out.append(_violation("break_window", item, f"break is not {rules.break_min} min"))
            if item.start < earliest or item.end > latest:
                out.append(_violation("break_window", item, "break too near the shift's start or end"))
        items = list(own[own["activity"].isin(("meal", "break"))].itertuples())
        gap = pd.Timedelta(minutes=template.break_min_gap_min)
        for before, after in itertools.pairwise(items):
            if after.start - before.end < gap:
                detail = f"{after.activity} less than {template.break_min_gap_min} min after the {before.activity}"
                out.append(_violation("break_window", after, detail))
    return out


def check_max_away(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`max_away`: at most `rules.max_away_per_team` of a team away at any minute."""
    out = []
    away = roster[roster["activity"].isin(AWAY)]
    for team, rows in away.groupby("team"):
        start = rows["start"].min()
        minutes = int((rows["end"].max() - start).total_seconds() // 60)
        count = np.zeros(minutes, dtype=int)
        for row in rows.itertuples():
            lo = int((row.start - start).total_seconds() // 60)
            hi = int((row.end - start).total_seconds() // 60)
            count[lo:hi] += 1
        over = np.flatnonzero(count > centre.rules.max_away_per_team)
        for run in np.split(over, np.flatnonzero(np.diff(over) > 1) + 1) if len(over) else []:
            first = start + pd.Timedelta(minutes=int(run[0]))
            last = start + pd.Timedelta(minutes=int(run[-1]) + 1)
            who = rows[(rows["start"] < last) & (rows["end"] > first)]["agent"].unique()
            out.append(Violation(rule="max_away", team=str(team), day=str(first.date()), start=_stamp(first),
                                 end=_stamp(last), detail=f"{int(count[run].max())} away at once "
                                                          f"({', '.join(map(str, who))})"))
    return out


def check_max_on_leave_per_team_per_day(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`max_on_leave_per_team_per_day`: at most the rule's number of a team on leave a day."""
    leave = roster[roster["activity"] == "leave"]
    out = []
    for (team, day), rows in leave.groupby(["team", "date"]):
        if len(rows) > centre.rules.max_on_leave_per_team_per_day:
            out.append(Violation(rule="max_on_leave_per_team_per_day", team=str(team), day=str(day),
                                 detail=f"{len(rows)} on leave ({', '.join(rows['agent'])})"))
    return out


def check_rest_days_per_month(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`rest_days_per_month`: rest days per agent and month at least the rule, pro rata for
    the days of that month the roster covers."""
    out = []
    for (agent, month), rows in roster.assign(month=pd.to_datetime(roster["date"]).dt.to_period("M")).groupby(
            ["agent", "month"]):
        days = rows["date"].nunique()
        owed = centre.rules.rest_days_per_month * days // month_calendar.monthrange(month.year, month.month)[1]
        rested = rows[rows["activity"] == "rest"]["date"].nunique()
        if rested < owed:
            out.append(Violation(rule="rest_days_per_month", agent=str(agent), team=str(rows["team"].iloc[0]),
                                 day=str(month), detail=f"{rested} rest day(s) in {month}, {owed} owed for "
                                                        f"{days} rostered day(s)"))
    return out


def check_max_consecutive_working_days(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`max_consecutive_working_days`: no run of working days longer than the rule."""
    out, limit = [], centre.rules.max_consecutive_working_days
    shifts = roster[roster["activity"] == "shift"]
    for agent, rows in shifts.groupby("agent"):
        days = sorted(set(rows["date"]))
        run = 1
        for before, after in itertools.pairwise(days):
            run = run + 1 if (after - before).days == 1 else 1
            if run == limit + 1:
                out.append(Violation(rule="max_consecutive_working_days", agent=str(agent),
                                     team=str(rows["team"].iloc[0]), day=str(after),
                                     detail=f"{run} working days in a row (at most {limit})"))
    return out


def check_min_rest_between_shifts(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`min_rest_between_shifts`: from one shift's end to the next one's start."""
    out = []
    need = pd.Timedelta(minutes=centre.rules.min_rest_between_shifts_min)
    for _agent, rows in roster[roster["activity"] == "shift"].sort_values("start").groupby("agent"):
        items = list(rows.itertuples())
        for before, after in itertools.pairwise(items):
            if after.start - before.end < need:
                hours = (after.start - before.end).total_seconds() / 3600
                out.append(_violation("min_rest_between_shifts", after, f"{hours:g} h after the shift ending "
                                                                         f"{_stamp(before.end)}"))
    return out


def on_line_by_minute(roster: pd.DataFrame, line: str, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Agents of ``line`` on the line in each minute of ``[start, end)``."""
    minutes = int((end - start).total_seconds() // 60)
    count = np.zeros(minutes, dtype=int)
    rows = roster[(roster["line"] == line) & (roster["end"] > start) & (roster["start"] < end)]
    for row in rows.itertuples():
        lo = max(int((row.start - start).total_seconds() // 60), 0)
        hi = min(int((row.end - start).total_seconds() // 60), minutes)
        if row.activity == "shift":
            count[lo:hi] += 1
        elif row.activity in AWAY:
            count[lo:hi] -= 1
    return count


def check_coverage(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`coverage` (floor): at least `min_agents` (or the requirement file's `floor`) on the
    line in every minute of its hours on the days the roster covers."""
    out = []
    calendar = centre_calendar(centre)
    days = sorted(set(roster["date"]))
    if not days:
        return out
    for line in centre.lines.values():
        for day in date_range(days[0], days[-1]):
            for start, end in service_windows(line, day, calendar):
                start, end = pd.Timestamp(start), pd.Timestamp(end)
                count = on_line_by_minute(roster, line.id, start, end)
                floor = np.full(len(count), line.min_agents)
                if context.requirements is not None and "floor" in context.requirements:
                    rows = context.requirements[(context.requirements["line"] == line.id)
                                                & (context.requirements["end"] > start)
                                                & (context.requirements["start"] < end)]
                    for row in rows.itertuples():
                        if not pd.isna(row.floor):
                            lo = max(int((row.start - start).total_seconds() // 60), 0)
                            hi = min(int((row.end - start).total_seconds() // 60), len(floor))
                            floor[lo:hi] = np.maximum(floor[lo:hi], int(row.floor))
                below = np.flatnonzero(count < floor)
                for run in np.split(below, np.flatnonzero(np.diff(below) > 1) + 1) if len(below) else []:
                    first = start + pd.Timedelta(minutes=int(run[0]))
                    last = start + pd.Timedelta(minutes=int(run[-1]) + 1)
                    out.append(Violation(rule="coverage", line=line.id, day=str(day), start=_stamp(first),
                                         end=_stamp(last), detail=f"{int(count[run].min())} on the line, floor "
                                                                  f"{int(floor[run].max())}"))
    return out


CHECKS: dict[str, Callable[[Centre, pd.DataFrame, Context], list[Violation]]] = {
    "one_shift_per_day": check_one_shift_per_day,
    "meal_window": check_meal_window,
    "break_window": check_break_window,
    "max_away": check_max_away,
    "max_on_leave_per_team_per_day": check_max_on_leave_per_team_per_day,
    "rest_days_per_month": check_rest_days_per_month,
    "max_consecutive_working_days": check_max_consecutive_working_days,
    "min_rest_between_shifts": check_min_rest_between_shifts,
    "coverage": check_coverage,
}


def check_rules(centre: Centre, roster: pd.DataFrame, requirements: pd.DataFrame | None = None) -> CheckReport:
    """Every rule on a roster frame (CONTRACT columns, datetimes parsed, ``date`` as dates)."""
    context = Context(requirements=requirements)
    results = tuple(RuleResult(rule=rule, violations=tuple(check(centre, roster, context)))
                    for rule, check in CHECKS.items())
    return CheckReport(rules=results)


__all__ = ["CHECKS", "CheckReport", "RuleResult", "Violation", "check_rules"]
