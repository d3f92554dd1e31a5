"""Column generation over the agents' own models: a bound for a day-level roster, and a roster
chosen among the patterns it priced.

On a centre planned by days, CP-SAT's own bound is weak where the cost lies in the cover: its
linear relaxation mixes fractions of shifts freely (Curtois & Qu Instance 5: 727 proven in 60 s
against an optimum of 1,143), and without a bound it cannot tell a good roster from the best.
The relaxation over whole patterns is far tighter. Each agent's roster is one of its
patterns (``agent_split.AgentSplit``: its own rules, the agent's own model); the master chooses
a mix of patterns per agent against the rows across agents (the cover, the daily cap, the
order of interchangeable agents), each row missable at ``agent_split.SLACK_COST``. Its LP (HiGHS) prices
each agent's variables by the rows' duals, each agent's own model then finds its cheapest
pattern at those prices (CP-SAT), and each pattern cheaper than the agent's convexity dual among
the last ``EVERY`` its search went through on the way joins the master (Curtois & Qu Instance 8:
one pattern an agent a round left the LP at 1,757 after 12 rounds, five at 1,359 after 10; with
the work to converge, 20 rounds where 49 did). When every agent has been priced, the LP's value
plus each agent's proven least reduced cost is a lower bound of the whole roster (the Lagrangian
bound of the master), and once no pattern prices out it is the LP's value itself: on Instance 5, 1,141 within 26 rounds
(about 10 s) where CP-SAT proves 727 in a minute.

The patterns found are then a small set-partitioning model (one pattern per agent, the rows
and their slack and cost variables as in the whole model) that CP-SAT solves, starting from the
roster it was given: a roster at least as good, often far better (Instance 5: 1,144, where the
run before the columns ended at 1,240). Constraints across agents that are not linear rows are left out
of the master (a relaxation); the chosen roster is checked by the whole model when read back.
Where the patterns combine badly (Instance 6: the best choice among 481 is 6,416 against an LP
of 1,951), the LP's own roster (:meth:`Master.mean`, returned as ``Priced.mean``) still guides
a search of the whole model with the agent-days it holds whole fixed (``solve._by_lp_fixing``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model
from scipy import sparse
from scipy.optimize import linprog

from staffing.roster.agent_split import AgentSplit, row_duals
from staffing.roster.search import Budget, run_shares

LP_S_PER_NONZERO = 2e-6  # work charged per nonzero of the master for one HiGHS solve
LEAST_PRICE_S = 0.05     # no agent priced on less work than this
PRICE_S_PER_VAR = 5.5e-5  # work charged per variable of an agent's model for setting up its pricing
#                           (Curtois 11, 200 a model: about 0.031 s a pricing where CP-SAT counts 0.02)
CHOOSE_SHARE = 0.3       # of the columns' budget, kept for the set-partitioning model
LEAST_ROUNDS = 8         # rounds the pricing share must afford, at the first round's cost, or the columns stop
EVERY = 5                # of the patterns a pricing went through, the cheapest this many may join
TOLERANCE = 1e-6         # a pattern joins when its reduced cost is below -TOLERANCE


@dataclasses.dataclass
class Priced:
    """What the columns gave: a lower bound of the whole model's objective (``-inf`` if none
    was proven), the chosen roster's values of every agent's variables (``None`` when none was
    chosen) and its objective in the master, and the master's rounds."""

    bound: float
    values: np.ndarray | None
    objective: float
    rounds: int
    converged: bool
    mean: np.ndarray | None = None


class Master:
    """The master LP over the patterns priced so far (each agent's first is ``start``'s): the
    rows' LP of the split (``AgentSplit._rows_lp``: its master variables, bounds and slacks)
    with a column per pattern and a convexity row per agent."""

    def __init__(self, split: AgentSplit, start: np.ndarray) -> None:
        self.split = split
        self.offset = float(split.model.proto.objective.offset)
        self.integral = self.offset.is_integer()  # CP-SAT's costs are whole; the offset may not be
        self.agents = [a for a in range(split.agents) if len(split.local[a])]
        self.columns: dict[int, list[np.ndarray]] = {a: [] for a in self.agents}
        self.shares: dict[int, list[np.ndarray]] = {a: [] for a in self.agents}  # each pattern's part of the rows
        self.costs: dict[int, list[float]] = {a: [] for a in self.agents}
        self.weights: list[np.ndarray] = []  # the last LP's weight on each pattern, agent by agent
        for a in self.agents:
            self.add(a, start[split.local[a]].copy())

    def cost(self, a: int, column: np.ndarray) -> float:
        return float(self.split.objective[self.split.local[a]] @ column)

    def solve(self, budget: Budget) -> tuple[float, np.ndarray, np.ndarray] | None:
        """The master LP: (its value, the rows' duals, each agent's convexity dual), or ``None``
        when HiGHS fails. Its work is charged by the master's size."""
        split, lp = self.split, self.split._lp
        rows = len(split.rows)
        owners = [k for k, a in enumerate(self.agents) for _ in self.columns[a]]
        shares = [share for a in self.agents for share in self.shares[a]]
        patterns = sparse.csc_matrix(np.array(shares, dtype=float).T) if shares else sparse.csc_matrix((rows, 0))
        eye = sparse.identity(rows, format="csc")
        matrix = sparse.hstack([split.on_master, eye, -eye, patterns], format="csr")
        head = len(split.master_vars) + 2 * rows
        convex = sparse.csr_matrix((np.ones(len(owners)), (owners, head + np.arange(len(owners)))),
                                   shape=(len(self.agents), head + len(owners)))
        cost = np.concatenate([lp["cost"], [c for a in self.agents for c in self.costs[a]]])
        budget.charge(LP_S_PER_NONZERO * (matrix.nnz + convex.nnz))
        eq, upper, lower = lp["eq"], lp["upper"], lp["lower"]
        a_ub = None if lp["a_ub"] is None else sparse.vstack([matrix[upper], -matrix[lower]]).tocsr()
        result = linprog(cost, A_ub=a_ub,
                         b_ub=None if a_ub is None else np.concatenate([split.highs[upper], -split.lows[lower]]),
                         A_eq=sparse.vstack([matrix[eq], convex]).tocsr(),
                         b_eq=np.concatenate([split.lows[eq], np.ones(len(self.agents))]),
                         bounds=lp["bounds"] + [(0.0, None)] * len(owners), method="highs")
        if result.status != 0:
            return None
        self.weights = np.split(result.x[head:], np.cumsum([len(self.columns[a]) for a in self.agents])[:-1])
        convexity = np.zeros(split.agents)
        convexity[self.agents] = result.eqlin.marginals[eq.sum():]
        return float(result.fun), row_duals(result, lp), convexity

    def add(self, a: int, column: np.ndarray) -> bool:
        """Add agent a's pattern unless it is there already."""
        if any(np.array_equal(column, known) for known in self.columns[a]):
            return False
        self.columns[a].append(column)
        self.shares[a].append(self.split.on_agent[a] @ column)
        self.costs[a].append(self.cost(a, column))
        return True

    def mean(self) -> np.ndarray:
        """The last LP's roster: each of the agents' variables at its mean over the agent's
        patterns, weighted as the LP weighs them (zero elsewhere)."""
        mean = np.zeros(len(self.split.owner))
        for weights, a in zip(self.weights, self.agents, strict=True):
            mean[self.split.local[a]] = weights @ np.array(self.columns[a][:len(weights)], dtype=float)
        return mean

    def lower_bound(self, value: float) -> float:
        """A bound of the whole model's objective from a proven bound of the master's relaxation,
        with HiGHS's tolerance taken off (and rounded up where every cost is whole)."""
        bound = value + self.offset - TOLERANCE * max(1.0, abs(value))
        return float(np.ceil(bound)) if self.integral else bound

    def choose(self, budget: Budget, seed: int) -> tuple[np.ndarray, float] | None:
        """One pattern per agent, by CP-SAT over the patterns priced, starting from each agent's
        first (the roster given): the values of every agent's variables and the objective, or
        ``None`` when none is found in ``budget``."""
        split = self.split
        rows = len(split.rows)
        model = cp_model.CpModel()
        master = [model.new_int_var(-2**40 if lo is None else int(lo), 2**40 if hi is None else int(hi), f"m{i}")
                  for i, (lo, hi) in enumerate(split._lp["bounds"][:len(split.master_vars)])]
        pick = {a: [model.new_bool_var(f"a{a}p{j}") for j in range(len(self.columns[a]))] for a in self.agents}
        terms: list[list] = [[] for _ in range(rows)]
        on_master = split.on_master.tocsr()
        for r in range(rows):
            row = on_master.getrow(r)
            terms[r] += [int(k) * master[i] for i, k in zip(row.indices, row.data, strict=True)]
        objective = [int(split.objective[i]) * master[k] for k, i in enumerate(split.master_vars.tolist())
                     if split.objective[i]]
        for a in self.agents:
            model.add_exactly_one(pick[a])
            model.add_hint(pick[a][0], 1)
            for j, (share, cost) in enumerate(zip(self.shares[a], self.costs[a], strict=True)):
                for r in np.flatnonzero(share):
                    terms[r].append(int(share[r]) * pick[a][j])
                if cost:
                    objective.append(round(cost) * pick[a][j])
        for r in range(rows):
            low, high = split.lows[r], split.highs[r]
            expression = sum(terms[r])
            if np.isfinite(low):
                model.add(expression >= int(low))
            if np.isfinite(high):
                model.add(expression <= int(high))
        model.minimize(sum(objective))
        solver = budget.solver(seed, 1)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        values = np.zeros(len(split.owner), dtype=np.int64)
        for a in self.agents:
            j = next(j for j, var in enumerate(pick[a]) if solver.boolean_value(var))
            values[split.local[a]] = self.columns[a][j]
        return values, solver.objective_value + self.offset


def price_columns(split: AgentSplit, start: np.ndarray, *, budget: Budget, seed: int, threads: int = 1,
                  report: Callable[[str], None] | None = None) -> Priced:
    """Column generation from the roster ``start`` (the whole model's values) on ``budget``:
    rounds of the master LP and every agent's pricing (``threads`` agents at once) until no
    pattern prices out or the budget's share for them is spent, then one pattern per agent
    chosen (:class:`Priced`)."""
    master = Master(split, start)
    pricing = budget.part(1 - CHOOSE_SHARE)
    share = pricing.left()
    bound, rounds, converged = -float("inf"), 0, False
    while not pricing.done(LEAST_PRICE_S * max(len(master.agents), 1)):
        if rounds == 1 and (share - pricing.left()) * LEAST_ROUNDS > share:
            # too large to price often enough here (Curtois 11 and 12: 50 and 60 agents, 2.5 s a
            # round): the work goes back to the neighbourhoods
            if report is not None:
                report(f"a round takes {share - pricing.left():.1f} s of work: stopped, the neighbourhoods take "
                       "the time")
            return Priced(bound, None, float("inf"), rounds, converged)
        solved = master.solve(pricing)
        if solved is None:
            break
        value, duals, convexity = solved
        rounds += 1
        least, added = 0.0, 0
        for a, worth, found, proven in _price_round(split, master.agents, duals, pricing, seed + rounds, threads):
            least += min(0.0, proven - convexity[a])
            for column in found[-EVERY:]:
                reduced = master.cost(a, column) - float(worth @ column) - convexity[a]
                if reduced < -TOLERANCE and master.add(a, column):
                    added += 1
        if np.isfinite(least):
            bound = max(bound, master.lower_bound(value + least))
        if report is not None:
            report(f"round {rounds}: master {value + master.offset:,.1f}, bound {bound:,.1f}, "
                   f"{sum(len(c) for c in master.columns.values())} patterns")
        if not added:
            converged = np.isfinite(least)
            break
    mean = master.mean() if master.weights else None
    chosen = master.choose(budget, seed)
    if chosen is None:
        return Priced(bound, None, float("inf"), rounds, converged, mean)
    return Priced(bound, chosen[0], chosen[1], rounds, converged, mean)


def _price_round(split: AgentSplit, agents: list[int], duals: np.ndarray, budget: Budget, seed: int,
                 threads: int) -> list[tuple[int, np.ndarray, list[np.ndarray], float]]:
    """Every agent priced at the rows' ``duals``: (agent, what each of its own variables is worth
    at them, the patterns its search went through, the cheapest last (none where none was found),
    the proven least cost). Each agent's share of ``budget`` (an equal part of what is left; at
    most ``agent_split.PRICE_S`` is used) is fixed before any starts and charged after, so the
    shares, not the threads, decide what each pricing does: the same seed and work give the same
    patterns on any number of cores."""
    shares = [budget.private(budget.left() / max(len(agents), 1)) for _ in agents]

    def priced(k: int) -> tuple[int, np.ndarray, list[np.ndarray], float]:
        a = agents[k]
        weights = np.zeros(len(split.owner))
        weights[split.local[a]] = split.on_agent[a].T @ duals
        with shares[k].charging():
            found, proven = split.price_every(a, weights, shares[k], seed)
        shares[k].charge(PRICE_S_PER_VAR * len(split.local[a]))  # setting its pricing up
        return a, weights[split.local[a]], found, proven

    return run_shares(budget, shares, [lambda k=k: priced(k) for k in range(len(agents))], threads)


__all__ = ["Master", "Priced", "price_columns"]
