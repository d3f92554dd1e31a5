"""Stage 1's neighbourhood search on team counts (``staffing/roster/count_search.py``): the
floor bends in its model (held hard only in the first, whole-horizon search), so it starts from
no one working and still reaches the whole model's optimum, and what it hands on keeps every
team mix that can take its breaks."""

from __future__ import annotations

import datetime as dt
import importlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from staffing import load_centre
from staffing.roster import InfeasibleError, build_problem, count_search, roster
from staffing.roster.capacity import TeamCapacity, add_template_limits
from staffing.roster.count_search import (
    FIRST_DIVE_MOST,
    FIRST_DIVE_S,
    bad_days,
    counts_of,
    evaluate,
    first_dive_share,
    search_counts,
)
from staffing.roster.counts import COUNT_RULES, cost_of_fewer, create_count_vars, name_agents
from staffing.roster.improve import Incumbent
from staffing.roster.rules import WEIGHT_FLOOR, WEIGHT_SHORT
from staffing.roster.search import Budget
from tests.conftest import TINY
from tests.test_roster import check_roster, requirement

solve_module = importlib.import_module("staffing.roster.solve")  # the package's `solve` is the function
first_module = importlib.import_module("staffing.roster.first_counts")
search_module = importlib.import_module("staffing.roster.search")
placing_module = importlib.import_module("staffing.roster.placing")
WEEK = [dt.date(2026, 8, 10) + dt.timedelta(days=i) for i in range(7)]


@pytest.fixture
def tiny_centre(tiny):
    return load_centre(tiny)


def count_model(problem):
    model = cp_model.CpModel()
    v = create_count_vars(model, problem)
    v.elastic_floor = True
    penalties = [term for rule in COUNT_RULES for term in rule(model, v, problem)]
    capacity = TeamCapacity(problem, 0)
    add_template_limits(model, v, problem, capacity)
    model.minimize(sum(term.weight * term.expr for term in penalties))
    return model, v, capacity


def test_search_from_no_one_working_reaches_the_whole_models_optimum(example_centre) -> None:
    """Two chat days of the example: from all-zero counts (the floor broken everywhere) the
    windows reach exactly the optimum one whole-horizon search proves."""
    days = WEEK[:2]
    problem = build_problem(example_centre, requirement("online", days, range(9, 23), 6), days[0], days[-1])
    model, v, capacity = count_model(problem)
    whole = cp_model.CpSolver()
    whole.parameters.num_workers = 1
    whole.parameters.max_time_in_seconds = 60
    assert whole.solve(model) == cp_model.OPTIMAL
    optimum = whole.objective_value

    model, v, capacity = count_model(problem)
    best = evaluate(model, v, {}, seed=0)
    assert best is not None and best.objective > optimum  # no one working breaks the floor
    start = best.objective
    search_counts(model, v, problem, capacity, best, budget=Budget(60), seed=0, bound=optimum,
                  sweep=True)
    assert best.objective == pytest.approx(optimum) and best.objective < start
    assert bad_days(problem, counts_of(v, best), capacity, range(len(days))) == {}


@pytest.mark.parametrize(("searches_without_time", "relaxation"), [(1, True), (2, True), (2, False)])
def test_stage_one_without_a_first_roster_starts_from_none(tiny_centre, monkeypatch, searches_without_time: int,
                                                           relaxation: bool) -> None:
    """When the whole-horizon search holding the floor finds nothing in its time, one with the
    floor bending gives the first roster; when that finds nothing either, the linear
    relaxation's counts rounded do, and without them the neighbourhoods start from no one
    working. The roster they reach keeps every hard rule (independent checker)."""
    original = search_module.make_solver
    calls = []

    def first_without_time(time_limit_s: float, seed: int, workers: int, **limits):
        solver = original(time_limit_s, seed, workers, **limits)
        calls.append(time_limit_s)
        if len(calls) <= searches_without_time:
            solver.parameters.max_time_in_seconds = 0.0
        return solver

    monkeypatch.setattr(search_module, "make_solver", first_without_time)
    monkeypatch.setattr(solve_module, "EXACT_LIMIT", 0)  # the staged path
    monkeypatch.setattr(solve_module, "applies", lambda problem: False)  # nor the days first
    monkeypatch.setattr(solve_module, "PATHS_DAY_LIMIT", 0)  # as a large centre (the floor held first)
    if not relaxation:
        monkeypatch.setattr(first_module, "relaxed_point", lambda model, budget: None)
    messages = []
    result = roster(tiny_centre, requirement("chat", WEEK, range(9, 17), 2), WEEK[0], WEEK[-1], time_limit_s=20,
                    progress=messages.append)
    bending = [m for m in messages if "floor bending" in m]
    rounded = [m for m in messages if "linear relaxation's counts rounded" in m]
    from_none = [m for m in messages if "the neighbourhoods start from none" in m]
    if searches_without_time == 1:
        assert bending and not from_none
    elif relaxation:
        assert not bending and rounded and not from_none
    else:
        assert not bending and not rounded and from_none
    assert check_roster(tiny_centre, result.frame) == []
    assert result.shortfall_agent_min["chat"] > 0  # two all week with three agents owed rest


def test_floor_no_roster_can_keep_is_exit_3_on_the_staged_path(tiny_centre, monkeypatch) -> None:
    """The floor bends in stage 1's model, but a floor no roster can keep is still refused
    (exit 3) with the days and rules named, not handed on as a roster or exit 4."""
    monkeypatch.setattr(solve_module, "EXACT_LIMIT", 0)
    monkeypatch.setattr(solve_module, "applies", lambda problem: False)  # nor the days first
    with pytest.raises(InfeasibleError) as raised:
        roster(tiny_centre, requirement("chat", WEEK, range(9, 17), 3, floor=3), WEEK[0], WEEK[-1], time_limit_s=20)
    message = str(raised.value)
    assert "coverage: line chat on 2026-08-1" in message and "confirmed" in message
    assert raised.value.exit_code == 3


def test_stage_one_bound_sees_away_time_the_spare_hours_cannot_take(tiny_centre, monkeypatch) -> None:
    """Three agents on one 8-hour shift, three wanted until 13:00 and two after: away time
    is free only where one is spare. The exact model proves 130 agent-minutes short. Stage
    1's relaxation must come close from below (it may not raise a slot's shortage and excess
    together to hide away time, which let it claim 60), and the staged roster matches the
    exact one."""
    day = [WEEK[0]]
    need = pd.concat([requirement("chat", day, range(9, 13), 3), requirement("chat", day, range(13, 17), 2)])
    problem = build_problem(tiny_centre, need, day[0], day[0])
    model, v, _capacity = count_model(problem)
    for var in v.count.values():
        model.add(var == 3)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    assert solver.solve(model) == cp_model.OPTIMAL
    assert 120 <= sum(solver.value(var) for var in v.day_short.values()) * problem.slot_min <= 130

    exact = roster(tiny_centre, need, day[0], day[0], time_limit_s=20)
    assert exact.status == "optimal" and exact.shortfall_agent_min["chat"] == 130
    monkeypatch.setattr(solve_module, "EXACT_LIMIT", 0)  # the staged path
    monkeypatch.setattr(solve_module, "applies", lambda problem: False)  # nor the days first
    staged = roster(tiny_centre, need, day[0], day[0], time_limit_s=20)
    assert staged.shortfall_agent_min["chat"] == 130
    assert staged.bound >= 0.9 * staged.objective


def test_a_floor_plus_one_cut_draws_the_windows_to_its_day(example_centre) -> None:
    """After a day's meals and breaks could not keep the floor, stage 1 asks for one more on
    the line there; while that is open, the windows go to that day, as to a broken floor."""
    problem = build_problem(example_centre, requirement("online", WEEK, range(9, 23), 2, floor=2), WEEK[0], WEEK[-1])
    model, v, _capacity = count_model(problem)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    assert solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    counts = counts_of(v, list(solver.response_proto.solution))
    solve_module._require_cover(model, v, problem, "online", 3)
    best = evaluate(model, v, counts, seed=0)
    opened = [gap for line, d, _k, gap in v.floor_gaps if (line, d) == ("online", 3) and best.values[gap.index]]
    assert opened  # the floor is kept but not one more than it
    held = Incumbent(list(solver.response_proto.solution), float("inf"))  # from before the cut: its variables,
    # with no value in it, count as open (as when the roster could not be solved again in time)
    rng = np.random.default_rng(0)
    for incumbent in (best, held):
        for _ in range(20):
            first = count_search._hot_window(v, problem, incumbent, 2, rng)
            assert first <= 3 < first + 2


def test_the_floor_held_is_hard_inside_and_bends_again_after(tiny_centre) -> None:
    """``floor_held`` fixes every floor gap at 0 for the whole-horizon search and gives the
    domains back: a floor of three all week with three agents owed rest has no roster inside
    it, and is a roster (bending) outside."""
    problem = build_problem(tiny_centre, requirement("chat", WEEK, range(9, 17), 3, floor=3), WEEK[0], WEEK[-1])
    model, v, _capacity = count_model(problem)
    domains = [list(model.proto.variables[gap.index].domain) for *_key, gap in v.floor_gaps]
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    with first_module.floor_held(model, v):
        assert solver.solve(model) == cp_model.INFEASIBLE
    assert [list(model.proto.variables[gap.index].domain) for *_key, gap in v.floor_gaps] == domains
    assert solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert sum(solver.value(gap) for *_key, gap in v.floor_gaps) > 0


def test_the_first_search_keeps_the_floor_or_starts_from_none(tiny_centre, example_centre) -> None:
    """The whole-horizon search holds the floor: its roster keeps it everywhere, and its bound
    is below that roster. On a floor no counts can keep it proves so (no bound: the diagnosis
    follows) and the neighbourhoods start from no one working, the floor bending again."""
    problem = build_problem(example_centre, requirement("online", WEEK, range(9, 23), 3, floor=2),
                            WEEK[0], WEEK[-1])
    model, v, capacity = count_model(problem)
    budget = Budget(20)
    with budget.charging():
        best, bound, sweep, _focus = first_module.first_counts(model, v, problem, capacity, budget, 0, 1, None, 0.0)
    assert not sweep and all(best.values[gap.index] == 0 for *_key, gap in v.floor_gaps)
    assert bound <= best.objective + 1e-6

    problem = build_problem(tiny_centre, requirement("chat", WEEK, range(9, 17), 3, floor=3), WEEK[0], WEEK[-1])
    model, v, capacity = count_model(problem)
    budget = Budget(20)
    with budget.charging():
        best, bound, sweep, _focus = first_module.first_counts(model, v, problem, capacity, budget, 0, 1, None, 0.0)
    assert bound == float("-inf") and sweep
    assert all(n == 0 for n in counts_of(v, best).values())
    assert any(best.values[gap.index] for *_key, gap in v.floor_gaps)


def test_a_line_day_not_placed_in_its_share_gets_half_of_what_is_left(tiny_centre, monkeypatch) -> None:
    """Stage 3: a line-day whose meals and breaks are not placed in its share of the work (its
    search stopped at once here) and that has no start to keep (neither stage 1's placement nor
    a built one, both taken away here) is searched once more on half of what is left, not exit 4."""
    placing = []
    original_coverage = placing_module.add_day_coverage

    def marked(model, *args, **kwargs):
        placing.append(model)
        return original_coverage(model, *args, **kwargs)

    original_solve = search_module._Solver.solve
    tries = []

    def solve(self, model, solution_callback=None):
        if placing and model is placing[0]:
            tries.append(model)
            if len(tries) == 1:
                self.parameters.max_time_in_seconds = 0.0
        return original_solve(self, model, solution_callback)

    monkeypatch.setattr(placing_module, "add_day_coverage", marked)
    monkeypatch.setattr(placing_module, "_stage_one_starts", lambda *args: None)
    monkeypatch.setattr(placing_module, "greedy_placement", lambda *args: None)
    monkeypatch.setattr(search_module._Solver, "solve", solve)
    monkeypatch.setattr(solve_module, "EXACT_LIMIT", 0)  # the staged path
    monkeypatch.setattr(solve_module, "applies", lambda problem: False)  # nor the days first
    days = WEEK[:2]
    result = roster(tiny_centre, requirement("chat", days, range(9, 17), 2), days[0], days[-1], time_limit_s=20)
    assert len(tries) == 2
    assert check_roster(tiny_centre, result.frame) == []


def test_a_first_roster_mix_that_cannot_fit_is_solved_again_not_emptied(tiny_centre, monkeypatch) -> None:
    """A team mix of the first roster that cannot take its meals and breaks (here: any three
    at once) is cut, and the team-days that chose it are solved again with every other count
    as it is: they keep two on the line, where emptying them broke the floor."""
    problem = build_problem(tiny_centre, requirement("chat", WEEK, range(9, 17), 3, floor=1), WEEK[0], WEEK[-1])
    model, v, capacity = count_model(problem)
    original = capacity._solve
    capacity.known.clear()
    monkeypatch.setattr(capacity, "_solve", lambda line, mix: sum(n for _s, n in mix) < 3 and original(line, mix))
    messages = []
    budget = Budget(20)
    with budget.charging():
        best, _bound, sweep, mended = first_module.first_counts(model, v, problem, capacity, budget, 0, 1,
                                                                  messages.append, 0.0)
    assert any("cannot fit meals and breaks" in m for m in messages) and mended and not sweep
    counts = counts_of(v, best)
    assert bad_days(problem, counts, capacity, range(len(WEEK))) == {}
    for d in mended:
        assert sum(n for (_team, day, _s), n in counts.items() if day == d) == 2
    assert all(best.values[gap.index] == 0 for *_key, gap in v.floor_gaps)


FOUR_DAYS = [dt.date(2026, 8, 10) + dt.timedelta(days=k) for k in range(4)]
ALL_THREE = {("T1", d, 0): 3 for d in range(4)}  # counts no roster keeps at three days in a row at most


def three_days_in_a_row(tiny, wanted: list[int]):
    """The tiny centre at most three working days in a row, over FOUR_DAYS wanting ``wanted``
    agents each day from 09:00 to 17:00."""
    toml = tiny / "centre.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("max_away_per_team = 1",
                                                             "max_away_per_team = 1\nmax_consecutive_working_days = 3"),
                    encoding="utf-8")
    need = pd.concat([requirement("chat", [day], range(9, 17), n) for day, n in zip(FOUR_DAYS, wanted, strict=True)])
    return build_problem(load_centre(tiny), need, FOUR_DAYS[0], FOUR_DAYS[-1])


def test_names_off_the_counts_never_put_more_on_a_shift_than_counted(tiny) -> None:
    """Counts no roster keeps (all three on every one of four days, at most three days in a
    row): the names rest the fewest agent-days, and no team-day has more on a shift than its
    count, so a mix whose meals and breaks fit one away at a time still fits."""
    problem = three_days_in_a_row(tiny, [3, 3, 3, 3])
    shifts, moved = name_agents(problem, ALL_THREE, budget=Budget(30), seed=0)
    named: dict[tuple[int, int], int] = {}
    for (_a, d), s in shifts.items():
        named[d, s] = named.get((d, s), 0) + 1
    assert moved == 3
    assert all(n <= ALL_THREE[("T1", d, s)] for (d, s), n in named.items())
    assert sum(named.values()) == 9


def test_names_off_the_counts_move_where_the_line_can_spare_them(tiny) -> None:
    """The same counts no roster keeps, but only the second day needs all three (the others
    need one): the three rest days go where the line has someone to spare, never onto the
    second day, and never below the floor of one."""
    problem = three_days_in_a_row(tiny, [1, 3, 1, 1])
    costs = cost_of_fewer(problem, ALL_THREE, "T1")
    assert costs[0, 0][:2] == [0, 0] and costs[0, 0][2] > costs[1, 0][0] > 0  # the third off day 0: below the floor
    shifts, moved = name_agents(problem, ALL_THREE, budget=Budget(30), seed=0)
    on = [sum(1 for (_a, e), s in shifts.items() if e == d and s == 0) for d in range(4)]
    assert moved == 3
    assert on[1] == 3
    assert min(on) >= 1 and sum(on) == 9


@settings(max_examples=30, deadline=None)
@given(on=st.lists(st.integers(0, 3), min_size=4, max_size=4),
       wanted=st.lists(st.integers(1, 4), min_size=4, max_size=4))
def test_each_fewer_costs_at_least_the_one_before_and_only_where_the_line_is_at_or_below_its_need(on, wanted) -> None:
    """On random counts and needs: the k-th fewer on a shift costs at least the one before, and
    between an agent-minute short and one below the floor for each open slot of the shift that
    is then at or below ``required`` (nothing where every slot keeps someone to spare)."""
    need = pd.concat([requirement("chat", [day], range(9, 17), n) for day, n in zip(FOUR_DAYS, wanted, strict=True)])
    problem = build_problem(load_centre(TINY), need, FOUR_DAYS[0], FOUR_DAYS[-1])
    counts = {("T1", d, 0): n for d, n in enumerate(on)}
    costs = cost_of_fewer(problem, counts, "T1")
    first, last = problem.shift_slots(problem.templates[0])
    for d, n in enumerate(on):
        steps = costs.get((d, 0), [])
        assert len(steps) == n and steps == sorted(steps)
        for j, cost in enumerate(steps):
            open_ = problem.open_slots["chat"][d, first:last]
            tight = int(((n - j <= problem.required["chat"][d, first:last]) & open_).sum())
            assert tight * problem.slot_min * WEIGHT_SHORT <= cost <= tight * problem.slot_min * WEIGHT_FLOOR


def test_names_keep_counts_their_first_search_did_not_reach(tiny, monkeypatch) -> None:
    """Counts a roster keeps, but the first search on them stopped before it found one (as the
    work-limited first try can on a large team), and so does every search of the model that
    moves agent-days off them: the names still keep the counts, found by a search of its own,
    and move nothing (before, they fell back to moving agent-days, here finding no roster)."""
    problem = three_days_in_a_row(tiny, [2, 2, 2, 2])
    counts = {("T1", d, 0): 2 for d in range(4)}
    plain_solve = search_module._Solver.solve
    searches = []

    def cut(self, model, solution_callback=None):
        searches.append(model)
        if len(searches) == 1 or any("fewer=" in var.name for var in model.proto.variables):
            return cp_model.UNKNOWN
        return plain_solve(self, model, solution_callback)

    monkeypatch.setattr(search_module._Solver, "solve", cut)
    shifts, moved = name_agents(problem, counts, budget=Budget(30), seed=0)
    assert moved == 0
    assert [sum(1 for (_a, e) in shifts if e == d) for d in range(4)] == [2, 2, 2, 2]


def test_the_large_first_search_stops_at_its_first_roster(example_centre, monkeypatch) -> None:
    """A large centre's whole-horizon search stops at the roster of its first dive where its
    workers are not free (it never bettered it: the windows go on from there), and runs on where
    they are (CP-SAT's own parallel search shares and betters its rosters)."""
    problem = build_problem(example_centre, requirement("online", WEEK, range(9, 23), 3, floor=2),
                            WEEK[0], WEEK[-1])
    stops: list[bool] = []
    solve = search_module._Solver.solve
    monkeypatch.setattr(search_module._Solver, "solve", lambda self, model, callback=None: stops.append(
        self.parameters.stop_after_first_solution) or solve(self, model, callback))
    for workers, deterministic in ((1, True), (2, False)):
        model, v, capacity = count_model(problem)
        stops.clear()
        with search_module.parallel(deterministic), Budget(5).charging() as budget:
            best, _bound, _sweep, _focus = first_module.first_counts(model, v, problem, capacity, budget, 0,
                                                                      workers, None, 0.0)
        assert stops[0] is deterministic
        assert all(best.values[gap.index] == 0 for *_key, gap in v.floor_gaps)


def test_the_large_first_search_gets_the_work_of_its_first_dive(example_centre, monkeypatch) -> None:
    """A large centre's whole-horizon search works at least ``FIRST_DIVE_S`` where stage 1's
    work allows (within six tenths of it), not only its share: on M at ``--time-limit 70`` its
    share ended before the dive's roster, and the run stopped with none."""
    problem = build_problem(example_centre, requirement("online", WEEK, range(9, 23), 3, floor=2),
                            WEEK[0], WEEK[-1])
    model, v, capacity = count_model(problem)
    works: list[float] = []
    solve = search_module._Solver.solve
    monkeypatch.setattr(search_module._Solver, "solve", lambda self, model, callback=None: works.append(
        self.parameters.max_deterministic_time / self.rate) or solve(self, model, callback))
    with Budget(5).charging() as budget:
        first_module.first_counts(model, v, problem, capacity, budget, 0, 1, None, 0.0)
    assert works[0] == pytest.approx(FIRST_DIVE_MOST * 5)  # its share, 0.3, would give it 1.5 s of work


def test_a_first_roster_far_above_its_bound_gives_way_to_the_lp_counts_rounded(example_centre,
                                                                              monkeypatch) -> None:
    """A large centre's first search stops at its first roster; where that is ten times its bound
    or more (the worker without the linear relaxation found it first: on 12 teams x 28 days with
    meals the floor alone, 249 million against a bound of 0.37), a roster from the relaxation's
    counts, rounded, takes its place where better, a roster of the model with the floor held.
    Here the first search runs without its relaxation (linearization level 0), as that worker does."""
    problem = build_problem(example_centre, requirement("online", WEEK, range(9, 23), 12, floor=2),
                            WEEK[0], WEEK[-1])
    solve = search_module._Solver.solve
    firsts: list[float] = []

    def first_without_lp(self, model, callback=None):
        whole = self.parameters.stop_after_first_solution  # the whole-horizon search
        if whole:
            self.parameters.linearization_level = 0
        status = solve(self, model, callback)
        if whole:
            firsts.append(self.objective_value)
        return status

    monkeypatch.setattr(search_module._Solver, "solve", first_without_lp)
    model, v, capacity = count_model(problem)
    lines: list[str] = []
    with Budget(10).charging() as budget:
        best, bound, _sweep, _focus = first_module.first_counts(model, v, problem, capacity, budget, 0, 1,
                                                                 lines.append, 0.0)
    assert firsts[0] > first_module.FAR_ABOVE * bound  # the first roster: far above its bound
    assert any("linear relaxation's counts rounded" in line for line in lines)
    assert bound <= best.objective < firsts[0] / 2
    assert all(best.values[gap.index] == 0 for *_key, gap in v.floor_gaps)  # the floor kept
    again = evaluate(model, v, counts_of(v, best), seed=0)  # a roster of the model: every counted rule kept
    assert again is not None and again.objective == pytest.approx(best.objective)


@given(st.floats(0.05, 0.9), st.floats(0.1, 1000.0))
def test_the_first_dive_share_is_the_share_or_enough_for_the_dive(share: float, left: float) -> None:
    part = first_dive_share(share, left)
    assert share <= part <= max(share, FIRST_DIVE_MOST)
    assert part * left >= min(FIRST_DIVE_S, FIRST_DIVE_MOST * left) - 1e-9
    assert first_dive_share(0.3, 0.55 * 0.85 * 120) == 0.3  # M's plain 120 s run: its share is enough
