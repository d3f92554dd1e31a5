"""Large-neighbourhood search on stage 1's team counts: re-solve a window of days (every team,
or some teams over a longer window) with every other count fixed, and keep what is better.

On one or two workers CP-SAT proves bounds on the whole-horizon count model but finds and
improves rosters slowly, and on a month with meals and breaks it may find none in its time.
A window of days with the rest fixed is small and solves in a second or two. The floor bends
in this model at a price far above any shortfall (``rules.WEIGHT_FLOOR``), so no counts at all
are a roster of it and the search can always start; a first pass walks the horizon a window
at a time, then windows go where the line is shortest, anywhere, or to some of the teams.

Every window's result is checked for team mixes that cannot take their meals and breaks one
at a time (``capacity``); such a mix is cut for every team and day, and the window solved
again. The search is seeded: a seed gives the same sequence of windows.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from staffing.roster.capacity import TeamCapacity, add_mix_cut, count_mixes
from staffing.roster.counts import Counts
from staffing.roster.improve import Incumbent, resize
from staffing.roster.problem import RosterProblem
from staffing.roster.rules import WEIGHT_FLOOR, WEIGHT_SHORT
from staffing.roster.search import (
    LEAST_ROUND_S,
    WINDOW_WORK_PER_S,
    Budget,
    make_solver,
    release,
    round_solver,
    set_domain,
)
from staffing.roster.submodel import SubModels
from staffing.roster.variables import CountVars

FIRST_DIVE_S = 12.0  # on a large centre, stage 1's first search does at least this much work,
FIRST_DIVE_MOST = 0.6  # where it is no more than this share of stage 1's work

ROUND_S = 2.0       # at most this much work on one window (seconds on 2 cores)
FIRST_WINDOW = 7    # days freed for every team at first; grows while windows are proven, shrinks while not
FOCUS_WINDOW = 3    # days freed around a day to mend first (a team mix cut there, a floor cut)
CUT_TRIES = 3       # a window re-solved at most this often after cutting team mixes it chose


def counts_of(v: CountVars, best: Incumbent | list[int]) -> Counts:
    """The team counts of a solution (an incumbent or a full solution vector)."""
    values = best.values if isinstance(best, Incumbent) else best
    return {key: int(values[var.index]) for key, var in v.count.items()}


def bad_days(p: RosterProblem, counts: Counts, capacity: TeamCapacity, days) -> dict[int, list]:
    """Days (of ``days``) where some team works a mix whose meals and breaks do not fit:
    day -> [(line, team, mix)]."""
    out: dict[int, list] = {}
    for line in p.lines:
        mixes = {d: count_mixes(p, counts, line, d) for d in days}
        capacity.settle(line, [mix for by_team in mixes.values() for mix in by_team.values() if mix])
        for d, by_team in mixes.items():
            for team, mix in by_team.items():
                if mix and not capacity.feasible(line, mix):
                    out.setdefault(d, []).append((line, team, mix))
    return out


def evaluate(model: cp_model.CpModel, v: CountVars, counts: Counts, *, seed: int, work_s: float = 10.0,
             budget: Budget | None = None, solver: cp_model.CpSolver | None = None) -> Incumbent | None:
    """The model's full solution with the counts fixed (the rest solved for, on at most
    ``work_s`` of work, drawn from ``budget`` where given, or by ``solver``), or ``None``."""
    fixed = model.clone()
    for key, var in v.count.items():
        set_domain(fixed, var.index, [counts.get(key, 0)] * 2)
    if solver is None and budget is None:
        solver = make_solver(2 * work_s, seed, 1, work_s=work_s)
    elif solver is None:
        solver = budget.solver(seed, 1, most_s=work_s)
    status = solver.solve(fixed)
    release(fixed)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return Incumbent(solver.response_proto.solution, solver.objective_value)


def search_counts(model: cp_model.CpModel, v: CountVars, p: RosterProblem, capacity: TeamCapacity,
                  best: Incumbent, *, budget: Budget, seed: int, bound: float = float("-inf"),
                  sweep: bool = False, focus: tuple[int, ...] = (), rate: float = WINDOW_WORK_PER_S,
                  report: Callable[[str], None] | None = None) -> int:
    """Improve ``best`` in place until ``budget`` is spent (or its objective meets ``bound``); returns the
    windows that improved it. ``sweep`` first walks the whole horizon a window at a time;
    ``focus`` days are freed first (where a new cut or a repair is needed); ``rate``: the windows'
    work per second (``search.Budget``)."""
    rng = np.random.default_rng(seed)
    days = len(p.days)
    teams = sorted({team for team, _d, _s in v.count})
    by_day: dict[int, list[tuple[str, int]]] = {}
    for (team, d, _s), var in v.count.items():
        by_day.setdefault(d, []).append((team, var.index))
    subs = SubModels(model, [var.index for var in v.count.values()])
    window = min(FIRST_WINDOW, days)
    near = min(FOCUS_WINDOW, days)
    planned = [(min(max(d - near // 2, 0), days - near), near) for d in focus]
    if sweep:
        planned += [(first, window) for first in range(0, days, window)]
    improved = rounds = 0
    while not budget.done(LEAST_ROUND_S) and best.objective > bound + 1e-9:
        rounds += 1
        chosen = teams
        if planned:
            first, span = planned.pop(0)
        elif rounds % 3 == 0 or len(teams) < 3 or any(_gap_open(best, gap) for *_key, gap in v.floor_gaps):
            # where the line is short, and always while the floor is still broken somewhere
            first, span = _hot_window(v, p, best, window, rng), window
        elif rounds % 3 == 1:
            first, span = int(rng.integers(0, max(days - window, 0) + 1)), window
        else:  # half the teams over twice the window
            span = min(2 * window, days)
            first = int(rng.integers(0, days - span + 1))
            chosen = sorted(rng.choice(teams, size=max(len(teams) // 2, 2), replace=False).tolist())
        free_days = range(first, min(first + span, days))
        free = {index for d in free_days for team, index in by_day.get(d, []) if team in chosen}
        status, solution, objective = solve_window(model, v, p, capacity, best, free, free_days, subs, budget,
                                                   seed + rounds, rate)
        if solution is not None and objective <= best.objective + 1e-9:
            better = objective < best.objective - 1e-9
            best.values, best.objective = solution, objective
            if better:
                improved += 1
                if report is not None:
                    what = "every team" if chosen == teams else f"{len(chosen)} teams"
                    report(f"{objective:,.0f} ({what}, days {p.days[free_days[0]]}..{p.days[free_days[-1]]})")
        if chosen == teams and not planned:
            window = resize(window, status == cp_model.OPTIMAL, 2, days)
    model.clear_hints()
    return improved


def solve_window(model: cp_model.CpModel, v: CountVars, p: RosterProblem, capacity: TeamCapacity,
                 best: Incumbent, free: set[int], free_days, subs: SubModels, budget: Budget, seed: int,
                 rate: float):
    """(status, solution, objective) of one window, solved as a model of its own
    (``SubModels``), its chosen mixes checked on ``free_days`` (cut and solved again while they
    do not fit); solution ``None`` when nothing valid was found."""
    status = cp_model.UNKNOWN
    for _ in range(CUT_TRIES + 1):
        solver = round_solver(budget, ROUND_S, seed, rate=rate)
        status, values, objective = subs.solve(best.values, free, solver)
        if values is None:
            return status, None, float("inf")
        cuts = bad_days(p, counts_of(v, values), capacity, free_days)
        if not cuts:
            return status, values, objective
        # a mix that does not fit forbids itself and every larger one (the days kept hold
        # none: each was checked when it was taken), so the window is solved again
        for line, mix in sorted({(line, mix) for found in cuts.values() for line, _team, mix in found}):
            add_mix_cut(model, v, p, line, mix)
        if budget.done(LEAST_ROUND_S):
            break
    return status, None, float("inf")


def _gap_open(best: Incumbent, gap) -> int:
    """How far the held roster is below a floor (a floor cut added after the roster was last
    solved in full has no value in it yet: counted as open by one)."""
    return int(best.values[gap.index]) if gap.index < len(best.values) else 1


def _hot_window(v: CountVars, p: RosterProblem, best: Incumbent, window: int, rng: np.random.Generator) -> int:
    """A window around a day chosen with chance in proportion to how short the line is there."""
    days = len(p.days)
    short = np.zeros(days)
    for (_line, d), var in v.day_short.items():
        short[d] += best.values[var.index]
    for _line, d, _k, gap in v.floor_gaps:
        short[d] += WEIGHT_FLOOR // WEIGHT_SHORT * _gap_open(best, gap)
    if short.sum() <= 0:
        return int(rng.integers(0, max(days - window, 0) + 1))
    centre = int(rng.choice(days, p=short / short.sum()))
    return min(max(centre - window // 2, 0), max(days - window, 0))


def first_dive_share(share: float, left: float) -> float:
    """A large centre's first whole-horizon search: ``share`` of stage 1's work ``left``, but at
    least ``FIRST_DIVE_S`` (within ``FIRST_DIVE_MOST`` of it): its first roster comes from the dive after
    the root's relaxation (M: at 2.4 of 3.67 deterministic seconds, 11 s of work at its rate), and
    at ``--time-limit 70`` its share (9.8 s) ended before it, the windows built counts from none
    that left two days below the floor, and the run stopped at 36 s (exit 4)."""
    return max(share, min(FIRST_DIVE_S / left, FIRST_DIVE_MOST)) if left > 0 else share


__all__ = ["bad_days", "counts_of", "evaluate", "first_dive_share", "search_counts", "solve_window"]
