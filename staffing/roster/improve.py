"""Large-neighbourhood search on the per-agent day model: re-solve a few agents, or a few days,
with everyone else fixed, and keep what is better.

CP-SAT on one or two workers proves bounds well but is slow to improve a roster that many
agents share (every swap of shifts between two agents is a move through a worse roster). Here
each round frees the whole horizon of a few agents (chosen at random, or those whose requests
and runs interact), or a window of days for everyone, fixes the other shift and rest variables
to the current roster, and solves that small model exactly. A better roster replaces the
current one; each kind of neighbourhood grows while its rounds prove their part optimal and
shrinks while they run out of time. The search is seeded, so a seed gives the same sequence of rounds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from staffing.roster.placing import present_on_shift
from staffing.roster.problem import RosterProblem
from staffing.roster.search import LEAST_ROUND_S, Budget, round_solver, set_domain, solve_rest_fixed
from staffing.roster.variables import DayVars

ROUND_S = 1.0          # at most this much work on one neighbourhood (seconds on 2 cores)
FIRST_AGENTS = 3       # agents freed in the first rounds
WINDOW_DAYS = 7        # days freed for everyone in the first window rounds


class Incumbent:
    """The current roster as the model's full solution vector, and its objective."""

    def __init__(self, values: list[int], objective: float) -> None:
        self.values, self.objective = list(values), objective


def improve(model: cp_model.CpModel, v: DayVars, p: RosterProblem, best: Incumbent, *, budget: Budget, seed: int,
            bound: float = float("-inf"), report: Callable[[str], None] | None = None,
            accept: Callable[[list[int]], bool] | None = None) -> int:
    """Improve ``best`` in place until ``budget`` is spent (or its objective meets ``bound``);
    returns the rounds that improved it. ``accept``: where given, a roster the model found is
    taken only where it says so (it may add constraints to the model that the next rounds keep)."""
    rng = np.random.default_rng(seed)
    agents = len(p.agents)
    days = len(p.days)
    by_agent: dict[int, list[int]] = {}
    by_day: dict[int, list[int]] = {}
    for (a, d, _s), var in v.shift.items():
        by_agent.setdefault(a, []).append(var.index)
        by_day.setdefault(d, []).append(var.index)
    for (a, d), var in v.rest.items():
        by_agent.setdefault(a, []).append(var.index)
        by_day.setdefault(d, []).append(var.index)
    index_day = {i: d for d, indices in by_day.items() for i in indices}
    decision = sorted({i for indices in by_agent.values() for i in indices})
    domains = {i: list(model.proto.variables[i].domain) for i in decision}
    size = min(FIRST_AGENTS, agents)            # agents freed over the whole horizon
    window = min(WINDOW_DAYS, days)             # days freed for everyone
    span = min(2 * WINDOW_DAYS, days)           # days of a block
    crew = min(2 * FIRST_AGENTS, agents)        # agents of a block
    improved = rounds = 0
    while not budget.done(LEAST_ROUND_S) and best.objective > bound + 1e-9:
        rounds += 1
        if rounds % 3 == 0 and days > window:
            hot = _short_days(v, p, best)
            centre = int(rng.choice(hot)) if hot and rng.random() < 0.5 else None
            if centre is None:
                first = int(rng.integers(0, days - window + 1))
            else:  # a window around a day whose shift cover is short
                first = min(max(centre - window // 2, 0), days - window)
            free = {i for d in range(first, first + window) for i in by_day.get(d, [])}
            kind, what = "days", f"days {first}-{first + window - 1}"
        elif rounds % 3 == 1 and days > span and agents > crew:
            # a block: more agents than an agents round, over two weeks
            first = int(rng.integers(0, days - span + 1))
            chosen = rng.choice(agents, size=crew, replace=False)
            days_in = set(range(first, first + span))
            free = {i for a in chosen for i in by_agent.get(int(a), []) if index_day[i] in days_in}
            kind, what = "block", f"{crew} agents on days {first}-{first + span - 1}"
        else:
            chosen = rng.choice(agents, size=size, replace=False)
            free = {i for a in chosen for i in by_agent.get(int(a), [])}
            kind, what = "agents", f"{size} agents"
        solver = round_solver(budget, ROUND_S, seed + rounds)
        solver.parameters.linearization_level = 2  # the LP of a small neighbourhood proves it in a fraction
        status = solve_rest_fixed(model, solver, best.values, free, domains)
        if (status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value <= best.objective + 1e-9
                and (accept is None or accept(list(solver.response_proto.solution)))):
            # an equal roster is taken too: the search drifts along plateaus instead of circling
            better = solver.objective_value < best.objective - 1e-9
            best.values = list(solver.response_proto.solution)
            best.objective = solver.objective_value
            if better:
                improved += 1
                if report is not None:
                    report(f"{best.objective:,.0f} ({what} re-solved)")
        # each kind's size grows while its rounds prove their part optimal, and shrinks while they do not
        proven = status == cp_model.OPTIMAL
        if kind == "agents":
            size = resize(size, proven, 2, agents)
        elif kind == "days":
            window = resize(window, proven, 2, days - 1)
        else:
            crew = resize(crew, proven, 2, agents - 1)
    model.clear_hints()
    return improved


def resize(size: int, proven: bool, low: int, high: int) -> int:
    """A neighbourhood one larger after a round proven optimal in its time, one smaller after
    one that was not, within ``low``..``high``."""
    return min(size + 1, high) if proven else max(size - 1, min(low, size))


def _short_days(v: DayVars, p: RosterProblem, best: Incumbent) -> list[int]:
    """Day indices where the current roster leaves a shift of ``shift_cover`` short, or a line's
    open slot with fewer on shift than required."""
    on: dict[tuple[int, int], int] = {}
    shifts: dict[tuple[int, int], int] = {}
    for (a, d, s), var in v.shift.items():
        on[d, s] = on.get((d, s), 0) + best.values[var.index]
        if best.values[var.index]:
            shifts[a, d] = s
    short = {d for (d, s), (required, _u, _o) in p.shift_cover.items() if on.get((d, s), 0) < required}
    for line in p.lines:
        for d in range(len(p.days)):
            mask = p.open_slots[line][d]
            if d not in short and mask.any() and (present_on_shift(p, shifts, line, d)[mask]
                                                   < p.required[line][d][mask]).any():
                short.add(d)
    return sorted(short)


def fixed_to(model: cp_model.CpModel, v: DayVars, best: Incumbent) -> cp_model.CpModel:
    """A copy of the model with every shift and rest variable fixed to ``best``."""
    copy = model.clone()
    for var in [*v.shift.values(), *v.rest.values()]:
        set_domain(copy, var.index, [best.values[var.index]] * 2)
    return copy
