"""Stage 1 rule families: which shift each agent works each day, or rest.

Each ``add_<rule>(model, v, p)`` adds one family and returns its :class:`Penalty` terms
(hard rules return ``[]``). Rule ids are shared with ``staffing check``.
"""

from __future__ import annotations

import calendar as month_calendar
import itertools
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from staffing.domain import MINUTES_PER_DAY
from staffing.roster.problem import RosterProblem
from staffing.roster.variables import DayVars, Penalty

# Objective weights, per agent-minute (or per unit named): shortfall dominates everything.
WEIGHT_SHORT = 1000          # per agent-minute below `required`
WEIGHT_DAY_MIN = 200 * 60    # per agent missing from a day's daily-cap headcount (an hour short)
WEIGHT_OVER = 1              # per agent-minute on the line above `required`
WEIGHT_FAIR = 120            # per shift of spread (max - min) in a fairness category
WEIGHT_WORK = 1              # per minute worked: among equal covers, fewer hours


def add_one_shift_per_day(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `one_shift_per_day`: each agent each day works one shift template of its line,
    or rests, or is on approved leave (DOMAIN section 2). Hard."""
    for (a, d), rest in v.rest.items():
        model.add(v.works[a, d] + rest == 1)
    return []


def rest_days_needed(p: RosterProblem, a: int) -> dict[tuple[int, int], tuple[list[int], int]]:
    """Per calendar month in the horizon: the agent's available day indices and the rest days
    owed there, pro rata: floor(rule x days employed in the horizon / days in the month)."""
    months: dict[tuple[int, int], list[int]] = {}
    for d, day in enumerate(p.days):
        if p.agents[a].employed_on(day):
            months.setdefault((day.year, day.month), []).append(d)
    out = {}
    for (year, month), days in months.items():
        length = month_calendar.monthrange(year, month)[1]
        owed = p.rules.rest_days_per_month * len(days) // length
        out[year, month] = ([d for d in days if p.available[a, d]], owed)
    return out


def add_rest_days_per_month(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `rest_days_per_month`: at least `rules.rest_days_per_month` rest days per agent per
    calendar month, pro rata for a part month; leave days are not rest days (DOMAIN section 2,
    每月休息4天). Hard."""
    for a in range(len(p.agents)):
        for days, owed in rest_days_needed(p, a).values():
            if owed:
                model.add(sum(v.rest[a, d] for d in days) >= owed)
    return []


def add_max_consecutive_working_days(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `max_consecutive_working_days`: no run of working days longer than the rule. Hard."""
    limit = p.rules.max_consecutive_working_days
    for a in range(len(p.agents)):
        for first in range(len(p.days) - limit):
            model.add(sum(v.works[a, d] for d in range(first, first + limit + 1)) <= limit)
    return []


def add_min_rest_between_shifts(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `min_rest_between_shifts`: at least `rules.min_rest_between_shifts_h` between one
    shift's end and the next one's start (an evening then an early). Hard."""
    gap_min = p.rules.min_rest_between_shifts_min
    pairs = [(s1, s2) for s1, t1 in enumerate(p.templates) for s2, t2 in enumerate(p.templates)
             if t2.start_min + MINUTES_PER_DAY - t1.end_min < gap_min]
    for (a, d, s1), first in v.shift.items():
        for one, two in pairs:
            if one == s1 and (a, d + 1, two) in v.shift:
                model.add_bool_or([first.Not(), v.shift[a, d + 1, two].Not()])
    return []


def add_away_channel(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `max_away` (relaxed for stage 1): per team and slot at most `rules.max_away_per_team`
    away, never more than the team has on shift, and each day the team's away channel holds
    every working member's meal and breaks, meals inside their templates' meal windows
    (DOMAIN section 3, 离席人数限定一人). Stage 2 places them exactly. Hard."""
    spd = v.slots_per_day
    cap = p.rules.max_away_per_team
    for team in p.centre.teams.values():
        members = [a for a in p.team_agents(team.id)]
        if not members:
            continue
        channel: dict[int, cp_model.IntVar] = {}
        for d in range(len(p.days)):
            on_shift: dict[int, list] = {}
            need_total, meal_need = [], {}
            for a in members:
                for s, template in enumerate(p.templates):
                    var = v.shift.get((a, d, s))
                    if var is None:
                        continue
                    first, last = p.shift_slots(template)
                    for k in range(first, last):
                        on_shift.setdefault(d * spd + k, []).append(var)
                    away_min = template.meals * p.rules.meal_min + template.breaks * p.rules.break_min
                    if away_min:
                        need_total.append(away_min * var)
                    if template.meals and template.meal_window is not None:
                        meal_need.setdefault(s, []).append(template.meals * p.rules.meal_min * var)
            for u, vars_ in on_shift.items():
                if u not in channel:
                    channel[u] = model.new_int_var(0, cap, f"max_away[team={team.id},slot={u}]")
                model.add(channel[u] <= sum(vars_))
            if need_total:
                model.add(p.slot_min * sum(channel[u] for u in on_shift) >= sum(need_total))
            union: set[int] = set()
            for s, needs in meal_need.items():
                window = p.templates[s].meal_window
                slots = [d * spd + k for k in range(window.start_min // p.slot_min, window.end_min // p.slot_min)]
                union.update(slots)
                model.add(p.slot_min * sum(channel[u] for u in slots if u in channel) >= sum(needs))
            if len(meal_need) > 1:
                model.add(p.slot_min * sum(channel[u] for u in union if u in channel)
                          >= sum(n for needs in meal_need.values() for n in needs))
        v.away[team.id] = channel
    return []


def add_coverage(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `coverage`: on the line (on shift minus away) at least `floor` in every open slot
    (hard: the line is never unstaffed, 接听率100%) and at least `required` (soft: shortfall in
    agent-minutes, then overstaffing) (DOMAIN sections 1, 3, 4)."""
    spd = v.slots_per_day
    penalties: list[Penalty] = []
    for line in p.lines:
        members = p.line_agents(line)
        teams = {p.agents[a].team for a in members}
        on_shift: dict[int, list] = {}
        for a in members:
            for s, template in enumerate(p.templates):
                first, last = p.shift_slots(template)
                for d in range(len(p.days)):
                    var = v.shift.get((a, d, s))
                    if var is not None:
                        for k in range(first, last):
                            on_shift.setdefault(d * spd + k, []).append(var)
        shortfall, over = [], []
        for d in range(len(p.days)):
            for k in np.flatnonzero(p.open_slots[line][d]):
                u = d * spd + int(k)
                present = sum(on_shift.get(u, []))
                away = sum(v.away[t][u] for t in teams if u in v.away.get(t, {}))
                on_line = present - away
                floor = int(p.floor[line][d, k])
                required = int(p.required[line][d, k])
                model.add(on_line >= floor)
                short = model.new_int_var(0, required, f"coverage[line={line},day={p.days[d]},slot={k}]")
                model.add(on_line + short >= required)
                surplus = model.new_int_var(0, len(members), f"coverage_over[line={line},day={p.days[d]},slot={k}]")
                model.add(surplus >= on_line - required)
                shortfall.append(short)
                over.append(surplus)
        penalties.append(Penalty("coverage", f"short[{line}]", p.slot_min * sum(shortfall), WEIGHT_SHORT))
        penalties.append(Penalty("coverage", f"over[{line}]", p.slot_min * sum(over), WEIGHT_OVER))
    return penalties


def add_daily_cap(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `daily_cap`: enough agents work each day that nobody serves more than the line's
    per-agent daily cap (DOMAIN section 4, 单人日服务量200). Soft, heavily weighted."""
    penalties = []
    for line in p.lines:
        members = p.line_agents(line)
        for d, day in enumerate(p.days):
            need = int(p.day_min[line][d])
            if need <= 0:
                continue
            missing = model.new_int_var(0, need, f"daily_cap[line={line},day={day}]")
            model.add(sum(v.works[a, d] for a in members) + missing >= need)
            penalties.append(Penalty("daily_cap", f"missing[{line},{day}]", missing, WEIGHT_DAY_MIN))
    return penalties


FAIRNESS_CATEGORIES: dict[str, Callable] = {
    "evening": lambda p, day, t: t.end_min >= 21 * 60,
    "weekend": lambda p, day, t: day.weekday() >= 5,
    "peak_day": lambda p, day, t: day in p.peak_days,
}


def add_fair_shifts(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `fair_shifts`: evening, weekend and peak-day shifts spread evenly over the agents
    of a line who are available the whole horizon (the spread is minimised). Soft."""
    penalties = []
    for line in p.lines:
        members = [a for a in p.line_agents(line) if p.available[a].all()]
        if len(members) < 2:
            continue
        for category, applies in FAIRNESS_CATEGORIES.items():
            counts = []
            for a in members:
                terms = [var for (b, d, s), var in v.shift.items()
                         if b == a and applies(p, p.days[d], p.templates[s])]
                if terms:
                    counts.append(sum(terms))
            if len(counts) < 2:
                continue
            high = model.new_int_var(0, len(p.days), f"fair_shifts[line={line},kind={category},max]")
            low = model.new_int_var(0, len(p.days), f"fair_shifts[line={line},kind={category},min]")
            for count in counts:
                model.add(high >= count)
                model.add(low <= count)
            penalties.append(Penalty("fair_shifts", f"{category}[{line}]", high - low, WEIGHT_FAIR))
    return penalties


def add_hours(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Tie-break `hours`: among rosters that cover equally, the one with fewer minutes worked."""
    minutes = sum(p.templates[s].minutes * var for (a, d, s), var in v.shift.items())
    return [Penalty("hours", "minutes worked", minutes, WEIGHT_WORK)]


def add_interchangeable_order(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Symmetry: agents of one team with the same templates, availability and no leave are
    interchangeable, so the earlier in the file works at least as many days. Changes no
    optimum; it only spares the solver from proving the same roster many times over."""
    groups: dict[tuple, list[int]] = {}
    for a, agent in enumerate(p.agents):
        if any((a, d) in p.leave for d in range(len(p.days))):
            continue
        groups.setdefault((agent.team, p.allowed[a].tobytes(), p.available[a].tobytes()), []).append(a)
    for members in groups.values():
        for before, after in itertools.pairwise(members):
            model.add(sum(v.works[before, d] for d in range(len(p.days)))
                      >= sum(v.works[after, d] for d in range(len(p.days))))
    return []


DAY_RULES = (add_one_shift_per_day, add_interchangeable_order, add_rest_days_per_month,
             add_max_consecutive_working_days, add_min_rest_between_shifts, add_away_channel, add_coverage,
             add_daily_cap, add_fair_shifts, add_hours)

