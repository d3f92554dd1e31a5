"""Column generation over the agents' own models (``columns.py``): its bound never passes the
optimum, its roster is one of the whole model, and the one-model path uses both."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import itertools
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from staffing import load_centre
from staffing.errors import NoRosterFoundError
from staffing.roster import roster
from staffing.roster.agent_split import AgentSplit
from staffing.roster.columns import price_columns
from staffing.roster.improve import Incumbent, fixed_to
from staffing.roster.search import Budget, make_solver
from tests.test_agent_split import day_model, first_search_cut
from tests.test_patterns import MONDAY, NO_REQUIREMENT, problems, write_centre

solve_module = importlib.import_module("staffing.roster.solve")
columns_module = importlib.import_module("staffing.roster.columns")

AGENTS = "agent,team,line,max_hours,max_weekends\nA1,T,L,40,1\nA2,T,L,32,\nA3,T,L,48,\n"


def cover(wanted: list[tuple[int, int]], *, under: int = 10, over: int = 1) -> str:
    """shift_cover.csv wanting ``wanted[d] = (early, night)`` agents on each day."""
    rows = [f"{MONDAY + dt.timedelta(days=d)},{code},{n},{under},{over}"
            for d, pair in enumerate(wanted) for code, n in zip(("E", "N"), pair, strict=True)]
    return "date,shift,required,under_weight,over_weight\n" + "\n".join(rows) + "\n"


def solved(model: cp_model.CpModel, *, objective: bool = True) -> cp_model.CpSolver:
    """The model solved to optimality (or any roster of it, ``objective=False``)."""
    copy = model.clone()
    if not objective:
        copy.clear_objective()
    solver = make_solver(30, 0, 1)
    assert solver.solve(copy) == cp_model.OPTIMAL
    return solver


def any_roster(model: cp_model.CpModel, v) -> tuple[list[int], float]:
    """A roster of the model found without its objective (every variable's value) and that
    roster's objective in the whole model."""
    start = list(solved(model, objective=False).response_proto.solution)
    return start, solved(fixed_to(model, v, Incumbent(start, 0.0))).objective_value


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1)), min_size=7, max_size=7), st.integers(1, 2),
       st.booleans())
@settings(max_examples=6, deadline=None)
def test_the_bound_never_passes_the_optimum_and_the_roster_is_the_whole_models(
        wanted: list, least_run: int, forbid: bool) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_centre(Path(scratch), agents=AGENTS, rules=f"min_consecutive_working_days = {least_run}",
                              night='not_followed_by = ["E"]' if forbid else "", cover=cover(wanted))
        model, v, p = day_model(folder, 7)
    optimum = solved(model).objective_value
    start, first = any_roster(model, v)
    split = AgentSplit(model, v, len(p.agents))
    assert split.supported
    priced = price_columns(split, np.asarray(start), budget=Budget(60), seed=0)
    assert priced.converged
    assert priced.bound <= optimum + 1e-6
    assert priced.values is not None
    assert optimum - 1e-6 <= priced.objective <= first + 1e-6
    # the chosen patterns, read back in the whole model, keep every rule at the master's objective
    back = solved(fixed_to(model, v, Incumbent(priced.values.tolist(), 0.0)))
    assert back.objective_value == pytest.approx(priced.objective)


def test_the_converged_bound_proves_the_optimum_where_whole_patterns_decide_it(tmp_path: Path) -> None:
    """Two agents, each with 24 hours at most, and three early shifts wanted on each of the
    first two days: one is missed on each day at least, and the converged bound proves it."""
    folder = write_centre(tmp_path, agents="agent,team,line,max_hours\nA1,T,L,24\nA2,T,L,24\n",
                          cover=cover([(3, 0), (3, 0), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0)]))
    model, v, p = day_model(folder, 7)
    optimum = solved(model).objective_value
    start, first = any_roster(model, v)
    priced = price_columns(AgentSplit(model, v, len(p.agents)), np.asarray(start), budget=Budget(60), seed=0)
    assert priced.converged
    assert priced.bound == pytest.approx(optimum)
    assert priced.objective == pytest.approx(optimum)
    # the LP's roster is whole here: fixed where the LP holds it, the whole model gives the optimum
    fixing = solve_module._by_lp_fixing(model, v, priced.mean, Incumbent(start, first), Budget(30), 0, 1)
    assert first > optimum and fixing is not None and fixing.objective_value == pytest.approx(optimum)


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1)), min_size=7, max_size=7), st.booleans())
@settings(max_examples=6, deadline=None)
def test_the_lp_fixing_keeps_what_the_lp_holds_whole_and_only_improves(wanted: list, forbid: bool) -> None:
    """The columns' LP roster is a mean of whole patterns (each agent-day on one shift or at
    rest, in sum); the whole model with the agent-days it is sure of fixed gives a roster that
    keeps them, better than the one given and no better than the optimum, or none."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_centre(Path(scratch), agents=AGENTS, rules="min_consecutive_working_days = 2",
                              night='not_followed_by = ["E"]' if forbid else "", cover=cover(wanted))
        model, v, p = day_model(folder, 7)
    optimum = solved(model).objective_value
    start, first = any_roster(model, v)
    priced = price_columns(AgentSplit(model, v, len(p.agents)), np.asarray(start),
                           budget=Budget(60), seed=0)
    assert priced.mean is not None
    for a in range(len(p.agents)):
        for d in range(7):
            day = [priced.mean[var.index] for (b, e, _s), var in v.shift.items() if (b, e) == (a, d)]
            assert sum(day) + priced.mean[v.rest[a, d].index] == pytest.approx(1.0)
    best = Incumbent(start, first)
    fixing = solve_module._by_lp_fixing(model, v, priced.mean, best, Budget(30), 0, 1)
    if fixing is None:
        assert best.objective == first
        return
    assert optimum - 1e-6 <= fixing.objective_value < first
    assert best.objective == fixing.objective_value
    for var in [*v.shift.values(), *v.rest.values()]:
        if priced.mean[var.index] >= 1 - solve_module.SURE_WHOLE:
            assert fixing.value(var) == 1


def test_the_lp_fixings_roster_stays_when_the_chosen_one_cannot_be_read_back(tmp_path: Path) -> None:
    """The LP fixing improves the roster, then the patterns' choice claims better but breaks a
    rule across agents the master leaves out (its read-back fails): the solver returned holds
    the roster ``best`` holds, the fixing's."""
    folder = write_centre(tmp_path, agents=AGENTS, rules="min_consecutive_working_days = 2",
                          night='not_followed_by = ["E"]', cover=cover([(2, 1), (2, 1), (1, 1), (2, 0), (2, 1),
                                                                         (1, 1), (0, 1)]))
    model, v, p = day_model(folder, 7)
    start, first = any_roster(model, v)
    best = Incumbent(start, first)
    real = columns_module.price_columns

    def claims_better(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), objective=-float("inf"))

    def cannot_read_back(*args, **kwargs):
        raise NoRosterFoundError("a rule across agents")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columns_module, "price_columns", claims_better)
        patch.setattr(solve_module, "_read_back", cannot_read_back)
        _bound, solver = solve_module._by_columns(model, v, p, best, -float("inf"), Budget(60), 0, 1, None, 0.0)
    assert best.objective < first
    assert solver is not None and solver.objective_value == best.objective


def test_the_priced_bound_holds_for_every_pattern(tmp_path: Path) -> None:
    """An agent's proven least cost at random prices is no more than its priced pattern's, and
    the pattern is within the rounding of that bound."""
    folder = write_centre(tmp_path, agents=AGENTS, rules="min_consecutive_working_days = 2",
                          cover=cover([(1, 1)] * 7))
    model, v, p = day_model(folder, 7)
    split = AgentSplit(model, v, len(p.agents))
    rng = np.random.default_rng(3)
    for a in range(len(p.agents)):
        weights = np.zeros(len(split.owner))
        weights[split.local[a]] = rng.normal(0, 20, len(split.local[a]))
        column, proven = split.price_bounded(a, weights, Budget(30), 0)
        assert column is not None
        cost = float((split.objective[split.local[a]] - weights[split.local[a]]) @ column)
        assert proven <= cost + 1e-9
        assert cost - proven < 0.1


def test_the_one_model_path_takes_the_columns_roster_and_bound(tmp_path: Path) -> None:
    """The first search is cut before it proves anything: the columns' bound and roster come in,
    and the roster passes the independent check."""
    folder = write_centre(tmp_path, agents=AGENTS, rules="min_consecutive_working_days = 2",
                          night='not_followed_by = ["E"]',
                          cover=cover([(2, 1), (2, 1), (1, 1), (2, 0), (2, 1), (1, 1), (0, 1)]))
    centre = load_centre(folder)
    seen: list[str] = []
    with first_search_cut(max_deterministic_time=1e-3, stop_after_first_solution=True):
        result = roster(centre, NO_REQUIREMENT, MONDAY, MONDAY + dt.timedelta(days=6), time_limit_s=20,
                        progress=seen.append)
    assert any("exact (columns): round" in line for line in seen)
    assert problems(centre, result.frame) == []
    model, _v, _p = day_model(folder, 7)
    optimum = solved(model).objective_value
    assert result.bound <= optimum + 1e-6 <= result.objective + 2e-6


@pytest.mark.parametrize("work", [0.5, 60.0])
def test_the_agents_are_priced_the_same_on_any_number_of_threads(tmp_path: Path, work: float,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The same seed and work give the same rounds, patterns, bound and roster on one thread and
    on two, with work to converge and with work that runs out after a few rounds (the columns
    kept on however few rounds the work affords)."""
    monkeypatch.setattr(columns_module, "LEAST_ROUNDS", 1)
    folder = write_centre(tmp_path, agents=AGENTS, rules="min_consecutive_working_days = 2",
                          night='not_followed_by = ["E"]',
                          cover=cover([(2, 1), (2, 1), (1, 1), (2, 0), (2, 1), (1, 1), (0, 1)]))
    model, v, p = day_model(folder, 7)
    start, _first = any_roster(model, v)
    runs = []
    for threads in (1, 2):
        split = AgentSplit(model, v, len(p.agents))
        budget = Budget(work, wall_s=600)
        with budget.charging():
            priced = price_columns(split, np.asarray(start), budget=budget, seed=3, threads=threads)
        runs.append((priced, budget.spent))
    (one, spent_one), (two, spent_two) = runs
    assert one.rounds == two.rounds and one.rounds >= 2
    assert one.converged == two.converged == (work > 10)  # the little work runs out before they converge
    assert one.bound == two.bound and one.objective == two.objective and spent_one == pytest.approx(spent_two)
    assert (one.values is None) == (two.values is None)
    if one.values is not None:
        assert np.array_equal(one.values, two.values)
    assert np.array_equal(one.mean, two.mean)


def test_every_pattern_a_pricing_went_through_betters_the_one_before(tmp_path: Path) -> None:
    """The patterns a pricing returns are its search's way to the cheapest (each cheaper than the
    one before, the cheapest last, within the rounding of the proven least)."""
    folder = write_centre(tmp_path, agents=AGENTS, rules="min_consecutive_working_days = 2",
                          cover=cover([(1, 1)] * 7))
    model, v, p = day_model(folder, 7)
    split = AgentSplit(model, v, len(p.agents))
    rng = np.random.default_rng(5)
    several = 0
    for a in range(len(p.agents)):
        weights = np.zeros(len(split.owner))
        weights[split.local[a]] = rng.normal(0, 20, len(split.local[a]))
        found, proven = split.price_every(a, weights, Budget(30), 0)
        costs = [float((split.objective[split.local[a]] - weights[split.local[a]]) @ column) for column in found]
        assert costs and all(later < earlier for earlier, later in itertools.pairwise(costs))
        assert proven <= costs[-1] < proven + 0.1
        several += len(found) > 1
    assert several  # a search that goes straight to the cheapest would not show the way
