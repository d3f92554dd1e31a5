"""The LP relaxation of a CP-SAT model of linear constraints, solved by HiGHS.

A day of one team with its meals and breaks as paths (``paths.add_coverage_paths``) is a
flow with a few side rows, and its LP is nearly whole: on bench S the LP of each (day, agents
at work) is within 0-3,000 of the day's optimum (of 13,840-1,861,620), often equal to it, in
about 40 ms where CP-SAT takes 0.3-3.5 s to prove the optimum. So the days' bound
(``daybound``) asks the LP first and CP-SAT only where the LP leaves a gap that matters.

The relaxation drops integrality and takes each domain's hull (a variable's or a row's holes
are ignored), so its optimum is a lower bound of the model's. Every variable of a CP-SAT
model is integer, so the objective is a multiple of its coefficients' greatest common divisor
and the bound is rounded up to one. Where the LP's solution is whole and, rounded, keeps every
row exactly, it is a solution of the model at the bound: the model's optimum.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import linprog

from staffing.roster.search import Budget

LP_S_PER_NONZERO = 5e-6  # work charged per nonzero of the model for one HiGHS solve (S's days: 8,000, 40 ms)
_INFINITE = 2**62
_WHOLE = 1e-6            # a value this close to an integer is that integer
_SLACK = 1e-4            # of the objective's step: HiGHS's tolerance, kept off the rounding up


@dataclasses.dataclass
class Relaxed:
    """The LP's bound of the model's objective (``math.inf`` where the LP has no solution, so
    neither has the model) and, where its solution is whole and keeps every row, that solution
    (the model's optimum then equals the bound)."""

    bound: float
    values: np.ndarray | None = None

    @property
    def exact(self) -> bool:
        return self.bound == math.inf or self.values is not None


def _ref(ref: int, coeff: int) -> tuple[int, int, int]:
    """A term on a reference as (variable, coefficient, constant): not(x) is 1 - x."""
    return (ref, coeff, 0) if ref >= 0 else (-ref - 1, -coeff, coeff)


def linear_relaxation(model: cp_model.CpModel, budget: Budget) -> Relaxed | None:
    """The LP relaxation of ``model`` by HiGHS, charged to ``budget`` by the model's size;
    ``None`` where the model has a constraint other than a plain linear one, or the LP fails."""
    proto = model.proto
    scale = proto.objective.scaling_factor or 1.0
    if scale < 0 or proto.has_floating_point_objective():  # a maximisation, or an objective in floats
        return None
    variables = len(proto.variables)
    domains = [list(var.domain) for var in proto.variables]
    low = np.array([-np.inf if dom[0] <= -_INFINITE else dom[0] for dom in domains], dtype=float)
    high = np.array([np.inf if dom[-1] >= _INFINITE else dom[-1] for dom in domains], dtype=float)
    rows, cols, coeffs, row_low, row_high = [], [], [], [], []
    for ct in proto.constraints:
        if not ct.has_linear() or len(ct.enforcement_literal):
            return None
        shift = 0
        for ref, coeff in zip(ct.linear.vars, ct.linear.coeffs, strict=True):
            var, k, constant = _ref(ref, coeff)
            rows.append(len(row_low))
            cols.append(var)
            coeffs.append(k)
            shift += constant
        dom = list(ct.linear.domain)
        row_low.append(-np.inf if dom[0] <= -_INFINITE else dom[0] - shift)
        row_high.append(np.inf if dom[-1] >= _INFINITE else dom[-1] - shift)
    matrix = sparse.csr_matrix((np.array(coeffs, dtype=float), (rows, cols)), shape=(len(row_low), variables))
    cost = np.zeros(variables)
    offset = float(proto.objective.offset)
    for ref, coeff in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        var, k, constant = _ref(ref, coeff)
        cost[var] += k
        offset += constant
    budget.charge(LP_S_PER_NONZERO * (matrix.nnz + variables))
    row_low, row_high = np.array(row_low, dtype=float), np.array(row_high, dtype=float)
    equal = row_low == row_high
    upper, lower = ~equal & np.isfinite(row_high), ~equal & np.isfinite(row_low)
    a_ub = sparse.vstack([matrix[upper], -matrix[lower]]).tocsr() if (upper | lower).any() else None
    result = linprog(cost, A_ub=a_ub,
                     b_ub=None if a_ub is None else np.concatenate([row_high[upper], -row_low[lower]]),
                     A_eq=matrix[equal] if equal.any() else None, b_eq=row_low[equal] if equal.any() else None,
                     bounds=list(zip(np.where(np.isfinite(low), low, None), np.where(np.isfinite(high), high, None),
                                     strict=True)), method="highs")
    if result.status == 2:  # infeasible: so is the model
        return Relaxed(math.inf)
    if result.status != 0:
        return None
    step = math.gcd(*(int(k) for k in cost if k)) or 1
    bound = (math.ceil(result.fun / step - _SLACK) * step + offset) * scale
    whole = np.round(result.x)
    if np.abs(result.x - whole).max(initial=0.0) > _WHOLE:
        return Relaxed(bound)
    # whole: is it a solution, exactly, and at the bound?
    done = matrix @ whole
    keeps = (done >= row_low).all() and (done <= row_high).all() and (whole >= low).all() and (whole <= high).all()
    if keeps and (float(cost @ whole) + offset) * scale <= bound:
        return Relaxed(bound, whole.astype(np.int64))
    return Relaxed(bound)


__all__ = ["LP_S_PER_NONZERO", "Relaxed", "linear_relaxation"]
