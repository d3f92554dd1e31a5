"""What the side-by-side benches against pyworkforce's shift scheduling and rostering share.

Used by ``compare_shifts.py`` and ``compare_rostering.py``: the example's hourly requirement
of one line, centre variants (more agents, meals and breaks switched off), the roster engine
run with its log, on-line staffing from a roster or from shift counts, the coverage figures,
pyworkforce's solver pinned to a worker count, and the header every result file carries.

Every figure is measured on one service-day axis from 07:00 to 02:00 the next morning (the
818 peak day's line hours): every template of the online line lies inside it, so a service
day's shifts never reach into the next one, and pyworkforce's independent days of hourly
periods describe the same thing as our service days.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib
import importlib.metadata as md
import os
import platform
import subprocess
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from machine import cpu_model

from staffing import forecast, requirements
from staffing.domain import Agent, Centre, ShiftTemplate
from staffing.errors import StaffingError
from staffing.io import atomic_write
from staffing.roster.problem import build_problem
from staffing.roster.result import RosterResult
from staffing.roster.solve import solve

ROOT = Path(__file__).resolve().parents[1]
LINE = "online"
AXIS_START_MIN = 7 * 60   # the axis: 07:00 ...
AXIS_END_MIN = 26 * 60    # ... to 02:00 the next morning
TEAM_SIZE = 8             # agents per team (one away at a time per team; docs advise at most 8)
AWAY = ("meal", "break", "meeting")


# ------------------------------------------------------------------------------ the requirement
@dataclass(frozen=True, slots=True, kw_only=True)
class Demand:
    """One line's requirement over a horizon: the hourly rows both tools get, and the same
    numbers on the axis's slots (``slots[d, k]``: agents required in slot k of service day d)."""

    days: tuple[dt.date, ...]
    frame: pd.DataFrame = field(repr=False)   # line,start,end,required,floor: one row per open hour
    slots: np.ndarray = field(repr=False)
    slot_min: int

    @property
    def per_hour(self) -> int:
        return 60 // self.slot_min

    @property
    def hourly(self) -> np.ndarray:
        """Agents required per (service day, hour of the axis)."""
        return self.slots[:, :: self.per_hour]

    @property
    def agent_hours(self) -> float:
        return float(self.slots.sum()) * self.slot_min / 60


def axis_slots(slot_min: int) -> int:
    return (AXIS_END_MIN - AXIS_START_MIN) // slot_min


def hourly_demand(centre: Centre, start: dt.date, end: dt.date, *, scale: float = 1.0) -> Demand:
    """The product's own requirement for ``LINE`` (``forecast`` then ``requirements`` on the
    centre as it is), its contacts multiplied by ``scale`` before the queueing step. The
    forecast is hourly, so the requirement is constant within each hour (checked)."""
    predicted = forecast(centre, start, end).frame
    predicted = predicted[predicted["line"] == LINE].copy()
    for column in ("contacts", "low", "high"):
        if column in predicted:
            predicted[column] = predicted[column] * scale
    rows = requirements(centre, predicted).frame
    days = tuple(start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    slot = centre.slot_min
    slots = np.zeros((len(days), axis_slots(slot)), dtype=int)
    midnight = pd.to_datetime(rows["service_day"])
    day_index = (midnight - pd.Timestamp(start)).dt.days.to_numpy()
    minute = ((rows["start"] - midnight).dt.total_seconds() // 60).astype(int).to_numpy()
    keep = (day_index >= 0) & (day_index < len(days))
    k = (minute - AXIS_START_MIN) // slot
    if ((k[keep] < 0) | (k[keep] >= slots.shape[1])).any():
        raise ValueError("an open slot lies outside the 07:00-02:00 axis")
    slots[day_index[keep], k[keep]] = rows["required"].to_numpy()[keep]
    per_hour = 60 // slot
    by_hour = slots.reshape(len(days), -1, per_hour)
    if not (by_hour == by_hour[:, :, :1]).all():
        raise ValueError("the requirement changes inside an hour: this bench needs an hourly requirement")
    hours = by_hour[:, :, 0]
    records = []
    for d, day in enumerate(days):
        for h in np.flatnonzero(hours[d] > 0):
            begin = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=AXIS_START_MIN + 60 * int(h))
            records.append((LINE, begin, begin + dt.timedelta(hours=1), int(hours[d, h]),
                            centre.lines[LINE].min_agents))
    frame = pd.DataFrame(records, columns=["line", "start", "end", "required", "floor"])
    return Demand(days=days, frame=frame, slots=slots, slot_min=slot)


# ------------------------------------------------------------------------------ centre variants
def line_templates(centre: Centre) -> dict[str, ShiftTemplate]:
    """The line's shift templates, in ``centre.toml`` order."""
    return {code: t for code, t in centre.shifts.items() if LINE in t.lines}


def without_away(template: ShiftTemplate) -> ShiftTemplate:
    """The template with no meal and no breaks (the whole shift on the line)."""
    return dataclasses.replace(template, meals=0, meal_window=None, breaks=0)


def bench_centre(centre: Centre, *, agents: int, meals_and_breaks: bool, team_size: int = TEAM_SIZE) -> Centre:
    """The example centre cut to ``LINE``: its templates of that line (meals and breaks
    removed when ``meals_and_breaks`` is false), ``agents`` new agents B001... in
    ceil(agents / team_size) teams T01... as even as possible, each a copy of the line's
    first team. Rules, calendar, line hours and targets stay as in ``centre.toml``."""
    templates = {code: dataclasses.replace(t if meals_and_breaks else without_away(t), lines=(LINE,))
                 for code, t in line_templates(centre).items()}
    base = next(team for team in centre.teams.values() if team.line == LINE)
    count = -(-agents // team_size)
    sizes = [agents // count + (i < agents % count) for i in range(count)]
    teams, people, number = {}, [], 1
    for t, size in enumerate(sizes):
        team_id = f"T{t + 1:02d}"
        teams[team_id] = dataclasses.replace(base, id=team_id, name=team_id)
        for _ in range(size):
            people.append(Agent(id=f"B{number:03d}", name=f"B{number:03d}", team=team_id, line=LINE))
            number += 1
    return dataclasses.replace(centre, lines={LINE: centre.lines[LINE]}, teams=teams, agents=tuple(people),
                               shifts=templates)


def team_sizes(centre: Centre) -> str:
    sizes = [sum(a.team == team for a in centre.agents) for team in centre.teams]
    return " + ".join(str(s) for s in sizes)


# ------------------------------------------------------------------------------ our engine
@dataclass(frozen=True, slots=True, kw_only=True)
class OurRun:
    """One run of the roster engine: its result (None when it raised) and its log."""

    label: str
    result: RosterResult | None
    error: str | None
    seconds: float
    log: tuple[str, ...]


@contextlib.contextmanager
def staged_path_only() -> Iterator[None]:
    """Switch off the engine's one-model path for the duration: ``solve`` takes it when the
    instance has at most ``EXACT_LIMIT`` possible meal and break starts; below 0 it never does."""
    module = importlib.import_module("staffing.roster.solve")
    saved = module.EXACT_LIMIT
    module.EXACT_LIMIT = -1
    try:
        yield
    finally:
        module.EXACT_LIMIT = saved


def run_ours(label: str, centre: Centre, demand: Demand, *, time_limit_s: float, seed: int, workers: int,
             staged: bool = False) -> OurRun:
    """``build_problem`` + ``solve`` on the hourly rows, timed; progress lines printed and kept."""
    log: list[str] = []

    def report(message: str) -> None:
        log.append(message)
        print(f"  [{label}] {message}", flush=True)

    problem = build_problem(centre, demand.frame, demand.days[0], demand.days[-1])
    began = time.perf_counter()
    result, error = None, None
    with staged_path_only() if staged else contextlib.nullcontext():
        try:
            result = solve(problem, time_limit_s=time_limit_s, seed=seed, workers=workers, progress=report)
        except StaffingError as failure:
            error = f"{type(failure).__name__} (exit {failure.exit_code}): {str(failure).splitlines()[0]}"
    seconds = time.perf_counter() - began
    print(f"  [{label}] {seconds:.1f} s" + (f", {error}" if error else ""), flush=True)
    return OurRun(label=label, result=result, error=error, seconds=seconds, log=tuple(log))


def on_line_from_roster(frame: pd.DataFrame, demand: Demand) -> tuple[np.ndarray, float]:
    """(agents on the line per axis slot, paid agent-hours) of a ``roster.csv`` frame: a shift
    adds one over its span, a meal, break or meeting takes one off."""
    on_line = np.zeros_like(demand.slots)
    first = demand.days[0]
    paid_min = 0.0
    for row in frame.itertuples(index=False):
        if row.activity != "shift" and row.activity not in AWAY:
            continue
        d = (row.date - first).days
        midnight = pd.Timestamp(row.date)
        lo = int((row.start - midnight).total_seconds() // 60 - AXIS_START_MIN) // demand.slot_min
        hi = int((row.end - midnight).total_seconds() // 60 - AXIS_START_MIN) // demand.slot_min
        if not (0 <= d < len(demand.days) and 0 <= lo < hi <= on_line.shape[1]):
            raise ValueError(f"{row.agent} {row.date} {row.activity} {row.start}-{row.end} is off the axis")
        if row.activity == "shift":
            on_line[d, lo:hi] += 1
            paid_min += (row.end - row.start).total_seconds() / 60
        else:
            on_line[d, lo:hi] -= 1
    return on_line, paid_min / 60


def template_slots(templates: dict[str, ShiftTemplate], slot_min: int) -> np.ndarray:
    """0/1 per (template, axis slot): the template's span on the axis."""
    cover = np.zeros((len(templates), axis_slots(slot_min)), dtype=int)
    for s, t in enumerate(templates.values()):
        if t.start_min % 60 or t.end_min % 60:
            raise ValueError(f"template {t.code} is not on whole hours")
        if not AXIS_START_MIN <= t.start_min < t.end_min <= AXIS_END_MIN:
            raise ValueError(f"template {t.code} is off the 07:00-02:00 axis")
        cover[s, (t.start_min - AXIS_START_MIN) // slot_min:(t.end_min - AXIS_START_MIN) // slot_min] = 1
    return cover


# ------------------------------------------------------------------------------ the figures
@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    """Staffing against the requirement over the whole axis (an agent on shift while the line
    is closed counts as over the requirement)."""

    paid_h: float           # agent-hours on shift
    on_line_h: float        # agent-hours on the line (shift minus meals and breaks)
    over_h: float           # agent-hours on the line above the requirement
    short_h: float          # agent-hours below it
    short_hours: int        # hourly intervals (service day, hour) short somewhere
    short_slots: int        # slots short


def coverage(on_line: np.ndarray, paid_h: float, demand: Demand) -> Coverage:
    gap = on_line - demand.slots
    slot_h = demand.slot_min / 60
    short = np.clip(-gap, 0, None)
    return Coverage(paid_h=paid_h, on_line_h=float(on_line.sum()) * slot_h,
                    over_h=float(np.clip(gap, 0, None).sum()) * slot_h, short_h=float(short.sum()) * slot_h,
                    short_hours=int((short.reshape(short.shape[0], -1, demand.per_hour) > 0).any(axis=2).sum()),
                    short_slots=int((short > 0).sum()))


# ------------------------------------------------------------------------------ people rules
@dataclass(frozen=True, slots=True, kw_only=True)
class People:
    """Per-person figures of a roster and its breaches of the example's people rules."""

    agents: int
    days_worked_min: int
    days_worked_max: int
    longest_run: int            # longest run of consecutive working days, any agent
    longest_run_mean: float     # each agent's longest run, averaged
    weekends: int               # whole weekends (Saturday and Sunday) in the horizon
    weekends_off_min: int       # whole weekends with neither day worked, per agent: least
    weekends_off_mean: float    # ... and mean
    over_consecutive: int       # agents with a run longer than max_consecutive_working_days
    short_of_rest_days: int     # agent-months with fewer rest days than owed (pro rata, as the engine counts)
    short_rest: int             # consecutive shifts less than min_rest_between_shifts apart


def people_figures(shifts: dict[tuple[str, int], ShiftTemplate], agents: list[str], days: tuple[dt.date, ...],
                   rules) -> People:
    """``shifts[(agent, day index)]`` = the template worked; everyone available every day."""
    import calendar as month_calendar

    worked = np.array([[(a, d) in shifts for d in range(len(days))] for a in agents], dtype=bool)
    runs = []
    for row in worked:
        best = current = 0
        for works in row:
            current = current + 1 if works else 0
            best = max(best, current)
        runs.append(best)
    saturdays = [d for d, day in enumerate(days) if day.weekday() == 5 and d + 1 < len(days)]
    off = [sum(not row[d] and not row[d + 1] for d in saturdays) for row in worked]
    months: dict[tuple[int, int], list[int]] = {}
    for d, day in enumerate(days):
        months.setdefault((day.year, day.month), []).append(d)
    short_months = 0
    for (year, month), members in months.items():
        owed = rules.rest_days_per_month * len(members) // month_calendar.monthrange(year, month)[1]
        short_months += int((len(members) - worked[:, members].sum(axis=1) < owed).sum())
    short_rest = 0
    for (agent, d), template in shifts.items():
        after = shifts.get((agent, d + 1))
        if after is not None and after.start_min + 1440 - template.end_min < rules.min_rest_between_shifts_min:
            short_rest += 1
    totals = worked.sum(axis=1)
    return People(agents=len(agents), days_worked_min=int(totals.min()), days_worked_max=int(totals.max()),
                  longest_run=int(max(runs)), longest_run_mean=float(np.mean(runs)), weekends=len(saturdays),
                  weekends_off_min=int(min(off)), weekends_off_mean=float(np.mean(off)),
                  over_consecutive=int(sum(r > rules.max_consecutive_working_days for r in runs)),
                  short_of_rest_days=short_months, short_rest=short_rest)


def roster_shifts(frame: pd.DataFrame, templates: dict[str, ShiftTemplate],
                  first: dt.date) -> dict[tuple[str, int], ShiftTemplate]:
    """The (agent, day index) -> template map of a ``roster.csv`` frame."""
    rows = frame[frame["activity"] == "shift"]
    return {(row.agent, (row.date - first).days): templates[row.code] for row in rows.itertuples(index=False)}


# ------------------------------------------------------------------------------ pyworkforce
@contextlib.contextmanager
def pinned_workers(module: types.ModuleType, workers: int) -> Iterator[None]:
    """pyworkforce sets ``solver.num_search_workers = n``, a plain attribute CP-SAT never reads
    (so CP-SAT uses its default: every core). For a solver it creates inside ``solve`` (the
    rostering model), swap the module's ``cp_model`` for one whose ``CpSolver`` starts with
    ``parameters.num_workers = workers``."""
    original = module.cp_model

    class PinnedSolver(original.CpSolver):
        def __init__(self) -> None:
            super().__init__()
            self.parameters.num_workers = workers

    shim = types.ModuleType("cp_model_pinned")
    shim.__dict__.update(original.__dict__)
    shim.CpSolver = PinnedSolver
    module.cp_model = shim
    try:
        yield
    finally:
        module.cp_model = original


# ------------------------------------------------------------------------------ the report
def memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return None


def product_commit() -> str:
    """The checkout's commit, and whether the product's files differ from it."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "staffing", "data"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"commit {head}" + (" with local changes to the product" if dirty else "")


def header(title: str, command: str) -> list[str]:
    names = ("staffing", "pyworkforce", "ortools", "scipy", "numpy", "pandas")
    versions = ", ".join(f"{name} {md.version(name)}" for name in names)
    memory = memory_gib()
    return [
        f"## {title}",
        "",
        f"- date: {dt.date.today().isoformat()}",
        f"- machine: `nproc` = {len(os.sched_getaffinity(0))}, CPU: {cpu_model()}"
        + (f", {memory:.0f} GiB" if memory else ""),
        f"- Python {platform.python_version()}, {versions}; staffing at {product_commit()}",
        f"- command: `{command}` (pyworkforce lives only in `bench/.venv`)",
        "",
    ]


def write_report(path: Path, lines: list[str]) -> None:
    with atomic_write(path) as handle:
        handle.write("\n".join(lines) + "\n")


def fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"
