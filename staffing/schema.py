"""The ``centre.toml`` schema: every table and key, its type, default, meaning and example.

One declaration serves two purposes: :func:`read_table` validates a parsed TOML table
against it (unknown keys, wrong types, out-of-range values), and :func:`markdown` writes the
key tables of ``docs/centre.md`` (a test keeps the two identical).
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from staffing.domain import MINUTES_PER_DAY, SLOT_MINUTES_ALLOWED, WEEKDAYS, DayHours, Window

REQUIRED = object()


class Derived:
    """A default that depends on other keys; the text says how (shown in the docs)."""

    def __init__(self, text: str) -> None:
        self.text = text


Parser = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    type: str
    default: Any
    meaning: str
    example: str
    parse: Parser


@dataclass(frozen=True, slots=True)
class Table:
    path: str
    meaning: str
    keys: tuple[Key, ...]
    array: bool = False

    def key(self, name: str) -> Key:
        return next(k for k in self.keys if k.name == name)


# --- value parsers: each returns the clean value or raises ValueError(reason) --------------


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def integer(low: int | None = None, high: int | None = None, *, allowed: tuple[int, ...] = ()) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected an integer, got {_kind(value)} {value!r}")
        if allowed and value not in allowed:
            raise ValueError(f"{value} is not one of {', '.join(map(str, allowed))}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{value} is outside {low}..{high}")
        return value
    return parse


def number(low: float | None = None, high: float | None = None, *, low_open: bool = False) -> Parser:
    def parse(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {_kind(value)} {value!r}")
        value = float(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("expected a finite number")
        if low is not None and (value < low or (low_open and value == low)):
            raise ValueError(f"{value:g} must be {'above' if low_open else 'at least'} {low:g}")
        if high is not None and value > high:
            raise ValueError(f"{value:g} must be at most {high:g}")
        return value
    return parse


def string(pattern: str | None = None, what: str = "") -> Parser:
    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {_kind(value)} {value!r}")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise ValueError(f"{value!r} is not {what}")
        return value
    return parse


def choice(*options: str) -> Parser:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise ValueError(f"{value!r} is not one of {', '.join(options)}")
        return value
    return parse


def string_list(item: Parser | None = None) -> Parser:
    def parse(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise ValueError(f"expected a list, got {_kind(value)} {value!r}")
        check = item or string()
        return tuple(check(v) for v in value)
    return parse


def integer_list(low: int, high: int) -> Parser:
    def parse(value: Any) -> tuple[int, ...]:
        if not isinstance(value, list):
            raise ValueError(f"expected a list, got {_kind(value)} {value!r}")
        return tuple(integer(low, high)(v) for v in value)
    return parse


def number_list(low: float) -> Parser:
    def parse(value: Any) -> tuple[float, ...]:
        if not isinstance(value, list):
            raise ValueError(f"expected a list, got {_kind(value)} {value!r}")
        return tuple(number(low, low_open=True)(v) for v in value)
    return parse


def parse_date(value: Any) -> dt.date:
    """A TOML date (``2026-08-18``) or the same as a string."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"expected a date, got a date-time {value.isoformat()}")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")


_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def parse_time(value: Any, *, allow_24: bool = False) -> int:
    """``"HH:MM"`` -> minutes after midnight; ``24:00`` only where ``allow_24``."""
    if not isinstance(value, str):
        raise ValueError(f"expected a time \"HH:MM\", got {_kind(value)} {value!r}")
    match = _TIME.fullmatch(value.strip())
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if (hours < 24 and minutes < 60) or (allow_24 and hours == 24 and minutes == 0):
            return hours * 60 + minutes
    raise ValueError(f"{value!r} is not a time of day (HH:MM, 00:00-{'24:00' if allow_24 else '23:59'})")


def parse_window(text: str) -> Window:
    """``"09:00-23:00"``; an end at or before the start crosses midnight (``07:00-02:00``)."""
    if text.count("-") != 1:
        raise ValueError(f"{text!r} is not a window HH:MM-HH:MM")
    start_text, end_text = text.split("-")
    start = parse_time(start_text)
    end = parse_time(end_text, allow_24=True)
    if end == start:
        raise ValueError(f"{text!r} is empty; write 00:00-24:00 for a 24-hour line")
    if end < start:
        end += MINUTES_PER_DAY
    return Window(start_min=start, end_min=end)


def parse_hours(value: Any) -> DayHours:
    """``"closed"``, ``"09:00-17:00"`` or several windows ``"09:00-12:00, 13:30-17:00"``."""
    if not isinstance(value, str):
        raise ValueError(f"expected hours like \"09:00-17:00\" or \"closed\", got {_kind(value)} {value!r}")
    if value.strip().lower() == "closed":
        return DayHours()
    windows = tuple(parse_window(part.strip()) for part in value.split(","))
    for before, after in itertools.pairwise(windows):
        if after.start_min < before.end_min:
            raise ValueError(f"windows {before} and {after} overlap or are out of order")
    if windows[-1].end_min - windows[0].start_min > MINUTES_PER_DAY:
        raise ValueError(f"{value!r} spans more than 24 hours")
    return DayHours(windows=windows)


def parse_rule_hours(value: Any) -> DayHours | str | None:
    """Holiday / make-up rule: ``"weekly"`` (None), ``"closed"``, hours, or a weekday name."""
    if isinstance(value, str) and value.strip().lower() == "weekly":
        return None
    if isinstance(value, str) and value.strip().lower() in WEEKDAYS:
        return value.strip().lower()
    try:
        return parse_hours(value)
    except ValueError as error:
        raise ValueError(f"{error}; or \"weekly\", \"closed\", or a weekday name like \"mon\"") from None


def parse_meal_window(value: Any) -> Window:
    if not (isinstance(value, list) and len(value) == 2):
        raise ValueError(f"expected [\"HH:MM\", \"HH:MM\"], got {value!r}")
    return parse_window(f"{value[0]}-{value[1]}")


def parse_slot(value: Any) -> int:
    return integer(allowed=SLOT_MINUTES_ALLOWED)(value)


ID = r"[A-Za-z0-9][A-Za-z0-9_\-]*"

# --- the tables ----------------------------------------------------------------------------

K = Key
TABLES: tuple[Table, ...] = (
    Table("centre", "The centre as a whole.", (
        K("name", "string", REQUIRED, "Name shown in reports.", '"示例电商客服中心"', string()),
        K("slot_min", "integer", 10, "Planning slot length in minutes: 5, 10, 15, 30 or 60. "
          "Line hours, shift starts and meal windows must fall on this grid.", "10", parse_slot),
    )),
    Table("calendar", "China's statutory calendar (public holidays and 调休 make-up working days) "
          "comes from the `chinesecalendar` package; `calendar.csv` adds or corrects dates.", (
        K("file", "string", "calendar.csv", "Override file in the centre folder with columns "
          "`date,kind,name` (`kind` = `holiday` or `workday`). Optional.", '"calendar.csv"', string()),
        K("override_years", "list of integers", [], "Years the package does not know that "
          "`calendar.csv` describes completely; any other unknown year is an error, never a guess.",
          "[2027]", integer_list(1990, 2100)),
    )),
    Table("history", "How `history.csv` is laid out.", (
        K("interval_min", "integer", 60, "Length of one history interval in minutes "
          "(15, 30 or 60). Every row's start must fall on this grid.", "60", integer(allowed=(15, 30, 60))),
    )),
    Table("rules", "Absence and working-time rules (DOMAIN sections 2-3). Defaults are the manuals'.", (
        K("max_away_per_team", "integer", 1, "At most this many of a team off the line (meal, "
          "break, meeting, part-day leave) at any instant: 离席人数限定一人.", "1", integer(1, 20)),
        K("meal_min", "integer", 60, "Length of the meal absence in minutes (吃饭离席一小时以内).",
          "60", integer(10, 120)),
        K("break_min", "integer", 10, "Length of a short break in minutes (暂时离席10分钟以内).",
          "10", integer(5, 30)),
        K("rest_days_per_month", "integer", 4, "Rest days each agent gets per calendar month "
          "(pro rata for a part month).", "4", integer(0, 15)),
        K("max_consecutive_working_days", "integer", 6, "Longest run of working days without a "
          "rest day.", "6", integer(1, 31)),
        K("min_rest_between_shifts_h", "number", 10, "Least hours between the end of one shift "
          "and the start of the next (an evening shift ending 23:00 may be followed by 09:00, "
          "one ending 02:00 may not).", "10", number(0, 24)),
        K("leave_notice_working_days", "integer", 1, "Leave must be requested at least this many "
          "working days ahead (Chinese calendar: 调休 working days count, holidays do not).",
          "1", integer(0, 30)),
        K("resignation_notice_months", "integer", 1, "Notice for a resignation, in months.", "1",
          integer(0, 6)),
        K("max_on_leave_per_team_per_day", "integer", 1, "At most this many of a team on leave "
          "on the same day.", "1", integer(0, 20)),
        K("min_consecutive_working_days", "integer", 1, "Shortest run of working days between two "
          "days off (a run that touches the start or the end of the horizon is exempt). "
          "`agents.csv` `min_consecutive_days` overrides it per agent.", "2", integer(1, 14)),
        K("min_consecutive_rest_days", "integer", 1, "Shortest run of days off (rest or leave) "
          "between two working days (a run that touches the start or the end of the horizon is "
          "exempt). `agents.csv` `min_consecutive_days_off` overrides it per agent.", "2", integer(1, 14)),
        K("max_weekends_worked", "integer", Derived("no limit"), "Most weekends an agent works in "
          "the horizon rostered (a weekend is worked when Saturday or Sunday is). `agents.csv` "
          "`max_weekends` overrides it per agent.", "2", integer(0, 6)),
    )),
    Table("weights", "How the soft rules weigh against each other, in agent-minutes above "
          "`required` (the objective's unit; a minute short of `required` costs 1000).", (
        K("fair_shifts", "integer", 120, "Per shift of spread (most minus fewest) in evening, "
          "weekend and peak-day shifts among a line's agents.", "120", integer(0, 100_000)),
        K("minutes_worked", "integer", 1, "Per minute worked: among rosters that cover equally, "
          "fewer hours.", "1", integer(0, 1000)),
        K("point", "integer", 60, "Per point of weight in `requests.csv` and `shift_cover.csv`.",
          "60", integer(0, 100_000)),
    )),
    Table("lines.<id>", "A line (channel). `<id>` is used in every CSV file (letters, digits, "
          "`_`, `-`).", (
        K("name", "string", "", "Display name.", '"在线客服"', string()),
        K("channel", "string", REQUIRED, "`voice` (calls: Erlang queues) or `chat` (online "
          "sessions: an agent holds several at once).", '"chat"', choice("voice", "chat")),
        K("min_agents", "integer", 1, "Agents on the line in every open minute whatever the "
          "forecast says (100% line coverage: the line is never unstaffed).", "1", integer(1, 500)),
    )),
    Table("lines.<id>.hours", "Line hours. Each value is `\"closed\"`, a window "
          "`\"09:00-17:00\"`, several windows `\"09:00-12:00, 13:30-17:00\"`, or a window that "
          "crosses midnight `\"07:00-02:00\"` (it belongs to the day it opened). Day keys "
          "override `weekdays`/`weekend`, which override `daily`.", (
        K("daily", "hours", "closed", "Hours on every day of the week.", '"09:00-23:00"', parse_hours),
        K("weekdays", "hours", Derived("`daily`"), "Hours Monday to Friday.", '"09:00-17:00"', parse_hours),
        K("weekend", "hours", Derived("`daily`"), "Hours Saturday and Sunday.", '"closed"', parse_hours),
        *(K(day, "hours", Derived("`weekdays` or `weekend`"), f"Hours on {full}.", '"09:00-17:00"',
            parse_hours)
          for day, full in zip(WEEKDAYS, ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays",
                                          "Saturdays", "Sundays"))),
        K("holiday", "hours or rule", "weekly", "Hours on public holidays: `\"weekly\"` (as the "
          "weekly pattern), `\"closed\"`, or hours.", '"closed"', parse_rule_hours),
        K("makeup_workday", "hours or rule", "weekly", "Hours on 调休 make-up working weekends: "
          "`\"weekly\"`, `\"closed\"`, hours, or a weekday whose hours apply (`\"mon\"`).",
          '"mon"', parse_rule_hours),
    )),
    Table("lines.<id>.hours.dated", "Dated overrides (`[[lines.<id>.hours.dated]]`, any number): "
          "they beat every other rule; two may not cover the same date.", (
        K("start", "date", REQUIRED, "First date.", "2026-08-18", parse_date),
        K("end", "date", Derived("`start`"), "Last date (inclusive).", "2026-08-18", parse_date),
        K("hours", "hours", REQUIRED, "Hours on those dates.", '"07:00-02:00"', parse_hours),
        K("name", "string", "", "Why (shown in reports).", '"818"', string()),
    ), array=True),
    Table("lines.<id>.target", "Service targets (DOMAIN section 4).", (
        K("service_level", "number", Derived("voice 0.80, chat 0.85"), "Share of contacts to "
          "answer within the threshold.", "0.85", number(0, 1, low_open=True)),
        K("answer_within_s", "number", Derived("chat 45; voice `answer_within_rings` x `ring_cycle_s`"),
          "Threshold in seconds (chat: first human reply within 45 s).", "45", number(0, 3600, low_open=True)),
        K("answer_within_rings", "integer", 3, "Voice: answer within this many rings (电话铃响三声内接起).",
          "3", integer(1, 20)),
        K("ring_cycle_s", "number", 6, "Voice: seconds per ring cycle (ring + pause); 3 rings x "
          "6 s = 18 s.", "6", number(1, 20)),
        K("max_abandon_rate", "number", 0.005, "Ceiling on abandoned contacts: the reading of "
          "\"100% connection rate\" once callers can hang up.", "0.005", number(0, 1)),
        K("max_occupancy", "number", Derived("none"), "Optional ceiling on agent occupancy.",
          "0.9", number(0, 1, low_open=True)),
        K("staff_to", "string", "mean", "Forecast level staffed for: `mean`, or `high` (upper "
          "band, robust plans).", '"mean"', choice("mean", "high")),
        K("min_online_hours_peak", "number", 16, "Peak days: the line must be open at least this "
          "many hours (在线时长≥16H).", "16", number(0, 24)),
    )),
    Table("lines.<id>.queue", "Queueing parameters.", (
        K("handle_time_s", "number", REQUIRED, "Average handle time of one contact in seconds "
          "(talk + wrap-up; chat: with one chat held).", "240", number(1, 3600)),
        K("patience_s", "number", Derived("voice 60, chat 120"), "Average time a waiting customer "
          "waits before giving up (Erlang A).", "60", number(1, 86400)),
        K("concurrency", "integer", Derived("voice 1, chat 3"), "Chats one agent holds at once "
          "(voice: must be 1).", "3", integer(1, 10)),
        K("handle_time_by_concurrency_s", "list of numbers", Derived("handle_time_s x (1 + 0.25 "
          "x (j - 1)) for j chats held"), "Chat: handle time of each chat when the agent holds "
          "1, 2, ... `concurrency` chats.", "[300, 380, 460]", number_list(0)),
        K("daily_cap_per_agent", "integer", 200, "Most contacts one agent serves in a day "
          "(单人最高日服务量); 0 for no cap.", "200", integer(0, 5000)),
    )),
    Table("shifts.<code>", "Shift templates. `<code>` appears in `roster.csv`. Times on the "
          "slot grid; an end at or before the start crosses midnight.", (
        K("name", "string", "", "Display name.", '"早班"', string()),
        K("start", "time", REQUIRED, "Start time.", '"09:00"', parse_time),
        K("end", "time", REQUIRED, "End time (at most 16 h after the start).", '"18:00"',
          lambda v: parse_time(v, allow_24=True)),
        K("lines", "list of strings", Derived("every line"), "Lines whose agents may work it.",
          '["online"]', string_list(string(ID, "a line id"))),
        K("meals", "integer", Derived("1 if the shift is 6 h or longer, else 0"), "Meals "
          "(of `rules.meal_min`) the shift earns.", "1", integer(0, 2)),
        K("meal_window", "[time, time]", Derived("required when `meals` > 0"), "The meal must "
          "start and end inside this window, itself inside the shift.", '["11:00", "14:00"]',
          parse_meal_window),
        K("breaks", "integer", Derived("2 if the shift is 8 h or longer, 1 if 4 h or longer, "
          "else 0"), "Short breaks (of `rules.break_min`) the shift earns.", "2", integer(0, 6)),
        K("break_min_from_start_min", "integer", 60, "No break in the first this many minutes.",
          "60", integer(0, 600)),
        K("break_min_from_end_min", "integer", 60, "No break in the last this many minutes.",
          "60", integer(0, 600)),
        K("break_min_gap_min", "integer", 60, "Least minutes between a break and the meal or "
          "another break.", "60", integer(0, 600)),
        K("not_followed_by", "list of strings", [], "Shift codes an agent may not work the day "
          "after this shift (on top of `rules.min_rest_between_shifts_h`): after a night, no early.",
          '["E", "D"]', string_list(string(ID, "a shift code"))),
    )),
    Table("teams.<id>", "Teams. Each team has one away channel: at most "
          "`rules.max_away_per_team` of it off the line at a time.", (
        K("name", "string", "", "Display name.", '"在线一组"', string()),
        K("line", "string", REQUIRED, "The line the team serves.", '"online"', string(ID, "a line id")),
        K("supervisor", "string", "", "Team supervisor (主管).", '"张敏"', string()),
    )),
)
TABLE = {t.path: t for t in TABLES}
TOP_LEVEL = ("centre", "calendar", "history", "rules", "weights", "lines", "shifts", "teams")


class SchemaError(ValueError):
    """A key that breaks the schema: ``where`` is the dotted key path."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(reason)
        self.where = where
        self.reason = reason


def unknown_key_reason(name: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(allowed)}"
    return f"unknown key{hint}"


def read_table(raw: Any, table: Table, where: str, subtables: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate one TOML table: the parsed values, ``None`` for absent derived defaults.

    ``subtables`` are the names of nested tables the caller reads itself.
    """
    if not isinstance(raw, Mapping):
        raise SchemaError(where, f"expected a table, got {_kind(raw)}")
    names = [k.name for k in table.keys]
    for name in raw:
        if name not in names and name not in subtables:
            raise SchemaError(f"{where}.{name}", unknown_key_reason(name, names + list(subtables)))
    values: dict[str, Any] = {}
    for key in table.keys:
        if key.name in raw:
            try:
                values[key.name] = key.parse(raw[key.name])
            except ValueError as error:
                raise SchemaError(f"{where}.{key.name}", str(error)) from None
        elif key.default is REQUIRED:
            raise SchemaError(f"{where}.{key.name}", "missing (required)")
        elif isinstance(key.default, Derived):
            values[key.name] = None
        else:
            values[key.name] = key.parse(key.default) if key.default != [] else ()
    return values


def markdown() -> str:
    """The key tables of ``docs/centre.md``, generated from :data:`TABLES`."""
    out: list[str] = []
    for table in TABLES:
        header = f"[[{table.path}]]" if table.array else f"[{table.path}]"
        out += [f"### `{header}`", "", table.meaning, "",
                "| key | type | default | meaning | example |", "|---|---|---|---|---|"]
        for key in table.keys:
            if key.default is REQUIRED:
                default = "required"
            elif isinstance(key.default, Derived):
                default = key.default.text
            else:
                default = f"`{key.default!r}`".replace("'", '"') if key.default != [] else "`[]`"
            out.append(f"| `{key.name}` | {key.type} | {default} | {key.meaning} | `{key.example}` |")
        out.append("")
    return "\n".join(out)


BEGIN, END = "<!-- schema:begin -->", "<!-- schema:end -->"


def update_docs(path: str) -> None:
    """Rewrite the generated part of ``docs/centre.md`` (between the schema markers)."""
    from staffing.io import atomic_write

    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with atomic_write(path) as handle:
        handle.write(f"{head}{BEGIN}\n\n{markdown()}\n{END}{tail}")

