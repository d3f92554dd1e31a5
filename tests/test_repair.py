"""Repair after naming (``staffing/roster/repair.py``): where the counts admit no named roster
and naming drops agent-days wherever one team's model can spare them, the named roster is
improved in the per-agent day model, across teams, so the line gets back the cover lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from staffing import load_centre
from staffing.check import check_rules
from staffing.roster import build_problem
from staffing.roster.assemble import named
from staffing.roster.counts import name_agents
from staffing.roster.repair import repairable
from staffing.roster.result import roster_frame
from staffing.roster.search import Budget
from tests.test_patterns import MONDAY, NO_REQUIREMENT, write_centre

DAYS = 14
WEEKENDS = (5, 6, 12, 13)
EARLY = 0  # template E


def centre_and_problem(folder: Path):
    """The patterns' test centre (shifts E and N, no rest-day rule, at most 7 days in a row) with a
    second team: A1 in T may work one weekend of the two, B1 and B2 in U have no cap; one wanted
    on E every day."""
    cover = "date,shift,required,under_weight,over_weight\n" + "".join(
        f"{MONDAY + dt.timedelta(days=d)},E,1,100,1\n" for d in range(DAYS))
    write_centre(folder, agents="agent,team,line,max_weekends\nA1,T,L,1\nB1,U,L,\nB2,U,L,\n", cover=cover)
    with (folder / "centre.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[teams.U]\nline = "L"\n')
    centre = load_centre(folder)
    return centre, build_problem(centre, NO_REQUIREMENT, MONDAY, MONDAY + dt.timedelta(days=DAYS - 1))


# Counts no named roster keeps: team T on both weekends (its one agent may work one), team U on
# the weekdays. Naming T drops one weekend; naming U keeps U's counts, so two days go uncovered.
COUNTS = {**{("T", d, EARLY): 1 for d in WEEKENDS}, **{("U", d, EARLY): 1 for d in range(DAYS) if d not in WEEKENDS}}


def uncovered(shifts: dict[tuple[int, int], int]) -> list[int]:
    """Days with nobody on E."""
    return [d for d in range(DAYS) if not any(day == d and s == EARLY for (_a, day), s in shifts.items())]


def test_naming_alone_leaves_the_dropped_weekend_uncovered(tmp_path: Path) -> None:
    """The case the repair is for: naming moves two agent-days off the counts and nothing covers them."""
    _centre, problem = centre_and_problem(tmp_path)
    with Budget(20).charging() as budget:
        shifts, moved = name_agents(problem, COUNTS, budget=budget, seed=0, workers=1)
    assert moved == 2
    assert len(uncovered(shifts)) == 2


def test_the_named_roster_is_repaired_across_teams(tmp_path: Path) -> None:
    """With the repair, a U agent takes the weekend A1 may not work: every day covered, and the
    roster keeps every rule by the independent check."""
    centre, problem = centre_and_problem(tmp_path)
    assert repairable(problem)
    with Budget(20).charging() as budget:
        shifts = named(problem, COUNTS, 0.0, budget, seed=0, workers=1, source="the counts", progress=None,
                       started=0.0)
    assert uncovered(shifts) == []
    report = check_rules(centre, roster_frame(problem, shifts, {}))
    assert [v for r in report.rules for v in r.violations] == []
    weekend_days = {(a, d) for (a, d) in shifts if d in WEEKENDS and problem.agents[a].id == "A1"}
    assert len(weekend_days) <= 2  # A1 still works one weekend at most
