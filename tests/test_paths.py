"""Stage 1's exact away channel (``staffing/roster/paths.py``): each team's meals and breaks as
an integer flow of paths. For given counts its shortfall is the exact placement's (stage 3,
``staffing/roster/breaks.py``, one boolean per start), its flow splits into one valid
placement per agent, and the day-by-day polish built on it (``staffing/roster/polish.py``) never
makes a roster worse."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import itertools
import re
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from staffing import load_centre
from staffing.roster import build_problem, roster
from staffing.roster.breaks import BREAK_RULES, Assignment, BreakVars, add_day_coverage
from staffing.roster.counts import COUNT_RULES, create_count_vars
from staffing.roster.paths import Steps, add_coverage_paths, decompose
from staffing.roster.polish import polish_days
from staffing.roster.rules import add_coverage
from staffing.roster.search import Budget
from tests.test_roster import check_roster, requirement

solve_module = importlib.import_module("staffing.roster.solve")  # the package's `solve` is the function
polish_module = importlib.import_module("staffing.roster.polish")
DAY = dt.date(2026, 8, 10)


@pytest.fixture
def tiny_centre(tiny):
    return load_centre(tiny)


def paths_model(problem, counts: dict | None = None):
    """Stage 1 by counts with meals and breaks as paths (the floor bending at its price, as in
    stage 1); counts fixed where given."""
    model = cp_model.CpModel()
    v = create_count_vars(model, problem)
    v.elastic_floor = True
    flows: dict = {}
    penalties = [term for rule in COUNT_RULES if rule is not add_coverage for term in rule(model, v, problem)]
    penalties += add_coverage_paths(model, v, problem, flows=flows)
    for key, n in (counts or {}).items():
        model.add(v.count[key] == n)
    model.minimize(sum(term.weight * term.expr for term in penalties))
    return model, v, flows


def solve(model: cp_model.CpModel) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = 30
    assert solver.solve(model) == cp_model.OPTIMAL
    return solver


def placed_short(problem, line: str, template: int, n: int) -> int:
    """Stage 3's exact shortfall (agent-slots) for n of the team on one template on day 0."""
    first, last = problem.shift_slots(problem.templates[template])
    work = [Assignment(agent=a, template=template, first=first, last=last) for a in range(n)]
    present = np.zeros(problem.slots_per_axis, dtype=int)
    present[first:last] = n
    model = cp_model.CpModel()
    v = BreakVars()
    for rule in BREAK_RULES:
        rule(model, v, problem, work, "day")
    (penalty,) = add_day_coverage(model, v, problem, line, 0, present, np.zeros_like(present), "day")
    model.minimize(penalty.expr)
    return round(solve(model).objective_value) // problem.slot_min


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(need=st.lists(st.integers(0, 3), min_size=8, max_size=8), n=st.integers(2, 3))
def test_paths_give_the_exact_placements_shortfall(tiny_centre, need: list[int], n: int) -> None:
    """Random hourly needs on the tiny centre's 8-hour shift (a meal and two breaks, spaced an
    hour), two or three on it so the line's floor of one can be kept: the paths' least
    shortfall is stage 3's exact placement's, where stage 1's segment flow (which leaves out
    the meal as one block and the spacing) may be lower."""
    frame = pd.concat([requirement("chat", [DAY], range(9 + h, 10 + h), r, floor=0) for h, r in enumerate(need)])
    problem = build_problem(tiny_centre, frame, DAY, DAY)
    key = next(key for key in create_count_vars(cp_model.CpModel(), problem).count)
    model, v, _flows = paths_model(problem, {key: n})
    short = solve(model).value(v.day_short["chat", 0])
    assert short == placed_short(problem, "chat", key[2], n)


def test_paths_see_the_meal_as_one_block_and_the_spacing(tiny_centre) -> None:
    """Three on one 8-hour shift, three wanted until 13:00 and two after: the exact placement
    is 130 agent-minutes short (the roster engine's own exact model proves it); the segment
    flow claims 120-130, the paths exactly 130."""
    need = pd.concat([requirement("chat", [DAY], range(9, 13), 3), requirement("chat", [DAY], range(13, 17), 2)])
    problem = build_problem(tiny_centre, need, DAY, DAY)
    model, v, _flows = paths_model(problem, {key: 3 for key in create_count_vars(cp_model.CpModel(), problem).count})
    assert solve(model).value(v.day_short["chat", 0]) * problem.slot_min == 130


def test_the_team_is_away_one_at_a_time_even_on_one_arc(tiny_centre) -> None:
    """Three on the 8-hour shift, three wanted in every slot but the first a break may start
    in: only one arc of the network (the first break, from the start) covers that slot, and
    one variable carries every agent who takes it. All three breaks there would cost nothing;
    one away at a time holds on the arc's count, so the paths' shortfall is the exact
    placement's and the flow has at most one away in any slot."""
    probe = build_problem(tiny_centre, requirement("chat", [DAY], range(9, 17), 3, floor=0), DAY, DAY)
    key = next(key for key in create_count_vars(cp_model.CpModel(), probe).count)
    first = min(Steps(probe, probe.templates[key[2]]).starts["break"])
    midnight = pd.Timestamp(DAY)
    rows = [("chat", midnight + pd.Timedelta(minutes=10 * k), midnight + pd.Timedelta(minutes=10 * k + 10),
             0 if k == first else 3, 0, None) for k in range(54, 102)]
    frame = pd.DataFrame(rows, columns=["line", "start", "end", "required", "floor", "day_min_agents"])
    problem = build_problem(tiny_centre, frame, DAY, DAY)
    model, v, flows = paths_model(problem, {key: 3})
    solver = solve(model)
    net, arcs = flows[key]
    away = np.zeros(problem.slots_per_axis, dtype=int)
    for (kind, _state, t), var in arcs.items():
        if kind != "wait":
            away[t:t + net.length(kind)] += solver.value(var)
    assert away.max() <= problem.rules.max_away_per_team
    assert solver.value(v.day_short["chat", 0]) == placed_short(problem, "chat", key[2], 3)


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(need=st.lists(st.integers(0, 3), min_size=8, max_size=8), n=st.integers(2, 3))
def test_a_flow_splits_into_one_valid_placement_per_agent(tiny_centre, need: list[int], n: int) -> None:
    """Each path of the decomposed flow keeps the meal window, the break window and the
    spacing; there is one per agent, and together they are away exactly where the flow is
    (two or three on shift, so the line's floor of one can be kept)."""
    frame = pd.concat([requirement("chat", [DAY], range(9 + h, 10 + h), r, floor=0) for h, r in enumerate(need)])
    problem = build_problem(tiny_centre, frame, DAY, DAY)
    key = next(key for key in create_count_vars(cp_model.CpModel(), problem).count)
    model, _v, flows = paths_model(problem, {key: n})
    solver = solve(model)
    net, arcs = flows[key]
    values = {arc: solver.value(var) for arc, var in arcs.items()}
    paths = decompose(net, values)
    assert len(paths) == n
    template = problem.templates[key[2]]
    gap = template.break_min_gap_min // problem.slot_min
    flow_away = np.zeros(problem.slots_per_axis, dtype=int)
    for (kind, _state, t), value in values.items():
        if kind != "wait":
            flow_away[t:t + net.length(kind)] += value
    path_away = np.zeros_like(flow_away)
    for path in paths:
        kinds = sorted(kind for kind, _k in path)
        assert kinds == ["break"] * template.breaks + ["meal"] * template.meals
        for kind, k in path:
            assert k in net.starts[kind]
            path_away[k:k + net.length(kind)] += 1
        for (kind, k), (_next, later) in itertools.pairwise(path):
            assert later >= k + net.length(kind) + gap
    assert (path_away == flow_away).all()
    assert path_away.max() <= problem.rules.max_away_per_team


def test_a_network_with_no_room_for_its_breaks_has_no_path(tiny_centre) -> None:
    """A template whose break window cannot hold its breaks with their spacing has no arc from
    its start to its end (so nobody may work it in the paths)."""
    problem = build_problem(tiny_centre, requirement("chat", [DAY], range(9, 17), 1), DAY, DAY)
    template = problem.templates[0]
    squeezed = Steps(problem, dataclasses.replace(template, breaks=6))
    assert not squeezed.arcs
    assert Steps(problem, template).arcs


@pytest.mark.parametrize("by_team", [False, True])
def test_polish_keeps_or_lowers_what_the_days_really_cost(tiny_centre, by_team: bool) -> None:
    """From counts that put one agent on each day (who cannot keep the floor while at a meal),
    the day-by-day polish hands back counts whose exact cost (meals and breaks placed as
    paths) is lower, with one placement per agent on shift; the whole day re-solved at once
    or a team at a time alike."""
    days = [DAY + dt.timedelta(days=i) for i in range(3)]
    need = pd.concat([requirement("chat", days, range(9, 13), 2), requirement("chat", days, range(13, 17), 1)])
    problem = build_problem(tiny_centre, need, days[0], days[-1])
    keys = list(create_count_vars(cp_model.CpModel(), problem).count)
    start = {key: 1 for key in keys}
    before = solve(paths_model(problem, start)[0]).objective_value
    polished, placed = polish_days(problem, start, budget=Budget(20), seed=0, by_team=by_team)
    after = solve(paths_model(problem, polished)[0]).objective_value
    assert after < before
    assert all(len(placed[key]) == polished[key] for key in placed)


def two_teams(centre):
    """The tiny centre with its third agent in a second team of the line (its own away channel)."""
    teams = dict(centre.teams)
    teams["T2"] = dataclasses.replace(teams["T1"], id="T2", name="T2")
    agents = tuple(dataclasses.replace(a, team="T2") if a.id == "A3" else a for a in centre.agents)
    return dataclasses.replace(centre, teams=teams, agents=agents)


def test_a_team_at_a_time_moves_only_that_team(tiny_centre, monkeypatch) -> None:
    """Polished a team at a time, each search frees one team's counts and paths of the day and
    holds the other team's as they are; from a start where team T1 sends no one, the line
    short all day, T1's own move lowers the day's exact cost."""
    centre = two_teams(tiny_centre)
    days = [DAY + dt.timedelta(days=i) for i in range(3)]
    problem = build_problem(centre, requirement("chat", days, range(9, 17), 2), days[0], days[-1])
    keys = list(create_count_vars(cp_model.CpModel(), problem).count)
    start = {key: int(key[0] == "T2") for key in keys}
    searches = []
    spied = polish_module.hint_solution

    def spy(sub, values):
        _model, v, flows, d = day_of[0]
        fixed = polish_module.team_variables(v, flows, d)
        domains = {team: {len(set(sub.proto.variables[i].domain)) == 1 for i in indices}
                   for team, indices in fixed.items()}
        searches.append({team for team, held in domains.items() if held == {True}})
        return spied(sub, values)

    day_of = []
    built = polish_module._day_model

    def day_model(p, counts, days_, line=None):
        model, v, flows = built(p, counts, days_, line)
        day_of[:] = [(model, v, flows, days_[0])]
        return model, v, flows

    monkeypatch.setattr(polish_module, "hint_solution", spy)
    monkeypatch.setattr(polish_module, "_day_model", day_model)
    before = solve(paths_model(problem, start)[0]).objective_value
    polished, placed = polish_days(problem, start, budget=Budget(20), seed=0, by_team=True)
    after = solve(paths_model(problem, polished)[0]).objective_value
    assert searches and all(len(held) == 1 for held in searches)  # one team held, the other free
    assert {team for held in searches for team in held} == {"T1", "T2"}
    assert after < before
    assert all(polished[key] == 2 for key in keys if key[0] == "T1")  # T1 joins the line every day
    assert all(len(placed[key]) == polished[key] for key in placed)


def test_large_centre_polishes_a_team_at_a_time_and_keeps_every_rule(tiny_centre, monkeypatch) -> None:
    """A centre too large for the whole day's paths (here: a limit of 0 arcs) polishes its counts
    a team of a day at a time; stage 3 starts from that placement and the roster keeps every
    hard rule by the independent checker, as short as on the small path."""
    monkeypatch.setattr(solve_module, "EXACT_LIMIT", 0)
    monkeypatch.setattr(solve_module, "applies", lambda problem: False)  # nor the days first
    monkeypatch.setattr(solve_module, "PATHS_DAY_LIMIT", 0)
    calls = []
    polish = solve_module.polish_days
    monkeypatch.setattr(solve_module, "polish_days", lambda *a, **k: calls.append(k["by_team"]) or polish(*a, **k))
    days = [DAY + dt.timedelta(days=i) for i in range(3)]
    need = pd.concat([requirement("chat", days, range(9, 13), 3), requirement("chat", days, range(13, 17), 2)])
    result = roster(two_teams(tiny_centre), need, days[0], days[-1], time_limit_s=20)
    assert calls == [True]
    assert check_roster(tiny_centre, result.frame) == []
    assert result.shortfall_agent_min["chat"] == 3 * 130


def test_staged_roster_with_paths_keeps_every_rule(tiny_centre, monkeypatch) -> None:
    """The staged path with the polish and stage 3 started from its placement: the roster
    keeps every hard rule by the independent checker."""
    monkeypatch.setattr(solve_module, "EXACT_LIMIT", 0)  # the staged path
    monkeypatch.setattr(solve_module, "applies", lambda problem: False)  # nor the days first
    days = [DAY + dt.timedelta(days=i) for i in range(3)]
    need = pd.concat([requirement("chat", days, range(9, 13), 3), requirement("chat", days, range(13, 17), 2)])
    result = roster(tiny_centre, need, days[0], days[-1], time_limit_s=20)
    assert check_roster(tiny_centre, result.frame) == []
    assert result.shortfall_agent_min["chat"] == 3 * 130


def two_lines(tiny, hours: str = 'daily = "09:00-17:00"') -> object:
    """The tiny centre with its third agent in team T2 on a second line, mail (by default open as
    chat; ``hours``: its hours table)."""
    toml = tiny / "centre.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[lines.mail]\nname = "Mail"\nchannel = "chat"\n\n'
                    f'[lines.mail.hours]\n{hours}\n\n[lines.mail.queue]\nhandle_time_s = 300\n\n'
                    '[teams.T2]\nline = "mail"\n', encoding="utf-8")
    agents = tiny / "agents.csv"
    agents.write_text(agents.read_text(encoding="utf-8").replace("A3,Cai,T1,chat", "A3,Cai,T2,mail"),
                      encoding="utf-8")
    return load_centre(tiny)


def test_a_line_day_frees_only_its_own_teams(tiny) -> None:
    """With two lines, a line-day's model frees the counts of that line's teams alone and places
    that line's meals and breaks alone: the other line's counts stay as given even where moving
    them would cut its shortfall."""
    centre = two_lines(tiny)
    days = [DAY + dt.timedelta(days=i) for i in range(2)]
    need = pd.concat([requirement("chat", days, range(9, 17), 2), requirement("mail", days, range(9, 17), 1)])
    problem = build_problem(centre, need, days[0], days[-1])
    keys = list(create_count_vars(cp_model.CpModel(), problem).count)
    start = dict.fromkeys(keys, 0)  # nobody works: both lines short all day
    model, v, flows = polish_module._day_model(problem, start, [0], "chat")
    assert {team for team, _d, _s in flows} == {"T1"}
    solver = solve(model)
    mine = {key: solver.value(var) for key, var in v.count.items() if key[1] == 0}
    assert sum(n for (team, _d, _s), n in mine.items() if team == "T1") == 2  # chat's team joins its line
    assert all(n == 0 for (team, _d, _s), n in mine.items() if team == "T2")  # mail's is held
    polished, placed = polish_days(problem, start, budget=Budget(20), seed=0, by_team=True)
    assert all(sum(n for (team, d, _s), n in polished.items() if team == "T2" and d == day) == 1 for day in (0, 1))
    assert all(len(placed[key]) == polished[key] for key in placed)


def test_a_built_placement_hints_a_valid_flow(example_centre) -> None:
    """The polish's start from a placement built without search (``_built_flows``): its arcs,
    with the counts they were built for, are a solution of the line-day's paths model, and each
    template's flow splits into as many placements as it has agents."""
    need = requirement("online", [DAY], range(9, 23), 6)
    problem = build_problem(example_centre, need, DAY, DAY)
    code = {t.code: s for s, t in enumerate(problem.templates)}
    counts = {("O1", 0, code["D"]): 3, ("O1", 0, code["M"]): 2, ("O1", 0, code["E"]): 2,  # all 7 of O1
              ("O2", 0, code["D"]): 2, ("O2", 0, code["E"]): 2, ("O2", 0, code["N"]): 1}
    model, v, flows = polish_module._day_model(problem, counts, [0], "online")
    built = polish_module._built_flows(problem, counts, 0, "online", flows, Budget(10.0), 0)
    arcs = [var for _net, arcs in flows.values() for var in arcs.values()]
    assert built is not None and all(var.index in built for var in arcs)
    fixed = polish_module._fixed_flows(model, built)
    for key, var in v.count.items():
        fixed.add(fixed.get_int_var_from_proto_index(var.index) == counts.get(key, 0))
    solver = solve(fixed)
    for (team, _d, s), (net, arc_vars) in flows.items():
        placements = decompose(net, {key: solver.value(var) for key, var in arc_vars.items()})
        assert len(placements) == counts.get((team, 0, s), 0)


def test_stage_three_starts_from_the_polish_with_fewer_named_than_placed(tiny_centre) -> None:
    """The polish placed three on the shift; the names kept two (an agent-day moved off the
    counts): stage 3 still starts from the polish's placement, two of its paths, and that start
    keeps every rule of stage 3's model. With more named than placed there is no start."""
    placing = importlib.import_module("staffing.roster.placing")
    frame = requirement("chat", [DAY], range(9, 17), 3, floor=0)
    problem = build_problem(tiny_centre, frame, DAY, DAY)
    key = next(key for key in create_count_vars(cp_model.CpModel(), problem).count)
    model, _v, flows = paths_model(problem, {key: 3})
    solver = solve(model)
    net, arcs = flows[key]
    paths = {key: decompose(net, {arc: solver.value(var) for arc, var in arcs.items()})}
    for named in (2, 3):
        shifts = {(a, 0): key[2] for a in range(named)}
        day, v, work, present, fixed = placing.day_model(problem, shifts, {}, "chat", 0)
        starts = placing._stage_one_starts(v, problem, "chat", work, 0, paths, present - fixed)
        assert starts is not None and len(starts) == len(v.items)
        assert placing._kept(day, v, starts, Budget(10), 0) is not None
    fewer = {key: paths[key][:2]}
    shifts = {(a, 0): key[2] for a in range(3)}
    day, v, work, present, fixed = placing.day_model(problem, shifts, {}, "chat", 0)
    assert placing._stage_one_starts(v, problem, "chat", work, 0, fewer, present - fixed) is None


def stage_one(problem, counts: dict) -> dict:
    """Stage 1's placement for ``counts`` (the paths model solved to optimality), as the paths
    stage 3 starts from: (team, day, template) -> each agent's meals and breaks."""
    model, _v, flows = paths_model(problem, counts)
    solver = solve(model)
    return {key: decompose(net, {arc: solver.value(var) for arc, var in arcs.items()})
            for key, (net, arcs) in flows.items() if counts.get(key)}


def day_cost(problem, shifts: dict, placed: dict, line: str) -> float:
    """Stage 3's objective of day 0 with every meal and break where ``placed`` put it."""
    placing = importlib.import_module("staffing.roster.placing")
    model, v, *_ = placing.day_model(problem, shifts, {}, line, 0)
    starts = {}
    for i, item in enumerate(v.items):
        mine = [k for kind, k, _end in placed[item.agent, 0] if kind == item.kind]
        starts[i] = mine[sum(1 for j in v.items[:i] if j.agent == item.agent and j.kind == item.kind)]
    solver, status = placing._fixed(model, v, starts, Budget(10), 0)
    assert status == cp_model.OPTIMAL
    return solver.objective_value


def test_stage_three_takes_a_placement_nothing_can_beat_without_a_search(tiny_centre, monkeypatch) -> None:
    """Three on the shift where two are asked for all day: stage 1's placement leaves no slot
    short, so stage 3 keeps it as it is and runs no search (the line-day's least objective)."""
    placing = importlib.import_module("staffing.roster.placing")
    frame = requirement("chat", [DAY], range(9, 17), 2, floor=0)
    problem = build_problem(tiny_centre, frame, DAY, DAY)
    key = next(key for key in create_count_vars(cp_model.CpModel(), problem).count)
    paths = stage_one(problem, {key: 3})
    shifts = {(a, 0): key[2] for a in range(3)}
    searched = []
    hint = placing._hint_starts
    monkeypatch.setattr(placing, "_hint_starts", lambda *a: searched.append(True) or hint(*a))
    placed = placing.place_breaks(problem, shifts, Budget(10), 0, 1, None, 0.0, paths=paths)
    assert not searched
    assert day_cost(problem, shifts, placed, "chat") == 0
    assert (sorted(sorted((kind, k) for kind, k, _end in placed[a, 0]) for a in range(3))
            == sorted(sorted(path) for path in paths[key]))


def test_stage_three_keeps_stage_ones_placement_when_its_search_ends_worse(tiny_centre, monkeypatch) -> None:
    """Three on the shift where three are asked for in the morning and two after: some slot is
    short whatever the placement, so stage 3 searches; a search that ends above stage 1's
    placement (here: unhinted and stopped at its first solution) does not replace it."""
    placing = importlib.import_module("staffing.roster.placing")
    frame = pd.concat([requirement("chat", [DAY], range(9, 13), 3, floor=0),
                       requirement("chat", [DAY], range(13, 17), 2, floor=0)], ignore_index=True)
    problem = build_problem(tiny_centre, frame, DAY, DAY)
    key = next(key for key in create_count_vars(cp_model.CpModel(), problem).count)
    paths = stage_one(problem, {key: 3})
    shifts = {(a, 0): key[2] for a in range(3)}
    searches, original = [], cp_model.CpSolver.solve

    def first_found(self, model, callback=None):
        if searches and searches[-1] is None:  # the search the hint was set up for
            self.parameters.stop_after_first_solution = True
            self.parameters.num_workers = 1
            status = original(self, model, callback)
            searches[-1] = self.objective_value
            return status
        return original(self, model, callback)

    monkeypatch.setattr(placing, "_hint_starts", lambda *a: searches.append(None))  # no hint: searched from scratch
    monkeypatch.setattr(cp_model.CpSolver, "solve", first_found)
    placed = placing.place_breaks(problem, shifts, Budget(10), 0, 1, None, 0.0, paths=paths)
    monkeypatch.undo()
    by_meal = sorted(paths[key], key=lambda path: ([k for kind, k in path if kind == "meal"], path))
    kept = day_cost(problem, shifts, {(a, 0): [(kind, k, None) for kind, k in path]  # in stage 3's order of meals
                                      for a, path in enumerate(by_meal)}, "chat")
    assert len(searches) == 1 and searches[0] > kept > 0  # the search ran and ended worse
    assert day_cost(problem, shifts, placed, "chat") == kept


def test_a_day_whose_part_of_the_wall_a_search_overruns_starts_built(tiny_centre, monkeypatch) -> None:
    """Polished a team at a time, a line-day is first placed by a search; once its line's searched
    days took more wall for their agents than a day's part holds (a run the clock cuts: here a
    clock that runs an hour a reading), the next days start from a placement built without search, and
    still come out cheaper, with one placement per agent on shift; no pass follows that could
    not search every day. Where the clock does not bind, every day is searched."""
    days = [DAY + dt.timedelta(days=i) for i in range(3)]
    need = pd.concat([requirement("chat", days, range(9, 13), 2), requirement("chat", days, range(13, 17), 1)])
    problem = build_problem(tiny_centre, need, days[0], days[-1])
    start = dict.fromkeys(create_count_vars(cp_model.CpModel(), problem).count, 2)  # a placement is built for 2
    before = solve(paths_model(problem, start)[0]).objective_value
    lines: list[str] = []
    polish_days(problem, start, budget=Budget(20), seed=0, by_team=True, report=lines.append)
    assert re.fullmatch(r"\d pass\(es\) over 3 line-day\(s\): \d visited, 0 of them from a built placement", lines[-1])
    hours = itertools.count(step=3600.0)
    monkeypatch.setattr(polish_module, "time", type("Clock", (), {"perf_counter": staticmethod(lambda: next(hours))}))
    builds, build = [], polish_module._built_flows
    monkeypatch.setattr(polish_module, "_built_flows", lambda *a: builds.append(build(*a)) or builds[-1])
    lines.clear()
    budget = Budget(20)
    polished, placed = polish_days(problem, start, budget=budget, seed=0, by_team=True, report=lines.append)
    assert budget.clock_cut  # the clock chose: a run with the same seed may differ, and says so
    # the first day alone searched first; a day where no placement is built is searched as before;
    # no second pass where the wall left would not search every day as the first pass did
    built = int(re.fullmatch(r"1 pass\(es\) over 3 line-day\(s\): 3 visited, (\d) of them from a built placement",
                             lines[-1]).group(1))
    assert len(builds) == 2 and built == sum(flows is not None for flows in builds) > 0
    assert solve(paths_model(problem, polished)[0]).objective_value < before
    assert all(len(placed[key]) == polished[key] for key in placed)


def test_a_share_may_take_more_of_the_wall_than_of_the_work() -> None:
    """``Budget.part(share, wall_share)``: the share of the work left, another of the wall left."""
    budget = Budget(100.0, wall_s=1000.0)
    part = budget.part(0.5, 0.8)
    assert part.left() == pytest.approx(50.0)
    assert 790.0 < part.wall_left() <= 800.0
    assert 490.0 < budget.part(0.5).wall_left() <= 500.0


def test_a_later_pass_keeps_a_cheaper_placement_of_the_same_counts(tiny_centre, monkeypatch) -> None:
    """A second pass over a line-day that moves none of its counts and places them dearer than
    the first did (here: its teams' turn made to report 1,000 more) keeps the first placement
    for stage 3."""
    days = [DAY + dt.timedelta(days=i) for i in range(3)]
    need = pd.concat([requirement("chat", days, range(9, 13), 2), requirement("chat", days, range(13, 17), 1)])
    problem = build_problem(tiny_centre, need, days[0], days[-1])
    start = dict.fromkeys(create_count_vars(cp_model.CpModel(), problem).count, 2)
    kept: list[tuple[int, dict]] = []  # (day, its placement) each time one is kept for stage 3
    turn, of_paths = polish_module._team_round, polish_module._paths_of

    def dearer_later(model, v, flows, d, *args, **kwargs):
        values, objective = turn(model, v, flows, d, *args, **kwargs)
        return values, objective + 1000 * any(day == d for day, _placed in kept)

    def recorded(values, flows, d):
        kept.append((d, of_paths(values, flows, d)))
        return kept[-1][1]

    monkeypatch.setattr(polish_module, "_team_round", dearer_later)
    monkeypatch.setattr(polish_module, "_paths_of", recorded)
    lines: list[str] = []
    _polished, placed = polish_days(problem, start, budget=Budget(20), seed=0, by_team=True, report=lines.append)
    assert re.match(r"2 pass\(es\)", lines[-1])  # the first pass moved counts: a second one ran
    for d in range(3):
        mine = [found for day, found in kept if day == d]
        assert len(mine) == 1  # placed on its first visit, the later, dearer one not kept
        assert all(placed[key] is found for key, found in mine[0].items())


def test_the_pace_shares_the_wall_and_the_work_by_each_lines_own_rate() -> None:
    """``_Pace.ahead``: each line-day ahead weighs its agents at its own line's rate, the wall by
    wall per agent and the work by work per agent; the searched need counts only lines searched,
    and no work is foreseen before any line-day is seen."""
    pace = polish_module._Pace()
    assert pace.ahead(["a", "b"], [10, 30]).work_s == 0.0  # nothing seen: no work foreseen
    assert pace.ahead(["a", "b"], [10, 30]).share == pytest.approx(0.25)  # by agents alone
    pace.add("a", 10, 1.0, 2.0, searched=True)   # 0.1 s of wall and 0.2 s of work an agent
    pace.add("b", 5, 1.0, 0.5, searched=False)   # 0.2 s of wall and 0.1 s of work an agent
    ahead = pace.ahead(["a", "b", "a"], [10, 5, 20])
    assert ahead.share == pytest.approx(1.0 / (1.0 + 1.0 + 2.0))
    assert ahead.work_share == pytest.approx(2.0 / (2.0 + 0.5 + 4.0))
    assert ahead.work_s == pytest.approx(6.5)
    assert ahead.next_work_s == pytest.approx(2.0)
    assert ahead.searched_s == pytest.approx(0.1 * 30)  # b's days start built: none of its wall counts
    assert pace.ahead(["c"], [4]).work_s == pytest.approx(4 * statistics.fmean([0.2, 0.1]))  # any line's rate


def three_days_two_on_each(centre):
    """Three days of the tiny centre's chat line, two on each of its templates every day."""
    days = [DAY + dt.timedelta(days=i) for i in range(3)]
    need = pd.concat([requirement("chat", days, range(9, 13), 2), requirement("chat", days, range(13, 17), 1)])
    problem = build_problem(centre, need, days[0], days[-1])
    return problem, dict.fromkeys(create_count_vars(cp_model.CpModel(), problem).count, 2)


def greedy_turns(monkeypatch, gain: float) -> list[float]:
    """Each line-day's team turns made to take up to 5 s of its work and claim ``gain``: the work
    each took, in order."""
    taken: list[float] = []

    def greedy(model, v, flows, d, teams, values, objective, *, budget, seed):
        taken.append(min(5.0, budget.left()))
        budget.charge(taken[-1])
        return values, objective - gain

    monkeypatch.setattr(polish_module, "_team_round", greedy)
    return taken


def test_work_short_of_the_days_ahead_is_shared_so_every_day_is_visited(tiny_centre, monkeypatch) -> None:
    """A line-day leaves half the work the line-days after it would take at their line's pace (here
    each day's teams take up to 5 s of it, with 10.5 s in all) to them, so the last day is still
    visited; where the work is plenty, a day takes what it needs."""
    problem, start = three_days_two_on_each(tiny_centre)
    taken = greedy_turns(monkeypatch, gain=0.0)
    lines: list[str] = []
    polish_days(problem, start, budget=Budget(10.5), seed=0, by_team=True, report=lines.append)
    assert re.fullmatch(r"1 pass\(es\) over 3 line-day\(s\): 3 visited, 0 of them from a built placement", lines[-1])
    assert taken[0] == 5.0 and taken[2] > 0.5 and taken[1] < 5.0
    taken.clear()
    polish_days(problem, start, budget=Budget(100), seed=0, by_team=True, report=lines.append)
    assert taken[:3] == [5.0] * 3


def test_a_later_pass_goes_as_far_as_its_work_goes(tiny_centre, monkeypatch) -> None:
    """Only the first pass keeps work for the days ahead: a later one (here: each turn claims a
    gain, so passes follow) gives its first day all it takes, not a sliver shared over them all."""
    problem, start = three_days_two_on_each(tiny_centre)
    taken = greedy_turns(monkeypatch, gain=1.0)
    polish_days(problem, start, budget=Budget(22), seed=0, by_team=True)
    assert taken[:4] == [5.0] * 4  # the first day of the second pass as well


def test_each_team_of_a_short_day_has_its_turn(tiny_centre, monkeypatch) -> None:
    """``_team_round`` on less work than every team's full turn: each team searches on its part of
    what the day has left, so the second team is not left without one."""
    days = [DAY + dt.timedelta(days=i) for i in range(2)]
    problem = build_problem(two_teams(tiny_centre), requirement("chat", days, range(9, 17), 2), days[0], days[-1])
    start = {key: int(key[0] == "T2") for key in create_count_vars(cp_model.CpModel(), problem).count}
    model, v, flows = polish_module._day_model(problem, start, [0], "chat")
    found = solve(model)
    limits: list[float] = []
    lean = polish_module._lean
    monkeypatch.setattr(polish_module, "_lean",
                        lambda solver: limits.append(solver.parameters.max_deterministic_time / solver.rate)
                        or lean(solver))
    polish_module._team_round(model, v, flows, 0, ["T1", "T2"], list(found.response_proto.solution),
                             found.objective_value, budget=Budget(0.6), seed=0)
    assert len(limits) == 2
    assert limits[0] <= 0.3 + 1e-9  # half of the day's 0.6 s (a full turn is 0.5 s)


def test_a_line_closed_all_day_with_no_one_on_shift_is_left_out(tiny) -> None:
    """A line closed at the weekend (mail here) with no one on shift there has nothing to place
    or move: the polish leaves those line-days out and says so, and visits every other one."""
    centre = two_lines(tiny, 'weekdays = "09:00-17:00"\nweekend = "closed"')
    days = [dt.date(2026, 8, 14) + dt.timedelta(days=i) for i in range(3)]  # Friday to Sunday
    need = pd.concat([requirement("chat", days, range(9, 17), 2), requirement("mail", days[:1], range(9, 17), 1)])
    problem = build_problem(centre, need, days[0], days[-1])
    start = {key: int(key[0] == "T1" or key[1] == 0) for key in create_count_vars(cp_model.CpModel(), problem).count}
    lines: list[str] = []
    polish_days(problem, start, budget=Budget(20), seed=0, by_team=True, report=lines.append)
    assert re.fullmatch(r"\d pass\(es\) over 4 line-day\(s\) \(2 closed with no one on shift left out\): "
                        r"[4-8] visited, 0 of them from a built placement", lines[-1])


def test_a_day_whose_placement_search_finds_none_starts_from_a_built_one(tiny_centre, monkeypatch) -> None:
    """Where the search for a line-day's first placement finds none in its time (here: every such
    search made to fail), the day starts from a placement built without search instead of being
    left out, and its teams still take their turns (a search stopped by its work, not the clock:
    the run stays repeatable)."""
    days = [DAY + dt.timedelta(days=i) for i in range(3)]
    need = pd.concat([requirement("chat", days, range(9, 13), 2), requirement("chat", days, range(13, 17), 1)])
    problem = build_problem(tiny_centre, need, days[0], days[-1])
    start = dict.fromkeys(create_count_vars(cp_model.CpModel(), problem).count, 2)
    before = solve(paths_model(problem, start)[0]).objective_value
    searched = polish_module.evaluate

    def none_searched(model, v, counts, **kwargs):
        flows_fixed = sum(len(set(var.domain)) == 1 for var in model.proto.variables)
        return None if flows_fixed <= len(v.count) else searched(model, v, counts, **kwargs)

    monkeypatch.setattr(polish_module, "evaluate", none_searched)
    lines: list[str] = []
    budget = Budget(20)
    polished, placed = polish_days(problem, start, budget=budget, seed=0, by_team=True, report=lines.append)
    assert re.fullmatch(r"\d pass\(es\) over 3 line-day\(s\): \d visited, [3-6] of them from a built placement",
                        lines[-1])
    assert not budget.clock_cut
    assert {d for _team, d, _s in placed} == {0, 1, 2}
    assert solve(paths_model(problem, polished)[0]).objective_value < before
