"""A readable summary of a validated centre: what ``staffing validate`` prints."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from staffing.calendar import centre_calendar, date_range, day_hours
from staffing.domain import Centre, Event


@dataclass(frozen=True, slots=True, kw_only=True)
class CentreSummary:
    """Counts and calendars a supervisor checks after editing the centre folder."""

    text: str
    coming: Event | None


def coming_event(centre: Centre) -> Event | None:
    """The first event that starts after the history ends (the campaign being planned)."""
    if len(centre.history):
        history_end = centre.history["start"].max().date()
        future = [e for e in centre.events if e.start > history_end]
    else:
        future = list(centre.events)
    return future[0] if future else None


def summarise(centre: Centre, start: dt.date | None = None, end: dt.date | None = None) -> CentreSummary:
    """Describe the centre, and the line hours of each service day from ``start`` to ``end``
    (default: the coming campaign's window)."""
    calendar = centre_calendar(centre)
    coming = coming_event(centre)
    out = [f"Centre {centre.name} ({centre.folder})", f"  slot grid: {centre.slot_min} min"]
    for line in centre.lines.values():
        teams = [t for t in centre.teams.values() if t.line == line.id]
        agents = centre.agents_of(line=line.id)
        target = line.target
        out.append(
            f"  line {line.id} ({line.name}, {line.channel}): {len(teams)} teams, {len(agents)} agents; "
            f"target {target.service_level:.0%} within {target.answer_within_s:g} s, "
            f"abandon <= {target.max_abandon_rate:.1%}"
        )
    sizes = ", ".join(f"{t.id}={len(centre.agents_of(team=t.id))}" for t in centre.teams.values())
    out.append(f"  teams: {sizes}")
    out.append("  shifts: " + ", ".join(str(s) for s in centre.shifts.values()))
    if len(centre.history):
        h = centre.history
        out.append(f"  history: {h['start'].min():%Y-%m-%d} to {h['start'].max():%Y-%m-%d %H:%M}, "
                   f"{len(h)} rows, {h['contacts'].sum():,.0f} contacts")
    else:
        out.append("  history: none (history.csv absent)")
    past = [e for e in centre.events if e is not coming]
    out.append(f"  past peaks: {', '.join(e.name for e in past) or 'none'}")
    if coming is not None:
        traffic = f"traffic target {coming.traffic:,.0f}" if coming.traffic is not None else "no traffic target"
        out.append(f"  coming campaign: {coming.name} {coming.start}..{coming.end} (day {coming.day}), {traffic}")
    if start is None and coming is not None:
        start, end = coming.start, coming.end
    if start is not None:
        end = end or start
        out.append(f"  line hours by service day {start}..{end}:")
        for day in date_range(start, end):
            marks = []
            if calendar.is_holiday(day):
                marks.append(f"holiday {calendar.holiday_name(day)}".strip())
            elif calendar.is_makeup_workday(day):
                marks.append("make-up working day")
            hours = "  ".join(f"{line.id} {day_hours(line.hours, day, calendar)}" for line in centre.lines.values())
            out.append(f"    {day} {day:%a}  {hours}{'  (' + ', '.join(marks) + ')' if marks else ''}")
    return CentreSummary(text="\n".join(out), coming=coming)
