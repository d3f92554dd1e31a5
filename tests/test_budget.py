"""Searches limited by work (``staffing/roster/search.Budget``): the budget's shares, what a
search is charged, a stop by the clock noted, and whole rosters that repeat with the same seed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ortools.sat.python import cp_model

from staffing import load_centre
from staffing.roster import roster
from staffing.roster.result import RosterResult
from staffing.roster.search import LEAST_CHARGE_S, WORK_PER_S, Budget, least_objective
from tests.conftest import TINY
from tests.test_roster import requirement

WEEK = [dt.date(2026, 8, 10) + dt.timedelta(days=i) for i in range(7)]


def hard_model() -> cp_model.CpModel:
    """A model no search proves in a few seconds: the largest cut of a dense weighted graph."""
    rng = np.random.default_rng(0)
    nodes = 40
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(nodes)]
    cut = []
    for i in range(nodes):
        for j in range(i + 1, nodes):
            y = model.new_bool_var(f"y{i}_{j}")
            model.add(y <= x[i] + x[j])
            model.add(y <= 2 - x[i] - x[j])
            cut.append(int(rng.integers(1, 100)) * y)
    model.maximize(sum(cut))
    return model


def test_parts_share_the_work_left_and_draw_on_one_ledger() -> None:
    budget = Budget(10, wall_s=100)
    half = budget.part(0.5)
    assert half.left() == pytest.approx(5) and half.wall_left() <= 50
    with budget.charging():
        half.solver(0, 1, most_s=0.2).solve(hard_model())
    spent = budget.spent
    assert spent >= LEAST_CHARGE_S and half.spent == spent
    assert budget.left() == pytest.approx(10 - spent) and half.left() == pytest.approx(5 - spent)
    assert not budget.clock_cut


def test_a_paced_step_has_all_the_work_left_and_its_part_of_the_wall() -> None:
    """``Budget.paced``: the work alone decides a step where the clock does not bind; its wall is
    its part of what is left, so a sequence of steps each paced by the steps left reaches its
    end on a slow machine (the day polish)."""
    budget = Budget(10, wall_s=100)
    step = budget.paced(0.25)
    assert step.left() == pytest.approx(10) and 20 < step.wall_left() <= 25
    step.charge(3.0)
    assert budget.left() == pytest.approx(7) and step.left() == pytest.approx(7)
    assert Budget(10, wall_s=0.0).paced(0.5).wall_left() <= 0


def test_work_no_search_counts_is_charged_to_the_same_ledger() -> None:
    """Building models (``Budget.charge``: the day polish charges each copy by its size) draws on
    the work left of every part, and the budget is done when it is spent."""
    budget = Budget(1.0, wall_s=100)
    half = budget.part(0.5)
    half.charge(0.3)
    assert budget.spent == pytest.approx(0.3) and half.left() == pytest.approx(0.2)
    assert not half.done(0.1) and half.done(0.2)
    budget.charge(0.7)
    assert budget.done() and not budget.clock_cut


def test_a_search_is_charged_its_work_and_stops_on_it_the_same_way_each_time() -> None:
    runs = []
    for _ in range(2):
        budget = Budget(0.3, wall_s=60)
        with budget.charging():
            solver = budget.solver(0, 1)
            solver.solve(hard_model())
        runs.append((solver.objective_value, solver.response_proto.deterministic_time, budget.spent))
        # stopped by its work: about 0.3 s of it at the rate of this kind of model
        assert solver.response_proto.deterministic_time == pytest.approx(0.3 * WORK_PER_S, rel=0.2)
        assert budget.spent == pytest.approx(solver.response_proto.deterministic_time / WORK_PER_S)
        assert budget.done() and not budget.clock_cut
    assert runs[0] == runs[1]


def test_a_stop_by_the_clock_is_noted() -> None:
    budget = Budget(100, wall_s=0.2)
    with budget.charging():
        status = budget.solver(0, 1, at_least_s=0.01).solve(hard_model())
    assert status in (cp_model.FEASIBLE, cp_model.UNKNOWN)
    assert budget.clock_cut
    assert Budget(5, wall_s=0).done() and Budget(5, wall_s=0).part(0.5).left() == pytest.approx(2.5)


def test_outside_a_budget_nothing_is_charged() -> None:
    budget = Budget(1, wall_s=10)
    budget.solver(0, 1, most_s=0.1).solve(hard_model())
    assert budget.spent == 0


def two_team_centre(folder: Path):
    """Ten agents in two teams on one chat line, 09:00-21:00, three templates with a meal and
    two breaks each: enough that a few seconds of work prove nothing."""
    shutil.copytree(TINY, folder)
    toml = (folder / "centre.toml").read_text(encoding="utf-8")
    toml = toml.replace('daily = "09:00-17:00"', 'daily = "09:00-21:00"')
    for code, start, meals in (("M", 11, 13), ("E", 13, 16)):
        toml += (f'\n[shifts.{code}]\nstart = "{start}:00"\nend = "{start + 8}:00"\nmeals = 1\n'
                 f'meal_window = ["{meals}:00", "{meals + 3}:00"]\nbreaks = 2\n')
    (folder / "centre.toml").write_text(toml + '\n[teams.T2]\nline = "chat"\n', encoding="utf-8")
    agents = "".join(f"A{i},N{i},T{1 + i % 2},chat\n" for i in range(10))
    (folder / "agents.csv").write_text("agent,name,team,line\n" + agents, encoding="utf-8")
    return load_centre(folder)


def test_the_same_seed_and_work_give_the_same_roster(tmp_path: Path) -> None:
    """Two runs on the same few seconds of work, the time limit far off: the same roster (not
    proven optimal, so the work stopped the searches), and said to be repeatable."""
    centre = two_team_centre(tmp_path / "centre")
    needs = [3, 4, 5, 6, 6, 5, 5, 6, 5, 4, 3, 3]
    need = pd.concat([requirement("chat", [day], range(h, h + 1), needs[h - 9] + (d % 3 == 0))
                      for d, day in enumerate(WEEK) for h in range(9, 21)], ignore_index=True)
    runs = [roster(centre, need, WEEK[0], WEEK[-1], time_limit_s=120, work_s=3, seed=3) for _ in range(2)]
    assert runs[0].status == "feasible" and runs[0].gap > 0
    assert all(run.repeatable for run in runs)
    assert runs[0].objective == runs[1].objective
    assert runs[0].frame.equals(runs[1].frame)


def test_the_summary_says_when_a_rerun_may_differ() -> None:
    fairness = pd.DataFrame({"line": ["online"] * 2, "days_worked": [5, 6], "evening": [1, 2], "weekend": [0, 1],
                             "peak_day": [1, 1]})
    slots = pd.DataFrame({"line": ["online"] * 2, "start": pd.to_datetime(["2026-08-18 10:00", "2026-08-18 10:10"]),
                          "end": pd.to_datetime(["2026-08-18 10:10", "2026-08-18 10:20"]), "short": [2, 1]})
    result = RosterResult(frame=pd.DataFrame(), status="feasible", objective=110.0, bound=100.0,
                          shortfall_agent_min={"online": 30}, over_agent_min={"online": 5}, penalties_by_rule={},
                          fairness=fairness, seconds=12.0, short_slots=slots, repeatable=False)
    text = result.describe(dt.date(2026, 8, 17), dt.date(2026, 8, 23))
    assert text.splitlines()[0] == ("Roster 2026-08-17..2026-08-23: gap 9.1% to the proven bound, 12 s "
                                    "(the clock stopped a search first: a rerun may differ)")
    assert "online: 30 agent-minutes short of the requirement, 5 above it" in text
    assert "online 2026-08-18 10:00-10:20: 30 agent-minutes, up to 2 short" in text
    assert "worked 5-6 days; evening 1-2, weekend 0-1, peak_day 1-1" in text
    # free workers are not meant to repeat, so no caveat; a repeatable run has none either
    assert "rerun" not in result.describe(dt.date(2026, 8, 17), dt.date(2026, 8, 23), deterministic=False)
    assert "rerun" not in dataclasses.replace(result, repeatable=True).describe(dt.date(2026, 8, 17),
                                                                                 dt.date(2026, 8, 23))


def test_the_least_objective_is_each_term_at_its_cheaper_end() -> None:
    """Offset and every term at the cheaper end of its domain, a negated literal and a negative
    weight included: a solution there is optimal; a fractional objective promises nothing."""
    model = cp_model.CpModel()
    x, y, b = model.new_int_var(2, 9, "x"), model.new_int_var(-3, 4, "y"), model.new_bool_var("b")
    model.minimize(3 * x - 2 * y + 5 * b.Not() + 7)
    assert least_objective(model) == 6 - 8 + 0 + 7
    solver = cp_model.CpSolver()
    assert solver.solve(model) == cp_model.OPTIMAL and solver.objective_value == least_objective(model)
    model.add(x + y >= 8)  # a constraint the domains do not see: the bound stays, the optimum rises
    assert solver.solve(model) == cp_model.OPTIMAL and solver.objective_value > least_objective(model) == 5
    fractional = cp_model.CpModel()
    fractional.minimize(0.5 * fractional.new_int_var(0, 5, "z"))
    assert least_objective(fractional) == -math.inf
