"""A line-day's least cost over its template mixes (staffing/roster/daymix.py): the branch and
bound finds CP-SAT's optimum of the whole day, a cutoff stops it at the cutoff, running out of
work leaves a bound, and the warm LP answers as a fresh one would."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from staffing.roster import build_problem
from staffing.roster.daybound import Days, _Line, applies
from staffing.roster.daymix import DayModel, least
from staffing.roster.lp import linear_relaxation
from staffing.roster.search import Budget, set_domain

DAY = dt.date(2026, 8, 24)


@pytest.fixture(scope="module")
def team(example_centre):
    """The example's first online team alone, on the online line (six templates, one crossing midnight)."""
    members = tuple(a for a in example_centre.agents if a.team == "O1")[:5]
    return dataclasses.replace(example_centre, agents=members, teams={"O1": example_centre.teams["O1"]},
                               lines={"online": example_centre.lines["online"]})


def day_of(centre, needs: list[int]) -> tuple[_Line, DayModel]:
    rows = [("online", start, start + pd.Timedelta(hours=1), need, 0, None)
            for h, need in zip(range(9, 23), needs, strict=True)
            for start in [pd.Timestamp(DAY) + pd.Timedelta(hours=h)]]
    need = pd.DataFrame(rows, columns=["line", "start", "end", "required", "floor", "day_min_agents"])
    problem = build_problem(centre, need, DAY, DAY)
    assert applies(problem)
    line = _Line(problem, "online")
    return line, line._day(0)


def optimum(day: DayModel, n: int, evening: tuple[int, int] | None = None) -> float:
    """CP-SAT on the whole day with n at work: the reference."""
    model = day.asked(n, evening)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = 30
    status = solver.solve(model)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    return math.inf if status == cp_model.INFEASIBLE else solver.objective_value


@settings(max_examples=4, deadline=None)
@given(needs=st.lists(st.integers(0, 4), min_size=14, max_size=14), n=st.integers(0, 5))
def test_the_mixes_prove_the_days_optimum(team, needs, n) -> None:
    """On random requirements, the branch and bound's bound is CP-SAT's optimum of the whole
    day, and the day it found costs that much with n at work."""
    _line, day = day_of(team, needs)
    budget = Budget(60)
    with budget.charging():
        result = least(day, n, budget, 0)
    assert result.exact
    assert result.bound == pytest.approx(optimum(day, n))
    if result.bound < math.inf:
        cost, mix = result.found
        assert cost == pytest.approx(result.bound) and sum(mix.values()) == n


def test_a_cutoff_stops_at_the_cutoff(team) -> None:
    """Above the optimum a cutoff changes nothing; at or below it, the bound is the cutoff and
    no day is claimed; an evening range is kept."""
    needs = [2, 3, 3, 4, 4, 3, 2, 2, 3, 3, 2, 2, 1, 1]
    _line, day = day_of(team, needs)
    best = optimum(day, 4)
    budget = Budget(60)
    with budget.charging():
        above = least(day, 4, budget, 0, cutoff=best + 1_000)
        at = least(day, 4, budget, 0, cutoff=best)
        evening = least(day, 4, budget, 0, evening=(2, 4))
    assert above.exact and above.bound == pytest.approx(best)
    assert at.bound == pytest.approx(best) and at.found is None and not at.exact
    assert evening.exact and evening.bound == pytest.approx(optimum(day, 4, (2, 4)))
    assert sum(evening.found[1].get(t, 0) for t in _line.evening) >= 2


def test_out_of_work_it_is_still_a_bound(team) -> None:
    """With no work the bound is no more than the optimum (here nothing: minus infinity); with a
    little, still no more than it."""
    needs = [2, 3, 3, 4, 4, 3, 2, 2, 3, 3, 2, 2, 1, 1]
    _line, day = day_of(team, needs)
    best = optimum(day, 4)
    for work in (0.0, 0.05):
        budget = Budget(work)
        with budget.charging():
            result = least(day, 4, budget, 0)
        assert result.bound <= best + 1e-6
        assert not result.exact or result.bound == pytest.approx(best)


def test_the_warm_lp_answers_as_a_fresh_one(team) -> None:
    """After bounds change and change back, the warm LP's bound is the fresh LP's of the same model."""
    _line, day = day_of(team, [1] * 14)
    budget = Budget(60)
    for n, prefix in ((3, ()), (3, (1,)), (4, (2, 0)), (3, ())):
        day.ask(n, None)
        day.fix(prefix)
        warm = day.lp.solve(budget)
        fresh = day.asked(n, None)
        for column, k in zip(day.columns, prefix, strict=False):
            set_domain(fresh, column, [k, k])
        assert warm.bound == pytest.approx(linear_relaxation(fresh, budget).bound)


@pytest.mark.parametrize("work", [1.5, 60.0])
def test_the_days_solve_the_same_cells_on_any_number_of_threads(team, work) -> None:
    """Each cell's share of the work is fixed before the days run at once, so one thread and two
    solve the same cells to the same values, whether the work cuts the mixes short or not."""
    days = [DAY + dt.timedelta(days=i) for i in range(3)]
    rows = [("online", start, start + pd.Timedelta(hours=1), 2 + (h + i) % 3, 0, None)
            for i, day in enumerate(days) for h in range(9, 23)
            for start in [pd.Timestamp(day) + pd.Timedelta(hours=h)]]
    need = pd.DataFrame(rows, columns=["line", "start", "end", "required", "floor", "day_min_agents"])
    problem = build_problem(team, need, days[0], days[-1])
    runs = []
    for threads in (1, 2):
        found = Days(problem, threads)
        budget = Budget(work, wall_s=600)  # the work alone decides (a short run's clock would cut the slower)
        with budget.charging():
            found.run(budget, 0)
        cells = {key: (c.low, c.exact, c.found, c.other, c.other_found) for key, c in found.lines[0].cells.items()}
        runs.append((found.value, found.solved, cells, round(budget.spent, 9)))
    assert runs[0] == runs[1]
    assert runs[0][1] > 0


def test_a_day_without_an_lp_is_solved_whole_by_cp_sat(team, monkeypatch) -> None:
    """Where a rule of the day is not a plain linear row (no LP), the day is solved whole by
    CP-SAT: the same optimum, a cutoff kept; its cells still become exact in the days' bound."""
    monkeypatch.setattr(importlib.import_module("staffing.roster.daymix"), "lp_arrays", lambda model: None)
    needs = [2, 3, 3, 4, 4, 3, 2, 2, 3, 3, 2, 2, 1, 1]
    line, day = day_of(team, needs)
    assert day.lp is None and day.relaxed(4, None, Budget(1)) is None
    best = optimum(day, 4)
    budget = Budget(60)
    with budget.charging():
        whole = least(day, 4, budget, 0)
        cut = least(day, 4, budget, 0, cutoff=best)
        line.solve(0, 4, "cell", budget, 0)   # the LP asked, none there
        line.solve(0, 4, "cell", budget, 0)   # then solved whole
    assert whole.exact and whole.bound == pytest.approx(best)
    assert cut.bound == pytest.approx(best) and cut.found is None
    assert line.cells[0, 4].exact and line.cells[0, 4].low == pytest.approx(best + line._cap(0, 4))
