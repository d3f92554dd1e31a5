"""The pieces of the repair model and reading its answer back as roster rows and changes.

A *cell* is one agent's service day the repair may change; each of its *options* is one way
that day can be (as it is, a template with meals and breaks to place, or rest). Times are
minutes on an :class:`Axis` from a midnight. The CP-SAT variables stay inside
``staffing.leave`` (``repair.py`` builds them, :func:`read_answer` turns the solution into
rows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from ortools.sat.python import cp_model

from staffing.domain import ShiftTemplate, clock
from staffing.leave.reasons import CHANGE_ORDER, Change

ROSTER_COLUMNS = ["agent", "team", "line", "date", "activity", "code", "start", "end"]


@dataclass(slots=True)
class Item:
    """A meal or break of a template option: one boolean per possible start minute."""

    kind: str
    length: int
    starts: dict[int, cp_model.IntVar] = field(default_factory=dict)
    costs: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class Option:
    """One way a cell can be: as it is (``keep``), a template with its meals and breaks placed
    by the solver (``template``), or ``rest``."""

    kind: str
    var: cp_model.IntVar
    template: ShiftTemplate | None = None
    shift: tuple[int, int] | None = None                                     # minutes on the axis
    profile: list[tuple[int, int, int, int]] = field(default_factory=list)   # (from, to, on line, away)
    items: list[Item] = field(default_factory=list)
    meetings: list[tuple[int, int, str]] = field(default_factory=list)
    level: str | None = None        # "move" or "swap" when choosing the option is that change


@dataclass(slots=True)
class Cell:
    """An agent's service day the repair may change, with its options and its current rows."""

    agent: str
    day: dt.date
    rows: pd.DataFrame
    options: list[Option] = field(default_factory=list)

    @property
    def code(self) -> str | None:
        shift = self.rows[self.rows["activity"] == "shift"]
        return None if shift.empty else str(shift.iloc[0]["code"])


class Axis:
    """Minutes from ``origin`` (a midnight) to ``origin + minutes``."""

    def __init__(self, origin: pd.Timestamp, minutes: int) -> None:
        self.origin = origin
        self.minutes = minutes

    def at(self, stamp) -> int:
        return int((pd.Timestamp(stamp) - self.origin).total_seconds() // 60)

    def stamp(self, minute: int) -> pd.Timestamp:
        return self.origin + pd.Timedelta(minutes=int(minute))

    def midnight(self, day: dt.date) -> int:
        return self.at(pd.Timestamp(day))

    @property
    def end(self) -> pd.Timestamp:
        return self.stamp(self.minutes)


def read_answer(cells: list[Cell], fixed: pd.DataFrame, axis: Axis, chosen: dict[int, int],
                placed: dict[int, list[int]]) -> tuple[pd.DataFrame, list[Change]]:
    """The repaired roster (the fixed rows plus each cell's chosen option) and its changes,
    swaps first, each naming who changes what.

    ``chosen``: option ``id`` -> 0/1; ``placed``: item ``id`` -> its chosen start minutes.
    """
    frames, changes = [fixed], []
    swaps_in: dict[str, list[tuple[dt.date, str]]] = {}
    drops: dict[str, list[tuple[dt.date, str]]] = {}
    for cell in cells:
        option = next(o for o in cell.options if chosen[id(o)])
        if option.kind == "keep":
            frames.append(cell.rows)
            continue
        rows = option_rows(cell, option, placed, axis)
        frames.append(rows)
        if option.kind == "rest":
            drops.setdefault(cell.agent, []).append((cell.day, describe_day(cell.rows)))
        elif option.level == "swap":
            swaps_in.setdefault(cell.agent, []).append((cell.day, describe_day(rows)))
        elif option.level == "move":
            changes.append(Change(kind="move", agent=cell.agent, day=cell.day,
                                  detail=f"{describe_day(rows)} instead of {describe_day(cell.rows)}"))
        else:
            changes.extend(replacements(cell, rows))
    for agent, ins in swaps_in.items():
        for (day, worked), (rest_day, was) in zip(sorted(ins), sorted(drops.get(agent, []))):
            changes.append(Change(kind="swap", agent=agent, day=day,
                                  detail=f"works {worked} on {day} (was a rest day) and rests on {rest_day} "
                                         f"(was {was})"))
    changes.sort(key=lambda c: (CHANGE_ORDER.index(c.kind), c.day, c.agent))
    return pd.concat(frames, ignore_index=True)[ROSTER_COLUMNS], changes


def option_rows(cell: Cell, option: Option, placed: dict[int, list[int]], axis: Axis) -> pd.DataFrame:
    """The roster rows of a cell's chosen option (a rest day, or a shift with what it holds)."""
    first = cell.rows.iloc[0]
    base = {"agent": cell.agent, "team": first["team"], "line": first["line"], "date": cell.day}
    midnight = pd.Timestamp(cell.day)
    if option.kind == "rest":
        return pd.DataFrame([{**base, "activity": "rest", "code": "rest", "start": midnight,
                              "end": midnight + pd.Timedelta(days=1)}])
    code = option.template.code
    rows = [{**base, "activity": "shift", "code": code, "start": axis.stamp(option.shift[0]),
             "end": axis.stamp(option.shift[1])}]
    for item in option.items:
        for start in placed[id(item)]:
            rows.append({**base, "activity": item.kind, "code": code, "start": axis.stamp(start),
                         "end": axis.stamp(start + item.length)})
    for lo, hi, meeting_code in option.meetings:
        rows.append({**base, "activity": "meeting", "code": meeting_code, "start": axis.stamp(lo),
                     "end": axis.stamp(hi)})
    return pd.DataFrame(rows)


def describe_day(rows: pd.DataFrame) -> str:
    """``D 09:00-18:00 (meal 12:00; breaks 10:30, 16:00)`` or ``a rest day``."""
    shift = rows[rows["activity"] == "shift"]
    if shift.empty:
        return "a rest day"
    row = shift.iloc[0]
    text = f"{row['code']} {row['start']:%H:%M}-{row['end']:%H:%M}"
    parts = []
    for kind, label in (("meal", "meal"), ("break", "breaks")):
        times = sorted(rows.loc[rows["activity"] == kind, "start"])
        if times:
            parts.append(f"{label} {', '.join(f'{t:%H:%M}' for t in times)}")
    return text + (f" ({'; '.join(parts)})" if parts else "")


def replacements(cell: Cell, rows: pd.DataFrame) -> list[Change]:
    """One change per meal or break of the same shift now at another time."""
    out = []
    for kind in ("meal", "break"):
        old = sorted(zip(cell.rows.loc[cell.rows["activity"] == kind, "start"],
                         cell.rows.loc[cell.rows["activity"] == kind, "end"]))
        new = sorted(zip(rows.loc[rows["activity"] == kind, "start"], rows.loc[rows["activity"] == kind, "end"]))
        for (was_start, was_end), (now_start, now_end) in zip(old, new):
            if (was_start, was_end) != (now_start, now_end):
                out.append(Change(kind="replace", agent=cell.agent, day=cell.day,
                                  detail=f"{kind} {_clock(was_start)}-{_clock(was_end)} -> "
                                         f"{_clock(now_start)}-{_clock(now_end)}"))
    return out


def _clock(stamp) -> str:
    stamp = pd.Timestamp(stamp)
    return clock(stamp.hour * 60 + stamp.minute)
