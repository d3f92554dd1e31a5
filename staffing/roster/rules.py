"""Stage 1 rule families: which shift each agent works each day, or rest.

Each ``add_<rule>(model, v, p)`` adds one family and returns its :class:`Penalty` terms
(hard rules return ``[]``). Rule ids are shared with ``staffing check``.
"""

from __future__ import annotations

import calendar as month_calendar
import itertools
from collections.abc import Callable, Iterable

import numpy as np
from ortools.sat.python import cp_model

from staffing.domain import MINUTES_PER_DAY
from staffing.roster.problem import RosterProblem
from staffing.roster.variables import DayVars, Penalty, StageVars

# Objective weights, per agent-minute (or per unit named): shortfall dominates everything.
WEIGHT_SHORT = 1000          # per agent-minute below `required`
WEIGHT_DAY_MIN = 200 * 60    # per agent missing from a day's daily-cap headcount (an hour short)
WEIGHT_OVER = 1              # per agent-minute on the line above `required`
WEIGHT_FLOOR = 1000 * WEIGHT_SHORT  # per agent-minute below `floor`, where the count path lets it bend


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
    """Rule `max_consecutive_working_days`: no run of working days longer than the rule (or the
    agent's ``max_consecutive_days``). Hard."""
    for a in range(len(p.agents)):
        limit = max_consecutive_days(p, a)
        for first in range(len(p.days) - limit):
            model.add(sum(v.works[a, d] for d in range(first, first + limit + 1)) <= limit)
    return []


def max_consecutive_days(p: RosterProblem, a: int) -> int:
    """Longest run of working days for agent a: its own limit, else the rule's."""
    return p.agents[a].max_consecutive_days or p.rules.max_consecutive_working_days


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


def away_windows(p: RosterProblem, template) -> tuple[set[int], set[int]]:
    """Slots (on the day's axis) where a template's meal, and where its breaks, may fall."""
    first, last = p.shift_slots(template)
    meal = set()
    if template.meals and template.meal_window is not None:
        meal = set(range(template.meal_window.start_min // p.slot_min, template.meal_window.end_min // p.slot_min))
    breaks = set()
    if template.breaks:
        breaks = set(range(first + template.break_min_from_start_min // p.slot_min,
                           last - template.break_min_from_end_min // p.slot_min))
    return meal, breaks


def away_regions(p: RosterProblem, template) -> tuple[set[int], set[int]]:
    """Slots (on the day's axis) where a template's meal, and any of its away time, may fall."""
    meal, breaks = away_windows(p, template)
    return meal, meal | breaks


def add_away_capacity(model: cp_model.CpModel, v: StageVars, p: RosterProblem) -> list[Penalty]:
    """Rule `max_away` (stage 1's necessary condition): for every set of templates a team
    works on a day, their meals fit inside the union of their meal windows, and all their
    away time inside the union of the times it may fall, with at most
    `rules.max_away_per_team` away at once (DOMAIN sections 3 and 7: a team of 8 on one
    9-hour shift cannot take 8 one-hour meals in a 4-hour window). Stage 2 places them. Hard."""
    from itertools import combinations

    cap = p.rules.max_away_per_team
    meal_slots = p.rules.meal_min // p.slot_min
    break_slots = -(-p.rules.break_min // p.slot_min)
    regions = [away_regions(p, t) for t in p.templates]
    for team in p.centre.teams.values():
        usable = [s for s, t in enumerate(p.templates) if team.line in t.lines and (t.meals or t.breaks)]
        subsets = [c for size in range(1, len(usable) + 1) for c in combinations(usable, size)]
        for d in range(len(p.days)):
            by_template = {s: [] for s in usable}
            for s, var in v.team_day(team.id, d):
                if s in by_template:
                    by_template[s].append(var)
            for subset in subsets:
                vars_meal = [(var, p.templates[s].meals * meal_slots) for s in subset for var in by_template[s]]
                meal_room = len(set().union(*(regions[s][0] for s in subset)))
                if any(weight for _, weight in vars_meal) and sum(w for _, w in vars_meal) > cap * meal_room:
                    model.add(sum(var * w for var, w in vars_meal) <= cap * meal_room)
                vars_all = [(var, p.templates[s].meals * meal_slots + p.templates[s].breaks * break_slots)
                            for s in subset for var in by_template[s]]
                room = len(set().union(*(regions[s][1] for s in subset)))
                if sum(w for _, w in vars_all) > cap * room:
                    model.add(sum(var * w for var, w in vars_all) <= cap * room)
    return []


def _presence(p: RosterProblem, v: StageVars, line: str, d: int) -> dict[int, list]:
    """Variables summing to the line's agents on shift in each slot of day d's axis."""
    return v.presence(line, d)


def add_coverage(model: cp_model.CpModel, v: StageVars, p: RosterProblem,
                 days: Iterable[int] | None = None) -> list[Penalty]:
    """Rule `coverage`: on the line (on shift minus away) at least `floor` in every open slot
    (hard: the line is never unstaffed, 接听率100%) and at least `required` (soft: shortfall in
    agent-minutes, then overstaffing) (DOMAIN sections 1, 3, 4).

    Stage 1 does not place meals and breaks; it bounds their cost by time segments (hours,
    split at every meal- and break-window boundary). Per team, the away time of those on
    each template flows into the segments inside its windows (``_away_flow``), at most
    `max_away` x the segment's length for the team. Per segment, the away time that presence
    above `required` cannot absorb is short on top of the slots' own shortage, and presence
    above the floor must hold all of it. Stage 2 then places every meal and break exactly."""
    penalties: list[Penalty] = []
    meal_slots = p.rules.meal_min // p.slot_min
    break_slots = -(-p.rules.break_min // p.slot_min)
    hour = max(60 // p.slot_min, 1)
    for line in p.lines:
        members = p.line_agents(line)
        away_templates = [s for s, t in enumerate(p.templates) if line in t.lines and (t.meals or t.breaks)]
        regions = {s: away_windows(p, p.templates[s]) for s in away_templates}
        cuts = {b for s in away_templates for region in regions[s] if region for b in (min(region), max(region) + 1)}
        teams = p.line_teams(line)
        totals_short, totals_over = [], []
        for d in range(len(p.days)) if days is None else sorted(days):
            day = p.days[d]
            present = _presence(p, v, line, d)
            open_ = p.open_slots[line][d]
            slots = sorted(set(present) | set(np.flatnonzero(open_).tolist()))
            if not slots:
                continue
            excess, shortage, above_floor = {}, {}, {}
            for k in slots:
                count = sum(present.get(k, []))
                need = int(p.required[line][d, k]) if open_[k] else 0
                floor = int(p.floor[line][d, k]) if open_[k] else 0
                above_floor[k] = count - floor
                if floor and v.elastic_floor:
                    # the count path: the floor bends at WEIGHT_FLOOR (virtual agents, never on the line)
                    gap = model.new_int_var(0, floor, f"coverage_floor[line={line},day={day},slot={k}]")
                    v.floor_gaps.append((line, d, k, gap))
                    above_floor[k] = count + gap - floor
                    model.add(above_floor[k] >= 0)
                elif floor:
                    model.add(count >= floor)
                extra = model.new_int_var(0, len(members), f"coverage_excess[line={line},day={day},slot={k}]")
                short = model.new_int_var(0, need, f"coverage[line={line},day={day},slot={k}]")
                model.add(count - need == extra - short)
                excess[k], shortage[k] = extra, short
            segments: list[list[int]] = []
            for k in slots:
                if segments and k == segments[-1][-1] + 1 and k % hour and k not in cuts:
                    segments[-1].append(k)
                else:
                    segments.append([k])
            team_away: dict[int, list] = {g: [] for g in range(len(segments))}
            all_away = []
            for team in teams:
                workers = v.team_day(team, d)
                if not workers:
                    continue
                flows = _away_flow(model, p, team, day, workers, segments, regions)
                for g, terms in flows.items():
                    team_away[g].extend(terms)
                all_away.append(sum(var * (p.templates[s].meals * meal_slots + p.templates[s].breaks * break_slots)
                                    for s, var in workers))
            lost = []
            for g, segment in enumerate(segments):
                if team_away[g]:
                    # away time that presence above `required` cannot absorb is short on top of
                    # the slots' own shortage (counted apart: a slot's shortage and excess
                    # cannot both be raised to trade one against the other)
                    most = len(segment) * p.rules.max_away_per_team * len(teams)
                    name = f"coverage_away[line={line},day={day},segment={segment[0]}]"
                    lost.append(model.new_int_var(0, most, name))
                    model.add(lost[-1] >= sum(team_away[g]) - sum(excess[k] for k in segment))
                    model.add(sum(above_floor[k] for k in segment) >= sum(team_away[g]))
            # The day as a whole (implied by the segments, but it lets the search prove bounds).
            need = sum(all_away)
            day_short = model.new_int_var(0, int(p.required[line][d].sum()), f"coverage_day[line={line},day={day}]")
            model.add(day_short >= sum(shortage.values()) + sum(lost))
            model.add(day_short >= sum(shortage.values()) + need - sum(excess.values()))
            v.day_short[line, d] = day_short
            model.add(sum(above_floor.values()) >= need)
            over = model.new_int_var(0, len(members) * p.slots_per_axis, f"coverage_over[line={line},day={day}]")
            # only open slots count as over (as in the roster's evaluation); away time lowers it at most by all of it
            model.add(over >= sum(excess[k] for k in slots if open_[k]) - need)
            totals_short.append(day_short)
            totals_over.append(over)
        penalties += coverage_penalties(v, p, line, totals_short, totals_over)
    return penalties


def coverage_penalties(v: StageVars, p: RosterProblem, line: str, short: list, over: list) -> list[Penalty]:
    """A line's coverage terms in agent-minutes: ``short`` of `required`, the floor's gaps
    (where it bends), ``over`` `required`."""
    penalties = [Penalty("coverage", f"short[{line}]", p.slot_min * sum(short), WEIGHT_SHORT)]
    gaps = [gap for gap_line, _d, _k, gap in v.floor_gaps if gap_line == line]
    if gaps:
        penalties.append(Penalty("coverage", f"floor[{line}]", p.slot_min * sum(gaps), WEIGHT_FLOOR))
    penalties.append(Penalty("coverage", f"over[{line}]", p.slot_min * sum(over), WEIGHT_OVER))
    return penalties


def _away_flow(model: cp_model.CpModel, p: RosterProblem, team: str, day, workers: list,
               segments: list[list[int]], regions: dict[int, tuple[set[int], set[int]]]) -> dict[int, list]:
    """Where a team's away time goes on one day, as a flow from templates to time segments:
    the meal slots of those on template s lie in segments inside its meal window, their
    break slots in segments inside its break window, each worker is away at most the
    segment's length, and the team at most `max_away` x the length. Any placement of meals
    and breaks is such a flow, so this stays a relaxation (it leaves out only that a meal is
    one block and each agent's spacing of breaks). Returns segment -> the team's away terms."""
    cap = p.rules.max_away_per_team
    meal_slots = p.rules.meal_min // p.slot_min
    break_slots = -(-p.rules.break_min // p.slot_min)
    on: dict[int, list] = {}
    for s, var in workers:
        on.setdefault(s, []).append(var)
    out: dict[int, list] = {}
    for s, terms in sorted(on.items()):
        template = p.templates[s]
        if s not in regions:
            continue
        meal_window, break_window = regions[s]
        has_meal = bool(template.meals and meal_window)  # no window: no meal is placed (stage 3 alike)
        meals, breaks = [], []
        for g, segment in enumerate(segments):
            room = cap * len(segment)
            here = []
            if has_meal and set(segment) <= meal_window:
                meals.append(model.new_int_var(0, room, f"meal_window[team={team},day={day},shift={template.code},"
                                                        f"segment={segment[0]}]"))
                here.append(meals[-1])
            if template.breaks and set(segment) <= break_window:
                breaks.append(model.new_int_var(0, room, f"break_window[team={team},day={day},"
                                                         f"shift={template.code},segment={segment[0]}]"))
                here.append(breaks[-1])
            if here:
                model.add(sum(here) <= len(segment) * sum(terms))
                out.setdefault(g, []).extend(here)
        if has_meal:
            model.add(sum(meals) == template.meals * meal_slots * sum(terms))
        if template.breaks:
            model.add(sum(breaks) == template.breaks * break_slots * sum(terms))
    for g, terms in out.items():
        if len(terms) > 1:
            model.add(sum(terms) <= cap * len(segments[g]))
    return out


def add_daily_cap(model: cp_model.CpModel, v: StageVars, p: RosterProblem) -> list[Penalty]:
    """Rule `daily_cap`: enough agents work each day that nobody serves more than the line's
    per-agent daily cap (DOMAIN section 4, 单人日服务量200). Soft, heavily weighted."""
    penalties = []
    for line in p.lines:
        for d, day in enumerate(p.days):
            need = int(p.day_min[line][d])
            if need <= 0:
                continue
            missing = model.new_int_var(0, need, f"daily_cap[line={line},day={day}]")
            model.add(sum(v.working(line, d)) + missing >= need)
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
            penalties.append(Penalty("fair_shifts", f"{category}[{line}]", high - low, p.centre.weights.fair_shifts))
    return penalties


def add_hours(model: cp_model.CpModel, v: StageVars, p: RosterProblem) -> list[Penalty]:
    """Tie-break `hours`: among rosters that cover equally, the one with fewer minutes worked."""
    minutes = sum(p.templates[s].minutes * var for s, var in v.shifts())
    return [Penalty("hours", "minutes worked", minutes, p.centre.weights.minutes_worked)]


def add_interchangeable_order(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Symmetry: agents of one team with the same templates, availability and no leave are
    interchangeable, so the earlier in the file works at least as many days. Changes no
    optimum; it only spares the solver from proving the same roster many times over."""
    groups: dict[tuple, list[int]] = {}
    asking = {agent for agent, _ in p.days_off} | {wish.agent for wish in p.wishes}
    for a, agent in enumerate(p.agents):
        if any((a, d) in p.leave for d in range(len(p.days))) or agent.id in asking:
            continue
        contract = (agent.max_shifts, agent.min_minutes, agent.max_minutes, agent.max_consecutive_days,
                    agent.min_consecutive_days, agent.min_consecutive_days_off, agent.max_weekends)
        groups.setdefault((agent.team, p.allowed[a].tobytes(), p.available[a].tobytes(), contract), []).append(a)
    for members in groups.values():
        for before, after in itertools.pairwise(members):
            model.add(sum(v.works[before, d] for d in range(len(p.days)))
                      >= sum(v.works[after, d] for d in range(len(p.days))))
    return []
