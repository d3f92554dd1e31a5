"""The LP relaxation of a CP-SAT model of linear constraints, solved by HiGHS.

A day of one team with its meals and breaks as paths (``paths.add_coverage_paths``) is a
flow with a few side rows, and its LP is nearly whole: on bench S the LP of each (day, agents
at work) is within 0-3,000 of the day's optimum (of 13,840-1,861,620), often equal to it, in
about 40 ms where CP-SAT takes 0.3-3.5 s to prove the optimum. The bounds with meals and
breaks placed (``placebound``) solve it here; the days' bound keeps the same arrays
(``lp_arrays``) in a simplex of its own, re-solved warm from node to node (``daymix``).

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


@dataclasses.dataclass
class LpArrays:
    """A CP-SAT model's linear rows and domains as arrays: ``row_low <= matrix @ x <= row_high``,
    ``col_low <= x <= col_high`` (each domain's hull), minimise ``cost @ x``; the model's
    objective is ``(cost @ x + offset) * scale``, a multiple of ``step`` before scaling."""

    matrix: sparse.csr_matrix
    row_low: np.ndarray
    row_high: np.ndarray
    col_low: np.ndarray
    col_high: np.ndarray
    cost: np.ndarray
    offset: float
    scale: float
    step: int

    def bound(self, fun: float, *, interior: bool = False) -> float:
        """The model's objective bound from the LP's optimum ``fun``: rounded up to a step."""
        slack = max(_SLACK, _LARGE_SLACK * abs(fun) / self.step) if interior else _SLACK
        return (math.ceil(fun / self.step - slack) * self.step + self.offset) * self.scale

    def relaxed(self, fun: float, x: np.ndarray, *, interior: bool = False) -> Relaxed:
        """The LP's optimum ``fun`` at ``x`` as a bound, with ``x`` rounded where it is whole,
        keeps every row and domain exactly and costs no more than the bound (then the model's
        optimum)."""
        bound = self.bound(fun, interior=interior)
        whole = np.round(x)
        if np.abs(x - whole).max(initial=0.0) > _WHOLE:
            return Relaxed(bound)
        done = self.matrix @ whole
        keeps = ((done >= self.row_low).all() and (done <= self.row_high).all() and (whole >= self.col_low).all()
                 and (whole <= self.col_high).all())
        if keeps and (float(self.cost @ whole) + self.offset) * self.scale <= bound:
            return Relaxed(bound, whole.astype(np.int64))
        return Relaxed(bound)


def lp_arrays(model: cp_model.CpModel) -> LpArrays | None:
    """The model as arrays (``LpArrays``); ``None`` where it has a constraint other than a plain
    linear one, or an objective the LP cannot take (a maximisation, or one in floats)."""
    proto = model.proto
    scale = proto.objective.scaling_factor or 1.0
    if scale < 0 or proto.has_floating_point_objective():
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
    step = math.gcd(*(int(k) for k in cost if k)) or 1
    return LpArrays(matrix, np.array(row_low, dtype=float), np.array(row_high, dtype=float), low, high, cost,
                    float(proto.objective.offset) + constant, scale, step)


def linear_relaxation(model: cp_model.CpModel, budget: Budget, *, interior: bool = False) -> Relaxed | None:
    """The LP relaxation of ``model`` by HiGHS, charged to ``budget`` by the model's size;
    ``None`` where the model has a constraint other than a plain linear one, or the LP fails.
    ``interior``: by HiGHS's interior point method (then crossover), for large models."""
    solved = _solve(model, budget, interior)
    if solved is None:
        return None
    lp, result = solved
    if result.status == 2:  # infeasible: so is the model
        return Relaxed(math.inf)
    if result.status != 0:
        return None
    return lp.relaxed(result.fun, result.x, interior=interior)


def relaxed_point(model: cp_model.CpModel, budget: Budget) -> np.ndarray | None:
    """An optimal point of ``model``'s LP relaxation (a value for each of its variables, by
    HiGHS, charged to ``budget``), or ``None`` where there is none or the model is not linear."""
    solved = _solve(model, budget, False, time_limit=True)
    if solved is None or solved[1].status != 0:
        return None
    return np.asarray(solved[1].x)


def _solve(model: cp_model.CpModel, budget: Budget, interior: bool, *, time_limit: bool = False):
    """(the model's arrays, HiGHS's result) for its LP relaxation, or ``None`` where it is not linear;
    the interior point method, or ``time_limit``, stops at the budget's wall time left (at least 1 s)."""
    lp = lp_arrays(model)
    if lp is None:
        return None
    matrix, row_low, row_high = lp.matrix, lp.row_low, lp.row_high
    budget.charge((IPM_S_PER_NONZERO if interior else LP_S_PER_NONZERO) * (matrix.nnz + matrix.shape[1]))
    equal = row_low == row_high
    upper, lower = ~equal & np.isfinite(row_high), ~equal & np.isfinite(row_low)
    a_ub = sparse.vstack([matrix[upper], -matrix[lower]]).tocsr() if (upper | lower).any() else None
    result = linprog(lp.cost, A_ub=a_ub,
                     b_ub=None if a_ub is None else np.concatenate([row_high[upper], -row_low[lower]]),
                     A_eq=matrix[equal] if equal.any() else None, b_eq=row_low[equal] if equal.any() else None,
                     bounds=list(zip(np.where(np.isfinite(lp.col_low), lp.col_low, None),
                                     np.where(np.isfinite(lp.col_high), lp.col_high, None), strict=True)),
                     method="highs-ipm" if interior else "highs",
                     options={"time_limit": max(budget.wall_left(), 1.0)} if interior or time_limit else None)
    return lp, result


__all__ = ["IPM_S_PER_NONZERO", "LP_S_PER_NONZERO", "LpArrays", "Relaxed", "domain_high", "domain_low",
           "linear_relaxation", "lp_arrays", "relaxed_point"]
