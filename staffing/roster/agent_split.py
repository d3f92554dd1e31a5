"""A day-level roster built agent by agent, each from its own part of the whole model.

On a centre planned by days (no meals or breaks to place), most hard rules are an agent's
own: forbidden successions, runs of working days and days off, shifts of each code, hours,
weekends, fixed days off. Only the cover (per shift or per slot), the daily cap, the
fairness spread and the order of interchangeable agents tie agents together, and those are
linear. So any choice of one feasible pattern per agent (its whole horizon) is a roster of
the whole model as long as those rows can be kept, and on a large horizon such a choice
comes at once where one CP-SAT search over the whole model may find no roster in its time
(Curtois & Qu Instance 12: none in 12 s; Instance 15: none in 36 s).

* The split is read from the whole CP-SAT model, so every rule takes part as the model
  states it: a constraint whose variables belong to one agent (its shift and rest booleans,
  and the helpers only its constraints read) is that agent's; the linear constraints across
  agents are the rows; a model with a constraint kind the split does not read is not split.
* Agents are chosen in turn: the rows' LP over their own variables (each row may be missed
  at ``SLACK_COST``), with the agents chosen so far in place, prices each of the agent's
  variables by its dual, and one CP-SAT worker finds the agent's pattern that is cheapest
  against those prices (its own objective terms included). A second pass re-chooses each
  agent with everyone else in place.
* The roster is then read back in the whole model, which checks the rows across agents.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import linprog

from staffing.roster.lp import domain_high, domain_low
from staffing.roster.search import Budget
from staffing.roster.variables import DayVars

SCALE = 1_000       # pricing objective: the duals are scaled by this and rounded
PRICE_S = 0.5       # at most this much work on one agent's pricing (seconds on 2 cores)
SLACK_COST = 1e6    # a master row's slack, per unit, above any roster's cost difference
NUDGE = 1e-3        # how far each row is moved the way the agent priced moves it
_MANY, _NONE = -2, -1
_BOOL_KINDS = ("bool_or", "bool_and", "at_most_one", "exactly_one")


def _var(ref: int) -> int:
    return ref if ref >= 0 else -ref - 1


class _Constraint:
    __slots__ = ("index", "linear", "vars")

    def __init__(self, index: int, refs: list[int], linear: bool) -> None:
        self.index, self.vars, self.linear = index, refs, linear


class AgentSplit:
    """The split of a per-agent day model (``DayVars``) into agents' own models and the rows
    across agents. ``supported`` is False when the model has something the split does not
    read (a floating objective, or a constraint of a kind it cannot copy)."""

    def __init__(self, model: cp_model.CpModel, v: DayVars, agents: int) -> None:
        proto = model.proto
        self.model, self.agents = model, agents
        total = len(proto.variables)
        self.supported = not proto.has_floating_point_objective() and (proto.objective.scaling_factor or 1.0) == 1.0
        owner = np.full(total, _NONE, dtype=np.int64)
        decision = np.zeros(total, dtype=bool)
        for (a, _d, _s), var in v.shift.items():
            owner[var.index], decision[var.index] = a, True
        for (a, _d), var in v.rest.items():
            owner[var.index], decision[var.index] = a, True
        self.constraints: list[_Constraint] = []
        for c, ct in enumerate(proto.constraints):
            if ct.has_linear():
                refs, linear = list(ct.linear.vars), not len(ct.enforcement_literal)
            elif kind := next((k for k in _BOOL_KINDS if getattr(ct, f"has_{k}")()), None):
                refs, linear = [_var(r) for r in getattr(ct, kind).literals], False
            else:  # a kind the split does not read: no split of this model
                refs, linear = None, False
                self.supported = False
            if refs is not None:
                refs += [_var(r) for r in ct.enforcement_literal]
            self.constraints.append(_Constraint(c, refs, linear))
        # whose is each helper: the agents of the constraints that read it, to a fixed point
        changed = True
        while changed:
            changed = False
            for con in self.constraints:
                if con.vars is None:
                    continue
                tag = _merge(owner[con.vars])
                for i in con.vars:
                    if not decision[i] and owner[i] != tag and owner[i] != _MANY:
                        new = _merge(np.array([owner[i], tag]))
                        if new != owner[i]:
                            owner[i], changed = new, True
        self.owner = owner
        self.own: list[list[int]] = [[] for _ in range(agents)]   # agent -> its constraints
        self.rows: list[_Constraint] = []                          # linear rows across agents
        for con in self.constraints:
            tag = _NONE if con.vars is None else _merge(owner[con.vars])
            if tag >= 0:
                self.own[tag].append(con.index)
            elif con.linear:
                self.rows.append(con)
            # any other constraint across agents is left out of the LP (a relaxation)
        self.local: list[np.ndarray] = [np.flatnonzero(owner == a) for a in range(agents)]
        self.master_vars = np.flatnonzero(owner < 0)
        # the rows' coefficients: on the master variables, and on each agent's own variables
        entries: list[tuple[int, int, int]] = []
        for r, con in enumerate(self.rows):
            ct = proto.constraints[con.index]
            entries += [(r, int(i), int(k)) for i, k in zip(ct.linear.vars, ct.linear.coeffs, strict=True)]
        rows, cols, vals = (np.array(x, dtype=np.int64) for x in zip(*entries, strict=True)) if entries else (
            np.zeros(0, dtype=np.int64),) * 3
        whole = sparse.csc_matrix((vals.astype(float), (rows, cols)), shape=(len(self.rows), total))
        self.on_master = whole[:, self.master_vars]
        self.on_agent = [whole[:, self.local[a]] for a in range(agents)]
        self.lows = np.array([domain_low(proto.constraints[con.index].linear.domain) for con in self.rows])
        self.highs = np.array([domain_high(proto.constraints[con.index].linear.domain) for con in self.rows])
        self.objective = np.zeros(total)
        self.objective[list(proto.objective.vars)] = list(proto.objective.coeffs)
        self._pricing: list[cp_model.CpModel | None] = [None] * agents
        self._wide: dict[int, np.ndarray] = {}
        self._lp = self._rows_lp()

    def _rows_lp(self) -> dict:
        """The parts of the rows' LP that stay the same from one agent to the next: its matrix
        over the master variables and a slack each way per row (split into equality rows,
        rows with an upper end and rows with a lower end), costs and bounds."""
        n_rows = len(self.rows)
        eye = sparse.identity(n_rows, format="csc")
        matrix = sparse.hstack([self.on_master, eye, -eye], format="csr")
        domains = self.model.proto.variables
        bounds = [(domain_low(domains[i].domain), domain_high(domains[i].domain)) for i in self.master_vars.tolist()]
        bounds += [(0.0, np.inf)] * (2 * n_rows)
        eq = self.lows == self.highs  # the same after the other agents' share moves both ends
        upper = ~eq & np.isfinite(self.highs)
        lower = ~eq & np.isfinite(self.lows)
        return {"cost": np.concatenate([self.objective[self.master_vars], np.full(2 * n_rows, SLACK_COST)]),
                "bounds": [(None if np.isinf(lo) else lo, None if np.isinf(hi) else hi) for lo, hi in bounds],
                "eq": eq, "upper": upper, "lower": lower, "a_eq": matrix[eq] if eq.any() else None,
                "a_ub": sparse.vstack([matrix[upper], -matrix[lower]]).tocsr() if (upper | lower).any() else None}

    # ----------------------------------------------------------------- the agents' own models
    def _agent_model(self, a: int) -> cp_model.CpModel:
        """Agent a's own model: its variables (renumbered) and constraints, no objective."""
        if self._pricing[a] is not None:
            return self._pricing[a]
        proto = self.model.proto
        local = self.local[a]
        index = {int(i): k for k, i in enumerate(local)}
        sub = cp_model.CpModel()
        for i in local:
            sub.proto.variables.add().domain.extend(list(proto.variables[int(i)].domain))

        def ref(r: int) -> int:
            k = index[_var(r)]
            return k if r >= 0 else -k - 1

        for c in self.own[a]:
            ct = proto.constraints[c]
            out = sub.proto.constraints.add()
            out.enforcement_literal.extend([ref(r) for r in ct.enforcement_literal])
            if ct.has_linear():
                out.linear.vars.extend([index[i] for i in ct.linear.vars])
                out.linear.coeffs.extend(list(ct.linear.coeffs))
                out.linear.domain.extend(list(ct.linear.domain))
            else:
                kind = next(k for k in _BOOL_KINDS if getattr(ct, f"has_{k}")())
                getattr(out, kind).literals.extend([ref(r) for r in getattr(ct, kind).literals])
        self._pricing[a] = sub
        return sub

    def price(self, a: int, weights: np.ndarray, budget: Budget, seed: int) -> np.ndarray | None:
        """Agent a's pattern of least ``objective - weights`` (``weights``: the duals' worth of
        each of the model's variables), as the values of its own variables; ``None`` when
        none was found in time (or the agent has no pattern)."""
        return self.price_bounded(a, weights, budget, seed)[0]

    def price_bounded(self, a: int, weights: np.ndarray, budget: Budget,
                      seed: int) -> tuple[np.ndarray | None, float]:
        """:meth:`price`, and a proven lower bound on ``objective - weights`` over all of agent
        a's patterns (``-inf`` when none is proven; ``inf`` when the agent has none). The
        search prices costs scaled by ``SCALE`` and rounded; the bound takes back what the
        rounding can hide on each variable's whole domain."""
        found, proven = self.price_every(a, weights, budget, seed)
        return (found[-1] if found else None), proven

    def price_every(self, a: int, weights: np.ndarray, budget: Budget,
                    seed: int) -> tuple[list[np.ndarray], float]:
        """:meth:`price_bounded` with every pattern the search went through on its way to the
        cheapest (the cheapest last): each one bettered the one before, so several may price out."""
        local = self.local[a]
        sub = self._agent_model(a)
        cost = self.objective[local] - weights[local]
        scaled = np.rint(cost * SCALE).astype(np.int64)
        sub.clear_objective()
        keep = np.flatnonzero(scaled)
        sub.proto.objective.vars.extend(keep.tolist())
        sub.proto.objective.coeffs.extend(scaled[keep].tolist())
        solver = budget.solver(seed, 1, most_s=PRICE_S, at_least_s=0.01)
        solver.parameters.symmetry_level = 0  # a fifth faster on these small models
        every = _Every()
        status = solver.solve(sub, every)
        if status == cp_model.INFEASIBLE:
            return [], float("inf")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return [], -float("inf")
        rounding = float(np.abs(cost - scaled / SCALE) @ self._widest(a))
        proven = solver.best_objective_bound / SCALE - rounding
        return every.found, proven

    def _widest(self, a: int) -> np.ndarray:
        """The largest magnitude each of agent a's variables can take."""
        if a not in self._wide:
            domains = self.model.proto.variables
            self._wide[a] = np.array([max(abs(domain_low(domains[int(i)].domain)),
                                          abs(domain_high(domains[int(i)].domain))) for i in self.local[a]])
        return self._wide[a]

    # ------------------------------------------------------------------ the rows and their duals
    def weights(self, taken: np.ndarray, a: int) -> np.ndarray | None:
        """What each of agent a's variables is worth to the rows, the other agents' share of
        each row being ``taken``: the duals of the rows' LP over the master variables (each
        row may be missed at ``SLACK_COST``), carried to a's variables. Each row is nudged a
        little the way a's variables move it, so that where the others meet a row exactly its
        dual is what one more costs (a cover met: the over weight), not any value between that
        and what one fewer would cost. ``None`` when HiGHS fails."""
        if not len(self.rows):
            return np.zeros(len(self.owner))
        lp = self._lp
        taken = taken + NUDGE * np.sign(np.asarray(self.on_agent[a].sum(axis=1)).ravel())
        lows, highs = self.lows - taken, self.highs - taken
        eq, upper, lower = lp["eq"], lp["upper"], lp["lower"]
        result = linprog(lp["cost"], A_ub=lp["a_ub"],
                         b_ub=None if lp["a_ub"] is None else np.concatenate([highs[upper], -lows[lower]]),
                         A_eq=lp["a_eq"], b_eq=lows[eq] if eq.any() else None, bounds=lp["bounds"], method="highs")
        if result.status != 0:
            return None
        duals = row_duals(result, lp)
        weights = np.zeros(len(self.owner))
        weights[self.local[a]] = self.on_agent[a].T @ duals
        return weights

    def construct(self, *, budget: Budget, seed: int, passes: int = 2) -> np.ndarray | None:
        """A roster agent by agent: each takes the pattern of its own model that is cheapest
        against what the rows still need, the others as chosen so far (a first pass from
        nobody, then passes that re-choose each agent with everyone else in place). Returns
        the values of every agent's variables (the master's left at 0), ``None`` when an
        agent has no pattern or the time ran out in the first pass."""
        values = np.zeros(len(self.owner), dtype=np.int64)
        taken = np.zeros(len(self.rows))  # the chosen agents' share of each row
        for turn in range(passes):
            for a in range(self.agents):
                local = self.local[a]
                if not len(local):
                    continue
                if budget.done():
                    return values if turn else None
                taken -= self.on_agent[a] @ values[local]
                weights = self.weights(taken, a)
                found = None if weights is None else self.price(a, weights, budget, seed + turn)
                if found is None and not turn:
                    return None
                if found is not None:
                    values[local] = found
                taken += self.on_agent[a] @ values[local]
        return values


class _Every(cp_model.CpSolverSolutionCallback):
    """Every solution of a search, in the order found."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[np.ndarray] = []

    def on_solution_callback(self) -> None:
        self.found.append(np.asarray(self.Response().solution, dtype=np.int64))


def row_duals(result, lp: dict) -> np.ndarray:
    """The rows' duals from HiGHS's marginals of an LP laid out as ``AgentSplit._rows_lp`` (the
    equality rows first in ``A_eq``, then the rows with an upper end and those with a lower end,
    negated, in ``A_ub``): what one more on each row's right-hand side is worth."""
    eq, upper, lower = lp["eq"], lp["upper"], lp["lower"]
    duals = np.zeros(len(eq))
    if eq.any():
        duals[np.flatnonzero(eq)] = result.eqlin.marginals[:eq.sum()]
    if lp["a_ub"] is not None:
        marginals = result.ineqlin.marginals
        duals[np.flatnonzero(upper)] += marginals[:upper.sum()]
        duals[np.flatnonzero(lower)] -= marginals[upper.sum():]
    return duals


def _merge(tags: np.ndarray) -> int:
    """One agent's, several agents' (``_MANY``) or none's (``_NONE``)."""
    tags = tags[tags != _NONE]
    if not len(tags):
        return _NONE
    first = tags[0]
    return int(first) if first >= 0 and (tags == first).all() else _MANY

