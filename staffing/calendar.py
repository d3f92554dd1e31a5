"""The time model: the Chinese statutory calendar, working-day arithmetic, line hours per
service day and the planning slot grid.

Pure functions over the frozen domain objects. A *service day* is the date on which a line's
window opened: the 818 day's ``07:00-02:00`` puts 2026-08-19T01:30 on service day
2026-08-18 (DOMAIN section 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property
from importlib.metadata import version

import chinese_calendar
import numpy as np
import pandas as pd

from staffing.domain import (
    MINUTES_PER_DAY,
    CalendarOverride,
    Centre,
    DayHours,
    Line,
    LineHours,
)
from staffing.errors import CalendarError

_PACKAGE_HOLIDAYS: dict[dt.date, str] = dict(chinese_calendar.holidays)
_PACKAGE_WORKDAYS: dict[dt.date, str] = dict(chinese_calendar.workdays)
PACKAGE_YEARS: tuple[int, int] = (
    min(d.year for d in _PACKAGE_HOLIDAYS),
    max(d.year for d in _PACKAGE_HOLIDAYS),
)


class WorkCalendar:
    """China's statutory calendar: public holidays, make-up working days (调休) and the rest.

    Dates come from the maintained ``chinesecalendar`` package (State Council notices,
    ``PACKAGE_YEARS``). The centre's ``calendar.csv`` overrides single dates, and for a year
    the package does not know it must describe the whole year (the year listed in
    ``calendar.override_years``); any other date in an unknown year raises
    :class:`CalendarError` rather than guessing.
    """

    def __init__(
        self,
        overrides: Iterable[CalendarOverride] = (),
        override_years: Iterable[int] = (),
    ) -> None:
        self._overrides = {o.date: o for o in overrides}
        self._override_years = frozenset(override_years)

    def _known(self, day: dt.date) -> None:
        low, high = PACKAGE_YEARS
        if low <= day.year <= high or day.year in self._override_years:
            return
        raise CalendarError(
            f"no Chinese holiday calendar for {day.year}: chinesecalendar "
            f"{version('chinesecalendar')} knows {low}-{high}; list {day.year}'s public holidays "
            f"and make-up working days in calendar.csv and add {day.year} to "
            "calendar.override_years in centre.toml (or upgrade chinesecalendar)"
        )

    def is_holiday(self, day: dt.date) -> bool:
        """A statutory public holiday or a day off of a holiday block (not a plain weekend)."""
        self._known(day)
        if day in self._overrides:
            return self._overrides[day].kind == "holiday"
        return day.year not in self._override_years and day in _PACKAGE_HOLIDAYS

    def is_makeup_workday(self, day: dt.date) -> bool:
        """A weekend day declared a working day to make up for a holiday block (调休上班)."""
        self._known(day)
        if day in self._overrides:
            return self._overrides[day].kind == "workday" and day.weekday() >= 5
        return day.year not in self._override_years and day in _PACKAGE_WORKDAYS

    def is_working_day(self, day: dt.date) -> bool:
        """Working day in the statutory sense: Mon-Fri unless a holiday, plus make-up days."""
        self._known(day)
        if day in self._overrides:
            return self._overrides[day].kind == "workday"
        if self.is_holiday(day):
            return False
        return day.weekday() < 5 or self.is_makeup_workday(day)

    def holiday_name(self, day: dt.date) -> str:
        """The holiday's name for a holiday or make-up day, else ``""``."""
        self._known(day)
        if day in self._overrides:
            return self._overrides[day].name
        if day.year in self._override_years:
            return ""
        return _PACKAGE_HOLIDAYS.get(day) or _PACKAGE_WORKDAYS.get(day) or ""

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``day`` (before it when negative).

        ``add_working_days(d, 0)`` is ``d`` itself. Used for notice periods: leave starting on
        ``L`` needs the request by ``add_working_days(L, -notice)``.
        """
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        current = day
        while remaining:
            current += dt.timedelta(days=step)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days ``d`` with ``start < d <= end``; when ``end < start``, minus the working
        days ``d`` with ``end <= d < start`` (so it inverts :meth:`add_working_days`)."""
        if end < start:
            return -sum(self.is_working_day(end + dt.timedelta(days=i)) for i in range((start - end).days))
        return sum(
            self.is_working_day(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1)
        )

    def notice_met(self, submitted: dt.date, first_day: dt.date, notice_working_days: int) -> bool:
        """Whether a request submitted on ``submitted`` for ``first_day`` gives enough notice.

        "At least N working days ahead" reads as: submitted no later than the N-th working
        day before the first day off. One working day ahead of a Monday is the Friday before
        (or a make-up Saturday, if there is one).
        """
        return submitted <= self.add_working_days(first_day, -notice_working_days)


def centre_calendar(centre: Centre) -> WorkCalendar:
    """The work calendar of a centre (package dates plus its ``calendar.csv``)."""
    return WorkCalendar(centre.calendar_overrides, centre.calendar_override_years)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months, clamped to the month's end (Jan 31 + 1 = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def day_hours(hours: LineHours, day: dt.date, calendar: WorkCalendar) -> DayHours:
    """The hours a line keeps on service day ``day``.

    Precedence: a dated override, then the holiday rule on public holidays, then the make-up
    working day rule on 调休 working weekends, then the weekly pattern. The calendar is only
    consulted when a holiday or make-up rule exists.
    """
    for override in hours.overrides:
        if override.covers(day):
            return override.hours
    if hours.on_holiday is not None and calendar.is_holiday(day):
        return hours.on_holiday
    if hours.on_makeup_workday is not None and calendar.is_makeup_workday(day):
        return hours.on_makeup_workday
    return hours.weekly[day.weekday()]


def service_windows(line: Line, day: dt.date, calendar: WorkCalendar) -> list[tuple[dt.datetime, dt.datetime]]:
    """The line's open periods of service day ``day`` as local datetimes ``[start, end)``."""
    midnight = dt.datetime.combine(day, dt.time())
    return [
        (midnight + dt.timedelta(minutes=w.start_min), midnight + dt.timedelta(minutes=w.end_min))
        for w in day_hours(line.hours, day, calendar).windows
    ]


def check_no_overlap(line: Line, day: dt.date, calendar: WorkCalendar) -> None:
    """Raise ``ValueError`` when ``day``'s hours run into the next service day's first window."""
    today = day_hours(line.hours, day, calendar)
    tomorrow = day_hours(line.hours, day + dt.timedelta(days=1), calendar)
    if today.windows and tomorrow.windows and today.end_min > MINUTES_PER_DAY + tomorrow.windows[0].start_min:
        raise ValueError(
            f"line {line.id}: {day} open {today} runs past {day + dt.timedelta(days=1)}'s opening "
            f"({tomorrow}); a service day's window must close before the next one opens"
        )


def service_day_of(line: Line, instant: dt.datetime, calendar: WorkCalendar) -> dt.date | None:
    """The service day whose open window holds ``instant``, or ``None`` when the line is closed.

    The previous date is tried first, since its window may cross midnight.
    """
    for day in (instant.date() - dt.timedelta(days=1), instant.date()):
        for start, end in service_windows(line, day, calendar):
            if start <= instant < end:
                return day
    return None


def open_mask(line: Line, day: dt.date, calendar: WorkCalendar, slot_min: int, slots: int) -> np.ndarray:
    """Which of the ``slots`` slots from ``day``'s midnight (the axis runs past midnight) the
    line is open in; a slot the hours only partly cover counts as open."""
    mask = np.zeros(slots, dtype=bool)
    for window in day_hours(line.hours, day, calendar).windows:
        mask[window.start_min // slot_min: -(-window.end_min // slot_min)] = True
    return mask


def slot_starts(line: Line, day: dt.date, calendar: WorkCalendar, slot_min: int) -> pd.DatetimeIndex:
    """Starts of the planning slots of ``line`` on service day ``day`` (open slots only)."""
    starts: list[np.ndarray] = []
    for start, end in service_windows(line, day, calendar):
        starts.append(np.arange(np.datetime64(start, "m"), np.datetime64(end, "m"), np.timedelta64(slot_min, "m")))
    if not starts:
        return pd.DatetimeIndex([], dtype="datetime64[ns]")
    return pd.DatetimeIndex(np.concatenate(starts).astype("datetime64[ns]"))


def date_range(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every date from ``start`` to ``end`` inclusive."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


class SlotGrid:
    """The planning grid of one line over a date range: every open slot of every service day.

    Attributes are numpy arrays of equal length, one entry per slot, in time order:
    ``start`` (datetime64[m]), ``service_day`` (datetime64[D]) and ``index`` helpers to map a
    datetime to its slot.
    """

    def __init__(self, line: Line, days: Iterable[dt.date], calendar: WorkCalendar, slot_min: int) -> None:
        self.line = line
        self.slot_min = slot_min
        starts, service_days = [], []
        for day in days:
            day_slots = slot_starts(line, day, calendar, slot_min).to_numpy().astype("datetime64[m]")
            starts.append(day_slots)
            service_days.append(np.full(len(day_slots), np.datetime64(day, "D")))
        self.start = np.concatenate(starts) if starts else np.array([], dtype="datetime64[m]")
        self.service_day = np.concatenate(service_days) if service_days else np.array([], dtype="datetime64[D]")

    def __len__(self) -> int:
        return len(self.start)

    @cached_property
    def end(self) -> np.ndarray:
        return self.start + np.timedelta64(self.slot_min, "m")

    def locate(self, instants: np.ndarray) -> np.ndarray:
        """Slot index of each instant (``-1`` where the line is closed)."""
        instants = np.asarray(instants, dtype="datetime64[m]")
        position = np.searchsorted(self.start, instants, side="right") - 1
        if not len(self):
            return np.full(len(instants), -1)
        inside = (position >= 0) & (instants < self.end[np.clip(position, 0, None)])
        return np.where(inside, position, -1)
