"""Work-pattern rules: what a contract or the agent asks of the shape of a roster.

Forbidden successions (``shifts.<code>.not_followed_by``), the most shifts of each code, the
hours worked in the horizon, the shortest runs of working days and of days off, the most
weekends worked, fixed days off and weighted wishes (``requests.csv``), and the agents wanted
on each shift (``shift_cover.csv``). Each ``add_<rule>(model, v, p)`` adds one family on the
per-agent day variables (``DayVars``; ``add_shift_cover`` also on team counts) and returns its
:class:`Penalty` terms. Rule ids are shared with ``staffing check`` (``check_patterns``).

Runs of days are judged inside the horizon: a run that touches its first or last day may be
shorter, since what came before or comes after is not known here.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from staffing.roster.problem import RosterProblem
from staffing.roster.variables import DayVars, Penalty, StageVars

_FALSE = False
_TRUE = True


def _index(p: RosterProblem) -> dict[str, int]:
    return {agent.id: a for a, agent in enumerate(p.agents)}


def _works(v: DayVars, a: int, d: int):
    """The literal "agent a works on day d", or a constant when the agent is not available."""
    rest = v.rest.get((a, d))
    return _FALSE if rest is None else rest.Not()


def _rests(v: DayVars, a: int, d: int):
    rest = v.rest.get((a, d))
    return _TRUE if rest is None else rest


def _forbid_run(model: cp_model.CpModel, before, run: list, after) -> None:
    """Not (``before`` false, every literal of ``run`` true, ``after`` false): a clause, with
    constant literals folded."""
    clause = []
    for literal in (before, after):
        if literal is _TRUE:
            return
        if literal is not _FALSE:
            clause.append(literal)
    for literal in run:
        if literal is _FALSE:
            return
        if literal is not _TRUE:
            clause.append(literal.Not())
    if clause:  # never empty: a run's own days or the days around it are variables
        model.add_bool_or(clause)


def add_days_off(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `day_off`: no shift on a fixed day off of ``requests.csv``; it is a rest day. Hard."""
    index = _index(p)
    for agent, d in p.days_off:
        a = index.get(agent)
        if a is not None and (a, d) in v.rest:
            model.add(v.rest[a, d] == 1)
    return []


def add_not_followed_by(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `not_followed_by`: after a shift, none of the codes its template lists the next
    day (after a night, no early). Hard."""
    codes = {t.code: s for s, t in enumerate(p.templates)}
    for (a, d, s), first in v.shift.items():
        banned = [v.shift[a, d + 1, codes[c]] for c in p.templates[s].not_followed_by
                  if (a, d + 1, codes[c]) in v.shift]
        if banned:
            model.add(first + sum(banned) <= 1)
    return []


def add_max_shifts(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `max_shifts`: at most ``agents.csv`` ``max_shifts`` shifts of each code in the
    horizon (``L:0``: never that shift). Hard."""
    codes = {t.code: s for s, t in enumerate(p.templates)}
    for a, agent in enumerate(p.agents):
        for code, most in agent.max_shifts:
            terms = [v.shift[a, d, codes[code]] for d in range(len(p.days)) if (a, d, codes[code]) in v.shift]
            if len(terms) > most:
                model.add(sum(terms) <= most)
    return []


def hours_range(p: RosterProblem, a: int) -> tuple[int, int | None]:
    """Least and most minutes agent ``a`` works in the horizon: ``min_hours`` lowered pro rata
    for days on leave or off the books, ``max_hours`` as given (``None``: no cap)."""
    agent = p.agents[a]
    least = 0
    if agent.min_minutes:
        least = agent.min_minutes * int(p.available[a].sum()) // len(p.days)
    return least, agent.max_minutes


def add_hours_range(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `hours_range`: minutes worked in the horizon within ``agents.csv``
    ``min_hours``..``max_hours`` (the least pro rata for leave). Hard."""
    for a in range(len(p.agents)):
        least, most = hours_range(p, a)
        if not least and most is None:
            continue
        total = sum(p.templates[s].minutes * var for (b, _d, s), var in v.shift.items() if b == a)
        if least:
            model.add(total >= least)
        if most is not None:
            model.add(total <= most)
    return []


def min_run(p: RosterProblem, a: int, kind: str) -> int:
    """Shortest run of working days (``kind='work'``) or of days off (``'off'``) for agent a."""
    agent = p.agents[a]
    if kind == "work":
        return agent.min_consecutive_days or p.rules.min_consecutive_working_days
    return agent.min_consecutive_days_off or p.rules.min_consecutive_rest_days


def _forbid_short_runs(model: cp_model.CpModel, v: DayVars, p: RosterProblem, kind: str, day) -> None:
    """For each agent, no inner run of days where ``day(v, a, d)`` holds shorter than its
    least run of ``kind``."""
    n = len(p.days)
    for a in range(len(p.agents)):
        for length in range(1, min_run(p, a, kind)):
            for d in range(1, n - length):
                _forbid_run(model, day(v, a, d - 1), [day(v, a, e) for e in range(d, d + length)],
                            day(v, a, d + length))


def add_min_consecutive_working_days(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `min_consecutive_working_days`: no run of working days shorter than the agent's
    least between two days off inside the horizon. Hard."""
    _forbid_short_runs(model, v, p, "work", _works)
    return []


def add_min_consecutive_rest_days(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `min_consecutive_rest_days`: no run of days off (rest or leave) shorter than the
    agent's least between two working days inside the horizon. Hard."""
    _forbid_short_runs(model, v, p, "off", _rests)
    return []


def weekends(p: RosterProblem) -> list[list[int]]:
    """Day indices of each weekend (Saturday and Sunday) the horizon touches."""
    out: dict[tuple[int, int], list[int]] = {}
    for d, day in enumerate(p.days):
        if day.weekday() >= 5:
            out.setdefault(day.isocalendar()[:2], []).append(d)
    return list(out.values())


def max_weekends(p: RosterProblem, a: int) -> int | None:
    agent = p.agents[a]
    return agent.max_weekends if agent.max_weekends is not None else p.rules.max_weekends_worked


def add_max_weekends(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `max_weekends_worked`: at most the agent's number of weekends with a shift on
    Saturday or Sunday in the horizon. Hard."""
    groups = weekends(p)
    for a, agent in enumerate(p.agents):
        most = max_weekends(p, a)
        if most is None:
            continue
        worked = []
        for days in groups:
            literals = [lit for d in days if (lit := _works(v, a, d)) is not _FALSE]
            if not literals:
                continue
            weekend = model.new_bool_var(f"max_weekends_worked[agent={agent.id},day={p.days[days[0]]}]")
            for literal in literals:
                model.add_implication(literal, weekend)
            worked.append(weekend)
        if len(worked) > most:
            model.add(sum(worked) <= most)
    return []


def add_requests(model: cp_model.CpModel, v: DayVars, p: RosterProblem) -> list[Penalty]:
    """Rule `requests`: each wish of ``requests.csv`` not granted costs its weight in points
    (`weights.point` each): ``work`` a shift (or any shift), ``avoid`` a shift (or the day). Soft."""
    index = _index(p)
    terms = []
    for wish in p.wishes:
        a = index.get(wish.agent)
        if a is None:
            continue
        d, s = wish.day, wish.template
        if wish.kind == "work":
            if s is None:
                unmet = v.rest.get((a, d), 1)
            else:
                var = v.shift.get((a, d, s))
                unmet = 1 if var is None else 1 - var
        else:
            unmet = v.works[a, d] if s is None else v.shift.get((a, d, s), 0)
        terms.append(wish.weight * unmet)
    if not terms:
        return []
    return [Penalty("requests", "wishes not granted", sum(terms), p.centre.weights.point)]


def add_shift_cover(model: cp_model.CpModel, v: StageVars, p: RosterProblem) -> list[Penalty]:
    """Rule `shift_cover`: agents on each shift of ``shift_cover.csv`` against the number
    wanted, each one missing or extra costing its weight in points (`weights.point`). Soft."""
    terms = []
    teams = [t.id for t in p.centre.teams.values()]
    for (d, s), (required, under_weight, over_weight) in sorted(p.shift_cover.items()):
        on = [var for team in teams for t, var in v.team_day(team, d) if t == s]
        top = max(len(p.agents), required)
        under = model.new_int_var(0, required, f"shift_cover[day={p.days[d]},shift={p.templates[s].code},under]")
        over = model.new_int_var(0, top, f"shift_cover[day={p.days[d]},shift={p.templates[s].code},over]")
        model.add(sum(on) - required == over - under)
        terms.append(under_weight * under + over_weight * over)
    if not terms:
        return []
    return [Penalty("shift_cover", "agents missing or extra on shifts", sum(terms), p.centre.weights.point)]


def wish_points(p: RosterProblem, shifts: dict[tuple[int, int], int]) -> int:
    """Points of the wishes a named roster ``(agent, day) -> template`` does not grant."""
    index = _index(p)
    total = 0
    for wish in p.wishes:
        a = index.get(wish.agent)
        if a is None:
            continue
        worked = shifts.get((a, wish.day))
        if wish.kind == "work":
            granted = worked is not None and (wish.template is None or worked == wish.template)
        else:
            granted = worked is None or (wish.template is not None and worked != wish.template)
        total += 0 if granted else wish.weight
    return total


def cover_points(p: RosterProblem, shifts: dict[tuple[int, int], int]) -> int:
    """Points of ``shift_cover`` missed or exceeded by a named roster."""
    on: dict[tuple[int, int], int] = {}
    for (_a, d), s in shifts.items():
        on[d, s] = on.get((d, s), 0) + 1
    total = 0
    for key, (required, under_weight, over_weight) in p.shift_cover.items():
        have = on.get(key, 0)
        total += under_weight * max(required - have, 0) + over_weight * max(have - required, 0)
    return total


PATTERN_RULES = (add_days_off, add_not_followed_by, add_max_shifts, add_hours_range,
                 add_min_consecutive_working_days, add_min_consecutive_rest_days, add_max_weekends,
                 add_requests)
