"""Stage 2: meals and breaks inside the fixed shifts of one line on one service day.

Time-indexed: each meal and break has one boolean per possible start slot, so the number
away in every slot is a linear sum and coverage is exact. The same starts drive interval
variables for the team's no-overlap (capacity 1, the usual rule; cumulative above it) and
the agent's own spacing, which prune the search; interchangeable agents (same team, same
template) take their meals in order (DOMAIN section 7).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from staffing.roster.problem import RosterProblem
from staffing.roster.rules import WEIGHT_SHORT
from staffing.roster.variables import Penalty


@dataclass(slots=True)
class Away:
    """One meal or break of one agent: its possible start slots and their booleans."""

    agent: int
    kind: str          # "meal" or "break"
    length: int        # slots
    starts: dict[int, cp_model.IntVar] = field(default_factory=dict)
    start: cp_model.IntVar | None = None

    def covers(self, u: int) -> list[cp_model.IntVar]:
        return [var for k, var in self.starts.items() if k <= u < k + self.length]


@dataclass(slots=True)
class BreakVars:
    """Stage 2 variables for one (line, day): every away item, by agent."""

    items: list[Away] = field(default_factory=list)

    def of(self, agent: int) -> list[Away]:
        return [item for item in self.items if item.agent == agent]


@dataclass(frozen=True, slots=True)
class Assignment:
    """An agent's shift on the day being placed: template index and its slots on the axis."""

    agent: int
    template: int
    first: int
    last: int


def add_meal_window(model: cp_model.CpModel, v: BreakVars, p: RosterProblem, work: list[Assignment],
                    day: str) -> list[Penalty]:
    """Rule `meal_window`: one meal of `rules.meal_min` per meal the template earns, inside the
    template's meal window (DOMAIN section 3, 吃饭离席一小时以内). Hard."""
    length = p.rules.meal_min // p.slot_min
    for w in work:
        template = p.templates[w.template]
        if not template.meals or template.meal_window is None:
            continue
        low = template.meal_window.start_min // p.slot_min
        high = template.meal_window.end_min // p.slot_min - length
        for number in range(template.meals):
            item = Away(agent=w.agent, kind="meal", length=length)
            for k in range(low, high + 1):
                item.starts[k] = model.new_bool_var(
                    f"meal_window[agent={p.agents[w.agent].id},day={day},meal={number},slot={k}]")
            model.add_exactly_one(item.starts.values())
            v.items.append(item)
    return []


def add_break_window(model: cp_model.CpModel, v: BreakVars, p: RosterProblem, work: list[Assignment],
                     day: str) -> list[Penalty]:
    """Rule `break_window`: the template's breaks of `rules.break_min`, no earlier than
    `break_min_from_start_min` after the start, ending no later than `break_min_from_end_min`
    before the end, `break_min_gap_min` apart from each other and from the meal (DOMAIN
    section 3, 暂时离席10分钟以内). Hard."""
    length = -(-p.rules.break_min // p.slot_min)
    for w in work:
        template = p.templates[w.template]
        low = w.first + template.break_min_from_start_min // p.slot_min
        high = w.last - template.break_min_from_end_min // p.slot_min - length
        for number in range(template.breaks):
            item = Away(agent=w.agent, kind="break", length=length)
            for k in range(low, high + 1):
                item.starts[k] = model.new_bool_var(
                    f"break_window[agent={p.agents[w.agent].id},day={day},break={number},slot={k}]")
            model.add_exactly_one(item.starts.values())
            v.items.append(item)
        gap = template.break_min_gap_min // p.slot_min
        own = v.of(w.agent)
        padded = []
        for item in own:
            item.start = model.new_int_var(min(item.starts), max(item.starts),
                                           f"start[{p.agents[w.agent].id},{item.kind}]")
            model.add(item.start == sum(k * var for k, var in item.starts.items()))
            padded.append(model.new_fixed_size_interval_var(item.start, item.length + gap, "spacing"))
        if len(padded) > 1:
            model.add_no_overlap(padded)
        breaks = [item for item in own if item.kind == "break"]
        for before, after in itertools.pairwise(breaks):
            model.add(before.start < after.start)
    return []


def add_max_away(model: cp_model.CpModel, v: BreakVars, p: RosterProblem, work: list[Assignment],
                 day: str) -> list[Penalty]:
    """Rule `max_away`: at most `rules.max_away_per_team` of a team off the line (meal, break)
    in any slot (DOMAIN section 3, 离席人数限定一人). Hard."""
    cap = p.rules.max_away_per_team
    by_team: dict[str, list[Away]] = {}
    for item in v.items:
        by_team.setdefault(p.agents[item.agent].team, []).append(item)
    for items in by_team.values():
        slots = sorted({k + j for item in items for k in item.starts for j in range(item.length)})
        for u in slots:
            covering = [var for item in items for var in item.covers(u)]
            if len(covering) > cap:
                model.add(sum(covering) <= cap)
        intervals = [model.new_fixed_size_interval_var(item.start, item.length, "away") for item in items]
        if cap == 1:
            model.add_no_overlap(intervals)
        else:
            model.add_cumulative(intervals, [1] * len(intervals), cap)
    # Interchangeable agents (same team, same template) take their meals in order.
    groups: dict[tuple[str, int], list[Away]] = {}
    templates = {w.agent: w.template for w in work}
    for item in v.items:
        if item.kind == "meal":
            groups.setdefault((p.agents[item.agent].team, templates[item.agent]), []).append(item)
    for items in groups.values():
        for before, after in itertools.pairwise(items):
            model.add(before.start <= after.start)
    return []


def add_day_coverage(model: cp_model.CpModel, v: BreakVars, p: RosterProblem, line: str, d: int,
                     present: np.ndarray, fixed_away: np.ndarray, day: str) -> list[Penalty]:
    """Rule `coverage` on one day: on the line >= `floor` (hard) and >= `required` (shortfall
    in agent-minutes, minimised)."""
    shortfall = []
    for k in np.flatnonzero(p.open_slots[line][d]):
        covering = [var for item in v.items for var in item.covers(int(k))]
        on_line = int(present[k] - fixed_away[k]) - sum(covering)
        model.add(on_line >= int(p.floor[line][d, k]))
        need = int(p.required[line][d, k])
        if need > 0:
            short = model.new_int_var(0, need, f"coverage[line={line},day={day},slot={k}]")
            model.add(on_line + short >= need)
            shortfall.append(short)
    return [Penalty("coverage", f"short[{line},{day}]", p.slot_min * sum(shortfall), WEIGHT_SHORT)]


BREAK_RULES = (add_meal_window, add_break_window, add_max_away)
