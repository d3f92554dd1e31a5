"""The smallest repair when taking a request breaks a hard rule, the floor or the tolerance.

A small CP-SAT model over the affected days only; everything else in the roster stays as it
is. The requester's teammates may change, in the issue's order of preference:

1. ``swap``: a teammate resting on a request day works it (a usable template of the line)
   and rests instead on another day of the same month that it works now (rest days and
   hours worked per month unchanged);
2. ``move``: a teammate working a request day works another template of the same length
   that day (for a part-day absence, the requester too: a shift that starts after the
   doctor's visit is a repair);
3. ``replace``: a meal or break of a teammate (or of the requester, for a part-day absence)
   at another time inside its window.

The smallest repair first: the fewest changes (each swap, moved shift and re-placed meal or
break counts one). Among the smallest, the order of preference decides, lexicographically:
the fewest re-placed meals and breaks, then the fewest moved shifts, then the fewest swaps
(so of two repairs of one change, a swap wins over a move, and a move over a re-placed
break); then, with requirements, the fewest agent-minutes short of ``required``. Each level
is a CP-SAT solve whose optimum is fixed before the next.

Time is on a minute axis from the midnight before the first day concerned. Everything fixed
(other teams, other days) is an array per minute; each option's contribution is constant on
*segments* (the axis cut at every slot boundary and wherever any array or option changes),
so coverage and the away channel are exact to the minute, as ``staffing check`` judges them.
Hard rules kept: one shift per day from the line's templates, meals and breaks in their
windows and spaced, at most ``max_away_per_team`` of the team away, the floor on the line,
rest days per month, consecutive working days, rest between shifts; a breach already in the
roster before the request is never made worse.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from staffing.calendar import centre_calendar, date_range, service_windows
from staffing.check import on_line_by_minute
from staffing.domain import Centre, ShiftTemplate
from staffing.leave.judge import AWAY, required_by_minute
from staffing.leave.reasons import Change
from staffing.leave.repair_parts import Axis, Cell, Item, Option, read_answer
from staffing.leave.request import LeaveRequest

USABLE_SHARE = 0.75     # a template is offered on a day when the line is open for 3/4 of it
LEVELS = ("replace", "move", "swap")    # after the total, minimised in this order (least preferred first)


@dataclass(frozen=True, slots=True, kw_only=True)
class RepairResult:
    """The outcome of a repair search.

    ``status``: ``optimal`` (every level proven), ``feasible`` (found, a level not proven in
    time), ``infeasible`` (no repair within the rules) or ``unknown`` (none found in time).
    """

    status: str
    changes: tuple[Change, ...] = ()
    roster: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    counts: dict[str, int] = field(default_factory=dict)
    short_agent_min: int | None = None
    seconds: float = 0.0
    why: str = ""

    @property
    def found(self) -> bool:
        return self.status in ("optimal", "feasible")


def find_repair(centre: Centre, before: pd.DataFrame, after: pd.DataFrame, request: LeaveRequest,
                days: Sequence[dt.date], requirements: pd.DataFrame | None, *, max_extra_short_min: int = 0,
                time_limit_s: float = 20.0, seed: int = 0, workers: int = 1) -> RepairResult:
    """The smallest repair of ``after`` (the roster with the request taken) on ``days``.

    Parameters
    ----------
    before : the roster before the request (breaches already there are not made worse).
    after : ``before`` with the request taken (:func:`staffing.leave.judge.apply_request`).
    days : the roster days the request takes the agent off.
    requirements : ``required`` per line and interval; with it, the line's agent-minutes short
        of ``required`` on the days concerned may grow by at most ``max_extra_short_min``.
    """
    clock_start = time.perf_counter()
    builder = _Builder(centre, before, after, request, days, requirements, max_extra_short_min)
    why = builder.build()
    if why:
        return RepairResult(status="infeasible", why=why, seconds=time.perf_counter() - clock_start)
    return builder.solve(time_limit_s=time_limit_s, seed=seed, workers=workers, clock_start=clock_start)


class _Builder:
    """Builds and solves the repair model (one instance per search)."""

    def __init__(self, centre: Centre, before: pd.DataFrame, after: pd.DataFrame, request: LeaveRequest,
                 days: Sequence[dt.date], requirements: pd.DataFrame | None, max_extra_short_min: int) -> None:
        self.centre = centre
        self.before = before
        self.after = after
        self.request = request
        self.days = sorted(days)
        self.requirements = requirements
        self.tolerance = max_extra_short_min
        self.line = centre.lines[request.line]
        self.calendar = centre_calendar(centre)
        self.model = cp_model.CpModel()
        self.cells: list[Cell] = []
        self.levels: dict[str, list] = {level: [] for level in LEVELS}
        self.short_terms: list = []
        self.short_constant = 0
        self.bools: list[cp_model.IntVar] = []

    # --- cells and options ------------------------------------------------------------

    def build(self) -> str:
        """Create every variable and constraint; a non-empty string says why no repair can exist."""
        self._make_cells()
        self.axis = self._make_axis()
        for cell in self.cells:
            self._make_options(cell)
        self.cells = [c for c in self.cells if c.options]
        drops_by_agent = self._make_drop_cells()
        for cell in self.cells:
            self.model.add_exactly_one(o.var for o in cell.options)
        return self._add_time_constraints() or self._add_day_rules(drops_by_agent)

    def _new_bool(self, name: str) -> cp_model.IntVar:
        var = self.model.new_bool_var(name)
        self.bools.append(var)
        return var

    def _cell_rows(self, agent: str, day: dt.date) -> pd.DataFrame:
        frame = self.after
        return frame[(frame["agent"] == agent) & (frame["date"] == day)]

    def _make_cells(self) -> None:
        team = self.after[self.after["team"] == self.request.team]
        self.team_agents = list(dict.fromkeys(team["agent"]))
        for agent in self.team_agents:
            for day in self.days:
                rows = self._cell_rows(agent, day)
                activities = set(rows["activity"])
                if agent == self.request.agent and (self.request.kind != "part_day" or "shift" not in activities):
                    continue
                if "shift" in activities or activities == {"rest"}:
                    self.cells.append(Cell(agent=agent, day=day, rows=rows))

    def _make_axis(self) -> Axis:
        months = {(d.year, d.month) for d in self.days}
        roster_days = sorted(set(self.after["date"]))
        span = [d for d in roster_days if (d.year, d.month) in months] + list(self.days)
        first, last = min(span), max(span)
        origin = pd.Timestamp(first - dt.timedelta(days=1))
        return Axis(origin, ((last - first).days + 4) * 1440)

    def _usable(self, template: ShiftTemplate, day: dt.date) -> bool:
        if self.line.id not in template.lines:
            return False
        midnight = pd.Timestamp(day)
        start = midnight + pd.Timedelta(minutes=template.start_min)
        end = midnight + pd.Timedelta(minutes=template.end_min)
        open_min = sum(max(0.0, (min(end, pd.Timestamp(b)) - max(start, pd.Timestamp(a))).total_seconds() / 60)
                       for a, b in service_windows(self.line, day, self.calendar))
        return open_min >= USABLE_SHARE * template.minutes

    def _make_options(self, cell: Cell) -> None:
        rows = cell.rows
        working = "shift" in set(rows["activity"])
        requester = cell.agent == self.request.agent
        meetings = rows[rows["activity"] == "meeting"]
        keep = Option(kind="keep", var=self._new_bool(f"keep[{cell.agent},{cell.day}]"))
        keep.profile = self._rows_profile(rows)
        if working:
            shift = rows[rows["activity"] == "shift"].iloc[0]
            keep.shift = (self.axis.at(shift["start"]), self.axis.at(shift["end"]))
        cell.options.append(keep)
        current = cell.code
        for template in self.centre.shifts.values():
            if template.code != current and not self._movable(template, cell, keep, meetings, requester):
                continue
            option = self._template_option(cell, template, meetings, requester)
            if option is None:
                continue
            if not working:
                option.level = "swap"
            elif template.code != current:
                option.level = "move"
            if option.level:
                self.levels[option.level].append(option.var)
            cell.options.append(option)

    def _movable(self, template: ShiftTemplate, cell: Cell, keep: Option, meetings: pd.DataFrame,
                 requester: bool) -> bool:
        """Whether ``template`` may replace the cell's shift (or fill its rest day): usable that
        day, and for a move, as long as the shift it replaces (nobody's hours change) and not
        where a teammate has an approved absence tied to the shift."""
        if not self._usable(template, cell.day):
            return False
        if keep.shift is None:
            return True
        return template.minutes == keep.shift[1] - keep.shift[0] and (requester or meetings.empty)

    def _template_option(self, cell: Cell, template: ShiftTemplate, meetings: pd.DataFrame,
                         requester: bool) -> Option | None:
        midnight = self.axis.midnight(cell.day)
        shift = (midnight + template.start_min, midnight + template.end_min)
        option = Option(kind="template", var=self._new_bool(f"shift[{cell.agent},{cell.day},{template.code}]"),
                        template=template, shift=shift)
        option.profile.append((shift[0], shift[1], 1, 0))
        busy = []
        own_meetings = [(self.axis.at(m.start), self.axis.at(m.end), str(m.code)) for m in meetings.itertuples()
                        if not (requester and self._is_request(m))]
        if requester:
            own_meetings.append((self.axis.at(self.request.start), self.axis.at(self.request.end), self.request.type))
        for lo, hi, code in own_meetings:
            lo, hi = max(lo, shift[0]), min(hi, shift[1])
            if lo < hi:
                option.profile.append((lo, hi, -1, 1))
                option.meetings.append((lo, hi, code))
                busy.append((lo, hi))
        same = template.code == cell.code
        current = self._current_starts(cell.rows) if same else {}
        for kind, count, length, candidates in self._entitlements(template, midnight, shift):
            for number in range(count):
                item = Item(kind=kind, length=length)
                now = current.get(kind, [])
                here = now[number] if number < len(now) else None
                for start in candidates:
                    if any(start < hi and lo < start + length for lo, hi in busy):
                        continue
                    item.starts[start] = self._new_bool(f"{kind}[{cell.agent},{cell.day},{template.code},{number},"
                                                        f"{start}]")
                    item.costs[start] = 0 if (not same or start == here) else 1
                if not item.starts:
                    return None
                option.items.append(item)
        if same:
            for item in option.items:
                self.levels["replace"].extend(var * cost for start, var in item.starts.items()
                                              if (cost := item.costs[start]))
        return option

    def _is_request(self, meeting) -> bool:
        return (str(meeting.code) == self.request.type and pd.Timestamp(meeting.start) >= self.request.start
                and pd.Timestamp(meeting.end) <= self.request.end)

    def _current_starts(self, rows: pd.DataFrame) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for row in rows[rows["activity"].isin(("meal", "break"))].sort_values("start").itertuples():
            out.setdefault(str(row.activity), []).append(self.axis.at(row.start))
        return out

    def _entitlements(self, template: ShiftTemplate, midnight: int, shift: tuple[int, int]):
        """(kind, how many, minutes, candidate start minutes) for the template's meals and breaks."""
        rules, slot = self.centre.rules, self.centre.slot_min
        grid = range(midnight, midnight + 2 * 1440, slot)
        if template.meals and template.meal_window is not None:
            low, high = midnight + template.meal_window.start_min, midnight + template.meal_window.end_min
            starts = [m for m in grid if low <= m and m + rules.meal_min <= high and shift[0] <= m
                      and m + rules.meal_min <= shift[1]]
            yield "meal", template.meals, rules.meal_min, starts
        if template.breaks:
            low = shift[0] + template.break_min_from_start_min
            high = shift[1] - template.break_min_from_end_min
            starts = [m for m in grid if low <= m and m + rules.break_min <= high]
            yield "break", template.breaks, rules.break_min, starts

    def _rows_profile(self, rows: pd.DataFrame) -> list[tuple[int, int, int, int]]:
        profile = []
        for row in rows.itertuples():
            lo, hi = self.axis.at(row.start), self.axis.at(row.end)
            if row.activity == "shift":
                profile.append((lo, hi, 1, 0))
            elif row.activity in AWAY:
                profile.append((lo, hi, -1, 1))
        return profile

    def _make_drop_cells(self) -> dict[str, dict[tuple[int, int], tuple[list, list]]]:
        """Days a teammate who may swap in could rest instead: it works them now, in the same
        month, outside the request's days. Returns, per agent and month, (swap-ins, drops)."""
        balance: dict[str, dict[tuple[int, int], tuple[list, list]]] = {}
        for cell in self.cells:
            for option in cell.options:
                if option.level == "swap":
                    month = (cell.day.year, cell.day.month)
                    balance.setdefault(cell.agent, {}).setdefault(month, ([], []))[0].append(
                        (option.var, option.template.minutes))
        request_days = set(self.days)
        for agent, months in balance.items():
            for day in sorted(set(self.after.loc[self.after["agent"] == agent, "date"])):
                if day in request_days or (day.year, day.month) not in months:
                    continue
                rows = self._cell_rows(agent, day)
                if set(rows["activity"]) - {"meal", "break"} != {"shift"}:
                    continue
                cell = Cell(agent=agent, day=day, rows=rows)
                keep = Option(kind="keep", var=self._new_bool(f"keep[{agent},{day}]"), profile=self._rows_profile(rows))
                shift = rows[rows["activity"] == "shift"].iloc[0]
                keep.shift = (self.axis.at(shift["start"]), self.axis.at(shift["end"]))
                rest = Option(kind="rest", var=self._new_bool(f"rest[{agent},{day}]"))
                cell.options = [keep, rest]
                self.cells.append(cell)
                months[day.year, day.month][1].append((rest.var, keep.shift[1] - keep.shift[0]))
        return balance

    # --- the minute axis: coverage, away channel, shortfall ---------------------------

    def _fixed_frames(self) -> tuple[pd.DataFrame, set[tuple[str, dt.date]]]:
        variable = {(c.agent, c.day) for c in self.cells}
        keys = list(zip(self.after["agent"], self.after["date"]))
        mask = np.array([key not in variable for key in keys], dtype=bool)
        return self.after[mask], variable

    def _team_away(self, frame: pd.DataFrame) -> np.ndarray:
        count = np.zeros(self.axis.minutes, dtype=int)
        rows = frame[(frame["team"] == self.request.team) & frame["activity"].isin(AWAY)
                     & (frame["end"] > self.axis.origin) & (frame["start"] < self.axis.end)]
        for row in rows.itertuples():
            count[max(self.axis.at(row.start), 0):min(self.axis.at(row.end), self.axis.minutes)] += 1
        return count

    def _line_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Open (bool), floor and required per minute of the line on the axis."""
        minutes = self.axis.minutes
        open_, floor, required = np.zeros(minutes, bool), np.zeros(minutes, int), np.zeros(minutes, int)
        first = self.axis.origin.date()
        for day in date_range(first, first + dt.timedelta(days=minutes // 1440 - 1)):
            for start, end in service_windows(self.line, day, self.calendar):
                lo, hi = max(self.axis.at(start), 0), min(self.axis.at(end), minutes)
                if lo >= hi:
                    continue
                open_[lo:hi] = True
                floor[lo:hi] = np.maximum(floor[lo:hi], self.line.min_agents)
                if self.requirements is not None:
                    window = (self.axis.stamp(lo), self.axis.stamp(hi))
                    required[lo:hi] = required_by_minute(self.requirements, self.line.id, *window)
                    if "floor" in self.requirements:
                        floor[lo:hi] = np.maximum(floor[lo:hi], required_by_minute(self.requirements, self.line.id,
                                                                                   *window, "floor"))
        return open_, floor, required

    def _add_time_constraints(self) -> str:
        fixed, _ = self._fixed_frames()
        axis = self.axis
        on_fixed = on_line_by_minute(fixed, self.line.id, axis.origin, axis.end)
        on_before = on_line_by_minute(self.before, self.line.id, axis.origin, axis.end)
        away_fixed = self._team_away(fixed)
        cap = np.maximum(self.centre.rules.max_away_per_team, self._team_away(self.before))
        open_, floor, required = self._line_arrays()
        floor = np.where(open_, np.minimum(floor, on_before), 0)
        cuts = {0, axis.minutes, *range(0, axis.minutes, self.centre.slot_min)}
        for array in (on_fixed, away_fixed, cap, open_.astype(int), floor, required):
            cuts.update((np.flatnonzero(np.diff(array)) + 1).tolist())
        options = [o for c in self.cells for o in c.options]
        for option in options:
            for lo, hi, _, _ in option.profile:
                cuts.update((lo, hi))
            for item in option.items:
                for start in item.starts:
                    cuts.update((start, start + item.length))
        bounds = np.array(sorted(c for c in cuts if 0 <= c <= axis.minutes))
        on_terms: dict[int, list] = {}
        away_terms: dict[int, list] = {}

        def paint(lo: int, hi: int, var, on: int, away: int) -> None:
            for j in range(np.searchsorted(bounds, lo), np.searchsorted(bounds, hi)):
                if on:
                    on_terms.setdefault(j, []).append(on * var)
                if away:
                    away_terms.setdefault(j, []).append(away * var)

        for option in options:
            for lo, hi, on, away in option.profile:
                paint(lo, hi, option.var, on, away)
            for item in option.items:
                for start, var in item.starts.items():
                    paint(start, start + item.length, var, -1, 1)
        base_short = 0
        for j in range(len(bounds) - 1):
            lo, length = int(bounds[j]), int(bounds[j + 1] - bounds[j])
            terms = on_terms.get(j, [])
            if open_[lo]:
                if not terms and on_fixed[lo] < floor[lo]:
                    return (f"{self.line.id} {axis.stamp(lo):%Y-%m-%d %H:%M}: {on_fixed[lo]} on the line, floor "
                            f"{floor[lo]}, and no teammate can change that")
                if terms:
                    self.model.add(int(on_fixed[lo]) + sum(terms) >= int(floor[lo]))
                need = int(required[lo])
                base_short += length * max(need - int(on_before[lo]), 0)
                if need > 0:
                    self._short_term(need, int(on_fixed[lo]), terms, length)
            if j in away_terms:
                self.model.add(int(away_fixed[lo]) + sum(away_terms[j]) <= int(cap[lo]))
        self.base_short = base_short
        if self.requirements is not None:
            self.model.add(sum(self.short_terms) + self.short_constant <= base_short + self.tolerance)
        return ""

    def _short_term(self, need: int, fixed: int, terms: list, length: int) -> None:
        if not terms:
            self.short_constant += length * max(need - fixed, 0)
            return
        short = self.model.new_int_var(0, need, "short")
        self.model.add(short >= need - fixed - sum(terms))
        self.short_terms.append(length * short)

    # --- day-level rules --------------------------------------------------------------

    def _add_day_rules(self, balance: dict[str, dict[tuple[int, int], tuple[list, list]]]) -> str:
        for cell in self.cells:
            for option in cell.options:
                self._add_item_rules(option)
        for months in balance.values():
            for ins, drops in months.values():
                self.model.add(sum(var for var, _ in ins) == sum(var for var, _ in drops))
                worked = sum(var * minutes for var, minutes in ins)
                self.model.add(worked == sum(var * minutes for var, minutes in drops))
        by_agent: dict[str, dict[dt.date, Cell]] = {}
        for cell in self.cells:
            by_agent.setdefault(cell.agent, {})[cell.day] = cell
        for agent, cells in by_agent.items():
            self._add_consecutive(agent, cells)
            self._add_rest_between(agent, cells)
        return ""

    def _add_item_rules(self, option: Option) -> None:
        if not option.items:
            return
        gap = option.template.break_min_gap_min
        intervals = []
        starts = {}
        for index, item in enumerate(option.items):
            self.model.add(sum(item.starts.values()) == option.var)
            first = self.model.new_int_var(0, max(item.starts), "start")
            self.model.add(first == sum(m * var for m, var in item.starts.items()))
            starts[index] = first
            intervals.append(self.model.new_optional_fixed_size_interval_var(first, item.length + gap, option.var,
                                                                             "spacing"))
        if len(intervals) > 1:
            self.model.add_no_overlap(intervals)
        breaks = [i for i, item in enumerate(option.items) if item.kind == "break"]
        for one, two in itertools.pairwise(breaks):
            self.model.add(starts[one] < starts[two]).only_enforce_if(option.var)

    def _works(self, agent: str, day: dt.date, cells: dict[dt.date, Cell]):
        """Whether the agent works ``day``: a constant from the roster, or a sum of options."""
        if day in cells:
            return sum(o.var for o in cells[day].options if o.shift is not None)
        rows = self.after[(self.after["agent"] == agent) & (self.after["date"] == day)]
        return int((rows["activity"] == "shift").any())

    def _add_consecutive(self, agent: str, cells: dict[dt.date, Cell]) -> None:
        limit = self.centre.rules.max_consecutive_working_days
        days = sorted(set(self.after.loc[self.after["agent"] == agent, "date"]))
        if not days:
            return
        before = set(self.before.loc[(self.before["agent"] == agent) & (self.before["activity"] == "shift"), "date"])
        for first in date_range(days[0], days[-1] - dt.timedelta(days=limit)):
            window = date_range(first, first + dt.timedelta(days=limit))
            if not any(day in cells for day in window):
                continue
            allowed = max(limit, sum(day in before for day in window))
            self.model.add(sum(self._works(agent, day, cells) for day in window) <= allowed)

    def _shifts_of(self, agent: str, day: dt.date, cells: dict[dt.date, Cell]) -> list[tuple[object, tuple, bool]]:
        """(literal or 1, (start, end), is the roster as it was) for each way the agent works ``day``."""
        if day in cells:
            return [(o.var, o.shift, o.kind == "keep") for o in cells[day].options if o.shift is not None]
        rows = self.after[(self.after["agent"] == agent) & (self.after["date"] == day)
                          & (self.after["activity"] == "shift")]
        return [(1, (self.axis.at(r.start), self.axis.at(r.end)), True) for r in rows.itertuples()]

    def _add_rest_between(self, agent: str, cells: dict[dt.date, Cell]) -> None:
        need = self.centre.rules.min_rest_between_shifts_min
        pairs = {(day - dt.timedelta(days=1), day) for day in cells} | {(day, day + dt.timedelta(days=1))
                                                                         for day in cells}
        for first, second in sorted(pairs):
            for one, (_, end), kept_one in self._shifts_of(agent, first, cells):
                for two, (start, _), kept_two in self._shifts_of(agent, second, cells):
                    if start - end >= need or (kept_one and kept_two):
                        continue
                    literals = [lit for lit in (one, two) if not isinstance(lit, int)]
                    self.model.add_bool_or([lit.Not() for lit in literals])

    # --- solving and reading the answer -----------------------------------------------

    def solve(self, *, time_limit_s: float, seed: int, workers: int, clock_start: float) -> RepairResult:
        objectives = [("changes", sum(sum(self.levels[level]) for level in LEVELS))]
        objectives += [(level, sum(self.levels[level])) for level in LEVELS]
        if self.requirements is not None:
            objectives.append(("short", sum(self.short_terms)))
        solver = cp_model.CpSolver()
        solver.parameters.random_seed = seed
        solver.parameters.num_workers = workers
        proven, values = True, {}
        for level, expression in objectives:
            remaining = time_limit_s - (time.perf_counter() - clock_start)
            if remaining <= 0.05:
                if values:
                    proven = False
                    break
                return RepairResult(status="unknown", why=f"no repair found in {time_limit_s:g} s",
                                    seconds=time.perf_counter() - clock_start)
            solver.parameters.max_time_in_seconds = remaining
            self.model.minimize(expression)
            status = solver.solve(self.model)
            if status == cp_model.INFEASIBLE:
                return RepairResult(status="infeasible", why="no change of the teammates' days, shifts, meals or "
                                    "breaks keeps every rule", seconds=time.perf_counter() - clock_start)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if values:
                    proven = False
                    break
                return RepairResult(status="unknown", why=f"no repair found in {time_limit_s:g} s",
                                    seconds=time.perf_counter() - clock_start)
            proven = proven and status == cp_model.OPTIMAL
            values[level] = round(solver.objective_value)
            self.model.add(expression <= values[level])
            self.model.clear_hints()
            for var in self.bools:
                self.model.add_hint(var, solver.value(var))
            chosen = {id(o): solver.value(o.var) for c in self.cells for o in c.options}
            placed = {id(item): [m for m, var in item.starts.items() if solver.value(var)]
                      for c in self.cells for o in c.options for item in o.items}
        roster, changes = read_answer(self.cells, self._fixed_frames()[0], self.axis, chosen, placed)
        counts = {level: values.get(level, 0) for level in LEVELS}
        short = None
        if self.requirements is not None:
            short = values.get("short", 0) + self.short_constant
        return RepairResult(status="optimal" if proven else "feasible", changes=tuple(changes), roster=roster,
                            counts=counts, short_agent_min=short, seconds=time.perf_counter() - clock_start)
