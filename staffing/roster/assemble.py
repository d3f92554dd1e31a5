"""A roster put together: named shifts and placed meals and breaks with what they cost against
a bound (``assembled``, for the stages and the days alike), agents named to counts, and the
roster of the days one at a time (``from_days``: their cells first, then the cheapest
combination of the days found, named and placed) with its bound raised towards it (``raised``)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from staffing.errors import NoRosterFoundError
from staffing.roster.capacity import TeamCapacity
from staffing.roster.counts import Counts, name_agents
from staffing.roster.daybound import Days
from staffing.roster.placing import DayFailure, place_breaks
from staffing.roster.problem import RosterProblem
from staffing.roster.repair import REPAIR_LEAST_S, REPAIR_SHARE, repairable, repaired
from staffing.roster.result import RosterResult, agent_fairness, coverage_totals, day_penalties, roster_frame
from staffing.roster.rules import WEIGHT_OVER, WEIGHT_SHORT
from staffing.roster.search import Budget

DAYS_FIRST_SHARE = 0.8  # of the work left, where the days bound the roster one at a time: their cells first
DAYS_BREAKS_SHARE = 0.5  # of the work left after the cells and names: the meals and breaks of the days found
NAMES_SHARE = 0.3  # of the work left after stage 1: agents named to the counts; the rest to meals and breaks

Progress = Callable[[str], None]


def assembled(problem: RosterProblem, shifts: dict[tuple[int, int], int],
              away: dict[tuple[int, int], list[tuple[str, int, int]]], bound: float, label: str,
              progress: Progress | None, started: float) -> RosterResult:
    """The roster of named shifts and placed meals and breaks, with what it costs, against ``bound``."""
    frame = roster_frame(problem, shifts, away)
    short, over, short_slots = coverage_totals(problem, shifts, away)
    fairness = agent_fairness(problem, shifts)
    penalty_values = day_penalties(problem, shifts, fairness)
    penalty_values["coverage"] = WEIGHT_SHORT * sum(short.values()) + WEIGHT_OVER * sum(over.values())
    objective = sum(penalty_values.values())
    exact = objective <= bound + 1e-6
    if progress is not None:
        progress(f"{label}: objective {objective:,.0f}, bound {bound:,.0f}, {verdict(objective, bound, exact)}, "
                 f"{time.perf_counter() - started:.1f} s")
    return RosterResult(frame=frame, status="optimal" if exact else "feasible", objective=objective, bound=bound,
                        shortfall_agent_min=short, over_agent_min=over, penalties_by_rule=penalty_values,
                        fairness=fairness, seconds=time.perf_counter() - started,
                        short_slots=short_slots)


def named(problem: RosterProblem, counts: Counts, bound: float, budget: Budget, seed: int, workers: int, source: str,
          progress: Progress | None, started: float, capacity: TeamCapacity | None = None, paths: dict | None = None,
          ) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int] | None]:
    """Agents named to ``counts`` (``NAMES_SHARE`` of the work left), said on the progress; where
    naming had to move agent-days off them, the named roster repaired in the day model
    (``repair.py``, stopping at ``bound``, on ``REPAIR_SHARE`` of the work left or of what naming
    was meant to leave, the larger; with meals and breaks, by stage 1's placement of them,
    ``paths``). Returns the shifts
    and, where they are a repair whose meals and breaks are yet to be placed, the names as made
    (to fall back on where the repaired roster's do not fit), else ``None``."""
    before = budget.left()
    shifts, moved = name_agents(problem, counts, budget=budget.part(NAMES_SHARE), seed=seed, workers=workers,
                                capacity=capacity)
    if progress is not None:
        progress(f"names: {len(shifts):,} shifts given to agents"
                 + (f" ({moved} agent-days moved off {source} to keep per-agent rules)" if moved else "")
                 + f", {time.perf_counter() - started:.1f} s")
    # the repair's share of the work left, or of what naming was meant to leave where a team's
    # least change took more than its share (the 30 people with meals and at most 3 weekends
    # each: 25 s of 7; the run's work then overruns by that much), and of the wall left
    work = max(budget.left(), before * (1 - NAMES_SHARE)) * REPAIR_SHARE
    if not moved or not repairable(problem, paths) or work <= REPAIR_LEAST_S:
        return shifts, None
    if budget.wall_left() <= 0:
        budget.note_clock_cut()
        return shifts, None
    placed = repairable(problem)  # no meal or break to place: the repair is the roster
    how = "" if placed else ", meals and breaks where stage 1 placed them"
    report = None if progress is None else (
        lambda text: progress(f"names (repaired in the day model{how}): "
                              f"objective {text}, {time.perf_counter() - started:.1f} s"))
    own = budget.private(work, wall_share=REPAIR_SHARE)
    with own.charging():
        better = repaired(problem, shifts, bound, budget=own, seed=seed, workers=workers, capacity=capacity,
                          paths=paths, report=report)
    budget.charge(own.spent)
    if own.clock_cut:
        budget.note_clock_cut()
    if better is None:
        return shifts, None
    return better, None if placed else shifts


def placed_or_unrepaired(problem: RosterProblem, shifts: dict[tuple[int, int], int],
                         unrepaired: dict[tuple[int, int], int] | None, budget: Budget, seed: int, workers: int,
                         progress: Progress | None, started: float, paths: dict | None = None,
                         ) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], list[tuple[str, int, int]]]]:
    """Stage 3 on ``shifts`` (the shifts and their meals and breaks); where they are a repair whose
    meals and breaks do not fit a line-day (or are not placed in time), stage 3 on the
    ``unrepaired`` names instead. Raises ``DayFailure`` (or ``NoRosterFoundError``) where the
    names placed last do not fit (or are not placed in time)."""
    try:
        return shifts, place_breaks(problem, shifts, budget, seed, workers, progress, started, paths)
    except (DayFailure, NoRosterFoundError) as failure:
        if unrepaired is None:
            raise
        if progress is not None:
            where = (f"do not fit on line {failure.line} on {problem.days[failure.day]}"
                     if isinstance(failure, DayFailure) else "were not placed in time")
            progress(f"breaks: the repaired names' meals and breaks {where}; the names as made, "
                     f"{time.perf_counter() - started:.1f} s")
    return unrepaired, place_breaks(problem, unrepaired, budget, seed, workers, progress, started, paths)


def from_days(problem: RosterProblem, days: Days, budget: Budget, seed: int, workers: int,
              progress: Progress | None, started: float) -> RosterResult | None:
    """Where the days bound the roster one at a time: their cells first (``DAYS_FIRST_SHARE``
    of the work), then the cheapest combination of the days they found, named and its meals and
    breaks placed. Optimal where it meets the days' bound; ``None`` where the cells found no
    whole combination or its meals and breaks would not fit (the stages then take over)."""
    report = None if progress is None else (
        lambda text: progress(f"days one at a time: bound {text}, {time.perf_counter() - started:.1f} s"))
    days.run(budget.part(DAYS_FIRST_SHARE), seed, report=report)
    found = days.counts()
    if found is None:
        return None
    _cost, counts = found
    shifts, unrepaired = named(problem, counts, days.value, budget, seed, workers, "the days found", progress, started)
    try:
        shifts, away = placed_or_unrepaired(problem, shifts, unrepaired, budget.part(DAYS_BREAKS_SHARE), seed, workers,
                                            progress, started)
    except DayFailure:
        return None
    return assembled(problem, shifts, away, days.value, "roster (the days one at a time)", progress, started)


def raised(result: RosterResult, days: Days, budget: Budget, seed: int, progress: Progress | None,
           started: float) -> RosterResult:
    """The roster with its bound raised by the days one at a time on ``budget``, "optimal" once
    they meet."""
    report = None if progress is None else (
        lambda text: progress(f"bound (the days one at a time): {text}, {time.perf_counter() - started:.1f} s"))
    return with_bound(result, days.run(budget, seed, target=result.objective, report=report), "", progress, started)


def with_bound(result: RosterResult, bound: float, how: str, progress: Progress | None,
               started: float) -> RosterResult:
    """The roster with the better of its bound and ``bound`` (found ``how``, said in the progress
    line), "optimal" where they meet."""
    bound = max(result.bound, bound)
    optimal = result.objective <= bound + 1e-6
    if progress is not None:
        progress(f"roster: objective {result.objective:,.0f}, bound {bound:,.0f}{how}, "
                 f"{verdict(result.objective, bound, optimal)}, {time.perf_counter() - started:.1f} s")
    return dataclasses.replace(result, bound=bound, status="optimal" if optimal else result.status,
                               seconds=time.perf_counter() - started)


def verdict(objective: float, bound: float, optimal: bool) -> str:
    """"optimal", or the gap to the bound, for the progress lines."""
    return "optimal" if optimal else f"gap {max(objective - bound, 0) / max(objective, 1):.1%}"


__all__ = ["DAYS_FIRST_SHARE", "Progress", "assembled", "from_days", "named", "raised", "verdict", "with_bound"]
