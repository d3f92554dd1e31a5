"""``load_centre(folder)``: the only reader of a centre folder; every schema check lives here.

Two passes, kept apart: :func:`_parse_toml` turns ``centre.toml`` into validated plain
values (keyed by the TOML path, so an error names the key and its line), then the builders
make the frozen domain objects and check what spans several keys or files (a team's line
exists, dated overrides do not overlap, a meal window lies inside its shift, ...).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffing import frames
from staffing.calendar import WorkCalendar, check_no_overlap, date_range
from staffing.domain import (
    MINUTES_PER_DAY,
    WEEKDAYS,
    Agent,
    CalendarOverride,
    Centre,
    DatedHours,
    DayHours,
    Event,
    Line,
    LineHours,
    QueueParams,
    Request,
    Rules,
    ServiceTarget,
    ShiftCover,
    ShiftTemplate,
    Team,
    Weights,
    Window,
)
from staffing.errors import CalendarError, InputError
from staffing.schema import ID, TABLE, TOP_LEVEL, SchemaError, read_table, unknown_key_reason

log = logging.getLogger("staffing")

CENTRE_FILE = "centre.toml"
AGENTS_FILE = "agents.csv"
HISTORY_FILE = "history.csv"
EVENTS_FILE = "events.csv"
REQUESTS_FILE = "requests.csv"
SHIFT_COVER_FILE = "shift_cover.csv"
MAX_SHIFT_MIN = 16 * 60
MAX_TEAM_SIZE_HINT = 8


class TomlLocator:
    """Line numbers of the keys and tables of a TOML text, by dotted path.

    Arrays of tables are numbered (``lines.online.hours.dated[1]``); a path that is not
    found falls back to its nearest parent, so every error gets a line where possible.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        counts: dict[str, int] = {}
        table = ""
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                path = self._clean(header[2])
                parts = path.split(".")
                for end in range(1, len(parts)):
                    self.lines.setdefault(".".join(parts[:end]), number)
                if header[1] == "[[":
                    index = counts.get(path, 0)
                    counts[path] = index + 1
                    self.lines.setdefault(path, number)
                    path = f"{path}[{index}]"
                table = path
                self.lines.setdefault(table, number)
                continue
            key = self._KEY.match(line)
            if key:
                full = f"{table}.{self._clean(key[1])}" if table else self._clean(key[1])
                self.lines.setdefault(full, number)

    @staticmethod
    def _clean(dotted: str) -> str:
        return ".".join(part.strip().strip("\"'") for part in dotted.split("."))

    def line(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rsplit(".", 1)[0] if "." in path else ""
        return None


class _Toml:
    """The parsed ``centre.toml`` with its locator, raising located :class:`InputError`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        text = frames.read_text(path)
        self.locator = TomlLocator(text)
        try:
            self.data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            match = re.search(r"\(at line (\d+), column \d+\)", str(error))
            reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
            raise InputError(path, int(match[1]) if match else None, "syntax", reason) from None

    def error(self, where: str, reason: str) -> InputError:
        return InputError(self.path, self.locator.line(where), where, reason)

    def table(self, raw: Any, path: str, where: str, subtables: tuple[str, ...] = ()) -> dict[str, Any]:
        try:
            return read_table(raw, TABLE[path], where, subtables)
        except SchemaError as error:
            raise self.error(error.where, error.reason) from None

    def named_tables(self, name: str) -> dict[str, Any]:
        raw = self.data.get(name, {})
        if not isinstance(raw, Mapping):
            raise self.error(name, f"expected tables [{name}.<id>]")
        for ident, value in raw.items():
            if not re.fullmatch(ID, ident):
                raise self.error(f"{name}.{ident}", "id must be letters, digits, '_' or '-'")
            if not isinstance(value, Mapping):
                raise self.error(f"{name}.{ident}", "expected a table")
        return dict(raw)


def load_centre(folder: str | Path) -> Centre:
    """Read and validate a centre folder (``centre.toml``, ``agents.csv``, optional
    ``history.csv``, ``events.csv``, ``calendar.csv``, ``requests.csv`` and ``shift_cover.csv``).

    Raises
    ------
    InputError
        The first problem found, naming the file, the line and the field.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, None, None, "centre folder not found")
    toml = _Toml(folder / CENTRE_FILE)
    for name in toml.data:
        if name not in TOP_LEVEL:
            raise toml.error(name, unknown_key_reason(name, list(TOP_LEVEL)))
    centre_keys = toml.table(toml.data.get("centre", {}), "centre", "centre")
    slot_min = centre_keys["slot_min"]
    rules = _rules(toml)
    weights = Weights(**toml.table(toml.data.get("weights", {}), "weights", "weights"))
    calendar_keys = toml.table(toml.data.get("calendar", {}), "calendar", "calendar")
    history_keys = toml.table(toml.data.get("history", {}), "history", "history")
    overrides = _calendar_overrides(folder / calendar_keys["file"])
    calendar = WorkCalendar(overrides, calendar_keys["override_years"])
    lines = {ident: _line(toml, ident, raw, slot_min) for ident, raw in toml.named_tables("lines").items()}
    if not lines:
        raise toml.error("lines", "no lines: add at least one [lines.<id>] table")
    shifts = {code: _shift(toml, code, raw, lines, rules, slot_min)
              for code, raw in toml.named_tables("shifts").items()}
    teams = {ident: _team(toml, ident, raw, lines) for ident, raw in toml.named_tables("teams").items()}
    if not teams:
        raise toml.error("teams", "no teams: add at least one [teams.<id>] table")
    for line in lines.values():
        if not any(line.id in s.lines for s in shifts.values()):
            raise toml.error(f"lines.{line.id}", "no shift template may be worked on this line")
    for code, shift in shifts.items():
        for other in shift.not_followed_by:
            if other not in shifts:
                raise toml.error(f"shifts.{code}.not_followed_by", f"{other!r} is not a shift ({', '.join(shifts)})")
    agents = _agents(folder / AGENTS_FILE, lines, teams, shifts)
    requests = _requests(folder / REQUESTS_FILE, agents, shifts)
    shift_cover = _shift_cover(folder / SHIFT_COVER_FILE, shifts)
    history = _history(folder / HISTORY_FILE, lines, history_keys["interval_min"])
    events = _events(folder / EVENTS_FILE)
    _check_calendar_span(toml, lines, calendar, history, events)
    return Centre(
        folder=folder,
        name=centre_keys["name"],
        slot_min=slot_min,
        history_interval_min=history_keys["interval_min"],
        lines=lines,
        teams=teams,
        shifts=shifts,
        rules=rules,
        agents=agents,
        events=events,
        calendar_overrides=overrides,
        calendar_override_years=calendar_keys["override_years"],
        weights=weights,
        requests=requests,
        shift_cover=shift_cover,
        history=history,
    )


def _rules(toml: _Toml) -> Rules:
    values = toml.table(toml.data.get("rules", {}), "rules", "rules")
    rest_h = values.pop("min_rest_between_shifts_h")
    return Rules(
        max_away_per_team=values["max_away_per_team"],
        meal_min=values["meal_min"],
        break_min=values["break_min"],
        rest_days_per_month=values["rest_days_per_month"],
        max_consecutive_working_days=values["max_consecutive_working_days"],
        min_rest_between_shifts_min=round(rest_h * 60),
        leave_notice_working_days=values["leave_notice_working_days"],
        resignation_notice_months=values["resignation_notice_months"],
        max_on_leave_per_team_per_day=values["max_on_leave_per_team_per_day"],
        min_consecutive_working_days=values["min_consecutive_working_days"],
        min_consecutive_rest_days=values["min_consecutive_rest_days"],
        max_weekends_worked=values["max_weekends_worked"],
    )


def _on_grid(toml: _Toml, where: str, minutes: int, slot_min: int) -> None:
    if minutes % slot_min:
        raise toml.error(where, f"{minutes // 60 % 24:02d}:{minutes % 60:02d} is not on the "
                                f"{slot_min}-minute slot grid (centre.slot_min)")


def _hours_on_grid(toml: _Toml, where: str, hours: DayHours, slot_min: int) -> None:
    for window in hours.windows:
        _on_grid(toml, where, window.start_min, slot_min)
        _on_grid(toml, where, window.end_min, slot_min)


def _line(toml: _Toml, ident: str, raw: Mapping[str, Any], slot_min: int) -> Line:
    where = f"lines.{ident}"
    keys = toml.table(raw, "lines.<id>", where, ("hours", "target", "queue"))
    channel = keys["channel"]
    hours = _line_hours(toml, where, raw.get("hours", {}), slot_min)
    target_keys = toml.table(raw.get("target", {}), "lines.<id>.target", f"{where}.target")
    queue_keys = toml.table(raw.get("queue", {}), "lines.<id>.queue", f"{where}.queue")
    if "queue" not in raw:
        raise toml.error(f"{where}.queue", "missing table (needs at least handle_time_s)")
    voice = channel == "voice"
    answer_within_s = target_keys["answer_within_s"]
    if answer_within_s is None:
        answer_within_s = target_keys["answer_within_rings"] * target_keys["ring_cycle_s"] if voice else 45.0
    elif voice and "answer_within_rings" in raw.get("target", {}):
        raise toml.error(f"{where}.target.answer_within_s",
                         "give either answer_within_s or answer_within_rings, not both")
    target = ServiceTarget(
        service_level=target_keys["service_level"] or (0.80 if voice else 0.85),
        answer_within_s=answer_within_s,
        max_abandon_rate=target_keys["max_abandon_rate"],
        max_occupancy=target_keys["max_occupancy"],
        staff_to=target_keys["staff_to"],
        min_online_hours_peak=target_keys["min_online_hours_peak"],
    )
    concurrency = queue_keys["concurrency"] or (1 if voice else 3)
    if voice and concurrency != 1:
        raise toml.error(f"{where}.queue.concurrency", "a voice line holds one call per agent: must be 1")
    handle = queue_keys["handle_time_s"]
    by_level = queue_keys["handle_time_by_concurrency_s"]
    if by_level is None:
        by_level = tuple(handle * (1 + 0.25 * j) for j in range(concurrency))
    elif len(by_level) != concurrency:
        raise toml.error(f"{where}.queue.handle_time_by_concurrency_s",
                         f"needs {concurrency} values (one per chat held), got {len(by_level)}")
    elif by_level[0] != handle:
        raise toml.error(f"{where}.queue.handle_time_by_concurrency_s",
                         f"first value {by_level[0]:g} must equal handle_time_s {handle:g}")
    queue = QueueParams(
        handle_time_s=handle,
        patience_s=queue_keys["patience_s"] or (60.0 if voice else 120.0),
        concurrency=concurrency,
        handle_time_by_concurrency_s=tuple(by_level),
        daily_cap_per_agent=queue_keys["daily_cap_per_agent"] or None,
    )
    line = Line(id=ident, name=keys["name"] or ident, channel=channel, hours=hours, target=target,
                queue=queue, min_agents=keys["min_agents"])
    _check_hours_sequence(toml, line)
    return line


def _line_hours(toml: _Toml, where: str, raw: Any, slot_min: int) -> LineHours:
    where = f"{where}.hours"
    keys = toml.table(raw, "lines.<id>.hours", where, ("dated",))
    weekly: list[DayHours] = []
    for index, day in enumerate(WEEKDAYS):
        group = "weekdays" if index < 5 else "weekend"
        hours = keys[day] or keys[group] or keys["daily"]
        _hours_on_grid(toml, f"{where}.{day if keys[day] else group if keys[group] else 'daily'}", hours, slot_min)
        weekly.append(hours)
    rules: dict[str, DayHours | None] = {}
    for rule in ("holiday", "makeup_workday"):
        value = keys[rule]
        if isinstance(value, str):
            value = weekly[WEEKDAYS.index(value)]
        if isinstance(value, DayHours):
            _hours_on_grid(toml, f"{where}.{rule}", value, slot_min)
        rules[rule] = value
    dated_raw = raw.get("dated", []) if isinstance(raw, Mapping) else []
    if not isinstance(dated_raw, list):
        raise toml.error(f"{where}.dated", "expected an array of tables [[...hours.dated]]")
    dated: list[DatedHours] = []
    for index, item in enumerate(dated_raw):
        item_where = f"{where}.dated[{index}]"
        values = toml.table(item, "lines.<id>.hours.dated", item_where)
        end = values["end"] or values["start"]
        if end < values["start"]:
            raise toml.error(f"{item_where}.end", f"{end} is before start {values['start']}")
        _hours_on_grid(toml, f"{item_where}.hours", values["hours"], slot_min)
        for other_index, other in enumerate(dated):
            if values["start"] <= other.end and other.start <= end:
                raise toml.error(f"{item_where}.start", f"{values['start']}..{end} overlaps dated "
                                 f"override {other_index + 1} ({other.start}..{other.end})")
        dated.append(DatedHours(start=values["start"], end=end, hours=values["hours"], name=values["name"]))
    return LineHours(weekly=tuple(weekly), overrides=tuple(dated), on_holiday=rules["holiday"],
                     on_makeup_workday=rules["makeup_workday"])


class _NoCalendar(WorkCalendar):
    """Answers 'ordinary day' for every date: used to check the weekly pattern on its own."""

    def is_holiday(self, day: dt.date) -> bool:
        return False

    def is_makeup_workday(self, day: dt.date) -> bool:
        return False


def _check_hours_sequence(toml: _Toml, line: Line) -> None:
    """No service day may still be open when the next one opens (weekly pattern and dated)."""
    calendar = _NoCalendar()
    monday = dt.date(2024, 1, 1)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    for override in line.hours.overrides:
        days += date_range(override.start - dt.timedelta(days=1), override.end)
    for day in days:
        try:
            check_no_overlap(line, day, calendar)
        except ValueError as error:
            where = "hours.dated" if line.hours.overrides and day not in days[:7] else "hours"
            raise toml.error(f"lines.{line.id}.{where}", str(error).replace(" 2024-01-0", " weekday ")) from None


def _shift(toml: _Toml, code: str, raw: Mapping[str, Any], lines: Mapping[str, Line], rules: Rules,
           slot_min: int) -> ShiftTemplate:
    where = f"shifts.{code}"
    keys = toml.table(raw, "shifts.<code>", where)
    start, end = keys["start"], keys["end"]
    if end <= start:
        end += MINUTES_PER_DAY
    _on_grid(toml, f"{where}.start", start, slot_min)
    _on_grid(toml, f"{where}.end", end, slot_min)
    length = end - start
    if length > MAX_SHIFT_MIN:
        raise toml.error(f"{where}.end", f"shift is {length / 60:g} h long; at most 16 h")
    shift_lines = keys["lines"] if keys["lines"] is not None else tuple(lines)
    for line_id in shift_lines:
        if line_id not in lines:
            raise toml.error(f"{where}.lines", f"{line_id!r} is not a line ({', '.join(lines)})")
    meals = keys["meals"] if keys["meals"] is not None else int(length >= 360)
    breaks = keys["breaks"] if keys["breaks"] is not None else (2 if length >= 480 else 1 if length >= 240 else 0)
    meal_window: Window | None = keys["meal_window"]
    if meals and meal_window is None:
        raise toml.error(f"{where}.meal_window", "missing: the shift earns a meal, say when it may be taken")
    if meal_window is not None:
        # Place the window on the shift's own day: a window before the start is after midnight.
        if meal_window.start_min < start:
            meal_window = Window(start_min=meal_window.start_min + MINUTES_PER_DAY,
                                 end_min=meal_window.end_min + MINUTES_PER_DAY)
        _on_grid(toml, f"{where}.meal_window", meal_window.start_min, slot_min)
        _on_grid(toml, f"{where}.meal_window", meal_window.end_min, slot_min)
        if not (start <= meal_window.start_min and meal_window.end_min <= end):
            raise toml.error(f"{where}.meal_window", f"{meal_window} is not inside the shift "
                             f"{keys['start'] // 60:02d}:{keys['start'] % 60:02d}-{end // 60 % 24:02d}:{end % 60:02d}")
        if meal_window.minutes < rules.meal_min * meals:
            raise toml.error(f"{where}.meal_window", f"{meal_window} is shorter than the "
                             f"{rules.meal_min}-minute meal (rules.meal_min)")
    away = meals * rules.meal_min + breaks * rules.break_min
    room = length - keys["break_min_from_start_min"] - keys["break_min_from_end_min"]
    if breaks and room < breaks * rules.break_min:
        raise toml.error(f"{where}.breaks", f"{breaks} breaks do not fit between "
                         f"break_min_from_start_min and break_min_from_end_min")
    if away >= length:
        raise toml.error(f"{where}.breaks", "meals and breaks fill the whole shift")
    return ShiftTemplate(
        code=code, name=keys["name"] or code, start_min=start, end_min=end, lines=tuple(shift_lines),
        meals=meals, meal_window=meal_window, breaks=breaks,
        break_min_from_start_min=keys["break_min_from_start_min"],
        break_min_from_end_min=keys["break_min_from_end_min"],
        break_min_gap_min=keys["break_min_gap_min"],
        not_followed_by=tuple(keys["not_followed_by"]),
    )


def _team(toml: _Toml, ident: str, raw: Mapping[str, Any], lines: Mapping[str, Line]) -> Team:
    keys = toml.table(raw, "teams.<id>", f"teams.{ident}")
    if keys["line"] not in lines:
        raise toml.error(f"teams.{ident}.line", f"{keys['line']!r} is not a line ({', '.join(lines)})")
    return Team(id=ident, name=keys["name"] or ident, line=keys["line"], supervisor=keys["supervisor"])


def _calendar_overrides(path: Path) -> tuple[CalendarOverride, ...]:
    if not path.exists():
        return ()
    overrides: dict[dt.date, CalendarOverride] = {}
    for row in frames.read_rows(path, frames.CALENDAR):
        day = frames.cell(path, row, "date", frames.parse_date_text)
        kind = row.get("kind")
        if kind not in ("holiday", "workday"):
            raise InputError(path, row.line, "kind", f"{kind!r} is not 'holiday' or 'workday'")
        if day in overrides:
            raise InputError(path, row.line, "date", f"{day} appears twice")
        overrides[day] = CalendarOverride(date=day, kind=kind, name=row.get("name"))
    return tuple(overrides.values())


def _count(low: int, high: int) -> Any:
    """A parser of whole numbers in ``low..high`` for CSV cells."""
    def parse(text: str) -> int:
        value = frames.whole(text)
        if not low <= value <= high:
            raise ValueError(f"{value} is outside {low}..{high}")
        return value
    return parse


def _max_shifts(path: Path, row: frames.Row, shifts: Mapping[str, ShiftTemplate]) -> tuple[tuple[str, int], ...]:
    """``E:14;L:0``: the most shifts of each code the agent works in the horizon."""
    limits: dict[str, int] = {}
    for part in (p.strip() for p in row.get("max_shifts").split(";")):
        if not part:
            continue
        code, sep, number = part.partition(":")
        code = code.strip()
        if not sep or code not in shifts:
            raise InputError(path, row.line, "max_shifts",
                             f"{part!r}: write CODE:N pairs separated by ';' with codes of centre.toml "
                             f"({', '.join(shifts)})")
        if code in limits:
            raise InputError(path, row.line, "max_shifts", f"{code!r} appears twice")
        try:
            limits[code] = _count(0, 366)(number.strip())
        except ValueError as error:
            raise InputError(path, row.line, "max_shifts", f"{code}: {error}") from None
    return tuple(limits.items())


def _agents(path: Path, lines: Mapping[str, Line], teams: Mapping[str, Team],
            shifts: Mapping[str, ShiftTemplate]) -> tuple[Agent, ...]:
    agents: dict[str, Agent] = {}
    for row in frames.read_rows(path, frames.AGENTS):
        ident = frames.cell(path, row, "agent", lambda t: t)
        if not re.fullmatch(ID, ident):
            raise InputError(path, row.line, "agent", f"{ident!r}: use letters, digits, '_' or '-'")
        if ident in agents:
            raise InputError(path, row.line, "agent", f"{ident!r} appears twice")
        team = frames.cell(path, row, "team", lambda t: t)
        if team not in teams:
            raise InputError(path, row.line, "team", f"{team!r} is not a team in centre.toml ({', '.join(teams)})")
        line = frames.cell(path, row, "line", lambda t: t)
        if line not in lines:
            raise InputError(path, row.line, "line", f"{line!r} is not a line in centre.toml ({', '.join(lines)})")
        if teams[team].line != line:
            raise InputError(path, row.line, "line", f"{line!r} differs from team {team}'s line {teams[team].line!r}")
        skills = tuple(s.strip() for s in row.get("skills").split(";") if s.strip())
        for skill in skills:
            if skill not in lines:
                raise InputError(path, row.line, "skills", f"{skill!r} is not a line in centre.toml")
        hours = frames.cell(path, row, "contract_hours", frames.non_negative, required=False)
        if hours is not None and not 1 <= hours <= 84:
            raise InputError(path, row.line, "contract_hours", f"{hours:g} hours a week is outside 1..84")
        start = frames.cell(path, row, "start_date", frames.parse_date_text, required=False)
        end = frames.cell(path, row, "end_date", frames.parse_date_text, required=False)
        if start and end and end < start:
            raise InputError(path, row.line, "end_date", f"{end} is before start_date {start}")
        least = frames.cell(path, row, "min_hours", frames.non_negative, required=False)
        most = frames.cell(path, row, "max_hours", frames.non_negative, required=False)
        if least is not None and most is not None and most < least:
            raise InputError(path, row.line, "max_hours", f"{most:g} is below min_hours {least:g}")
        limits = {column: frames.cell(path, row, column, _count(lowest, 366), required=False)
                  for column, lowest in (("max_consecutive_days", 1), ("min_consecutive_days", 1),
                                         ("min_consecutive_days_off", 1), ("max_weekends", 0))}
        agents[ident] = Agent(id=ident, name=row.get("name") or ident, team=team, line=line, skills=skills,
                              contract_hours=hours, start_date=start, end_date=end,
                              max_shifts=_max_shifts(path, row, shifts),
                              min_minutes=None if least is None else round(least * 60),
                              max_minutes=None if most is None else round(most * 60), **limits)
    if not agents:
        raise InputError(path, None, None, "no agents (only a header)")
    for team in teams.values():
        size = sum(a.team == team.id for a in agents.values())
        if size > MAX_TEAM_SIZE_HINT and any(team.line in s.lines and s.meals for s in shifts.values()):
            log.warning("team %s has %d agents: with one away at a time, a team larger than %d rarely "
                        "fits its one-hour meals into a 14-hour line; consider splitting it",
                        team.id, size, MAX_TEAM_SIZE_HINT)
    return tuple(agents.values())


def _requests(path: Path, agents: tuple[Agent, ...], shifts: Mapping[str, ShiftTemplate]) -> tuple[Request, ...]:
    """``requests.csv``: fixed days off and weighted wishes to work, or not to work, a shift or a day."""
    if not path.exists():
        return ()
    by_id = {a.id: a for a in agents}
    seen: set[tuple[str, dt.date, str, str | None]] = set()
    out: list[Request] = []
    for row in frames.read_rows(path, frames.REQUESTS):
        agent = frames.cell(path, row, "agent", lambda t: t)
        if agent not in by_id:
            raise InputError(path, row.line, "agent", f"{agent!r} is not in agents.csv")
        day = frames.cell(path, row, "date", frames.parse_date_text)
        kind = row.get("kind")
        if kind not in ("day_off", "work", "avoid"):
            raise InputError(path, row.line, "kind", f"{kind!r} is not 'day_off', 'work' or 'avoid'")
        shift = row.get("shift") or None
        if shift is not None and shift not in shifts:
            raise InputError(path, row.line, "shift", f"{shift!r} is not a shift in centre.toml ({', '.join(shifts)})")
        if shift is not None and by_id[agent].line not in shifts[shift].lines:
            raise InputError(path, row.line, "shift", f"{shift} is not worked on {agent}'s line {by_id[agent].line}")
        if kind == "day_off" and shift is not None:
            raise InputError(path, row.line, "shift", "a day off is the whole day: leave the shift empty")
        weight = frames.cell(path, row, "weight", _count(1, 1000), required=False)
        if kind == "day_off" and weight is not None:
            raise InputError(path, row.line, "weight", "a day off is a hard rule: leave the weight empty")
        key = (agent, day, kind, shift)
        if key in seen:
            raise InputError(path, row.line, "date", f"{agent} {day} {kind} {shift or ''} appears twice".rstrip())
        seen.add(key)
        out.append(Request(agent=agent, date=day, kind=kind, shift=shift, weight=1 if weight is None else weight))
    return tuple(out)


def _shift_cover(path: Path, shifts: Mapping[str, ShiftTemplate]) -> tuple[ShiftCover, ...]:
    """``shift_cover.csv``: agents wanted on each shift on each date, with the points per agent missing or extra."""
    if not path.exists():
        return ()
    seen: set[tuple[dt.date, str]] = set()
    out: list[ShiftCover] = []
    for row in frames.read_rows(path, frames.SHIFT_COVER):
        day = frames.cell(path, row, "date", frames.parse_date_text)
        shift = frames.cell(path, row, "shift", lambda t: t)
        if shift not in shifts:
            raise InputError(path, row.line, "shift", f"{shift!r} is not a shift in centre.toml ({', '.join(shifts)})")
        if (day, shift) in seen:
            raise InputError(path, row.line, "shift", f"{day} {shift} appears twice")
        seen.add((day, shift))
        required = frames.cell(path, row, "required", _count(0, 10_000))
        under = frames.cell(path, row, "under_weight", _count(0, 100_000), required=False)
        over = frames.cell(path, row, "over_weight", _count(0, 100_000), required=False)
        out.append(ShiftCover(date=day, shift=shift, required=required,
                              under_weight=100 if under is None else under, over_weight=1 if over is None else over))
    return tuple(out)


def _history(path: Path, lines: Mapping[str, Line], interval_min: int) -> pd.DataFrame:
    """``history.csv`` as a frame sorted by line and start; complete and without duplicates."""
    columns = ["line", "start", "contacts", "traffic"]
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                             zip(columns, ("object", "datetime64[ns]", "float64", "float64"))})
    records: list[tuple[str, dt.datetime, float, float, int]] = []
    for row in frames.read_rows(path, frames.HISTORY):
        line = frames.cell(path, row, "line", lambda t: t)
        if line not in lines:
            raise InputError(path, row.line, "line", f"{line!r} is not a line in centre.toml ({', '.join(lines)})")
        start = frames.cell(path, row, "start", frames.parse_datetime_text)
        if (start.hour * 60 + start.minute) % interval_min or start.second or start.microsecond:
            raise InputError(path, row.line, "start", f"{start.isoformat(timespec='minutes')} is not on the "
                             f"{interval_min}-minute grid (history.interval_min)")
        contacts = frames.cell(path, row, "contacts", frames.non_negative)
        traffic = frames.cell(path, row, "traffic", frames.non_negative, required=False)
        records.append((line, start, contacts, np.nan if traffic is None else traffic, row.line))
    if not records:
        raise InputError(path, None, None, "no rows (only a header)")
    frame = pd.DataFrame.from_records(records, columns=[*columns, "row"])
    frame = frame.sort_values(["line", "start"], kind="stable").reset_index(drop=True)
    step = pd.Timedelta(minutes=interval_min)
    same_line = frame["line"].eq(frame["line"].shift())
    gap = frame["start"].diff()
    duplicate = same_line & gap.eq(pd.Timedelta(0))
    if duplicate.any():
        at = frame[duplicate].iloc[0]
        raise InputError(path, int(at["row"]), "start",
                         f"{at['start'].isoformat(timespec='minutes')} appears twice for line {at['line']}")
    missing = same_line & gap.gt(step)
    if missing.any():
        position = int(np.flatnonzero(missing.to_numpy())[0])
        at = frame.iloc[position]
        first_missing = frame["start"].iloc[position - 1] + step
        last_missing = at["start"] - step
        span = first_missing.isoformat(timespec="minutes")
        if last_missing != first_missing:
            span += f"..{last_missing.isoformat(timespec='minutes')}"
        raise InputError(path, int(at["row"]), "start",
                         f"missing interval {span} for line {at['line']} before this row "
                         "(every interval from the first to the last needs a row; write 0 when closed)")
    return frame.drop(columns="row")


def _events(path: Path) -> tuple[Event, ...]:
    if not path.exists():
        return ()
    events: list[Event] = []
    names: set[str] = set()
    for row in frames.read_rows(path, frames.EVENTS):
        name = frames.cell(path, row, "name", lambda t: t)
        if name in names:
            raise InputError(path, row.line, "name", f"{name!r} appears twice")
        names.add(name)
        start = frames.cell(path, row, "start", frames.parse_date_text)
        end = frames.cell(path, row, "end", frames.parse_date_text)
        if end < start:
            raise InputError(path, row.line, "end", f"{end} is before start {start}")
        day = frames.cell(path, row, "day", frames.parse_date_text, required=False) or end
        if not start <= day <= end:
            raise InputError(path, row.line, "day", f"{day} is outside the window {start}..{end}")
        traffic = frames.cell(path, row, "traffic", frames.non_negative, required=False)
        for other in events:
            if start <= other.end and other.start <= end:
                raise InputError(path, row.line, "start", f"{start}..{end} overlaps event {other.name!r}")
        events.append(Event(name=name, start=start, end=end, day=day, traffic=traffic))
    return tuple(sorted(events, key=lambda e: e.start))


def _check_calendar_span(toml: _Toml, lines: Mapping[str, Line], calendar: WorkCalendar,
                         history: pd.DataFrame, events: tuple[Event, ...]) -> None:
    """Every date the folder speaks of must have a known calendar and non-overlapping hours."""
    dates: list[dt.date] = [e.end for e in events] + [e.start for e in events]
    if len(history):
        dates += [history["start"].min().date(), history["start"].max().date()]
    if not dates:
        return
    for line in lines.values():
        if line.hours.on_holiday is None and line.hours.on_makeup_workday is None:
            continue
        for day in date_range(min(dates), max(dates)):
            try:
                check_no_overlap(line, day, calendar)
            except CalendarError:
                raise
            except ValueError as error:
                raise toml.error(f"lines.{line.id}.hours", str(error)) from None
