"""Checks of the work-pattern rules on any roster, independently of the solver (no ortools).

One ``check_<rule>(centre, roster, context)`` per rule id of ``staffing.roster.patterns``:
fixed days off, forbidden successions, the most shifts of each code, hours in the horizon,
the shortest runs of working days and of days off, the most weekends worked. The horizon is
the roster's first to last date; runs that touch either end are not judged on their length.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd

from staffing.domain import Agent, Centre
from staffing.violation import Violation


def agent_limit(centre: Centre, agent: str, field: str, default: Any) -> Any:
    """The agent's own value of an ``agents.csv`` limit, else ``default``."""
    for one in centre.agents:
        if one.id == agent:
            value = getattr(one, field)
            return default if value is None else value
    return default


def _agents(centre: Centre) -> dict[str, Agent]:
    return {agent.id: agent for agent in centre.agents}


def _worked(roster: pd.DataFrame) -> dict[str, dict[dt.date, str]]:
    """agent -> date -> shift code worked."""
    out: dict[str, dict[dt.date, str]] = {}
    for row in roster[roster["activity"] == "shift"].itertuples():
        out.setdefault(str(row.agent), {})[row.date] = str(row.code)
    return out


def _horizon(roster: pd.DataFrame) -> list[dt.date]:
    if roster.empty:
        return []
    first, last = min(roster["date"]), max(roster["date"])
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _team(roster: pd.DataFrame, agent: str) -> str:
    rows = roster[roster["agent"] == agent]
    return str(rows["team"].iloc[0]) if len(rows) else ""


def check_day_off(centre: Centre, roster: pd.DataFrame, context) -> list[Violation]:
    """`day_off`: no shift on a fixed day off of ``requests.csv``."""
    worked = _worked(roster)
    days = set(_horizon(roster))
    return [Violation(rule="day_off", agent=r.agent, team=_team(roster, r.agent), day=str(r.date),
                      detail=f"works {worked[r.agent][r.date]} on a fixed day off (requests.csv)")
            for r in centre.requests
            if r.kind == "day_off" and r.date in days and r.date in worked.get(r.agent, {})]


def check_not_followed_by(centre: Centre, roster: pd.DataFrame, context) -> list[Violation]:
    """`not_followed_by`: no shift the day after one whose template forbids it."""
    out = []
    for agent, days in _worked(roster).items():
        for day, code in sorted(days.items()):
            template = centre.shifts.get(code)
            after = days.get(day + dt.timedelta(days=1))
            if template is not None and after in template.not_followed_by:
                out.append(Violation(rule="not_followed_by", agent=agent, team=_team(roster, agent),
                                     day=str(day + dt.timedelta(days=1)),
                                     detail=f"{after} the day after {code} (shifts.{code}.not_followed_by)"))
    return out


def check_max_shifts(centre: Centre, roster: pd.DataFrame, context) -> list[Violation]:
    """`max_shifts`: no more shifts of a code than the agent's ``max_shifts`` allows."""
    out = []
    worked = _worked(roster)
    for agent in centre.agents:
        codes = list(worked.get(agent.id, {}).values())
        for code, most in agent.max_shifts:
            if codes.count(code) > most:
                out.append(Violation(rule="max_shifts", agent=agent.id, team=agent.team,
                                     detail=f"{codes.count(code)} {code} shifts (at most {most})"))
    return out


def check_hours_range(centre: Centre, roster: pd.DataFrame, context) -> list[Violation]:
    """`hours_range`: hours worked in the roster's horizon within the agent's ``min_hours``
    (pro rata for days on leave or off the books) and ``max_hours``."""
    out = []
    horizon = _horizon(roster)
    shifts = roster[roster["activity"] == "shift"]
    minutes = ((shifts["end"] - shifts["start"]).dt.total_seconds() // 60).groupby(shifts["agent"]).sum()
    present = roster[roster["activity"].isin(("shift", "rest"))]
    on_books_days = present.groupby("agent")["date"].nunique()
    for agent in centre.agents:
        if agent.min_minutes is None and agent.max_minutes is None:
            continue
        on_books = int(on_books_days.get(agent.id, 0))
        worked = int(minutes.get(agent.id, 0))
        least = (agent.min_minutes or 0) * on_books // max(len(horizon), 1)
        if worked < least:
            out.append(Violation(rule="hours_range", agent=agent.id, team=agent.team,
                                 detail=f"{worked / 60:g} h worked, at least {least / 60:g} h"))
        if agent.max_minutes is not None and worked > agent.max_minutes:
            out.append(Violation(rule="hours_range", agent=agent.id, team=agent.team,
                                 detail=f"{worked / 60:g} h worked, at most {agent.max_minutes / 60:g} h"))
    return out


def _runs(horizon: list[dt.date], on: set[dt.date]) -> list[list[dt.date]]:
    """Maximal runs of consecutive horizon days in ``on`` that touch neither end."""
    runs, current = [], []
    for day in horizon:
        if day in on:
            current.append(day)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [run for run in runs if run[0] != horizon[0] and run[-1] != horizon[-1]]


def check_min_consecutive_working_days(centre: Centre, roster: pd.DataFrame, context) -> list[Violation]:
    """`min_consecutive_working_days`: no run of working days between two days off shorter
    than the rule (or the agent's ``min_consecutive_days``)."""
    out = []
    horizon = _horizon(roster)
    for agent, days in _worked(roster).items():
        least = agent_limit(centre, agent, "min_consecutive_days", centre.rules.min_consecutive_working_days)
        for run in _runs(horizon, set(days)):
            if len(run) < least:
                out.append(Violation(rule="min_consecutive_working_days", agent=agent, team=_team(roster, agent),
                                     day=str(run[0]), detail=f"{len(run)} working day(s) in a row (at least {least})"))
    return out


def check_min_consecutive_rest_days(centre: Centre, roster: pd.DataFrame, context) -> list[Violation]:
    """`min_consecutive_rest_days`: no run of days off between two working days shorter than
    the rule (or the agent's ``min_consecutive_days_off``)."""
    out = []
    horizon = _horizon(roster)
    worked = _worked(roster)
    for agent in sorted(set(roster["agent"].astype(str))):
        least = agent_limit(centre, agent, "min_consecutive_days_off", centre.rules.min_consecutive_rest_days)
        if least <= 1:
            continue
        for run in _runs(horizon, set(horizon) - set(worked.get(agent, {}))):
            if len(run) < least:
                out.append(Violation(rule="min_consecutive_rest_days", agent=agent, team=_team(roster, agent),
                                     day=str(run[0]), detail=f"{len(run)} day(s) off in a row (at least {least})"))
    return out


def check_max_weekends_worked(centre: Centre, roster: pd.DataFrame, context) -> list[Violation]:
    """`max_weekends_worked`: weekends with a shift on Saturday or Sunday at most the rule
    (or the agent's ``max_weekends``)."""
    out = []
    for agent, days in _worked(roster).items():
        most = agent_limit(centre, agent, "max_weekends", centre.rules.max_weekends_worked)
        if most is None:
            continue
        weekends = {day.isocalendar()[:2] for day in days if day.weekday() >= 5}
        if len(weekends) > most:
            out.append(Violation(rule="max_weekends_worked", agent=agent, team=_team(roster, agent),
                                 detail=f"{len(weekends)} weekends worked (at most {most})"))
    return out


PATTERN_CHECKS: dict[str, Callable[[Centre, pd.DataFrame, Any], list[Violation]]] = {
    "day_off": check_day_off,
    "not_followed_by": check_not_followed_by,
    "max_shifts": check_max_shifts,
    "hours_range": check_hours_range,
    "min_consecutive_working_days": check_min_consecutive_working_days,
    "min_consecutive_rest_days": check_min_consecutive_rest_days,
    "max_weekends_worked": check_max_weekends_worked,
}
