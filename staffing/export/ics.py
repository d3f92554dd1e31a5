"""One iCalendar file per agent: shifts, meals and breaks as timed events, leave and rest
days as all-day events.

Times are the centre's local time with its zone (``Asia/Shanghai``; the VTIMEZONE is
embedded). Every event's UID is made from the centre, the agent, the service day, the
activity and its number that day, so importing a re-export (after a hand edit of
``roster.csv``) updates the events already in a calendar instead of adding copies. The
stamp (DTSTAMP, LAST-MODIFIED) is the time ``roster.csv`` was last written.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from staffing.domain import Centre
from staffing.export.data import PlanData

TIMEZONE = "Asia/Shanghai"
UID_NAMESPACE = uuid.UUID("6f1c2a4e-8d1b-5b7a-9c3e-2f4d6a8b0c1e")
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*")
TIMED = ("shift", "meal", "break", "meeting")


def ics_name(agent: str) -> str:
    """The file name of an agent's calendar: ``<agent>.ics`` (other characters replaced)."""
    if SAFE_NAME.fullmatch(agent):
        return f"{agent}.ics"
    cleaned = re.sub(r"[^A-Za-z0-9_\-]", "_", agent).lstrip("_-") or "agent"
    return f"{cleaned}-{uuid.uuid5(UID_NAMESPACE, agent).hex[:8]}.ics"


def event_uid(centre: Centre, agent: str, day: dt.date, activity: str, number: int) -> str:
    """A UID that stays the same across re-exports of the same roster slot."""
    key = f"{centre.name}|{agent}|{day.isoformat()}|{activity}|{number}"
    return f"{uuid.uuid5(UID_NAMESPACE, key)}@staffing"


def render_calendars(data: PlanData, zone: str = TIMEZONE) -> dict[str, bytes]:
    """File name -> iCalendar bytes, one per agent on the roster."""
    tz = ZoneInfo(zone)
    timezone = Timezone.from_tzinfo(tz)
    by_agent: dict[str, list[dict]] = defaultdict(list)
    for record in data.roster.sort_values(["agent", "date", "start"], kind="stable").to_dict("records"):
        by_agent[str(record["agent"])].append(record)
    return {ics_name(agent): agent_calendar(data, agent, rows, tz, timezone) for agent, rows in by_agent.items()}


def agent_calendar(data: PlanData, agent: str, rows: list[dict], zone: ZoneInfo, timezone: Timezone) -> bytes:
    """One agent's calendar from its roster rows (in date and start order)."""
    centre = data.centre
    person = next((a for a in centre.agents if a.id == agent), None)
    name = person.name if person is not None else agent
    calendar = Calendar()
    calendar.add("prodid", "-//staffing//peak-period plan//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{name} ({agent}): {centre.name}")
    calendar.add("x-wr-timezone", zone.key)
    calendar.add_component(timezone)
    numbers: dict[tuple, int] = defaultdict(int)
    for row in rows:
        key = (row["date"], row["activity"])
        numbers[key] += 1
        same_day = [r for r in rows if r["date"] == row["date"]]
        calendar.add_component(_event(data, row, numbers[key], zone, same_day))
    return calendar.to_ical()


def _event(data: PlanData, row: dict, number: int, zone: ZoneInfo, same_day: list[dict]) -> Event:
    activity, day = str(row["activity"]), row["date"]
    event = Event()
    event.add("uid", event_uid(data.centre, str(row["agent"]), day, activity, number))
    event.add("dtstamp", data.roster_modified)
    event.add("last-modified", data.roster_modified)
    if activity in TIMED:
        event.add("dtstart", row["start"].to_pydatetime().replace(tzinfo=zone))
        event.add("dtend", row["end"].to_pydatetime().replace(tzinfo=zone))
    else:
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT" if activity == "rest" else "OPAQUE")
    event.add("summary", _summary(data, row))
    event.add("categories", [activity])
    if activity == "shift":
        event.add("description", _shift_description(data, row, same_day))
    return event


def _summary(data: PlanData, row: dict) -> str:
    activity, code = str(row["activity"]), str(row["code"])
    if activity == "shift":
        template = data.centre.shifts.get(code)
        name = f" {template.name}" if template is not None else ""
        return f"Shift {code}{name} {row['start']:%H:%M}-{row['end']:%H:%M}"
    if activity == "leave":
        return f"Leave ({code})"
    if activity == "rest":
        return "Rest day"
    return activity.capitalize()


def _shift_description(data: PlanData, row: dict, same_day: list[dict]) -> str:
    line = data.centre.lines.get(str(row["line"]))
    team = data.centre.teams.get(str(row["team"]))
    parts = [f"Line: {line.name if line else row['line']} ({row['line']})",
             f"Team: {team.name if team else row['team']} ({row['team']})"]
    for kind in ("meal", "break", "meeting"):
        times = [f"{r['start']:%H:%M}-{r['end']:%H:%M}" for r in same_day if r["activity"] == kind]
        if times:
            parts.append(f"{kind.capitalize()}: {', '.join(times)}")
    return "\n".join(parts)
