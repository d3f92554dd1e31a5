"""The lower bound from the days one at a time (staffing/roster/daybound.py): no roster costs
less, its programme finds the cheapest combination of what it knows (fairness by arithmetic
included), and the roster's bound is raised by it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing import load_centre
from staffing.domain import ShiftTemplate, Window
from staffing.roster import build_problem, roster
from staffing.roster.daybound import UNKNOWN, Days, _Cell, _Line, applies, most_days
from staffing.roster.search import Budget
from tests.conftest import TINY
from tests.test_roster import check_roster

solve_module = importlib.import_module("staffing.roster.solve")  # the package's `solve` is the function
FRIDAY = dt.date(2026, 8, 14)
EVENING = ShiftTemplate(code="E", name="evening", start_min=13 * 60, end_min=21 * 60, lines=("chat",), meals=1,
                        meal_window=Window(start_min=15 * 60, end_min=18 * 60), breaks=1)


@pytest.fixture(scope="module")
def centre():
    """The tiny centre (1 line, 1 team, 3 agents) with an evening shift beside its day shift."""
    tiny = load_centre(TINY)
    return dataclasses.replace(tiny, shifts={**tiny.shifts, "E": EVENING})


def requirement(days: list[dt.date], hours: dict[int, int], floor: int = 0) -> pd.DataFrame:
    rows = [("chat", start, start + pd.Timedelta(hours=1), need, floor, None)
            for day in days for h, need in hours.items()
            for start in [pd.Timestamp(day) + pd.Timedelta(hours=h)]]
    return pd.DataFrame(rows, columns=["line", "start", "end", "required", "floor", "day_min_agents"])


def bound(problem, work: float = 60.0) -> float:
    budget = Budget(work)
    with budget.charging():
        return Days(problem).run(budget, 0)


@settings(max_examples=6)
@given(days=st.integers(2, 3), needs=st.lists(st.integers(0, 3), min_size=12, max_size=12))
def test_no_roster_costs_less_than_the_days_one_at_a_time(centre, days, needs) -> None:
    """On random requirements over a weekend, the bound is at most the objective of the
    roster the engine proves optimal (or, unproven, finds): hours, coverage with meals and
    breaks placed exactly, the daily cap and fairness's spread all stay below what a roster pays."""
    dates = [FRIDAY + dt.timedelta(days=i) for i in range(days)]
    need = requirement(dates, dict(zip(range(9, 21), needs, strict=True)))
    problem = build_problem(centre, need, dates[0], dates[-1])
    assert applies(problem)
    result = roster(centre, need, dates[0], dates[-1], time_limit_s=30, seed=0)
    low = bound(problem)
    assert low <= result.objective + 1e-6
    assert low > 0


@settings(max_examples=40)
@given(data=st.data())
def test_the_programme_picks_the_cheapest_combination_of_what_is_known(centre, data) -> None:
    """Against every combination of the days' cells by brute force: agent-days at most the
    team's most, and each fairness category whose total is not a multiple of the team's agents
    charged its weight (the evening total only where every day's is known). The brute force
    takes every other evening total; the programme leaves out those costing the fairness weight
    more than the cell or above (settled), and finds the same least."""
    days = [FRIDAY + dt.timedelta(days=i) for i in range(3)]   # Friday, Saturday, Sunday
    problem = build_problem(centre, requirement(days, {h: 1 for h in range(9, 21)}), days[0], days[-1])
    line = _Line(problem, "chat")
    line.most = data.draw(st.integers(0, 9))
    line.mods = [data.draw(st.sampled_from([1, 3])), 1, data.draw(st.sampled_from([1, 3]))]
    values = st.integers(0, 50).map(float)
    for d, n in line.cells:
        exact = data.draw(st.booleans())
        line.cells[d, n] = _Cell(low=data.draw(values), exact=exact,
                                 evening=data.draw(st.integers(0, n)) if exact else UNKNOWN)
        if exact and line.mods[2] > 1:  # at or above the fairness weight (120): settled, left out of the programme
            line.cells[d, n].other = line.cells[d, n].low + data.draw(st.integers(0, 300).map(float))
    value, chosen = line.programme()

    def choices(d):
        for n in range(4):
            cell = line.cells[d, n]
            known = cell.exact or line.mods[2] == 1
            yield n, cell.low, (cell.evening if line.mods[2] > 1 else 0) if known else UNKNOWN
            if cell.exact and line.mods[2] > 1:
                yield n, cell.other, UNKNOWN

    best = float("inf")
    for combo in itertools.product(*(list(choices(d)) for d in range(3))):
        if sum(n for n, _v, _e in combo) > line.most:
            continue
        weekend = sum(n for d, (n, _v, _e) in enumerate(combo) if days[d].weekday() >= 5)
        evenings = [e for _n, _v, e in combo]
        fair = line.fair * (weekend % line.mods[0] != 0)
        if UNKNOWN not in evenings:
            fair += line.fair * (sum(evenings) % line.mods[2] != 0)
        best = min(best, sum(v for _n, v, _e in combo) + fair)
    assert value == best
    if chosen:
        assert sum(n for _d, n, _kind in chosen) <= line.most
        assert sum(line.cells[d, n].low if kind == "cell" else line.cells[d, n].other
                   for d, n, kind in chosen) <= value


def test_an_agent_works_at_most_its_runs_and_its_month_allow(centre) -> None:
    """Eight days with a run limit of 6: at most 7 (a rest day inside any 7), a fixed day off
    among them included; a whole month owes its rest days (4 in 31 days: 27, as the runs also
    allow)."""
    eight = [FRIDAY + dt.timedelta(days=i) for i in range(8)]
    problem = build_problem(centre, requirement(eight, {9: 1}), eight[0], eight[-1])
    assert [most_days(problem, a) for a in range(3)] == [7, 7, 7]
    # a fixed day off is the rest day those 8 days owe (4 x 8 // 31 = 1), not one more on top
    off = dataclasses.replace(problem, days_off=frozenset({("A1", 3)}))
    assert most_days(off, 0) == 7
    august = [dt.date(2026, 8, 1) + dt.timedelta(days=i) for i in range(31)]
    problem = build_problem(centre, requirement(august, {9: 1}), august[0], august[-1])
    assert most_days(problem, 0) == 27


def test_the_roster_bound_is_raised_by_the_days(centre, monkeypatch) -> None:
    """A roster whose own search proved little (its bound 0) gets the days' bound: at most its
    objective, and "optimal" exactly when they meet."""
    days = [FRIDAY, FRIDAY + dt.timedelta(days=1)]
    need = requirement(days, {h: 2 for h in range(9, 21)})
    first = roster(centre, need, days[0], days[-1], time_limit_s=30, seed=0)
    staged = solve_module._roster

    def weak(*args, **kwargs):
        result = staged(*args, **kwargs)
        return dataclasses.replace(result, bound=0.0, status="feasible")

    monkeypatch.setattr(solve_module, "_roster", weak)
    again = roster(centre, need, days[0], days[-1], time_limit_s=30, seed=0)
    assert again.objective == first.objective
    assert 0 < again.bound <= again.objective + 1e-6
    assert (again.status == "optimal") == (again.bound >= again.objective - 1e-6)
    assert again.status == "optimal"   # two days of three agents: the days alone prove it


@settings(max_examples=5, deadline=None)
@given(needs=st.lists(st.integers(0, 3), min_size=12, max_size=12))
def test_a_cell_is_bounded_by_its_lp_then_solved(centre, needs) -> None:
    """Each (day, agents at work) is first bounded by its LP (at most the day's optimum, equal
    where the LP says exact, with the same evening total), and solved exactly over its mixes
    when asked again; the LPs of its other evening totals bound those from below, and solved
    again they are exact or cost at least the fairness they could save (settled)."""
    days = [FRIDAY, FRIDAY + dt.timedelta(days=1)]
    problem = build_problem(centre, requirement(days, dict(zip(range(9, 21), needs, strict=True))),
                            days[0], days[-1])
    lp_line, cp_line = _Line(problem, "chat"), _Line(problem, "chat")
    budget = Budget(120)
    with budget.charging():
        for d, n in lp_line.cells:
            lp_line.solve(d, n, "cell", budget, 0)
            assert lp_line.cells[d, n].lp
            cp_line.cells[d, n].lp = True
            cp_line.solve(d, n, "cell", budget, 0)
            lp, cp = lp_line.cells[d, n], cp_line.cells[d, n]
            assert cp.exact
            assert lp.low <= cp.low + 1e-6
            if lp.exact:
                assert lp.low == cp.low
            if cp.exact and cp.low < float("inf") and lp_line.evening and lp_line.mods[2] > 1:
                lp.exact, lp.evening, lp.other = True, cp.evening, cp.low  # as CP-SAT left it
                lp_line.solve(d, n, "other", budget, 0)
                cp_line.cells[d, n].other_lp = True
                cp_line.solve(d, n, "other", budget, 0)
                assert cp.other_exact or cp_line._settled(cp)
                assert lp.other <= cp.other + 1e-6 or cp_line._settled(cp)


def test_the_days_found_give_a_roster_the_bound_proves(centre) -> None:
    """Two days of the tiny centre: once the days' programme picks only exact cells, the days
    they found combine at the bound's own value, and the roster built from them (named, meals
    and breaks placed) is proven optimal by it, keeps every rule, and costs no more than the
    stages' roster."""
    days = [FRIDAY, FRIDAY + dt.timedelta(days=1)]
    need = requirement(days, {h: 2 for h in range(9, 21)})
    problem = build_problem(centre, need, days[0], days[-1])
    found = Days(problem)
    budget = Budget(60)
    with budget.charging():
        found.run(budget, 0)
    assert found.finished
    cost, counts = found.counts()
    assert cost == pytest.approx(found.value)
    assert sum(counts.values()) <= found.lines[0].most
    messages: list[str] = []
    result = roster(centre, need, days[0], days[-1], time_limit_s=30, seed=0, progress=messages.append)
    assert result.status == "optimal" and result.objective == pytest.approx(found.value)
    assert any(m.startswith("roster (the days one at a time)") for m in messages)
    assert check_roster(centre, result.frame) == []


def test_the_stages_run_where_the_days_roster_is_not_proven(centre, monkeypatch) -> None:
    """A roster from the days that its bound does not prove (here made dearer by hand) sends
    the stages after a cheaper one; the cheaper is kept, with the better of the two bounds."""
    days = [FRIDAY, FRIDAY + dt.timedelta(days=1)]
    need = requirement(days, {h: 2 for h in range(9, 21)})
    built = solve_module.from_days
    staged = []

    def dearer(*args, **kwargs):
        result = built(*args, **kwargs)
        return dataclasses.replace(result, objective=result.objective + 1_000_000, status="feasible")

    def counted(*args, **kwargs):
        staged.append(True)
        return stages(*args, **kwargs)

    stages = solve_module._staged
    monkeypatch.setattr(solve_module, "from_days", dearer)
    monkeypatch.setattr(solve_module, "_staged", counted)
    result = roster(centre, need, days[0], days[-1], time_limit_s=30, seed=0)
    assert staged
    assert result.objective < 1_000_000
    assert result.bound <= result.objective + 1e-6
    assert result.status == "optimal"


def test_a_days_roster_the_stages_bound_proves_is_optimal(centre, monkeypatch) -> None:
    """Where the stages' roster is dearer but their bound meets the days' roster, that roster is
    kept and called optimal (the bound beside the search may prove it)."""
    days = [FRIDAY, FRIDAY + dt.timedelta(days=1)]
    need = requirement(days, {h: 2 for h in range(9, 21)})
    built = solve_module.from_days
    first = {}

    def unproven(*args, **kwargs):
        result = built(*args, **kwargs)
        first["roster"] = dataclasses.replace(result, bound=result.objective - 1_000, status="feasible")
        return first["roster"]

    def dearer_but_proving(*args, **kwargs):
        days_roster = first["roster"]
        return dataclasses.replace(days_roster, objective=days_roster.objective + 10, bound=days_roster.objective)

    monkeypatch.setattr(solve_module, "from_days", unproven)
    monkeypatch.setattr(solve_module, "raised", lambda result, *args: result)  # the days' bound left as it is
    monkeypatch.setattr(solve_module, "_staged", dearer_but_proving)
    result = roster(centre, need, days[0], days[-1], time_limit_s=30, seed=0)
    days_roster = first["roster"]
    assert result.objective == days_roster.objective == result.bound and result.status == "optimal"


def test_another_evening_total_is_left_out_once_it_costs_the_fairness_it_saves(centre) -> None:
    """Every cell exact, the evening totals not a multiple of the team: the programme pays the
    fairness weight, or takes another evening total costing less than the weight more; one costing
    the weight more or above is settled and left out (the programme's least is the same)."""
    days = [FRIDAY + dt.timedelta(days=i) for i in range(3)]
    problem = build_problem(centre, requirement(days, {h: 1 for h in range(9, 21)}), days[0], days[-1])
    line = _Line(problem, "chat")
    line.mods = [1, 1, 3]
    for d, n in line.cells:
        line.cells[d, n] = _Cell(low=1000.0 * (n != 1), exact=True, evening=1)   # one at work each day is cheapest
    assert line.programme()[0] == 0.0   # three evenings: a multiple of 3
    line.cells[0, 1].evening = 0
    assert line.programme()[0] == line.fair                   # two evenings: the weight
    line.cells[2, 1].other = line.fair / 2
    assert line.programme()[0] == line.fair / 2 and (2, 1, "other") in line.programme()[1]
    line.cells[2, 1].other = line.fair
    assert line._settled(line.cells[2, 1])
    assert line.programme()[0] == line.fair and (2, 1, "other") not in line.programme()[1]

