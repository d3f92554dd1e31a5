"""Service targets predicted from a roster's actual staffing, minute by minute.

The roster says who is on the line in every minute (on a shift and not on a meal, break or
meeting). With the arrival rate of each minute (from a forecast, or the requirement file's
``contacts`` evidence) the queueing formulas of :mod:`staffing.queueing` (voice: Erlang A,
Erlang C without patience) and :mod:`staffing.queueing_chat` (chat: limited processor
sharing) give each minute's service level, abandonment, wait and occupancy as if that
minute's staffing and arrival rate held for ever: the *pointwise stationary approximation*
at one-minute resolution. Minutes are then pooled per interval (planning slot), per service
day and per line, weighted by their contacts (occupancy: by agents on the line). The
simulation in :mod:`staffing.simulate` produces the same sums per replication, so both go
through one aggregation and can be compared row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
from scipy import sparse, stats

from staffing.calendar import centre_calendar, date_range, service_windows
from staffing.domain import Centre, Line
from staffing.queueing import erlang_a
from staffing.queueing_chat import chat_metrics

AWAY = ("meal", "break", "meeting")
MINUTES_PER_DAY = 1440


# --- staffing and arrivals per open minute ---------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class LineMinutes:
    """One line's open minutes over the roster's service days, with who is on the line.

    Minutes are offsets from ``origin`` (midnight of the first service day). Arrays of the
    open minutes, in time order: ``offset``, ``service_day``, ``window`` (index of the
    service window), ``slot`` (index into ``slot_start``) and ``on_line`` (agents on the line).
    ``load_rows`` are the line's shift (+1) and away (-1) rows as horizon minute ranges, for
    apportioning each minute's contacts to the agents on the line then.
    """

    line: Line
    origin: pd.Timestamp
    horizon_min: int
    offset: np.ndarray = field(repr=False)
    service_day: np.ndarray = field(repr=False)
    window: np.ndarray = field(repr=False)
    slot: np.ndarray = field(repr=False)
    slot_start: np.ndarray = field(repr=False)
    on_line: np.ndarray = field(repr=False)
    load_rows: pd.DataFrame = field(repr=False)

    @property
    def minutes(self) -> np.ndarray:
        """The open minutes as ``datetime64[m]``."""
        return np.datetime64(self.origin, "m") + self.offset.astype("timedelta64[m]")

    def timestamp(self, offset: int) -> pd.Timestamp:
        return self.origin + pd.Timedelta(minutes=int(offset))


def roster_days(roster: pd.DataFrame) -> list[dt.date]:
    """Every service day from the roster's first to its last."""
    days = sorted(set(roster["date"]))
    return date_range(days[0], days[-1]) if days else []


def _row_offsets(rows: pd.DataFrame, origin: pd.Timestamp, horizon_min: int) -> tuple[np.ndarray, np.ndarray]:
    lo = ((rows["start"] - origin).dt.total_seconds() // 60).to_numpy(dtype=np.int64)
    hi = ((rows["end"] - origin).dt.total_seconds() // 60).to_numpy(dtype=np.int64)
    return np.clip(lo, 0, horizon_min), np.clip(hi, 0, horizon_min)


def on_line_over_horizon(roster: pd.DataFrame, line: str, origin: pd.Timestamp, horizon_min: int) -> np.ndarray:
    """Agents of ``line`` on the line in each minute of ``[origin, origin + horizon_min)``:
    shifts count +1, meals, breaks and meetings -1 (never below 0)."""
    rows = roster[(roster["line"] == line) & roster["activity"].isin(("shift", *AWAY))]
    lo, hi = _row_offsets(rows, origin, horizon_min)
    sign = np.where(rows["activity"].to_numpy() == "shift", 1, -1)
    change = np.zeros(horizon_min + 1, dtype=np.int64)
    np.add.at(change, lo, sign)
    np.add.at(change, hi, -sign)
    return np.maximum(np.cumsum(change[:-1]), 0)


def line_minutes(centre: Centre, roster: pd.DataFrame, line: Line, days: list[dt.date]) -> LineMinutes:
    """The open minutes of ``line`` on ``days`` with the roster's staffing in each."""
    calendar = centre_calendar(centre)
    origin = pd.Timestamp(days[0])
    horizon_min = (len(days) + 2) * MINUTES_PER_DAY
    offsets, service_day, window = [], [], []
    for day in days:
        for start, end in service_windows(line, day, calendar):
            lo = int((pd.Timestamp(start) - origin).total_seconds() // 60)
            hi = int((pd.Timestamp(end) - origin).total_seconds() // 60)
            offsets.append(np.arange(lo, hi))
            service_day.append(np.full(hi - lo, np.datetime64(day, "D")))
            window.append(np.full(hi - lo, len(window)))
    offset = np.concatenate(offsets) if offsets else np.zeros(0, dtype=np.int64)
    slot_of = offset // centre.slot_min
    slot_ids, slot = np.unique(slot_of, return_inverse=True)
    counts = on_line_over_horizon(roster, line.id, origin, horizon_min)
    rows = roster[(roster["line"] == line.id) & roster["activity"].isin(("shift", *AWAY))]
    lo, hi = _row_offsets(rows, origin, horizon_min)
    load_rows = pd.DataFrame({"agent": rows["agent"].to_numpy(), "date": rows["date"].to_numpy(), "lo": lo, "hi": hi,
                              "sign": np.where(rows["activity"].to_numpy() == "shift", 1, -1)})
    return LineMinutes(
        line=line, origin=origin, horizon_min=horizon_min, offset=offset,
        service_day=np.concatenate(service_day) if service_day else np.zeros(0, dtype="datetime64[D]"),
        window=np.concatenate(window) if window else np.zeros(0, dtype=np.int64), slot=slot.astype(np.int64),
        slot_start=np.datetime64(origin, "m") + (slot_ids * centre.slot_min).astype("timedelta64[m]"),
        on_line=counts[offset], load_rows=load_rows)


def rate_per_minute(grid: LineMinutes, intervals: pd.DataFrame) -> np.ndarray:
    """Contacts per minute in each open minute from ``line,start,end,contacts`` rows (an
    interval's contacts spread evenly over its minutes); NaN where no row covers the minute."""
    rows = intervals[(intervals["line"] == grid.line.id) & intervals["contacts"].notna()].sort_values("start")
    rate = np.full(len(grid.offset), np.nan)
    if rows.empty or not len(rate):
        return rate
    starts = rows["start"].to_numpy().astype("datetime64[m]")
    ends = rows["end"].to_numpy().astype("datetime64[m]")
    per_min = rows["contacts"].to_numpy(dtype=float) / (ends - starts).astype(float)
    minutes = grid.minutes
    index = np.searchsorted(starts, minutes, side="right") - 1
    inside = (index >= 0) & (minutes < ends[np.clip(index, 0, None)])
    rate[inside] = per_min[index[inside]]
    return rate


# --- the sums every target is a ratio of -------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Sums:
    """Per open minute (last axis; a leading axis holds simulation replications): contacts
    offered, answered within the target time, answered, seconds waited (abandoned contacts
    count their time until they gave up) and seconds of capacity held / on the line (agents
    for voice, chat slots for chat)."""

    offered: np.ndarray
    within: np.ndarray
    answered: np.ndarray
    wait_s: np.ndarray
    held_s: np.ndarray
    capacity_s: np.ndarray

    def pooled(self, groups: sparse.csr_matrix) -> Sums:
        """Sums per group: ``groups`` is a (minutes x groups) indicator matrix."""
        return Sums(**{item.name: np.asarray(getattr(self, item.name) @ groups) for item in fields(Sums)})

    def ratios(self) -> dict[str, np.ndarray]:
        """The service targets: NaN where nothing was offered (or nobody was on the line)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            offered = np.where(self.offered > 0, self.offered, np.nan)
            capacity = np.where(self.capacity_s > 0, self.capacity_s, np.nan)
            return {"service_level": self.within / offered, "answer_rate": self.answered / offered,
                    "avg_wait_s": self.wait_s / offered, "occupancy": self.held_s / capacity}


def capacity_per_agent(line: Line) -> int:
    return line.queue.concurrency if line.channel == "chat" else 1


def formula_sums(line: Line, on_line: np.ndarray, rate_per_min: np.ndarray) -> Sums:
    """Expected sums per minute by the stationary formulas at each minute's staffing and
    arrival rate (minutes without a rate count nothing)."""
    known = ~np.isnan(rate_per_min)
    rate = np.where(known, rate_per_min, 0.0)
    pairs, inverse = np.unique(np.stack([on_line, rate]), axis=1, return_inverse=True)
    agents, per_s = pairs[0].astype(np.int64), pairs[1] / 60.0
    target, queue = line.target, line.queue
    if line.channel == "chat":
        metrics = chat_metrics(agents, per_s, handle_time_by_concurrency_s=queue.handle_time_by_concurrency_s,
                               answer_within_s=target.answer_within_s, patience_s=queue.patience_s)
    else:
        metrics = erlang_a(agents, per_s, handle_time_s=queue.handle_time_s, answer_within_s=target.answer_within_s,
                           patience_s=queue.patience_s)
    inverse = inverse.ravel()
    capacity = np.where(known, on_line * capacity_per_agent(line) * 60.0, 0.0)
    return Sums(offered=rate, within=rate * metrics.service_level[inverse],
                answered=rate * (1.0 - metrics.p_abandon[inverse]),
                wait_s=np.where(rate > 0, rate * metrics.avg_wait_s[inverse], 0.0),
                held_s=capacity * metrics.occupancy[inverse], capacity_s=capacity)


def agent_day_loads(grid: LineMinutes, answered: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Contacts each agent handles per service day: each minute's answered contacts shared
    equally by the agents on the line in it. ``answered`` is per open minute (a leading axis
    allowed). Returns the agent-days (``agent``, ``date``) and their loads (last axis)."""
    answered = np.atleast_2d(answered)
    share = np.zeros((answered.shape[0], grid.horizon_min + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        share[:, grid.offset + 1] = np.where(grid.on_line > 0, answered / grid.on_line, 0.0)
    cumulative = np.cumsum(share, axis=1)
    rows = grid.load_rows
    grouped = rows.groupby(["agent", "date"], sort=False)
    code = grouped.ngroup().to_numpy()
    keys = grouped.size().reset_index()[["agent", "date"]]
    per_row = (cumulative[:, rows["hi"].to_numpy()] - cumulative[:, rows["lo"].to_numpy()]) * rows["sign"].to_numpy()
    loads = np.zeros((answered.shape[0], len(keys)))
    for i in range(answered.shape[0]):
        loads[i] = np.bincount(code, weights=per_row[i], minlength=len(keys))
    return keys, loads


# --- target rows ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetResult:
    """One target on one scope (``line``: the whole horizon, ``day``: a service day,
    ``interval``: a planning slot), as a ``check.json`` row."""

    target: str
    line: str
    goal: float | None
    value: float | None
    ok: bool
    scope: str
    day: str = ""
    start: str = ""
    end: str = ""
    contacts: float | None = None
    simulated: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    formula_in_ci: bool | None = None
    judged_by: str = "formula"
    detail: str = ""

    def to_dict(self) -> dict:
        """The CONTRACT keys first (``target, line, goal, value, ok``), then what applies."""
        digits = DIGITS[self.target]
        out = {"target": self.target, "line": self.line, "goal": _round(self.goal, digits),
               "value": _round(self.value, digits), "ok": self.ok, "scope": self.scope}
        for name in ("day", "start", "end", "detail"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.contacts is not None:
            out["contacts"] = round(self.contacts, 1)
        if self.simulated is not None:
            out.update(simulated=_round(self.simulated, digits), ci_low=_round(self.ci_low, digits),
                       ci_high=_round(self.ci_high, digits), formula_in_ci=self.formula_in_ci)
        if self.judged_by != "formula":
            out["judged_by"] = self.judged_by
        return out

    @property
    def gap(self) -> float:
        """How far the judged value is from the goal on the wrong side (0 when met)."""
        value = self.simulated if self.judged_by == "simulation" else self.value
        if self.goal is None or self.ok:
            return 0.0
        if value is None:
            return float("inf")
        return abs(value - self.goal) / max(abs(self.goal), 1e-9)


DIGITS = {"service_level": 4, "answer_rate": 5, "avg_wait_s": 1, "occupancy": 4, "daily_load": 1,
          "online_hours_peak": 2}
HIGHER_IS_BETTER = {"service_level": True, "answer_rate": True, "occupancy": False, "daily_load": False,
                    "online_hours_peak": True, "avg_wait_s": False}
QUEUE_TARGETS = ("service_level", "answer_rate", "avg_wait_s", "occupancy")


def goal_of(line: Line, target: str) -> float | None:
    """The line's goal for a target (``None``: reported, no goal)."""
    return {"service_level": line.target.service_level, "answer_rate": 1.0 - line.target.max_abandon_rate,
            "avg_wait_s": None, "occupancy": line.target.max_occupancy,
            "daily_load": line.queue.daily_cap_per_agent, "online_hours_peak": line.target.min_online_hours_peak,
            }[target]


def _round(value: float | None, digits: int) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def meets(value: float | None, goal: float | None, target: str) -> bool:
    if goal is None:
        return True
    if value is None or np.isnan(value):
        return False
    tolerance = 1e-9 * max(1.0, abs(goal))
    return value >= goal - tolerance if HIGHER_IS_BETTER[target] else value <= goal + tolerance


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    """A target's value by the formula and, when simulated, the replications' mean and 95% CI."""

    value: float | None
    simulated: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


def confidence_interval(samples: np.ndarray) -> tuple[float | None, float | None, float | None]:
    """Mean and 95% Student-t interval over replications (NaN replications left out)."""
    samples = samples[np.isfinite(samples)]
    if not len(samples):
        return None, None, None
    mean = float(samples.mean())
    if len(samples) < 2:
        return mean, None, None
    half = float(stats.t.ppf(0.975, len(samples) - 1) * samples.std(ddof=1) / np.sqrt(len(samples)))
    return mean, mean - half, mean + half


def judge(target: str, line: str, goal: float | None, estimate: Estimate, scope: str, **where) -> TargetResult:
    """A target row. The formula decides, unless the simulation clearly contradicts it: the
    formula's value lies outside the simulated 95% interval and that whole interval is on
    the other side of the goal. Then the simulation (the referee) decides."""
    value = None if estimate.value is None or not np.isfinite(estimate.value) else float(estimate.value)
    ok, judged_by, inside = meets(value, goal, target), "formula", None
    if estimate.simulated is not None and estimate.ci_low is not None and value is not None:
        inside = estimate.ci_low - 1e-12 <= value <= estimate.ci_high + 1e-12
        low_ok, high_ok = meets(estimate.ci_low, goal, target), meets(estimate.ci_high, goal, target)
        if not inside and low_ok == high_ok and low_ok != ok:
            ok, judged_by = low_ok, "simulation"
    return TargetResult(target=target, line=line, goal=goal, value=value, ok=ok, scope=scope,
                        simulated=estimate.simulated, ci_low=estimate.ci_low, ci_high=estimate.ci_high,
                        formula_in_ci=inside, judged_by=judged_by, **where)


def _indicator(labels: np.ndarray, size: int) -> sparse.csr_matrix:
    return sparse.csr_matrix((np.ones(len(labels)), (np.arange(len(labels)), labels)), shape=(len(labels), size))


def _estimates(formula: np.ndarray, simulated: np.ndarray | None) -> list[Estimate]:
    """Per group: formula value, and (when simulated) mean and 95% CI over the replications."""
    if simulated is None:
        return [Estimate(value=value) for value in formula]
    finite = np.isfinite(simulated)
    count = finite.sum(axis=0)
    values = np.where(finite, simulated, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = values.sum(axis=0) / count
        spread = np.sqrt(np.where(finite, (values - mean) ** 2, 0.0).sum(axis=0) / (count - 1))
        half = stats.t.ppf(0.975, np.maximum(count - 1, 1)) * spread / np.sqrt(count)
    out = []
    for g, value in enumerate(formula):
        if count[g] == 0:
            out.append(Estimate(value=value))
        elif count[g] == 1:
            out.append(Estimate(value=value, simulated=float(mean[g])))
        else:
            out.append(Estimate(value=value, simulated=float(mean[g]), ci_low=float(mean[g] - half[g]),
                                ci_high=float(mean[g] + half[g])))
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class LineTargets:
    """Every target row of one line: the line row, the day rows, the intervals that miss."""

    line: tuple[TargetResult, ...]
    days: tuple[TargetResult, ...]
    intervals: tuple[TargetResult, ...]

    def rows(self) -> tuple[TargetResult, ...]:
        return self.line + self.days + self.intervals


def queue_targets(grid: LineMinutes, formula: Sums, simulated: Sums | None) -> LineTargets:
    """Service level, answer rate, average wait and occupancy per line, day and interval."""
    line = grid.line
    days, day_label = np.unique(grid.service_day, return_inverse=True)
    scopes = {"line": np.zeros(len(grid.offset), dtype=np.int64), "day": day_label.ravel(), "interval": grid.slot}
    sizes = {"line": 1, "day": len(days), "interval": len(grid.slot_start)}
    found: dict[str, list[TargetResult]] = {"line": [], "day": [], "interval": []}
    minute = np.arange(len(grid.slot))
    bounds = (np.full(sizes["interval"], len(minute)), np.zeros(sizes["interval"], dtype=np.int64))
    np.minimum.at(bounds[0], grid.slot, minute)
    np.maximum.at(bounds[1], grid.slot, minute)
    for scope, labels in scopes.items():
        groups = _indicator(labels, sizes[scope])
        pooled = formula.pooled(groups)
        formula_values = pooled.ratios()
        simulated_values = simulated.pooled(groups).ratios() if simulated is not None else None
        for target in QUEUE_TARGETS:
            if scope == "interval" and goal_of(line, target) is None:
                continue
            estimates = _estimates(formula_values[target], None if simulated_values is None
                                   else simulated_values[target])
            for g, estimate in enumerate(estimates):
                if pooled.offered[g] <= 0:
                    continue
                where = _where(grid, scope, g, days, bounds)
                row = judge(target, line.id, goal_of(line, target), estimate, scope,
                            contacts=float(pooled.offered[g]), **where)
                if scope != "interval" or not row.ok:
                    found[scope].append(row)
    intervals = sorted(found["interval"], key=lambda r: (-r.gap, r.start, r.target))
    return LineTargets(line=tuple(found["line"]), days=tuple(found["day"]), intervals=tuple(intervals))


def _where(grid: LineMinutes, scope: str, group: int, days: np.ndarray, bounds: tuple) -> dict[str, str]:
    if scope == "day":
        return {"day": str(days[group])}
    if scope == "interval":
        first, last = bounds
        start = pd.Timestamp(grid.slot_start[group])
        end = grid.timestamp(int(grid.offset[last[group]]) + 1)
        return {"day": str(grid.service_day[first[group]]), "start": start.isoformat(timespec="minutes"),
                "end": end.isoformat(timespec="minutes")}
    return {}


def daily_load_targets(grid: LineMinutes, formula: Sums, simulated: Sums | None) -> tuple[TargetResult, ...]:
    """The busiest agent's contacts per service day against the line's daily cap, and the
    line row (the busiest agent-day). Simulated: that same agent-day's load in each
    replication, so formula and simulation speak of one quantity."""
    goal = goal_of(grid.line, "daily_load")
    keys, loads = agent_day_loads(grid, formula.answered)
    if keys.empty:
        return ()
    sim_loads = agent_day_loads(grid, simulated.answered)[1] if simulated is not None else None
    rows, busiest_per_day = [], []
    for day, members in keys.groupby("date").groups.items():
        index = np.asarray(members)
        busiest = int(index[np.argmax(loads[0, index])])
        busiest_per_day.append(busiest)
        rows.append(judge("daily_load", grid.line.id, goal, _estimate(loads, sim_loads, busiest), "day", day=str(day),
                          detail=f"busiest agent {keys['agent'][busiest]}"))
    top = max(busiest_per_day, key=lambda i: loads[0, i])
    line_row = judge("daily_load", grid.line.id, goal, _estimate(loads, sim_loads, top), "line",
                     detail=f"busiest agent-day {keys['agent'][top]} {keys['date'][top]}")
    return (line_row, *rows)


def _estimate(loads: np.ndarray, sim_loads: np.ndarray | None, column: int) -> Estimate:
    value = float(loads[0, column])
    if sim_loads is None:
        return Estimate(value=value)
    mean, low, high = confidence_interval(sim_loads[:, column])
    return Estimate(value=value, simulated=mean, ci_low=low, ci_high=high)


def peak_days(centre: Centre, line: Line, days: list[dt.date]) -> list[dt.date]:
    """A chat line's peak days among ``days``: campaign days (events.csv ``day``) and days
    under a dated override of its hours. Voice lines keep their own hours (empty)."""
    if line.channel != "chat":
        return []
    special = {event.day for event in centre.events}
    special |= {day for day in days for override in line.hours.overrides if override.covers(day)}
    return sorted(special & set(days))


def online_hours_targets(centre: Centre, grid: LineMinutes, days: list[dt.date]) -> tuple[TargetResult, ...]:
    """On peak days, the hours the line is staffed (at least one agent on it) against
    ``target.min_online_hours_peak`` (在线时长≥16H)."""
    rows = []
    goal = goal_of(grid.line, "online_hours_peak")
    for day in peak_days(centre, grid.line, days):
        staffed = int(((grid.service_day == np.datetime64(day, "D")) & (grid.on_line > 0)).sum())
        rows.append(judge("online_hours_peak", grid.line.id, goal, Estimate(value=staffed / 60), "day", day=str(day)))
    return tuple(rows)


def line_targets(centre: Centre, grid: LineMinutes, days: list[dt.date], rate: np.ndarray | None,
                 simulated: Sums | None = None) -> LineTargets:
    """Every target of one line; without arrival rates only the staffed hours on peak days."""
    hours = online_hours_targets(centre, grid, days)
    if rate is None or np.isnan(rate).all():
        return LineTargets(line=(), days=hours, intervals=())
    formula = formula_sums(grid.line, grid.on_line, rate)
    queue = queue_targets(grid, formula, simulated)
    load = daily_load_targets(grid, formula, simulated)
    return LineTargets(line=queue.line + load[:1], days=queue.days + load[1:] + hours, intervals=queue.intervals)


def arrival_rates(grids: Mapping[str, LineMinutes], forecast: pd.DataFrame | None,
                  requirements: pd.DataFrame | None) -> tuple[dict[str, np.ndarray | None], list[str]]:
    """Contacts per open minute per line: from the forecast when given, else from the
    requirement file's ``contacts`` column; notes say what was used and what is missing."""
    notes, rates = [], {}
    if forecast is not None:
        source, name = forecast, "the forecast"
    elif requirements is not None and "contacts" in requirements and requirements["contacts"].notna().any():
        source, name = requirements, "the requirement file's contacts column"
    else:
        notes.append("no arrival rates (no --forecast, and the requirement file has no contacts column): "
                     "service targets other than the peak-day online hours are not predicted")
        return {line: None for line in grids}, notes
    notes.append(f"arrival rates from {name}")
    for line, grid in grids.items():
        rate = rate_per_minute(grid, source)
        missing = int(np.isnan(rate).sum())
        if missing == len(rate):
            notes.append(f"{line}: {name} has no contacts for the roster's days; its targets are not predicted")
            rates[line] = None
            continue
        if missing:
            first = grid.timestamp(int(grid.offset[np.isnan(rate)][0])).isoformat(timespec="minutes")
            notes.append(f"{line}: {name} leaves {missing} open minute(s) without contacts (first {first}); "
                         "they are left out of the targets")
        rates[line] = rate
    return rates, notes


__all__ = ["LineMinutes", "LineTargets", "Sums", "TargetResult", "arrival_rates", "formula_sums", "line_minutes",
           "line_targets", "on_line_over_horizon", "roster_days"]
