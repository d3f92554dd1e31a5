"""staffing: workforce management for Chinese customer-service centres.

The public API: load a centre folder, ask its calendar, summarise it.
"""

from staffing.calendar import WorkCalendar, centre_calendar, service_day_of, service_windows, slot_starts
from staffing.centre import load_centre
from staffing.domain import Agent, Centre, Event, Line, Rules, ShiftTemplate, Team
from staffing.errors import CalendarError, InputError, StaffingError
from staffing.forecast import FORECAST_COLUMNS, ForecastResult, forecast
from staffing.requirements import REQUIREMENTS_COLUMNS, RequirementsResult, requirements
from staffing.roster import ROSTER_COLUMNS, InfeasibleError, Leave, NoRosterFoundError, RosterResult, roster
from staffing.summary import summarise

__all__ = [
    "FORECAST_COLUMNS",
    "REQUIREMENTS_COLUMNS",
    "ROSTER_COLUMNS",
    "Agent",
    "CalendarError",
    "Centre",
    "Event",
    "ForecastResult",
    "InfeasibleError",
    "InputError",
    "Leave",
    "Line",
    "NoRosterFoundError",
    "RequirementsResult",
    "RosterResult",
    "Rules",
    "ShiftTemplate",
    "StaffingError",
    "Team",
    "WorkCalendar",
    "centre_calendar",
    "forecast",
    "load_centre",
    "read_forecast",
    "read_requirements",
    "read_roster",
    "requirements",
    "roster",
    "service_day_of",
    "service_windows",
    "slot_starts",
    "summarise",
    "write_forecast",
    "write_requirements",
    "write_roster",
]


def read_forecast(path, centre: Centre):
    """Read a ``forecast.csv`` for ``centre`` (row-by-row checks; exit 2 on bad input)."""
    from pathlib import Path

    from staffing.frames import read_forecast as _read

    return _read(Path(path), centre.lines)


def read_requirements(path, centre: Centre):
    """Read a ``requirements.csv`` for ``centre`` (row-by-row checks; exit 2 on bad input)."""
    from pathlib import Path

    from staffing.frames import read_requirements as _read

    return _read(Path(path), centre.lines)


def read_roster(path, centre: Centre):
    """Read a ``roster.csv`` for ``centre`` (solver-made or hand-edited; exit 2 on bad input)."""
    from pathlib import Path

    from staffing.frames import read_roster as _read

    return _read(Path(path), centre)


def write_roster(result: RosterResult, path) -> None:
    """Write ``roster.csv`` (CONTRACT columns) atomically."""
    from staffing.frames import write_table

    write_table(result.frame, path, ROSTER_COLUMNS)


def write_requirements(result: RequirementsResult, path) -> None:
    """Write ``requirements.csv`` (CONTRACT columns first, then the evidence) atomically."""
    from staffing.frames import write_table

    write_table(result.frame, path, REQUIREMENTS_COLUMNS)


def write_forecast(result: ForecastResult, path) -> None:
    """Write ``forecast.csv`` (CONTRACT columns) atomically."""
    from staffing.frames import write_table

    write_table(result.frame, path, FORECAST_COLUMNS)
