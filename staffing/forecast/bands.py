"""Prediction intervals calibrated on backtests.

Hourly errors have two parts: count noise that grows like the square root of the forecast,
and systematic error that grows like the forecast itself. The scale

    s = sqrt(forecast + (phi x forecast)^2)

captures both; ``phi`` comes from backtest residuals by the method of moments, and the band
is ``forecast + q x s`` with ``q`` the empirical quantiles of the standardised residuals
``(actual - forecast) / s`` (not a normal assumption), so a 80% band is as wide as the
backtests say it must be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from staffing.forecast.days import DayTable

CALIBRATION_ORIGINS = 12   # weekly backtest origins used to calibrate a band
CALIBRATION_HORIZON = 28   # days ahead forecast from each origin
MIN_TRAINING_DAYS = 56


@dataclass(frozen=True, slots=True, kw_only=True)
class Band:
    """A calibrated band: ``phi``, the standardised-residual quantiles, and its evidence."""

    level: int
    phi: float
    q_low: float
    q_high: float
    samples: int

    def apply(self, forecast: np.ndarray, extra_relative_sd: float | np.ndarray = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Low and high around ``forecast``; ``extra_relative_sd`` widens it for additional
        multiplicative uncertainty (a peak's contacts-per-traffic ratio)."""
        scale = np.sqrt(forecast + (self.phi**2 + np.square(extra_relative_sd)) * forecast**2)
        low = np.maximum(forecast + self.q_low * scale, 0.0)
        high = forecast + self.q_high * scale
        return low, high


def calibrate(actual: np.ndarray, forecast: np.ndarray, level: int = 80) -> Band:
    """Fit a :class:`Band` from paired backtest values (open hours only)."""
    actual = np.asarray(actual, dtype=float)
    forecast = np.asarray(forecast, dtype=float)
    keep = forecast > 0
    actual, forecast = actual[keep], forecast[keep]
    if len(actual) < 20:
        # Too little evidence: Poisson noise plus 15% systematic error, normal quantiles.
        z = _normal_quantile(0.5 + level / 200)
        return Band(level=level, phi=0.15, q_low=-z, q_high=z, samples=len(actual))
    excess = np.sum((actual - forecast) ** 2 - forecast)
    phi = float(np.sqrt(max(excess, 0.0) / np.sum(forecast**2)))
    z = (actual - forecast) / np.sqrt(forecast + phi**2 * forecast**2)
    tail = (100 - level) / 200
    return Band(level=level, phi=phi, q_low=float(np.quantile(z, tail)), q_high=float(np.quantile(z, 1 - tail)),
                samples=len(actual))


def _normal_quantile(p: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(p))


def coverage(actual: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    """Share of values inside ``[low, high]``."""
    actual = np.asarray(actual)
    return float(np.mean((actual >= low) & (actual <= high))) if len(actual) else float("nan")


def backtest_band(table: DayTable, exclude: np.ndarray, level: int,
                  make_model: Callable) -> tuple[Band, dict[int, Band]]:
    """Calibrate on a rolling-origin backtest over the table's last weeks: from each of the
    last ``CALIBRATION_ORIGINS`` weekly origins, fit on the days before it and forecast the
    next ``CALIBRATION_HORIZON`` days. Returns the pooled band and one per horizon week
    (0: days 1-7, ..., 3: days 22 and later) where that week has enough hours."""
    actual: dict[int, list[np.ndarray]] = {}
    predicted: dict[int, list[np.ndarray]] = {}
    for k in range(CALIBRATION_ORIGINS, 0, -1):
        origin = len(table) - 7 * k
        if origin < MIN_TRAINING_DAYS:
            continue
        train = table.slice(table.dates[0], table.dates[origin - 1])
        try:
            model = make_model().fit(train, exclude[:origin])
        except ValueError:
            continue
        test = table.slice(table.dates[origin], table.dates[min(origin + CALIBRATION_HORIZON, len(table)) - 1])
        prediction = model.predict(test)
        for row in range(len(test)):
            if exclude[origin + row]:
                continue
            mask = test.open[row]
            bucket = min(row // 7, 3)
            actual.setdefault(bucket, []).append(test.counts[row][mask])
            predicted.setdefault(bucket, []).append(prediction[row][mask])
    pooled = calibrate(_flatten(actual), _flatten(predicted), level)
    by_horizon = {b: calibrate(np.concatenate(actual[b]), np.concatenate(predicted[b]), level)
                  for b in actual if sum(len(a) for a in actual[b]) >= 200}
    return pooled, by_horizon


def _flatten(groups: dict[int, list[np.ndarray]]) -> np.ndarray:
    arrays = [a for values in groups.values() for a in values]
    return np.concatenate(arrays) if arrays else np.array([])
