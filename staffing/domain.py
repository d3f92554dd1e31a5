"""Frozen domain objects built from a centre folder by :func:`staffing.centre.load_centre`.

Times of day are minutes after midnight of the service day (``int``). A window that crosses
midnight ends after 1440: the peak day's ``07:00-02:00`` is ``Window(420, 1560)``, and every
slot in it belongs to the service day on which it opened (DOMAIN section 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import pandas as pd

MINUTES_PER_DAY = 1440
SLOT_MINUTES_ALLOWED = (5, 10, 15, 30, 60)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Channel = Literal["voice", "chat"]


def clock(minutes: int) -> str:
    """``HH:MM`` for minutes after midnight; past midnight wraps (1560 -> ``02:00``), but
    the end of a full day stays ``24:00``."""
    if minutes != MINUTES_PER_DAY:
        minutes %= MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """An open period ``[start_min, end_min)`` of a service day, in minutes after its midnight."""

    start_min: int
    end_min: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_min < MINUTES_PER_DAY:
            raise ValueError(f"window start {self.start_min} is not within the day")
        if not self.start_min < self.end_min <= self.start_min + MINUTES_PER_DAY:
            raise ValueError(f"window {self.start_min}-{self.end_min} is empty or longer than 24 h")

    @property
    def minutes(self) -> int:
        return self.end_min - self.start_min

    def __str__(self) -> str:
        return f"{clock(self.start_min)}-{clock(self.end_min)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DayHours:
    """The open windows of one service day, in order and not overlapping; empty = closed."""

    windows: tuple[Window, ...] = ()

    def __post_init__(self) -> None:
        for before, after in zip(self.windows, self.windows[1:]):
            if after.start_min < before.end_min:
                raise ValueError(f"windows {before} and {after} overlap or are out of order")

    @property
    def closed(self) -> bool:
        return not self.windows

    @property
    def end_min(self) -> int:
        """Minute (after this day's midnight) at which the last window closes; 0 when closed."""
        return self.windows[-1].end_min if self.windows else 0

    @property
    def minutes(self) -> int:
        return sum(w.minutes for w in self.windows)

    def __str__(self) -> str:
        return ",".join(str(w) for w in self.windows) if self.windows else "closed"


@dataclass(frozen=True, slots=True, kw_only=True)
class DatedHours:
    """Hours for the dates ``start``..``end`` (inclusive), overriding every other rule."""

    start: dt.date
    end: dt.date
    hours: DayHours
    name: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True, kw_only=True)
class LineHours:
    """How a line's hours are found for a date.

    Precedence: a dated override, then the holiday rule (public holidays), then the make-up
    working day rule (调休 weekend working days), then the weekly pattern. ``None`` for a
    rule means "follow the weekly pattern".
    """

    weekly: tuple[DayHours, ...]
    overrides: tuple[DatedHours, ...] = ()
    on_holiday: DayHours | None = None
    on_makeup_workday: DayHours | None = None

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("the weekly pattern needs 7 days")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceTarget:
    """What the line's staffing is checked against (DOMAIN section 4)."""

    service_level: float
    answer_within_s: float
    max_abandon_rate: float
    max_occupancy: float | None = None
    staff_to: Literal["mean", "high"] = "mean"
    min_online_hours_peak: float = 16.0


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueParams:
    """Queueing parameters of a line: handle time, patience, chat concurrency, daily cap."""

    handle_time_s: float
    patience_s: float | None
    concurrency: int = 1
    handle_time_by_concurrency_s: tuple[float, ...] = ()
    daily_cap_per_agent: int | None = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """A channel customers reach the centre by: a voice hotline or online chat."""

    id: str
    name: str
    channel: Channel
    hours: LineHours
    target: ServiceTarget
    queue: QueueParams
    min_agents: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftTemplate:
    """A shift agents can be given: start, end (past 1440 when it crosses midnight) and its
    meal and break entitlements with the windows they must fall in."""

    code: str
    name: str
    start_min: int
    end_min: int
    lines: tuple[str, ...]
    meals: int = 0
    meal_window: Window | None = None
    breaks: int = 0
    break_min_from_start_min: int = 60
    break_min_from_end_min: int = 60
    break_min_gap_min: int = 60
    not_followed_by: tuple[str, ...] = ()

    @property
    def minutes(self) -> int:
        return self.end_min - self.start_min

    @property
    def crosses_midnight(self) -> bool:
        return self.end_min > MINUTES_PER_DAY

    def __str__(self) -> str:
        return f"{self.code} {clock(self.start_min)}-{clock(self.end_min)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """The absence and working-time rules (DOMAIN sections 2-3); defaults from the manuals."""

    max_away_per_team: int = 1
    meal_min: int = 60
    break_min: int = 10
    rest_days_per_month: int = 4
    max_consecutive_working_days: int = 6
    min_rest_between_shifts_min: int = 600
    leave_notice_working_days: int = 1
    resignation_notice_months: int = 1
    max_on_leave_per_team_per_day: int = 1
    min_consecutive_working_days: int = 1
    min_consecutive_rest_days: int = 1
    max_weekends_worked: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Weights:
    """How the soft rules weigh against each other, in agent-minutes above `required` (the
    unit of the objective): shortfall stays far above all of them."""

    fair_shifts: int = 120
    minutes_worked: int = 1
    point: int = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class Team:
    """A team shares one away channel: at most ``max_away_per_team`` of it off the line."""

    id: str
    name: str
    line: str
    supervisor: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Agent:
    """One person on the roster (a row of ``agents.csv``)."""

    id: str
    name: str
    team: str
    line: str
    skills: tuple[str, ...] = ()
    contract_hours: float | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    max_shifts: tuple[tuple[str, int], ...] = ()
    min_minutes: int | None = None
    max_minutes: int | None = None
    max_consecutive_days: int | None = None
    min_consecutive_days: int | None = None
    min_consecutive_days_off: int | None = None
    max_weekends: int | None = None

    def employed_on(self, day: dt.date) -> bool:
        """Whether the agent is on the books on ``day`` (after joining, before leaving)."""
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or day <= self.end_date
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A promotion peak: its window, its main day and its traffic (actual, or the target)."""

    name: str
    start: dt.date
    end: dt.date
    day: dt.date
    traffic: float | None

    def __post_init__(self) -> None:
        if not self.start <= self.day <= self.end:
            raise ValueError(f"campaign day {self.day} is outside {self.start}..{self.end}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """A row of ``requests.csv``: a fixed day off (hard), or a wish to work or not to work a
    shift (or the day) with its weight in points (soft)."""

    agent: str
    date: dt.date
    kind: Literal["day_off", "work", "avoid"]
    shift: str | None = None
    weight: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ShiftCover:
    """A row of ``shift_cover.csv``: agents wanted on a shift on a date, with the points per
    agent below and above it."""

    date: dt.date
    shift: str
    required: int
    under_weight: int = 100
    over_weight: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarOverride:
    """A date the centre declares a holiday or a working day, whatever the package says."""

    date: dt.date
    kind: Literal["holiday", "workday"]
    name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Centre:
    """Everything in a centre folder, validated.

    ``history`` is the CONTRACT table ``line,start,contacts,traffic`` sorted by line and
    start (``traffic`` is NaN where not given); it is empty when the folder has no
    ``history.csv``.
    """

    folder: Path
    name: str
    slot_min: int
    history_interval_min: int
    lines: Mapping[str, Line]
    teams: Mapping[str, Team]
    shifts: Mapping[str, ShiftTemplate]
    rules: Rules
    agents: tuple[Agent, ...]
    events: tuple[Event, ...]
    calendar_overrides: tuple[CalendarOverride, ...] = ()
    calendar_override_years: tuple[int, ...] = ()
    weights: Weights = field(default_factory=Weights)
    requests: tuple[Request, ...] = ()
    shift_cover: tuple[ShiftCover, ...] = ()
    history: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("lines", "teams", "shifts"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __reduce__(self):
        """Pickled as its fields (a read-only mapping view is not picklable itself), so a roster's
        problem can be handed to a process of its own (``roster.sidebound``)."""
        return _centre_of, ({f.name: getattr(self, f.name) if f.name not in ("lines", "teams", "shifts")
                             else dict(getattr(self, f.name)) for f in fields(self)},)

    def agents_of(self, *, team: str | None = None, line: str | None = None) -> tuple[Agent, ...]:
        """The agents of a team and/or a line, in file order."""
        return tuple(
            a for a in self.agents if (team is None or a.team == team) and (line is None or a.line == line)
        )


def _centre_of(values: dict) -> Centre:
    return Centre(**values)
