"""Every table the workbook and the report show, computed once from a :class:`PlanData`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from staffing.export import extras, views
from staffing.export.data import PlanData


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanViews:
    """The plan folder's tables, as the exports show them (see :mod:`staffing.export.views`
    and :mod:`staffing.export.extras` for what each means)."""

    data: PlanData = field(repr=False)
    daily: pd.DataFrame | None = field(repr=False)
    hourly: pd.DataFrame | None = field(repr=False)
    past_daily: pd.DataFrame = field(repr=False)
    past_hourly: pd.DataFrame = field(repr=False)
    comparison: tuple[str, ...]
    slots: pd.DataFrame = field(repr=False)
    grid: views.RosterGrid = field(repr=False)
    away: tuple[views.AwayGrid, ...] = field(repr=False)
    shifts: pd.DataFrame = field(repr=False)
    volume: pd.DataFrame = field(repr=False)
    online: pd.DataFrame = field(repr=False)
    rules: tuple[tuple[str, int, str], ...]

    @property
    def short_agent_min(self) -> dict[str, int]:
        """Agent-minutes short of the requirement on the line, per line, over the roster's days."""
        slots = self.slots
        minutes = (slots["end"] - slots["start"]).dt.total_seconds() / 60
        short = (slots["short"].fillna(0) * minutes).groupby(slots["line"]).sum()
        return {str(line): int(value) for line, value in short.items()}


def build_views(data: PlanData) -> PlanViews:
    """Compute every table once."""
    hourly = views.hourly_forecast(data)
    daily = views.daily_forecast(data, hourly)
    slots = views.staffing_by_slot(data)
    return PlanViews(
        data=data,
        daily=daily,
        hourly=hourly,
        past_daily=views.past_peak_daily(data),
        past_hourly=views.past_peak_hours(data),
        comparison=views.comparison_peaks(data),
        slots=slots,
        grid=views.roster_grid(data),
        away=tuple(views.away_grid(data, day) for day in data.peak_days),
        shifts=extras.shift_needs(data, slots),
        volume=extras.daily_volume(data, daily),
        online=extras.online_duration(data),
        rules=views.rule_summary(data),
    )
