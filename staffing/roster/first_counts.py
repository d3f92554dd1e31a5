"""Stage 1's first roster of counts (``first_counts``): one whole-horizon search of the count
model for its bound and a first roster, the floor held on a large centre; where that roster is
far above its bound (or there is none), the linear relaxation's counts rounded (``lp_rounded``);
team mixes that cannot take their meals and breaks cut and their team-days solved again. The
windows of ``count_search`` go on from it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import numpy as np
from ortools.sat.python import cp_model

from staffing.errors import NoRosterFoundError
from staffing.roster.assemble import Progress
from staffing.roster.capacity import TeamCapacity, add_mix_cut
from staffing.roster.count_search import bad_days, counts_of, evaluate, first_dive_share, solve_window
from staffing.roster.counts import Counts
from staffing.roster.improve import Incumbent
from staffing.roster.lp import relaxed_point
from staffing.roster.problem import RosterProblem
from staffing.roster.search import (
    COUNTS_WORK_PER_S,
    WINDOW_WORK_PER_S,
    Budget,
    release,
    runs_free,
    set_domain,
)
from staffing.roster.submodel import SubModels

FIRST_SEARCH_SHARE = 0.3  # of stage 1's time: one whole-horizon search for the bound and a first roster
FREE_SEARCH_SHARE = 0.85  # the same with FREE_MANY or more workers running free: CP-SAT's own parallel
FREE_MANY = 4             # neighbourhoods, sharing solutions, then do better than ours (L, 8 workers: 85.2M
#                           in 104 s against 99.3M for one worker; our windows took it from there to 98.8M)
ROUND_GAP = 0.01   # that search stops within 1% of its bound; the neighbourhoods go on from it
FAR_ABOVE = 10.0   # a large centre's first roster this many times its bound or more: the LP's counts rounded,
LP_ROUNDING_S = 4.0  # searched between their roundings on at most this much work


class SolutionProgress(cp_model.CpSolverSolutionCallback):
    """Each roster a search finds, said on the progress: its objective, bound and time."""

    def __init__(self, report: Progress | None, stage: str, started: float) -> None:
        super().__init__()
        self.report, self.stage, self.started = report, stage, started

    def on_solution_callback(self) -> None:
        if self.report is not None:
            self.report(f"{self.stage}: objective {self.objective_value:,.0f}, bound {self.best_objective_bound:,.0f}, "
                        f"{time.perf_counter() - self.started:.1f} s")


def first_counts(model: cp_model.CpModel, v, p: RosterProblem, capacity: TeamCapacity, budget: Budget,
                 seed: int, workers: int, progress: Progress | None,
                 started: float, share: float | None = None,
                 rate: float = COUNTS_WORK_PER_S) -> tuple[Incumbent, float, bool, tuple[int, ...]]:
    """One whole-horizon search of stage 1 for its bound and a first roster of counts:
    (roster, bound, whether the neighbourhoods should first walk the horizon, days they
    should free first). Team mixes that cannot take their meals and breaks are cut, the
    team-days that chose them solved again (emptied if that finds nothing), and their days come
    first; with no roster at all the search starts from no one working (the floor bends in
    this model, so that is a roster) and walks the horizon.

    On a large centre (``share`` not given) this search holds the floor hard (its gaps fixed
    at 0), as the roster must: with the floor bending, CP-SAT's first dive on one worker leaves
    it broken where its first choices fall short, and the search keeps that roster (M: 171-804
    million on 7 seeds of 8, where the held floor gives 14.3-14.7 million on all 8). Its bound
    is then the whole problem's too. A small centre's search proves its bound in its time with
    the floor bending (S: 3.5 s), and held it did not (S: 1,892,300 against 1,922,930)."""
    large = share is None
    if large:
        share = FREE_SEARCH_SHARE if workers >= FREE_MANY and runs_free(workers) else FIRST_SEARCH_SHARE

    def whole_horizon() -> cp_model.CpSolver:
        solver = budget.part(first_dive_share(share, budget.left()) if large else share).solver(
            seed, workers, rate=rate, at_least_s=1.0)
        solver.parameters.relative_gap_limit = ROUND_GAP
        if large:
            # a large centre's first roster comes from the dive after the root's linear relaxation,
            # whose rounds of cuts took most of the search's time (M: 20 s, 8-10 s without them,
            # rosters as good, the bound 0.3% lower)
            solver.parameters.cut_level = 0
            # and, its workers not free, that dive's roster is its last (M seeds 0-2: found at 0.66-0.68 of
            # 3.67 deterministic s, never bettered, as on L): it stops there, the windows go on from it
            solver.parameters.stop_after_first_solution = not runs_free(workers)
        return solver

    solver = whole_horizon()
    with floor_held(model, v) if large else contextlib.nullcontext():
        status = solver.solve(model, SolutionProgress(progress, "days (whole horizon)", started))
    # infeasible: no counts keep the floor under the counted rules, so no roster does; the
    # search goes on with it bending, and the diagnosis names the conflict
    bound = float("-inf") if status == cp_model.INFEASIBLE else solver.best_objective_bound
    if large and status == cp_model.UNKNOWN and not budget.done(1.0):
        # none keeping the floor yet: with it bending CP-SAT finds a roster sooner (before its
        # root relaxation is done, the floor broken here and there), and the windows mend that
        fallback = whole_horizon()
        status = fallback.solve(model, SolutionProgress(progress, "days (whole horizon, floor bending)", started))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solver = fallback
    found = (Incumbent(solver.response_proto.solution, solver.objective_value)
             if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None)
    if large and (found is None or found.objective > FAR_ABOVE * max(bound, 1.0)) and not budget.done(1.0):
        # none, or the floor alone (the worker without the linear relaxation finds it before the
        # one with it dives, and the search stops there): the relaxation's counts rounded
        rounded = lp_rounded(model, v, budget, seed, workers, rate)
        if rounded is not None and (found is None or rounded.objective < found.objective):
            found = rounded
            if progress is not None:
                progress(f"days (the linear relaxation's counts rounded): objective {found.objective:,.0f}, "
                         f"{time.perf_counter() - started:.1f} s")
    counts: Counts = {}
    emptied: tuple[int, ...] = ()
    if found is not None:
        counts = counts_of(v, found)
        bad = bad_days(p, counts, capacity, range(len(p.days)))
        if not bad:
            return found, bound, False, ()
        cut = {(line, mix) for on_day in bad.values() for line, _team, mix in on_day}
        for line, mix in sorted(cut):
            add_mix_cut(model, v, p, line, mix)
        empty = {(team, d) for d, found in bad.items() for _line, team, _mix in found}
        emptied = tuple(sorted({d for _team, d in empty}))
        if progress is not None:
            progress(f"days: {len(cut)} team mix(es) cannot fit meals and breaks one at a time; cut")
        # those team-days solved again with every other count as it is (emptying them broke the
        # floor there, and on L the windows came back only to 92.5M from a first roster of 84.7M)
        free = {var.index for key, var in v.count.items() if key[:2] in empty}
        subs = SubModels(model, [var.index for var in v.count.values()])
        first = Incumbent(list(found.values), float("inf"))
        _status, mended, objective = solve_window(model, v, p, capacity, first, free, emptied, subs, budget, seed,
                                                  WINDOW_WORK_PER_S)
        if mended is not None:
            return Incumbent(mended, objective), bound, False, emptied
        counts = {key: 0 if key[:2] in empty else n for key, n in counts.items()}
    elif progress is not None:
        progress("days: no roster from the whole-horizon search yet; the neighbourhoods start from none")
    start = evaluate(model, v, counts, seed=seed)
    if start is None:
        raise NoRosterFoundError(f"no roster found in {time.perf_counter() - started:.0f} s of search "
                                 f"({len(p.agents)} agents, {len(p.days)} days): give more time (--time-limit)")
    return start, bound, not counts, emptied


def lp_rounded(model: cp_model.CpModel, v, budget: Budget, seed: int, workers: int,
               rate: float) -> Incumbent | None:
    """A roster of stage 1 from its linear relaxation's optimum (the floor held, by HiGHS): the
    better of its counts rounded down (the rest solved for by ``evaluate``: rounding down keeps
    the counted rules, which cap how many work; the floor bends where it falls short) and the
    whole model with each count between its value rounded down and up, the floor held, searched
    on at most ``LP_ROUNDING_S`` of work; ``None`` where neither is found.

    On a large centre the first search stops at its first roster: the dive after the root's
    relaxation on M and L, but on 12 teams x 28 days with meals the worker's without it, the
    floor alone (4 shifts a day, 249 million against a bound of 0.37; the relaxation's own dive
    comes 12 s later at 17.3 million). From the LP: 29.0 million rounded down, 20.8 million
    between the roundings in 5 s. Where the LP spreads a team's work over many templates
    (the example's online line, a week), rounding down leaves most counts at 0 (411 million)
    and the search between the roundings gives 13.2 million in 3 s."""
    with floor_held(model, v):
        point = relaxed_point(model, budget)
    if point is None:
        return None
    low = {key: int(np.floor(point[var.index] + 1e-6)) for key, var in v.count.items()}
    best = evaluate(model, v, low, seed=seed, budget=budget)
    between = model.clone()
    between.clear_hints()
    for key, var in v.count.items():
        set_domain(between, var.index, [low[key], max(low[key], int(np.ceil(point[var.index] - 1e-6)))])
    solver = budget.solver(seed, workers, most_s=LP_ROUNDING_S, rate=rate)
    with floor_held(between, v):
        status = solver.solve(between)
    release(between)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and (best is None or solver.objective_value < best.objective):
        best = Incumbent(list(solver.response_proto.solution), solver.objective_value)
    return best


@contextlib.contextmanager
def floor_held(model: cp_model.CpModel, v) -> Iterator[None]:
    """Within: the count model's floor gaps are fixed at 0 (the floor is hard); given back after."""
    domains = {gap.index: list(model.proto.variables[gap.index].domain) for *_key, gap in v.floor_gaps}
    for index in domains:
        set_domain(model, index, [0, 0])
    try:
        yield
    finally:
        for index, domain in domains.items():
            set_domain(model, index, domain)


__all__ = ["FAR_ABOVE", "SolutionProgress", "first_counts", "floor_held", "lp_rounded"]
