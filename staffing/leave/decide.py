"""A leave decision from start to end, and the ledger's answers for the rest of the product.

:func:`request_leave` is what ``staffing leave request`` runs: parse the request, take the
ledger's write lock, read the approved leave it judges against (and the roster, inside the
lock, since another decision may have just rewritten it), judge, search a repair when
needed, record the request with its decision, write the roster when asked, commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from staffing.centre import load_centre
from staffing.domain import Centre
from staffing.errors import InputError
from staffing.io import atomic_write
from staffing.leave.judge import (
    apply_request,
    judge_ledger,
    judge_roster,
    new_violations,
    reflect_approved,
    request_days_in_roster,
    roster_reasons,
    shortfall_agent_min,
    tidy,
    to_csv_text,
)
from staffing.leave.ledger import Judged, LeaveLedger, LedgerEntry, LedgerTransaction, Outcome, Status
from staffing.leave.reasons import Change, Reason
from staffing.leave.request import LeaveRequest, RequestError, parse_request

log = logging.getLogger("staffing")
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The verdict on one request, as recorded in the ledger.

    ``outcome``: ``approved`` (recorded as approved), ``approvable`` (it needs the repair in
    ``changes``; recorded as ``proposed`` until asked again with ``apply``) or ``refused``.
    """

    request_id: int
    request: LeaveRequest
    outcome: Outcome
    status: Status
    reasons: tuple[Reason, ...]
    changes: tuple[Change, ...] = ()
    coverage_judged: bool = False
    repair_status: str | None = None
    written: Path | None = None
    backup: Path | None = None
    roster: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    seconds: float = 0.0
    repair_seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.outcome == "refused" else 0

    def describe(self) -> str:
        """The decision with every reason, the repair and what was written, for the terminal."""
        headline = {
            "approved": "APPROVED (recorded in the ledger)",
            "approvable": "APPROVABLE with the repair below (recorded as proposed; ask again with --apply to "
                          "approve it and write the roster)",
            "refused": "REFUSED (recorded in the ledger)",
        }[self.outcome]
        lines = [f"Request #{self.request_id}: {self.request.describe()}", f"Decision: {headline}"]
        lines += [f"  {reason.line()}" for reason in self.reasons]
        if self.changes:
            proven = "proven smallest" if self.repair_status == "optimal" else "smallest found in the time limit"
            lines.append(f"Repair ({proven}, {self.repair_seconds:.1f} s): {len(self.changes)} change(s)")
            lines += [f"  {change.line()}" for change in self.changes]
        if self.written is not None:
            lines.append(f"Wrote {self.written}" + (f" (previous version kept as {self.backup.name})"
                                                    if self.backup else ""))
        lines.append(f"Decided in {self.seconds:.2f} s")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True, kw_only=True)
class Absence:
    """An approved part-day absence: ``[start, end)`` on ``service_day`` (a meeting, a doctor)."""

    agent: str
    start: dt.datetime
    end: dt.datetime
    service_day: dt.date
    code: str


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def request_leave(centre_folder: str | Path, *, agent: str, start: str, end: str | None = None, leave_type: str,
                  submitted: str | None = None, roster: str | Path | None = None,
                  requirements: str | Path | None = None, apply: bool = False, out: str | Path | None = None,
                  max_extra_short_min: int = 0, time_limit_s: float = 20.0, now: dt.datetime | None = None,
                  progress: Progress | None = None) -> Decision:
    """Judge a leave request, record it in ``CENTRE/leave.db`` and, with ``apply``, write the roster.

    Parameters
    ----------
    centre_folder : the centre folder (its ``leave.db`` is created on the first request).
    agent, start, end, leave_type, submitted : the request as typed (see
        :func:`staffing.leave.request.parse_request`).
    roster : a ``roster.csv`` to judge coverage and the hard rules against (else the ledger only).
    requirements : ``requirements.csv``; with it, the agent-minutes short of ``required`` on
        the request's days may grow by at most ``max_extra_short_min``.
    apply : record an approval that needs a repair, and write the roster (repaired, or with
        the leave) to ``out``, or over ``roster`` keeping the previous version beside it.
    time_limit_s : the repair search's time limit.
    progress : called with a line at each step (after the lock is taken; before the commit).

    Raises
    ------
    RequestError, InputError
        Bad input (exit 2); nothing is recorded or written.
    """
    clock = time.perf_counter()
    report = progress or (lambda message: log.info(message))
    centre = load_centre(centre_folder)
    now = now or dt.datetime.now().replace(microsecond=0)
    request = parse_request(centre, agent=agent, start=start, end=end, leave_type=leave_type, submitted=submitted,
                            now=now)
    _check_options(roster=roster, requirements=requirements, apply=apply, out=out)
    from staffing.frames import read_requirements

    needs = read_requirements(Path(requirements), centre.lines) if requirements else None
    judged = Judged(requirements_path=str(Path(requirements).resolve()) if requirements else None,
                    requirements_sha256=sha256_of(Path(requirements).read_bytes()) if requirements else None)
    with LeaveLedger.of_centre(centre.folder).decision() as transaction:
        span_end = dt.datetime.max if request.kind == "resignation" else request.end
        approved = transaction.approved(start=request.start, end=span_end)
        report(f"ledger locked; judging against {len(approved)} approved request(s) at the same time")
        reasons = judge_ledger(request, approved, centre)
        verdict = _Verdict(reasons=reasons)
        if roster is not None:
            _judge_with_roster(centre, request, Path(roster), needs, verdict, transaction,
                               max_extra_short_min=max_extra_short_min, time_limit_s=time_limit_s, apply=apply)
            judged = Judged(**{**_as_dict(judged), "roster_path": str(Path(roster).resolve()),
                               "roster_sha256": verdict.roster_sha})
        else:
            verdict.reasons.append(Reason(rule="coverage", ok=True, blocking=False,
                                          detail="not judged: no --roster given (the ledger's rules only)"))
        outcome, status = verdict.outcome(apply)
        request_id = transaction.record(request=request, decision=outcome, status=status,
                                        reasons=tuple(verdict.reasons), changes=verdict.changes, judged=judged,
                                        recorded=now)
        written = backup = None
        if apply and status == "approved" and verdict.final is not None and roster is not None:
            written, backup = _write_and_commit(transaction, request_id, verdict, Path(roster),
                                                Path(out) if out else None, report)
        else:
            report(f"request #{request_id} recorded; committing")
            transaction.commit()
    return Decision(request_id=request_id, request=request, outcome=outcome, status=status,
                    reasons=tuple(verdict.reasons), changes=verdict.changes, coverage_judged=roster is not None,
                    repair_status=verdict.repair_status, written=written, backup=backup, roster=verdict.final,
                    seconds=time.perf_counter() - clock, repair_seconds=verdict.repair_seconds)


def _check_options(*, roster, requirements, apply: bool, out) -> None:
    if requirements is not None and roster is None:
        raise RequestError("--requirements", "needs --roster (the roster whose coverage it measures)")
    if apply and roster is None:
        raise RequestError("--apply", "needs --roster (the roster to write)")
    if out is not None and not apply:
        raise RequestError("--out", "only with --apply (where to write the roster)")


def _as_dict(judged: Judged) -> dict:
    return {name: getattr(judged, name) for name in Judged.__slots__}


@dataclass(slots=True)
class _Verdict:
    """What a decision collects while judging."""

    reasons: list[Reason]
    changes: tuple[Change, ...] = ()
    roster_sha: str | None = None
    roster_bytes: bytes = b""
    final: pd.DataFrame | None = None      # the roster to write when approved
    changed: bool = False
    repair_status: str | None = None
    repair_seconds: float = 0.0

    def outcome(self, apply: bool) -> tuple[Outcome, Status]:
        if any(not r.ok and r.blocking for r in self.reasons):
            return "refused", "refused"
        if self.changes and not apply:
            return "approvable", "proposed"
        return "approved", "approved"


def _judge_with_roster(centre: Centre, request: LeaveRequest, path: Path, needs: pd.DataFrame | None,
                       verdict: _Verdict, transaction: LedgerTransaction, *, max_extra_short_min: int,
                       time_limit_s: float, apply: bool) -> None:
    from staffing.frames import read_roster

    data = _read_bytes(path)
    verdict.roster_bytes, verdict.roster_sha = data, sha256_of(data)
    given = read_roster(path, centre)
    days = request_days_in_roster(request, given, path.name)
    first, last = min(given["date"]), max(given["date"])
    in_roster = transaction.approved(start=dt.datetime.combine(first, dt.time()),
                                     end=dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
    before, applied = reflect_approved(given, in_roster)
    if applied:
        verdict.reasons.append(Reason(rule="ledger", ok=True, blocking=False,
                                      detail=f"{path.name} does not show approved request(s) "
                                             f"{', '.join(f'#{i}' for i in applied)}; judged as if it did"))
    if not days:
        verdict.reasons.append(Reason(rule="coverage", ok=True, blocking=False,
                                      detail=f"not judged: {path.name} ends before {request.first_day}"))
        return
    after = apply_request(before, request)
    judgement = judge_roster(centre, before, after, request, days, needs, max_extra_short_min)
    verdict.final, verdict.changed = tidy(after, given), len(applied) > 0 or not after.equals(before)
    reasons = roster_reasons(judgement, path.name)
    reasons += target_reasons(centre, before, after, request, days, needs)
    ledger_refuses = any(not r.ok and r.blocking for r in verdict.reasons)
    if judgement.ok or ledger_refuses or not judgement.repairable:
        verdict.reasons.extend(reasons)
        return
    _repair(centre, request, before, after, days, needs, verdict, reasons, given, path.name,
            max_extra_short_min=max_extra_short_min, time_limit_s=time_limit_s)


def target_reasons(centre: Centre, before: pd.DataFrame, after: pd.DataFrame, request: LeaveRequest, days: list,
                   needs: pd.DataFrame | None) -> list[Reason]:
    """The service targets of the request's line on its days (``staffing check``'s day rows:
    service level, answer rate, daily load, online hours), predicted from the roster with and
    without the agent: a target that held and no longer does refuses the request."""
    if needs is None or "contacts" not in needs or needs["contacts"].isna().all():
        return [Reason(rule="predicted_targets", ok=True, blocking=False,
                       detail="predicted targets not judged (no requirement file with its contacts column)")]
    from staffing.check import check_plan

    wanted = {str(day) for day in days}
    span = (pd.Timestamp(min(days)) - pd.Timedelta(days=1), pd.Timestamp(max(days)) + pd.Timedelta(days=2))

    def day_rows(roster: pd.DataFrame) -> dict[tuple[str, str], object]:
        near = roster[(roster["line"] == request.line) & (roster["start"] >= span[0]) & (roster["start"] < span[1])]
        slots = needs[(needs["line"] == request.line) & (needs["start"] >= span[0]) & (needs["start"] < span[1])]
        report = check_plan(centre, near, slots)
        return {(t.target, t.day): t for t in report.targets if t.scope == "day" and t.day in wanted}

    held, now = day_rows(before), day_rows(after)
    lost = [now[key] for key, target in held.items() if target.ok and key in now and not now[key].ok]
    if not lost:
        return [Reason(rule="predicted_targets", ok=True,
                       detail=f"every predicted day target of line {request.line} that held still holds")]
    shown = "; ".join(f"{t.target} on {t.day}: {held[t.target, t.day].value:.3g} -> {t.value:.3g} (goal {t.goal:.3g})"
                      for t in lost[:3])
    return [Reason(rule="predicted_targets", ok=False, detail=f"without the agent the line misses: {shown}")]


def _repair(centre: Centre, request: LeaveRequest, before: pd.DataFrame, after: pd.DataFrame, days: list,
            needs: pd.DataFrame | None, verdict: _Verdict, reasons: list[Reason], given: pd.DataFrame, name: str, *,
            max_extra_short_min: int, time_limit_s: float) -> None:
    from staffing.leave.repair import find_repair

    result = find_repair(centre, before, after, request, days, needs, max_extra_short_min=max_extra_short_min,
                         time_limit_s=time_limit_s)
    verdict.repair_seconds, verdict.repair_status = result.seconds, result.status
    if not result.found:
        verdict.reasons.extend(reasons)
        verdict.reasons.append(Reason(rule="repair", ok=False, detail=f"no repair: {result.why}"))
        verdict.final = None
        return
    repaired = tidy(result.roster, given)
    added = new_violations(centre, before, repaired, needs)
    if added:
        raise RuntimeError(f"repair broke the checker's rules (a bug): {added[:3]}")
    changed_days = sorted({*days, *(c.day for c in result.changes)})
    for reason in reasons:
        if reason.rule == "predicted_targets":
            continue  # judged again on the repaired roster below
        verdict.reasons.append(Reason(rule=reason.rule, ok=True, blocking=False,
                                      detail=f"{reason.detail} -> kept by the repair below"))
    verdict.reasons.extend(target_reasons(centre, before, repaired, request, changed_days, needs))
    if needs is not None:
        short_before = shortfall_agent_min(centre, before, needs, request.line, changed_days)
        short_after = shortfall_agent_min(centre, repaired, needs, request.line, changed_days)
        verdict.reasons.append(Reason(rule="service_targets", ok=True,
                                      detail=f"with the repair {short_before:,} -> {short_after:,} agent-minutes "
                                             f"short of required on the days changed "
                                             f"({short_after - short_before:+,}; tolerance {max_extra_short_min:,})"))
    verdict.reasons.append(Reason(rule="repair", ok=True,
                                  detail=f"{name} repaired keeps every rule of staffing check (verified); "
                                         + ", ".join(f"{result.counts[k]} {k}" for k in ("swap", "move", "replace"))))
    verdict.changes, verdict.final, verdict.changed = result.changes, repaired, True


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, None, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, None, None, "is a folder, not a file") from None


def _write_and_commit(transaction: LedgerTransaction, request_id: int, verdict: _Verdict, roster: Path,
                      out: Path | None, report: Progress) -> tuple[Path | None, Path | None]:
    """Write the roster and commit: the new file is complete (fsync'd) before the commit and
    takes its name right after it, so the ledger never approves a roster that is not there."""
    target = out or roster
    if not verdict.changed and target.resolve() == roster.resolve():
        report(f"request #{request_id} recorded; {roster.name} needs no change; committing")
        transaction.commit()
        return None, None
    text = to_csv_text(verdict.final)
    backup = None
    if target.resolve() == roster.resolve():
        backup = roster.with_name(f"{roster.stem}.before-request-{request_id}{roster.suffix}")
        with atomic_write(backup, mode="wb", encoding=None) as handle:
            handle.write(verdict.roster_bytes)
    transaction.connection.execute(
        "UPDATE requests SET written_path = ?, written_sha256 = ?, backup_path = ? WHERE id = ?",
        (str(target.resolve()), sha256_of(text.encode("utf-8")), str(backup.resolve()) if backup else None,
         request_id))
    with atomic_write(target) as handle:
        handle.write(text)
        handle.flush()
        report(f"request #{request_id} recorded; committing and writing {target.name}")
        transaction.commit()
    return target, backup


# --- the ledger's answers for the rest of the product ------------------------------------


def _ledger(centre_folder: str | Path) -> LeaveLedger:
    folder = Path(centre_folder)
    if not folder.is_dir():
        raise InputError(folder, None, None, "centre folder not found")
    return LeaveLedger.of_centre(folder)


def list_requests(centre_folder: str | Path, *, agent: str | None = None, status: str | None = None,
                  start: dt.date | None = None, end: dt.date | None = None) -> tuple[LedgerEntry, ...]:
    """The ledger's requests (every one, refused and cancelled included), filtered."""
    begin = dt.datetime.combine(start, dt.time()) if start else None
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time()) if end else None
    return _ledger(centre_folder).entries(agent=agent, status=status, start=begin, end=finish)


def cancel_request(centre_folder: str | Path, request_id: int, *, reason: str = "",
                   now: dt.datetime | None = None) -> LedgerEntry:
    """Mark an approved or proposed request cancelled (kept in the ledger; rosters are not edited)."""
    return _ledger(centre_folder).cancel(request_id, at=now or dt.datetime.now().replace(microsecond=0),
                                         reason=reason)


def approved_leave(centre_folder: str | Path, start: dt.date, end: dt.date):
    """Approved full-day leave overlapping service days ``start``..``end``, for the roster engine.

    Returns ``tuple[staffing.roster.Leave, ...]`` (whole days; the engine clips them to its horizon).
    """
    from staffing.roster.problem import Leave

    return tuple(Leave(agent=e.request.agent, start=e.request.first_day, end=e.request.last_day, code=e.request.type)
                 for e in list_requests(centre_folder, status="approved", start=start, end=end)
                 if e.request.kind == "full_day")


def approved_absences(centre_folder: str | Path, start: dt.date, end: dt.date) -> tuple[Absence, ...]:
    """Approved part-day absences on service days ``start``..``end`` (``meeting`` rows of a roster)."""
    return tuple(Absence(agent=e.request.agent, start=e.request.start, end=e.request.end,
                         service_day=e.request.service_day, code=e.request.type)
                 for e in list_requests(centre_folder, status="approved", start=start, end=end)
                 if e.request.kind == "part_day" and start <= e.request.service_day <= end)


def approved_departures(centre_folder: str | Path) -> dict[str, dt.date]:
    """Agent -> first day no longer worked, from approved resignations (earliest if several)."""
    out: dict[str, dt.date] = {}
    for entry in list_requests(centre_folder, status="approved"):
        if entry.request.kind == "resignation":
            day = entry.request.first_day
            out[entry.request.agent] = min(day, out.get(entry.request.agent, day))
    return out

