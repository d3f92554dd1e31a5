"""staffing: workforce management for Chinese customer-service centres.

The public API: load a centre folder, ask its calendar, summarise it.
"""

from staffing.calendar import WorkCalendar, centre_calendar, service_day_of, service_windows, slot_starts
from staffing.centre import load_centre
from staffing.domain import Agent, Centre, Event, Line, Rules, ShiftTemplate, Team
from staffing.errors import CalendarError, InputError, StaffingError
from staffing.summary import summarise

__all__ = [
    "Agent",
    "CalendarError",
    "Centre",
    "Event",
    "InputError",
    "Line",
    "Rules",
    "ShiftTemplate",
    "StaffingError",
    "Team",
    "WorkCalendar",
    "centre_calendar",
    "load_centre",
    "service_day_of",
    "service_windows",
    "slot_starts",
    "summarise",
]
