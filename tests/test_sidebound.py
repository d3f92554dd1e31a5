"""The bound with meals and breaks placed on every day, solved in a process of its own beside
the search (staffing/roster/sidebound.py): the same bound as in the run's own process, only
where a core is spare, as many days as its size allows, stopped and noted when the time is up,
and never left running."""

from __future__ import annotations

import datetime as dt
import pickle

from staffing.roster import build_problem, roster
from staffing.roster import sidebound as side_module
from staffing.roster.capacity import TeamCapacity
from staffing.roster.placebound import LpSize, placed_lp
from staffing.roster.search import Budget, spare_core
from staffing.roster.sidebound import SideBound, chosen_days
from tests.test_daybound import FRIDAY, centre, requirement  # noqa: F401 (the fixture)
from tests.test_placebound import stage_one_lp


def three_days(centre):  # noqa: F811
    dates = [FRIDAY + dt.timedelta(days=i) for i in range(3)]
    peaks = {h: 3 if 11 <= h < 15 else 2 for h in range(9, 21)}
    need = requirement(dates, peaks)
    # the third day needs more all day: the most agent-minutes required
    need.loc[need["start"] >= dt.datetime.combine(dates[2], dt.time()), "required"] += 1
    return need, dates


def test_the_centre_and_its_problem_travel_pickled(centre) -> None:  # noqa: F811
    """The problem is handed to the process pickled: the centre's read-only mappings too."""
    need, dates = three_days(centre)
    problem = build_problem(centre, need, dates[0], dates[-1])
    again = pickle.loads(pickle.dumps(problem))
    assert again.centre == centre and dict(again.centre.teams) == dict(centre.teams)
    assert (again.required["chat"] == problem.required["chat"]).all()


def test_beside_the_search_it_is_the_same_lp(centre) -> None:  # noqa: F811
    """Solved in a process of its own, the bound is what the run's own process finds."""
    need, dates = three_days(centre)
    problem = build_problem(centre, need, dates[0], dates[-1])
    capacity = TeamCapacity(problem)
    beside = SideBound(problem, capacity, [0, 1, 2], Budget(60))
    budget = Budget(60)
    assert beside.bound(budget) == placed_lp(problem, [0, 1, 2], capacity, Budget(60))
    assert not budget.clock_cut


def test_a_bound_done_is_taken_with_no_time_left(centre) -> None:  # noqa: F811
    """Where the search used the whole time limit, a process that finished meanwhile still gives
    its bound (a wait of no time used to give up before reading it)."""
    need, dates = three_days(centre)
    problem = build_problem(centre, need, dates[0], dates[-1])
    capacity = TeamCapacity(problem)
    beside = SideBound(problem, capacity, [0, 1, 2], Budget(60))
    beside._process.wait()
    spent = Budget(0)
    assert beside.bound(spent) == placed_lp(problem, [0, 1, 2], capacity, Budget(60))
    assert not spent.clock_cut


def test_only_on_a_spare_core_and_where_worth_a_process(centre, monkeypatch) -> None:  # noqa: F811
    """No process where the search's workers take every core, nor for an LP cheaper than one."""
    need, dates = three_days(centre)
    problem = build_problem(centre, need, dates[0], dates[-1])
    monkeypatch.setattr(side_module.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert spare_core(1) and not spare_core(2)
    assert SideBound.start(problem, TeamCapacity(problem), Budget(60), 2) is None
    assert SideBound.start(problem, TeamCapacity(problem), Budget(60), 1) is None  # a few hundredths of a second
    monkeypatch.setattr(side_module, "LEAST_S", 0.0)
    started = SideBound.start(problem, TeamCapacity(problem), Budget(60), 1)
    assert started is not None and started.days == [0, 1, 2]
    started.close()


def test_as_many_days_as_its_size_and_the_clock_allow(centre, monkeypatch) -> None:  # noqa: F811
    """Every day where the size allows; else the days with the most agent-minutes required
    first; fewer where the wall time left pays for fewer, and then the clock's cut is noted."""
    need, dates = three_days(centre)
    problem = build_problem(centre, need, dates[0], dates[-1])
    size = LpSize.of(problem)
    budget = Budget(60)
    assert chosen_days(problem, size, budget) == [0, 1, 2] and not budget.clock_cut
    monkeypatch.setattr(side_module, "MOST_NONZEROS", size.nonzeros(1))
    assert chosen_days(problem, size, budget) == [2] and not budget.clock_cut
    monkeypatch.setattr(side_module, "MOST_NONZEROS", size.nonzeros(3))
    clocked = Budget(60, wall_s=size.seconds(2) / side_module.WALL_SHARE * 1.001)
    assert chosen_days(problem, size, clocked) == [0, 2] and clocked.clock_cut


def test_stopped_and_noted_when_the_time_is_up(centre) -> None:  # noqa: F811
    """With no wall time left it is not waited for: stopped, the cut noted, nothing left behind."""
    need, dates = three_days(centre)
    problem = build_problem(centre, need, dates[0], dates[-1])
    beside = SideBound(problem, TeamCapacity(problem), [0, 1, 2], Budget(60))
    clocked = Budget(60, wall_s=0.0)
    assert beside.bound(clocked) is None and clocked.clock_cut
    assert beside._process.poll() is not None and not beside._handed.exists()


def test_the_stages_take_the_bound_from_beside_the_search(centre, monkeypatch) -> None:  # noqa: F811
    """On the staged path with a core spare, the bound of every day placed comes from the
    process beside the search, the run says so, does not place the short days again, and
    leaves no process running."""
    import importlib

    solve_module = importlib.import_module("staffing.roster.solve")
    monkeypatch.setattr(solve_module, "EXACT_LIMIT", 0)  # the staged path
    monkeypatch.setattr(solve_module, "applies", lambda problem: False)  # nor the days first
    monkeypatch.setattr(side_module, "LEAST_S", 0.0)
    monkeypatch.setattr(side_module.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    started: list[SideBound] = []
    original = SideBound.start.__func__

    def start(cls, *args):
        found = original(cls, *args)
        started.append(found)
        return found

    monkeypatch.setattr(SideBound, "start", classmethod(start))
    need, dates = three_days(centre)
    lines: list[str] = []
    result = roster(centre, need, dates[0], dates[-1], time_limit_s=30, seed=0, progress=lines.append)
    assert [line for line in lines if "placed exactly on 3 day(s), solved beside the search" in line], lines
    assert not [line for line in lines if "day(s) it leaves short" in line]
    assert len(started) == 1 and started[0]._process.poll() is not None and not started[0]._handed.exists()
    problem = build_problem(centre, need, dates[0], dates[-1])
    assert stage_one_lp(problem) < result.bound <= result.objective + 1e-6


def test_a_failed_process_gives_no_bound_and_says_why(centre, monkeypatch) -> None:  # noqa: F811
    """A process that fails leaves the bound as it was, with its last word kept for the progress."""
    import shutil
    import sys

    need, dates = three_days(centre)
    problem = build_problem(centre, need, dates[0], dates[-1])
    monkeypatch.setattr(sys, "executable", shutil.which("false"))
    beside = SideBound(problem, TeamCapacity(problem), [0, 1, 2], Budget(60))
    budget = Budget(60)
    assert beside.bound(budget) is None and beside.failure == "exit status 1" and not budget.clock_cut
    assert not beside._handed.exists()


def test_no_interpreter_to_start_leaves_nothing_behind(centre, monkeypatch, tmp_path) -> None:  # noqa: F811
    """Where the process cannot start, the run goes on without it and its file is removed."""
    import sys
    import tempfile

    need, dates = three_days(centre)
    problem = build_problem(centre, need, dates[0], dates[-1])
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(side_module, "LEAST_S", 0.0)
    monkeypatch.setattr(side_module.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert SideBound.start(problem, TeamCapacity(problem), Budget(60), 1) is None
    assert list(tmp_path.iterdir()) == []
