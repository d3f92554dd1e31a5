"""One neighbourhood round as a model of its own: the constraints that touch what it frees.

A round of the neighbourhood searches fixes most decisions of a whole-horizon model to the
current roster and solves the rest. Given the whole model with those domains fixed, CP-SAT
presolves all of it every round: on 200 agents over four weeks that took 1.3 s of a 2 s
round, and the rounds found nothing. Here the model's constraints are read once; a round
frees its decisions and the helper variables that hang off them (a few steps through the
constraints, never through another decision), keeps the constraints that touch a freed
variable, fixes the other variables those constraints read to their current values, and
moves the objective terms of everything else into the objective's offset.

Every solution of the sub-model, completed with the current values, is a solution of the
whole model with the same objective; the sub-model may be narrower than the whole model
with the same decisions fixed (a helper beyond the steps stays as it is), never wider.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from staffing.roster.search import hint_solution, release, set_domain, solve_rest_fixed

HOPS = 4  # steps from a freed decision through the constraints to the helpers freed with it
CACHED = 32  # windows whose parts are kept (the searches come back to the same windows)
_KINDS = ("bool_or", "bool_and", "at_most_one", "exactly_one")


class SubModels:
    """Sub-models of ``model`` for sets of freed decision variables (``decisions`` are the
    indices of every decision variable: the steps never pass through one). A model with a
    constraint this reader does not know is solved whole, its other decisions fixed."""

    def __init__(self, model: cp_model.CpModel, decisions) -> None:
        self.model = model
        self.decision = set(int(i) for i in decisions)
        self._domains = {i: list(model.proto.variables[i].domain) for i in sorted(self.decision)}
        self.supported = True
        self._vars: list[list[int]] = []   # constraint -> variables it reads
        self._cons: list[list[int]] = []   # variable -> constraints that read it
        self._cache: dict[frozenset, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._read()

    def _read(self) -> None:
        """Read the constraints added since the last read."""
        proto = self.model.proto
        while len(self._cons) < len(proto.variables):
            self._cons.append([])
        for c in range(len(self._vars), len(proto.constraints)):
            ct = proto.constraints[c]
            if ct.has_linear():
                refs = list(ct.linear.vars)
            elif kind := next((k for k in _KINDS if getattr(ct, f"has_{k}")()), None):
                refs = [r if r >= 0 else -r - 1 for r in getattr(ct, kind).literals]
            else:  # a constraint this reader does not know: the rounds use the whole model
                self.supported = False
                return
            refs += [r if r >= 0 else -r - 1 for r in ct.enforcement_literal]
            self._vars.append(refs)
            for i in refs:
                self._cons[i].append(c)
        self._cache.clear()

    def _parts(self, free_decisions: frozenset, known: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(freed variables, kept constraints, variables those read that stay fixed)."""
        proto = self.model.proto
        if free_decisions in self._cache:
            return self._cache[free_decisions]
        total = len(proto.variables)
        free = np.zeros(total, dtype=bool)
        start = sorted(free_decisions) + list(range(known, total))  # variables with no current value
        free[start] = True
        seen = np.zeros(len(self._vars), dtype=bool)
        frontier = start
        for _ in range(HOPS):
            reached = []
            for i in frontier:
                for c in self._cons[i]:
                    if seen[c]:
                        continue
                    seen[c] = True
                    for j in self._vars[c]:
                        if not free[j] and j not in self.decision:
                            free[j] = True
                            reached.append(j)
            frontier = reached
        freed = np.flatnonzero(free)
        kept = np.array(sorted({c for i in freed.tolist() for c in self._cons[i]}), dtype=np.int64)
        read = np.zeros(total, dtype=bool)
        for c in kept.tolist():
            read[self._vars[c]] = True
        fixed = np.flatnonzero(read & ~free)
        if len(self._cache) >= CACHED:
            self._cache.pop(next(iter(self._cache)))
        self._cache[free_decisions] = (freed, kept, fixed)
        return freed, kept, fixed

    def solve(self, values: list[int], free_decisions, solver: cp_model.CpSolver):
        """Solve with ``free_decisions`` freed and everything else at ``values``: (status, the
        whole model's solution or ``None``, its objective)."""
        proto = self.model.proto
        if len(self._vars) < len(proto.constraints) or len(self._cons) < len(proto.variables):
            self._read()  # constraints and variables added since (cuts, for instance)
        if not self.supported or len(proto.objective.domain):
            status = solve_rest_fixed(self.model, solver, values, set(free_decisions), self._domains)
            self.model.clear_hints()
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return status, None, float("inf")
            return status, list(solver.response_proto.solution), solver.objective_value
        freed, kept, fixed = self._parts(frozenset(int(i) for i in free_decisions), len(values))
        sub = cp_model.CpModel()
        sub.proto.variables.extend(proto.variables)
        sub.proto.constraints.extend([proto.constraints[c] for c in kept.tolist()])
        for i in fixed.tolist():
            set_domain(sub, i, [values[i], values[i]])
        is_free = np.zeros(len(proto.variables), dtype=bool)
        is_free[freed] = True
        objective = proto.objective
        terms = [(int(i), int(k)) for i, k in zip(objective.vars, objective.coeffs, strict=True)]
        sub.proto.objective.vars.extend([i for i, _k in terms if is_free[i]])
        sub.proto.objective.coeffs.extend([k for i, k in terms if is_free[i]])
        sub.proto.objective.offset = objective.offset + sum(k * values[i] for i, k in terms if not is_free[i])
        sub.proto.objective.scaling_factor = objective.scaling_factor or 1.0
        hint_solution(sub, values)
        try:
            status = solver.solve(sub)
        finally:
            release(sub)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return status, None, float("inf")
        out = np.zeros(len(proto.variables), dtype=np.int64)
        known = min(len(values), len(proto.variables))
        out[:known] = values[:known]
        solution = np.asarray(solver.response_proto.solution, dtype=np.int64)
        out[freed] = solution[freed]
        return status, out.tolist(), solver.objective_value


__all__ = ["SubModels"]
