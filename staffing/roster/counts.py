"""Stage 1 by team counts, then names (DOMAIN section 7).

Agents of one team are interchangeable for coverage, meals and breaks: they share the line,
its templates and one away channel. So the day-level search decides only how many of each
team work each template on each day (``CountVars``), under necessary conditions of every
per-agent rule, with the coverage relaxation of ``rules.add_coverage``. That model is a few
thousand integers for a month of 200 agents, where the per-agent one is tens of thousands of
booleans. ``name_agents`` then gives the counts to named agents, one small model per team,
keeping every per-agent rule exactly and spreading evening, weekend and peak-day shifts.

Every count rule is implied by the per-agent rules, so the count model is a relaxation and
its proven bound stays a lower bound on the whole roster.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from staffing.domain import MINUTES_PER_DAY
from staffing.errors import StaffingError
from staffing.roster.capacity import TeamCapacity, add_mix_cut, add_template_limits, team_mixes
from staffing.roster.diagnose import slot_spans
from staffing.roster.patterns import PATTERN_RULES, add_shift_cover, max_weekends, weekends
from staffing.roster.placing import on_shift
from staffing.roster.problem import RosterProblem
from staffing.roster.rules import (
    WEIGHT_FLOOR,
    WEIGHT_SHORT,
    add_away_capacity,
    add_coverage,
    add_daily_cap,
    add_fair_shifts,
    add_hours,
    add_interchangeable_order,
    add_max_consecutive_working_days,
    add_min_rest_between_shifts,
    add_one_shift_per_day,
    add_rest_days_per_month,
    max_consecutive_days,
    rest_days_needed,
)
from staffing.roster.search import PLACING_WORK_PER_S, Budget, hint_solution, release
from staffing.roster.variables import CountVars, Penalty, create_day_vars, minimize

Counts = dict[tuple[str, int, int], int]   # (team, day index, template index) -> agents


def _teams(p: RosterProblem) -> list[str]:
    return [t.id for t in p.centre.teams.values() if t.line in p.lines and p.team_agents(t.id)]


def create_count_vars(model: cp_model.CpModel, p: RosterProblem) -> CountVars:
    """One integer per (team, day, template of its line): how many of the team work it."""
    v = CountVars(problem=p)
    for team in _teams(p):
        members = p.team_agents(team)
        for d, day in enumerate(p.days):
            options = []
            for s, template in enumerate(p.templates):
                can = sum(1 for a in members if p.available[a, d] and p.allowed[a, s])
                if can:
                    var = model.new_int_var(0, can, f"one_shift_per_day[team={team},day={day},shift={template.code}]")
                    v.count[team, d, s] = var
                    options.append(var)
            v.works[team, d] = sum(options) if options else 0
    return v


def add_team_days(model: cp_model.CpModel, v: CountVars, p: RosterProblem) -> list[Penalty]:
    """Rule `one_shift_per_day` (counted): no more of a team work a day than are available
    (employed, not on leave, not on a fixed day off). Hard."""
    for team in _teams(p):
        members = p.team_agents(team)
        for d in range(len(p.days)):
            model.add(v.works[team, d] <= sum(1 for a in members
                                              if p.available[a, d] and (p.agents[a].id, d) not in p.days_off))
    return []


def add_team_rest_days(model: cp_model.CpModel, v: CountVars, p: RosterProblem) -> list[Penalty]:
    """Rule `rest_days_per_month` (counted): a team works at most the days its agents have in
    the month less the rest days each is owed there. Hard."""
    for team in _teams(p):
        days: dict[tuple[int, int], set[int]] = {}
        room: dict[tuple[int, int], int] = {}
        for a in p.team_agents(team):
            for month, (own, owed) in rest_days_needed(p, a).items():
                days.setdefault(month, set()).update(own)
                room[month] = room.get(month, 0) + max(len(own) - owed, 0)
        for month, own in days.items():
            model.add(sum(v.works[team, d] for d in own) <= room[month])
    return []


def add_team_consecutive_days(model: cp_model.CpModel, v: CountVars, p: RosterProblem) -> list[Penalty]:
    """Rule `max_consecutive_working_days` (counted): in any run of rule + 1 days each agent
    rests at least once, so the team works at most that many agent-days less one each. Hard."""
    for team in _teams(p):
        members = p.team_agents(team)
        limit = max(max_consecutive_days(p, a) for a in members)  # the loosest member keeps it a relaxation
        for first in range(len(p.days) - limit):
            window = range(first, first + limit + 1)
            room = sum(min(limit, sum(1 for d in window if p.available[a, d])) for a in members)
            model.add(sum(v.works[team, d] for d in window) <= room)
    return []


def add_team_rest_between_shifts(model: cp_model.CpModel, v: CountVars, p: RosterProblem) -> list[Penalty]:
    """Rule `min_rest_between_shifts` (counted): those of a team on a late template one day
    and those on a template too early after it the next day are different people. Hard."""
    gap_min = p.rules.min_rest_between_shifts_min
    n = len(p.templates)
    late_of = {s2: {s1 for s1 in range(n)
                    if p.templates[s2].start_min + MINUTES_PER_DAY - p.templates[s1].end_min < gap_min}
               for s2 in range(n)}
    for team in _teams(p):
        members = p.team_agents(team)
        for d in range(len(p.days) - 1):
            either = sum(1 for a in members if p.available[a, d] or p.available[a, d + 1])
            for late in late_of.values():
                if not late:
                    continue
                before = [v.count[team, d, s1] for s1 in late if (team, d, s1) in v.count]
                after = [v.count[team, d + 1, t] for t in range(n)
                         if late <= late_of[t] and (team, d + 1, t) in v.count]
                if before and after:
                    model.add(sum(before) + sum(after) <= either)
    return []


def add_team_weekends(model: cp_model.CpModel, v: CountVars, p: RosterProblem) -> list[Penalty]:
    """Rule `max_weekends_worked` (counted): the agents of a team working a weekend are at least
    as many as work its busier day, and each agent works at most its number of the weekends it
    is available for, so over the horizon the team's weekends (its busier weekend day's count,
    summed) are at most its agents' weekends. Hard. Without it stage 1 plans weekends the
    agents cannot work and naming then takes agent-days off the counts where it must, short
    wherever they fall, instead of where the shortfall costs least."""
    groups = weekends(p)
    for team in _teams(p):
        members = p.team_agents(team)
        caps = [max_weekends(p, a) for a in members]
        if all(cap is None for cap in caps) or not groups:
            continue
        room = 0
        for a, cap in zip(members, caps, strict=True):
            open_ = sum(1 for days in groups if any(p.available[a, d] for d in days))
            room += open_ if cap is None else min(cap, open_)
        busiest = []
        for days in groups:
            worked = model.new_int_var(0, len(members), f"max_weekends_worked[team={team},day={p.days[days[0]]}]")
            for d in days:
                model.add(worked >= v.works[team, d])
            busiest.append(worked)
        model.add(sum(busiest) <= room)
    return []


COUNT_RULES: tuple[Callable[[cp_model.CpModel, CountVars, RosterProblem], list[Penalty]], ...] = (
    add_team_days, add_team_rest_days, add_team_consecutive_days, add_team_rest_between_shifts, add_team_weekends,
    add_away_capacity, add_coverage, add_daily_cap, add_hours, add_shift_cover)

# Naming the agents: every per-agent rule, exactly; fairness spread within the team.
NAME_RULES = (add_one_shift_per_day, add_interchangeable_order, add_rest_days_per_month,
              add_max_consecutive_working_days, add_min_rest_between_shifts, add_fair_shifts, *PATTERN_RULES)
WEIGHT_COUNT = 100_000  # per agent-day a team's named roster moves away from its counts, on top of what one
#                        fewer there costs the line (``cost_of_fewer``)
NAME_FEWER_LEAST_S = 3.0  # work at least for a team's names with no cell above its count, where no roster keeps
#                           the counts (0.3-0.45 deterministic s on the 30 people with meals and at most 3 weekends,
#                           the names' share spent: none found, and the any-change model that followed put more on
#                           templates than their meals and breaks can take)
NAME_EXACT_S = 2.0      # work (seconds on 2 cores) per team to name agents on exactly the counts (fairness
#                         as far as it gets)


def count_values(v: CountVars, solver: cp_model.CpSolver) -> Counts:
    return {key: int(solver.value(var)) for key, var in v.count.items()}


def team_problem(p: RosterProblem, team: str) -> tuple[RosterProblem, list[int]]:
    """The instance restricted to one team's agents, and their indices in ``p``."""
    members = p.team_agents(team)
    local = {a: i for i, a in enumerate(members)}
    leave = {(local[a], d): code for (a, d), code in p.leave.items() if a in local}
    sub = dataclasses.replace(p, agents=tuple(p.agents[a] for a in members), allowed=p.allowed[members],
                              available=p.available[members], leave=leave)
    return sub, members


def cost_of_fewer(p: RosterProblem, counts: Counts, team: str) -> dict[tuple[int, int], list[int]]:
    """What each agent fewer than ``counts`` on each of ``team``'s (day, template) costs its
    line by the coverage objective, meals and breaks left out: the first, second, ... fewer,
    each in turn from what the counts put on shift (past midnight too). An open slot at most at
    ``required`` loses ``WEIGHT_SHORT`` an agent-minute, at most at the floor ``WEIGHT_FLOOR``;
    above ``required`` one fewer costs nothing (the move itself is ``WEIGHT_COUNT``)."""
    line = p.centre.teams[team].line
    line_teams = set(p.line_teams(line))
    worked = [(d, s, n) for (g, d, s), n in counts.items() if g in line_teams and n]
    present = [on_shift(p, worked, d) for d in range(len(p.days))]
    costs: dict[tuple[int, int], list[int]] = {}
    for (g, d, s), n in counts.items():
        if g != team or not n:
            continue
        # the shift's own slots, on its day's axis and past midnight on the next day's
        axes = [(e, on_shift(p, [(d, s, 1)], e) > 0) for e in (d, d + 1) if e < len(p.days)]
        steps = []
        for j in range(n):  # the (j + 1)-th fewer: those on shift there are then ``present - j``
            cost = 0
            for e, slots in axes:
                on = present[e] - j
                slot = np.where(on <= p.floor[line][e], WEIGHT_FLOOR,
                                np.where(on <= p.required[line][e], WEIGHT_SHORT, 0))
                cost += int(slot[slots & p.open_slots[line][e]].sum()) * p.slot_min
            steps.append(cost)
        costs[d, s] = steps
    return costs


def _keeping_counts(exact: cp_model.CpModel, names: Budget, share: Budget, seed: int,
                    workers: int) -> tuple[cp_model.CpSolver, int]:
    """A team's roster on exactly its counts (``exact``), found without the objective on up to
    half of the names' work left (``names``: more than one team's ``share``, which the teams
    named at once seldom need all of; L's first online team needed 1.2-4.7 s of work by seed,
    where half a team's share is about 1 s), then bettered with the objective from there on
    ``share``: (solver holding the roster found, its status), the status ``INFEASIBLE`` or
    ``UNKNOWN`` when none was found."""
    plain = exact.clone()
    plain.clear_objective()
    finder = names.solver(seed, workers, most_s=names.left() * 0.5, rate=PLACING_WORK_PER_S, at_least_s=0.5)
    status = finder.solve(plain)
    release(plain)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return finder, status
    hint_solution(exact, list(finder.response_proto.solution))
    solver = share.solver(seed, workers, most_s=NAME_EXACT_S, rate=PLACING_WORK_PER_S, at_least_s=0.5)
    better = solver.solve(exact)
    exact.clear_hints()
    if better in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver, better
    return finder, cp_model.FEASIBLE


CAPACITY_ROUNDS = 3  # re-solves of a team's any-change names after a mix found not to fit is cut


def _held_to_capacity(model: cp_model.CpModel, v, sub: RosterProblem, team: str, capacity: TeamCapacity | None,
                      share: Budget, seed: int, workers: int) -> tuple[cp_model.CpSolver, int]:
    """A team's names where any change is allowed, each of its days' mixes within what its meals
    and breaks take one at a time (``capacity``: the template limits, every mix known not to fit,
    and a mix these names make that is found not to fit cut and the team solved again, up to
    ``CAPACITY_ROUNDS`` times). Without it the search could put more of a team on a template
    than counted and its meals could not be placed (exit 4). Returns the last search and its
    status (where no round finds names within capacity, the last names found stand)."""
    line = sub.centre.teams[team].line
    if capacity is not None:
        add_template_limits(model, v, sub, capacity)
        for mix in sorted(capacity.infeasible.get(line, ())):
            add_mix_cut(model, v, sub, line, mix)
    solver = share.solver(seed, workers, rate=PLACING_WORK_PER_S, at_least_s=0.5)
    status = solver.solve(model)
    for _round in range(CAPACITY_ROUNDS if capacity is not None else 0):
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or share.done(0.5):
            break
        shifts = {(a, d): s for (a, d, s), var in v.shift.items() if solver.boolean_value(var)}
        bad = sorted({mix for d in range(len(sub.days)) for mix in team_mixes(sub, shifts, line, d).values()
                      if mix and not capacity.feasible(line, mix)})
        if not bad:
            break
        for mix in bad:
            add_mix_cut(model, v, sub, line, mix)
        again = share.solver(seed, workers, rate=PLACING_WORK_PER_S, at_least_s=0.5)
        found = again.solve(model)
        if found not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            break  # none within capacity in the time left: the names found stand (stage 3 will say)
        solver, status = again, found
    return solver, status


def name_agents(p: RosterProblem, counts: Counts, *, budget: Budget, seed: int = 0, workers: int = 1,
                capacity: TeamCapacity | None = None) -> tuple[dict[tuple[int, int], int], int]:
    """Named shifts ``(agent, day) -> template`` matching the counts, team by team, and the
    agent-days by which they had to move away from them (0 unless the counts admit no roster
    that keeps every per-agent rule; then the least change is taken, each agent-day moved
    costing ``WEIGHT_COUNT`` and, one fewer, what that costs the line: the moves go where the
    line can spare them, not onto a peak day's tight hours). ``capacity``: where a change must
    put more on a cell than counted, each team-day's mix is held to what its meals and breaks
    take one at a time (``_held_to_capacity``)."""
    shifts: dict[tuple[int, int], int] = {}
    moved = 0
    teams = _teams(p)
    counts = dict(counts)  # each team's own, once named
    for position, team in enumerate(teams):
        sub, members = team_problem(p, team)
        model = cp_model.CpModel()
        v = create_day_vars(model, sub)
        penalties = [term for rule in NAME_RULES for term in rule(model, v, sub)]
        cells = {}
        for (_a, e, t), var in v.shift.items():
            cells.setdefault((e, t), []).append(var)
        wanted = {(d, s): n for (g, d, s), n in counts.items() if g == team}
        share = budget.part(1 / (len(teams) - position))  # the team's share of what is left
        # The counts exactly (fast: they fix most of the model), and only when no roster keeps
        # them, the least change from them.
        minimize(model, penalties)
        exact = model.clone()
        for key in set(cells) | set(wanted):
            exact.add(sum(cells.get(key, [])) == wanted.get(key, 0))
        solver = share.solver(seed, workers, most_s=NAME_EXACT_S, rate=PLACING_WORK_PER_S, at_least_s=0.5)
        status = solver.solve(exact)
        if status == cp_model.UNKNOWN:
            # not shown impossible, only not found in its work (L: one team in 25, whose counts
            # any search keeps in a second): a roster on the counts, the objective left out, then
            # the objective from it; the counts are left only where no roster keeps them
            solver, status = _keeping_counts(exact, budget, share, seed, workers)
        deviations, lost = [], []
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = {key: solver.boolean_value(exact.get_bool_var_from_proto_index(var.index))
                      for key, var in v.shift.items()}
        else:
            fewer_costs = cost_of_fewer(p, counts, team)
            for key in set(cells) | set(wanted):
                on, want = cells.get(key, []), wanted.get(key, 0)
                if not on:
                    moved += want
                    continue
                name = f"counts[team={team},day={key[0]},shift={key[1]}]"
                drops = [model.new_bool_var(f"{name},fewer={j + 1}") for j in range(want)]  # the first, second, ...
                for one, two in itertools.pairwise(drops):
                    model.add_implication(two, one)
                over = model.new_int_var(0, len(on), f"{name},over")
                model.add(sum(on) - want == over - sum(drops))
                deviations += [*drops, over]
                lost += [cost * drop for cost, drop in zip(fewer_costs.get(key, []), drops, strict=False) if cost]
            penalties.append(Penalty("counts", "moved", sum(deviations), WEIGHT_COUNT))
            penalties.append(Penalty("counts", "cover lost", sum(lost), 1))
            minimize(model, penalties)
            # First with no cell above its count: a team-day's mix whose meals and breaks fit one
            # away at a time still fits with fewer on it, where one with more may not (stage 3
            # would then find no placement); only when that keeps no roster, any change.
            fewer = model.clone()
            for key, on in cells.items():
                fewer.add(sum(on) <= wanted.get(key, 0))
            solver = share.solver(seed, workers, most_s=max(share.left() * 0.5, NAME_FEWER_LEAST_S),
                                  rate=PLACING_WORK_PER_S, at_least_s=NAME_FEWER_LEAST_S)
            status = solver.solve(fewer)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                values = {key: solver.boolean_value(fewer.get_bool_var_from_proto_index(var.index))
                          for key, var in v.shift.items()}
            else:
                solver, status = _held_to_capacity(model, v, sub, team, capacity, share, seed, workers)
                values = {key: solver.boolean_value(var) for key, var in v.shift.items()}
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise StaffingError(f"team {team}: no named roster found for its shift counts in the time left: give "
                                "more time (--time-limit)", exit_code=4)
        moved += sum(int(solver.value(dev)) for dev in deviations)
        for key in [key for key in counts if key[0] == team]:
            del counts[key]
        for (a, d, s), chosen in values.items():
            if chosen:
                shifts[members[a], d] = s
                counts[team, d, s] = counts.get((team, d, s), 0) + 1
    return shifts, moved


def below_floor(p: RosterProblem, counts: Counts) -> list[str]:
    """Line-days and times where the counts leave fewer on shift than the floor."""
    out = []
    for line in p.lines:
        teams = set(p.line_teams(line))
        worked = [(d, s, n) for (team, d, s), n in counts.items() if team in teams]
        for d, day in enumerate(p.days):
            low = np.flatnonzero(on_shift(p, worked, d) < p.floor[line][d])
            if len(low):
                out.append(f"line {line} on {day} {slot_spans(p, low.tolist())}")
    return out


__all__ = ["COUNT_RULES", "Counts", "below_floor", "count_values", "create_count_vars", "name_agents"]
