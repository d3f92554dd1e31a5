"""Leave requests judged against notice, the one-away rule and coverage, kept in a ledger.

``request_leave`` judges one request and records it in ``CENTRE/leave.db`` (SQLite, see
``ledger.py``, the only code that touches it); ``judge.py`` holds the pure rules and
``repair.py`` the CP-SAT search for the smallest repair. ``approved_leave``,
``approved_absences`` and ``approved_departures`` give the roster engine what was approved.
"""

from staffing.leave.decide import (
    Absence,
    Decision,
    approved_absences,
    approved_departures,
    approved_leave,
    cancel_request,
    list_requests,
    request_leave,
)
from staffing.leave.ledger import SCHEMA_VERSION, LeaveLedger, LedgerBusyError, LedgerEntry
from staffing.leave.reasons import Change, Reason
from staffing.leave.request import LeaveRequest, RequestError, parse_request

__all__ = [
    "SCHEMA_VERSION",
    "Absence",
    "Change",
    "Decision",
    "LeaveLedger",
    "LeaveRequest",
    "LedgerBusyError",
    "LedgerEntry",
    "Reason",
    "RequestError",
    "approved_absences",
    "approved_departures",
    "approved_leave",
    "cancel_request",
    "list_requests",
    "parse_request",
    "request_leave",
]
