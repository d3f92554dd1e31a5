"""Normal-day forecast models over a :class:`~staffing.forecast.days.DayTable`.

Every model follows one contract (the statsforecast shape): hyperparameters in
``__init__``, ``fit(table, exclude) -> self`` with learned state in ``name_`` attributes, and
``predict(future) -> counts`` giving a (days, 48) array of expected contacts, zero where the
line is closed. ``exclude`` marks days the model must not learn from (peak windows).
"""

from __future__ import annotations

from typing import Protocol, Self

import numpy as np

from staffing.domain import WEEKDAYS
from staffing.forecast.days import HOURS, DayTable


class ForecastModel(Protocol):
    """What the forecaster, the backtests and the property tests rely on."""

    def fit(self, table: DayTable, exclude: np.ndarray | None = None) -> Self: ...

    def predict(self, future: DayTable) -> np.ndarray: ...


def _usable(table: DayTable, exclude: np.ndarray | None) -> np.ndarray:
    keep = table.open.any(axis=1) & (table.totals > 0)
    if exclude is not None:
        keep &= ~exclude
    return keep


def _day_index(table: DayTable, future: DayTable) -> np.ndarray:
    return np.array([(d - table.dates[0]).days for d in future.dates])


class _Lookback:
    """Baselines that predict from the history itself: ``fit`` keeps it and its usable days."""

    def fit(self, table: DayTable, exclude: np.ndarray | None = None) -> Self:
        self.table_ = table
        self.usable_ = _usable(table, exclude)
        return self


class SeasonalNaive(_Lookback):
    """Same hour of the same weekday one week earlier (a week further back if that was excluded)."""

    def predict(self, future: DayTable) -> np.ndarray:
        out = np.zeros((len(future), HOURS))
        index = _day_index(self.table_, future)
        for row, position in enumerate(index):
            back = position - 7
            while back >= len(self.table_):
                back -= 7
            while back >= 0 and not self.usable_[back]:
                back -= 7
            if back >= 0:
                out[row] = self.table_.counts[back]
        return np.where(future.open, out, 0.0)


class SameHourMean(_Lookback):
    """Mean of the same hour of the same weekday over the last ``weeks`` usable weeks."""

    def __init__(self, weeks: int = 4) -> None:
        self.weeks = weeks

    def predict(self, future: DayTable) -> np.ndarray:
        out = np.zeros((len(future), HOURS))
        last = len(self.table_) - 1
        for row, day in enumerate(future.dates):
            weekday = day.weekday()
            candidates = [i for i in range(last, -1, -1)
                          if self.usable_[i] and self.table_.dates[i].weekday() == weekday][: self.weeks]
            if candidates:
                out[row] = self.table_.counts[candidates].mean(axis=0)
        return np.where(future.open, out, 0.0)


class LevelWeeklyIntraday:
    """Level x weekly x intraday, with the calendar's special days.

    daily total = level x weekday factor x month-position factor (x holiday factor on a
    public holiday, x after-holiday factor on the first working day after one); hourly =
    daily total x the weekday's intraday profile.

    * weekday factors: each ordinary day's total over the mean of its (complete) calendar
      week, averaged per weekday over the history, scaled to mean 1; a 调休 make-up working
      day takes the mean Monday-Friday factor;
    * month position: the first ``month_start_days`` and the last ``month_end_days``
      working days of a month against the other days, each day measured against a centred
      moving mean (billing and pay cycles; learned, so it is 1 where the data shows none);
    * level: exponentially weighted mean (``level_alpha`` per ordinary day) of the totals
      with the weekday and month-position factors taken out;
    * holidays: a factor per holiday name (Spring Festival is not National Day), and one for
      the first working day after a holiday (the backlog), each from the history; a holiday
      never seen takes the mean of all holiday factors (1 with none);
    * intraday: each weekday's hourly shares over the last ``profile_weeks`` weeks, blended
      ``profile_weight`` : (1 - ``profile_weight``) with the pooled shares, renormalised over
      the hours the forecast day is open.
    """

    def __init__(self, level_alpha: float = 0.10, profile_weeks: int = 8, profile_weight: float = 0.75,
                 month_start_days: int = 4, month_end_days: int = 1, centred_days: int = 21) -> None:
        self.level_alpha = level_alpha
        self.profile_weeks = profile_weeks
        self.profile_weight = profile_weight
        self.month_start_days = month_start_days
        self.month_end_days = month_end_days
        self.centred_days = centred_days

    # --- fitting ------------------------------------------------------------------------

    def fit(self, table: DayTable, exclude: np.ndarray | None = None) -> Self:
        usable = _usable(table, exclude)
        after = _after_holiday(table)
        regular = usable & np.isin(table.kind, WEEKDAYS) & ~after
        if not regular.any():
            raise ValueError("no ordinary open days to learn from")
        totals = table.totals
        edge = self._month_edge(table.dates, table)
        first_pass = _weekday_factors(table, totals, regular)
        self.month_factor_ = self._month_factors(table, totals, regular, edge, first_pass)
        month = np.where(edge, self.month_factor_[1], self.month_factor_[0])
        self.weekday_factor_ = _weekday_factors(table, totals / month, regular)
        adjusted = totals / month / self._factors(table.kind)
        self.level_ = _ewma(adjusted[regular], self.level_alpha)
        self.holiday_factor_, self.holiday_default_, self.after_holiday_factor_ = self._special_factors(
            table, adjusted, usable, regular, after)
        self.profile_ = self._profiles(table, regular)
        return self

    def _factors(self, kinds: np.ndarray) -> np.ndarray:
        makeup = float(np.mean([self.weekday_factor_[k] for k in WEEKDAYS[:5]]))
        return np.array([makeup if k == "makeup" else self.weekday_factor_.get(str(k), 1.0) for k in kinds])

    def _month_edge(self, dates: tuple, table: DayTable) -> np.ndarray:
        """Whether each date is among its month's first or last working days."""
        kinds = dict(zip(table.dates, table.kind))
        return month_edge(dates, kinds, self.month_start_days, self.month_end_days)

    def _month_factors(self, table: DayTable, totals: np.ndarray, regular: np.ndarray, edge: np.ndarray,
                       weekday: dict[str, float]) -> tuple[float, float]:
        index = np.flatnonzero(regular)
        if len(index) < 3 * self.centred_days:
            return 1.0, 1.0
        adjusted = totals[index] / np.array([weekday[str(k)] for k in table.kind[index]])
        centred = _centred_mean(adjusted, self.centred_days)
        ratio = adjusted / centred
        keep = np.isfinite(ratio)
        on_edge, off_edge = keep & edge[index], keep & ~edge[index]
        if on_edge.sum() < 8 or off_edge.sum() < 8:
            return 1.0, 1.0
        return float(ratio[off_edge].mean()), float(ratio[on_edge].mean())

    def _special_factors(self, table: DayTable, adjusted: np.ndarray, usable: np.ndarray, regular: np.ndarray,
                         after: np.ndarray) -> tuple[dict[str, float], float, float]:
        """Holiday factors by name and the after-holiday factor, each day against the level
        of the ordinary days before it."""
        regular_index = np.flatnonzero(regular)
        levels = _running_ewma(adjusted, regular, self.level_alpha)
        holidays: dict[str, list[float]] = {}
        after_ratios: list[float] = []
        weekday = self._factors(np.array([WEEKDAYS[d.weekday()] for d in table.dates]))
        for i in np.flatnonzero(usable & ((table.kind == "holiday") | after)):
            if not len(regular_index) or regular_index[0] >= i or not np.isfinite(levels[i]):
                continue
            ratio = adjusted[i] * self._factors(table.kind[i: i + 1])[0] / weekday[i] / levels[i]
            if table.kind[i] == "holiday":
                holidays.setdefault(str(table.holiday[i]), []).append(ratio)
            else:
                after_ratios.append(ratio)
        factors = {name: float(np.mean(values)) for name, values in holidays.items()}
        default = float(np.mean([v for values in holidays.values() for v in values])) if holidays else 1.0
        after_factor = float(np.mean(after_ratios)) if len(after_ratios) >= 2 else 1.0
        return factors, default, after_factor

    def _profiles(self, table: DayTable, regular: np.ndarray) -> dict[str, np.ndarray]:
        recent = regular.copy()
        recent[: max(len(table) - 7 * self.profile_weeks, 0)] = False
        if not recent.any():
            recent = regular
        shares = np.where(table.open, table.counts, 0.0)
        shares = shares / np.maximum(shares.sum(axis=1, keepdims=True), 1e-9)
        pooled = shares[recent].mean(axis=0)
        profiles = {"pooled": pooled}
        for kind in WEEKDAYS:
            days = recent & (table.kind == kind)
            own = shares[days].mean(axis=0) if days.any() else pooled
            profiles[kind] = self.profile_weight * own + (1 - self.profile_weight) * pooled
        return profiles

    # --- predicting ---------------------------------------------------------------------

    def daily_totals(self, future: DayTable) -> np.ndarray:
        """Expected contacts per future day (before the intraday split)."""
        weekday_kinds = np.array([WEEKDAYS[d.weekday()] for d in future.dates])
        kinds = np.where(future.kind == "holiday", weekday_kinds, future.kind)
        factor = self._factors(kinds)
        edge = self._month_edge(future.dates, future)
        factor = factor * np.where(edge, self.month_factor_[1], self.month_factor_[0])
        for row, kind in enumerate(future.kind):
            if kind == "holiday":
                factor[row] *= self.holiday_factor_.get(str(future.holiday[row]), self.holiday_default_)
        factor = factor * np.where(_after_holiday(future), self.after_holiday_factor_, 1.0)
        return np.where(future.open.any(axis=1), self.level_ * factor, 0.0)

    def profile(self, future: DayTable) -> np.ndarray:
        """Hourly shares per future day over its open hours (rows sum to 1, or 0 when closed)."""
        out = np.zeros((len(future), HOURS))
        for row, day in enumerate(future.dates):
            kind = WEEKDAYS[day.weekday()] if future.kind[row] == "holiday" else str(future.kind[row])
            base = self.profile_.get(kind, self.profile_["pooled"])
            out[row] = fill_profile(base, future.open[row], self.profile_["pooled"])
        return out

    def predict(self, future: DayTable) -> np.ndarray:
        return self.daily_totals(future)[:, None] * self.profile(future)


def _weekday_factors(table: DayTable, totals: np.ndarray, regular: np.ndarray) -> dict[str, float]:
    """Each weekday's mean ratio to its calendar week's mean, over complete weeks."""
    weeks: dict[int, list[int]] = {}
    for i in np.flatnonzero(table.open.any(axis=1)):
        weeks.setdefault(table.dates[i].toordinal() - table.dates[i].weekday(), []).append(i)
    typical = max((len(v) for v in weeks.values()), default=0)
    ratios: dict[str, list[float]] = {}
    for days in weeks.values():
        if len(days) < typical or not regular[days].all():
            continue
        mean = totals[days].mean()
        for i in days:
            ratios.setdefault(str(table.kind[i]), []).append(totals[i] / mean)
    if not ratios:  # no complete week: plain means per weekday
        for i in np.flatnonzero(regular):
            ratios.setdefault(str(table.kind[i]), []).append(totals[i] / totals[regular].mean())
    factors = {k: float(np.mean(v)) for k, v in ratios.items()}
    scale = float(np.mean(list(factors.values())))
    return {k: factors[k] / scale if k in factors else 1.0 for k in WEEKDAYS}


def _ewma(values: np.ndarray, alpha: float) -> float:
    level = float(values[0])
    for value in values[1:]:
        level = alpha * float(value) + (1 - alpha) * level
    return level


def _running_ewma(values: np.ndarray, keep: np.ndarray, alpha: float) -> np.ndarray:
    """The EWMA of the kept values strictly before each day (NaN before the first)."""
    out = np.full(len(values), np.nan)
    level = np.nan
    for i in range(len(values)):
        out[i] = level
        if keep[i]:
            level = float(values[i]) if np.isnan(level) else alpha * float(values[i]) + (1 - alpha) * level
    return out


def _centred_mean(values: np.ndarray, width: int) -> np.ndarray:
    half = width // 2
    out = np.full(len(values), np.nan)
    for i in range(len(values)):
        window = values[max(i - half, 0): i + half + 1]
        if len(window) >= min(15, width):
            out[i] = window.mean()
    return out


def _after_holiday(table: DayTable) -> np.ndarray:
    """First working day after a public holiday (the day before it is a holiday)."""
    previous_holiday = np.concatenate([[False], table.kind[:-1] == "holiday"])
    return previous_holiday & (table.kind != "holiday") & table.open.any(axis=1)


def month_edge(dates: tuple, kinds: dict, start_days: int, end_days: int) -> np.ndarray:
    """Whether each date is among the first ``start_days`` or last ``end_days`` working days
    of its month. Working day: Monday-Friday that is not a holiday, or a make-up day; dates
    outside ``kinds`` count Monday-Friday."""
    def working(day) -> bool:
        kind = kinds.get(day)
        if kind is None:
            return day.weekday() < 5
        return kind == "makeup" or (kind in WEEKDAYS[:5])

    import datetime as dt

    out = np.zeros(len(dates), dtype=bool)
    cache: dict[tuple[int, int], set] = {}
    for row, day in enumerate(dates):
        key = (day.year, day.month)
        if key not in cache:
            first = dt.date(day.year, day.month, 1)
            days = [first + dt.timedelta(days=i) for i in range(31)]
            days = [d for d in days if d.month == day.month and working(d)]
            cache[key] = set(days[:start_days]) | set(days[len(days) - end_days:] if end_days else [])
        out[row] = day in cache[key]
    return out


def fill_profile(base: np.ndarray, open_hours: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Shares over ``open_hours``: the base profile where it has support, the fallback's shape
    (scaled to the base's neighbouring level) where not, renormalised to sum to 1."""
    shares = np.where(open_hours, base, 0.0)
    missing = open_hours & (base <= 0)
    if missing.any():
        fill = np.where(missing, fallback, 0.0)
        if fill.sum() <= 0:
            fill = missing / max(open_hours.sum(), 1)
        shares = shares + fill
    total = shares.sum()
    return shares / total if total > 0 else shares
