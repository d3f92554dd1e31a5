"""Hourly contacts arranged by service day: the table every forecast model works on.

A :class:`DayTable` has one row per service day and one column per hour *offset* from that
day's midnight (0..47), so the 818 day's 00:00-02:00 hours after midnight sit in columns 24
and 25 of 18 August, where they belong (DOMAIN section 1). ``open`` marks the hours the line
was (or will be) open; ``kind`` labels each day for the models: a weekday name, ``holiday``
or ``makeup`` (调休 working weekend).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from staffing.calendar import WorkCalendar, date_range, day_hours
from staffing.domain import WEEKDAYS, Line

HOURS = 48  # offsets 0..47: a window may open late and run past midnight


@dataclass(frozen=True, slots=True, kw_only=True)
class DayTable:
    """Contacts by service day (rows) and hour offset (columns).

    Attributes
    ----------
    dates : tuple of datetime.date, in order, consecutive
    kind : numpy array of str, one per day ('mon'..'sun', 'holiday', 'makeup')
    holiday : numpy array of str, the holiday's name ('' on other days)
    open : bool array (days, 48), hours the line is open (partly open hours count)
    counts : float array (days, 48), contacts (0 where closed; NaN for future days)
    """

    dates: tuple[dt.date, ...]
    kind: np.ndarray
    holiday: np.ndarray
    open: np.ndarray
    counts: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.dates)
        if not (self.kind.shape == self.holiday.shape == (n,) and self.open.shape == self.counts.shape == (n, HOURS)):
            raise ValueError("DayTable arrays disagree on the number of days")

    def __len__(self) -> int:
        return len(self.dates)

    @property
    def totals(self) -> np.ndarray:
        return np.where(self.open, np.nan_to_num(self.counts), 0.0).sum(axis=1)

    def position(self, day: dt.date) -> int:
        return (day - self.dates[0]).days

    def slice(self, start: dt.date, end: dt.date) -> DayTable:
        """Days ``start``..``end`` inclusive (clipped to the table)."""
        lo, hi = max(self.position(start), 0), min(self.position(end) + 1, len(self))
        return DayTable(dates=self.dates[lo:hi], kind=self.kind[lo:hi], holiday=self.holiday[lo:hi],
                        open=self.open[lo:hi], counts=self.counts[lo:hi])


def day_kind(day: dt.date, calendar: WorkCalendar | None) -> tuple[str, str]:
    """The model's label for a day and the holiday's name."""
    if calendar is not None:
        if calendar.is_holiday(day):
            return "holiday", calendar.holiday_name(day) or "holiday"
        if calendar.is_makeup_workday(day):
            return "makeup", ""
    return WEEKDAYS[day.weekday()], ""


def open_hours(line: Line, days: list[dt.date], calendar: WorkCalendar) -> np.ndarray:
    """Bool (days, 48): hour offsets during which the line is open on each service day."""
    mask = np.zeros((len(days), HOURS), dtype=bool)
    for row, day in enumerate(days):
        for window in day_hours(line.hours, day, calendar).windows:
            first = window.start_min // 60
            last = -(-window.end_min // 60)  # partly open hours count
            mask[row, first:last] = True
    return mask


def empty_table(line: Line, start: dt.date, end: dt.date, calendar: WorkCalendar) -> DayTable:
    """A table of future days: open hours and kinds, counts unknown (NaN)."""
    days = date_range(start, end)
    kinds = [day_kind(d, calendar) for d in days]
    return DayTable(dates=tuple(days), kind=np.array([k for k, _ in kinds]), holiday=np.array([h for _, h in kinds]),
                    open=open_hours(line, days, calendar), counts=np.full((len(days), HOURS), np.nan))


def history_table(history: pd.DataFrame, line: Line, calendar: WorkCalendar) -> DayTable:
    """The line's history (``line,start,contacts`` rows, any interval up to an hour) by service day.

    An hour after midnight belongs to the previous service day when that day's window was
    still open then; every other hour to its own date.
    """
    rows = history[history["line"] == line.id]
    if rows.empty:
        raise ValueError(f"no history for line {line.id}")
    starts = rows["start"].to_numpy().astype("datetime64[m]")
    hour_start = starts.astype("datetime64[h]")
    first = pd.Timestamp(starts.min()).date()
    last = pd.Timestamp(starts.max()).date()
    days = date_range(first - dt.timedelta(days=1), last)
    open_mask = open_hours(line, days, calendar)
    date_of = hour_start.astype("datetime64[D]")
    offset = (hour_start - date_of.astype("datetime64[h]")).astype(int)
    day_index = (date_of - np.datetime64(days[0], "D")).astype(int)
    previous_open = open_mask[np.clip(day_index - 1, 0, None), np.clip(offset + 24, 0, HOURS - 1)]
    belongs_to_previous = (offset < 24) & previous_open & (day_index >= 1)
    row_index = np.where(belongs_to_previous, day_index - 1, day_index)
    column = np.where(belongs_to_previous, offset + 24, offset)
    counts = np.zeros((len(days), HOURS))
    np.add.at(counts, (row_index, column), rows["contacts"].to_numpy(dtype=float))
    kinds = [day_kind(d, calendar) for d in days]
    table = DayTable(dates=tuple(days), kind=np.array([k for k, _ in kinds]),
                     holiday=np.array([h for _, h in kinds]), open=open_mask, counts=counts)
    return table.slice(first, last)
