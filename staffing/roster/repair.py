"""Repair after naming: where the counts admitted no named roster that keeps every per-agent rule,
naming moved agent-days off them wherever its team's model could spare them, one team at a time,
and the line's cover lost there is not the least the rules allow. Here the named roster is taken
into the per-agent day model over the whole horizon (every day-level rule, coverage slot by slot)
and improved a neighbourhood at a time (``improve.py``: a few agents' horizons, a window of days
around a short one, a block), until it meets the stages' bound or its share of the work is spent.

With no meal or break to place, the day model's coverage is the roster's exact cover, so a
better objective here is a better roster. With meals and breaks, the model counts agents on
shift, so each slot's requirement is raised by the agents stage 1 placed away there (its
placement of the counts' meals and breaks, ``polish.polish_days``); each team's templates stay
within what its meals and breaks take one at a time (``add_away_capacity``, the template limits,
every mix known not to fit), and a roster that gives a team a mix found not to fit is refused,
the mix cut. Stage 3 then places the repaired roster's meals and breaks exactly, falling back to
the names as made where they do not fit (``assemble.placed_or_unrepaired``). The repaired roster
is kept by that estimate (stage 1's placement of the counts, the floor counted on shift), not
compared with the names as made after both are placed. On the rostering
comparison's 30 people with meals and at most 3 weekends each (``bench/meals_month.py``): 179
agent-hours short -> 100 on 100 s of work. Without stage 1's placement (centres too large for
it) a centre with meals is not repaired.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from staffing.roster.capacity import TeamCapacity, add_mix_cut, add_template_limits, team_mixes
from staffing.roster.exact import EXACT_RULES, add_exact_coverage, exact_size
from staffing.roster.improve import Incumbent, improve
from staffing.roster.problem import RosterProblem
from staffing.roster.rules import add_away_capacity
from staffing.roster.search import Budget, set_domain
from staffing.roster.variables import DayVars, create_day_vars, minimize

REPAIR_SHARE = 0.7  # of the work naming was meant to leave: the named roster improved in the day model; the
#                     rest to placing its meals and breaks and to the bounds
REPAIR_LEAST_S = 1.0  # work below which a named roster moved off its counts is not repaired
READ_S = 5.0        # at most this much work to read the named roster into the day model

Paths = dict[tuple[str, int, int], list[list[tuple[str, int]]]]  # stage 1's meals and breaks (``polish``)


def repairable(p: RosterProblem, paths: Paths | None = None) -> bool:
    """Whether the day model can repair a named roster: no meal or break to place (the day model
    is then the whole problem), or stage 1's placement of them in ``paths``."""
    return exact_size(p) == 0 or bool(paths)


def repaired(p: RosterProblem, shifts: dict[tuple[int, int], int], bound: float, *, budget: Budget, seed: int,
             workers: int, capacity: TeamCapacity | None = None, paths: Paths | None = None,
             report: Callable[[str], None] | None = None) -> dict[tuple[int, int], int] | None:
    """The named ``shifts`` improved in the per-agent day model on ``budget`` (stopping at
    ``bound``): the better roster's shifts, or ``None`` where none better was found (or the
    named roster breaks a rule of the day model that naming leaves to it, or is not read in time,
    or it has meals and breaks and no ``paths`` to estimate them by). ``capacity``: the teams'
    known mixes, where there are meals and breaks."""
    if not repairable(p, paths):
        return None
    meals = exact_size(p) > 0
    model = cp_model.CpModel()
    day_model = with_away(p, paths) if meals else p
    v = create_day_vars(model, day_model)
    penalties = [term for rule in EXACT_RULES for term in rule(model, v, day_model)]
    penalties += add_exact_coverage(model, v, day_model, {})
    accept = None
    if meals:
        capacity = capacity or TeamCapacity(p, seed)
        add_away_capacity(model, v, p)
        add_template_limits(model, v, p, capacity)
        for line, mixes in sorted(capacity.infeasible.items()):
            for mix in sorted(mixes):
                add_mix_cut(model, v, p, line, mix)
        accept = _fits(model, v, p, capacity)
    minimize(model, penalties)
    start = _read(model, v, shifts, budget, seed, workers)
    if start is None or (accept is not None and not accept(start.values)):
        return None  # (a named mix that cannot fit: stage 3 says so, the repair cannot start from it)
    first = start.objective
    if report is not None:
        report(f"{first:,.0f} (the named roster in the day model)")
    improve(model, v, day_model, start, budget=budget, seed=seed, bound=bound, report=report, accept=accept)
    if start.objective >= first - 1e-9:
        return None
    return {(a, d): s for (a, d, s), var in v.shift.items() if start.values[var.index]}


def with_away(p: RosterProblem, paths: Paths) -> RosterProblem:
    """``p`` with each open slot's requirement raised by the agents ``paths`` place away there:
    on the day's own axis, and past midnight on the next day's too (as stage 1 counts them)."""
    meal = p.rules.meal_min // p.slot_min
    brk = -(-p.rules.break_min // p.slot_min)
    spd = 1440 // p.slot_min
    away = {line: np.zeros_like(p.required[line]) for line in p.lines}
    for (team, d, _s), found in paths.items():
        line = p.centre.teams[team].line
        for path in found:
            for kind, k in path:
                end = k + (meal if kind == "meal" else brk)
                away[line][d, k:end] += 1
                if end > spd and d + 1 < len(p.days):
                    away[line][d + 1, max(k, spd) - spd:end - spd] += 1
    return dataclasses.replace(p, required={
        line: np.where(p.open_slots[line], p.required[line] + away[line], p.required[line]) for line in p.lines})


def _fits(model: cp_model.CpModel, v: DayVars, p: RosterProblem,
          capacity: TeamCapacity) -> Callable[[list[int]], bool]:
    """Whether a roster of the day model (its solution vector) gives every team a mix of
    templates whose meals and breaks fit one at a time; a mix that does not is cut from the
    model for every team and day (``add_mix_cut``)."""
    def accept(values: list[int]) -> bool:
        shifts = {(a, d): s for (a, d, s), var in v.shift.items() if values[var.index]}
        bad = {(line, mix) for line in p.lines for d in range(len(p.days))
               for mix in team_mixes(p, shifts, line, d).values() if mix and not capacity.feasible(line, mix)}
        for line, mix in sorted(bad):
            add_mix_cut(model, v, p, line, mix)
        return not bad
    return accept


def _read(model: cp_model.CpModel, v, shifts: dict[tuple[int, int], int], budget: Budget, seed: int,
          workers: int) -> Incumbent | None:
    """The named roster as a full solution of the day model (its shift variables fixed, the rest
    solved for, unhinted), or ``None``."""
    domains = {var.index: list(model.proto.variables[var.index].domain) for var in v.shift.values()}
    for (a, d, s), var in v.shift.items():
        set_domain(model, var.index, [int(shifts.get((a, d)) == s)] * 2)
    try:
        solver = budget.solver(seed, workers, most_s=READ_S)
        status = solver.solve(model)
    finally:
        for index, domain in domains.items():
            set_domain(model, index, domain)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return Incumbent(list(solver.response_proto.solution), solver.objective_value)


__all__ = ["REPAIR_LEAST_S", "REPAIR_SHARE", "repairable", "repaired", "with_away"]
