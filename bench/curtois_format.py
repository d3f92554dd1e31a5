"""Curtois & Qu shift scheduling benchmark: instance reader and independent evaluator.

Run from the repository root::

    python bench/curtois_format.py Instance1                 # the instance's sizes
    python bench/curtois_format.py Instance1 roster.csv      # ... and the roster's evaluation
    python bench/curtois_format.py --selftest                # the checks at the end of this file

``INSTANCE_FILE`` is a path, or a name looked up in ``--dir`` (default: ``../shared/benchmarks/curtois``
next to the repository). ``ROSTER_CSV`` has the columns ``staff,day,shift`` (day 0-based; an empty
shift is a day off; a (staff, day) not listed is a day off). Exit codes: 0 feasible (or no roster),
1 the roster breaks a hard rule (or a selftest check failed), 2 unreadable input.

Pure standard library and no product import, on purpose: it judges the roster engine, so it shares
none of its code. The rules are the benchmark's as stated in the benchmark folder's README:

hard (numbered as there): 1 one shift a day; 2 forbidden successions on the next day; 3 at most
MaxShifts[type] per shift type; 4 total minutes within [MinTotalMinutes, MaxTotalMinutes]; 5 at most
MaxConsecutiveShifts worked days in a row; 6 at least MinConsecutiveShifts worked days in a row and
7 at least MinConsecutiveDaysOff days off in a row, both only for blocks with the other kind of day
on both sides inside the horizon (blocks touching day 0 or the last day are exempt); 8 at most
MaxWeekends weekends with Saturday or Sunday worked (day 0 is a Monday); 9 no work on fixed days off.

soft (the objective): each shift-on request not granted costs its weight, each shift-off request
worked costs its weight, and per cover row the under weight per person missing and the over weight
per person extra. A (day, shift) without a cover row has no cover term.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / ".." / "shared" / "benchmarks" / "curtois"
SECTIONS = ("HORIZON", "SHIFTS", "STAFF", "DAYS_OFF", "SHIFT_ON_REQUESTS", "SHIFT_OFF_REQUESTS", "COVER")
PENALTY_KEYS = ("on_requests", "off_requests", "cover_under", "cover_over")
STAFF_FIELDS = ("ID", "MaxShifts", "MaxTotalMinutes", "MinTotalMinutes", "MaxConsecutiveShifts",
                "MinConsecutiveShifts", "MinConsecutiveDaysOff", "MaxWeekends")


# ---------------------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True, kw_only=True)
class Shift:
    """A shift type: its length and the shift types that may not be worked the next day."""

    id: str
    minutes: int
    forbidden_next: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Staff:
    """One employee's limits over the horizon (minutes are worked minutes, counts are days)."""

    id: str
    max_shifts: dict[str, int]
    max_total_min: int
    min_total_min: int
    max_consecutive: int
    min_consecutive: int
    min_consecutive_off: int
    max_weekends: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """A wish to work (on-request) or not to work (off-request) one shift on one day."""

    staff: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Cover:
    """Demand for one shift type on one day, with the weights per person under and over."""

    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Instance:
    """One benchmark instance; ``days_off`` has a (possibly empty) entry for every employee."""

    name: str
    days: int
    shifts: tuple[Shift, ...]
    staff: tuple[Staff, ...]
    days_off: dict[str, tuple[int, ...]]
    on_requests: tuple[Request, ...]
    off_requests: tuple[Request, ...]
    cover: tuple[Cover, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Evaluation:
    """A roster judged against an instance.

    ``objective`` is the sum of ``penalties`` whatever the hard rules say; ``violations`` names every
    hard-rule breach ("rule N <rule>: staff X day(s) ...: detail"); ``feasible`` is true when there is none.
    """

    objective: int
    penalties: dict[str, int]
    violations: tuple[str, ...]
    feasible: bool

    def __post_init__(self) -> None:
        if tuple(self.penalties) != PENALTY_KEYS or self.objective != sum(self.penalties.values()):
            raise ValueError(f"objective {self.objective} is not the sum of {self.penalties}")
        if self.feasible != (not self.violations):
            raise ValueError("feasible must be true exactly when there are no violations")


def sizes(instance: Instance) -> dict[str, int]:
    """The counts of the benchmark README's size table."""
    return {
        "days": instance.days,
        "employees": len(instance.staff),
        "shift_types": len(instance.shifts),
        "fixed_days_off": sum(len(days) for days in instance.days_off.values()),
        "on_requests": len(instance.on_requests),
        "off_requests": len(instance.off_requests),
        "cover_rows": len(instance.cover),
        "binary_x": instance.days * len(instance.staff) * len(instance.shifts),
    }


# ---------------------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    fields: tuple[str, ...]


class _Reader:
    """Two passes, as in PyVRP: split the text into sections, then build each section's objects."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, line: int, field: str, reason: str) -> ValueError:
        return ValueError(f"{self.source}: line {line}: {field}: {reason}")

    def sections(self, text: str) -> tuple[dict[str, list[_Row]], dict[str, int]]:
        rows: dict[str, list[_Row]] = {}
        headers: dict[str, int] = {}
        current = None
        lines = text.split("\n")
        for number, raw in enumerate(lines, start=1):
            line = raw.rstrip("\r").strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("SECTION_"):
                current = line.removeprefix("SECTION_")
                if current not in SECTIONS:
                    raise self.error(number, "section", f"unknown section {line!r}")
                if current in rows:
                    raise self.error(number, "section", f"{line} repeated (first at line {headers[current]})")
                rows[current], headers[current] = [], number
            elif current is None:
                raise self.error(number, "section", "data before the first SECTION_ line")
            else:
                rows[current].append(_Row(number, tuple(part.strip() for part in line.split(","))))
        for name in SECTIONS:
            if name not in rows:
                last = len(lines) - 1 if len(lines) > 1 and not lines[-1] else len(lines)
                raise self.error(last, "section", f"SECTION_{name} missing (end of file)")
        return rows, headers

    def width(self, row: _Row, names: tuple[str, ...]) -> None:
        if len(row.fields) != len(names):
            raise self.error(row.line, names[min(len(row.fields), len(names) - 1)],
                             f"{len(row.fields)} comma-separated fields, expected {len(names)} ({', '.join(names)})")

    def integer(self, line: int, text: str, field: str, minimum: int = 0) -> int:
        if not re.fullmatch(r"[+-]?\d+", text):
            raise self.error(line, field, f"{text!r} is not an integer")
        value = int(text)
        if value < minimum:
            raise self.error(line, field, f"{value} is below {minimum}")
        return value

    def day(self, line: int, text: str, field: str, days: int) -> int:
        value = self.integer(line, text, field)
        if value >= days:
            raise self.error(line, field, f"day {value} is outside the horizon 0..{days - 1}")
        return value

    def known(self, line: int, text: str, field: str, ids: Iterable[str], what: str) -> str:
        if text not in ids:
            raise self.error(line, field, f"{text!r} is not a {what}")
        return text

    def new_id(self, line: int, text: str, field: str, seen: set[str]) -> str:
        if not text or re.search(r"[\s=|]", text):
            raise self.error(line, field, f"{text!r} is not a valid id (empty, or has a space, '=' or '|')")
        if text in seen:
            raise self.error(line, field, f"{text!r} defined twice")
        seen.add(text)
        return text

    def horizon(self, rows: list[_Row], header: int) -> int:
        if len(rows) != 1:
            raise self.error(rows[1].line if rows else header, "horizon", f"{len(rows)} rows, expected 1")
        self.width(rows[0], ("horizon",))
        return self.integer(rows[0].line, rows[0].fields[0], "horizon", minimum=1)

    def shifts(self, rows: list[_Row]) -> tuple[Shift, ...]:
        names = ("ShiftID", "Length", "ForbiddenNext")
        seen: set[str] = set()
        parsed = []
        for row in rows:
            self.width(row, names)
            ident = self.new_id(row.line, row.fields[0], names[0], seen)
            minutes = self.integer(row.line, row.fields[1], names[1], minimum=1)
            parsed.append((row.line, ident, minutes, row.fields[2]))
        shifts = []
        for line, ident, minutes, forbidden in parsed:
            successors = tuple(part.strip() for part in forbidden.split("|")) if forbidden else ()
            for other in successors:
                self.known(line, other, names[2], seen, "shift")
            if len(set(successors)) != len(successors):
                raise self.error(line, names[2], f"{forbidden!r} names a shift twice")
            shifts.append(Shift(id=ident, minutes=minutes, forbidden_next=successors))
        return tuple(shifts)

    def max_shifts(self, line: int, text: str, shift_ids: tuple[str, ...]) -> dict[str, int]:
        limits: dict[str, int] = {}
        for pair in text.split("|"):
            shift, sep, limit = (part.strip() for part in pair.partition("="))
            if not sep:
                raise self.error(line, "MaxShifts", f"{pair!r} is not shift=limit")
            self.known(line, shift, "MaxShifts", shift_ids, "shift")
            if shift in limits:
                raise self.error(line, "MaxShifts", f"shift {shift!r} given twice")
            limits[shift] = self.integer(line, limit, "MaxShifts")
        missing = [shift for shift in shift_ids if shift not in limits]
        if missing:
            raise self.error(line, "MaxShifts", f"no limit for shift(s) {', '.join(missing)}")
        return {shift: limits[shift] for shift in shift_ids}

    def staff(self, rows: list[_Row], shift_ids: tuple[str, ...]) -> tuple[Staff, ...]:
        seen: set[str] = set()
        staff = []
        for row in rows:
            self.width(row, STAFF_FIELDS)
            f = row.fields
            numbers = [self.integer(row.line, f[i], STAFF_FIELDS[i]) for i in range(2, 8)]
            staff.append(Staff(
                id=self.new_id(row.line, f[0], "ID", seen),
                max_shifts=self.max_shifts(row.line, f[1], shift_ids),
                max_total_min=numbers[0], min_total_min=numbers[1], max_consecutive=numbers[2],
                min_consecutive=numbers[3], min_consecutive_off=numbers[4], max_weekends=numbers[5],
            ))
        return tuple(staff)

    def days_off(self, rows: list[_Row], staff_ids: tuple[str, ...], days: int) -> dict[str, tuple[int, ...]]:
        found: dict[str, tuple[int, ...]] = {}
        for row in rows:
            staff = self.known(row.line, row.fields[0], "EmployeeID", staff_ids, "staff id")
            if staff in found:
                raise self.error(row.line, "EmployeeID", f"{staff!r} has a second days-off row")
            listed = tuple(self.day(row.line, text, "DayIndexes", days) for text in row.fields[1:])
            if len(set(listed)) != len(listed):
                raise self.error(row.line, "DayIndexes", "a day is listed twice")
            found[staff] = listed
        return {staff: found.get(staff, ()) for staff in staff_ids}

    def requests(self, rows: list[_Row], staff_ids: tuple[str, ...], shift_ids: tuple[str, ...],
                 days: int) -> tuple[Request, ...]:
        names = ("EmployeeID", "Day", "ShiftID", "Weight")
        seen: set[tuple[str, int, str]] = set()
        requests = []
        for row in rows:
            self.width(row, names)
            request = Request(
                staff=self.known(row.line, row.fields[0], names[0], staff_ids, "staff id"),
                day=self.day(row.line, row.fields[1], names[1], days),
                shift=self.known(row.line, row.fields[2], names[2], shift_ids, "shift"),
                weight=self.integer(row.line, row.fields[3], names[3]),
            )
            if (request.staff, request.day, request.shift) in seen:
                raise self.error(row.line, "EmployeeID", "the same staff, day and shift requested twice")
            seen.add((request.staff, request.day, request.shift))
            requests.append(request)
        return tuple(requests)

    def cover(self, rows: list[_Row], shift_ids: tuple[str, ...], days: int) -> tuple[Cover, ...]:
        names = ("Day", "ShiftID", "Requirement", "WeightForUnder", "WeightForOver")
        seen: set[tuple[int, str]] = set()
        cover = []
        for row in rows:
            self.width(row, names)
            item = Cover(
                day=self.day(row.line, row.fields[0], names[0], days),
                shift=self.known(row.line, row.fields[1], names[1], shift_ids, "shift"),
                requirement=self.integer(row.line, row.fields[2], names[2]),
                under_weight=self.integer(row.line, row.fields[3], names[3]),
                over_weight=self.integer(row.line, row.fields[4], names[4]),
            )
            if (item.day, item.shift) in seen:
                raise self.error(row.line, "Day", f"a second cover row for day {item.day} shift {item.shift}")
            seen.add((item.day, item.shift))
            cover.append(item)
        return tuple(cover)


def parse_instance(text: str, *, name: str, source: str | None = None) -> Instance:
    """Parse the text of an instance file (CRLF or LF); ``source`` names it in errors."""
    reader = _Reader(source or name)
    rows, headers = reader.sections(text)
    days = reader.horizon(rows["HORIZON"], headers["HORIZON"])
    shifts = reader.shifts(rows["SHIFTS"])
    shift_ids = tuple(shift.id for shift in shifts)
    staff = reader.staff(rows["STAFF"], shift_ids)
    staff_ids = tuple(person.id for person in staff)
    return Instance(
        name=name, days=days, shifts=shifts, staff=staff,
        days_off=reader.days_off(rows["DAYS_OFF"], staff_ids, days),
        on_requests=reader.requests(rows["SHIFT_ON_REQUESTS"], staff_ids, shift_ids, days),
        off_requests=reader.requests(rows["SHIFT_OFF_REQUESTS"], staff_ids, shift_ids, days),
        cover=reader.cover(rows["COVER"], shift_ids, days),
    )


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: byte {exc.start}: encoding: not UTF-8 text") from None


def read_instance(path: str | Path) -> Instance:
    """Read an instance file; ValueError "file: line N: field: reason" on anything malformed."""
    path = Path(path)
    return parse_instance(_read_text(path), name=path.stem, source=str(path))


def read_best_known(path: str | Path) -> dict[str, tuple[int, int]]:
    """``best_known.csv`` (instance, best_known_objective, lower_bound, source) -> name: (best, lower bound)."""
    path = Path(path)
    reader = _Reader(str(path))
    rows = list(csv.reader(io.StringIO(_read_text(path))))
    header = ["instance", "best_known_objective", "lower_bound"]
    if not rows or rows[0][:3] != header:
        raise reader.error(1, "header", f"expected columns {','.join(header)} first")
    best: dict[str, tuple[int, int]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) < 3:
            raise reader.error(line, header[len(row)] if row else header[0], "missing")
        name = row[0].strip()
        if name in best:
            raise reader.error(line, "instance", f"{name!r} listed twice")
        value = reader.integer(line, row[1].strip(), header[1])
        bound = reader.integer(line, row[2].strip(), header[2])
        if bound > value:
            raise reader.error(line, header[2], f"lower bound {bound} above the best known {value}")
        best[name] = (value, bound)
    return best


def read_roster_csv(path: str | Path, instance: Instance | None = None) -> dict[tuple[str, int], tuple[str, ...]]:
    """A roster file with columns staff,day,shift -> {(staff, day): shifts}; rows of one (staff, day) collect.

    With ``instance``, staff, day and shift are checked against it (ValueError naming file, line, field).
    """
    path = Path(path)
    reader = _Reader(str(path))
    rows = csv.reader(io.StringIO(_read_text(path)))
    header = [name.strip() for name in next(rows, [])]
    if not {"staff", "day", "shift"} <= set(header):
        raise reader.error(1, "header", "expected the columns staff,day,shift")
    column = {name: header.index(name) for name in ("staff", "day", "shift")}
    staff_ids = {person.id for person in instance.staff} if instance else None
    shift_ids = {shift.id for shift in instance.shifts} if instance else None
    roster: dict[tuple[str, int], tuple[str, ...]] = {}
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise reader.error(line, "row", f"{len(row)} fields, the header has {len(header)}")
        staff, day_text, shift = (row[column[name]].strip() for name in ("staff", "day", "shift"))
        if staff_ids is not None:
            reader.known(line, staff, "staff", staff_ids, "staff id")
        day = reader.day(line, day_text, "day", instance.days) if instance else reader.integer(line, day_text, "day")
        if shift and shift_ids is not None:
            reader.known(line, shift, "shift", shift_ids, "shift")
        roster[(staff, day)] = roster.get((staff, day), ()) + ((shift,) if shift else ())
    return roster


# ---------------------------------------------------------------------------------------- evaluation


def _as_shifts(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(item for item in value if item not in (None, ""))
    raise ValueError(f"roster value {value!r} is not a shift id")


def _plan(instance: Instance, roster: Mapping[tuple[str, int], object]) -> dict[str, list[tuple[str, ...]]]:
    """Each employee's shifts per day (a tuple, empty on a day off) after checking the roster's ids."""
    shift_ids = {shift.id for shift in instance.shifts}
    plan: dict[str, list[tuple[str, ...]]] = {person.id: [()] * instance.days for person in instance.staff}
    for key, value in roster.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"roster key {key!r} is not (staff, day)")
        staff, day = key
        if staff not in plan:
            raise ValueError(f"roster key {key!r}: {staff!r} is not a staff id of {instance.name}")
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day < instance.days:
            raise ValueError(f"roster key {key!r}: day {day!r} is outside the horizon 0..{instance.days - 1}")
        shifts = _as_shifts(value)
        unknown = [shift for shift in shifts if shift not in shift_ids]
        if unknown:
            raise ValueError(f"roster key {key!r}: {unknown[0]!r} is not a shift of {instance.name}")
        plan[staff][day] = shifts
    return plan


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(first, last) day of each maximal run of True."""
    runs, start = [], None
    for day, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = day
        elif not flag and start is not None:
            runs.append((start, day - 1))
            start = None
    return runs


def _days(first: int, last: int) -> str:
    return f"day {first}" if first == last else f"days {first}-{last}"


def _one_shift_a_day(staff: Staff, days: list[tuple[str, ...]], _: Instance) -> list[str]:
    return [f"rule 1 one shift a day: staff {staff.id} day {day}: {len(shifts)} shifts ({', '.join(shifts)})"
            for day, shifts in enumerate(days) if len(shifts) > 1]


def _successions(staff: Staff, days: list[tuple[str, ...]], instance: Instance) -> list[str]:
    forbidden = {shift.id: shift.forbidden_next for shift in instance.shifts}
    return [f"rule 2 forbidden succession: staff {staff.id} days {day}-{day + 1}: {first} then {second}"
            for day in range(len(days) - 1) for first in days[day] for second in days[day + 1]
            if second in forbidden[first]]


def _max_shifts(staff: Staff, days: list[tuple[str, ...]], _: Instance) -> list[str]:
    counts = Counter(shift for shifts in days for shift in shifts)
    return [f"rule 3 max shifts: staff {staff.id} shift {shift}: {counts[shift]} worked > max {limit}"
            for shift, limit in staff.max_shifts.items() if counts[shift] > limit]


def _total_minutes(staff: Staff, days: list[tuple[str, ...]], instance: Instance) -> list[str]:
    length = {shift.id: shift.minutes for shift in instance.shifts}
    total = sum(length[shift] for shifts in days for shift in shifts)
    if total > staff.max_total_min:
        return [f"rule 4 max total minutes: staff {staff.id}: {total} worked > max {staff.max_total_min}"]
    if total < staff.min_total_min:
        return [f"rule 4 min total minutes: staff {staff.id}: {total} worked < min {staff.min_total_min}"]
    return []


def _max_consecutive(staff: Staff, days: list[tuple[str, ...]], _: Instance) -> list[str]:
    return [f"rule 5 max consecutive shifts: staff {staff.id} {_days(a, b)}: {b - a + 1} worked days in a row"
            f" > max {staff.max_consecutive}"
            for a, b in _runs([bool(shifts) for shifts in days]) if b - a + 1 > staff.max_consecutive]


def _inner_runs(flags: list[bool]) -> list[tuple[int, int]]:
    """Runs with the other kind of day on both sides inside the horizon (not touching day 0 or the last)."""
    return [(a, b) for a, b in _runs(flags) if a > 0 and b < len(flags) - 1]


def _min_consecutive(staff: Staff, days: list[tuple[str, ...]], _: Instance) -> list[str]:
    return [f"rule 6 min consecutive shifts: staff {staff.id} {_days(a, b)}: {b - a + 1} worked days in a row"
            f" < min {staff.min_consecutive}"
            for a, b in _inner_runs([bool(shifts) for shifts in days]) if b - a + 1 < staff.min_consecutive]


def _min_days_off(staff: Staff, days: list[tuple[str, ...]], _: Instance) -> list[str]:
    return [f"rule 7 min consecutive days off: staff {staff.id} {_days(a, b)}: {b - a + 1} days off in a row"
            f" < min {staff.min_consecutive_off}"
            for a, b in _inner_runs([not shifts for shifts in days]) if b - a + 1 < staff.min_consecutive_off]


def _weekends(staff: Staff, days: list[tuple[str, ...]], _: Instance) -> list[str]:
    worked = [saturday for saturday in range(5, len(days), 7)
              if any(days[day] for day in (saturday, saturday + 1) if day < len(days))]
    if len(worked) <= staff.max_weekends:
        return []
    listed = ", ".join(_days(day, min(day + 1, len(days) - 1)) for day in worked)
    return [f"rule 8 max weekends: staff {staff.id}: {len(worked)} weekends worked ({listed})"
            f" > max {staff.max_weekends}"]


def _fixed_days_off(staff: Staff, days: list[tuple[str, ...]], instance: Instance) -> list[str]:
    return [f"rule 9 fixed day off: staff {staff.id} day {day}: works {', '.join(days[day])}"
            for day in instance.days_off[staff.id] if days[day]]


HARD_RULES = (_one_shift_a_day, _successions, _max_shifts, _total_minutes, _max_consecutive, _min_consecutive,
              _min_days_off, _weekends, _fixed_days_off)


def _penalties(instance: Instance, plan: dict[str, list[tuple[str, ...]]]) -> dict[str, int]:
    on = sum(r.weight for r in instance.on_requests if r.shift not in plan[r.staff][r.day])
    off = sum(r.weight for r in instance.off_requests if r.shift in plan[r.staff][r.day])
    working = Counter((day, shift) for days in plan.values() for day, shifts in enumerate(days) for shift in shifts)
    under = sum(c.under_weight * max(0, c.requirement - working[c.day, c.shift]) for c in instance.cover)
    over = sum(c.over_weight * max(0, working[c.day, c.shift] - c.requirement) for c in instance.cover)
    return {"on_requests": on, "off_requests": off, "cover_under": under, "cover_over": over}


def evaluate(instance: Instance, roster: Mapping[tuple[str, int], object]) -> Evaluation:
    """Judge ``roster`` {(staff id, day): shift id} against ``instance``; a missing key is a day off.

    A value may also be None or "" (day off) or a collection of shift ids (more than one breaks rule 1;
    each assignment then counts for cover, minutes and limits). Violations come per employee in the
    instance's order, by rule number, then by day. ValueError on ids or days that are not the instance's.
    """
    plan = _plan(instance, roster)
    violations = tuple(message for staff in instance.staff for rule in HARD_RULES
                       for message in rule(staff, plan[staff.id], instance))
    penalties = _penalties(instance, plan)
    return Evaluation(objective=sum(penalties.values()), penalties=penalties, violations=violations,
                      feasible=not violations)


# ---------------------------------------------------------------------------------------- command line


def _resolve(name: str, folder: Path) -> Path:
    for candidate in (Path(name), folder / name, folder / f"{name}.txt"):
        if candidate.is_file():
            return candidate
    raise ValueError(f"{name}: INSTANCE_FILE: no such file, nor {folder / name}(.txt)")


def describe(instance: Instance) -> str:
    """One line with the instance's sizes."""
    s = sizes(instance)
    return (f"{instance.name}: {s['days']} days, {s['employees']} employees, {s['shift_types']} shift types, "
            f"{s['fixed_days_off']} fixed days off, {s['on_requests']} on-requests, {s['off_requests']} off-requests, "
            f"{s['cover_rows']} cover rows, {s['binary_x']} binary x(e,d,s)")


def report(evaluation: Evaluation, best: tuple[int, int] | None) -> str:
    """The evaluation as text: objective and its parts, the gap to the best known, the breaches."""
    p = evaluation.penalties
    lines = [f"objective {evaluation.objective} = " + " + ".join(f"{key} {p[key]}" for key in PENALTY_KEYS)]
    if best:
        gap = evaluation.objective - best[0]
        share = f" ({100.0 * gap / best[0]:.2f}%)" if best[0] else ""
        lines.append(f"best known {best[0]} (lower bound {best[1]}): gap {gap}{share}")
    if evaluation.feasible:
        lines.append("feasible: yes")
    else:
        lines.append(f"feasible: no, {len(evaluation.violations)} hard-rule breaches:")
        lines.extend(f"  {message}" for message in evaluation.violations)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instance", nargs="?", metavar="INSTANCE_FILE", help="file, or name in --dir (Instance7)")
    parser.add_argument("roster", nargs="?", metavar="ROSTER_CSV", help="columns staff,day,shift")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="benchmark folder (default: %(default)s)")
    parser.add_argument("--selftest", action="store_true", help="run the built-in checks")
    args = parser.parse_args(argv)
    if args.selftest:
        return selftest(args.dir)
    if args.instance is None:
        parser.error("INSTANCE_FILE is required (or --selftest)")
    try:
        path = _resolve(args.instance, args.dir)
        instance = read_instance(path)
        print(describe(instance))
        if args.roster is None:
            return 0
        evaluation = evaluate(instance, read_roster_csv(args.roster, instance))
        known_file = path.parent / "best_known.csv"
        best = read_best_known(known_file).get(instance.name) if known_file.is_file() else None
    except ValueError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    print(report(evaluation, best))
    return 0 if evaluation.feasible else 1


# ---------------------------------------------------------------------------------------- selftest

# Copied from the benchmark README's size table: days, employees, shift types, fixed days off,
# on-requests, off-requests, cover rows, binary x(e,d,s).
README_SIZES = {
    1: (14, 8, 1, 8, 21, 5, 14, 112), 2: (14, 14, 2, 14, 50, 12, 28, 392), 3: (14, 20, 3, 20, 39, 25, 42, 840),
    4: (28, 10, 2, 20, 52, 19, 56, 560), 5: (28, 16, 2, 32, 79, 27, 56, 896), 6: (28, 18, 3, 36, 87, 48, 84, 1512),
    7: (28, 20, 3, 40, 104, 64, 84, 1680), 8: (28, 30, 4, 60, 139, 86, 112, 3360),
    9: (28, 36, 4, 72, 144, 88, 112, 4032), 10: (28, 40, 5, 80, 210, 74, 140, 5600),
    11: (28, 50, 6, 100, 197, 139, 168, 8400), 12: (28, 60, 10, 120, 294, 128, 280, 16800),
    13: (28, 120, 18, 240, 589, 252, 504, 60480), 14: (42, 32, 4, 128, 266, 93, 168, 5376),
    15: (42, 45, 6, 180, 350, 140, 252, 11340), 16: (56, 20, 3, 120, 177, 103, 168, 3360),
    17: (56, 32, 4, 160, 351, 129, 224, 7168), 18: (84, 22, 3, 176, 322, 92, 252, 5544),
    19: (84, 40, 5, 320, 587, 247, 420, 16800), 20: (182, 50, 6, 900, 1665, 653, 1092, 54600),
    21: (182, 100, 8, 1800, 3210, 1492, 1456, 145600), 22: (364, 50, 10, 1800, 3253, 1385, 3640, 182000),
    23: (364, 100, 16, 3600, 6549, 2861, 5824, 582400), 24: (364, 150, 32, 5400, 9540, 4269, 11648, 1747200),
}

# Hard rules only (no requests, no cover: every objective is 0). Days 5-6 and 12-13 are weekends.
# P: at most 6 E and 3 L, 1920..4800 min, 2..3 days in a row, >= 2 days off in a row, 1 weekend, day 9 off.
# R: only its 2000-minute maximum binds. S: only its minimum of 3 days off in a row binds (minimum 1 worked day).
# L may not be followed by E the next day.
RULES_TEXT = """\
# hand-made: one employee per rule family
SECTION_HORIZON
14

SECTION_SHIFTS
E,480,
L,600,E

SECTION_STAFF
P,E=6|L=3,4800,1920,3,2,2,1
R,E=14|L=14,2000,0,14,1,1,2
S,E=14|L=14,9999,0,14,1,3,2

SECTION_DAYS_OFF
P,9

SECTION_SHIFT_ON_REQUESTS

SECTION_SHIFT_OFF_REQUESTS

SECTION_COVER
"""


def _p(pattern: str, staff: str = "P") -> dict[tuple[str, int], tuple[str, ...]]:
    """One employee's 14 days written as a string: '.' off, 'E'/'L' a shift, '[EL]' two shifts on one day."""
    cells = re.findall(r"\[[A-Z]+\]|[A-Z.]", pattern)
    assert len(cells) == 14, pattern
    return {(staff, day): tuple(cell.strip("[]")) for day, cell in enumerate(cells) if cell != "."}


# A feasible base for P: EEE..EE...LL.. (5 E + 2 L = 3600 min; weekend 1 worked; day 9 off).
RULE_CASES = (
    ("base feasible", _p("EEE..EE...LL.."), []),
    ("boundary: 1-day blocks at day 0 and day 13 exempt from rule 6", _p("E..EE..EE....L"), []),
    ("boundary: 1-day off blocks at day 0 and day 13 exempt from rule 7", _p(".EEE......EEE."), []),
    ("boundary: L on the last day has no next day; L, day off, E is allowed", _p("EEE....LL..EEL"), []),
    ("rule 1", _p("EEE..EE...[EL]L.."),
     ["rule 1 one shift a day: staff P day 10: 2 shifts (E, L)"]),
    ("rule 2", _p("LEE..EE...LL.."),
     ["rule 2 forbidden succession: staff P days 0-1: L then E"]),
    ("rule 3", _p("EEE..LL...LL.."),
     ["rule 3 max shifts: staff P shift L: 4 worked > max 3"]),
    ("rule 4 min", _p("EEE..........."),
     ["rule 4 min total minutes: staff P: 1440 worked < min 1920"]),
    ("rule 4 max", {**_p("EEE..EE...LL.."), **{("R", day): "E" for day in range(5)}},
     ["rule 4 max total minutes: staff R: 2400 worked > max 2000"]),
    ("rule 5 (a block touching day 0 is not exempt)", _p("EEEE......LL.."),
     ["rule 5 max consecutive shifts: staff P days 0-3: 4 worked days in a row > max 3"]),
    ("rule 6", _p("EEE..E....LL.."),
     ["rule 6 min consecutive shifts: staff P day 5: 1 worked days in a row < min 2"]),
    ("rule 6 twice", _p("EEE..E..E....."),
     ["rule 6 min consecutive shifts: staff P day 5: 1 worked days in a row < min 2",
      "rule 6 min consecutive shifts: staff P day 8: 1 worked days in a row < min 2"]),
    ("rule 7", _p("EEE.EEE...LL.."),
     ["rule 7 min consecutive days off: staff P day 3: 1 days off in a row < min 2"]),
    ("rule 7 with a minimum of 3 (1-day work block allowed by a minimum of 1)", {**_p("EEE..EE...LL.."),
                                                                                **_p("EE..E...EE....", "S")},
     ["rule 7 min consecutive days off: staff S days 2-3: 2 days off in a row < min 3"]),
    ("rule 8 (Sunday alone counts)", _p("EEE...EE.....L"),
     ["rule 8 max weekends: staff P: 2 weekends worked (days 5-6, days 12-13) > max 1"]),
    ("rule 9", _p("EEE..EE..LLL.."),
     ["rule 9 fixed day off: staff P day 9: works L"]),
    ("every breach listed", _p("EEEEEEEEEEEEEE"),
     ["rule 3 max shifts: staff P shift E: 14 worked > max 6",
      "rule 4 max total minutes: staff P: 6720 worked > max 4800",
      "rule 5 max consecutive shifts: staff P days 0-13: 14 worked days in a row > max 3",
      "rule 8 max weekends: staff P: 2 weekends worked (days 5-6, days 12-13) > max 1",
      "rule 9 fixed day off: staff P day 9: works E"]),
)

# Penalties only (lenient staff). On: A0E 2, A1L 3, B2E 4. Off: A3E 5, B4L 6, A4E 1.
REQUESTS_TEXT = """\
SECTION_HORIZON
7
SECTION_SHIFTS
E,480,
L,480,
SECTION_STAFF
A,E=7|L=7,3360,0,7,1,1,1
B,E=7|L=7,3360,0,7,1,1,1
SECTION_DAYS_OFF
SECTION_SHIFT_ON_REQUESTS
A,0,E,2
A,1,L,3
B,2,E,4
SECTION_SHIFT_OFF_REQUESTS
A,3,E,5
B,4,L,6
A,4,E,1
SECTION_COVER
"""

# Cover only, with non-default weights; day 1 shift L has no cover row, so it costs nothing either way.
COVER_TEXT = """\
SECTION_HORIZON
2
SECTION_SHIFTS
E,480,
L,480,
SECTION_STAFF
A,E=2|L=2,960,0,2,1,1,0
B,E=2|L=2,960,0,2,1,1,0
C,E=2|L=2,960,0,2,1,1,0
SECTION_DAYS_OFF
SECTION_SHIFT_ON_REQUESTS
SECTION_SHIFT_OFF_REQUESTS
SECTION_COVER
0,E,2,100,1
0,L,0,100,1
1,E,1,50,3
"""

PENALTY_CASES = (
    # (text, roster, on, off, under, over)
    (REQUESTS_TEXT, {}, 9, 0, 0, 0),
    (REQUESTS_TEXT, {("A", 0): "E", ("A", 1): "E", ("B", 2): "E"}, 3, 0, 0, 0),
    (REQUESTS_TEXT, {("A", 0): "E", ("A", 1): "L", ("B", 2): "E", ("A", 3): "E", ("B", 4): "E", ("A", 4): "L"},
     0, 5, 0, 0),
    (REQUESTS_TEXT, {("A", 0): "E", ("A", 1): "L", ("B", 2): "E", ("A", 3): "E", ("B", 4): "L", ("A", 4): "E"},
     0, 12, 0, 0),
    (COVER_TEXT, {}, 0, 0, 2 * 100 + 50, 0),
    (COVER_TEXT, {("A", 0): "E", ("B", 0): "L", ("C", 0): "L", ("A", 1): "E", ("B", 1): "E", ("C", 1): "E"},
     0, 0, 100, 2 + 6),
    (COVER_TEXT, {("A", 0): "E", ("B", 0): "E", ("C", 0): "E", ("A", 1): "L", ("B", 1): "L", ("C", 1): "L"},
     0, 0, 50, 1),
)

# Malformed files: (change to RULES_TEXT as (old, new), expected start of the message after the file name).
BAD_CASES = (
    ("E,480,\r\n", "E,4x0,\r\n", "line 6: Length: '4x0' is not an integer"),
    ("L,600,E", "L,600,N", "line 7: ForbiddenNext: 'N' is not a shift"),
    ("L,600,E", "L,600", "line 7: ForbiddenNext: 2 comma-separated fields, expected 3"),
    ("P,E=6|L=3,", "P,E=6,", "line 10: MaxShifts: no limit for shift(s) L"),
    ("P,E=6|L=3,", "P,E6|L=3,", "line 10: MaxShifts: 'E6' is not shift=limit"),
    ("4800,1920,3,2,2,1", "4800,1920,3,2,2", "line 10: MaxWeekends: 7 comma-separated fields, expected 8"),
    ("4800,1920,3,2,2,1", "4800,1920,3,-2,2,1", "line 10: MinConsecutiveShifts: -2 is below 0"),
    ("P,9", "P,14", "line 15: DayIndexes: day 14 is outside the horizon 0..13"),
    ("P,9", "Q,9", "line 15: EmployeeID: 'Q' is not a staff id"),
    ("SECTION_COVER\r\n", "SECTION_COVER\r\n0,E,1,100\r\n", "line 22: WeightForOver: 4 comma-separated fields"),
    ("SECTION_COVER\r\n", "SECTION_COVER\r\n0,X,1,100,1\r\n", "line 22: ShiftID: 'X' is not a shift"),
    ("SECTION_COVER\r\n", "SECTION_COVER\r\n0,E,1,100,1\r\n0,E,2,100,1\r\n", "line 23: Day: a second cover row"),
    ("SECTION_SHIFT_ON_REQUESTS\r\n", "SECTION_SHIFT_ON_REQUESTS\r\nP,3,E\r\n",
     "line 18: Weight: 3 comma-separated fields"),
    ("SECTION_SHIFT_OFF_REQUESTS\r\n", "SECTION_SHIFT_OFF_REQUESTS\r\nP,-1,E,2\r\n", "line 20: Day: -1 is below 0"),
    ("SECTION_COVER\r\n", "", "line 20: section: SECTION_COVER missing"),
    ("SECTION_COVER\r\n", "SECTION_COVERS\r\n", "line 21: section: unknown section 'SECTION_COVERS'"),
    ("# hand-made: one employee per rule family\r\n", "14\r\n", "line 1: section: data before the first SECTION_"),
    ("14\r\n", "14\r\n15\r\n", "line 4: horizon: 2 rows, expected 1"),
    ("R,E=14", "P,E=14", "line 11: ID: 'P' defined twice"),
)


class _Checks:
    def __init__(self) -> None:
        self.passed, self.failed = 0, []

    def expect(self, what: str, got: object, want: object) -> None:
        if got == want:
            self.passed += 1
        else:
            self.failed.append(f"{what}: got {got!r}, expected {want!r}")


def _readme_sizes(text: str) -> dict[int, tuple[int, ...]]:
    """The rows '| InstanceN | 8 numbers |' of the benchmark README."""
    table = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 9 and re.fullmatch(r"Instance\d+", cells[0]) and all(c.isdigit() for c in cells[1:]):
            table[int(cells[0].removeprefix("Instance"))] = tuple(int(cell) for cell in cells[1:])
    return table


def _check_instances(checks: _Checks, folder: Path) -> None:
    readme = folder / "README.md"
    if readme.is_file():
        checks.expect("README size table = the copy in this file", _readme_sizes(_read_text(readme)), README_SIZES)
    else:
        checks.failed.append(f"{readme}: not found, so the size table could not be compared")
    for number, want in README_SIZES.items():
        instance = read_instance(folder / f"Instance{number}.txt")
        checks.expect(f"Instance{number} sizes", tuple(sizes(instance).values()), want)
    best = read_best_known(folder / "best_known.csv")
    checks.expect("best_known.csv instances", sorted(best), sorted(f"Instance{n}" for n in README_SIZES))
    checks.expect("best_known Instance1", best["Instance1"], (607, 607))
    checks.expect("best_known Instance24", best["Instance24"], (40439, 40438))


def _check_empty_instance1(checks: _Checks, folder: Path) -> None:
    instance = read_instance(folder / "Instance1.txt")
    result = evaluate(instance, {})
    formula = sum(c.requirement * c.under_weight for c in instance.cover) + sum(r.weight for r in instance.on_requests)
    checks.expect("empty Instance1 = sum(requirement*under) + on weights", result.objective, formula)
    checks.expect("empty Instance1 by hand: 71 people short x 100 + 37", result.objective, 7137)
    checks.expect("empty Instance1 violations", result.violations,
                  tuple(f"rule 4 min total minutes: staff {s}: 0 worked < min 3360" for s in "ABCDEFGH"))


def _check_hand_cases(checks: _Checks) -> None:
    rules = parse_instance(RULES_TEXT.replace("\n", "\r\n"), name="rules")
    checks.expect("CRLF and LF read alike", parse_instance(RULES_TEXT, name="rules"), rules)
    for what, roster, want in RULE_CASES:
        result = evaluate(rules, roster)
        checks.expect(f"{what}: violations", list(result.violations), want)
        checks.expect(f"{what}: objective", (result.objective, result.feasible), (0, not want))
    for text, roster, *want in PENALTY_CASES:
        instance = parse_instance(text, name="penalties")
        result = evaluate(instance, roster)
        checks.expect(f"penalties of {roster}", list(result.penalties.values()), want)
        checks.expect(f"objective of {roster}", result.objective, sum(want))
        checks.expect(f"feasible {roster}", result.violations, ())
    for old, new, want in BAD_CASES:
        text = RULES_TEXT.replace("\n", "\r\n")
        checks.expect(f"malformed case {old!r} applies", old in text, True)
        try:
            parse_instance(text.replace(old, new, 1), name="bad", source="bad.txt")
            checks.expect(f"malformed {new!r}", "read without error", f"bad.txt: {want}")
        except ValueError as exc:
            checks.expect(f"malformed {new!r}", str(exc)[: len(want) + 9], f"bad.txt: {want}")
    for key, value in ((("Z", 0), "E"), (("P", 14), "E"), (("P", 0), "X"), (("P", "0"), "E")):
        try:
            evaluate(rules, {key: value})
            checks.expect(f"roster {key}: {value} rejected", "accepted", "ValueError")
        except ValueError:
            checks.passed += 1


def _run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _check_cli(checks: _Checks) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "Tiny.txt").write_text(RULES_TEXT)
        (folder / "best_known.csv").write_text("instance,best_known_objective,lower_bound,source\nTiny,0,0,hand\n")
        (folder / "ok.csv").write_text("staff,day,shift\nP,0,E\nP,1,E\nP,2,E\nP,5,E\nP,6,E\nP,10,L\nP,11,L\nR,3,\n")
        (folder / "two.csv").write_text("staff,day,shift\nP,0,E\nP,0,L\n")
        (folder / "bad.csv").write_text("staff,day,shift\nP,0,E\nP,x,E\n")
        code, out, _ = _run_cli(["Tiny", str(folder / "ok.csv"), "--dir", tmp])
        checks.expect("cli feasible roster", (code, out.splitlines()[1:]),
                      (0, ["objective 0 = on_requests 0 + off_requests 0 + cover_under 0 + cover_over 0",
                           "best known 0 (lower bound 0): gap 0", "feasible: yes"]))
        code, out, _ = _run_cli([str(folder / "Tiny.txt"), str(folder / "two.csv")])
        checks.expect("cli two shifts a day", (code, out.splitlines()[3:]),
                      (1, ["feasible: no, 2 hard-rule breaches:",
                           "  rule 1 one shift a day: staff P day 0: 2 shifts (E, L)",
                           "  rule 4 min total minutes: staff P: 1080 worked < min 1920"]))
        code, out, err = _run_cli([str(folder / "Tiny.txt"), str(folder / "bad.csv")])
        checks.expect("cli malformed roster", (code, err),
                      (2, f"Error: {folder / 'bad.csv'}: line 3: day: 'x' is not an integer\n"))
        code, _, err = _run_cli(["NoSuchInstance", "--dir", tmp])
        checks.expect("cli missing instance", code, 2)


def selftest(folder: Path) -> int:
    """Run every check; print the failures and a one-line summary; 0 when all pass, 1 on a failure, 2 no folder."""
    checks = _Checks()
    folder = folder.resolve()
    if not (folder / "Instance1.txt").is_file():
        print(f"Error: {folder}: --dir: no Instance1.txt there (the benchmark folder)", file=sys.stderr)
        return 2
    _check_instances(checks, folder)
    _check_empty_instance1(checks, folder)
    _check_hand_cases(checks)
    _check_cli(checks)
    for failure in checks.failed:
        print(f"FAIL {failure}")
    print(f"selftest: {checks.passed} checks passed, {len(checks.failed)} failed ({folder})")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
