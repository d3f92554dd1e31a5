"""The CSV files of the centre folder and of the CONTRACT: columns, readers, checks.

Every reader names the file, the line number (the header is line 1) and the column of the
first problem it finds, through :class:`staffing.errors.InputError`. Files must be UTF-8;
the byte-order mark that Excel's "CSV UTF-8" writes is accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from staffing.errors import InputError

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class Columns:
    """The columns a CSV file must have, may have, and the prefix of free note columns."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    note_prefix: str = "note"


AGENTS = Columns(("agent", "team", "line"), ("name", "skills", "contract_hours", "start_date", "end_date",
                                             "max_shifts", "min_hours", "max_hours", "max_consecutive_days",
                                             "min_consecutive_days", "min_consecutive_days_off", "max_weekends"))
REQUESTS = Columns(("agent", "date", "kind"), ("shift", "weight"))
SHIFT_COVER = Columns(("date", "shift", "required"), ("under_weight", "over_weight"))
HISTORY = Columns(("line", "start", "contacts"), ("traffic",))
EVENTS = Columns(("name", "start", "end", "traffic"), ("day",))
CALENDAR = Columns(("date", "kind"), ("name",))


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its line number in the file and its cells by column name."""

    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


def read_text(path: Path) -> str:
    """The file's text, or an :class:`InputError` for a missing, empty or non-UTF-8 file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, None, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, None, None, "is a folder, not a file") from None
    if data.startswith(UTF16_BOMS):
        raise InputError(path, 1, "encoding", "file is UTF-16; save it as UTF-8 (Excel: 'CSV UTF-8')")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            path, line, "encoding",
            f"not UTF-8 (byte 0x{data[error.start]:02x}, GBK?); save the file as UTF-8 (Excel: 'CSV UTF-8')",
        ) from None
    if "\ufeff" in text:
        line = text.count("\n", 0, text.index("\ufeff")) + 1
        raise InputError(path, line, "encoding", "stray byte-order mark inside the file (two files pasted together?)")
    if not text.strip():
        raise InputError(path, None, None, "file is empty")
    return text


def read_rows(path: Path, columns: Columns) -> Iterator[Row]:
    """Rows of a CSV file with its header checked against ``columns``; blank lines skipped."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as error:
        raise InputError(path, 1, None, f"not a CSV header: {error}") from None
    seen: set[str] = set()
    known = columns.required + columns.optional
    for name in header:
        if name in seen:
            raise InputError(path, 1, name, "column appears twice")
        seen.add(name)
        if name not in known and not name.startswith(columns.note_prefix):
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"expected {', '.join(known)}"
            raise InputError(path, 1, name or "(blank)", f"unknown column; {hint} "
                             f"(free columns must start with {columns.note_prefix!r})")
    for name in columns.required:
        if name not in seen:
            raise InputError(path, 1, name, f"missing column (header needs {', '.join(columns.required)})")
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InputError(path, reader.line_num, None, f"malformed CSV: {error}") from None
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise InputError(path, reader.line_num, None,
                             f"row has {len(cells)} fields, the header has {len(header)}")
        yield Row(reader.line_num, dict(zip(header, cells)))


# --- cell parsers: raise InputError naming the row and column ------------------------------


def cell(path: Path, row: Row, column: str, parse: Callable[[str], Any], *, required: bool = True) -> Any:
    """Parse one cell; an empty optional cell gives ``None``."""
    text = row.get(column)
    if not text:
        if required:
            raise InputError(path, row.line, column, "missing value")
        return None
    try:
        return parse(text)
    except ValueError as error:
        raise InputError(path, row.line, column, str(error)) from None


def parse_date_text(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def parse_datetime_text(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a local date-time (YYYY-MM-DDTHH:MM)") from None
    if value.tzinfo is not None:
        raise ValueError(f"{text!r} has a time zone; write the centre's local time")
    return value


def non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    if value < 0:
        raise ValueError(f"{text} is negative")
    return value


# --- CONTRACT tables the product writes (and reads back) ----------------------------------

FORECAST = Columns(("line", "start", "end", "contacts"), ("low", "high"))


def format_datetimes(series):
    """ISO 8601 local time to the minute, as the CONTRACT writes every datetime."""
    return series.dt.strftime("%Y-%m-%dT%H:%M")


def write_table(frame, path: Path, columns: list[str]) -> None:
    """Write a CONTRACT table atomically: datetimes as ``YYYY-MM-DDTHH:MM``, nothing else changed."""
    import pandas as pd

    from staffing.io import atomic_write

    out = frame[columns].copy()
    for name in columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = format_datetimes(out[name])
    with atomic_write(path) as handle:
        out.to_csv(handle, index=False, lineterminator="\n")


def _interval_row(path: Path, row: Row, known: set[str]) -> tuple[str, object, object]:
    """The ``line,start,end`` of a CONTRACT interval row: a known line, end after start."""
    line = cell(path, row, "line", lambda t: t)
    if line not in known:
        raise InputError(path, row.line, "line", f"{line!r} is not a line in centre.toml ({', '.join(sorted(known))})")
    start = cell(path, row, "start", parse_datetime_text)
    end = cell(path, row, "end", parse_datetime_text)
    if end <= start:
        raise InputError(path, row.line, "end", f"{end.isoformat(timespec='minutes')} is not after start")
    return line, start, end


def _interval_frame(path: Path, records: list[tuple], columns: list[str]):
    """Rows (with their line number last) as a frame sorted by line and start, refusing an
    empty file and intervals of one line that overlap."""
    import pandas as pd

    if not records:
        raise InputError(path, None, None, "no rows (only a header)")
    frame = pd.DataFrame.from_records(records, columns=[*columns, "row"])
    frame = frame.sort_values(["line", "start"], kind="stable").reset_index(drop=True)
    overlap = frame["line"].eq(frame["line"].shift()) & (frame["start"] < frame["end"].shift())
    if overlap.any():
        at = frame[overlap].iloc[0]
        raise InputError(path, int(at["row"]), "start",
                         f"{at['start'].isoformat(timespec='minutes')} overlaps the previous interval "
                         f"of line {at['line']}")
    return frame.drop(columns="row")


def read_forecast(path: Path, lines: Iterable[str]):
    """A ``forecast.csv`` (the product's or a hand-made one), checked row by row.

    ``low``/``high`` are optional; where given they must bracket ``contacts``. Intervals of a
    line must not overlap and must end after they start.
    """
    known = set(lines)
    records = []
    for row in read_rows(path, FORECAST):
        line, start, end = _interval_row(path, row, known)
        contacts = cell(path, row, "contacts", non_negative)
        low = cell(path, row, "low", non_negative, required=False)
        high = cell(path, row, "high", non_negative, required=False)
        if low is not None and low > contacts + 1e-9:
            raise InputError(path, row.line, "low", f"{low:g} is above contacts {contacts:g}")
        if high is not None and high < contacts - 1e-9:
            raise InputError(path, row.line, "high", f"{high:g} is below contacts {contacts:g}")
        records.append((line, start, end, contacts, low, high, row.line))
    return _interval_frame(path, records, ["line", "start", "end", "contacts", "low", "high"])


REQUIREMENTS = Columns(("line", "start", "end", "required"),
                       ("floor", "contacts", "rate_per_hour", "service_level", "p_abandon", "avg_wait_s", "occupancy",
                        "binding", "service_day", "day_contacts", "day_min_agents", "day_binding",
                        "required_k_servers"))


def read_requirements(path: Path, lines: Iterable[str]):
    """A ``requirements.csv`` (the product's, or hand-made: ``line,start,end,required[,floor]``).

    Returns ``line,start,end,required,floor,day_min_agents,contacts`` (``floor``,
    ``day_min_agents`` and ``contacts`` are NaN where the file has none; the roster fills in
    the line's ``min_agents`` and no daily minimum; ``contacts``, the evidence column, lets
    ``staffing check`` predict service targets without a forecast).
    """
    known = set(lines)
    records = []
    for row in read_rows(path, REQUIREMENTS):
        line, start, end = _interval_row(path, row, known)
        required = cell(path, row, "required", whole)
        floor = cell(path, row, "floor", whole, required=False)
        day_min = cell(path, row, "day_min_agents", whole, required=False)
        contacts = cell(path, row, "contacts", non_negative, required=False)
        if floor is not None and floor > required:
            raise InputError(path, row.line, "floor", f"{floor} is above required {required}")
        records.append((line, start, end, required, floor, day_min, contacts, row.line))
    frame = _interval_frame(path, records, ["line", "start", "end", "required", "floor", "day_min_agents", "contacts"])
    frame["contacts"] = frame["contacts"].astype(float)
    return frame


def whole(text: str) -> int:
    """A non-negative whole number (``3`` or ``3.0``)."""
    value = non_negative(text)
    if value != int(value):
        raise ValueError(f"{text!r} is not a whole number")
    return int(value)


ROSTER = Columns(("agent", "team", "line", "date", "activity", "code", "start", "end"))
ACTIVITIES = ("shift", "meal", "break", "meeting", "leave", "rest")


def read_roster(path: Path, centre):
    """A ``roster.csv`` (the product's, or hand-edited in Excel and saved back as CSV).

    Every row names a known agent with the team and line agents.csv gives it, an ISO date,
    one of the CONTRACT activities, and ``start``/``end`` (required for shift, meal, break
    and meeting; optional for leave and rest, which default to the whole day) with end after
    start. Whether the rows keep the rules is ``staffing check``'s job, not the reader's.
    Returns the CONTRACT columns with ``date`` as dates and ``start``/``end`` as timestamps.
    """
    import pandas as pd

    agents = {agent.id: agent for agent in centre.agents}
    records = []
    for row in read_rows(path, ROSTER):
        name = cell(path, row, "agent", str)
        agent = agents.get(name)
        if agent is None:
            hint = difflib.get_close_matches(name, agents, n=1)
            raise InputError(path, row.line, "agent", f"{name!r} is not in agents.csv"
                             + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        team = cell(path, row, "team", str)
        if team != agent.team:
            raise InputError(path, row.line, "team", f"{team!r} but agents.csv puts {name} in team {agent.team}")
        line = cell(path, row, "line", str)
        if line != agent.line:
            raise InputError(path, row.line, "line", f"{line!r} but agents.csv puts {name} on line {agent.line}")
        day = cell(path, row, "date", parse_date_text)
        activity = cell(path, row, "activity", str)
        if activity not in ACTIVITIES:
            raise InputError(path, row.line, "activity", f"{activity!r} is not one of {', '.join(ACTIVITIES)}")
        code = cell(path, row, "code", str, required=activity in ("shift", "leave"))
        timed = activity not in ("leave", "rest")
        start = cell(path, row, "start", parse_datetime_text, required=timed)
        end = cell(path, row, "end", parse_datetime_text, required=timed)
        if start is None or end is None:
            start = start or dt.datetime.combine(day, dt.time())
            end = end or dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        if end <= start:
            raise InputError(path, row.line, "end", f"{end.isoformat(timespec='minutes')} is not after start")
        records.append((name, team, line, day, activity, code or activity, start, end))
    if not records:
        raise InputError(path, None, None, "no rows (only a header)")
    frame = pd.DataFrame.from_records(records, columns=list(ROSTER.required))
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame
