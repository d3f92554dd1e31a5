"""A line-day's least cost with n of its team at work, proven over its template mixes.

The days' bound (``daybound``) needs, for a few (day, n) cells, the least cost exactly: the
shortage, floor and excess with meals and breaks placed (``paths``), and the hours. Its LP is
close but fractional, and CP-SAT on the whole cell spends most of its work choosing the mix
(how many on each template): on bench S, 2026-08-29 with six at work, the LP is 402,890 against the
optimum 413,070, and CP-SAT takes 1.6-8.4 s of work by seed to prove it. With the mix fixed,
the LP is tight: of that cell's 462 mixes only one has an LP below the optimum, the optimal
mix itself at 406,070 (the next is 413,180), and CP-SAT places its meals and breaks in 0.2-0.5 s
of work.

So ``least`` branches on the mix, a template at a time, depth first (the value nearest the
LP's first), each node bounded by its LP and pruned at the best day found; where the whole mix
is fixed and the LP is still fractional, CP-SAT solves that mix below the best day found. The
LP is kept in GLOP, OR-Tools' simplex, between nodes (``WarmLp``): a node changes a few bounds
and re-solves from the last basis (S: about 17 ms a node, where HiGHS through SciPy starts
afresh each time in 40-50 ms). On S the seven cells of the optimum are proven in 18-46 nodes
and 0-3 CP-SAT mixes each, 0.3-1.9 s. A day with a rule that is not a plain linear row has
no LP: there ``least`` is CP-SAT on the whole day, as the cells were solved before.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from staffing.roster.lp import LpArrays, Relaxed, lp_arrays
from staffing.roster.search import Budget, release, set_domain

LP_WARM_S_PER_NONZERO = 2e-6  # work charged per nonzero for one warm re-solve (S's days: 8,000 nonzeros, 17 ms)
LEAF_S = 2.0                  # work at most for CP-SAT on one mix (S: 0.1-0.5)
LEAST_NODE_S = 0.02           # no node started on less work than this

Day = tuple[float, dict[int, int]]  # a day found: its cost and agents per template


class WarmLp:
    """A model's LP (``lp.LpArrays``) held in GLOP (OR-Tools' simplex) between solves: after the
    first, each solve starts from the last basis, so one that changes a few bounds costs a few
    pivots."""

    def __init__(self, arrays: LpArrays) -> None:
        self.arrays = dataclasses.replace(arrays, row_low=arrays.row_low.copy(), row_high=arrays.row_high.copy(),
                                          col_low=arrays.col_low.copy(), col_high=arrays.col_high.copy())
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        infinity = self.solver.infinity()
        self.vars = [self.solver.NumVar(max(low, -infinity), min(high, infinity), "")
                     for low, high in zip(arrays.col_low, arrays.col_high, strict=True)]
        self.rows = []
        matrix = arrays.matrix.tocsr()
        for r in range(matrix.shape[0]):
            row = self.solver.Constraint(max(arrays.row_low[r], -infinity), min(arrays.row_high[r], infinity))
            for k in range(matrix.indptr[r], matrix.indptr[r + 1]):
                row.SetCoefficient(self.vars[matrix.indices[k]], float(matrix.data[k]))
            self.rows.append(row)
        objective = self.solver.Objective()
        for i in np.flatnonzero(arrays.cost):
            objective.SetCoefficient(self.vars[i], float(arrays.cost[i]))
        objective.SetMinimization()
        self.nonzeros = matrix.nnz + matrix.shape[1]
        self.x: np.ndarray | None = None  # the last solve's solution

    def column(self, i: int, low: float, high: float) -> None:
        if (self.arrays.col_low[i], self.arrays.col_high[i]) != (low, high):
            self.arrays.col_low[i], self.arrays.col_high[i] = low, high
            self.vars[i].SetBounds(low, high)

    def row(self, r: int, low: float, high: float) -> None:
        if (self.arrays.row_low[r], self.arrays.row_high[r]) != (low, high):
            self.arrays.row_low[r], self.arrays.row_high[r] = low, high
            infinity = self.solver.infinity()
            self.rows[r].SetBounds(max(low, -infinity), min(high, infinity))

    def solve(self, budget: Budget) -> Relaxed | None:
        """The LP under the bounds as they stand (``lp.LpArrays.relaxed``); ``None`` where GLOP fails."""
        budget.charge(LP_WARM_S_PER_NONZERO * self.nonzeros)
        status = self.solver.Solve()
        self.x = None
        if status == pywraplp.Solver.INFEASIBLE:
            return Relaxed(math.inf)
        if status != pywraplp.Solver.OPTIMAL:
            return None
        self.x = np.array([var.solution_value() for var in self.vars])
        return self.arrays.relaxed(self.solver.Objective().Value(), self.x)


class DayModel:
    """One line-day's CP-SAT model with the team's count on each template (``counts``: template
    -> variable) free: rows for the agents at work and on evening shifts, whose bounds each
    question sets, and the same model's LP kept warm."""

    def __init__(self, model: cp_model.CpModel, counts: dict[int, cp_model.IntVar], evening: list) -> None:
        self.model = model
        self.templates = sorted(counts)
        self.columns = [counts[t].index for t in self.templates]
        self.total_row = _row(model, list(counts.values()))
        self.evening_row = _row(model, evening)
        arrays = lp_arrays(model)  # None where a rule is not a plain linear row: then CP-SAT on the whole day
        self.lp = None if arrays is None else WarmLp(arrays)
        if arrays is not None:
            self.low = arrays.col_low[self.columns].copy()
            self.high = arrays.col_high[self.columns].copy()

    def ask(self, n: int, evening: tuple[float, float] | None) -> None:
        """Set the rows: ``n`` at work, the evening shifts' count within ``evening`` (any where ``None``)."""
        if self.lp is None:
            return
        self.lp.row(self.total_row, n, n)
        self.lp.row(self.evening_row, *(evening or (0, math.inf)))

    def asked(self, n: int, evening: tuple[float, float] | None) -> cp_model.CpModel:
        """A copy of the CP-SAT model with its rows set as ``ask`` sets the LP's."""
        model = self.model.clone()
        for r, (low, high) in ((self.total_row, (n, n)), (self.evening_row, evening or (0, math.inf))):
            domain = model.proto.constraints[r].linear.domain
            domain.clear()
            domain.extend([int(low), int(min(high, cp_model.INT_MAX))])
        return model

    def fix(self, prefix: tuple[int, ...]) -> None:
        """Fix the first templates' counts to ``prefix``, the others free."""
        for j, column in enumerate(self.columns):
            low, high = (prefix[j], prefix[j]) if j < len(prefix) else (self.low[j], self.high[j])
            self.lp.column(column, low, high)

    def relaxed(self, n: int, evening: tuple[float, float] | None, budget: Budget) -> Relaxed | None:
        """The LP of the day with ``n`` at work (and its evening count within ``evening``); ``None``
        where the day has no LP."""
        if self.lp is None:
            return None
        self.ask(n, evening)
        self.fix(())
        return self.lp.solve(budget)

    def found(self, values: np.ndarray, cost: float) -> Day:
        return cost, {t: int(values[c]) for t, c in zip(self.templates, self.columns, strict=True)}


def _row(model: cp_model.CpModel, terms: list) -> int:
    """A row ``sum(terms) >= 0`` (a variable fixed at 0 where there are none): its index."""
    index = len(model.proto.constraints)
    model.add(sum(terms) >= 0 if terms else model.new_int_var(0, 0, "nobody") >= 0)
    return index


@dataclasses.dataclass
class Least:
    """What ``least`` proved: no day costs less than ``bound`` (or, under a cutoff, none
    below it where ``bound`` is the cutoff); ``found`` the cheapest day found (if any), exact
    where it costs the bound."""

    bound: float
    found: Day | None = None

    @property
    def exact(self) -> bool:
        return self.bound == math.inf or (self.found is not None and self.found[0] <= self.bound + 1e-6)


def least(day: DayModel, n: int, budget: Budget, seed: int, *, evening: tuple[float, float] | None = None,
          cutoff: float = math.inf) -> Least:
    """The least cost of ``day`` with ``n`` at work (the evening count within ``evening``), by
    branch and bound over the template mixes (module doc), on ``budget``'s work. With a
    ``cutoff``, days costing that or more are not looked for: ``bound`` is then the cutoff
    where none cheaper exists."""
    if day.lp is None:  # no LP to branch on: CP-SAT on the whole day, on the work there is
        status, low, found = _mix(day, n, evening, None, cutoff, budget, seed, budget.left())
        if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            return Least(found[0] if found is not None else cutoff, found)
        return Least(min(low, cutoff), found)
    day.ask(n, evening)
    best: Day | None = None
    ceiling = cutoff                      # days at or above it are pruned
    unproven: list[float] = []            # bounds of what the work left unsearched
    stack: list[tuple[tuple[int, ...], float]] = [((), -math.inf)]
    last = len(day.columns) - 1           # the last template's count follows from n
    while stack:
        prefix, parent = stack.pop()
        if parent >= ceiling:
            continue
        if budget.done(LEAST_NODE_S):
            unproven += [parent, *(bound for _prefix, bound in stack)]
            break
        day.fix(prefix)
        relaxed = day.lp.solve(budget)
        bound = parent if relaxed is None else max(relaxed.bound, parent)
        if bound >= ceiling:
            continue
        if relaxed is not None and relaxed.values is not None:  # whole: this subtree's best day
            best, ceiling = day.found(relaxed.values, relaxed.bound), relaxed.bound
            continue
        if len(prefix) >= last:  # the whole mix fixed, its meals and breaks fractional: CP-SAT
            mix = (*prefix, n - sum(prefix))[: len(day.columns)]
            status, low, found = _mix(day, n, evening, mix, ceiling, budget, seed)
            if found is not None and found[0] < ceiling:
                best, ceiling = found, found[0]
            if status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
                unproven.append(max(low, bound))
            continue
        j = len(prefix)
        guess = day.lp.x[day.columns[j]] if day.lp.x is not None else 0.0
        most = int(min(n - sum(prefix), day.high[j]))
        values = sorted(range(int(day.low[j]), most + 1), key=lambda v: (abs(v - guess), v))
        stack.extend(((*prefix, v), bound) for v in reversed(values))
    return Least(min([ceiling, *unproven]), best)


def _mix(day: DayModel, n: int, evening: tuple[float, float] | None, mix: tuple[int, ...] | None, ceiling: float,
         budget: Budget, seed: int, most_s: float = LEAF_S) -> tuple[int, float, Day | None]:
    """CP-SAT on one mix (every mix where ``None``), below ``ceiling``, on at most ``most_s`` of
    work: its status, bound and the day found (if any)."""
    model = day.asked(n, evening)
    for column, k in zip(day.columns, mix or (), strict=mix is not None):
        set_domain(model, column, [k, k])
    if ceiling < math.inf:  # strictly cheaper than the best day found
        objective = model.proto.objective
        scale = objective.scaling_factor or 1.0
        top = math.ceil(ceiling / scale - objective.offset - 1e-9) - 1
        model.add(sum(c * (model.get_int_var_from_proto_index(v) if v >= 0
                           else 1 - model.get_int_var_from_proto_index(-v - 1))
                      for v, c in zip(objective.vars, objective.coeffs, strict=True)) <= top)
    solver = budget.solver(seed, 1, most_s=most_s)
    solver.parameters.linearization_level = 2
    status = solver.solve(model)
    found = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = np.array([solver.value(model.get_int_var_from_proto_index(c)) for c in day.columns])
        found = (solver.objective_value, dict(zip(day.templates, (int(v) for v in values), strict=True)))
    low = math.inf if status == cp_model.INFEASIBLE else solver.best_objective_bound
    release(model)
    return status, low, found


__all__ = ["DayModel", "Least", "WarmLp", "least"]
