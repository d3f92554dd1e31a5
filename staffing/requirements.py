"""From the forecast to agents on the line, per planning slot (DOMAIN section 4).

For each line and each open slot of the service days the forecast covers:

* the arrival rate is the forecast interval's rate (a 10-minute slot under an hourly
  forecast takes the hour's rate; a slot spanning several finer intervals, their mean);
* ``required`` is the least number of agents on the line (not on a meal, break or meeting)
  meeting every target: voice by Erlang C for "X% within T s" and Erlang A with the
  callers' patience for the abandonment ceiling (the reading of "100% connection rate");
  chat by the limited-processor-sharing queue (an agent holds up to k chats, each slower
  the more it holds);
* ``floor`` is what line coverage alone demands: ``min_agents`` in every open slot;
* per service day, the per-agent daily cap (单人日服务量, 200 by default) gives the least
  number of agents who must work on the line that day: ``day_min_agents``, carried to the
  roster. ``day_binding`` says whether that cap or the intervals set the day's headcount.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffing.calendar import SlotGrid, WorkCalendar, centre_calendar, date_range
from staffing.domain import Centre, Line
from staffing.errors import StaffingError
from staffing.queueing import StaffingRequirement, required_agents_voice
from staffing.queueing_chat import required_agents_chat

log = logging.getLogger("staffing")

REQUIREMENTS_COLUMNS = [
    "line", "start", "end", "required", "floor", "contacts", "rate_per_hour", "service_level", "p_abandon",
    "avg_wait_s", "occupancy", "binding", "service_day", "day_contacts", "day_min_agents", "day_binding",
    "required_k_servers",
]
INTRA_HOUR_WARNING = 1.15  # a sub-hour interval running this far above its hour's mean


@dataclass(frozen=True, slots=True, kw_only=True)
class RequirementsResult:
    """``requirements.csv`` (one row per line per open slot) with the notes behind it."""

    frame: pd.DataFrame = field(repr=False)
    staff_to: dict[str, str]
    warnings: tuple[str, ...]

    def daily(self) -> pd.DataFrame:
        """Per line and service day: contacts, peak and total agent-hours required, the daily-cap minimum."""
        frame = self.frame
        slot_h = (frame["end"] - frame["start"]).dt.total_seconds() / 3600
        grouped = frame.assign(agent_hours=frame["required"] * slot_h).groupby(["line", "service_day"])
        return grouped.agg(contacts=("contacts", "sum"), peak_required=("required", "max"),
                           agent_hours=("agent_hours", "sum"), day_min_agents=("day_min_agents", "first"),
                           day_binding=("day_binding", "first")).reset_index()

    def describe(self) -> str:
        """Per line: slots, days, peak and agent-hours, the days the daily cap binds; its three busiest days."""
        out = []
        for line, days in self.daily().groupby("line"):
            capped = days[days["day_binding"] == "daily cap"]
            out.append(f"{line}: {len(self.frame[self.frame['line'] == line])} slots over {len(days)} days, "
                       f"staffed to the {self.staff_to[line]}; peak {days['peak_required'].max()} on the line, "
                       f"{days['agent_hours'].sum():,.0f} agent-hours; daily cap binds on {len(capped)} day(s)")
            for _, day in days.sort_values("agent_hours", ascending=False).head(3).iterrows():
                out.append(f"  {day['service_day']}: {day['contacts']:,.0f} contacts, peak {day['peak_required']}, "
                           f"{day['agent_hours']:,.0f} agent-hours, at least {day['day_min_agents']} working "
                           "(daily cap)")
        return "\n".join(out)


def requirements(centre: Centre, forecast: pd.DataFrame, *, staff_to: str | None = None) -> RequirementsResult:
    """Agents required on the line per slot for every line the forecast covers.

    Parameters
    ----------
    forecast : the CONTRACT forecast table (``line,start,end,contacts[,low,high]``).
    staff_to : ``"mean"`` or ``"high"`` (the forecast's upper band) for every line; default:
        each line's ``target.staff_to``.
    """
    calendar = centre_calendar(centre)
    frames, warnings, used = [], [], {}
    for line_id, rows in forecast.groupby("line", sort=False):
        line = centre.lines[str(line_id)]
        level = staff_to or line.target.staff_to
        if level == "high" and ("high" not in rows or rows["high"].isna().any()):
            raise StaffingError(f"line {line.id} is staffed to the forecast's upper band, but the forecast has "
                                "no 'high' column for it; give one, or use --staff-to mean", exit_code=2)
        used[line.id] = level
        frame, line_warnings = _line_requirements(centre, line, rows, level, calendar)
        frames.append(frame)
        warnings += line_warnings
        warnings += _intra_hour_warnings(centre, line)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=REQUIREMENTS_COLUMNS)
    return RequirementsResult(frame=frame[REQUIREMENTS_COLUMNS], staff_to=used, warnings=tuple(warnings))


def _line_requirements(centre: Centre, line: Line, rows: pd.DataFrame, level: str,
                       calendar: WorkCalendar) -> tuple[pd.DataFrame, list[str]]:
    starts = rows["start"].to_numpy().astype("datetime64[m]")
    ends = rows["end"].to_numpy().astype("datetime64[m]")
    order = np.argsort(starts)
    starts, ends = starts[order], ends[order]
    values = rows["high" if level == "high" else "contacts"].to_numpy(dtype=float)[order]
    rate_per_min = values / (ends - starts).astype(float)
    first = pd.Timestamp(starts.min()).date() - dt.timedelta(days=1)
    last = pd.Timestamp(starts.max()).date()
    grid = SlotGrid(line, date_range(first, last), calendar, centre.slot_min)
    minutes = grid.start[:, None] + np.arange(centre.slot_min).astype("timedelta64[m]")
    index = np.searchsorted(starts, minutes, side="right") - 1
    covered = (index >= 0) & (minutes < ends[np.clip(index, 0, None)])
    per_minute = np.where(covered, rate_per_min[np.clip(index, 0, None)], np.nan)
    touched = covered.any(axis=1)
    # Keep the service days the forecast speaks of; name the open slots it leaves out.
    days_touched = np.unique(grid.service_day[touched])
    keep = np.isin(grid.service_day, days_touched)
    warnings = []
    missing = keep & ~touched
    if missing.any():
        first_missing = pd.Timestamp(grid.start[missing][0]).isoformat(timespec="minutes")
        warnings.append(f"{line.id}: the forecast has no rows for {int(missing.sum())} open slot(s) of the days it "
                        f"covers (first {first_missing}); they are staffed to the floor only")
    counted = covered.sum(axis=1)
    slot_rate_per_min = np.where(covered, per_minute, 0.0).sum(axis=1) / np.maximum(counted, 1)
    slot_rate_per_min = slot_rate_per_min[keep]
    slot_start = grid.start[keep]
    service_day = grid.service_day[keep]
    floor = np.full(len(slot_start), line.min_agents)
    need = _required(line, slot_rate_per_min / 60.0, floor)
    shortcut = _k_servers_shortcut(line, slot_rate_per_min / 60.0)
    slot_contacts = slot_rate_per_min * centre.slot_min
    frame = pd.DataFrame({
        "line": line.id,
        "start": pd.DatetimeIndex(slot_start.astype("datetime64[ns]")),
        "end": pd.DatetimeIndex((slot_start + np.timedelta64(centre.slot_min, "m")).astype("datetime64[ns]")),
        "required": need.agents.astype(int),
        "floor": floor,
        "contacts": np.round(slot_contacts, 3),
        "rate_per_hour": np.round(slot_rate_per_min * 60, 3),
        "service_level": np.round(need.service_level, 4),
        "p_abandon": np.round(need.p_abandon, 5),
        "avg_wait_s": np.round(need.avg_wait_s, 2),
        "occupancy": np.round(need.occupancy, 4),
        "binding": need.binding,
        "service_day": pd.to_datetime(service_day).date,
        "required_k_servers": shortcut,
    })
    return _daily_cap(line, frame), warnings


def _required(line: Line, rate_per_s: np.ndarray, floor: np.ndarray) -> StaffingRequirement:
    """Required agents for the distinct rates only (slots share their hour's rate)."""
    unique, inverse = np.unique(rate_per_s, return_inverse=True)
    target, queue = line.target, line.queue
    common = dict(service_level=target.service_level, answer_within_s=target.answer_within_s,
                  patience_s=queue.patience_s, max_abandon_rate=target.max_abandon_rate,
                  max_occupancy=target.max_occupancy, min_agents=line.min_agents)
    if line.channel == "voice":
        result = required_agents_voice(unique, handle_time_s=queue.handle_time_s, **common)
    else:
        result = required_agents_chat(unique, handle_time_by_concurrency_s=queue.handle_time_by_concurrency_s,
                                      **common)
    return StaffingRequirement(
        agents=np.maximum(np.asarray(result.agents)[inverse], floor),
        service_level=np.asarray(result.service_level)[inverse],
        p_abandon=np.asarray(result.p_abandon)[inverse],
        avg_wait_s=np.asarray(result.avg_wait_s)[inverse],
        occupancy=np.asarray(result.occupancy)[inverse],
        binding=np.asarray(result.binding)[inverse],
    )


def _k_servers_shortcut(line: Line, rate_per_s: np.ndarray) -> np.ndarray:
    """Chat only, for comparison: agents if each were ``k`` independent Erlang A servers with
    the one-chat handle time (the common shortcut, which ignores that chats slow down when
    an agent holds several). Not used for staffing; empty for voice lines."""
    if line.channel != "chat":
        return np.full(len(rate_per_s), pd.NA)
    unique, inverse = np.unique(rate_per_s, return_inverse=True)
    servers = required_agents_voice(unique, handle_time_s=line.queue.handle_time_s,
                                    service_level=line.target.service_level,
                                    answer_within_s=line.target.answer_within_s, patience_s=line.queue.patience_s,
                                    max_abandon_rate=line.target.max_abandon_rate,
                                    max_occupancy=line.target.max_occupancy).agents
    agents = np.maximum(np.ceil(np.asarray(servers) / line.queue.concurrency).astype(int), line.min_agents)
    return agents[inverse]


def _daily_cap(line: Line, frame: pd.DataFrame) -> pd.DataFrame:
    cap = line.queue.daily_cap_per_agent
    day_contacts = frame.groupby("service_day")["contacts"].transform("sum")
    peak = frame.groupby("service_day")["required"].transform("max")
    day_min = np.ceil(np.round(day_contacts / cap, 6)).astype(int) if cap else pd.Series(0, index=frame.index)
    binding = np.where(day_min > peak, "daily cap", "intervals")
    return frame.assign(day_contacts=np.round(day_contacts, 1), day_min_agents=day_min, day_binding=binding)


def _intra_hour_warnings(centre: Centre, line: Line) -> list[str]:
    """Where the history is finer than an hour, name the hours whose busiest sub-interval
    runs well above the hour's average: staffing to the hourly rate under-staffs it."""
    if centre.history_interval_min >= 60 or centre.history.empty:
        return []
    history = centre.history[centre.history["line"] == line.id]
    if history.empty:
        return []
    recent = history[history["start"] >= history["start"].max() - pd.Timedelta(weeks=8)]
    hour = recent["start"].dt.floor("h")
    per_hour = recent.groupby(hour)["contacts"].agg(["max", "mean", "sum"])
    per_hour = per_hour[per_hour["sum"] > 0]
    if per_hour.empty:
        return []
    peak_ratio = (per_hour["max"] / per_hour["mean"]).groupby(per_hour.index.hour).mean()
    worst = peak_ratio[peak_ratio > INTRA_HOUR_WARNING].sort_values(ascending=False)
    if worst.empty:
        return []
    hours = ", ".join(f"{h:02d}:00 (+{r - 1:.0%})" for h, r in worst.head(5).items())
    return [f"{line.id}: the hourly forecast hides peaks inside the hour; in the last 8 weeks of history the busiest "
            f"{centre.history_interval_min}-minute interval ran above its hour's average at {hours}: staffing to the "
            "hourly rate under-staffs those minutes"]

