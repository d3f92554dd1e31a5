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
IPM_S_PER_NONZERO = 2e-5  # the same by its interior point, for large flows (M's count model with eight days of
                          # paths: 532,000 nonzeros and variables, 10 s, where the dual simplex takes 70 s)
_INFINITE = 2**62
_WHOLE = 1e-6            # a value this close to an integer is that integer
_SLACK = 1e-4            # of the objective's step: HiGHS's tolerance, kept off the rounding up
_LARGE_SLACK = 1e-7      # of the objective itself, on the interior point's large models


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


def domain_low(domain) -> float:
    """A CP-SAT domain's lowest value, -inf where unbounded."""
    domain = list(domain)
    return -np.inf if domain[0] <= -_INFINITE else float(domain[0])


def domain_high(domain) -> float:
    """A CP-SAT domain's highest value, inf where unbounded."""
    domain = list(domain)  # the proto's repeated field takes no negative index
    return np.inf if domain[-1] >= _INFINITE else float(domain[-1])


def _terms(refs, coeffs) -> tuple[np.ndarray, np.ndarray, int]:
    """Terms on references as (variables, coefficients, constant): not(x) is 1 - x."""
    refs, coeffs = np.asarray(refs, dtype=np.int64), np.asarray(coeffs, dtype=np.int64)
    negated = refs < 0
    return np.where(negated, -refs - 1, refs), np.where(negated, -coeffs, coeffs), int(coeffs[negated].sum())


def linear_relaxation(model: cp_model.CpModel, budget: Budget, *, interior: bool = False) -> Relaxed | None:
    """The LP relaxation of ``model`` by HiGHS, charged to ``budget`` by the model's size;
    ``None`` where the model has a constraint other than a plain linear one, or the LP fails.
    ``interior``: by HiGHS's interior point method (then crossover), for large models."""
    proto = model.proto
    scale = proto.objective.scaling_factor or 1.0
    if scale < 0 or proto.has_floating_point_objective():  # a maximisation, or an objective in floats
        return None
    variables = len(proto.variables)
    low = np.array([domain_low(var.domain) for var in proto.variables])
    high = np.array([domain_high(var.domain) for var in proto.variables])
    rows, cols, coeffs, row_low, row_high = [], [], [], [], []
    for r, ct in enumerate(proto.constraints):
        if not ct.has_linear() or len(ct.enforcement_literal):
            return None
        on, by, constant = _terms(ct.linear.vars, ct.linear.coeffs)
        rows.append(np.full(len(on), r))
        cols.append(on)
        coeffs.append(by)
        row_low.append(domain_low(ct.linear.domain) - constant)
        row_high.append(domain_high(ct.linear.domain) - constant)
    rows, cols, coeffs = (np.concatenate(part) if part else np.zeros(0, dtype=np.int64)
                          for part in (rows, cols, coeffs))
    matrix = sparse.csr_matrix((coeffs.astype(float), (rows, cols)), shape=(len(row_low), variables))
    cost = np.zeros(variables)
    on, by, constant = _terms(proto.objective.vars, proto.objective.coeffs)
    np.add.at(cost, on, by)
    offset = float(proto.objective.offset) + constant
    budget.charge((IPM_S_PER_NONZERO if interior else LP_S_PER_NONZERO) * (matrix.nnz + variables))
    row_low, row_high = np.array(row_low, dtype=float), np.array(row_high, dtype=float)
    equal = row_low == row_high
    upper, lower = ~equal & np.isfinite(row_high), ~equal & np.isfinite(row_low)
    a_ub = sparse.vstack([matrix[upper], -matrix[lower]]).tocsr() if (upper | lower).any() else None
    result = linprog(cost, A_ub=a_ub,
                     b_ub=None if a_ub is None else np.concatenate([row_high[upper], -row_low[lower]]),
                     A_eq=matrix[equal] if equal.any() else None, b_eq=row_low[equal] if equal.any() else None,
                     bounds=list(zip(np.where(np.isfinite(low), low, None), np.where(np.isfinite(high), high, None),
                                     strict=True)), method="highs-ipm" if interior else "highs",
                     options={"time_limit": max(budget.wall_left(), 1.0)} if interior else None)
    if result.status == 2:  # infeasible: so is the model
        return Relaxed(math.inf)
    if result.status != 0:
        return None
    step = math.gcd(*(int(k) for k in cost if k)) or 1
    slack = max(_SLACK, _LARGE_SLACK * abs(result.fun) / step) if interior else _SLACK
    bound = (math.ceil(result.fun / step - slack) * step + offset) * scale
    whole = np.round(result.x)
    if np.abs(result.x - whole).max(initial=0.0) > _WHOLE:
        return Relaxed(bound)
    # whole: is it a solution, exactly, and at the bound?
    done = matrix @ whole
    keeps = (done >= row_low).all() and (done <= row_high).all() and (whole >= low).all() and (whole <= high).all()
    if keeps and (float(cost @ whole) + offset) * scale <= bound:
        return Relaxed(bound, whole.astype(np.int64))
    return Relaxed(bound)


__all__ = ["IPM_S_PER_NONZERO", "LP_S_PER_NONZERO", "Relaxed", "domain_high", "domain_low", "linear_relaxation"]
