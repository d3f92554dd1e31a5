"""From forecast to agents on the line: slots, floors, daily cap, bands, warnings, CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import cli
from staffing import InputError, StaffingError, load_centre, read_forecast, requirements
from staffing.queueing import required_agents_voice
from staffing.queueing_chat import required_agents_chat
from tests.conftest import EXAMPLE


def hourly(line: str, day: str, hours: range, contacts: float | list[float], **extra) -> pd.DataFrame:
    starts = pd.to_datetime([f"{day}T{h:02d}:00" for h in hours]) if max(hours) < 24 else \
        pd.Timestamp(day) + pd.to_timedelta(list(hours), unit="h")
    values = contacts if isinstance(contacts, list) else [contacts] * len(starts)
    frame = pd.DataFrame({"line": line, "start": starts, "end": starts + pd.Timedelta(hours=1), "contacts": values})
    return frame.assign(**extra)


@pytest.fixture
def tiny_centre(tiny: Path):
    return load_centre(tiny)


def test_slots_take_their_hours_rate(tiny_centre) -> None:
    """Six 10-minute slots per hour, each at the hour's rate, staffed by the chat model."""
    result = requirements(tiny_centre, hourly("chat", "2026-08-10", range(9, 17), 60.0))
    frame = result.frame
    assert len(frame) == 8 * 6 and (frame["contacts"] == 10.0).all() and (frame["rate_per_hour"] == 60).all()
    queue, target = tiny_centre.lines["chat"].queue, tiny_centre.lines["chat"].target
    expected = required_agents_chat(np.array([60 / 3600]),
                                    handle_time_by_concurrency_s=queue.handle_time_by_concurrency_s,
                                    service_level=target.service_level, answer_within_s=target.answer_within_s,
                                    patience_s=queue.patience_s, max_abandon_rate=target.max_abandon_rate)
    assert (frame["required"] == max(int(expected.agents[0]), 1)).all()
    assert (frame["floor"] == 1).all() and (frame["service_day"] == dt.date(2026, 8, 10)).all()


def test_quiet_hours_are_staffed_to_the_floor(tiny_centre) -> None:
    """No contacts: the floor (min_agents) keeps the line covered, and says so."""
    frame = requirements(tiny_centre, hourly("chat", "2026-08-10", range(9, 17), 0.0)).frame
    assert (frame["required"] == 1).all() and (frame["binding"] == "floor").all()


def test_peak_day_crosses_midnight(tiny_centre) -> None:
    """818 07:00-02:00: 114 slots, all on service day 18 August, the last at 01:50 on the 19th."""
    frame = requirements(tiny_centre, hourly("chat", "2026-08-18", range(7, 26), 30.0)).frame
    assert len(frame) == 114 and set(frame["service_day"]) == {dt.date(2026, 8, 18)}
    assert frame["start"].max() == pd.Timestamp("2026-08-19T01:50")


def test_daily_cap_sets_the_day_headcount(tiny: Path) -> None:
    """One-minute chats, 2,400 in a day at 200 per agent: at least 12 must work that day,
    more than the queue needs on the line at any time, so the daily cap binds."""
    toml = tiny / "centre.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("handle_time_s = 300", "handle_time_s = 60"),
                    encoding="utf-8")
    frame = requirements(load_centre(tiny), hourly("chat", "2026-08-10", range(9, 17), 300.0)).frame
    assert (frame["day_min_agents"] == 12).all() and (frame["day_contacts"] == 2400).all()
    assert frame["required"].max() < 12 and (frame["day_binding"] == "daily cap").all()


def test_daily_cap_below_the_intervals(tiny_centre) -> None:
    """Five-minute chats: the queue needs more on the line than the cap asks to work."""
    frame = requirements(tiny_centre, hourly("chat", "2026-08-10", range(9, 17), 300.0)).frame
    assert (frame["day_min_agents"] == 12).all() and frame["required"].max() > 12
    assert (frame["day_binding"] == "intervals").all()


def test_staff_to_the_upper_band(tiny_centre) -> None:
    """--staff-to high staffs to the band's top; without a 'high' column it is refused."""
    mean = requirements(tiny_centre, hourly("chat", "2026-08-10", range(9, 17), 60.0, high=120.0))
    high = requirements(tiny_centre, hourly("chat", "2026-08-10", range(9, 17), 60.0, high=120.0), staff_to="high")
    assert (high.frame["required"] >= mean.frame["required"]).all()
    assert high.frame["required"].sum() > mean.frame["required"].sum()
    with pytest.raises(StaffingError, match="no 'high' column"):
        requirements(tiny_centre, hourly("chat", "2026-08-10", range(9, 17), 60.0), staff_to="high")


def test_missing_hours_get_the_floor_and_a_warning(tiny_centre) -> None:
    """An open hour the forecast leaves out is staffed to the floor and named."""
    result = requirements(tiny_centre, hourly("chat", "2026-08-10", range(9, 12), 60.0))
    assert len(result.frame) == 48
    assert (result.frame[result.frame["start"] >= "2026-08-10T12:00"]["required"] == 1).all()
    assert any("no rows for 30 open slot(s)" in w for w in result.warnings)


def test_voice_uses_three_rings_and_the_abandonment_ceiling(example_centre) -> None:
    """Hotline: 80% within 3 x 6 s = 18 s, abandonment at most 0.5% with 60 s patience."""
    frame = requirements(example_centre, hourly("hotline", "2026-08-10", range(9, 17), 40.0)).frame
    expected = required_agents_voice(np.array([40 / 3600]), handle_time_s=240, service_level=0.8, answer_within_s=18,
                                     patience_s=60, max_abandon_rate=0.005)
    assert (frame["required"] == expected.agents[0]).all()
    assert (frame["p_abandon"] <= 0.005).all() and (frame["service_level"] >= 0.8).all()
    assert frame["required_k_servers"].isna().all()


def test_chat_shortcut_is_only_a_comparison(example_centre) -> None:
    """The k-servers shortcut is reported beside the real model; it needs fewer agents because
    it ignores that chats slow down when an agent holds several."""
    frame = requirements(example_centre, hourly("online", "2026-08-10", range(9, 23), 250.0)).frame
    assert (frame["required_k_servers"] < frame["required"]).all()


def test_intra_hour_peak_warning(tiny: Path) -> None:
    """With 15-minute history whose first quarter of each hour is busiest, the hourly
    forecast's averaging is named."""
    toml = tiny / "centre.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[history]\ninterval_min = 15\n", encoding="utf-8")
    rows = ["line,start,contacts"]
    for day in pd.date_range("2026-07-01", "2026-08-04"):
        for minute in range(0, 24 * 60, 15):
            t = day + pd.Timedelta(minutes=minute)
            busy = 9 <= t.hour < 17
            rows.append(f"chat,{t:%Y-%m-%dT%H:%M},{(16 if t.minute == 0 else 8) if busy else 0}")
    (tiny / "history.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = requirements(load_centre(tiny), hourly("chat", "2026-08-10", range(9, 17), 40.0))
    # busiest quarter 16 against an hour's mean of (16 + 8 + 8 + 8) / 4 = 10: +60%
    assert any("hides peaks inside the hour" in w and "09:00 (+60%)" in w for w in result.warnings)


@given(st.lists(st.floats(0, 400), min_size=8, max_size=8), st.floats(1.0, 3.0))
@settings(max_examples=25)
def test_more_contacts_never_need_fewer_agents(contacts: list[float], scale: float) -> None:
    """Scaling the forecast up never lowers any slot's requirement, and it never falls below the floor."""
    centre = load_centre(Path(__file__).parent / "data" / "tiny")
    base = requirements(centre, hourly("chat", "2026-08-10", range(9, 17), contacts)).frame
    more = requirements(centre, hourly("chat", "2026-08-10", range(9, 17), [c * scale for c in contacts])).frame
    assert (more["required"] >= base["required"]).all() and (base["required"] >= base["floor"]).all()


class TestReadForecast:
    @pytest.mark.parametrize("body, row, field", [
        ("chat,2026-08-10T09:00,2026-08-10T10:00,5\nvoice,2026-08-10T10:00,2026-08-10T11:00,5\n", 3, "line"),
        ("chat,2026-08-10T09:00,2026-08-10T08:00,5\n", 2, "end"),
        ("chat,2026-08-10T09:00,2026-08-10T10:00,5\nchat,2026-08-10T09:30,2026-08-10T10:30,5\n", 3, "start"),
        ("chat,2026-08-10T09:00,2026-08-10T10:00,-1\n", 2, "contacts"),
    ], ids=["unknown line", "end before start", "overlap", "negative"])
    def test_bad_forecast_rows(self, tmp_path: Path, body: str, row: int, field: str) -> None:
        """A hand-made forecast with a bad row is refused naming the row and field."""
        path = tmp_path / "forecast.csv"
        path.write_text("line,start,end,contacts\n" + body, encoding="utf-8")
        with pytest.raises(InputError) as raised:
            read_forecast(path, load_centre(Path(__file__).parent / "data" / "tiny"))
        assert (raised.value.row, raised.value.field) == (row, field)

    def test_band_must_bracket(self, tmp_path: Path) -> None:
        """low above contacts is refused."""
        path = tmp_path / "forecast.csv"
        path.write_text("line,start,end,contacts,low,high\nchat,2026-08-10T09:00,2026-08-10T10:00,5,6,7\n")
        with pytest.raises(InputError, match="above contacts"):
            read_forecast(path, load_centre(Path(__file__).parent / "data" / "tiny"))


def test_cli_forecast_then_requirements(tmp_path: Path) -> None:
    """forecast -> requirements on the bundled example: exit 0, one row per open slot."""
    runner = CliRunner()
    forecast_csv, requirements_csv = tmp_path / "forecast.csv", tmp_path / "requirements.csv"
    assert runner.invoke(cli.main, ["forecast", str(EXAMPLE), "--start", "2026-08-17", "--end", "2026-08-19",
                                    "--out", str(forecast_csv)]).exit_code == 0
    result = runner.invoke(cli.main, ["requirements", str(EXAMPLE), "--forecast", str(forecast_csv),
                                      "--out", str(requirements_csv)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(requirements_csv)
    assert list(frame.columns[:5]) == ["line", "start", "end", "required", "floor"]
    assert len(frame) == 3 * 8 * 6 + (14 + 19 + 14) * 6
    assert (frame["required"] >= frame["floor"]).all() and (frame["floor"] >= 1).all()


def test_cli_requirements_bad_forecast_writes_nothing(tmp_path: Path) -> None:
    """A forecast naming an unknown line: exit 2, one line with row and field, no output."""
    forecast_csv, out = tmp_path / "forecast.csv", tmp_path / "requirements.csv"
    forecast_csv.write_text("line,start,end,contacts\nemail,2026-08-10T09:00,2026-08-10T10:00,5\n")
    result = CliRunner().invoke(cli.main, ["requirements", str(EXAMPLE), "--forecast", str(forecast_csv),
                                           "--out", str(out)])
    assert result.exit_code == 2 and result.output.startswith("Error: forecast.csv:2: line:")
    assert not out.exists()
