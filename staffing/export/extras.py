"""The 818 guide's peak-period plan extras (DOMAIN section 5, seed 001).

* **Staff needed and planned per shift.** For each line and service day, *needed* is the
  fewest heads per shift template whose shifts, net of the share of each shift spent on
  its meal and breaks, keep the requirement on the line in every slot a template can
  cover, and who number at least the day's ``day_min_agents`` (the daily cap): a small
  integer program (least shift-minutes) solved with HiGHS through ``scipy.optimize.milp``.
  *Planned* is the roster's shifts of that template that day.
* **Daily volume per agent.** The daily cap used (``queue.daily_cap_per_agent``,
  单人最高日服务量), the headcount it calls for, and the forecast contacts per agent the
  roster actually puts on shift.
* **Online duration per peak day.** The line's open hours, the hours with at least one
  agent on the line in the roster, and the target ``min_online_hours_peak`` (在线时长≥16H)
  where ``staffing check`` judges it: chat lines on a campaign's main day or a day with
  dated hours (``staffing.targets.peak_days``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import LinearConstraint, milp

from staffing.calendar import centre_calendar, service_windows
from staffing.domain import Centre, ShiftTemplate, clock
from staffing.export.data import PlanData
from staffing.export.views import daily_forecast, minute_counts, staffing_by_slot
from staffing.targets import peak_days as target_peak_days

SHIFT_COLUMNS = ["line", "service_day", "code", "name", "start", "end", "needed", "planned", "difference"]


def away_share(centre: Centre, template: ShiftTemplate) -> float:
    """The share of a template's shift spent on its meals and breaks."""
    away_min = template.meals * centre.rules.meal_min + template.breaks * centre.rules.break_min
    return away_min / template.minutes


def heads_needed(required: np.ndarray, slot_start_min: np.ndarray, slot_min: int,
                 templates: list[ShiftTemplate], shares: list[float], day_min: int = 0) -> np.ndarray | None:
    """Heads per template covering ``required`` on the line net of meals and breaks.

    Parameters
    ----------
    required : agents required on the line in each slot.
    slot_start_min : each slot's start in minutes after the service day's midnight.
    templates, shares : the line's templates and the away share of each.
    day_min : least heads in all (the daily cap's headcount).

    Returns
    -------
    Whole heads per template (least shift-minutes), or ``None`` when no template exists.
    Slots no template covers are left out (the roster cannot cover them either).
    """
    if not templates:
        return None
    covers = np.array([[t.start_min <= s and s + slot_min <= t.end_min for t in templates] for s in slot_start_min],
                      dtype=float).reshape(len(slot_start_min), len(templates))
    coverable = covers.any(axis=1) & (np.asarray(required) > 0)
    matrix = covers[coverable] * (1.0 - np.asarray(shares))
    constraints = [LinearConstraint(matrix, lb=np.asarray(required, dtype=float)[coverable], ub=np.inf)]
    if day_min:
        constraints.append(LinearConstraint(np.ones((1, len(templates))), lb=day_min, ub=np.inf))
    cost = np.array([t.minutes for t in templates], dtype=float)
    result = milp(cost, integrality=np.ones(len(templates)), bounds=(0, np.inf),
                  constraints=[c for c in constraints if c.A.shape[0]])
    if result.x is None:
        return None
    return np.round(result.x).astype(int)


def shift_needs(data: PlanData, slots: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per line, service day and shift template: heads needed and planned (see module doc);
    ``needed`` is NaN without a requirements file. ``slots``: :func:`staffing_by_slot`'s
    table when already made."""
    slots = staffing_by_slot(data) if slots is None else slots
    shifts = data.roster[data.roster["activity"] == "shift"]
    planned = shifts.groupby(["line", "date", "code"]).size()
    rows = []
    for line in data.centre.lines.values():
        templates = [t for t in data.centre.shifts.values() if line.id in t.lines]
        shares = [away_share(data.centre, t) for t in templates]
        for day in data.days:
            day_slots = slots[(slots["line"] == line.id) & (slots["service_day"] == day)]
            needed = None
            if len(day_slots) and data.requirements is not None:
                start_min = ((day_slots["start"] - pd.Timestamp(day)).dt.total_seconds() // 60).astype(int)
                day_min = day_slots["day_min_agents"].dropna()
                needed = heads_needed(day_slots["required"].to_numpy(dtype=float), start_min.to_numpy(),
                                      data.centre.slot_min, templates, shares,
                                      int(day_min.iloc[0]) if len(day_min) else 0)
            for index, template in enumerate(templates):
                count = int(planned.get((line.id, day, template.code), 0))
                need = float(needed[index]) if needed is not None else np.nan
                if count or (need == need and need):
                    rows.append((line.id, day, template.code, template.name, clock(template.start_min),
                                 clock(template.end_min), need, count, count - need))
    return pd.DataFrame(rows, columns=SHIFT_COLUMNS)


def daily_volume(data: PlanData, forecast: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per line and roster day: forecast contacts, the daily cap per agent used, the headcount
    the cap calls for, agents working, and contacts per working agent. ``forecast``:
    :func:`daily_forecast`'s table when already made."""
    forecast = daily_forecast(data) if forecast is None else forecast
    requirements = data.requirements
    shifts = data.roster[data.roster["activity"] == "shift"]
    working = shifts.groupby(["line", "date"])["agent"].nunique()
    rows = []
    for line in data.centre.lines.values():
        cap = line.queue.daily_cap_per_agent
        for day in data.days:
            contacts = np.nan
            if forecast is not None:
                match = forecast[(forecast["line"] == line.id) & (forecast["service_day"] == day)]
                contacts = float(match["contacts"].sum()) if len(match) else np.nan
            day_min = np.nan
            if requirements is not None:
                match = requirements[(requirements["line"] == line.id) & (requirements["service_day"] == day)]
                if len(match) and match["day_min_agents"].notna().any():
                    day_min = float(match["day_min_agents"].dropna().iloc[0])
                if contacts != contacts and "day_contacts" in match and match["day_contacts"].notna().any():
                    contacts = float(match["day_contacts"].dropna().iloc[0])
            heads = int(working.get((line.id, day), 0))
            per_agent = contacts / heads if heads and contacts == contacts else np.nan
            within = bool(per_agent <= cap) if cap and per_agent == per_agent else None
            if heads or contacts == contacts:
                rows.append((line.id, day, contacts, cap, day_min, heads, per_agent, within))
    frame = pd.DataFrame(rows, columns=["line", "service_day", "contacts", "cap_per_agent", "agents_for_cap",
                                        "working", "per_agent", "within_cap"])
    return frame.round({"contacts": 1, "per_agent": 1})


def online_duration(data: PlanData) -> pd.DataFrame:
    """Per line and peak day: open hours, hours with someone on the line, agent-hours on the
    line, and the online-duration target where ``staffing check`` judges it."""
    calendar = centre_calendar(data.centre)
    rows = []
    roster = data.roster
    for day in data.peak_days:
        for line in data.centre.lines.values():
            windows = service_windows(line, day, calendar)
            if not windows:
                continue
            open_min = staffed_min = agent_min = 0
            for start, end in windows:
                start, end = pd.Timestamp(start), pd.Timestamp(end)
                minutes = int((end - start).total_seconds() // 60)
                present = _on_line(roster, line.id, start, minutes)
                open_min += minutes
                staffed_min += int((present >= 1).sum())
                agent_min += int(present.clip(min=0).sum())
            judged = day in target_peak_days(data.centre, line, [day])
            target = line.target.min_online_hours_peak if judged else None
            ok = None if target is None else bool(open_min / 60 >= target and staffed_min / 60 >= target)
            hours = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in windows)
            rows.append((line.id, day, hours, open_min / 60, staffed_min / 60, agent_min / 60, target, ok))
    frame = pd.DataFrame(rows, columns=["line", "service_day", "hours", "open_h", "staffed_h", "agent_hours",
                                        "target_h", "ok"])
    return frame.round({"open_h": 2, "staffed_h": 2, "agent_hours": 1})


def _on_line(roster: pd.DataFrame, line: str, origin: pd.Timestamp, minutes: int) -> np.ndarray:
    on_shift, away = minute_counts(roster, line, origin, minutes)
    return on_shift - away
