"""Repair after naming (``staffing/roster/repair.py``): where the counts admit no named roster
and naming drops agent-days wherever one team's model can spare them, the named roster is
improved in the per-agent day model, across teams, so the line gets back the cover lost."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffing import load_centre
from staffing.check import check_rules
from staffing.roster import assemble, build_problem
from staffing.roster.assemble import named, placed_or_unrepaired
from staffing.roster.capacity import TeamCapacity
from staffing.roster.counts import name_agents
from staffing.roster.placing import DayFailure
from staffing.roster.repair import repairable, with_away
from staffing.roster.result import roster_frame
from staffing.roster.search import Budget
from tests.conftest import TINY
from tests.test_patterns import MONDAY, NO_REQUIREMENT, write_centre
from tests.test_roster import requirement

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
        shifts, unrepaired = named(problem, COUNTS, 0.0, budget, seed=0, workers=1, source="the counts",
                                   progress=None, started=0.0)
    assert unrepaired is None  # no meal or break to place: the repair is the roster
    assert uncovered(shifts) == []
    report = check_rules(centre, roster_frame(problem, shifts, {}))
    assert [v for r in report.rules for v in r.violations] == []
    weekend_days = {(a, d) for (a, d) in shifts if d in WEEKENDS and problem.agents[a].id == "A1"}
    assert len(weekend_days) <= 2  # A1 still works one weekend at most


# With meals and breaks: the tiny centre's template D (09:00-17:00, a meal in 11:00-14:00, two
# breaks), A1 alone in T1 and allowed one weekend of the two, B1 and B2 in T2; on the chat line
# one wanted 09:00-17:00 on weekdays, two at weekends (the floor, one). Counts no named roster
# keeps: T1 on both weekends, T2 one every day; naming T1 drops a weekend. Stage 1's placement of
# the counts' meals and breaks: each agent on D away for a break at 10:00, the meal at 12:00 and
# a break at 15:00 (10-minute slots).
MEAL_PATH = [("break", 60), ("meal", 72), ("break", 90)]
MEAL_COUNTS = {**{("T1", d, EARLY): 1 for d in WEEKENDS}, **{("T2", d, EARLY): 1 for d in range(DAYS)}}
MEAL_PATHS = {key: [list(MEAL_PATH)] for key in MEAL_COUNTS}


def meal_centre_and_problem(folder: Path):
    shutil.copytree(TINY, folder)
    (folder / "agents.csv").write_text("agent,name,team,line,max_weekends\nA1,Ann,T1,chat,1\n"
                                       "B1,Bo,T2,chat,\nB2,Cai,T2,chat,\n", encoding="utf-8")
    with (folder / "centre.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[teams.T2]\nline = "chat"\n')
    centre = load_centre(folder)
    days = [MONDAY + dt.timedelta(days=d) for d in range(DAYS)]
    wanted = pd.concat([requirement("chat", [day for d, day in enumerate(days) if d not in WEEKENDS], range(9, 17), 1),
                        requirement("chat", [days[d] for d in WEEKENDS], range(9, 17), 2)])
    problem = build_problem(centre, wanted, days[0], days[-1])
    return centre, problem


def short_weekend_days(shifts: dict[tuple[int, int], int]) -> list[int]:
    """Weekend days with fewer than two on D."""
    return [d for d in WEEKENDS if sum(1 for (_a, day) in shifts if day == d) < 2]


def test_the_away_estimate_raises_the_requirement_where_stage_one_placed_them(tmp_path: Path) -> None:
    _centre, problem = meal_centre_and_problem(tmp_path / "c")
    raised = with_away(problem, MEAL_PATHS)
    extra = raised.required["chat"] - problem.required["chat"]
    assert extra[0, 60] == 1 and extra[0, 59] == 0 and extra[0, 61] == 0  # a 10-minute break
    assert (extra[0, 72:78] == 1).all() and extra[0, 78] == 0               # the hour's meal
    assert extra.sum() == sum(MEAL_COUNTS.values()) * 8                    # 80 minutes an agent-day


def test_the_away_estimate_past_midnight_raises_the_next_day_too(tmp_path: Path) -> None:
    """A break placed past midnight (slot 146 of a day's 48-hour axis) raises that day's axis
    where it is open there and the next day's slot 2, as stage 1 counts it."""
    _centre, problem = meal_centre_and_problem(tmp_path / "c")
    problem = dataclasses.replace(problem, open_slots={"chat": np.ones_like(problem.open_slots["chat"])})
    raised = with_away(problem, {("T2", 0, EARLY): [[("break", 146)]]})
    extra = raised.required["chat"] - problem.required["chat"]
    assert extra[0, 146] == 1 and extra[1, 2] == 1 and extra.sum() == 2


def test_a_named_roster_with_meals_is_repaired_across_teams_and_placed(tmp_path: Path) -> None:
    """Naming drops the weekend A1 may not work; the repair (meals and breaks where stage 1
    placed them) gives it to T2's other agent, stage 3 places every meal and break of the repaired roster, and
    the roster keeps every rule by the independent check."""
    centre, problem = meal_centre_and_problem(tmp_path / "c")
    assert not repairable(problem) and repairable(problem, MEAL_PATHS)
    with Budget(6).charging() as budget:
        made, moved = name_agents(problem, MEAL_COUNTS, budget=budget.part(0.3), seed=0, workers=1)
        assert moved == 2 and len(short_weekend_days(made)) == 2
        shifts, unrepaired = named(problem, MEAL_COUNTS, 0.0, budget, seed=0, workers=1, source="the counts",
                                   progress=None, started=0.0, capacity=TeamCapacity(problem), paths=MEAL_PATHS)
        assert unrepaired is not None and len(short_weekend_days(unrepaired)) == 2
        assert short_weekend_days(shifts) == []
        placed, away = placed_or_unrepaired(problem, shifts, unrepaired, budget, 0, 1, None, 0.0, MEAL_PATHS)
    assert placed == shifts
    report = check_rules(centre, roster_frame(problem, placed, away))
    assert [v for r in report.rules for v in r.violations] == []


def test_without_stage_one_placement_a_roster_with_meals_is_not_repaired(tmp_path: Path) -> None:
    _centre, problem = meal_centre_and_problem(tmp_path / "c")
    with Budget(20).charging() as budget:
        shifts, unrepaired = named(problem, MEAL_COUNTS, 0.0, budget, seed=0, workers=1, source="the counts",
                                   progress=None, started=0.0, capacity=TeamCapacity(problem), paths={})
    assert unrepaired is None and len(short_weekend_days(shifts)) == 2


def test_a_repair_whose_meals_do_not_fit_falls_back_to_the_names_as_made(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _centre, problem = meal_centre_and_problem(tmp_path / "c")
    repaired_shifts = {(1, d): 0 for d in range(DAYS)}
    made = {(2, d): 0 for d in range(DAYS)}
    calls = []

    def place(_p, shifts, *_args, **_kwargs):
        calls.append(shifts)
        if shifts is repaired_shifts:
            raise DayFailure("chat", 3, ["two on D in T2 cannot take their meals one at a time"])
        return {}

    monkeypatch.setattr(assemble, "place_breaks", place)
    with Budget(5).charging() as budget:
        shifts, away = placed_or_unrepaired(problem, repaired_shifts, made, budget, 0, 1, None, 0.0)
        assert shifts is made and away == {} and calls == [repaired_shifts, made]
        with pytest.raises(DayFailure):  # the names as made are all there is: the failure stands
            placed_or_unrepaired(problem, repaired_shifts, None, budget, 0, 1, None, 0.0)


def capacity_centre_and_problem(folder: Path):
    """The tiny centre with its meal window cut to 12:00-13:00 (one on D per team can take a meal
    there) over a Monday-Friday: A1 must work three days (24 hours at least) and is off Thursday
    and Friday, A2 two (16 hours), is off Wednesday and wishes to work Monday and Tuesday."""
    shutil.copytree(TINY, folder)
    toml = folder / "centre.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('meal_window = ["11:00", "14:00"]',
                                                             'meal_window = ["12:00", "13:00"]'), encoding="utf-8")
    (folder / "agents.csv").write_text("agent,name,team,line,min_hours\nA1,Ann,T1,chat,24\nA2,Bo,T1,chat,16\n"
                                       "A3,Cai,T1,chat,\n", encoding="utf-8")
    day = [MONDAY + dt.timedelta(days=d) for d in range(5)]
    (folder / "requests.csv").write_text(
        f"agent,date,kind,shift,weight\nA1,{day[3]},day_off,,\nA1,{day[4]},day_off,,\nA2,{day[2]},day_off,,\n"
        f"A2,{day[0]},work,,50\nA2,{day[1]},work,,50\n", encoding="utf-8")
    centre = load_centre(folder)
    return centre, build_problem(centre, requirement("chat", day, range(9, 17), 1, floor=0), day[0], day[-1])


def test_names_that_must_change_the_counts_keep_each_team_within_its_meal_capacity(tmp_path: Path) -> None:
    """Counts of one on D on Monday and Tuesday: no roster keeps them (A1 and A2 must work five
    days between them). Left free, the names put A2 beside A1 on the days it wishes, two on D
    whose meals cannot both fit 12:00-13:00, and stage 3 could not place them; held to the team's
    capacity they put A2 on Thursday and Friday, one on D every day."""
    _centre, problem = capacity_centre_and_problem(tmp_path / "c")
    counts = {("T1", 0, EARLY): 1, ("T1", 1, EARLY): 1}
    capacity = TeamCapacity(problem)
    assert capacity.single_template_limits("chat") == {EARLY: 1}
    with Budget(10).charging() as budget:
        free, _moved = name_agents(problem, counts, budget=budget.part(0.5), seed=0, workers=1)
        held, moved = name_agents(problem, counts, budget=budget, seed=0, workers=1, capacity=capacity)
    def most_on_a_day(shifts):
        return max(sum(1 for (_a, day) in shifts if day == d) for d in range(5))
    assert most_on_a_day(free) == 2
    assert most_on_a_day(held) == 1 and len(held) == 5 and moved == 3
