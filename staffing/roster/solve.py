"""``solve(problem)``: the roster in two stages (DOMAIN section 7).

1. Days (whole horizon): which template each agent works each day, or rest, with every
   day-level rule, and coverage against a relaxed away channel per team (it holds every
   meal and break, never more than `max_away` at a time). Its proven bound is a lower bound
   on the whole problem, since any full roster satisfies the relaxation.
2. Breaks (each line, each service day): meals and breaks placed exactly in the fixed
   shifts, at most `max_away` of a team away, the floor kept, shortfall minimised.

The roster's objective is re-evaluated on the final roster with the exact on-line staffing;
its gap is measured against stage 1's bound and it is called optimal only when the two meet.

Where every line has one team (``daybound.applies``), the days one at a time come first: each
day's least cost with n at work, joined over the team's agent-days, is both a bound and, from
the days they found, a roster (named, its meals and breaks placed); the stages run only where
that roster is not proven optimal, and the cheaper roster is kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from typing import NoReturn

import numpy as np
from ortools.sat.python import cp_model

from staffing.errors import InfeasibleError, NoRosterFoundError
from staffing.roster.assemble import (
    DAYS_FIRST_SHARE,
    Progress,
    assembled,
    from_days,
    named,
    placed_or_unrepaired,
    raised,
    verdict,
    with_bound,
)
from staffing.roster.capacity import TeamCapacity, add_template_limits, count_mixes, team_mixes
from staffing.roster.count_search import counts_of, evaluate, search_counts
from staffing.roster.counts import COUNT_RULES, below_floor, create_count_vars
from staffing.roster.daybound import Days, applies
from staffing.roster.exact import EXACT_LIMIT, EXACT_RULES, add_exact_away, add_exact_coverage, exact_size
from staffing.roster.first_counts import SolutionProgress, first_counts
from staffing.roster.improve import Incumbent, fixed_to, improve
from staffing.roster.paths import paths_size
from staffing.roster.placebound import placed_raised
from staffing.roster.placing import DayFailure
from staffing.roster.polish import polish_days
from staffing.roster.problem import RosterProblem
from staffing.roster.result import RosterResult, agent_fairness, coverage_totals, roster_frame
from staffing.roster.search import (
    COUNTS_WORK_PER_S,
    LARGE_WINDOW_WORK_PER_S,
    PLACING_WORK_PER_S,
    SMALL_COUNTS_WORK_PER_S,
    WINDOW_WORK_PER_S,
    WORK_SHARE,
    Budget,
    parallel,
    release,
    round_threads,
    runs_free,
    set_domain,
)
from staffing.roster.sidebound import SideBound
from staffing.roster.variables import Penalty, create_day_vars, minimize

STAGE_ONE_SHARE = 0.55  # of the work left: days; then names (a third of the rest) and breaks
STAGED_FROM = 5_000  # agent-template-days above which a meal-free centre with slot requirements takes the stages
EXACT_SEARCH_SHARE = 0.1  # of the exact model's time: one search; then columns and neighbourhoods (Curtois
#                           10-12, seeds 0-4: nearer the best known on 13 of 15 runs than with a fifth)
BUILD_SHARE = 0.3  # of what is left after it, at most: a roster built agent by agent (agent_split.py)
LP_FIXING_SHARE = 0.3  # of what the columns leave: the whole model with the agent-days their LP holds whole fixed
SURE_WHOLE = 0.01  # an LP value this close to a whole number is fixed there
COLUMNS_SHARE = 0.5  # of what is left after the first roster: column generation's bound and roster (columns.py)
POLISH_GAP = 0.001  # the neighbourhoods stop within 0.1% of stage 1's bound and leave the time to names and breaks
PATHS_SHARE = 0.4  # of stage 1's time: its counts polished a day at a time with meals and breaks placed exactly
PATHS_DAY_LIMIT = 2_000  # flow arcs a day (about two teams) up to which they are (paths.py). Above, on M (5 teams,
#                          5,900 a day), a day's models took 3.5 s each and cost the windows more than they gained
TEAM_WINDOWS_SHARE = 0.05  # on larger centres, of stage 1's time after its first search: the windows; then
TEAM_POLISH_SHARE = 0.65  # of the work left: the counts polished a team of a day at a time, stage 3 starting from
#                           their placement (M: all 28 days; at 0.8 the example's 818 stage 3 ran out, exit 4), and
TEAM_POLISH_WALL_SHARE = 0.8  # of the wall left where the clock binds: more wall for its work than stage 3, whose
#                               searches from its placement gain least (M: 30,000 in 11 s; the polish cut, 250,000)
TEAM_PATHS_DAY_LIMIT = 25_000  # flow arcs a line-day up to which they are (M: 5,900; L: 23,600 online, whose
#                                line-days start from a built placement). Above, the segment flow alone
LARGE_DAY_ARCS = 10_000  # flow arcs a line-day above which the windows run at LARGE_WINDOW_WORK_PER_S (L: 23,600)
SMALL_SEARCH_SHARE = 0.6  # the whole-horizon search's share there: on S it proves its bound in 3.5-5 s, and at 0.3
#                           it was sometimes cut just before (bound 1.88M instead of 1.92M)
PLACED_BOUND_LEAST_S = 1.0  # work the roster leaves below which its bound is not raised with meals and breaks placed
DAY_BOUND_LEAST_S = 1.0  # work left after the roster below which its bound is not raised a day at a time
FLOOR_ROUNDS = 3   # stage 1 re-solves after a line-day could not keep its floor during breaks


def solve(problem: RosterProblem, *, time_limit_s: float = 60.0, work_s: float | None = None, seed: int = 0,
          workers: int = 1, deterministic: bool = True, progress: Progress | None = None) -> RosterResult:
    """Build and solve the roster; raise :class:`InfeasibleError` (exit 3) or
    :class:`NoRosterFoundError` (exit 4). Several workers run interleaved, so that a seed gives
    the same roster, or with ``deterministic=False`` free (``search.parallel``). Every search is
    limited by work (``work_s`` seconds on 2 cores, by default ``WORK_SHARE`` of ``time_limit_s``;
    ``search.Budget``), the wall clock only capping it at ``time_limit_s``."""
    if workers > 1 and progress is not None:
        progress(f"{workers} workers, " + ("interleaved: the same seed gives the same roster (--no-deterministic "
                                           "runs them free, much faster on large rosters)" if deterministic
                                           else "free: runs may differ"))
    budget = Budget(time_limit_s * WORK_SHARE if work_s is None else work_s, wall_s=time_limit_s)
    with parallel(deterministic), budget.charging():
        result = _solve(problem, budget, time_limit_s, seed, workers, progress)
        free = runs_free(workers)
    if progress is not None and not free:
        progress(f"search: {budget.spent:.1f} s of work in {result.seconds:.1f} s; " + (
            "the clock stopped a search before its work was done, so a run with the same seed may differ "
            "(a longer --time-limit, or less --work, leaves it to the work)" if budget.clock_cut else
            "the clock stopped no search, so the same seed, workers and work give the same roster"))
    return dataclasses.replace(result, repeatable=not budget.clock_cut and not free)


def _solve(problem: RosterProblem, budget: Budget, time_limit_s: float, seed: int, workers: int,
           progress: Progress | None) -> RosterResult:
    """The roster on ``budget`` (``time_limit_s`` sizes the diagnosis when there is none), its
    bound raised by the days one at a time where that applies and work is left (``daybound``)."""
    started = time.perf_counter()
    days = Days(problem, round_threads(workers)) if applies(problem) else None
    result = _roster(problem, budget, time_limit_s, seed, workers, progress, started, days)
    if result.status == "optimal" or days is None or budget.done(DAY_BOUND_LEAST_S):
        return result
    return raised(result, days, budget, seed, progress, started)


def _roster(problem: RosterProblem, budget: Budget, time_limit_s: float, seed: int, workers: int,
            progress: Progress | None, started: float, days: Days | None = None) -> RosterResult:
    """The roster and stage 1's (or the one model's, or the days') bound: where ``days`` (the
    days one at a time apply), the roster built from them first, the stages only where that is
    not proven optimal (the cheaper roster kept)."""
    from staffing.roster.diagnose import quick_checks

    conflicts = quick_checks(problem)
    if conflicts:
        raise InfeasibleError(conflicts)
    first = None if days is None else from_days(problem, days, budget, seed, workers, progress, started)
    if first is not None:
        if first.status != "optimal":  # the days' bound raised towards it before the stages look for better
            first = raised(first, days, budget.part(DAYS_FIRST_SHARE), seed, progress, started)
        if first.status == "optimal":
            return first
    size = exact_size(problem)
    if days is None and size <= EXACT_LIMIT and not _staged_is_better(problem, size):
        result = _solve_exact(problem, budget, time_limit_s, seed, workers, progress, started)
        if result is not None:
            return result
    if first is None:
        return _staged(problem, budget, time_limit_s, seed, workers, progress, started)
    try:
        result = _staged(problem, budget, time_limit_s, seed, workers, progress, started)
    except NoRosterFoundError:
        return first
    # the cheaper roster with the better bound, "optimal" where they meet (either may prove the other's)
    return with_bound(first if first.objective <= result.objective else result, max(first.bound, result.bound), "",
                      None, started)


def _staged(problem: RosterProblem, budget: Budget, time_limit_s: float, seed: int, workers: int,
            progress: Progress | None, started: float) -> RosterResult:
    """The stages: team counts by day (stage 1, its bound), agents named on them, meals and
    breaks placed (stage 3), with the floor fed back where a line-day cannot keep it."""
    with contextlib.ExitStack() as cleanup:  # the bound beside the search is stopped on every way out
        return _stages(problem, budget, time_limit_s, seed, workers, progress, started, cleanup)


def _stages(problem: RosterProblem, budget: Budget, time_limit_s: float, seed: int, workers: int,
            progress: Progress | None, started: float, cleanup: contextlib.ExitStack) -> RosterResult:
    model = cp_model.CpModel()
    v = create_count_vars(model, problem)
    v.elastic_floor = True
    penalties = [term for rule in COUNT_RULES for term in rule(model, v, problem)]
    capacity = TeamCapacity(problem, seed)
    add_template_limits(model, v, problem, capacity)
    minimize(model, penalties)
    best, bound, focus, paths = None, float("-inf"), (), {}
    arcs = max(paths_size(problem, line) for line in problem.lines) / len(problem.days)  # the largest line-day's
    by_paths = arcs <= PATHS_DAY_LIMIT
    by_team = not by_paths and arcs <= TEAM_PATHS_DAY_LIMIT
    # the count model's work per second, whole horizon and windows (a small centre's runs faster)
    counts_rate, window_rate = ((SMALL_COUNTS_WORK_PER_S,) * 2 if by_paths
                                else (COUNTS_WORK_PER_S, WINDOW_WORK_PER_S if arcs <= LARGE_DAY_ARCS
                                      else LARGE_WINDOW_WORK_PER_S))
    placed = by_paths or by_team  # meals and breaks placed as paths: the polish, and the bounds that place them
    # the bound with meals and breaks placed on every day, on a core the search leaves idle (sidebound.py)
    side = SideBound.start(problem, capacity, budget, workers) if placed else None
    if side is not None:
        cleanup.callback(side.close)
    for attempt in range(FLOOR_ROUNDS + 1):
        stage_one = budget.part(STAGE_ONE_SHARE)
        sweep = False
        if best is None:
            best, bound, sweep, focus = first_counts(model, v, problem, capacity, stage_one, seed, workers, progress,
                                                     started, SMALL_SEARCH_SHARE if by_paths else None, counts_rate)
        report = None if progress is None else (
            lambda text: progress(f"days (neighbourhoods): objective {text}, {time.perf_counter() - started:.1f} s"))
        windows = (stage_one.part(1 - PATHS_SHARE) if by_paths else stage_one.part(TEAM_WINDOWS_SHARE) if by_team
                   else stage_one)
        search_counts(model, v, problem, capacity, best, budget=windows, seed=seed + attempt,
                      bound=bound + POLISH_GAP * max(abs(bound), 1.0), sweep=sweep, focus=focus, rate=window_rate,
                      report=report)
        counts = counts_of(v, best)
        if placed:
            # the windows' counts, a day at a time by what their meals and breaks really cost
            placed_report = None if progress is None else (
                lambda text: progress(f"days (meals and breaks placed): {text}, {time.perf_counter() - started:.1f} s"))
            polish = budget.part(TEAM_POLISH_SHARE, TEAM_POLISH_WALL_SHARE) if by_team else stage_one
            counts, paths = polish_days(problem, counts, budget=polish, seed=seed + attempt, by_team=by_team,
                                        report=placed_report)
            best = evaluate(model, v, counts, seed=seed) or best
        below = below_floor(problem, counts)
        if below:
            # the floor bends in stage 1's model: either no roster keeps it (exit 3, confirmed
            # by the elastic diagnosis) or the search ran out of time before it found one (exit 4)
            from staffing.roster.diagnose import find_conflicts

            conflicts = find_conflicts(problem, time_limit_s=max(time_limit_s * 0.3, 5.0), seed=seed)
            if conflicts:
                raise InfeasibleError(conflicts)
            raise NoRosterFoundError(f"no roster keeping the floor found in {time.perf_counter() - started:.0f} s "
                                     f"(still below it: {'; '.join(below[:3])}): give more time (--time-limit) or "
                                     "more workers (--workers)")
        shifts, unrepaired = named(problem, counts, bound, budget, seed, workers, "the counts", progress, started,
                                   capacity, paths)
        try:
            shifts, away = placed_or_unrepaired(problem, shifts, unrepaired, budget, seed, workers, progress, started,
                                                paths)
            break
        except DayFailure as failure:
            if unrepaired is not None:  # a repair that did not fit gave way to the names as made, which failed
                shifts = unrepaired
            named_mixes = team_mixes(problem, shifts, failure.line, failure.day)
            if not all(capacity.feasible(failure.line, mix) for mix in named_mixes.values() if mix):
                counted = count_mixes(problem, counts, failure.line, failure.day)
                if any(_above(mix, counted.get(team, ())) for team, mix in named_mixes.items()):
                    # the names put more on a template than counted (no roster kept the counts)
                    _no_roster_kept(problem, failure, "the names put more of a team on its templates than "
                                    "its meals and breaks can take one at a time, moving agent-days off the "
                                    "counts to keep per-agent rules", time_limit_s, seed, started)
                raise InfeasibleError(failure.conflicts) from None
            if attempt == FLOOR_ROUNDS:
                _no_roster_kept(problem, failure, f"the floor is not kept while meals and breaks are taken "
                                f"({FLOOR_ROUNDS} re-solves with one more on the line there)", time_limit_s,
                                seed, started)
            penalties.append(_require_cover(model, v, problem, failure.line, failure.day))
            minimize(model, penalties)
            evaluated = evaluate(model, v, counts, seed=seed)
            if evaluated is None:  # not solved in its time: the counts stand, their objective under the cut unknown
                best.objective = float("inf")
            else:
                best = evaluated
            focus = (failure.day,)
            if progress is not None:
                progress(f"breaks: line {failure.line} on {problem.days[failure.day]} cannot keep the floor while "
                         "meals and breaks are taken; one more on the line there, re-solve that week")
    # the bound is stage 1's before any floor feedback: valid for the whole problem; then raised
    # with meals and breaks placed exactly on every day, by the LP solved beside the search, or
    # where it did not run or left days out, on the days the roster leaves short, on the work
    # left (M: 8 s, two days; a share taken from names and breaks paid for four and cost the
    # roster 50,000)
    result = assembled(problem, shifts, away, bound, "roster", progress, started)
    if side is not None and result.status != "optimal":
        beside = side.bound(budget)
        if beside is not None:
            result = with_bound(result, beside, f" (meals and breaks placed exactly on {len(side.days)} day(s), "
                                "solved beside the search)", progress, started)
        elif side.failure and progress is not None:
            progress(f"bound beside the search failed: {side.failure}")
    every_day = side is not None and len(side.days) == len(problem.days)
    if result.status != "optimal" and placed and not every_day and not budget.done(PLACED_BOUND_LEAST_S):
        return placed_raised(result, problem, budget, capacity, progress, started)
    return result


def _no_roster_kept(p: RosterProblem, failure: DayFailure, why: str, time_limit_s: float, seed: int,
                    started: float) -> NoReturn:
    """Stage 3 cannot place a line-day's meals and breaks (``why``) where that proves nothing: every
    floor-feedback round spent though each team's mix there fits, or a mix the names made by
    moving agent-days off the counts. Exit 3 only where the elastic diagnosis confirms that no
    roster keeps the floor (its conflicts named), else exit 4. Both were exit 3 before: in an
    experiment on 96 agents x 28 days with meals whose stage 1 left the re-solves no work, and
    on the rostering comparison's 30 people with meals and at most 3 weekends each, where the
    names moved 114 agent-days ("no roster keeps every hard rule" of centres with rosters)."""
    from staffing.roster.diagnose import find_conflicts

    conflicts = find_conflicts(p, time_limit_s=max(time_limit_s * 0.3, 5.0), seed=seed)
    if conflicts:
        raise InfeasibleError(conflicts) from None
    raise NoRosterFoundError(
        f"line {failure.line} on {p.days[failure.day]}: no roster found in {time.perf_counter() - started:.0f} s: "
        f"{why}, and the rules show no conflict that keeps a roster off: give more time (--time-limit) or more "
        "workers (--workers)") from None


def _above(mix, counted) -> bool:
    """Whether a team mix ``((template, agents), ...)`` has more on some template than ``counted``."""
    allowed = dict(counted)
    return any(n > allowed.get(s, 0) for s, n in mix)


def _staged_is_better(p: RosterProblem, exact_starts: int) -> bool:
    """A large centre with per-slot requirements and no meal or break to place: team counts
    (the stages) reach its optimum where one per-agent model over the horizon does not
    (bench/compare_shifts.py: 96 agents x 28 days). Centres planned by shift counts alone
    have no open slot and keep the one model, where their per-agent rules live."""
    slots = any(p.open_slots[line].any() for line in p.lines)
    return slots and exact_starts == 0 and int(p.allowed.sum()) * len(p.days) > STAGED_FROM


def _require_cover(model: cp_model.CpModel, v, p: RosterProblem, line: str, d: int) -> Penalty:
    """Cut after a floor failure: on that line-day one more than the floor on shift wherever
    the floor applies, so someone is there while another takes a meal or a break. It bends
    like the floor (at ``WEIGHT_FLOOR``), so the roster held keeps being one; while it is open the
    neighbourhoods go there as to a broken floor (not only the first window after the cut)."""
    from staffing.roster.rules import WEIGHT_FLOOR, _presence

    present = _presence(p, v, line, d)
    gaps = []
    for k in np.flatnonzero(p.floor[line][d] > 0):
        need = int(p.floor[line][d, k]) + 1
        gap = model.new_int_var(0, need, f"coverage_floor[line={line},day={p.days[d]},slot={k},plus_one]")
        model.add(sum(present.get(int(k), [])) + gap >= need)
        gaps.append(gap)
        v.floor_gaps.append((line, d, int(k), gap))
    return Penalty("coverage", f"floor_plus_one[{line},{p.days[d]}]", p.slot_min * sum(gaps), WEIGHT_FLOOR)


def _solve_exact(problem: RosterProblem, budget: Budget, time_limit_s: float, seed: int, workers: int,
                 progress: Progress | None, started: float) -> RosterResult | None:
    """The one-model path for small instances; ``None`` when it finds nothing in its time
    (the stages then take over)."""
    model = cp_model.CpModel()
    v = create_day_vars(model, problem)
    penalties = [term for rule in EXACT_RULES for term in rule(model, v, problem)]
    items = add_exact_away(model, v, problem)
    penalties += add_exact_coverage(model, v, problem, items)
    minimize(model, penalties)
    # Without meals or breaks to place this model is the whole problem: it gets all the time,
    # a third to search and prove bounds, the rest to improve the roster a neighbourhood at a time.
    # With them it gets half, in one search (the stages take over when it finds nothing).
    day_level = not any(items.values())
    if day_level:  # the first search's work, capped by the whole time
        solver = budget.solver(seed, workers, most_s=budget.left() * EXACT_SEARCH_SHARE)
    else:  # half, and nothing after it here: without a roster the stages take the rest
        solver = budget.part(0.5).solver(seed, workers, rate=PLACING_WORK_PER_S)
    status = solver.solve(model, SolutionProgress(progress, "exact", started))
    if status == cp_model.INFEASIBLE:
        from staffing.roster.diagnose import diagnose

        raise InfeasibleError(diagnose(problem, time_limit_s=max(time_limit_s * 0.3, 5.0), seed=seed))
    bound = solver.best_objective_bound
    if day_level and status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # CP-SAT found none in its share (large horizons): each agent's own model has one at once
        built = _by_agents(model, v, problem, budget, seed, workers)
        if built is not None:
            solver, status = built, cp_model.FEASIBLE
            if progress is not None:
                progress(f"exact: a roster {solver.objective_value:,.0f} built agent by agent, "
                         f"{time.perf_counter() - started:.1f} s")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if not day_level:
            return None
        # The stages would search the same model: find any roster that keeps the hard rules
        # (no objective) and improve it a neighbourhood at a time.
        solver, status = _any_roster(model, v, budget, seed, workers, started)
        if progress is not None:
            progress(f"exact: a first roster {solver.objective_value:,.0f} found without the objective, "
                     f"{time.perf_counter() - started:.1f} s")
    if day_level and status == cp_model.FEASIBLE and not budget.done(1.0):
        best = Incumbent(solver.response_proto.solution, solver.objective_value)
        bound, chosen = _by_columns(model, v, problem, best, bound, budget, seed, workers, progress,
                                    started)
        if chosen is not None:
            solver = chosen
        report = None if progress is None else (
            lambda text: progress(f"exact (neighbourhoods): objective {text}, bound {bound:,.0f}, "
                                  f"{time.perf_counter() - started:.1f} s"))
        if best.objective > bound + 1e-9 and improve(model, v, problem, best, budget=budget, seed=seed, bound=bound,
                                                      report=report):
            solver = _read_back(model, v, best, budget, seed, workers)
        status = cp_model.OPTIMAL if best.objective <= bound + 1e-9 else cp_model.FEASIBLE
    shifts = {(a, d): s for (a, d, s), var in v.shift.items() if solver.boolean_value(var)}
    placed: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
    for (a, d, s), own in items.items():
        if shifts.get((a, d)) == s:
            for kind, starts, length in own:
                k = next(k for k, var in starts.items() if solver.boolean_value(var))
                placed.setdefault((a, d), []).append((kind, k, k + length))
    short, over, short_slots = coverage_totals(problem, shifts, placed)
    values: dict[str, float] = {}
    for term in penalties:
        values[term.rule] = values.get(term.rule, 0.0) + term.weight * solver.value(term.expr)
    objective = sum(values.values())
    optimal = status == cp_model.OPTIMAL
    if progress is not None:
        progress(f"roster (exact): objective {objective:,.0f}, bound {bound:,.0f}, "
                 f"{verdict(objective, bound, optimal)}, "
                 f"{time.perf_counter() - started:.1f} s")
    return RosterResult(frame=roster_frame(problem, shifts, placed), status="optimal" if optimal else "feasible",
                        objective=objective, bound=bound, shortfall_agent_min=short, over_agent_min=over,
                        penalties_by_rule=values, fairness=agent_fairness(problem, shifts),
                        seconds=time.perf_counter() - started, short_slots=short_slots)


def _by_agents(model: cp_model.CpModel, v, p: RosterProblem, budget: Budget, seed: int,
               workers: int) -> cp_model.CpSolver | None:
    """A roster built agent by agent from each one's own model (``agent_split.AgentSplit.construct``),
    read back in the whole model: a solver holding it, or ``None`` (the model does not split,
    an agent has no pattern, or the patterns break a rule across agents)."""
    from staffing.roster.agent_split import AgentSplit

    split = AgentSplit(model, v, len(p.agents))
    if not split.supported:
        return None
    values = split.construct(budget=budget.part(BUILD_SHARE), seed=seed)
    if values is None:
        return None
    try:
        return _read_back(model, v, Incumbent(values.tolist(), float("inf")), budget, seed, workers)
    except NoRosterFoundError:  # a row across agents that the patterns cannot keep (a hard floor, say)
        return None


def _by_columns(model: cp_model.CpModel, v, p: RosterProblem, best: Incumbent, bound: float, budget: Budget,
                seed: int, workers: int, progress: Progress | None,
                started: float) -> tuple[float, cp_model.CpSolver | None]:
    """Column generation over the agents' own models (``columns.py``) on ``COLUMNS_SHARE`` of the
    work left, then the LP fixing from its LP (:func:`_by_lp_fixing`): the better of its bound
    and ``bound``, and when the roster found either way is better than ``best`` (which then
    takes it), a solver holding that roster (else ``None``)."""
    from staffing.roster.agent_split import AgentSplit
    from staffing.roster.columns import price_columns

    split = AgentSplit(model, v, len(p.agents))
    if not split.supported:
        return bound, None
    report = None if progress is None else (
        lambda text: progress(f"exact (columns): {text}, {time.perf_counter() - started:.1f} s"))
    priced = price_columns(split, np.asarray(best.values, dtype=np.int64), budget=budget.part(COLUMNS_SHARE),
                           seed=seed, threads=round_threads(workers), report=report)
    bound = max(bound, priced.bound)
    fixing = None if priced.mean is None else _by_lp_fixing(model, v, priced.mean, best, budget, seed, workers)
    if fixing is not None and progress is not None:
        progress(f"exact (columns): roster {best.objective:,.0f} with the agent-days the LP is sure of fixed, "
                 f"bound {bound:,.0f}, {time.perf_counter() - started:.1f} s")
    if priced.values is None or priced.objective >= best.objective - 1e-9:
        return bound, fixing
    try:
        solver = _read_back(model, v, Incumbent(priced.values.tolist(), float("inf")), budget, seed, workers)
    except NoRosterFoundError:  # a rule across agents the master leaves out
        return bound, fixing  # ``best`` may hold the LP fixing's roster: its solver with it
    best.values, best.objective = list(solver.response_proto.solution), solver.objective_value
    if progress is not None:
        progress(f"exact (columns): roster {best.objective:,.0f} chosen among the patterns priced, bound {bound:,.0f}, "
                 f"{time.perf_counter() - started:.1f} s")
    return bound, solver


def _by_lp_fixing(model: cp_model.CpModel, v, mean: np.ndarray, best: Incumbent, budget: Budget, seed: int,
                  workers: int) -> cp_model.CpSolver | None:
    """The whole model with the shift and rest variables the columns' LP holds whole fixed to
    it, each search on ``LP_FIXING_SHARE`` of the work left: first every one held whole (at 0
    or at 1), the others hinted at the LP's nearest; where that search proves its best, again
    with only those held at 1 fixed (an agent-day the LP is sure of), hinted from the roster the
    first found where it beat ``best`` (else again at the LP's nearest), so an agent-day the LP
    splits between some of its shifts is free of the others too. A solver holding the better
    roster where one beats ``best`` (which then takes it), else ``None``."""
    decision = [*v.shift.values(), *v.rest.values()]
    taken = None
    for ones_only in (False, True):
        copy = model.clone()
        copy.clear_hints()
        for var in decision:
            value = float(mean[var.index])
            if abs(value - round(value)) <= SURE_WHOLE and (not ones_only or round(value) == 1):
                set_domain(copy, var.index, [round(value)] * 2)
            else:
                copy.add_hint(var, round(value) if taken is None else best.values[var.index])
        solver = budget.part(LP_FIXING_SHARE).solver(seed, workers)
        status = solver.solve(copy)
        release(copy)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < best.objective - 1e-9:
            best.values, best.objective = list(solver.response_proto.solution), solver.objective_value
            taken = solver
        if status != cp_model.OPTIMAL:
            break
    return taken


def _any_roster(model: cp_model.CpModel, v, budget: Budget, seed: int, workers: int, started: float):
    """Any roster of the day-level model (its objective ignored), then read back with its
    objective: (solver, FEASIBLE); :class:`NoRosterFoundError` when there is none in time."""
    feasible = model.clone()
    feasible.clear_objective()
    finder = budget.part(0.5).solver(seed, workers)
    if finder.solve(feasible) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise NoRosterFoundError(f"no roster found in {time.perf_counter() - started:.0f} s of search: give more "
                                 "time (--time-limit), more workers (--workers), or a shorter horizon")
    return _read_back(model, v, Incumbent(finder.response_proto.solution, float("inf")), budget, seed,
                      workers), cp_model.FEASIBLE


def _read_back(model: cp_model.CpModel, v, best: Incumbent, budget: Budget, seed: int,
               workers: int) -> cp_model.CpSolver:
    """A solver holding ``best`` with every variable of the model (the roster's shift and rest
    variables fixed, the rest solved for), so its penalties can be read (on at least 5 s)."""
    solver = budget.solver(seed, workers, at_least_s=5.0)
    if solver.solve(fixed_to(model, v, best)) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise NoRosterFoundError("a roster found could not be read back in time: give more time (--time-limit)")
    return solver
