"""Stage 1's bound with meals and breaks placed exactly on the days where they cost.

Stage 1 bounds what meals and breaks cost the line by time segments (``rules.add_coverage``):
a team's away time may fall anywhere inside its windows, a slot at a time, so on a day short
in some hours and with spare staff in others it hides more of the away time in the spare
hours than whole meals and spaced breaks can. On bench M its bound (13,799,270; the LP of the
count model gives the same) stays 3.7% below the roster. The same count model with a day's
coverage as paths instead (``paths.add_coverage_paths``: exact for the counts) is still a
relaxation of the roster, and its LP, by HiGHS's interior point, is nearly whole: with paths on
every day of M 14,040,630 (37 s on 2 cores), on the eight days the roster leaves short
14,035,000 (10 s); each of the other twenty days adds 230-400 to it.

Which days (``short_days``): those where the roster leaves a line short in some hours and not in
others, ranked by the smaller of the two; a day short in every open slot gains nothing (every
minute away is a minute short wherever it falls, as stage 1 already charges: M's 818 day alone
raises the bound by nothing), nor a day short nowhere. As many as the work the roster leaves pays
for (``lp.IPM_S_PER_NONZERO``, a day's paths sized by their arcs): on M that work is 8 s, two days.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
from ortools.sat.python import cp_model

from staffing.roster.assemble import Progress, with_bound
from staffing.roster.capacity import TeamCapacity, add_template_limits
from staffing.roster.counts import COUNT_RULES, create_count_vars
from staffing.roster.lp import IPM_S_PER_NONZERO, linear_relaxation
from staffing.roster.paths import add_coverage_paths, covered_days, paths_size
from staffing.roster.problem import RosterProblem
from staffing.roster.result import RosterResult
from staffing.roster.rules import add_coverage
from staffing.roster.search import Budget, release
from staffing.roster.variables import minimize

NONZEROS_PER_ARC = 7.0     # an arc of a day's paths in the LP, its variable and terms (M: 39,800 a day, 5,900 arcs)
NONZEROS_PER_COUNT = 250.0  # the count model with stage 1's coverage, per count (M: 214,000 for 840; L: 803,000, 3,500)
BUILD_S_PER_COUNT = 1e-3    # building that model (M: 1.2 s)
BUILD_S_PER_ARC = 5e-5      # building a day's paths into it (M: about 0.3 s a day)


@dataclasses.dataclass(frozen=True)
class LpSize:
    """The size of :func:`placed_lp` with paths on some days, from the count model's counts and
    a day's arcs: its nonzeros, and the work to build and solve it."""

    counts: int
    arcs_per_day: float

    @classmethod
    def of(cls, p: RosterProblem) -> LpSize:
        model = cp_model.CpModel()
        counts = len(create_count_vars(model, p).count)
        release(model)
        return cls(counts, paths_size(p) / max(len(p.days), 1))

    def nonzeros(self, days: int) -> float:
        return NONZEROS_PER_COUNT * self.counts + NONZEROS_PER_ARC * self.arcs_per_day * days

    def build_s(self, days: int) -> float:
        return BUILD_S_PER_COUNT * self.counts + BUILD_S_PER_ARC * self.arcs_per_day * days

    def seconds(self, days: int) -> float:
        """Work to build it and solve it by the interior point."""
        return self.build_s(days) + IPM_S_PER_NONZERO * self.nonzeros(days)


def short_days(p: RosterProblem, short_slots: pd.DataFrame) -> list[int]:
    """Day indices where a line is short in some open slots and not in others, ranked by the
    smaller of its agent-minutes short and its minutes not short: that is where stage 1 can
    hide away time in the hours not short. A day short everywhere gains nothing (every minute
    away is a minute short wherever it falls: M's 818 day), nor one short nowhere."""
    if short_slots.empty:
        return []
    index = {day: d for d, day in enumerate(p.days)}
    score: dict[int, int] = {}
    for (line, day), rows in short_slots.groupby(["line", "day"]):
        d = index[day]
        spare = int(p.open_slots[line][d].sum()) - len(rows)
        if spare > 0:
            score[d] = score.get(d, 0) + min(int(rows["short"].sum()), spare) * p.slot_min
    return sorted(score, key=lambda d: (-score[d], d))


def placed_bound(p: RosterProblem, days: list[int], budget: Budget,
                 capacity: TeamCapacity) -> tuple[float, list[int]] | None:
    """The count model's LP with the coverage of the first of ``days`` as paths, as many as
    ``budget`` pays for: (bound, the days placed), or ``None`` where it pays for none or the
    LP fails. The floor is held (every roster keeps it); ``capacity``: stage 1's, whose
    template limits it has already solved."""
    size = LpSize.of(p)
    base, per_day_s = size.seconds(0), max(size.seconds(1) - size.seconds(0), 1e-9)
    affordable = max(int((budget.left() - base) // per_day_s), 0)
    by_clock = max(int((budget.wall_left() - base) // per_day_s), 0)
    if by_clock < min(affordable, len(days)):  # the clock pays for fewer days than the work
        budget.note_clock_cut()
        affordable = by_clock
    chosen = sorted(days[:affordable])
    if not chosen:
        return None
    budget.charge(size.build_s(len(chosen)))
    bound = placed_lp(p, chosen, capacity, budget)
    return None if bound is None else (bound, chosen)


def placed_lp(p: RosterProblem, days: list[int], capacity: TeamCapacity, budget: Budget) -> float | None:
    """The LP bound of the count model with the coverage ``days`` touch as paths and stage 1's
    segments elsewhere, the floor held (every roster keeps it), by HiGHS's interior point capped
    by ``budget``'s wall time; ``None`` where the LP fails. ``capacity``: stage 1's template limits."""
    model = cp_model.CpModel()
    v = create_count_vars(model, p)
    v.elastic_floor = False
    cover = covered_days(p, days)
    penalties = [term for rule in COUNT_RULES if rule is not add_coverage for term in rule(model, v, p)]
    penalties += add_coverage(model, v, p, days=[d for d in range(len(p.days)) if d not in cover])
    penalties += add_coverage_paths(model, v, p, days=days)
    add_template_limits(model, v, p, capacity)
    minimize(model, penalties)
    relaxed = linear_relaxation(model, budget, interior=True)
    release(model)
    return None if relaxed is None else relaxed.bound


def placed_raised(result: RosterResult, p: RosterProblem, budget: Budget, capacity: TeamCapacity,
                  progress: Progress | None, started: float) -> RosterResult:
    """The roster with its bound raised by :func:`placed_bound` on the days it leaves short,
    "optimal" where they meet."""
    found = placed_bound(p, short_days(p, result.short_slots), budget, capacity)
    if found is None:
        return result
    return with_bound(result, found[0], f" (meals and breaks placed exactly on {len(found[1])} day(s) it leaves short)",
                      progress, started)


__all__ = ["LpSize", "placed_bound", "placed_lp", "placed_raised", "short_days"]
