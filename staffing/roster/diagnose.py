"""Why no roster exists: explanations a supervisor can act on (team, day, intervals, rules).

Cheap arithmetic checks come first (no solver). Then CP-SAT assumptions: each line-day's floor
and each agent-month's rest days hold behind a literal of their own, assumed true, the other
day-level rules hard; where no roster keeps them all, the assumptions the solver's proof used
(``sufficient_assumptions_for_infeasibility``, shrunk one at a time on a fixed share of work) are
the rules in conflict, confirmed by a second solve with those alone. The floor and rest-day
rules are then made elastic (each may be broken at a price) and the least breakage says by how
much and where (which intervals); a second solve confirms that relaxing exactly those makes the
model feasible.
"""

from __future__ import annotations

import datetime as dt
import time

from ortools.sat.python import cp_model

from staffing.domain import clock
from staffing.roster.problem import RosterProblem
from staffing.roster.rules import (
    _presence,
    add_away_capacity,
    add_max_consecutive_working_days,
    add_min_rest_between_shifts,
    add_one_shift_per_day,
    rest_days_needed,
)
from staffing.roster.search import make_solver
from staffing.roster.variables import create_day_vars


def slot_spans(p: RosterProblem, slots: list[int]) -> str:
    """``07:00-08:20`` style runs of slot indices."""
    runs, start = [], None
    for i, k in enumerate(slots):
        if start is None:
            start = k
        if i + 1 == len(slots) or slots[i + 1] != k + 1:
            runs.append(f"{clock(start * p.slot_min)}-{clock((k + 1) * p.slot_min)}")
            start = None
    return ", ".join(runs)


def quick_checks(p: RosterProblem) -> list[str]:
    """Conflicts visible without a solver."""
    conflicts = []
    for line in p.lines:
        members = p.line_agents(line)
        for d, day in enumerate(p.days):
            short_slots = []
            for k in range(p.slots_per_axis):
                floor = int(p.floor[line][d, k])
                if not floor:
                    continue
                able = sum(1 for a in members if p.available[a, d] and any(
                    p.allowed[a, s] and p.shift_slots(t)[0] <= k < p.shift_slots(t)[1]
                    for s, t in enumerate(p.templates)))
                if able < floor:
                    short_slots.append(k)
            if short_slots:
                conflicts.append(f"coverage: line {line} on {day} {slot_spans(p, short_slots)}: the floor needs at "
                                 f"least {int(p.floor[line][d, short_slots[0]])} on the line but no available agent "
                                 "has a shift template covering it (add a template, or fewer on leave that day)")
    for a, agent in enumerate(p.agents):
        for (year, month), (days, owed) in rest_days_needed(p, a).items():
            if owed > len(days):
                conflicts.append(f"rest_days_per_month: agent {agent.id} is owed {owed} rest days in "
                                 f"{year}-{month:02d} "
                                 f"but is available on only {len(days)} days of the horizon")
    limit = p.rules.max_on_leave_per_team_per_day
    for team in p.centre.teams.values():
        members = p.team_agents(team.id)
        for d, day in enumerate(p.days):
            away = [p.agents[a].id for a in members if (a, d) in p.leave]
            if len(away) > limit:
                conflicts.append(f"max_on_leave_per_team_per_day: team {team.id} on {day} has {len(away)} on approved "
                                 f"leave ({', '.join(away)}); the rule allows {limit}")
    return conflicts


def diagnose(p: RosterProblem, *, time_limit_s: float = 20.0, seed: int = 0) -> list[str]:
    """Elastic solve: which floors (line, day, intervals) and which rest-day rules must give
    (a line saying none could be blamed in time when the elastic solve breaks nothing)."""
    return find_conflicts(p, time_limit_s=time_limit_s, seed=seed) or [
        "the hard rules conflict, but the elastic solve found no single rule to blame within "
        f"{time_limit_s:.0f} s; try a shorter horizon to narrow it down"]


def find_conflicts(p: RosterProblem, *, time_limit_s: float = 20.0, seed: int = 0) -> list[str]:
    """The floors and rest-day rules that must give, confirmed by a second solve; ``[]`` when
    CP-SAT keeps every one of them under assumptions, or neither it nor the elastic solve
    finds a conflict in its time."""
    started = time.perf_counter()
    core = conflict_core(p, time_limit_s=time_limit_s / 2, seed=seed)
    if core == []:
        return []
    wall_s = max(time_limit_s - (time.perf_counter() - started), time_limit_s / 2)
    conflicts = _elastic(p, time_limit_s / 2, seed, wall_s)
    if core:  # confirmed: these cannot all hold, whatever the elastic solve found in its time
        conflicts.insert(0, "rules in conflict (CP-SAT assumptions, confirmed by a second solve): "
                         + "; ".join(_runs_of_days(core)) + f" cannot {'all ' if len(core) > 1 else ''}hold with one "
                         "shift a day, the consecutive-day limit, rest between shifts and meals one at a time")
    return conflicts


_FLOOR = "the floor of line "
SHRINK_MOST = 60  # literals of a core tried one at a time (each a solve on the whole model)


def conflict_core(p: RosterProblem, *, time_limit_s: float = 10.0, seed: int = 0) -> list[str] | None:
    """Which line-day floors and agent-month rest days cannot all hold, by CP-SAT assumptions
    (one literal each, the other day-level rules hard): ``[]`` where a roster keeps them all, the
    groups of a core the solver's proof used, shrunk and confirmed by a second solve with those
    alone, or ``None`` where the time did not tell (or the core was not confirmed)."""
    model = cp_model.CpModel()
    v = _day_rules(model, p)
    groups: dict[int, str] = {}  # the assumption literal's index -> what it holds
    literals: dict[int, cp_model.IntVar] = {}
    for line in p.lines:
        for d, day in enumerate(p.days):
            present = _presence(p, v, line, d)
            floors = [(k, int(p.floor[line][d, k])) for k in range(p.slots_per_axis) if p.floor[line][d, k]]
            if not floors:
                continue
            held = model.new_bool_var(f"floor[line={line},day={day}]")
            for k, floor in floors:
                model.add(sum(present.get(k, [])) >= floor).only_enforce_if(held)
            groups[held.index], literals[held.index] = f"{_FLOOR}{line} on {day}", held
    for a in range(len(p.agents)):
        for (year, month), (days, owed) in rest_days_needed(p, a).items():
            if owed:
                held = model.new_bool_var(f"rest_days_per_month[agent={p.agents[a].id},month={year}-{month:02d}]")
                model.add(sum(v.rest[a, d] for d in days) >= owed).only_enforce_if(held)
                groups[held.index] = f"{owed} rest day(s) for agent {p.agents[a].id} in {year}-{month:02d}"
                literals[held.index] = held
    if not groups:
        return []
    model.add_assumptions([literals[i] for i in sorted(groups)])
    solver = make_solver(time_limit_s / 2, seed, 1, work_s=time_limit_s / 2)
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return []
    if status != cp_model.INFEASIBLE:
        return None
    core = sorted(i for i in solver.sufficient_assumptions_for_infeasibility() if i in groups)
    if not core:
        return None
    # the same work for each solve after, however fast the machine (a seed gives the same core),
    # on at most SHRINK_MOST of the core's literals; the wall only as a guard
    tries = core[:SHRINK_MOST]
    each_s = time_limit_s / 2 / (len(tries) + 1)

    def refuted(assumed: list[int]) -> bool:
        """Whether no roster keeps ``assumed`` (shown within ``each_s`` of work)."""
        model.clear_assumptions()
        model.add_assumptions([literals[i] for i in assumed])
        return make_solver(4 * each_s, seed, 1, work_s=each_s).solve(model) == cp_model.INFEASIBLE

    shrunk = False  # whether the core as it stands was refuted by a solve of its own
    for index in tries:  # one at a time: dropped where the others still conflict
        if len(core) > 1 and refuted([i for i in core if i != index]):
            core.remove(index)
            shrunk = True
    if not shrunk and not refuted(core):  # the second solve: these alone conflict
        return None
    return [groups[i] for i in core]


def _runs_of_days(core: list[str]) -> list[str]:
    """The core as said: a line's floors on consecutive days as one run ("the floor of line chat
    on 2026-08-10..2026-08-16 (7 days)")."""
    said: list[str] = []
    run: list[tuple[str, dt.date]] = []

    def close() -> None:
        if run:
            line, first = run[0]
            said.append(f"the floor of line {line} on {first}" if len(run) == 1 else
                        f"the floor of line {line} on {first}..{run[-1][1]} ({len(run)} days)")
            run.clear()

    for group in core:
        if group.startswith(_FLOOR):
            line, day = group[len(_FLOOR):].rsplit(" on ", 1)
            today = dt.date.fromisoformat(day)
            if run and (run[-1][0] != line or run[-1][1] + dt.timedelta(days=1) != today):
                close()
            run.append((line, today))
        else:
            close()
            said.append(group)
    close()
    return said


def _day_rules(model: cp_model.CpModel, p: RosterProblem):
    """The day-level variables with the rules no diagnosis relaxes."""
    v = create_day_vars(model, p)
    for rule in (add_one_shift_per_day, add_max_consecutive_working_days, add_min_rest_between_shifts,
                 add_away_capacity):
        rule(model, v, p)
    return v


def _elastic(p: RosterProblem, work_s: float, seed: int, wall_s: float) -> list[str]:
    """The elastic solve (``work_s`` of work, at most ``wall_s``): the least breakage of the
    floor and rest-day rules, as conflicts (confirmed by a second solve), or ``[]`` where it
    breaks none or finds nothing in its time."""
    model = cp_model.CpModel()
    v = _day_rules(model, p)
    slack_terms = []
    floor_slack: dict[tuple[str, int, int], cp_model.IntVar] = {}
    for line in p.lines:
        for d in range(len(p.days)):
            present = _presence(p, v, line, d)
            for k in range(p.slots_per_axis):
                floor = int(p.floor[line][d, k])
                if not floor:
                    continue
                slack = model.new_int_var(0, floor, f"floor_slack[{line},{d},{k}]")
                model.add(sum(present.get(k, [])) + slack >= floor)
                floor_slack[line, d, k] = slack
                slack_terms.append(slack)
    rest_slack = {}
    for a in range(len(p.agents)):
        for (year, month), (days, owed) in rest_days_needed(p, a).items():
            if owed:
                slack = model.new_int_var(0, owed, f"rest_slack[{a},{year}-{month}]")
                model.add(sum(v.rest[a, d] for d in days) + slack >= owed)
                rest_slack[a, year, month] = slack
                slack_terms.append(slack)
    model.minimize(sum(slack_terms))
    solver = make_solver(wall_s, seed, 1, work_s=work_s)
    status = solver.solve(model)
    if status == cp_model.UNKNOWN:  # not decided in its time: no conflict claimed from it
        return []
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ["the day-level rules (one shift per day, consecutive days, rest between shifts, meals one at a time) "
                "conflict among themselves; check the shift templates and the rules in centre.toml"]
    conflicts = []
    for line in p.lines:
        for d, day in enumerate(p.days):
            broken = [k for k in range(p.slots_per_axis) if (line, d, k) in floor_slack
                      and solver.value(floor_slack[line, d, k]) > 0]
            if broken:
                worst = max(solver.value(floor_slack[line, d, k]) for k in broken)
                conflicts.append(f"coverage: line {line} on {day} {slot_spans(p, broken)}: up to {worst} short of the "
                                 "floor once rest days, consecutive-day limits, rest between shifts and one-away meals "
                                 "are kept (more agents, another shift template, or fewer on leave)")
    for (a, year, month), slack in rest_slack.items():
        if solver.value(slack) > 0:
            conflicts.append(f"rest_days_per_month: agent {p.agents[a].id} would lose {solver.value(slack)} "
                             f"rest day(s) "
                             f"in {year}-{month:02d} to keep the line covered")
    if conflicts:
        confirmed = _confirm(model, floor_slack, rest_slack, solver, work_s, seed)
        conflicts.append("confirmed: relaxing exactly these makes a roster possible" if confirmed else
                         "not confirmed by a second solve within the time limit; treat as the likely conflict")
    return conflicts


def _confirm(model: cp_model.CpModel, floor_slack: dict, rest_slack: dict, solver: cp_model.CpSolver,
             time_limit_s: float, seed: int) -> bool:
    """Second solve: every slack not used in the first is fixed to 0, so the model is feasible
    only if the named rules are indeed the ones that must give."""
    check = model.clone()
    for slack in [*floor_slack.values(), *rest_slack.values()]:
        if solver.value(slack) == 0:
            check.add(check.get_int_var_from_proto_index(slack.index) == 0)
    check.clear_objective()
    return make_solver(time_limit_s, seed, 1, work_s=time_limit_s).solve(check) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def explain_day(p: RosterProblem, line: str, d: int, work: list, present) -> list[str]:
    """Why meals and breaks cannot be placed on one line-day: each team's away channel load."""
    day = p.days[d]
    out = []
    for team in p.centre.teams.values():
        if team.line != line:
            continue
        members = [w for w in work if p.agents[w.agent].team == team.id]
        if not members:
            continue
        meals = sum(p.templates[w.template].meals for w in members)
        breaks = sum(p.templates[w.template].breaks for w in members)
        need = meals * p.rules.meal_min + breaks * p.rules.break_min
        windows = sorted({str(p.templates[w.template].meal_window) for w in members
                          if p.templates[w.template].meal_window is not None})
        codes = sorted({p.templates[w.template].code for w in members})
        out.append(f"max_away + meal_window + coverage: team {team.id} on {day}: {len(members)} working "
                   f"({', '.join(codes)}) need {meals} meal(s) of {p.rules.meal_min} min inside "
                   f"{', '.join(windows)} and "
                   f"{breaks} break(s) of {p.rules.break_min} min ({need} away-minutes), but only "
                   f"{p.rules.max_away_per_team} may be away at a time while the line keeps its floor")
    return out or [f"coverage: line {line} on {day}: meals and breaks cannot be placed while keeping the floor"]
