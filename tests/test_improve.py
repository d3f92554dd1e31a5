"""The neighbourhood search of the one-model path (``staffing/roster/improve.py``), used by
centres planned by shift counts: from any roster that keeps the hard rules it reaches the
optimum one long whole-model search proves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from staffing import load_centre
from staffing.roster import build_problem
from staffing.roster.exact import EXACT_RULES, add_exact_away, add_exact_coverage
from staffing.roster.improve import Incumbent, improve
from staffing.roster.search import Budget
from staffing.roster.variables import create_day_vars
from tests.test_patterns import MONDAY, NO_REQUIREMENT, write_centre

DAYS = 14


def model_of(problem):
    model = cp_model.CpModel()
    v = create_day_vars(model, problem)
    penalties = [term for rule in EXACT_RULES for term in rule(model, v, problem)]
    penalties += add_exact_coverage(model, v, problem, add_exact_away(model, v, problem))
    model.minimize(sum(term.weight * term.expr for term in penalties))
    return model, v


def test_neighbourhoods_reach_the_proven_optimum_from_any_roster(tmp_path: Path) -> None:
    """Five agents, two weeks, two wanted on the early shift and one on the night each day,
    runs of 2-7 working days, wishes against some days: from a roster found with the
    objective ignored, the neighbourhoods reach the optimum of a whole-model search."""
    agents = "agent,team,line\n" + "".join(f"A{i},T,L\n" for i in range(1, 6))
    cover = "date,shift,required,under_weight,over_weight\n" + "".join(
        f"{MONDAY + dt.timedelta(days=d)},{code},{need},100,10\n" for d in range(DAYS)
        for code, need in (("E", 2), ("N", 1)))
    requests = "agent,date,kind,shift,weight\n" + "".join(
        f"A{1 + d % 5},{MONDAY + dt.timedelta(days=d)},avoid,,{1 + d % 3}\n" for d in range(DAYS))
    folder = write_centre(tmp_path, agents=agents, night='not_followed_by = ["E"]', cover=cover, requests=requests,
                          rules="min_consecutive_working_days = 2")
    problem = build_problem(load_centre(folder), NO_REQUIREMENT, MONDAY, MONDAY + dt.timedelta(days=DAYS - 1))

    model, _v = model_of(problem)
    whole = cp_model.CpSolver()
    whole.parameters.num_workers = 1
    whole.parameters.max_time_in_seconds = 60
    assert whole.solve(model) == cp_model.OPTIMAL
    optimum = whole.objective_value

    model, v = model_of(problem)
    any_roster = model.clone()
    any_roster.clear_objective()
    first = cp_model.CpSolver()
    first.parameters.num_workers = 1
    first.parameters.random_seed = 0
    assert first.solve(any_roster) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    read = cp_model.CpSolver()
    read.parameters.num_workers = 1
    for var in [*v.shift.values(), *v.rest.values()]:
        model.add_hint(var, first.value(var))
    fixed = model.clone()
    for var in [*v.shift.values(), *v.rest.values()]:
        fixed.add(var == first.value(var))
    assert read.solve(fixed) == cp_model.OPTIMAL
    best = Incumbent(list(read.response_proto.solution), read.objective_value)
    start = best.objective
    model.clear_hints()
    improved = improve(model, v, problem, best, budget=Budget(60), seed=0, bound=optimum)
    assert best.objective == pytest.approx(optimum) and best.objective < start
    # rounds are limited by work, not time: the same seed takes the same rounds to the same roster
    again = Incumbent(list(read.response_proto.solution), read.objective_value)
    assert improve(model, v, problem, again, budget=Budget(60), seed=0, bound=optimum) == improved
    assert again.values == best.values
