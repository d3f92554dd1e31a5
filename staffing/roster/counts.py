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
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from staffing.domain import MINUTES_PER_DAY
from staffing.errors import StaffingError
from staffing.roster.patterns import PATTERN_RULES, add_shift_cover
from staffing.roster.problem import RosterProblem
from staffing.roster.rules import (
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
from staffing.roster.search import make_solver
from staffing.roster.variables import CountVars, Penalty, create_day_vars

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


COUNT_RULES: tuple[Callable[[cp_model.CpModel, CountVars, RosterProblem], list[Penalty]], ...] = (
    add_team_days, add_team_rest_days, add_team_consecutive_days, add_team_rest_between_shifts,
    add_away_capacity, add_coverage, add_daily_cap, add_hours, add_shift_cover)

# Naming the agents: every per-agent rule, exactly; fairness spread within the team.
NAME_RULES = (add_one_shift_per_day, add_interchangeable_order, add_rest_days_per_month,
              add_max_consecutive_working_days, add_min_rest_between_shifts, add_fair_shifts, *PATTERN_RULES)
WEIGHT_COUNT = 100_000  # per agent-day a team's named roster moves away from its counts
NAME_EXACT_S = 2.0      # seconds per team to name agents on exactly the counts (fairness as far as it gets)


def count_values(v: CountVars, solver: cp_model.CpSolver) -> Counts:
    return {key: int(solver.value(var)) for key, var in v.count.items()}


def count_mixes(p: RosterProblem, counts: Counts, line: str, d: int) -> dict[str, tuple[tuple[int, int], ...]]:
    """The template mix (templates with meals or breaks) each team of the line works on day d."""
    out: dict[str, list[tuple[int, int]]] = {}
    for (team, day, s), n in counts.items():
        template = p.templates[s]
        if day == d and n and p.centre.teams[team].line == line and (template.meals or template.breaks):
            out.setdefault(team, []).append((s, n))
    return {team: tuple(sorted(mix)) for team, mix in out.items()}


def team_problem(p: RosterProblem, team: str) -> tuple[RosterProblem, list[int]]:
    """The instance restricted to one team's agents, and their indices in ``p``."""
    members = p.team_agents(team)
    local = {a: i for i, a in enumerate(members)}
    leave = {(local[a], d): code for (a, d), code in p.leave.items() if a in local}
    sub = dataclasses.replace(p, agents=tuple(p.agents[a] for a in members), allowed=p.allowed[members],
                              available=p.available[members], leave=leave)
    return sub, members


def name_agents(p: RosterProblem, counts: Counts, *, deadline: float, seed: int = 0,
                workers: int = 1) -> tuple[dict[tuple[int, int], int], int]:
    """Named shifts ``(agent, day) -> template`` matching the counts, team by team, and the
    agent-days by which they had to move away from them (0 unless the counts admit no roster
    that keeps every per-agent rule; then the least change is taken)."""
    shifts: dict[tuple[int, int], int] = {}
    moved = 0
    teams = _teams(p)
    for position, team in enumerate(teams):
        sub, members = team_problem(p, team)
        model = cp_model.CpModel()
        v = create_day_vars(model, sub)
        penalties = [term for rule in NAME_RULES for term in rule(model, v, sub)]
        cells = {}
        for (_a, e, t), var in v.shift.items():
            cells.setdefault((e, t), []).append(var)
        wanted = {(d, s): n for (g, d, s), n in counts.items() if g == team}
        share = max((deadline - time.perf_counter()) / (len(teams) - position), 0.5)
        # The counts exactly (fast: they fix most of the model), and only when no roster keeps
        # them, the least change from them.
        model.minimize(sum(term.weight * term.expr for term in penalties))
        exact = model.clone()
        for key in set(cells) | set(wanted):
            exact.add(sum(cells.get(key, [])) == wanted.get(key, 0))
        solver = make_solver(min(share, NAME_EXACT_S), seed, workers, at_least_s=0.5)
        status = solver.solve(exact)
        deviations = []
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = {key: solver.boolean_value(exact.get_bool_var_from_proto_index(var.index))
                      for key, var in v.shift.items()}
        else:
            for key in set(cells) | set(wanted):
                on, want = cells.get(key, []), wanted.get(key, 0)
                if not on:
                    moved += want
                    continue
                dev = model.new_int_var(0, max(len(on), want), f"counts[team={team},day={key[0]},shift={key[1]}]")
                model.add(sum(on) - want <= dev)
                model.add(want - sum(on) <= dev)
                deviations.append(dev)
            penalties.append(Penalty("counts", "moved", sum(deviations), WEIGHT_COUNT))
            model.minimize(sum(term.weight * term.expr for term in penalties))
            solver = make_solver(share, seed, workers, at_least_s=0.5)
            status = solver.solve(model)
            values = {key: solver.boolean_value(var) for key, var in v.shift.items()}
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise StaffingError(f"team {team}: no named roster found for its shift counts in the time left: give "
                                "more time (--time-limit)", exit_code=4)
        moved += sum(int(solver.value(dev)) for dev in deviations)
        for (a, d, s), chosen in values.items():
            if chosen:
                shifts[members[a], d] = s
    return shifts, moved


__all__ = ["COUNT_RULES", "Counts", "count_mixes", "count_values", "create_count_vars", "name_agents"]


ROLL_DAYS = 7        # rolling stage 1: a week at a time for horizons longer than ROLL_FROM days
ROLL_FROM = 10
ROLL_WEEK_S = 8.0     # at most this long on one week's search (the whole horizon is searched after)
ROLL_ABS_GAP = 10_000  # a week's search stops this close to its bound (10 agent-minutes short)


def truncate(p: RosterProblem, days: int) -> RosterProblem:
    """The instance cut to its first ``days`` service days (rest days then owed pro rata)."""
    return dataclasses.replace(
        p, days=p.days[:days], available=p.available[:, :days],
        leave={key: code for key, code in p.leave.items() if key[1] < days},
        required={line: a[:days] for line, a in p.required.items()},
        floor={line: a[:days] for line, a in p.floor.items()},
        day_min={line: a[:days] for line, a in p.day_min.items()},
        open_slots={line: a[:days] for line, a in p.open_slots.items()},
        peak_days=frozenset(d for d in p.peak_days if d in p.days[:days]),
        days_off=frozenset(key for key in p.days_off if key[1] < days),
        wishes=tuple(wish for wish in p.wishes if wish.day < days),
        shift_cover={key: value for key, value in p.shift_cover.items() if key[0] < days})


def rolling_counts(p: RosterProblem, capacity, *, deadline: float, seed: int, workers: int,
                   progress: Callable[[str], None] | None = None) -> Counts | None:
    """A first roster of counts for a long horizon, a week at a time: each week is solved with
    the weeks before it fixed and the rules over everything so far (rest days owed pro rata up to
    that day), team mixes that cannot take their breaks cut as they appear. ``None`` when a week
    finds nothing in its time (the whole-horizon search then starts from scratch)."""
    from staffing.roster.capacity import add_mix_cut, add_template_limits

    began = time.perf_counter()
    fixed: Counts = {}
    ends = [*range(ROLL_DAYS, len(p.days), ROLL_DAYS), len(p.days)]
    if len(ends) > 1 and ends[-1] - ends[-2] < 3:  # no stub week at the end
        ends.pop(-2)
    for position, end in enumerate(ends):
        sub = truncate(p, end)
        model = cp_model.CpModel()
        v = create_count_vars(model, sub)
        penalties = [term for rule in COUNT_RULES for term in rule(model, v, sub)]
        add_template_limits(model, v, sub, capacity)
        for line, mixes in capacity.infeasible.items():
            for mix in mixes:
                add_mix_cut(model, v, sub, line, mix)
        for key, var in v.count.items():
            if key in fixed:
                model.add(var == fixed[key])
        model.minimize(sum(term.weight * term.expr for term in penalties))
        first = 0 if position == 0 else ends[position - 1]
        for attempt in range(4):
            share = min((deadline - time.perf_counter()) / (len(ends) - position) / (1.0 if attempt else 1.5),
                        ROLL_WEEK_S)
            solver = make_solver(share, seed, workers, at_least_s=0.5)
            solver.parameters.relative_gap_limit = 0.005
            solver.parameters.absolute_gap_limit = ROLL_ABS_GAP
            status = solver.solve(model)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                # nothing in its time: any counts that keep the rules, then the objective from them
                feasible = model.clone()
                feasible.clear_objective()
                finder = make_solver(max(ROLL_WEEK_S, share), seed, workers, at_least_s=0.5)
                if finder.solve(feasible) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    return None
                model.clear_hints()
                for index in range(len(model.proto.variables)):
                    model.add_hint(model.get_int_var_from_proto_index(index),
                                   finder.value(feasible.get_int_var_from_proto_index(index)))
                solver = make_solver(max(share, ROLL_WEEK_S), seed, workers, at_least_s=0.5)
                status = solver.solve(model)
                if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    return None
            week = {key: int(solver.value(var)) for key, var in v.count.items() if key[1] >= first}
            cuts = 0
            for line in sub.lines:
                for d in range(first, end):
                    for mix in count_mixes(sub, week, line, d).values():
                        if mix and not capacity.feasible(line, mix):
                            add_mix_cut(model, v, sub, line, mix)
                            cuts += 1
            if not cuts:
                break
        fixed.update(week)
        if progress is not None:
            progress(f"days {p.days[first]}..{p.days[end - 1]}: objective so far {solver.objective_value:,.0f}, "
                     f"{len(ends) - position - 1} week(s) to go, {time.perf_counter() - began:.1f} s")
    return fixed
