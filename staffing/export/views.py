"""The tables every export shows, derived from a :class:`PlanData` (pure; no files).

* the forecast by service day and by hour, with its band and the past peaks aligned on the
  campaign day (a past peak's day ``k`` days from its own main day is set beside the
  forecast of the day ``k`` days from the coming campaign's main day);
* required vs planned on the line per slot: ``on_line`` = agents on a shift and not on a
  meal, break or meeting, taken at the slot's worst minute (CONTRACT: roster.csv);
* the roster grid (agents x days) and, per peak day, who is on the line, at a meal or on a
  break in each slot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffing.calendar import centre_calendar, slot_starts
from staffing.domain import Event
from staffing.export.data import PlanData, service_days
from staffing.forecast.days import history_table

AWAY = ("meal", "break", "meeting")
KIND_ORDER = {"shift": 0, "leave": 1, "rest": 2}


def daily_forecast(data: PlanData, hourly: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """``line, service_day, contacts, low, high`` summed over each service day's hours
    (``low``/``high`` are the summed hourly bounds); ``None`` without a forecast.
    ``hourly``: :func:`hourly_forecast`'s table when already made."""
    hourly = hourly_forecast(data) if hourly is None else hourly
    if hourly is None:
        return None
    grouped = hourly.groupby(["line", "service_day"], sort=True)[["contacts", "low", "high"]].sum(min_count=1)
    return grouped.round(1).reset_index()


def hourly_forecast(data: PlanData) -> pd.DataFrame | None:
    """The forecast rows with their service day: ``line, service_day, start, end, contacts, low, high``."""
    if data.forecast is None:
        return None
    frame = data.forecast.copy()
    frame["service_day"] = service_days(data.centre, frame)
    return frame[["line", "service_day", "start", "end", "contacts", "low", "high"]]


def past_peaks(data: PlanData) -> tuple[Event, ...]:
    """Past campaigns of ``events.csv`` the history covers, before the coming campaign."""
    campaign = data.campaign
    if campaign is None or data.centre.history.empty:
        return ()
    first = data.centre.history["start"].min().date()
    last = data.centre.history["start"].max().date()
    return tuple(e for e in data.centre.events if e.end < campaign.start and first <= e.start and e.end <= last)


def comparison_peaks(data: PlanData, count: int = 3) -> tuple[str, ...]:
    """The past peaks a chart shows: the same campaign in earlier years first (same month and
    day), then the most recent others, ``count`` at most."""
    campaign = data.campaign
    peaks = past_peaks(data)
    if campaign is None:
        return ()
    ranked = sorted(peaks, key=lambda e: ((e.day.month, e.day.day) != (campaign.day.month, campaign.day.day),
                                          -e.day.toordinal()))
    return tuple(e.name for e in ranked[:count])


def past_peak_hours(data: PlanData) -> pd.DataFrame:
    """``peak, line, rel_day, service_day, offset_h, contacts``: every past peak's hourly
    contacts over its window, ``service_day`` being the aligned day of the coming campaign
    and ``offset_h`` the hour from that day's midnight (24+ after midnight)."""
    campaign = data.campaign
    peaks = past_peaks(data)
    columns = ["peak", "line", "rel_day", "service_day", "offset_h", "contacts"]
    if campaign is None or not peaks:
        return pd.DataFrame(columns=columns)
    calendar = centre_calendar(data.centre)
    rows = []
    for line in data.centre.lines.values():
        if not (data.centre.history["line"] == line.id).any():
            continue
        table = history_table(data.centre.history, line, calendar)
        for event in peaks:
            for offset in range((event.end - event.start).days + 1):
                day = event.start + dt.timedelta(days=offset)
                position = table.position(day)
                if not 0 <= position < len(table):
                    continue
                rel = (day - event.day).days
                aligned = campaign.day + dt.timedelta(days=rel)
                for hour in np.flatnonzero(table.open[position]):
                    rows.append((event.name, line.id, rel, aligned, int(hour), float(table.counts[position, hour])))
    return pd.DataFrame(rows, columns=columns)


def past_peak_daily(data: PlanData) -> pd.DataFrame:
    """``peak, line, rel_day, service_day, contacts``: each past peak's daily contacts on the
    aligned days of the coming campaign."""
    hours = past_peak_hours(data)
    if hours.empty:
        return pd.DataFrame(columns=["peak", "line", "rel_day", "service_day", "contacts"])
    daily = hours.groupby(["peak", "line", "rel_day", "service_day"], sort=False)["contacts"].sum()
    return daily.round(1).reset_index()


def minute_counts(roster: pd.DataFrame, line: str, origin: pd.Timestamp,
                   minutes: int) -> tuple[np.ndarray, np.ndarray]:
    """Agents of ``line`` on a shift, and away from the line, in each minute from ``origin``."""
    on_shift = np.zeros(minutes, dtype=int)
    away = np.zeros(minutes, dtype=int)
    rows = roster[(roster["line"] == line) & roster["activity"].isin(("shift", *AWAY))]
    for row in rows.itertuples():
        lo = max(int((row.start - origin).total_seconds() // 60), 0)
        hi = min(int((row.end - origin).total_seconds() // 60), minutes)
        if lo < hi:
            (on_shift if row.activity == "shift" else away)[lo:hi] += 1
    return on_shift, away


def planning_slots(data: PlanData) -> pd.DataFrame:
    """``line, service_day, start, end, required, floor, day_min_agents`` for the roster's days:
    the requirement rows, or the lines' open slots (requirement unknown) without a file."""
    if data.requirements is not None:
        frame = data.requirements[data.requirements["service_day"].isin(data.days)]
        return frame[["line", "service_day", "start", "end", "required", "floor", "day_min_agents"]].copy()
    calendar = centre_calendar(data.centre)
    step = pd.Timedelta(minutes=data.centre.slot_min)
    rows = [(line.id, day, start, start + step, np.nan, float(line.min_agents), np.nan)
            for line in data.centre.lines.values() for day in data.days
            for start in slot_starts(line, day, calendar, data.centre.slot_min)]
    return pd.DataFrame(rows, columns=["line", "service_day", "start", "end", "required", "floor", "day_min_agents"])


def staffing_by_slot(data: PlanData) -> pd.DataFrame:
    """Per line and slot of the roster's days: ``required``, ``floor``, ``on_shift``,
    ``away``, ``on_line`` (at the slot's worst minute) and ``short`` (required - on_line, >= 0)."""
    slots = planning_slots(data).sort_values(["line", "start"], kind="stable").reset_index(drop=True)
    on_shift = np.zeros(len(slots), dtype=int)
    away = np.zeros(len(slots), dtype=int)
    on_line = np.zeros(len(slots), dtype=int)
    for line, rows in slots.groupby("line", sort=False):
        origin = rows["start"].min()
        minutes = int((rows["end"].max() - origin).total_seconds() // 60)
        shifts, aways = minute_counts(data.roster, str(line), origin, minutes)
        present = shifts - aways
        lo = ((rows["start"] - origin).dt.total_seconds() // 60).astype(int).to_numpy()
        hi = ((rows["end"] - origin).dt.total_seconds() // 60).astype(int).to_numpy()
        for index, a, b in zip(rows.index, lo, hi):
            on_line[index] = present[a:b].min()
            on_shift[index] = shifts[a:b].min()
            away[index] = aways[a:b].max()
    slots["on_shift"] = on_shift
    slots["away"] = away
    slots["on_line"] = on_line
    slots["short"] = np.maximum(slots["required"] - slots["on_line"], 0)
    return slots


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterGrid:
    """Agents x days: each cell the day's shift code, ``rest`` or the leave code, and its kind."""

    agents: tuple[tuple[str, str, str, str], ...]  # (agent, name, team, line)
    days: tuple[dt.date, ...]
    cells: dict[tuple[str, dt.date], tuple[str, str]] = field(repr=False)  # -> (kind, label)

    def cell(self, agent: str, day: dt.date) -> tuple[str, str]:
        return self.cells.get((agent, day), ("", ""))


def roster_grid(data: PlanData) -> RosterGrid:
    """The roster as a grid, agents in agents.csv order (team by team as in the file)."""
    names = {a.id: a for a in data.centre.agents}
    rows = data.roster[data.roster["activity"].isin(KIND_ORDER)]
    cells: dict[tuple[str, dt.date], tuple[str, str]] = {}
    for (agent, day), group in rows.groupby(["agent", "date"], sort=False):
        group = group.sort_values("activity", key=lambda s: s.map(KIND_ORDER), kind="stable")
        labels = list(dict.fromkeys(str(code) for code in group["code"]))
        cells[str(agent), day] = (str(group["activity"].iloc[0]), "/".join(labels))
    present = set(data.roster["agent"])
    agents = tuple((a.id, names[a.id].name, a.team, a.line) for a in data.centre.agents if a.id in present)
    return RosterGrid(agents=agents, days=data.days, cells=cells)


@dataclass(frozen=True, slots=True, kw_only=True)
class AwayGrid:
    """One service day, agents on a shift x slots: ``on`` (on the line), ``meal``,
    ``break``, ``meeting`` or ``""`` (not on shift)."""

    day: dt.date
    slots: tuple[pd.Timestamp, ...]
    agents: tuple[tuple[str, str, str, str], ...]  # (agent, name, team, shift code)
    cells: tuple[tuple[str, ...], ...] = field(repr=False)


def away_grid(data: PlanData, day: dt.date) -> AwayGrid:
    """Who is on the line, at a meal or on a break in each slot of ``day`` (team by team)."""
    rows = data.roster[data.roster["date"] == day]
    shifts = rows[rows["activity"] == "shift"]
    if shifts.empty:
        return AwayGrid(day=day, slots=(), agents=(), cells=())
    step = pd.Timedelta(minutes=data.centre.slot_min)
    slots = tuple(pd.date_range(shifts["start"].min(), shifts["end"].max() - step, freq=step))
    order = {a.id: i for i, a in enumerate(data.centre.agents)}
    names = {a.id: a.name for a in data.centre.agents}
    origin = slots[0]
    step_min = data.centre.slot_min
    away = rows[rows["activity"].isin(AWAY)]
    agents, cells = [], []
    ranked = sorted(shifts.itertuples(), key=lambda r: (str(r.team), r.start, order.get(r.agent, 0)))
    for shift in ranked:
        labels = np.full(len(slots), "", dtype=object)
        labels[_slot_span(shift.start, shift.end, origin, step_min, len(slots))] = "on"
        for item in away[away["agent"] == shift.agent].itertuples():
            labels[_slot_span(item.start, item.end, origin, step_min, len(slots))] = str(item.activity)
        agents.append((str(shift.agent), names.get(shift.agent, str(shift.agent)), str(shift.team), str(shift.code)))
        cells.append(tuple(labels))
    return AwayGrid(day=day, slots=slots, agents=tuple(agents), cells=tuple(cells))


def _slot_span(start: pd.Timestamp, end: pd.Timestamp, origin: pd.Timestamp, step_min: int, count: int) -> slice:
    """The slots (from ``origin``, ``step_min`` long) that ``[start, end)`` touches."""
    lo = int((start - origin).total_seconds() // 60) // step_min
    hi = -(-int((end - origin).total_seconds() // 60) // step_min)
    return slice(max(lo, 0), max(min(hi, count), 0))


def rule_summary(data: PlanData) -> tuple[tuple[str, int, str], ...]:
    """``(rule, violations, first detail)`` for every hard rule, checked on roster.csv as it
    is now (``staffing.check``: no solver, works on hand edits)."""
    from staffing.check import check_rules

    requirements = None
    if data.requirements is not None:
        requirements = data.requirements[["line", "start", "end", "required", "floor"]]
    report = check_rules(data.centre, data.roster, requirements)
    out = []
    for result in report.rules:
        first = result.violations[0] if result.violations else None
        detail = ""
        if first is not None:
            who = first.agent or first.team or first.line
            detail = f"{who} {first.day} {first.start[11:]}: {first.detail}".strip()
        out.append((result.rule, len(result.violations), detail))
    return tuple(out)
