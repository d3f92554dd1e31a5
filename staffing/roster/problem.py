"""``RosterProblem``: everything the roster engine needs, as frozen numpy arrays over slots.

Time inside a service day is a slot index from that day's midnight: slot ``k`` covers
minutes ``[k * slot_min, (k + 1) * slot_min)``, and indices past ``1440 / slot_min`` are
after midnight (the 818 day's 01:50 slot, a P2 shift ending at 02:00). ``required`` and
``floor`` are given per line and service day over that axis (0 where the line is closed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffing.calendar import centre_calendar, date_range
from staffing.calendar import open_mask as open_slots_of
from staffing.domain import MINUTES_PER_DAY, Agent, Centre, Rules, ShiftTemplate
from staffing.errors import StaffingError


@dataclass(frozen=True, slots=True, kw_only=True)
class Leave:
    """Approved leave: the agent is off from ``start`` to ``end`` (whole service days)."""

    agent: str
    start: dt.date
    end: dt.date
    code: str = "leave"


@dataclass(frozen=True, slots=True, kw_only=True)
class Wish:
    """A weighted request in the horizon: ``work`` (the template, or any when ``None``) or
    ``avoid`` (the template, or the whole day when ``None``) on day index ``day``."""

    agent: str
    day: int
    kind: str
    template: int | None
    weight: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterProblem:
    """The instance: who, which days, which shifts, what must be covered.

    Attributes
    ----------
    days : the service days of the horizon, in order.
    agents : the agents rostered (every agent of the centre on the lines planned).
    templates : shift templates, in ``centre.toml`` order.
    allowed : bool (agents, templates): the template may be worked by the agent (its line).
    available : bool (agents, days): employed and not on leave that day.
    leave : (agent index, day index) -> leave code, for approved leave.
    required, floor : per line id, int arrays (days, slots_per_axis) of agents wanted on the
        line / the hard minimum.
    day_min : per line id, int array (days,) of agents who must work that day (daily cap).
    slots_per_axis : slots on a service day's axis (48 hours).
    days_off : (agent id, day index) of fixed days off (``requests.csv`` ``day_off``): rest days.
    wishes : the weighted wishes of ``requests.csv`` that fall in the horizon.
    shift_cover : (day index, template index) -> (required, under weight, over weight), from
        ``shift_cover.csv``.
    """

    centre: Centre = field(repr=False)
    days: tuple[dt.date, ...]
    agents: tuple[Agent, ...]
    templates: tuple[ShiftTemplate, ...]
    allowed: np.ndarray
    available: np.ndarray
    leave: dict[tuple[int, int], str]
    required: dict[str, np.ndarray]
    floor: dict[str, np.ndarray]
    day_min: dict[str, np.ndarray]
    open_slots: dict[str, np.ndarray]
    slot_min: int
    slots_per_axis: int
    peak_days: frozenset[dt.date] = frozenset()
    days_off: frozenset[tuple[str, int]] = frozenset()
    wishes: tuple[Wish, ...] = ()
    shift_cover: dict[tuple[int, int], tuple[int, int, int]] = field(default_factory=dict)

    @property
    def rules(self) -> Rules:
        return self.centre.rules

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.required)

    def shift_slots(self, template: ShiftTemplate) -> tuple[int, int]:
        """First slot and end slot (exclusive) of a template on its day's axis."""
        return template.start_min // self.slot_min, template.end_min // self.slot_min

    def team_agents(self, team: str) -> list[int]:
        return [i for i, a in enumerate(self.agents) if a.team == team]

    def line_agents(self, line: str) -> list[int]:
        return [i for i, a in enumerate(self.agents) if a.line == line]

    def line_teams(self, line: str) -> list[str]:
        return [t.id for t in self.centre.teams.values() if t.line == line]


def build_problem(centre: Centre, requirements: pd.DataFrame, start: dt.date, end: dt.date,
                  leave: tuple[Leave, ...] = ()) -> RosterProblem:
    """The roster instance for service days ``start``..``end`` from a requirements table
    (``line,start,end,required[,floor][,day_min_agents]``). Lines without requirement rows
    get the floor (``min_agents``) in their open hours."""
    if end < start:
        raise StaffingError(f"--end {end} is before --start {start}", exit_code=2)
    if (end - start).days + 1 > 42:
        raise StaffingError(f"{(end - start).days + 1} days: the roster horizon is 1 day to 6 weeks", exit_code=2)
    calendar = centre_calendar(centre)
    days = tuple(date_range(start, end))
    slot = centre.slot_min
    axis = 2 * MINUTES_PER_DAY // slot
    agents = tuple(a for a in centre.agents)
    templates = tuple(centre.shifts.values())
    allowed = np.array([[a.line in t.lines for t in templates] for a in agents], dtype=bool)
    available = np.array([[a.employed_on(d) for d in days] for a in agents], dtype=bool)
    index = {a.id: i for i, a in enumerate(agents)}
    leave_map: dict[tuple[int, int], str] = {}
    for item in leave:
        if item.agent not in index:
            raise StaffingError(f"leave for unknown agent {item.agent!r}", exit_code=2)
        for day in date_range(max(item.start, start), min(item.end, end)):
            leave_map[(index[item.agent], (day - start).days)] = item.code
            available[index[item.agent], (day - start).days] = False
    required, floor, day_min, open_slots = {}, {}, {}, {}
    for line in centre.lines.values():
        open_mask = np.array([open_slots_of(line, day, calendar, slot, axis) for day in days], dtype=bool)
        open_mask = open_mask.reshape(len(days), axis)
        req = np.zeros((len(days), axis), dtype=int)
        flo = np.where(open_mask, line.min_agents, 0)
        mins = np.zeros(len(days), dtype=int)
        rows = requirements[requirements["line"] == line.id]
        if len(rows):
            _paint(rows, days, slot, axis, req, flo, mins, open_mask, line.min_agents)
        required[line.id] = np.maximum(req, flo)
        floor[line.id] = flo
        day_min[line.id] = mins
        open_slots[line.id] = open_mask
    peak_days = frozenset(e.day for e in centre.events if start <= e.day <= end)
    codes = {t.code: s for s, t in enumerate(templates)}
    inside = [r for r in centre.requests if start <= r.date <= end]
    days_off = frozenset((r.agent, (r.date - start).days) for r in inside if r.kind == "day_off")
    wishes = tuple(Wish(agent=r.agent, day=(r.date - start).days, kind=r.kind,
                        template=None if r.shift is None else codes[r.shift], weight=r.weight)
                   for r in inside if r.kind != "day_off")
    cover = {((c.date - start).days, codes[c.shift]): (c.required, c.under_weight, c.over_weight)
             for c in centre.shift_cover if start <= c.date <= end}
    return RosterProblem(centre=centre, days=days, agents=agents, templates=templates, allowed=allowed,
                         available=available, leave=leave_map, required=required, floor=floor, day_min=day_min,
                         open_slots=open_slots, slot_min=slot, slots_per_axis=axis, peak_days=peak_days,
                         days_off=days_off, wishes=wishes, shift_cover=cover)


def _paint(rows: pd.DataFrame, days: tuple[dt.date, ...], slot: int, axis: int, req: np.ndarray, flo: np.ndarray,
           mins: np.ndarray, open_mask: np.ndarray, min_agents: int) -> None:
    """Requirement rows onto the (day, slot) axis: a slot takes the largest requirement of
    the rows overlapping it; rows outside the line's open hours are ignored."""
    first = np.datetime64(days[0], "m")
    for row in rows.itertuples(index=False):
        begin = (np.datetime64(row.start, "m") - first).astype(int)
        finish = (np.datetime64(row.end, "m") - first).astype(int)
        for minute in range(begin - begin % slot, finish, slot):
            day_guess = minute // MINUTES_PER_DAY
            for d in (day_guess - 1, day_guess):  # the previous day's axis runs past midnight
                if 0 <= d < len(days):
                    k = (minute - d * MINUTES_PER_DAY) // slot
                    if 0 <= k < axis and open_mask[d, k]:
                        req[d, k] = max(req[d, k], int(row.required))
                        floor = getattr(row, "floor", None)  # the column is optional
                        if floor is not None and not pd.isna(floor):
                            flo[d, k] = max(min_agents, int(floor))
                        if "day_min_agents" in rows and not pd.isna(row.day_min_agents):
                            mins[d] = max(mins[d], int(row.day_min_agents))
                        break
