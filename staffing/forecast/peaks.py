"""Peak periods by the 818 guide's ratio method (DOMAIN section 5).

For each past peak in ``events.csv``, on each line:

* the **contacts-per-traffic ratio**: the window's contacts over the peak's traffic;
* the **uplift shape** by day relative to the campaign day (pre-heat, eve, the day, tail):
  actual daily contacts over what the normal-day model, fitted on the data before the
  window, expected for those days. Dividing by that baseline removes the weekday effect;
* the **hourly profile** of the campaign day and of the days either side: peak days keep
  their own profile (the line opens early and the evening and midnight carry the rush),
  never the normal-day one.

The ratio method's window total is the traffic target times the ratio (a weighted mean
over past peaks: the same campaign in an earlier year weighs three times as much as another
campaign, and older peaks fade with a one-year half-life), split over the window's days by
baseline x mean uplift, and over hours by the peak profiles. The same window total from the
uplift alone (baseline x mean uplift) is the cross-check; their disagreement is reported.
Once at least two earlier peaks can be scored (each forecast from the peaks before it, as
the coming one is), the window total blends the two in log space with weights inverse to
their mean squared errors on those peaks, and the report shows the weights; before that the
ratio method alone sets the total, as the guide says. Fallbacks, each with a warning: no
traffic target, or no past peak with traffic -> the uplift total; no past peak at all -> the
normal-day forecast (no peak model).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from staffing.domain import Event
from staffing.forecast.days import HOURS, DayTable
from staffing.forecast.models import LevelWeeklyIntraday, fill_profile

PROFILE_DAYS = (-1, 0, 1)  # relative days that keep a peak profile of their own
MIN_RATIO_SPREAD = 0.08    # floor on the ratio's relative uncertainty with few past peaks
SAME_CAMPAIGN_WEIGHT = 3.0  # an earlier year's peak on the same campaign day (6.18, 8.18, ...)
RECENCY_HALFLIFE_DAYS = 365.0
MIN_TRACK_RECORD = 2        # earlier peaks scored before the two methods are blended


@dataclass(frozen=True, slots=True, kw_only=True)
class PastPeak:
    """What one past peak taught, on one line."""

    name: str
    day: dt.date
    traffic: float | None
    total: float
    ratio: float | None
    uplift: dict[int, float]
    baseline: dict[int, float] = field(repr=False)
    profiles: dict[int, np.ndarray] = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class PeakReport:
    """How a coming peak was forecast on one line, for the supervisor to judge."""

    event: str
    line: str
    method: str               # "ratio", "ratio+uplift", "uplift" or "none"
    past: tuple[PastPeak, ...]
    ratio: float | None
    ratio_spread: float       # relative standard deviation of the ratio across past peaks
    total_ratio: float | None
    total_uplift: float | None
    total_used: float
    ratio_weight: float = 1.0  # share of the ratio method in the window total (log scale)
    warnings: tuple[str, ...] = ()

    @property
    def disagreement(self) -> float | None:
        """Ratio total over uplift total, minus one."""
        if self.total_ratio is None or not self.total_uplift:
            return None
        return self.total_ratio / self.total_uplift - 1.0

    def describe(self) -> str:
        lines = [f"{self.line} {self.event}: window total {self.total_used:,.0f} contacts ({self.method} method)"]
        for peak in self.past:
            ratio = f"ratio {peak.ratio * 1000:.3f} per 1000 traffic" if peak.ratio is not None else "no traffic"
            on_day = f"uplift on the day x{peak.uplift[0]:.2f}" if 0 in peak.uplift else "closed on the day"
            lines.append(f"  past {peak.name}: {peak.total:,.0f} contacts, {ratio}, {on_day}")
        if self.total_ratio is not None:
            lines.append(f"  ratio {self.ratio * 1000:.3f} per 1000 (spread {self.ratio_spread:.0%}) x target "
                         f"-> {self.total_ratio:,.0f}")
        if self.total_uplift is not None:
            lines.append(f"  past uplift x normal baseline -> {self.total_uplift:,.0f}")
        if self.disagreement is not None:
            lines.append(f"  disagreement (ratio vs uplift): {self.disagreement:+.0%}")
        if self.method == "ratio+uplift":
            lines.append(f"  blended by their errors on earlier peaks: ratio {self.ratio_weight:.0%}, "
                         f"uplift {1 - self.ratio_weight:.0%}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


ModelFactory = Callable[[], LevelWeeklyIntraday]


def window_mask(table: DayTable, events: tuple[Event, ...]) -> np.ndarray:
    """Days of ``table`` inside any event window."""
    mask = np.zeros(len(table), dtype=bool)
    for event in events:
        lo, hi = table.position(event.start), table.position(event.end)
        mask[max(lo, 0): max(min(hi + 1, len(table)), 0)] = True
    return mask


def learn_past_peak(table: DayTable, event: Event, others: np.ndarray, make_model: ModelFactory) -> PastPeak | None:
    """Ratio, uplift and profiles of one past peak whose window lies inside ``table``."""
    lo, hi = table.position(event.start), table.position(event.end)
    if lo < 28 or hi >= len(table):
        return None
    before = table.slice(table.dates[0], event.start - dt.timedelta(days=1))
    model = make_model().fit(before, others[:lo])
    window = table.slice(event.start, event.end)
    baseline = model.daily_totals(window)
    actual = window.totals
    uplift = {(d - event.day).days: float(a / b) for d, a, b in zip(window.dates, actual, baseline) if b > 0}
    profiles = {}
    for rel in PROFILE_DAYS:
        day = event.day + dt.timedelta(days=rel)
        if event.start <= day <= event.end:
            row = window.position(day)
            if actual[row] > 0:
                profiles[rel] = np.where(window.open[row], window.counts[row], 0.0) / actual[row]
    total = float(actual.sum())
    ratio = total / event.traffic if event.traffic else None
    baseline_by_rel = {(d - event.day).days: float(b) for d, b in zip(window.dates, baseline)}
    return PastPeak(name=event.name, day=event.day, traffic=event.traffic, total=total, ratio=ratio, uplift=uplift,
                    baseline=baseline_by_rel, profiles=profiles)


def peak_weights(past: list[PastPeak], event: Event) -> np.ndarray:
    """How much each past peak speaks for the coming one: the same campaign in an earlier
    year (same month and day) counts ``SAME_CAMPAIGN_WEIGHT`` times, and older peaks fade
    with a one-year half-life."""
    weights = []
    for peak in past:
        same = (peak.day.month, peak.day.day) == (event.day.month, event.day.day)
        age = (event.day - peak.day).days
        weights.append((SAME_CAMPAIGN_WEIGHT if same else 1.0) * 0.5 ** (age / RECENCY_HALFLIFE_DAYS))
    return np.array(weights)


def mean_uplift(past: list[PastPeak], weights: np.ndarray, rel: int) -> float:
    """Weighted mean uplift at a relative day; the nearest covered day's when none covers it."""
    covering = [(p.uplift[rel], w) for p, w in zip(past, weights) if rel in p.uplift]
    if covering:
        values, w = zip(*covering)
        return float(np.average(values, weights=w))
    covered = sorted({r for p in past for r in p.uplift}, key=lambda r: (abs(r - rel), r))
    same_side = [r for r in covered if (r < 0) == (rel < 0)] or covered
    return mean_uplift(past, weights, same_side[0]) if same_side else 1.0


def ratio_estimate(past: list[PastPeak], weights: np.ndarray) -> tuple[float | None, float]:
    """Weighted mean ratio over past peaks and its relative spread (leave-one-out), floored."""
    known = [(p.ratio, w) for p, w in zip(past, weights) if p.ratio is not None]
    if not known:
        return None, 0.0
    ratios, w = (np.array(x) for x in zip(*known))
    estimate = float(np.average(ratios, weights=w))
    if len(ratios) < 3:
        return estimate, 0.2
    loo = [np.log(ratios[i] / np.average(np.delete(ratios, i), weights=np.delete(w, i))) for i in range(len(ratios))]
    return estimate, max(float(np.sqrt(np.mean(np.square(loo)))), MIN_RATIO_SPREAD)


def track_record(past: list[PastPeak]) -> tuple[float, float, int]:
    """Mean squared log errors of the ratio and uplift methods on the past peaks, each
    forecast from the peaks before it (as the coming one is), and how many were scored."""
    errors_ratio, errors_uplift = [], []
    for i, peak in enumerate(past):
        earlier = past[:i]
        if not earlier or peak.ratio is None or peak.total <= 0:
            continue
        weights = peak_weights(earlier, _as_event(peak))
        ratio, _ = ratio_estimate(earlier, weights)
        by_uplift = sum(b * mean_uplift(earlier, weights, rel) for rel, b in peak.baseline.items())
        if ratio is None or by_uplift <= 0:
            continue
        errors_ratio.append(np.log(ratio * peak.traffic / peak.total) ** 2)
        errors_uplift.append(np.log(by_uplift / peak.total) ** 2)
    if not errors_ratio:
        return float("nan"), float("nan"), 0
    return float(np.mean(errors_ratio)), float(np.mean(errors_uplift)), len(errors_ratio)


def _as_event(peak: PastPeak) -> Event:
    return Event(name=peak.name, start=peak.day, end=peak.day, day=peak.day, traffic=peak.traffic)


def forecast_peak(
    event: Event,
    line_id: str,
    past: list[PastPeak],
    window: DayTable,
    model: LevelWeeklyIntraday,
) -> tuple[np.ndarray, np.ndarray, PeakReport]:
    """Hourly contacts for the coming event's window days, their extra relative spread, and
    the report. ``window`` holds the window's future days (open hours known)."""
    baseline_days = model.daily_totals(window)
    normal = model.predict(window)
    warnings: list[str] = []
    if not past:
        warnings.append("no past peak in the history: the window is forecast as normal days (no peak model)")
        report = PeakReport(event=event.name, line=line_id, method="none", past=(), ratio=None, ratio_spread=0.3,
                            total_ratio=None, total_uplift=None, total_used=float(normal.sum()),
                            warnings=tuple(warnings))
        return normal, np.full(len(window), 0.3), report
    rel_days = np.array([(d - event.day).days for d in window.dates])
    weights = peak_weights(past, event)
    uplift = np.array([mean_uplift(past, weights, int(r)) for r in rel_days])
    by_uplift = baseline_days * uplift
    total_uplift = float(by_uplift.sum())
    ratio, spread = ratio_estimate(past, weights)
    total_ratio = ratio * event.traffic if ratio is not None and event.traffic else None
    ratio_weight = 1.0
    if total_ratio is not None:
        method, total = "ratio", total_ratio
        mse_ratio, mse_uplift, scored = track_record(past)
        if scored >= MIN_TRACK_RECORD and total_uplift > 0:
            ratio_weight = (1 / max(mse_ratio, 1e-6)) / (1 / max(mse_ratio, 1e-6) + 1 / max(mse_uplift, 1e-6))
            total = float(np.exp(ratio_weight * np.log(total_ratio) + (1 - ratio_weight) * np.log(total_uplift)))
            method = "ratio+uplift"
            blended_mse = ratio_weight**2 * mse_ratio + (1 - ratio_weight) ** 2 * mse_uplift
            spread = max(float(np.sqrt(blended_mse)), MIN_RATIO_SPREAD)
    else:
        method, total = "uplift", total_uplift
        if event.traffic is None:
            warnings.append("the coming campaign has no traffic target in events.csv: window total from past uplift")
        else:
            warnings.append("no past peak has a traffic figure: window total from past uplift")
        spread = max(spread, _uplift_spread(past))
    disagreement = total_ratio / total_uplift - 1 if total_ratio and total_uplift else None
    if disagreement is not None and abs(disagreement) > 0.25:
        warnings.append(f"the ratio method and the past uplift disagree by {disagreement:+.0%}: check the traffic "
                        "target and whether this campaign differs from the past ones")
    daily = total * by_uplift / by_uplift.sum() if by_uplift.sum() > 0 else by_uplift
    hourly = np.zeros((len(window), HOURS))
    for row, rel in enumerate(rel_days):
        profiles = [(p.profiles[int(rel)], w) for p, w in zip(past, weights) if int(rel) in p.profiles]
        if profiles:
            base = np.average([shares for shares, _ in profiles], axis=0, weights=[w for _, w in profiles])
            shares = fill_profile(base, window.open[row], model.profile(window.slice(window.dates[row],
                                                                                       window.dates[row]))[0])
        else:
            day_normal = normal[row]
            shares = day_normal / day_normal.sum() if day_normal.sum() > 0 else day_normal
        hourly[row] = daily[row] * shares
    report = PeakReport(event=event.name, line=line_id, method=method, past=tuple(past), ratio=ratio,
                        ratio_spread=spread, total_ratio=total_ratio, total_uplift=total_uplift,
                        total_used=float(total), ratio_weight=ratio_weight, warnings=tuple(warnings))
    return hourly, np.full(len(window), spread), report


def _uplift_spread(past: list[PastPeak]) -> float:
    day_uplifts = np.array([p.uplift[0] for p in past if 0 in p.uplift])
    if len(day_uplifts) < 3:
        return 0.25
    return max(float(np.std(np.log(day_uplifts))), MIN_RATIO_SPREAD)
