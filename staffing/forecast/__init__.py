"""Hourly contact forecasts with calibrated bands, peaks by the ratio method.

``forecast(centre, start, end)`` returns the CONTRACT table
``line,start,end,contacts,low,high`` for every line and every open hour of the service days
``start``..``end`` (any range after the history), with the peak reports and warnings a
supervisor needs to judge it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffing.calendar import WorkCalendar, centre_calendar
from staffing.domain import Centre, Event, Line
from staffing.errors import InputError, StaffingError
from staffing.forecast.bands import Band, backtest_band
from staffing.forecast.days import DayTable, empty_table, history_table
from staffing.forecast.models import LevelWeeklyIntraday
from staffing.forecast.peaks import PeakReport, forecast_peak, learn_past_peak, window_mask

log = logging.getLogger("staffing")

MIN_ORDINARY_DAYS = 28
FORECAST_COLUMNS = ["line", "start", "end", "contacts", "low", "high"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LineForecast:
    """One line's forecast over its future days (from the day after the history)."""

    line: str
    future: DayTable
    contacts: np.ndarray
    low: np.ndarray
    high: np.ndarray
    band: Band
    peaks: tuple[PeakReport, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ForecastResult:
    """The forecast table (CONTRACT ``forecast.csv``) with what stands behind it."""

    frame: pd.DataFrame = field(repr=False)
    level: int
    lines: tuple[LineForecast, ...]

    @property
    def peaks(self) -> tuple[PeakReport, ...]:
        return tuple(p for line in self.lines for p in line.peaks)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(f"{line.line}: {w}" for line in self.lines for w in line.warnings)

    def describe(self) -> str:
        """Per line: hours, contacts and the summed band; then each peak window's report."""
        out = []
        for line in self.lines:
            rows = self.frame[self.frame["line"] == line.line]
            out.append(f"{line.line}: {len(rows)} hours, {rows['contacts'].sum():,.0f} contacts "
                       f"({rows['low'].sum():,.0f}-{rows['high'].sum():,.0f} summed {self.level}% band; "
                       f"band calibrated on {line.band.samples} backtest hours)")
        out.extend(report.describe() for report in self.peaks)
        return "\n".join(out)


def forecast(centre: Centre, start: dt.date, end: dt.date, *, level: int = 80,
             history_end: dt.date | None = None) -> ForecastResult:
    """Forecast every line hourly for service days ``start``..``end``.

    Parameters
    ----------
    level : the prediction interval in percent (80 = the 10%-90% band).
    history_end : use only history up to this date (backtests); default: all of it.
    """
    if end < start:
        raise StaffingError(f"--end {end} is before --start {start}", exit_code=2)
    if not 50 <= level <= 99:
        raise StaffingError(f"--level {level} must be between 50 and 99", exit_code=2)
    if centre.history.empty:
        raise InputError(centre.folder / "history.csv", None, None, "no history: the forecast needs history.csv")
    calendar = centre_calendar(centre)
    lines = tuple(_forecast_line(centre, line, calendar, start, end, level, history_end)
                  for line in centre.lines.values())
    frame = pd.concat([_rows(lf, start, end) for lf in lines], ignore_index=True)
    return ForecastResult(frame=frame, level=level, lines=lines)


def _forecast_line(centre: Centre, line: Line, calendar: WorkCalendar, start: dt.date, end: dt.date,
                   level: int, history_end: dt.date | None) -> LineForecast:
    table = history_table(centre.history, line, calendar)
    if history_end is not None:
        table = table.slice(table.dates[0], history_end)
    last = table.dates[-1]
    if start <= last:
        raise StaffingError(f"--start {start} is inside the history (it ends {last}); a forecast starts after it",
                            exit_code=2)
    warnings: list[str] = []
    past_events = tuple(e for e in centre.events if e.end <= last)
    exclude = window_mask(table, past_events)
    silent = table.open.any(axis=1) & (table.totals == 0) & ~exclude
    if silent.any():
        days = [d for d, s in zip(table.dates, silent) if s]
        warnings.append(f"{len(days)} open day(s) with no contacts at all ({days[0]}..{days[-1]}) treated as "
                        "missing data, not as quiet days")
        exclude = exclude | silent
    ordinary = (~exclude) & table.open.any(axis=1)
    if ordinary.sum() < MIN_ORDINARY_DAYS:
        raise InputError(centre.folder / "history.csv", None, "contacts",
                         f"line {line.id}: {ordinary.sum()} ordinary open days of history; at least "
                         f"{MIN_ORDINARY_DAYS} are needed to fit a forecast")
    model = LevelWeeklyIntraday().fit(table, exclude)
    future = empty_table(line, last + dt.timedelta(days=1), end, calendar)
    contacts = model.predict(future)
    spread = np.zeros(len(future))
    past = [p for e in past_events if (p := learn_past_peak(table, e, exclude, LevelWeeklyIntraday)) is not None]
    reports = []
    for event in _coming(centre.events, last, end):
        window = empty_table(line, event.start, event.end, calendar)
        hourly, event_spread, report = forecast_peak(event, line.id, past, window, model)
        reports.append(report)
        warnings += [f"{event.name}: {w}" for w in report.warnings]
        for row, day in enumerate(window.dates):
            if day > last and day <= end:
                contacts[future.position(day)] = hourly[row]
                spread[future.position(day)] = event_spread[row]
    band, horizon_bands = backtest_band(table, exclude, level, LevelWeeklyIntraday)
    low = np.zeros_like(contacts)
    high = np.zeros_like(contacts)
    for row in range(len(future)):
        row_band = horizon_bands.get(min(row // 7, 3), band)
        low[row], high[row] = row_band.apply(contacts[row], spread[row])
    for report in reports:
        log.info("%s", report.describe())
    return LineForecast(line=line.id, future=future, contacts=contacts, low=low, high=high, band=band,
                        peaks=tuple(reports), warnings=tuple(warnings))


def _coming(events: tuple[Event, ...], last: dt.date, end: dt.date) -> list[Event]:
    return [e for e in events if e.end > last and e.start <= end]


def _rows(line_forecast: LineForecast, start: dt.date, end: dt.date) -> pd.DataFrame:
    future = line_forecast.future
    lo, hi = future.position(start), future.position(end)
    days, hours = np.nonzero(future.open[lo: hi + 1])
    days = days + lo
    midnight = np.array([np.datetime64(future.dates[d], "m") for d in days], dtype="datetime64[m]")
    starts = midnight + (hours * 60).astype("timedelta64[m]")
    return pd.DataFrame({
        "line": line_forecast.line,
        "start": pd.DatetimeIndex(starts.astype("datetime64[ns]")),
        "end": pd.DatetimeIndex((starts + np.timedelta64(60, "m")).astype("datetime64[ns]")),
        "contacts": np.round(line_forecast.contacts[days, hours], 2),
        "low": np.round(line_forecast.low[days, hours], 2),
        "high": np.round(line_forecast.high[days, hours], 2),
    }, columns=FORECAST_COLUMNS)


__all__ = ["FORECAST_COLUMNS", "ForecastResult", "LineForecast", "forecast"]
