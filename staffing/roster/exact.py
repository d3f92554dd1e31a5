"""One exact model for small instances: every possible shift carries its own optional meal
and breaks (DOMAIN section 7: a team's away intervals under no-overlap with interchangeable
agents ordered), so coverage is exact and the bound is the true optimum's.

Used by ``solve`` when the instance is small enough (see ``EXACT_LIMIT``); larger ones go
through the stages in ``solve.py``.
"""

from __future__ import annotations

import itertools

import numpy as np
from ortools.sat.python import cp_model

from staffing.roster.patterns import PATTERN_RULES, add_shift_cover
from staffing.roster.problem import RosterProblem
from staffing.roster.rules import (
    WEIGHT_OVER,
    WEIGHT_SHORT,
    add_daily_cap,
    add_fair_shifts,
    add_hours,
    add_interchangeable_order,
    add_max_consecutive_working_days,
    add_min_rest_between_shifts,
    add_one_shift_per_day,
    add_rest_days_per_month,
)
from staffing.roster.variables import DayVars, Penalty

EXACT_LIMIT = 60_000  # possible meal and break starts over all possible shifts
EXACT_RULES = (add_one_shift_per_day, add_interchangeable_order, add_rest_days_per_month,
               add_max_consecutive_working_days, add_min_rest_between_shifts, add_daily_cap, add_fair_shifts,
               add_hours, *PATTERN_RULES, add_shift_cover)


def exact_size(p: RosterProblem) -> int:
    """How many start booleans the exact model would need."""
    total = 0
    meal = p.rules.meal_min // p.slot_min
    brk = -(-p.rules.break_min // p.slot_min)
    for s, template in enumerate(p.templates):
        first, last = p.shift_slots(template)
        options = int(p.allowed[:, s].sum()) * len(p.days)
        if template.meals and template.meal_window is not None:
            total += options * (template.meal_window.minutes // p.slot_min - meal + 1) * template.meals
        span = last - first - (template.break_min_from_start_min + template.break_min_from_end_min) // p.slot_min
        total += options * max(span - brk + 1, 0) * template.breaks
    return total


def add_exact_away(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> dict:
    """Optional meals and breaks for every possible shift; returns (agent, day) -> items, each
    ``(kind, {start slot: bool}, length)``."""
    meal_len = p.rules.meal_min // p.slot_min
    break_len = -(-p.rules.break_min // p.slot_min)
    items: dict[tuple[int, int], list] = {}
    team_intervals: dict[tuple[str, int], list] = {}
    by_group: dict[tuple, list] = {}
    for (a, d, s), works in v.shift.items():
        template = p.templates[s]
        first, last = p.shift_slots(template)
        own = []
        ranges = []
        if template.meals and template.meal_window is not None:
            low = template.meal_window.start_min // p.slot_min
            high = template.meal_window.end_min // p.slot_min - meal_len
            ranges += [("meal", range(low, high + 1), meal_len)] * template.meals
        low = first + template.break_min_from_start_min // p.slot_min
        high = last - template.break_min_from_end_min // p.slot_min - break_len
        ranges += [("break", range(low, high + 1), break_len)] * template.breaks
        gap = template.break_min_gap_min // p.slot_min
        padded, break_starts = [], []
        for kind, span, length in ranges:
            starts = {k: model.new_bool_var(f"{kind}_window[agent={p.agents[a].id},day={p.days[d]},slot={k}]")
                      for k in span}
            model.add(sum(starts.values()) == works)
            start = model.new_int_var(0, max(span), f"{kind}_start[{a},{d},{s}]")
            model.add(start == sum(k * var for k, var in starts.items()))
            team_intervals.setdefault((p.agents[a].team, d), []).append(
                model.new_optional_fixed_size_interval_var(start, length, works, "away"))
            padded.append(model.new_optional_fixed_size_interval_var(start, length + gap, works, "spacing"))
            if kind == "break":
                break_starts.append(start)
            else:
                by_group.setdefault((p.agents[a].team, d, s), []).append((start, works))
            own.append((kind, starts, length))
        if len(padded) > 1:
            model.add_no_overlap(padded)
        for before, after in itertools.pairwise(break_starts):
            model.add(before < after).only_enforce_if(works)
        items[a, d, s] = own
    cap = p.rules.max_away_per_team
    for intervals in team_intervals.values():
        if cap == 1:
            model.add_no_overlap(intervals)
        else:
            model.add_cumulative(intervals, [1] * len(intervals), cap)
    for group in by_group.values():  # interchangeable agents on the same template: meals in order
        for (s1, w1), (s2, w2) in itertools.pairwise(group):
            model.add(s1 <= s2).only_enforce_if([w1, w2])
    return items


def add_exact_coverage(model: cp_model.CpModel, v: DayVars, p: RosterProblem, items: dict) -> list[Penalty]:
    """Rule `coverage`, exact: on the line = on shift minus away, slot by slot."""
    spd = 1440 // p.slot_min
    cap = p.rules.max_away_per_team
    penalties = []
    for line in p.lines:
        members = p.line_agents(line)
        shorts, overs = [], []
        for d, day in enumerate(p.days):
            present: dict[int, list] = {}
            away: dict[int, list] = {}
            team_away: dict[tuple[str, int], list] = {}
            for (a, e, s), works in v.shift.items():
                if p.agents[a].line != line or e not in (d - 1, d):
                    continue
                offset = (e - d) * spd
                first, last = p.shift_slots(p.templates[s])
                for k in range(max(first + offset, 0), min(last + offset, p.slots_per_axis)):
                    present.setdefault(k, []).append(works)
                for _kind, starts, length in items.get((a, e, s), []):
                    for k0, var in starts.items():
                        for k in range(k0 + offset, k0 + offset + length):
                            if 0 <= k < p.slots_per_axis:
                                away.setdefault(k, []).append(var)
                                if e == d:
                                    team_away.setdefault((p.agents[a].team, k), []).append(var)
            for covering in team_away.values():
                if len(covering) > cap:
                    model.add(sum(covering) <= cap)
            for k in np.flatnonzero(p.open_slots[line][d]):
                k = int(k)
                on_line = sum(present.get(k, [])) - sum(away.get(k, []))
                model.add(on_line >= int(p.floor[line][d, k]))
                need = int(p.required[line][d, k])
                short = model.new_int_var(0, need, f"coverage[line={line},day={day},slot={k}]")
                over = model.new_int_var(0, len(members), f"coverage_over[line={line},day={day},slot={k}]")
                model.add(on_line - need == over - short)
                shorts.append(short)
                overs.append(over)
        penalties.append(Penalty("coverage", f"short[{line}]", p.slot_min * sum(shorts), WEIGHT_SHORT))
        penalties.append(Penalty("coverage", f"over[{line}]", p.slot_min * sum(overs), WEIGHT_OVER))
    return penalties
