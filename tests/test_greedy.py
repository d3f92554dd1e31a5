"""The built first placement of a line-day's meals and breaks (greedy.py): every placement it
gives keeps every hard rule of stage 3's own model, it gives none where the rules cannot be
kept, and stage 3 keeps it when its own search finds nothing in its share."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib

import numpy as np
from ortools.sat.python import cp_model

from staffing.roster.greedy import greedy_placement
from staffing.roster.placing import day_model, place_breaks
from staffing.roster.problem import build_problem
from staffing.roster.rules import WEIGHT_SHORT
from staffing.roster.search import Budget
from tests.test_roster import requirement

DAY = dt.date(2026, 8, 10)
placing = importlib.import_module("staffing.roster.placing")
greedy_module = importlib.import_module("staffing.roster.greedy")


def online_day(example_centre, required: int, floor: int = 1):
    """Day DAY of the example's online line alone (its teams and agents), ``required`` all day."""
    centre = dataclasses.replace(
        example_centre, lines={"online": example_centre.lines["online"]},
        teams={k: t for k, t in example_centre.teams.items() if t.line == "online"},
        agents=tuple(a for a in example_centre.agents if a.line == "online"))
    need = requirement("online", [DAY], range(9, 23), required, floor)
    return build_problem(centre, need, DAY, DAY)


def team_agents(p, *teams: str) -> list[int]:
    return [a for a, agent in enumerate(p.agents) if agent.team in teams]


def template(p, code: str) -> int:
    return next(s for s, t in enumerate(p.templates) if t.code == code)


def fixed_solve(model: cp_model.CpModel, v, starts: dict[int, int]) -> cp_model.CpSolver:
    """The model with every item at its given start: a solver holding it (asserted feasible)."""
    copy = model.clone()
    for i, item in enumerate(v.items):
        for slot, var in item.starts.items():
            copy.add(copy.get_bool_var_from_proto_index(var.index) == int(slot == starts[i]))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    assert solver.solve(copy) == cp_model.OPTIMAL
    return solver


def test_every_built_placement_keeps_the_rules(example_centre) -> None:
    """On random shifts of three teams of the example's online line (drawn with a fixed seed),
    each placement the build gives keeps every hard rule of stage 3's model (meal windows, break
    spacing and order, one away a team, the floor, meals in order), its shortfall is the model's
    for it, and most days get one."""
    rng = np.random.default_rng(0)
    codes = ["D", "M", "E", "N", "P1", "P2", None]
    built_days = 0
    for _ in range(12):
        p = online_day(example_centre, int(rng.integers(0, 16)))
        agents = team_agents(p, "O1", "O2", "O3")
        drawn = ["D", "E"] + [codes[int(k)] for k in rng.integers(0, len(codes), size=len(agents) - 2)]
        shifts = {(a, 0): template(p, code) for a, code in zip(agents, drawn, strict=True) if code}
        model, v, work, present, fixed = day_model(p, shifts, {}, "online", 0)
        built = greedy_placement(p, v, work, "online", 0, present - fixed, Budget(5.0))
        if built is None:
            continue
        built_days += 1
        starts, short = built
        assert fixed_solve(model, v, starts).objective_value == WEIGHT_SHORT * short
    assert built_days >= 8


def test_a_team_with_more_meals_than_its_window_holds_gets_none(example_centre) -> None:
    """Eight of one team on the same 9-hour shift need eight meal-hours one at a time in a
    4-hour window: no placement; four fit, packed back to back."""
    p = online_day(example_centre, 4)
    agents = team_agents(p, "O1")
    d = template(p, "D")
    evening = {(a, 0): template(p, "E") for a in team_agents(p, "O2")[:2]}  # the floor after 18:00
    model, v, work, present, fixed = day_model(p, {(a, 0): d for a in agents} | evening, {}, "online", 0)
    assert greedy_placement(p, v, work, "online", 0, present - fixed, Budget(5.0)) is None
    model, v, work, present, fixed = day_model(p, {(a, 0): d for a in agents[:4]} | evening, {}, "online", 0)
    built = greedy_placement(p, v, work, "online", 0, present - fixed, Budget(5.0))
    assert built is not None
    meals = sorted(k for i, k in built[0].items() if v.items[i].kind == "meal" and v.items[i].agent in agents)
    assert np.diff(meals).tolist() == [6, 6, 6]  # 11:00, 12:00, 13:00, 14:00 in 10-minute slots
    fixed_solve(model, v, built[0])


def test_stage_three_keeps_the_built_placement_when_its_search_finds_none(example_centre, monkeypatch) -> None:
    """A line-day whose searches find nothing in their share still gets its meals and breaks:
    the built placement stands (without it, no roster: exit 4)."""
    p = online_day(example_centre, 12)
    agents = team_agents(p, "O1", "O2", "O3")
    codes = ["D", "M", "E"] * 8
    shifts = {(a, 0): template(p, code) for a, code in zip(agents, codes, strict=False)}
    original_solve, original_fixed = cp_model.CpSolver.solve, placing._fixed
    reading = []  # set while the built placement is read back: only that solve is let through

    def none_found(self, model, callback=None):
        return original_solve(self, model, callback) if reading else cp_model.UNKNOWN

    def read_back(*args, **kwargs):
        reading.append(True)
        try:
            return original_fixed(*args, **kwargs)
        finally:
            reading.pop()

    monkeypatch.setattr(cp_model.CpSolver, "solve", none_found)
    monkeypatch.setattr(placing, "_fixed", read_back)
    placed = place_breaks(p, shifts, Budget(5.0), 0, 1, None, 0.0)
    monkeypatch.undo()
    assert sorted(placed) == sorted(shifts)
    model, v, *_ = day_model(p, shifts, {}, "online", 0)
    starts = {}
    for i, item in enumerate(v.items):
        mine = [k for kind, k, _end in placed[item.agent, 0] if kind == item.kind]
        starts[i] = mine[sum(1 for j in v.items[:i] if j.agent == item.agent and j.kind == item.kind)]
    fixed_solve(model, v, starts)


def test_a_team_the_look_ahead_cannot_place_is_placed_by_its_own_model(example_centre, monkeypatch) -> None:
    """Four on the 07:00 peak shift (their meals fill 10:00-14:00 one at a time), two on 11:00
    and one on 14:00: placing item by item with the look-ahead finds no way, the team's own
    CP-SAT model does, and the placement keeps every rule of stage 3's model."""
    p = online_day(example_centre, 4)
    codes = ["P1"] * 4 + ["M"] * 2 + ["E"]
    shifts = {(a, 0): template(p, code) for a, code in zip(team_agents(p, "O1"), codes, strict=True)}
    model, v, work, present, fixed = day_model(p, shifts, {}, "online", 0)
    built = greedy_placement(p, v, work, "online", 0, present - fixed, Budget(5.0))
    assert built is not None
    assert fixed_solve(model, v, built[0]).objective_value == WEIGHT_SHORT * built[1]
    monkeypatch.setattr(greedy_module, "_solve_team", lambda *args: None)
    assert greedy_placement(p, v, work, "online", 0, present - fixed, Budget(5.0)) is None
