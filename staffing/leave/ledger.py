"""The leave ledger ``CENTRE/leave.db`` (SQLite): every request and its decision, kept for good.

The only code in the product that touches SQLite. Design:

- One transaction per decision, opened with ``BEGIN IMMEDIATE`` *before* the approved leave
  it judges against is read: the write lock is taken first, so a second process deciding
  at the same time waits (busy timeout) and then judges against the first one's approval.
  Two requests can never both be approved against the same single slot of slack.
- Rollback journal (``journal_mode=DELETE``), ``synchronous=FULL``: a writer killed mid-write
  leaves a hot journal that the next connection rolls back, so the ledger is always the
  last committed state. Chosen over WAL because a centre folder is often on a shared or
  network drive, where WAL's shared-memory index does not work, and because the ledger
  stays one file to copy or mail; decisions are rare, so WAL's concurrent readers buy
  nothing here.
- Nothing is deleted: refused requests stay, cancelling marks a request (``status``,
  ``cancelled``, ``cancel_reason``).
- The schema is versioned with ``PRAGMA user_version`` (:data:`SCHEMA_VERSION`); a newer
  ledger is refused rather than misread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from staffing.errors import InputError, StaffingError
from staffing.leave.reasons import Change, Reason
from staffing.leave.request import LeaveRequest

SCHEMA_VERSION = 1
LEDGER_NAME = "leave.db"
BUSY_TIMEOUT_S = 300.0
Status = Literal["approved", "proposed", "refused", "cancelled"]
Outcome = Literal["approved", "approvable", "refused"]

SCHEMA = """
CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent TEXT NOT NULL,
    team TEXT NOT NULL,
    line TEXT NOT NULL,
    type TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('full_day', 'part_day', 'resignation')),
    start_at TEXT NOT NULL,
    end_at TEXT NOT NULL,
    service_day TEXT NOT NULL,
    submitted TEXT NOT NULL,
    recorded TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approved', 'approvable', 'refused')),
    status TEXT NOT NULL CHECK (status IN ('approved', 'proposed', 'refused', 'cancelled')),
    reasons TEXT NOT NULL,
    changes TEXT NOT NULL,
    roster_path TEXT,
    roster_sha256 TEXT,
    requirements_path TEXT,
    requirements_sha256 TEXT,
    written_path TEXT,
    written_sha256 TEXT,
    backup_path TEXT,
    cancelled TEXT,
    cancel_reason TEXT,
    CHECK (end_at > start_at)
);
CREATE INDEX requests_by_time ON requests (status, start_at, end_at);
CREATE INDEX requests_by_agent ON requests (agent, start_at);
"""

COLUMNS = ("id", "agent", "team", "line", "type", "kind", "start_at", "end_at", "service_day", "submitted",
           "recorded", "decision", "status", "reasons", "changes", "roster_path", "roster_sha256",
           "requirements_path", "requirements_sha256", "written_path", "written_sha256", "backup_path", "cancelled",
           "cancel_reason")


class LedgerBusyError(StaffingError):
    """Another decision held the ledger's write lock for longer than the busy timeout: exit 4."""

    exit_code = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class Judged:
    """The files a decision was judged against and wrote: paths and sha256 (``None`` if none)."""

    roster_path: str | None = None
    roster_sha256: str | None = None
    requirements_path: str | None = None
    requirements_sha256: str | None = None
    written_path: str | None = None
    written_sha256: str | None = None
    backup_path: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerEntry:
    """One row of the ledger: the request, the decision and what it was judged against."""

    id: int
    request: LeaveRequest
    decision: Outcome
    status: Status
    reasons: tuple[Reason, ...]
    changes: tuple[Change, ...]
    recorded: dt.datetime
    judged: Judged
    cancelled: dt.datetime | None = None
    cancel_reason: str = ""

    def describe(self) -> str:
        """One line: ``#3 approved E1012 (team O1) annual 2026-08-12 (submitted ..., judged against ...)``."""
        against = (f"roster {Path(self.judged.roster_path).name} sha256:{self.judged.roster_sha256[:12]}"
                   if self.judged.roster_path and self.judged.roster_sha256 else "the ledger only")
        text = (f"#{self.id} {self.status:<9} {self.request.describe()}; submitted "
                f"{self.request.submitted:%Y-%m-%dT%H:%M}; judged against {against}")
        if self.cancelled is not None:
            text += f"; cancelled {self.cancelled:%Y-%m-%dT%H:%M}" + (f" ({self.cancel_reason})"
                                                                     if self.cancel_reason else "")
        return text


def _stamp(value: dt.datetime) -> str:
    return value.isoformat(timespec="minutes")


def _seconds(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


class LeaveLedger:
    """The ledger file of a centre. Cheap to construct; every method opens its own connection.

    Parameters
    ----------
    path : the ``leave.db`` file (created, with its schema, by the first decision).
    busy_timeout_s : how long a decision waits for another one's write lock.
    """

    def __init__(self, path: str | Path, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s

    @classmethod
    def of_centre(cls, folder: str | Path, **kwargs) -> LeaveLedger:
        return cls(Path(folder) / LEDGER_NAME, **kwargs)

    # --- connections ------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        """A connection in autocommit mode (transactions are explicit), rollback journal, full sync.

        Readers connect the same way (only once the file exists, so reading never creates it):
        a read-only connection could not roll back the hot journal a killed writer leaves.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(str(self.path), timeout=self.busy_timeout_s, isolation_level=None)
            connection.execute("PRAGMA synchronous=FULL")
            mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise self._unreadable(error) from None
        if mode.lower() != "delete":
            connection.close()
            raise InputError(self.path, None, None, f"journal mode {mode!r} could not be set to 'delete'")
        return connection

    def _unreadable(self, error: sqlite3.Error) -> StaffingError:
        message = str(error)
        if "locked" in message or "busy" in message:
            return LedgerBusyError(f"{self.path.name}: another decision held the ledger for more than "
                                   f"{self.busy_timeout_s:g} s; try again")
        return InputError(self.path, None, None, f"not a readable SQLite leave ledger ({message})")

    def _check_schema(self, connection: sqlite3.Connection, *, create: bool) -> bool:
        """Whether the schema is there (creating it when ``create``); refuses foreign or newer files."""
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return True
        if version > SCHEMA_VERSION:
            raise InputError(self.path, None, None, f"schema version {version} is newer than this staffing knows "
                                                    f"({SCHEMA_VERSION}); upgrade staffing")
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        if tables:
            raise InputError(self.path, None, None, f"not a staffing leave ledger (tables: {', '.join(tables)})")
        if not create:
            return False
        for statement in SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return True

    # --- writing ----------------------------------------------------------------------

    @contextlib.contextmanager
    def decision(self) -> Iterator[LedgerTransaction]:
        """One decision's transaction: ``BEGIN IMMEDIATE`` (the write lock) on entry, commit on
        a clean exit (unless committed already), rollback on any exception."""
        connection = self._connect()
        try:
            try:
                connection.execute("BEGIN IMMEDIATE")
                self._check_schema(connection, create=True)
            except sqlite3.DatabaseError as error:
                raise self._unreadable(error) from None
            transaction = LedgerTransaction(connection)
            try:
                yield transaction
                if connection.in_transaction:
                    connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        finally:
            connection.close()

    def cancel(self, request_id: int, *, at: dt.datetime, reason: str = "") -> LedgerEntry:
        """Mark an approved or proposed request cancelled (it stays in the ledger).

        Raises
        ------
        InputError
            No such request, or one that is refused or already cancelled.
        """
        if not self.path.exists():
            raise InputError(self.path, None, "id", f"no request #{request_id} (no ledger yet)")
        with self.decision() as transaction:
            entry = transaction.entry(request_id)
            if entry is None:
                raise InputError(self.path, None, "id", f"no request #{request_id}")
            if entry.status not in ("approved", "proposed"):
                raise InputError(self.path, None, "id", f"request #{request_id} is {entry.status}; only approved or "
                                                        "proposed requests can be cancelled")
            transaction.connection.execute(
                "UPDATE requests SET status = 'cancelled', cancelled = ?, cancel_reason = ? WHERE id = ?",
                (_seconds(at), reason, request_id))
            return transaction.entry(request_id)

    # --- reading ----------------------------------------------------------------------

    def entries(self, *, agent: str | None = None, status: str | None = None, start: dt.datetime | None = None,
                end: dt.datetime | None = None) -> tuple[LedgerEntry, ...]:
        """Requests in id order, filtered by agent, status and overlap with ``[start, end)``;
        empty when the ledger does not exist yet (reading never creates it)."""
        if not self.path.exists():
            return ()
        connection = self._connect()
        try:
            if not self._check_schema(connection, create=False):
                return ()
            where, params = _filters(agent=agent, status=status, start=start, end=end)
            rows = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM requests {where} ORDER BY id",
                                      params).fetchall()
        except sqlite3.DatabaseError as error:
            raise self._unreadable(error) from None
        finally:
            connection.close()
        return tuple(_entry(row) for row in rows)

    def integrity(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` (``"ok"`` for a sound file)."""
        connection = self._connect()
        try:
            return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        finally:
            connection.close()


class LedgerTransaction:
    """What a decision may do inside its transaction: read, record, commit."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def entry(self, request_id: int) -> LedgerEntry | None:
        row = self.connection.execute(f"SELECT {', '.join(COLUMNS)} FROM requests WHERE id = ?",
                                      (request_id,)).fetchone()
        return _entry(row) if row else None

    def approved(self, *, start: dt.datetime, end: dt.datetime, team: str | None = None,
                 agent: str | None = None) -> tuple[LedgerEntry, ...]:
        """Approved requests overlapping ``[start, end)`` (a resignation overlaps every time
        after its leaving day), of a team and/or an agent."""
        where, params = _filters(status="approved", start=start, end=end, team=team, agent=agent)
        rows = self.connection.execute(f"SELECT {', '.join(COLUMNS)} FROM requests {where} ORDER BY id",
                                       params).fetchall()
        return tuple(_entry(row) for row in rows)

    def record(self, *, request: LeaveRequest, decision: Outcome, status: Status, reasons: tuple[Reason, ...],
               changes: tuple[Change, ...], judged: Judged, recorded: dt.datetime) -> int:
        """Insert one request with its decision; returns its id (not visible to others until commit)."""
        cursor = self.connection.execute(
            "INSERT INTO requests (agent, team, line, type, kind, start_at, end_at, service_day, submitted, "
            "recorded, decision, status, reasons, changes, roster_path, roster_sha256, requirements_path, "
            "requirements_sha256, written_path, written_sha256, backup_path) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (request.agent, request.team, request.line, request.type, request.kind, _stamp(request.start),
             _stamp(request.end), request.service_day.isoformat(), _seconds(request.submitted), _seconds(recorded),
             decision, status, json.dumps([r.to_dict() for r in reasons], ensure_ascii=False),
             json.dumps([c.to_dict() for c in changes], ensure_ascii=False), judged.roster_path,
             judged.roster_sha256, judged.requirements_path, judged.requirements_sha256, judged.written_path,
             judged.written_sha256, judged.backup_path))
        return int(cursor.lastrowid)

    def commit(self) -> None:
        """Make the decision durable now (the context manager would commit on exit anyway)."""
        self.connection.execute("COMMIT")


def _filters(*, agent: str | None = None, status: str | None = None, start: dt.datetime | None = None,
             end: dt.datetime | None = None, team: str | None = None) -> tuple[str, list]:
    clauses, params = [], []
    for column, value in (("agent", agent), ("status", status), ("team", team)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if end is not None:
        clauses.append("start_at < ?")
        params.append(_stamp(end))
    if start is not None:
        clauses.append("(end_at > ? OR kind = 'resignation')")
        params.append(_stamp(start))
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _entry(row: tuple) -> LedgerEntry:
    data = dict(zip(COLUMNS, row))
    request = LeaveRequest(agent=data["agent"], team=data["team"], line=data["line"], type=data["type"],
                           kind=data["kind"], start=dt.datetime.fromisoformat(data["start_at"]),
                           end=dt.datetime.fromisoformat(data["end_at"]),
                           submitted=dt.datetime.fromisoformat(data["submitted"]),
                           service_day=dt.date.fromisoformat(data["service_day"]))
    judged = Judged(**{name: data[name] for name in ("roster_path", "roster_sha256", "requirements_path",
                                                     "requirements_sha256", "written_path", "written_sha256",
                                                     "backup_path")})
    return LedgerEntry(id=data["id"], request=request, decision=data["decision"], status=data["status"],
                       reasons=tuple(Reason.from_dict(r) for r in json.loads(data["reasons"])),
                       changes=tuple(Change.from_dict(c) for c in json.loads(data["changes"])),
                       recorded=dt.datetime.fromisoformat(data["recorded"]), judged=judged,
                       cancelled=dt.datetime.fromisoformat(data["cancelled"]) if data["cancelled"] else None,
                       cancel_reason=data["cancel_reason"] or "")
