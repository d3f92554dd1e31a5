"""The headcount gap: how many agents a plan is missing, on which line and team, from when.

The 818 guide (DOMAIN section 5): "set the staff needed per shift from the forecast; new staff
must be on board before the peak (7/30 for 818)", so the plan must say how many are missing.

From the roster's remaining shortfall (slots where fewer are on the line than `required`),
each line-day is covered greedily by extra agents on the line's shift templates: an extra
agent on a template covers its slots less the away time it owes (meal and breaks, placed
where the line is least short). The extra agents a day needs are the number the greedy adds
until nothing is short. Across the horizon the same new agents work several days, so the
line needs the most any one day needs, or more when the extra agent-days exceed what that
many people can work under the rest-day and consecutive-day rules. The daily cap (per-agent
daily volume) adds its own count: agents that must work a day beyond those available.
New agents go to the line's teams with room (teams stay at most ``TEAM_MAX``: one away at a
time), and are due on board ``ONBOARD_LEAD_DAYS`` before the campaign window opens (the guide's
7/30 for an 818 window opening 8/8), or before the first short day if that is earlier.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from staffing.calendar import centre_calendar, date_range, open_mask
from staffing.domain import Centre, Event

TEAM_MAX = 8
ONBOARD_LEAD_DAYS = 9


@dataclass(frozen=True, slots=True, kw_only=True)
class Gap:
    """Agents missing on one team (``team`` is ``new`` when the line's teams are full)."""

    line: str
    team: str
    missing: int
    on_board_by: str
    first_short_day: str
    short_days: int
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LineDayNeed:
    """One line-day: agents available, working, and the extra the day would need."""

    line: str
    day: dt.date
    available: int
    working: int
    extra: int
    short_agent_min: int
    by_template: tuple[tuple[str, int], ...]


def extra_agents_for_day(centre: Centre, line: str, short: np.ndarray, slot_min: int) -> tuple[int, dict[str, int]]:
    """Greedy cover of one line-day's short profile (agents short per slot of the day's axis)
    by extra agents on the line's templates; (agents added, agents per template code)."""
    short = short.astype(int).copy()
    rules = centre.rules
    templates = [t for t in centre.shifts.values() if line in t.lines]
    added: dict[str, int] = {}
    while short.sum() > 0:
        best, best_gain, best_cover = None, 0, None
        for template in templates:
            first, last = template.start_min // slot_min, template.end_min // slot_min
            cover = np.zeros_like(short)
            cover[first:min(last, len(short))] = 1
            away = -(-(template.meals * rules.meal_min + template.breaks * rules.break_min) // slot_min)
            inside = np.flatnonzero(cover)
            if away and len(inside):
                # the agent's away time falls where the line is least short
                quiet = inside[np.argsort(short[inside], kind="stable")][:away]
                cover[quiet] = 0
            gain = int(np.minimum(short, cover).sum())
            if gain > best_gain:
                best, best_gain, best_cover = template, gain, cover
        if best is None:
            break
        short = np.maximum(short - best_cover, 0)
        added[best.code] = added.get(best.code, 0) + 1
    return sum(added.values()), added


def line_day_needs(centre: Centre, roster: pd.DataFrame, short_slots: pd.DataFrame,
                   day_min: dict[tuple[str, dt.date], int], start: dt.date, end: dt.date) -> list[LineDayNeed]:
    """Per line and service day: who is available and working, and the extra agents needed."""
    slot = centre.slot_min
    axis = 2 * 1440 // slot
    calendar = centre_calendar(centre)
    out = []
    for line in centre.lines:
        for day in date_range(start, end):
            midnight = dt.datetime.combine(day, dt.time())
            short = np.zeros(axis, dtype=int)
            if len(short_slots):
                rows = short_slots[(short_slots["line"] == line) & (short_slots["start"] >= midnight)
                                   & (short_slots["start"] < midnight + dt.timedelta(days=2))]
                for row in rows.itertuples():
                    k = int((row.start - midnight).total_seconds() // 60) // slot
                    if 0 <= k < axis:
                        short[k] = max(short[k], int(row.short))
                # a slot belongs to the service day whose hours hold it
                short = np.where(open_mask(centre.lines[line], day, calendar, slot, axis), short, 0)
            extra, by_template = extra_agents_for_day(centre, line, short, slot)
            agents = [a for a in centre.agents_of(line=line) if a.employed_on(day)]
            on_day = roster[(roster["line"] == line) & (roster["date"] == day)]
            working = int((on_day["activity"] == "shift").sum())
            on_leave = int((on_day["activity"] == "leave").sum())
            need_working = day_min.get((line, day), 0)
            extra = max(extra, need_working - (len(agents) - on_leave))
            out.append(LineDayNeed(line=line, day=day, available=len(agents) - on_leave, working=working,
                                   extra=extra, short_agent_min=int(short.sum()) * slot,
                                   by_template=tuple(sorted(by_template.items()))))
    return out


def _work_days_per_agent(centre: Centre, start: dt.date, end: dt.date) -> int:
    """Most days one agent can work in the horizon under the rest-day and consecutive-day rules."""
    days = (end - start).days + 1
    owed = 0
    for year, month in sorted({(d.year, d.month) for d in date_range(start, end)}):
        in_month = sum(1 for d in date_range(start, end) if (d.year, d.month) == (year, month))
        owed += centre.rules.rest_days_per_month * in_month // month_calendar.monthrange(year, month)[1]
    limit = centre.rules.max_consecutive_working_days
    return max(min(days - owed, days - days // (limit + 1)), 1)


def headcount_gap(centre: Centre, needs: list[LineDayNeed], campaign: Event | None,
                  start: dt.date, end: dt.date) -> list[Gap]:
    """Agents missing per line, spread over the line's teams with room."""
    gaps: list[Gap] = []
    work_days = _work_days_per_agent(centre, start, end)
    for line in centre.lines:
        short_days = [n for n in needs if n.line == line and n.extra > 0]
        if not short_days:
            continue
        most = max(n.extra for n in short_days)
        missing = max(most, math.ceil(sum(n.extra for n in short_days) / work_days))
        first = min(n.day for n in short_days)
        due = first - dt.timedelta(days=1)
        if campaign is not None:
            due = min(due, campaign.start - dt.timedelta(days=ONBOARD_LEAD_DAYS))
        worst = max(short_days, key=lambda n: (n.extra, n.short_agent_min))
        shifts = ", ".join(f"{code} x{count}" for code, count in worst.by_template) or "daily cap"
        detail = (f"{len(short_days)} day(s) short; worst {worst.day}: {worst.short_agent_min:,} agent-minutes short "
                  f"with {worst.working} of {worst.available} working, {worst.extra} more needed ({shifts})")
        for team, count in _spread(centre, line, missing):
            gaps.append(Gap(line=line, team=team, missing=count, on_board_by=due.isoformat(),
                            first_short_day=first.isoformat(), short_days=len(short_days), detail=detail))
    return gaps


def _spread(centre: Centre, line: str, missing: int) -> list[tuple[str, int]]:
    """New agents to the line's smallest teams first, each up to ``TEAM_MAX``; the rest ``new``."""
    sizes = {t.id: len(centre.agents_of(team=t.id)) for t in centre.teams.values() if t.line == line}
    placed: dict[str, int] = {}
    for _ in range(missing):
        room = [team for team, size in sizes.items() if size < TEAM_MAX]
        team = min(room, key=lambda t: (sizes[t], t)) if room else "new"
        placed[team] = placed.get(team, 0) + 1
        if team != "new":
            sizes[team] += 1
    return sorted(placed.items())


def gaps_as_dicts(gaps: list[Gap]) -> list[dict]:
    return [asdict(g) for g in gaps]


__all__ = ["ONBOARD_LEAD_DAYS", "TEAM_MAX", "Gap", "LineDayNeed", "extra_agents_for_day", "gaps_as_dicts",
           "headcount_gap", "line_day_needs"]
