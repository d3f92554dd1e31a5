"""The leave ledger (CENTRE/leave.db): schema and versions, a writer killed mid-write, and
requests decided at the same time by real concurrent processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from staffing.leave import LeaveLedger, list_requests, request_leave
from staffing.leave.ledger import SCHEMA_VERSION
from tests.conftest import ROOT
from tests.test_leave import THREE_WORK, TUE, day_plan, invoke, roster_rows, write_roster

CHILD_TIMEOUT_S = 120


def spawn(script: str, *args: str) -> subprocess.Popen:
    """A real Python process running ``script`` from the repository root."""
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_line(process: subprocess.Popen, expected: str) -> None:
    line = process.stdout.readline()
    assert line.strip() == expected, (line, process.stderr.read() if process.poll() is not None else "")


# --- schema -----------------------------------------------------------------------------


def test_schema_is_versioned_and_uses_a_rollback_journal(tiny: Path) -> None:
    """The first decision creates leave.db with user_version 1 and the rollback journal (no WAL files)."""
    request_leave(tiny, agent="A1", start="2026-08-12", leave_type="annual", submitted="2026-08-07")
    with sqlite3.connect(tiny / "leave.db") as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 1
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert sorted(p.name for p in tiny.glob("leave.db*")) == ["leave.db"]
    assert LeaveLedger.of_centre(tiny).integrity() == "ok"


def test_newer_foreign_and_broken_ledgers_are_refused(tiny: Path) -> None:
    """A ledger from a newer product, someone else's SQLite file, or not SQLite: exit 2, one line."""
    path = tiny / "leave.db"
    request_leave(tiny, agent="A1", start="2026-08-12", leave_type="annual", submitted="2026-08-07")
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 7")
    result = invoke("leave", "list", tiny)
    assert result.exit_code == 2
    assert result.output == ("Error: leave.db: schema version 7 is newer than this staffing knows (1); "
                             "upgrade staffing\n")
    path.unlink()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    result = invoke("leave", "request", tiny, "--agent", "A1", "--start", "2026-08-12", "--type", "annual")
    assert result.exit_code == 2 and result.output == "Error: leave.db: not a staffing leave ledger (tables: notes)\n"
    path.write_bytes(b"this is a spreadsheet, honestly" * 100)
    result = invoke("leave", "list", tiny)
    assert result.exit_code == 2 and result.output.startswith("Error: leave.db: not a readable SQLite leave ledger")


# --- a writer killed mid-write -------------------------------------------------------------

KILLED_WRITER = """
import datetime as dt, sys, time
from staffing.leave.ledger import Judged, LeaveLedger
from staffing.leave.reasons import Reason
from staffing.leave.request import LeaveRequest
ledger = LeaveLedger(sys.argv[1])
start = dt.datetime(2026, 8, 12)
request = LeaveRequest(agent="A2", team="T1", line="chat", type="annual", kind="full_day", start=start,
                       end=start + dt.timedelta(days=1), submitted=dt.datetime(2026, 8, 7), service_day=start.date())
padding = (Reason(rule="padding", ok=True, detail="x" * 100_000),)
with ledger.decision() as transaction:
    for _ in range(60):   # about 6 MB: more than SQLite's page cache, so pages reach the file
        transaction.record(request=request, decision="approved", status="approved", reasons=padding, changes=(),
                           judged=Judged(), recorded=dt.datetime(2026, 8, 7))
    print("inside", flush=True)
    time.sleep(600)
"""


def test_writer_killed_mid_write_leaves_the_last_committed_ledger(tiny: Path) -> None:
    """SIGKILL a process inside a transaction that has written pages to leave.db: the next
    opening rolls the hot journal back; the ledger is intact and holds what was committed."""
    request_leave(tiny, agent="A1", start="2026-08-12", leave_type="annual", submitted="2026-08-07")
    path = tiny / "leave.db"
    size_before = path.stat().st_size
    writer = spawn(KILLED_WRITER, path)
    try:
        wait_for_line(writer, "inside")
        assert (tiny / "leave.db-journal").exists() and path.stat().st_size > size_before  # mid-write, on disk
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=CHILD_TIMEOUT_S)
    finally:
        if writer.poll() is None:
            writer.kill()
    entries = list_requests(tiny)
    assert [(e.id, e.request.agent, e.status) for e in entries] == [(1, "A1", "approved")]
    assert LeaveLedger(path).integrity() == "ok"
    assert not (tiny / "leave.db-journal").exists()
    follow = request_leave(tiny, agent="A2", start="2026-08-13", leave_type="annual", submitted="2026-08-07")
    assert (follow.request_id, follow.outcome) == (2, "approved")


KILLED_DECISION = """
import sys, time
from staffing.leave import request_leave

def progress(message):
    if "committing" in message:
        print("committing", flush=True)
        time.sleep(600)

request_leave(sys.argv[1], agent="A1", start="2026-08-10", leave_type="annual", submitted="2026-08-07",
              roster=sys.argv[2], apply=True, progress=progress)
"""


def test_decision_killed_before_commit_records_and_writes_nothing(tiny: Path) -> None:
    """A decision killed after recording and writing the new roster's temporary file, just
    before the commit: no request in the ledger, the roster exactly as it was."""
    from tests.test_leave import three_day_roster

    roster = write_roster(roster_rows(three_day_roster()), tiny / "roster.csv")
    before = roster.read_bytes()
    writer = spawn(KILLED_DECISION, tiny, roster)
    try:
        wait_for_line(writer, "committing")
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=CHILD_TIMEOUT_S)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert list_requests(tiny) == ()
    assert roster.read_bytes() == before
    assert LeaveLedger.of_centre(tiny).integrity() == "ok"
    again = invoke("leave", "request", tiny, "--agent", "A1", "--start", "2026-08-10", "--type", "annual",
                   "--submitted", "2026-08-07", "--roster", roster, "--apply")
    assert again.exit_code == 0 and "Request #1" in again.output


# --- concurrent decisions ---------------------------------------------------------------

RACER = """
import json, pathlib, sys, time
from staffing.leave import request_leave
centre, agent, go = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
roster = sys.argv[4] if len(sys.argv) > 4 else None
print("ready", flush=True)
while not go.exists():
    time.sleep(0.005)

def slow(message):   # a slow judge: all racers would overlap here if the lock let them
    if message.startswith("ledger locked"):
        time.sleep(0.4)

decision = request_leave(centre, agent=agent, start="2026-08-11", leave_type="annual", submitted="2026-08-07",
                         roster=roster, progress=slow)
print(json.dumps({"agent": agent, "outcome": decision.outcome, "reasons": [r.line() for r in decision.reasons]}))
"""


def race(centre: Path, agents: list[str], roster: Path | None = None) -> list[dict]:
    """Start one process per agent, release them together, return their decisions."""
    go = centre / "go"
    extra = [roster] if roster else []
    racers = [spawn(RACER, centre, agent, go, *extra) for agent in agents]
    try:
        for racer in racers:
            wait_for_line(racer, "ready")
        go.touch()
        results = []
        for racer in racers:
            out, err = racer.communicate(timeout=CHILD_TIMEOUT_S)
            assert racer.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for racer in racers:
            if racer.poll() is None:
                racer.kill()


def test_three_processes_racing_for_one_leave_slot(tiny: Path) -> None:
    """Three teammates ask for the same day at the same moment (at most one of a team on leave
    a day): exactly one is approved, the others are refused naming the approved request."""
    started = time.perf_counter()
    results = race(tiny, ["A1", "A2", "A3"])
    approved = [r for r in results if r["outcome"] == "approved"]
    assert len(approved) == 1, results
    winner = approved[0]["agent"]
    for loser in (r for r in results if r["outcome"] != "approved"):
        assert loser["outcome"] == "refused"
        assert any(f"already has {winner} (#" in line for line in loser["reasons"]), loser
    assert time.perf_counter() - started > 3 * 0.4   # the judges ran one after the other
    assert sorted(e.status for e in list_requests(tiny)) == ["approved", "refused", "refused"]


def test_two_processes_racing_for_the_roster_s_single_slot_of_slack(tiny: Path) -> None:
    """Three on the line on Tuesday, floor 1: one can be spared, two cannot (the one left alone
    has meals and breaks). Two processes judging against the roster at once: exactly one approved."""
    toml = tiny / "centre.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "max_away_per_team = 1", "max_away_per_team = 1\nmax_on_leave_per_team_per_day = 3"), encoding="utf-8")
    roster = write_roster(roster_rows(day_plan(TUE, THREE_WORK, {"A1": "A1", "A2": "A2", "A3": "A3"})),
                          tiny / "roster.csv")
    results = race(tiny, ["A1", "A2"], roster)
    assert sorted(r["outcome"] for r in results) == ["approved", "refused"], results
    loser = next(r for r in results if r["outcome"] == "refused")
    assert any(line.startswith("[FAIL] coverage") for line in loser["reasons"]), loser
    assert any("does not show approved request(s) #" in line for line in loser["reasons"]), loser


HOLDER = """
import sys
from staffing.leave import request_leave

def hold(message):
    if message.startswith("ledger locked"):
        print("locked", flush=True)
        sys.stdin.readline()

decision = request_leave(sys.argv[1], agent="A1", start="2026-08-11", leave_type="annual", submitted="2026-08-07",
                         progress=hold)
print(decision.outcome, flush=True)
"""


def test_a_second_decision_waits_for_the_first_and_sees_its_approval(tiny: Path) -> None:
    """While one process holds the ledger (judging), a second `staffing leave request` process
    waits; once the first approves, the second judges against that approval and is refused."""
    holder = spawn(HOLDER, tiny)
    second = None
    try:
        wait_for_line(holder, "locked")
        second = subprocess.Popen([sys.executable, "cli.py", "leave", "request", str(tiny), "--agent", "A2",
                                   "--start", "2026-08-11", "--type", "annual", "--submitted", "2026-08-07"],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3.0)
        assert second.poll() is None            # blocked on the lock, not deciding on stale data
        holder.stdin.write("go\n")
        holder.stdin.flush()
        assert holder.communicate(timeout=CHILD_TIMEOUT_S)[0].strip() == "approved"
        out, err = second.communicate(timeout=CHILD_TIMEOUT_S)
        assert second.returncode == 1, err
        assert "team T1 already has A1 (#1) on approved leave" in out
    finally:
        for process in (holder, second):
            if process is not None and process.poll() is None:
                process.kill()


def test_busy_ledger_gives_up_after_the_timeout(tiny: Path) -> None:
    """A decision that cannot get the write lock in time fails with exit 4 and says so."""
    request_leave(tiny, agent="A1", start="2026-08-12", leave_type="annual", submitted="2026-08-07")
    blocker = sqlite3.connect(tiny / "leave.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        from staffing.leave.ledger import LedgerBusyError

        with pytest.raises(LedgerBusyError) as caught, LeaveLedger.of_centre(tiny, busy_timeout_s=0.2).decision():
            pass
        assert caught.value.exit_code == 4 and "another decision held the ledger" in str(caught.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert dt.date(2026, 8, 12) == list_requests(tiny)[0].request.first_day
