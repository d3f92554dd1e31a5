"""Which template mixes one team can work and still take every meal and break one at a time
(``staffing/roster/capacity.py``): answers from what is already known (a mix inside one that
fits fits; one holding a mix that does not, does not) are the answers a search gives."""

from __future__ import annotations

import datetime as dt
import itertools

from staffing.roster import build_problem
from staffing.roster.capacity import TeamCapacity
from tests.test_roster import requirement

DAY = dt.date(2026, 8, 10)


def test_mixes_settled_largest_first_search_less_and_answer_alike(example_centre, monkeypatch) -> None:
    problem = build_problem(example_centre, requirement("online", [DAY], range(9, 23), 6), DAY, DAY)
    with_meals = [s for s, t in enumerate(problem.templates) if "online" in t.lines and t.meals][:2]
    mixes = [tuple((s, n) for s, n in zip(with_meals, counts, strict=True) if n)
             for counts in itertools.product(range(0, 9, 2), repeat=2) if sum(counts)]
    alone = {mix: TeamCapacity(problem).feasible("online", mix) for mix in mixes}  # each by its own search
    assert set(alone.values()) == {True, False}  # some fit, the largest do not
    capacity = TeamCapacity(problem)
    searched = []
    solve = capacity._solve
    monkeypatch.setattr(capacity, "_solve", lambda line, mix: searched.append(mix) or solve(line, mix))
    capacity.settle("online", mixes)
    assert {mix: capacity.feasible("online", mix) for mix in mixes} == alone
    assert len(searched) < len(mixes)
