"""The LP relaxation of a CP-SAT model (staffing/roster/lp.py): never above the model's
optimum, equal to it where it says it is exact, and ``None`` where it cannot read the model."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from staffing.roster.lp import linear_relaxation
from staffing.roster.search import Budget


def optimum(model: cp_model.CpModel) -> float:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    return math.inf if status == cp_model.INFEASIBLE else round(solver.objective_value)  # whole: its float may not be


def test_the_bound_is_rounded_up_to_the_objectives_step():
    model = cp_model.CpModel()
    x, y = model.new_int_var(0, 10, "x"), model.new_int_var(0, 10, "y")
    model.add(2 * x + 2 * y >= 3)   # LP: x + y = 1.5, so 15; every whole solution costs a multiple of 10
    model.minimize(10 * x + 10 * y + 7)
    relaxed = linear_relaxation(model, Budget(10))
    assert relaxed.bound == 27 and not relaxed.exact
    assert optimum(model) == 27


def test_a_whole_lp_solution_is_the_optimum():
    model = cp_model.CpModel()
    x, y = model.new_int_var(0, 10, "x"), model.new_int_var(0, 10, "y")
    model.add(x + y == 4)
    model.add(x <= 3)
    model.minimize(5 * x + 2 * y)
    relaxed = linear_relaxation(model, Budget(10))
    assert relaxed.exact and relaxed.bound == 8 == optimum(model)
    assert list(relaxed.values) == [0, 4]


def test_an_infeasible_lp_is_an_infeasible_model():
    model = cp_model.CpModel()
    x = model.new_int_var(0, 3, "x")
    model.add(2 * x >= 7)
    model.minimize(x)
    relaxed = linear_relaxation(model, Budget(10))
    assert relaxed.bound == math.inf and relaxed.exact


def test_a_negated_literal_reads_as_one_minus_it():
    model = cp_model.CpModel()
    b = model.new_bool_var("b")
    x = model.new_int_var(0, 5, "x")
    model.add(x + b.negated() >= 2)  # b true: x >= 2; b false: x >= 1
    model.minimize(3 * x + b.negated())
    relaxed = linear_relaxation(model, Budget(10))
    assert relaxed.bound <= optimum(model) == 4


def test_a_model_it_cannot_read_is_left_to_cp_sat():
    model = cp_model.CpModel()
    a, b = model.new_bool_var("a"), model.new_bool_var("b")
    model.add_bool_or([a, b])
    model.minimize(a + b)
    assert linear_relaxation(model, Budget(10)) is None
    enforced = cp_model.CpModel()
    a, x = enforced.new_bool_var("a"), enforced.new_int_var(0, 4, "x")
    enforced.add(x >= 3).only_enforce_if(a)
    enforced.minimize(x - a)
    assert linear_relaxation(enforced, Budget(10)) is None


def test_the_lp_is_charged_to_the_budget():
    budget = Budget(10)
    with budget.charging():
        model = cp_model.CpModel()
        x = model.new_int_var(0, 4, "x")
        model.add(x >= 1)
        model.minimize(x)
        linear_relaxation(model, budget)
    assert budget.spent > 0


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(2, 4), st.integers(1, 4), st.data())
def test_the_bound_is_never_above_the_optimum(n_vars, n_rows, data):
    """Random small integer programs (with a row of a domain with a hole, read as its hull):
    the LP's bound is at most the optimum, and where it says exact, it is the optimum."""
    model = cp_model.CpModel()
    xs = [model.new_int_var(0, data.draw(st.integers(1, 5)), f"x{i}") for i in range(n_vars)]
    coeff = st.integers(-4, 4)
    for _ in range(n_rows):
        coeffs = [data.draw(coeff) for _ in xs]
        low = data.draw(st.integers(-6, 10))
        model.add(sum(k * x for k, x in zip(coeffs, xs, strict=True)) >= low)
    if data.draw(st.booleans()):
        model.add(sum(xs) != data.draw(st.integers(0, 6)))
    model.minimize(sum(data.draw(st.integers(0, 6)) * x for x in xs) + data.draw(st.integers(0, 9)))
    relaxed = linear_relaxation(model, Budget(10))
    best = optimum(model)
    assert relaxed is not None
    assert relaxed.bound <= best
    if relaxed.exact:
        assert relaxed.bound == best
