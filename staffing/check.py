"""Check any roster against every rule and service target, independently of the solver
(no ortools here).

One ``check_<rule>(centre, roster, context)`` per rule id, the same ids the roster engine
uses (``staffing.roster.rules`` and ``staffing.roster.breaks``), plus ``required`` (the
requirement per slot, in agent-minutes short). Each returns the violations with the agent,
day and time of each, so a hand-edited roster (Excel, then back to CSV) is judged exactly
like a solver-made one. Times are checked to the minute. :func:`check_plan` adds the
service targets (:mod:`staffing.targets`) and, on request, the simulation
(:mod:`staffing.simulate`) and gives the :class:`CheckReport` behind ``check.json``.
"""

from __future__ import annotations

import calendar as month_calendar
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from staffing.check_patterns import PATTERN_CHECKS, agent_limit
from staffing.domain import Centre
from staffing.simulate import SimulationSettings, simulate_line
from staffing.targets import (
    AWAY,
    DIGITS,
    HIGHER_IS_BETTER,
    LineMinutes,
    TargetResult,
    arrival_rates,
    line_minutes,
    line_targets,
    on_line_over_horizon,
    roster_days,
)
from staffing.violation import Violation


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleResult:
    rule: str
    violations: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """The verdict (``check.json``: ``{"ok", "rules": [...], "targets": [...]}``, plus
    ``notes``: where the arrival rates came from, what could not be predicted, how it was
    simulated)."""

    rules: tuple[RuleResult, ...]
    targets: tuple[TargetResult, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rules) and all(t.ok for t in self.targets)

    def to_json(self) -> str:
        return json.dumps({
            "ok": self.ok,
            "rules": [{"rule": r.rule, "ok": r.ok, "violations": [asdict(v) for v in r.violations]}
                      for r in self.rules],
            "targets": [t.to_dict() for t in self.targets],
            "notes": list(self.notes),
        }, ensure_ascii=False, indent=2)


def describe(report: CheckReport, *, limit: int = 10) -> str:
    """The verdict as text: rules first (each violation with who and when, at most ``limit``
    per rule), then the targets per line (line rows, the days and intervals that miss, worst
    first, and where the simulation disagrees), the notes, and one closing line."""
    out = ["Rules:"]
    for result in report.rules:
        if result.ok:
            out.append(f"  ok    {result.rule}")
            continue
        summary = f"{len(result.violations)} violation(s)"
        if result.rule == "required":
            short = sum(float(v.detail.split(" ", 1)[0]) for v in result.violations)
            summary = f"{len(result.violations)} slot(s) short, {short:,.0f} agent-minutes in all (a missed target)"
        out.append(f"  FAIL  {result.rule}: {summary}")
        out += _first(result.violations, Violation.describe, limit, " " * 10)
    lines = list(dict.fromkeys(t.line for t in report.targets))
    if lines:
        out.append("Targets:")
    for line in lines:
        out += _describe_line(line, [t for t in report.targets if t.line == line], limit)
    out += ["Notes:", *(f"  {note}" for note in report.notes)] if report.notes else []
    broken = sum(not r.ok for r in report.rules)
    missed = sum(not t.ok for t in report.targets)
    out.append("Verdict: OK: every rule and target holds" if report.ok
               else f"Verdict: FAIL: {broken} rule(s) not kept, {missed} target row(s) missed")
    return "\n".join(out)


def _target_text(row: TargetResult) -> str:
    sign = "" if row.goal is None else (">= " if HIGHER_IS_BETTER[row.target] else "<= ")
    goal = "no goal" if row.goal is None else f"goal {sign}{row.goal:g}"
    value = "n/a" if row.value is None else f"{row.value:.{DIGITS[row.target]}f}"
    text = f"{row.target} {value} ({goal})"
    if row.simulated is not None:
        interval = "" if row.ci_low is None else f" [{row.ci_low:.{DIGITS[row.target]}f}, " \
                                                  f"{row.ci_high:.{DIGITS[row.target]}f}]"
        text += f", simulated {row.simulated:.{DIGITS[row.target]}f}{interval}"
        if row.judged_by == "simulation":
            text += ", judged by the simulation"
    return text + (f", {row.detail}" if row.detail else "")


def _first(items, render, limit: int, indent: str, *, more_indent: str | None = None) -> list[str]:
    """The first ``limit`` items rendered and indented, then "and N more" for the rest."""
    out = [indent + render(item) for item in items[:limit]]
    if len(items) > limit:
        out.append(f"{indent if more_indent is None else more_indent}and {len(items) - limit} more")
    return out


def _status(row: TargetResult) -> str:
    return "    " if row.goal is None else "ok  " if row.ok else "FAIL"


def _describe_line(line: str, rows: list[TargetResult], limit: int) -> list[str]:
    out = [f"  {line}:"]
    for row in (r for r in rows if r.scope == "line"):
        out.append(f"    {_status(row)}  {_target_text(row)}")
    days = [r for r in rows if r.scope == "day"]
    day_count = len({r.day for r in days if r.target != "online_hours_peak"})
    missed = sorted((r for r in days if not r.ok), key=lambda r: (-r.gap, r.day))
    if day_count:
        out.append(f"    days: {day_count}, {len({r.day for r in missed})} with a target missed")
    out += _first(missed, lambda row: f"FAIL  {row.day} {_target_text(row)}", limit, " " * 4,
                  more_indent=" " * 10)
    for row in (r for r in days if r.target == "online_hours_peak" and r.ok):
        out.append(f"    ok    {row.day} {_target_text(row)}")
    intervals = [r for r in rows if r.scope == "interval"]
    if intervals:
        out.append(f"    intervals that miss, worst first ({len(intervals)}):")
        out += _first(intervals, lambda row: f"{row.start.replace('T', ' ')}-{row.end[11:]} {_target_text(row)}",
                      limit, " " * 6)
    disagree = [r for r in rows if r.formula_in_ci is False and r.scope != "interval"]
    if disagree:
        out.append(f"    formula outside the simulation's 95% interval ({len(disagree)}):")
        out += _first(disagree, lambda row: f"{row.day or 'all days'} {_target_text(row)}", limit, " " * 6)
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What several checks share: the requirement per line and slot (when given) and each
    checked line's open minutes with the roster's staffing in them."""

    requirements: pd.DataFrame | None = None
    grids: Mapping[str, LineMinutes] = field(default_factory=dict)


def _stamp(value) -> str:
    return pd.Timestamp(value).isoformat(timespec="minutes")


def _violation(rule: str, row, detail: str) -> Violation:
    return Violation(rule=rule, detail=detail, agent=str(row.agent), team=str(row.team), line=str(row.line),
                     day=str(row.date), start=_stamp(row.start), end=_stamp(row.end))


def check_one_shift_per_day(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`one_shift_per_day`: at most one shift per agent per service day, from a template of
    the agent's line, at the template's times, none on the agent's rest or leave day and none
    before the agent joins or after they leave."""
    out = []
    shifts = roster[roster["activity"] == "shift"]
    for row in shifts[shifts.duplicated(["agent", "date"], keep="first")].itertuples():
        out.append(_violation("one_shift_per_day", row, "a second shift on the same day"))
    off = roster[roster["activity"].isin(("rest", "leave"))]
    off_days = dict(zip(zip(off["agent"], off["date"]), off["activity"]))
    agents = {agent.id: agent for agent in centre.agents}
    for row in shifts.itertuples():
        if (row.agent, row.date) in off_days:
            out.append(_violation("one_shift_per_day", row, f"a shift on a {off_days[row.agent, row.date]} day"))
        if row.agent in agents and not agents[row.agent].employed_on(row.date):
            out.append(_violation("one_shift_per_day", row, "the agent is not employed that day (agents.csv "
                                                            "start_date/end_date)"))
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
    """Each shift row from a known template, with its template and that agent-day's away rows
    (in time order), as plain records."""
    away: dict[tuple, list] = {}
    for item in roster[roster["activity"].isin(AWAY)].sort_values("start").itertuples(index=False):
        away.setdefault((item.agent, item.date), []).append(item)
    for row in roster[roster["activity"] == "shift"].itertuples(index=False):
        template = centre.shifts.get(row.code)
        if template is not None:
            yield row, template, away.get((row.agent, row.date), [])


def _outside_shift(roster: pd.DataFrame, activity: str) -> list[Violation]:
    """Rows of ``activity`` not inside a shift of the same agent and service day."""
    shifts = roster[roster["activity"] == "shift"]
    spans: dict[tuple, list[tuple]] = {}
    for agent, day, start, end in zip(shifts["agent"], shifts["date"], shifts["start"], shifts["end"]):
        spans.setdefault((agent, day), []).append((start, end))
    out = []
    for row in roster[roster["activity"] == activity].itertuples(index=False):
        if not any(start <= row.start and row.end <= end for start, end in spans.get((row.agent, row.date), ())):
            out.append(_violation(f"{activity}_window", row, f"{activity} outside the agent's shift that day"))
    return out


def check_meal_window(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`meal_window`: the template's meals, each of `rules.meal_min`, inside its window and
    inside the agent's shift."""
    out, rules = _outside_shift(roster, "meal"), centre.rules
    for row, template, own in _shifts_with_away(centre, roster):
        meals = [item for item in own if item.activity == "meal"]
        if len(meals) != template.meals:
            out.append(_violation("meal_window", row, f"{len(meals)} meal(s); template {template.code} earns "
                                                      f"{template.meals}"))
        midnight = pd.Timestamp(row.date)
        for meal in meals:
            length = (meal.end - meal.start).total_seconds() / 60
            window = template.meal_window
            inside = window is not None and (midnight + pd.Timedelta(minutes=window.start_min) <= meal.start
                                             and meal.end <= midnight + pd.Timedelta(minutes=window.end_min))
            if length != rules.meal_min or not inside:
                out.append(_violation("meal_window", meal, f"meal of {length:g} min, window {window}"))
    return out


def check_break_window(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`break_window`: the template's breaks of `rules.break_min`, inside the shift, far
    enough from its start and end, and `break_min_gap_min` from each other and the meal."""
    out, rules = _outside_shift(roster, "break"), centre.rules
    for row, template, own in _shifts_with_away(centre, roster):
        breaks = [item for item in own if item.activity == "break"]
        if len(breaks) != template.breaks:
            out.append(_violation("break_window", row, f"{len(breaks)} break(s); template {template.code} earns "
                                                       f"{template.breaks}"))
        earliest = row.start + pd.Timedelta(minutes=template.break_min_from_start_min)
        latest = row.end - pd.Timedelta(minutes=template.break_min_from_end_min)
        for item in breaks:
            if (item.end - item.start).total_seconds() / 60 != rules.break_min:
                out.append(_violation("break_window", item, f"break is not {rules.break_min} min"))
            if item.start < earliest or item.end > latest:
                out.append(_violation("break_window", item, "break too near the shift's start or end"))
        items = [item for item in own if item.activity in ("meal", "break")]
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
        lo = ((rows["start"] - start).dt.total_seconds() // 60).to_numpy(dtype=np.int64)
        hi = ((rows["end"] - start).dt.total_seconds() // 60).to_numpy(dtype=np.int64)
        change = np.zeros(minutes + 1, dtype=np.int64)
        np.add.at(change, lo, 1)
        np.add.at(change, hi, -1)
        count = np.cumsum(change[:-1])
        over = np.flatnonzero(count > centre.rules.max_away_per_team)
        for run in _runs(over):
            first = start + pd.Timedelta(minutes=int(run[0]))
            last = start + pd.Timedelta(minutes=int(run[-1]) + 1)
            who = rows[(rows["start"] < last) & (rows["end"] > first)]["agent"].unique()
            out.append(Violation(rule="max_away", team=str(team), day=str(first.date()), start=_stamp(first),
                                 end=_stamp(last), detail=f"{int(count[run].max())} away at once "
                                                          f"({', '.join(map(str, who))})"))
    return out


def _runs(index: np.ndarray, breaks: np.ndarray | None = None) -> list[np.ndarray]:
    """Runs of consecutive integers in ``index`` (also split where ``breaks`` is true)."""
    if not len(index):
        return []
    cut = np.diff(index) > 1
    if breaks is not None:
        cut |= breaks
    return np.split(index, np.flatnonzero(cut) + 1)


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
    """`max_consecutive_working_days`: no run of working days longer than the rule (or the
    agent's own ``max_consecutive_days``)."""
    out = []
    shifts = roster[roster["activity"] == "shift"]
    for agent, rows in shifts.groupby("agent"):
        limit = agent_limit(centre, str(agent), "max_consecutive_days", centre.rules.max_consecutive_working_days)
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
    return on_line_over_horizon(roster, line, pd.Timestamp(start), int((end - start).total_seconds() // 60))


def _per_minute(grid: LineMinutes, intervals: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """For each open minute, the row of ``intervals`` (``line,start,end``) covering it (-1:
    none) and that row's ``column`` (NaN: none)."""
    rows = intervals[intervals["line"] == grid.line.id]
    where = np.full(len(grid.offset), -1)
    values = np.full(len(grid.offset), np.nan)
    if rows.empty or not len(where):
        return where, values
    starts = rows["start"].to_numpy().astype("datetime64[m]")
    ends = rows["end"].to_numpy().astype("datetime64[m]")
    minutes = grid.minutes
    index = np.searchsorted(starts, minutes, side="right") - 1
    inside = (index >= 0) & (minutes < ends[np.clip(index, 0, None)])
    where[inside] = index[inside]
    values[inside] = rows[column].to_numpy(dtype=float)[index[inside]]
    return where, values


def check_coverage(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`coverage` (floor): at least `min_agents` (or the requirement file's `floor`) on the
    line in every minute of its hours on the days the roster covers."""
    out = []
    for line_id, grid in context.grids.items():
        floor = np.full(len(grid.offset), float(grid.line.min_agents))
        if context.requirements is not None and "floor" in context.requirements:
            floor = np.fmax(floor, _per_minute(grid, context.requirements, "floor")[1])
        below = np.flatnonzero(grid.on_line < floor)
        for run in _runs(below, np.diff(grid.window[below]) != 0 if len(below) else None):
            out.append(Violation(rule="coverage", line=line_id, day=str(grid.service_day[run[0]]),
                                 start=_stamp(grid.timestamp(grid.offset[run[0]])),
                                 end=_stamp(grid.timestamp(grid.offset[run[-1]] + 1)),
                                 detail=f"{int(grid.on_line[run].min())} on the line, floor {int(floor[run].max())}"))
    return out


def check_required(centre: Centre, roster: pd.DataFrame, context: Context) -> list[Violation]:
    """`required`: at least `required` (the requirement file) on the line in every minute of
    each slot; each slot short is named with its agent-minutes short, worst first. Not a
    hard rule of the solver (it minimises the shortfall), but a shortfall fails the check."""
    if context.requirements is None:
        return []
    found = []
    for line_id, grid in context.grids.items():
        rows = context.requirements[context.requirements["line"] == line_id].reset_index(drop=True)
        where, required = _per_minute(grid, rows, "required")
        short = np.where(where >= 0, np.maximum(required - grid.on_line, 0), 0)
        if not short.any():
            continue
        covered = where >= 0
        per_row = np.bincount(where[covered], weights=short[covered], minlength=len(rows))
        fewest = np.full(len(rows), np.iinfo(np.int64).max)
        np.minimum.at(fewest, where[covered], grid.on_line[covered])
        first = np.full(len(rows), len(where))
        np.minimum.at(first, where[covered], np.flatnonzero(covered))
        starts, ends, need = rows["start"].tolist(), rows["end"].tolist(), rows["required"].tolist()
        for index in np.flatnonzero(per_row > 0):
            detail = (f"{per_row[index]:g} agent-minutes short: required {int(need[index])}, as few as "
                      f"{int(fewest[index])} on the line")
            found.append((-per_row[index], starts[index], Violation(
                rule="required", line=line_id, day=str(grid.service_day[first[index]]), start=_stamp(starts[index]),
                end=_stamp(ends[index]), detail=detail)))
    return [violation for *_, violation in sorted(found, key=lambda item: (item[0], item[1]))]


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
    "required": check_required,
    **PATTERN_CHECKS,
}


def checked_lines(centre: Centre, roster: pd.DataFrame, requirements: pd.DataFrame | None) -> list[str]:
    """The lines a check covers: those the roster or the requirement file names (every line
    of the centre when neither names one)."""
    named = set(roster["line"]) | (set(requirements["line"]) if requirements is not None else set())
    return [line for line in centre.lines if line in named] or list(centre.lines)


def _grids(centre: Centre, roster: pd.DataFrame, requirements: pd.DataFrame | None) -> dict[str, LineMinutes]:
    days = roster_days(roster)
    if not days:
        return {}
    return {line: line_minutes(centre, roster, centre.lines[line], days)
            for line in checked_lines(centre, roster, requirements)}


def check_rules(centre: Centre, roster: pd.DataFrame, requirements: pd.DataFrame | None = None) -> CheckReport:
    """Every rule on a roster frame (CONTRACT columns, datetimes parsed, ``date`` as dates)."""
    context = Context(requirements=requirements, grids=_grids(centre, roster, requirements))
    return CheckReport(rules=_rule_results(centre, roster, context))


def _rule_results(centre: Centre, roster: pd.DataFrame, context: Context) -> tuple[RuleResult, ...]:
    return tuple(RuleResult(rule=rule, violations=tuple(check(centre, roster, context)))
                 for rule, check in CHECKS.items())


def check_plan(centre: Centre, roster: pd.DataFrame, requirements: pd.DataFrame | None = None,
               forecast: pd.DataFrame | None = None, *, simulation: SimulationSettings | None = None) -> CheckReport:
    """Every rule and service target of a roster (solver-made or hand-edited).

    Parameters
    ----------
    roster : the CONTRACT roster frame (``staffing.frames.read_roster``).
    requirements : the requirement frame (``read_requirements``): ``required`` and ``floor``
        per slot, and its ``contacts`` evidence when there is no forecast.
    forecast : the CONTRACT forecast frame; its ``contacts`` are the arrival rates.
    simulation : replications, seed and overdispersion of the simulation (None: formulas only).

    Returns
    -------
    CheckReport
        Rules first, then per line: the line rows, the day rows and the intervals that miss
        (worst first). ``ok`` is false when any rule is violated or any target missed.
    """
    context = Context(requirements=requirements, grids=_grids(centre, roster, requirements))
    rules = _rule_results(centre, roster, context)
    rates, notes = arrival_rates(context.grids, forecast, requirements)
    days = roster_days(roster)
    targets = []
    for stream, (line_id, grid) in enumerate(context.grids.items()):
        simulated = None
        if simulation is not None and rates[line_id] is not None:
            simulated = simulate_line(grid, rates[line_id], simulation, stream=stream)
        targets += line_targets(centre, grid, days, rates[line_id], simulated).rows()
    if simulation is not None:
        notes.append(f"simulated {simulation.replications} replication(s) of each day, seed {simulation.seed}, "
                     f"overdispersion {simulation.overdispersion:g}")
    return CheckReport(rules=rules, targets=tuple(targets), notes=tuple(notes))


def write_check(report: CheckReport, path: str | Path) -> None:
    """Write ``check.json`` atomically."""
    from staffing.io import atomic_write

    with atomic_write(path) as handle:
        handle.write(report.to_json() + "\n")


__all__ = ["CHECKS", "CheckReport", "RuleResult", "Violation", "check_plan", "check_rules", "describe", "write_check"]
