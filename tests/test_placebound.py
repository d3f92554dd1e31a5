"""Stage 1's bound with meals and breaks placed exactly on the days the roster leaves short
(staffing/roster/placebound.py): never above what a roster costs, tighter than stage 1's where
meals crowd a short day, only as many days as the work pays for."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing.roster import build_problem, roster
from staffing.roster.capacity import TeamCapacity, add_template_limits
from staffing.roster.counts import COUNT_RULES, create_count_vars
from staffing.roster.lp import linear_relaxation
from staffing.roster.placebound import placed_bound, short_days
from staffing.roster.search import Budget
from staffing.roster.variables import minimize
from tests.test_daybound import FRIDAY, centre, requirement  # noqa: F401 (the fixture)


def stage_one_lp(problem) -> float:
    """The LP of stage 1's count model with its own coverage on every day, the floor held."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    v = create_count_vars(model, problem)
    v.elastic_floor = False
    penalties = [term for rule in COUNT_RULES for term in rule(model, v, problem)]
    add_template_limits(model, v, problem, TeamCapacity(problem, 0))
    minimize(model, penalties)
    return linear_relaxation(model, Budget(60)).bound


@settings(max_examples=6, deadline=None)
@given(days=st.integers(1, 3), needs=st.lists(st.integers(0, 3), min_size=12, max_size=12))
def test_no_roster_costs_less_than_the_placed_bound(centre, days, needs) -> None:  # noqa: F811
    """On random requirements, the LP with every day's meals and breaks as paths is at most the
    objective of a roster the engine finds (proven optimal or not), and at least stage 1's LP."""
    dates = [FRIDAY + dt.timedelta(days=i) for i in range(days)]
    need = requirement(dates, dict(zip(range(9, 21), needs, strict=True)))
    problem = build_problem(centre, need, dates[0], dates[-1])
    result = roster(centre, need, dates[0], dates[-1], time_limit_s=30, seed=0)
    found = placed_bound(problem, list(range(days)), Budget(60), TeamCapacity(problem))
    assert found is not None and found[1] == list(range(days))
    assert found[0] <= result.objective + 1e-6
    assert found[0] >= stage_one_lp(problem) - 1e-6


def test_meals_crowding_a_short_day_raise_the_bound(centre) -> None:  # noqa: F811
    """Three agents, two needed all day with a peak of three at midday: stage 1 lets the away
    time of the meals flow into any slot of their windows, the paths take each meal whole and
    one at a time, so the bound rises, and stays at most the roster's."""
    need = requirement([FRIDAY], {h: 3 if 11 <= h < 15 else 2 for h in range(9, 21)})
    problem = build_problem(centre, need, FRIDAY, FRIDAY)
    result = roster(centre, need, FRIDAY, FRIDAY, time_limit_s=30, seed=0)
    found = placed_bound(problem, [0], Budget(60), TeamCapacity(problem))
    assert found is not None
    assert stage_one_lp(problem) < found[0] <= result.objective + 1e-6


def test_only_as_many_days_as_the_work_pays_for(centre) -> None:  # noqa: F811
    """With no work left no day is placed (and no LP solved); the days are taken in the order
    given; where the clock pays for fewer days than the work, the run notes the clock's cut."""
    dates = [FRIDAY + dt.timedelta(days=i) for i in range(3)]
    problem = build_problem(centre, requirement(dates, {h: 2 for h in range(9, 21)}), dates[0], dates[-1])
    assert placed_bound(problem, [2, 0, 1], Budget(0.0), TeamCapacity(problem)) is None
    budget = Budget(60)
    found = placed_bound(problem, [2, 0], budget, TeamCapacity(problem))
    assert found is not None and found[1] == [0, 2]
    assert budget.spent > 0 and not budget.clock_cut
    # the work pays for them, the clock for none: nothing placed, and the run says the clock cut it
    clocked = Budget(60, wall_s=0.0)
    assert placed_bound(problem, [2, 0], clocked, TeamCapacity(problem)) is None and clocked.clock_cut


def test_short_days_rank_by_shortage_and_skip_days_short_everywhere(centre) -> None:  # noqa: F811
    """A day short in some open slots ranks by the smaller of its agent-minutes short and its
    minutes not short; a day short in every open slot is left out (every minute away is short
    wherever it falls), one short in all but one ranks last."""
    dates = [FRIDAY + dt.timedelta(days=i) for i in range(3)]
    problem = build_problem(centre, requirement(dates, {h: 2 for h in range(9, 21)}), dates[0], dates[-1])
    opened = int(problem.open_slots["chat"][0].sum())

    def frame(rows):
        return pd.DataFrame([(line, pd.Timestamp(day), pd.Timestamp(day), 2, 1, short, day)
                             for line, day, short in rows],
                            columns=["line", "start", "end", "required", "on_line", "short", "day"])

    some = [("chat", dates[0], 1)] * 2 + [("chat", dates[1], 3)] * 2
    assert short_days(problem, frame(some + [("chat", dates[2], 3)] * (opened - 1))) == [1, 0, 2]
    assert short_days(problem, frame(some + [("chat", dates[2], 3)] * opened)) == [1, 0]
    assert short_days(problem, frame([])) == []


def test_the_stages_raise_their_bound_on_the_days_the_roster_leaves_short(centre, monkeypatch) -> None:  # noqa: F811
    """On the staged path, a roster short at midday while meals crowd it gets its bound raised
    above stage 1's by the days placed, never above the roster, and says so."""
    import importlib

    solve_module = importlib.import_module("staffing.roster.solve")
    monkeypatch.setattr(solve_module, "EXACT_LIMIT", 0)  # the staged path
    monkeypatch.setattr(solve_module, "applies", lambda problem: False)  # nor the days first
    need = requirement([FRIDAY], {h: 3 if 11 <= h < 15 else 2 for h in range(9, 21)})
    lines: list[str] = []
    result = roster(centre, need, FRIDAY, FRIDAY, time_limit_s=30, seed=0, progress=lines.append)
    raised = [line for line in lines if "meals and breaks placed exactly on 1 day(s)" in line]
    assert raised, lines
    stage_one = build_problem(centre, need, FRIDAY, FRIDAY)
    assert stage_one_lp(stage_one) < result.bound <= result.objective + 1e-6
