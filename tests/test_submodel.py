"""A neighbourhood solved as a model of its own (``staffing/roster/submodel.py``): what it
finds is a solution of the whole model with the same objective, and it finds the optimum of
the whole model with the other decisions fixed."""

from __future__ import annotations

import gc
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from staffing.roster.search import make_solver, release, set_domain
from staffing.roster.submodel import SubModels


def line_model(need: list[int], cost: list[int]):
    """Agents starting each day work two days; each day's shortfall against ``need`` is a
    helper, as is the total of starts (penalised above 3) and a day-pair shortfall ``pair``
    (two steps from the starts through the day helpers)."""
    model = cp_model.CpModel()
    days = len(need)
    x = [model.new_int_var(0, 4, f"x{d}") for d in range(days)]
    short = [model.new_int_var(0, 10, f"short{d}") for d in range(days)]
    for d in range(days):
        model.add(short[d] >= need[d] - x[d] - (x[d - 1] if d else 0))
    pair = [model.new_int_var(0, 20, f"pair{d}") for d in range(days - 1)]
    for d in range(days - 1):
        model.add(pair[d] >= short[d] + short[d + 1] - 1)
    total = model.new_int_var(0, 4 * days, "total")
    model.add(total == sum(x))
    above = model.new_int_var(0, 4 * days, "above")
    model.add(above >= total - 3)
    model.minimize(sum(10 * s for s in short) + sum(pair) + 7 * above + sum(c * v for c, v in zip(cost, x)))
    return model, x


def solved(model: cp_model.CpModel) -> tuple[list[int], float]:
    solver = make_solver(10, 0, 1)
    assert solver.solve(model) == cp_model.OPTIMAL
    return list(solver.response_proto.solution), solver.objective_value


def check_whole(model: cp_model.CpModel, values: list[int]) -> float:
    """The whole model's objective at ``values``, every variable fixed (fails when they break it)."""
    copy = model.clone()
    for i, value in enumerate(values):
        set_domain(copy, i, [value, value])
    return solved(copy)[1]


@settings(max_examples=25)
@given(st.lists(st.integers(0, 6), min_size=4, max_size=7), st.data())
def test_a_window_solved_alone_is_the_whole_model_with_the_rest_fixed(need: list[int], data) -> None:
    cost = data.draw(st.lists(st.integers(0, 5), min_size=len(need), max_size=len(need)))
    model, x = line_model(need, cost)
    values, start = solved(_fixed(model, x, [0] * len(x)))  # nobody starts: the current solution
    free = data.draw(st.sets(st.sampled_from(range(len(x))), min_size=1, max_size=3))
    subs = SubModels(model, [var.index for var in x])
    assert subs.supported
    status, found, objective = subs.solve(values, [x[d].index for d in free], make_solver(10, 0, 1))
    assert status == cp_model.OPTIMAL
    assert check_whole(model, found) == pytest.approx(objective) and objective <= start + 1e-9
    assert all(found[x[d].index] == 0 for d in range(len(x)) if d not in free)
    # the same optimum as the whole model with the other starts fixed
    whole = model.clone()
    for d in range(len(x)):
        if d not in free:
            set_domain(whole, x[d].index, [0, 0])
    assert solved(whole)[1] == pytest.approx(objective)


def _fixed(model: cp_model.CpModel, x: list, starts: list[int]) -> cp_model.CpModel:
    copy = model.clone()
    for var, value in zip(x, starts):
        set_domain(copy, var.index, [value, value])
    return copy


def test_constraints_added_later_are_read_and_their_new_variables_solved_for() -> None:
    """A cut added after the sub-models were set up (with a variable the current solution has
    no value for) binds the next sub-model."""
    model, x = line_model([3, 3, 3, 3], [0, 0, 0, 0])
    values, _ = solved(_fixed(model, x, [0, 0, 0, 0]))
    subs = SubModels(model, [var.index for var in x])
    _status, free_run, _ = subs.solve(values, [x[1].index], make_solver(10, 0, 1))
    assert free_run[x[1].index] > 1
    flag = model.new_bool_var("cut")
    model.add(x[1] <= 1).only_enforce_if(flag)
    model.add_bool_or([flag])
    status, found, objective = subs.solve(values, [x[1].index], make_solver(10, 0, 1))
    assert status == cp_model.OPTIMAL and found[x[1].index] <= 1 and found[flag.index] == 1
    assert check_whole(model, found) == pytest.approx(objective)


def test_a_constraint_it_cannot_read_sends_the_round_to_the_whole_model() -> None:
    """With a constraint the reader does not know (here a no-overlap), a round fixes the other
    decisions of the whole model, solves it, and gives its domains back."""
    model, x = line_model([3, 3, 3, 3], [0, 0, 0, 0])
    model.add_no_overlap([model.new_fixed_size_interval_var(x[0], 2, "i")])
    values, start = solved(_fixed(model, x, [0, 0, 0, 0]))
    subs = SubModels(model, [var.index for var in x])
    assert not subs.supported
    status, found, objective = subs.solve(values, [x[1].index], make_solver(10, 0, 1))
    assert status == cp_model.OPTIMAL and objective < start
    assert [found[var.index] for var in x][::2] == [0, 0] and found[x[3].index] == 0
    assert check_whole(model, found) == pytest.approx(objective)
    assert [list(model.proto.variables[var.index].domain) for var in x] == [[0, 4]] * 4


def test_a_released_model_is_freed_without_the_cyclic_collector() -> None:
    """Each window builds a throwaway model; ``release`` frees it at once (a ``CpModel``
    refers to itself, so a dropped one otherwise waits for the cyclic collector)."""
    kept, released = cp_model.CpModel(), cp_model.CpModel()
    for model in (kept, released):
        model.new_int_var(0, 1, "x")
    refs = [weakref.ref(kept), weakref.ref(released)]
    gc.disable()
    try:
        release(released)
        del kept, released, model
        assert refs[1]() is None
        assert refs[0]() is not None  # the cycle the release breaks is there
    finally:
        gc.enable()
        gc.collect()
