"""The forecaster: the model contract, peaks by the ratio method, fallbacks, bad history."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import cli
from staffing import InputError, StaffingError, forecast, load_centre
from staffing.calendar import centre_calendar
from staffing.forecast.bands import calibrate, coverage
from staffing.forecast.days import HOURS, empty_table, history_table
from staffing.forecast.models import LevelWeeklyIntraday, SameHourMean, SeasonalNaive
from staffing.forecast.peaks import window_mask
from staffing.frames import read_forecast
from tests.conftest import EXAMPLE

D = dt.date
AUGUST = (D(2026, 8, 1), D(2026, 8, 31))


@pytest.fixture(scope="module")
def example():
    return load_centre(EXAMPLE)


@pytest.fixture(scope="module")
def august(example):
    """The bundled example forecast for August 2026 (the 818 campaign month)."""
    return forecast(example, *AUGUST)


@pytest.mark.parametrize("model", [LevelWeeklyIntraday(), SeasonalNaive(), SameHourMean(4)],
                         ids=lambda m: type(m).__name__)
def test_forecast_model_contract(model, example) -> None:
    """Every model: one row per future day, zero where closed, non-negative, deterministic."""
    calendar = centre_calendar(example)
    line = example.lines["hotline"]
    table = history_table(example.history, line, calendar)
    exclude = window_mask(table, example.events)
    future = empty_table(line, D(2026, 8, 1), D(2026, 8, 14), calendar)
    first = model.fit(table, exclude).predict(future)
    again = type(model)().fit(table, exclude).predict(future) if not isinstance(model, SameHourMean) else \
        SameHourMean(4).fit(table, exclude).predict(future)
    assert first.shape == (14, HOURS)
    assert np.array_equal(first, again)
    assert (first >= 0).all() and (first[~future.open] == 0).all()
    assert first[future.open].sum() > 0


def test_level_weekly_intraday_learns_weekday_and_holidays(example) -> None:
    """Monday busier than Saturday on chat; Spring Festival far quieter than other holidays."""
    calendar = centre_calendar(example)
    table = history_table(example.history, example.lines["online"], calendar)
    model = LevelWeeklyIntraday().fit(table, window_mask(table, example.events))
    assert model.weekday_factor_["mon"] > model.weekday_factor_["sat"]
    assert model.holiday_factor_["Spring Festival"] < 0.6 < model.holiday_default_


def test_bands_are_calibrated_on_their_own_kind_of_data() -> None:
    """On overdispersed counts the calibrated 80% band covers about 80% of fresh values."""
    rng = np.random.default_rng(7)
    mean = rng.uniform(5, 300, size=4000)
    draw = lambda: rng.negative_binomial(20, 20 / (20 + mean))  # noqa: E731
    band = calibrate(draw(), mean, level=80)
    low, high = band.apply(mean)
    assert 0.76 <= coverage(draw(), low, high) <= 0.84
    assert (low <= mean).all() and (mean <= high).all()


class TestExampleForecast:
    def test_every_open_hour_once(self, august, example) -> None:
        """One row per line per open hour, CONTRACT columns, low <= contacts <= high."""
        frame = august.frame
        assert list(frame.columns) == ["line", "start", "end", "contacts", "low", "high"]
        assert not frame.duplicated(["line", "start"]).any()
        assert ((frame["low"] <= frame["contacts"]) & (frame["contacts"] <= frame["high"])).all()
        online = frame[frame["line"] == "online"]
        assert len(online) == 30 * 14 + 19  # 14 hours a day, 19 on 818 (07:00-02:00)
        assert (frame[frame["line"] == "hotline"]["start"].dt.day_of_week < 5).all()

    def test_818_crosses_midnight_with_its_own_profile(self, august) -> None:
        """The 818 service day runs to 02:00 on the 19th, and its evening carries more of the
        day than a normal day's does (the peak profile, not the normal one)."""
        online = august.frame[august.frame["line"] == "online"].set_index("start")["contacts"]
        assert online[pd.Timestamp("2026-08-19T01:00")] > 0
        day = online[pd.Timestamp("2026-08-18T07:00"):pd.Timestamp("2026-08-19T01:00")]
        normal = online[pd.Timestamp("2026-08-25T09:00"):pd.Timestamp("2026-08-25T22:00")]
        late = day[day.index.hour.isin([22, 23, 0])].sum() / day.sum()
        assert late > 0.15 and day.sum() > 3 * normal.sum()

    def test_peak_report_ratio_and_cross_check(self, august, example) -> None:
        """The window total comes from the ratio (blended with the uplift by track record),
        and the report carries both totals and their disagreement."""
        report = next(p for p in august.peaks if p.line == "online")
        assert report.method == "ratio+uplift" and len(report.past) == 7
        target = next(e.traffic for e in example.events if e.name == "818-2026")
        assert report.total_ratio == pytest.approx(report.ratio * target)
        assert report.total_uplift is not None and abs(report.disagreement) < 0.25
        low, high = sorted((report.total_ratio, report.total_uplift))
        assert low <= report.total_used <= high
        assert "disagreement" in report.describe()

    def test_window_total_is_what_the_hours_add_up_to(self, august) -> None:
        """The hourly rows of the window add up to the report's window total."""
        report = next(p for p in august.peaks if p.line == "online")
        frame = august.frame
        rows = frame[(frame["line"] == "online") & (frame["start"] >= "2026-08-08T00:00")
                     & (frame["start"] < "2026-08-21T02:00")]
        assert rows["contacts"].sum() == pytest.approx(report.total_used, rel=1e-3)


class TestFallbacks:
    def test_no_past_peak(self, example) -> None:
        """No past peak: the window is forecast as normal days, with a warning."""
        coming = tuple(e for e in example.events if e.name == "818-2026")
        result = forecast(dataclasses.replace(example, events=coming), *AUGUST)
        assert all(p.method == "none" for p in result.peaks)
        assert any("no past peak" in w for w in result.warnings)

    def test_no_traffic_target(self, example) -> None:
        """A coming campaign without a traffic figure: the past uplift sets the total."""
        events = tuple(dataclasses.replace(e, traffic=None) if e.name == "818-2026" else e for e in example.events)
        result = forecast(dataclasses.replace(example, events=events), *AUGUST)
        assert all(p.method == "uplift" for p in result.peaks)
        assert any("no traffic target" in w for w in result.warnings)

    def test_silent_days_are_repaired_with_a_warning(self, example) -> None:
        """A week of zeros while open (lost data) is left out of the fit and named."""
        history = example.history.copy()
        lost = (history["start"] >= "2026-07-06") & (history["start"] < "2026-07-13")
        history.loc[lost, "contacts"] = 0
        result = forecast(dataclasses.replace(example, history=history), *AUGUST)
        assert any("no contacts at all" in w and "2026-07-06" in w for w in result.warnings)
        plain = forecast(example, *AUGUST).frame["contacts"].sum()
        assert result.frame["contacts"].sum() == pytest.approx(plain, rel=0.1)

    def test_too_short_history(self, tiny: Path) -> None:
        """Two days of history cannot be fitted: a clear error naming the file."""
        with pytest.raises(InputError, match="at least 28"):
            forecast(load_centre(tiny), D(2026, 8, 10), D(2026, 8, 12))

    def test_start_inside_history(self, example) -> None:
        """A range that starts inside the history is refused."""
        with pytest.raises(StaffingError, match="inside the history"):
            forecast(example, D(2026, 7, 30), D(2026, 8, 5))


def test_cli_forecast_writes_a_readable_contract_file(tmp_path: Path) -> None:
    """`staffing forecast` writes forecast.csv that reads back through the CONTRACT reader."""
    out = tmp_path / "forecast.csv"
    result = CliRunner().invoke(cli.main, ["forecast", str(EXAMPLE), "--start", "2026-08-17", "--end",
                                           "2026-08-19", "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = read_forecast(out, ["hotline", "online"])
    assert len(frame) == 3 * 8 + 14 + 19 + 14
    assert "818-2026" in result.output


def test_cli_forecast_bad_range_writes_nothing(tmp_path: Path) -> None:
    """A start inside the history: exit 2, one line, no file."""
    out = tmp_path / "forecast.csv"
    result = CliRunner().invoke(cli.main, ["forecast", str(EXAMPLE), "--start", "2026-07-01", "--end",
                                           "2026-07-05", "--out", str(out)])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and not out.exists()
