"""staffing: workforce management for Chinese customer-service centres.

The public API: load a centre folder, ask its calendar, summarise it.
"""

from staffing.calendar import WorkCalendar, centre_calendar, service_day_of, service_windows, slot_starts
from staffing.centre import load_centre
from staffing.domain import Agent, Centre, Event, Line, Rules, ShiftTemplate, Team
from staffing.errors import CalendarError, InputError, StaffingError
from staffing.forecast import FORECAST_COLUMNS, ForecastResult, forecast
from staffing.summary import summarise

__all__ = [
    "FORECAST_COLUMNS",
    "Agent",
    "CalendarError",
    "Centre",
    "Event",
    "ForecastResult",
    "InputError",
    "Line",
    "Rules",
    "ShiftTemplate",
    "StaffingError",
    "Team",
    "WorkCalendar",
    "centre_calendar",
    "forecast",
    "load_centre",
    "service_day_of",
    "service_windows",
    "slot_starts",
    "summarise",
    "write_forecast",
]


def write_forecast(result: ForecastResult, path) -> None:
    """Write ``forecast.csv`` (CONTRACT columns) atomically."""
    from staffing.frames import write_table

    write_table(result.frame, path, FORECAST_COLUMNS)
