"""Repair after naming: where the counts admitted no named roster that keeps every per-agent rule,
naming moved agent-days off them wherever its team's model could spare them, one team at a time,
and the line's cover lost there is not the least the rules allow. Here the named roster is taken
into the per-agent day model over the whole horizon (every day-level rule, coverage slot by slot)
and improved a neighbourhood at a time (``improve.py``: a few agents' horizons, a window of days
around a short one, a block), until it meets the stages' bound or its share of the work is spent.

Only for centres with no meal or break to place: there the day model's coverage is the roster's
exact cover, so a better objective here is a better roster. (With meals and breaks the day model
would count agents on the line who are away.)
"""

from __future__ import annotations

from collections.abc import Callable

from ortools.sat.python import cp_model

from staffing.roster.exact import EXACT_RULES, add_exact_coverage, exact_size
from staffing.roster.improve import Incumbent, improve
from staffing.roster.problem import RosterProblem
from staffing.roster.search import Budget, set_domain
from staffing.roster.variables import create_day_vars, minimize

REPAIR_SHARE = 0.7  # of the work left after naming: the named roster improved in the day model; the rest to
#                     placing (nothing to place here) and the bounds
REPAIR_LEAST_S = 1.0  # work left below which a named roster moved off its counts is not repaired
READ_S = 5.0        # at most this much work to read the named roster into the day model


def repairable(p: RosterProblem) -> bool:
    """Whether the day model is the whole problem (no meal or break to place)."""
    return exact_size(p) == 0


def repaired(p: RosterProblem, shifts: dict[tuple[int, int], int], bound: float, *, budget: Budget, seed: int,
             workers: int, report: Callable[[str], None] | None = None) -> dict[tuple[int, int], int] | None:
    """The named ``shifts`` improved in the per-agent day model on ``budget`` (stopping at
    ``bound``): the better roster's shifts, or ``None`` where none better was found (or the
    named roster breaks a rule of the day model that naming leaves to it, or is not read in time)."""
    model = cp_model.CpModel()
    v = create_day_vars(model, p)
    penalties = [term for rule in EXACT_RULES for term in rule(model, v, p)]
    penalties += add_exact_coverage(model, v, p, {})
    minimize(model, penalties)
    start = _read(model, v, shifts, budget, seed, workers)
    if start is None:
        return None
    first = start.objective
    if report is not None:
        report(f"{first:,.0f} (the named roster in the day model)")
    improve(model, v, p, start, budget=budget, seed=seed, bound=bound, report=report)
    if start.objective >= first - 1e-9:
        return None
    return {(a, d): s for (a, d, s), var in v.shift.items() if start.values[var.index]}


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


__all__ = ["REPAIR_LEAST_S", "REPAIR_SHARE", "repairable", "repaired"]
