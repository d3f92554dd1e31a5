"""A leave request: who is away, from when to when, of what type, asked when.

Three kinds, told apart by what the user writes:

- ``full_day``: ``--start``/``--end`` are dates; every service day from start to end
  (both included) is off. One day or many.
- ``part_day``: ``--start``/``--end`` are local date-times (``2026-08-12T14:00``); the agent
  is away ``[start, end)`` inside the shift (a meeting, a doctor's visit). It belongs to the
  service day of its start (the day whose line window holds it; DOMAIN section 1).
- ``resignation``: ``--type resignation`` (or 离职); ``--start`` is the first day the agent
  no longer works, and every day from then on is off.

:func:`parse_request` turns the command line's text into a :class:`LeaveRequest`; anything
malformed raises :class:`RequestError` (exit 2) with one line naming the option.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Literal

from staffing.calendar import centre_calendar, date_range, service_day_of
from staffing.domain import Agent, Centre
from staffing.errors import StaffingError

Kind = Literal["full_day", "part_day", "resignation"]
RESIGNATION_TYPES = ("resignation", "离职")
TYPE_PATTERN = re.compile(r"[\w\-]{1,40}")
MAX_PART_DAY = dt.timedelta(hours=24)


class RequestError(StaffingError):
    """A request the product cannot read (unknown agent, end before start, malformed time): exit 2."""

    exit_code = 2

    def __init__(self, option: str, reason: str) -> None:
        self.option = option
        self.reason = reason
        super().__init__(f"{option}: {reason}")


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaveRequest:
    """One request for time off, validated against the centre.

    ``start``/``end`` are local date-times, half-open: a full-day request runs from the first
    day's midnight to the midnight after the last day; a resignation from the leaving day's
    midnight, with ``end`` one day later (it has no last day). ``service_day`` is the first
    service day affected.
    """

    agent: str
    team: str
    line: str
    type: str
    kind: Kind
    start: dt.datetime
    end: dt.datetime
    submitted: dt.datetime
    service_day: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"request ends {self.end} before it starts {self.start}")

    @property
    def first_day(self) -> dt.date:
        return self.service_day

    @property
    def last_day(self) -> dt.date:
        """Last service day off (a resignation's is open-ended: its leaving day here)."""
        if self.kind == "full_day":
            return (self.end - dt.timedelta(days=1)).date()
        return self.service_day

    def days(self) -> list[dt.date]:
        """The service days the request takes the agent off (one for part-day and resignation)."""
        return date_range(self.first_day, self.last_day)

    def describe(self) -> str:
        """``E1012 (team O1) annual 2026-08-12..2026-08-13`` and the like."""
        if self.kind == "full_day":
            span = str(self.first_day) if self.first_day == self.last_day else f"{self.first_day}..{self.last_day}"
        elif self.kind == "part_day":
            span = f"{self.start:%Y-%m-%dT%H:%M}-{self.end:%H:%M}" + (
                f" (+{(self.end.date() - self.start.date()).days}d)" if self.end.date() != self.start.date() else "")
        else:
            span = f"leaving from {self.first_day}"
        return f"{self.agent} (team {self.team}) {self.type} {span}"


def parse_moment(option: str, text: str) -> dt.date | dt.datetime:
    """A date (``YYYY-MM-DD``) or a local date-time (``YYYY-MM-DDTHH:MM``), else :class:`RequestError`."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", text):
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            pass
    raise RequestError(option, f"{text!r} is not a date (YYYY-MM-DD) or a local date-time (YYYY-MM-DDTHH:MM)")


def find_agent(centre: Centre, ident: str) -> Agent:
    """The agent of agents.csv with this id, else :class:`RequestError` with the nearest id."""
    agents = {agent.id: agent for agent in centre.agents}
    if ident in agents:
        return agents[ident]
    hint = difflib.get_close_matches(ident, agents, n=1)
    raise RequestError("--agent", f"{ident!r} is not in agents.csv" + (f" (did you mean {hint[0]!r}?)" if hint else ""))


def parse_request(centre: Centre, *, agent: str, start: str, end: str | None, leave_type: str,
                  submitted: str | None, now: dt.datetime) -> LeaveRequest:
    """A :class:`LeaveRequest` from the command line's text.

    Parameters
    ----------
    centre : the loaded centre folder.
    agent, start, end, leave_type, submitted : the options as typed; ``end`` defaults to ``start``
        (one day), ``submitted`` to ``now``.
    now : the local time the request is made (``submitted``'s default).

    Raises
    ------
    RequestError
        Unknown agent, malformed date or time, end before start, a part-day absence longer
        than a day, a day the agent is not employed, an unreadable type.
    """
    who = find_agent(centre, agent.strip())
    kind_type = leave_type.strip()
    if not TYPE_PATTERN.fullmatch(kind_type):
        raise RequestError("--type", f"{leave_type!r}: use 1-40 letters, digits, '_' or '-' (e.g. annual, sick, 年假, "
                                     "meeting, resignation)")
    first = parse_moment("--start", start)
    last = parse_moment("--end", end) if end else first
    asked = parse_moment("--submitted", submitted) if submitted else now
    if not isinstance(asked, dt.datetime):
        asked = dt.datetime.combine(asked, dt.time())
    resignation = kind_type in RESIGNATION_TYPES
    if isinstance(first, dt.datetime) != isinstance(last, dt.datetime):
        raise RequestError("--end", "give dates for both --start and --end (whole days) or date-times for both "
                                    "(a part-day absence)")
    if resignation and isinstance(first, dt.datetime):
        raise RequestError("--start", "a resignation starts on a date (YYYY-MM-DD): the first day not worked")
    if isinstance(first, dt.datetime):
        request = _part_day(centre, who, kind_type, first, last, asked)
    else:
        if last < first:
            raise RequestError("--end", f"{last} is before --start {first}")
        kind: Kind = "resignation" if resignation else "full_day"
        begin = dt.datetime.combine(first, dt.time())
        finish = dt.datetime.combine((first if resignation else last) + dt.timedelta(days=1), dt.time())
        request = LeaveRequest(agent=who.id, team=who.team, line=who.line, type=kind_type, kind=kind, start=begin,
                               end=finish, submitted=asked, service_day=first)
    _check_employed(who, request)
    return request


def _part_day(centre: Centre, who: Agent, kind_type: str, start: dt.datetime, end: dt.datetime,
              asked: dt.datetime) -> LeaveRequest:
    if end <= start:
        raise RequestError("--end", f"{end:%Y-%m-%dT%H:%M} is not after --start {start:%Y-%m-%dT%H:%M}")
    if end - start > MAX_PART_DAY:
        raise RequestError("--end", "a part-day absence lasts at most 24 hours; give whole days as dates "
                                    "(YYYY-MM-DD)")
    line = centre.lines[who.line]
    day = service_day_of(line, start, centre_calendar(centre)) or start.date()
    return LeaveRequest(agent=who.id, team=who.team, line=who.line, type=kind_type, kind="part_day", start=start,
                        end=end, submitted=asked, service_day=day)


def _check_employed(who: Agent, request: LeaveRequest) -> None:
    for day in request.days():
        if not who.employed_on(day):
            raise RequestError("--start", f"{who.id} is not employed on {day} (agents.csv start_date "
                                          f"{who.start_date or '-'}, end_date {who.end_date or '-'})")
