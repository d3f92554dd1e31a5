"""The centre loader on the bundled example and the tiny centre: what it builds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from staffing import load_centre
from staffing.calendar import centre_calendar, day_hours
from tests.conftest import EXAMPLE, ROOT


def test_tiny_centre_values(tiny: Path) -> None:
    """Defaults fill in: chat target 85% in 45 s, patience 120 s, 3 chats each growing by 25%."""
    centre = load_centre(tiny)
    line = centre.lines["chat"]
    assert (line.target.service_level, line.target.answer_within_s) == (0.85, 45.0)
    assert line.queue.patience_s == 120 and line.queue.handle_time_by_concurrency_s == (300, 375, 450)
    assert centre.rules.meal_min == 60 and centre.rules.min_rest_between_shifts_min == 600
    assert [a.id for a in centre.agents] == ["A1", "A2", "A3"]
    assert len(centre.history) == 48 and centre.history["contacts"].sum() == 2 * sum(range(19, 27))
    assert centre.events[0].day == dt.date(2026, 8, 19)  # no day column: the window's last date


def test_domain_objects_are_frozen(tiny: Path) -> None:
    """Loaded objects cannot be changed in place; variants go through dataclasses.replace."""
    centre = load_centre(tiny)
    with pytest.raises(dataclasses.FrozenInstanceError):
        centre.rules.meal_min = 30  # type: ignore[misc]
    with pytest.raises(TypeError):
        centre.lines["x"] = centre.lines["chat"]  # type: ignore[index]
    assert dataclasses.replace(centre.rules, meal_min=30).meal_min == 30


def test_voice_line_three_rings(example_centre) -> None:
    """Voice: 'answered within 3 rings' with a 6-second ring cycle is 18 seconds."""
    hotline = example_centre.lines["hotline"]
    assert hotline.channel == "voice" and hotline.target.answer_within_s == 18
    assert hotline.queue.concurrency == 1


def test_night_shift_crosses_midnight(example_centre) -> None:
    """P2 17:00-02:00 ends at minute 1560 of its day; its meal window stays on that day."""
    p2 = example_centre.shifts["P2"]
    assert (p2.start_min, p2.end_min, p2.crosses_midnight) == (1020, 1560, True)
    assert p2.meal_window is not None and p2.meal_window.start_min == 19 * 60 + 30


class TestBundledExample:
    """The example promised by the centre-folder issue."""

    def test_size_and_teams(self, example_centre) -> None:
        """30-45 agents in teams of at most 8, on a voice and a chat line."""
        assert 30 <= len(example_centre.agents) <= 45
        assert {line.channel for line in example_centre.lines.values()} == {"voice", "chat"}
        for team in example_centre.teams:
            assert 1 <= len(example_centre.agents_of(team=team)) <= 8

    def test_history_span(self, example_centre) -> None:
        """At least 15 months of hourly history, ending before August 2026."""
        start, end = example_centre.history["start"].min(), example_centre.history["start"].max()
        assert end < dt.datetime(2026, 8, 1) and (end - start).days >= 15 * 30

    def test_peaks_and_coming_campaign(self, example_centre) -> None:
        """Earlier peaks 11.11, 12.12, 4.18, 6.18 with traffic; 818-2026 with a traffic target."""
        names = {e.name for e in example_centre.events}
        assert {"1111-2025", "1212-2025", "418-2026", "618-2026", "818-2026"} <= names
        assert all(e.traffic for e in example_centre.events)
        coming = next(e for e in example_centre.events if e.name == "818-2026")
        assert coming.day == dt.date(2026, 8, 18)

    def test_line_hours(self, example_centre) -> None:
        """Hotline Mon-Fri 09:00-17:00 and closed on holidays; chat 09:00-23:00, 07:00-02:00 on 818."""
        cal = centre_calendar(example_centre)
        hotline, online = example_centre.lines["hotline"].hours, example_centre.lines["online"].hours
        assert str(day_hours(hotline, dt.date(2026, 8, 17), cal)) == "09:00-17:00"
        assert day_hours(hotline, dt.date(2026, 8, 16), cal).closed
        assert day_hours(hotline, dt.date(2026, 10, 1), cal).closed
        assert str(day_hours(online, dt.date(2026, 8, 17), cal)) == "09:00-23:00"
        assert str(day_hours(online, dt.date(2026, 8, 18), cal)) == "07:00-02:00"

    def test_spring_festival_dip_and_peak_day(self, example_centre) -> None:
        """The history shows the Spring Festival dip and the 618 peak well above normal days."""
        h = example_centre.history
        online = h[h["line"] == "online"].set_index("start")["contacts"]
        daily = online.groupby(online.index.date).sum()
        normal = daily[dt.date(2026, 3, 2):dt.date(2026, 3, 29)].mean()
        assert daily[dt.date(2026, 2, 17)] < 0.6 * normal
        assert daily[dt.date(2026, 6, 18)] > 3 * normal

    def test_generator_is_deterministic(self, tmp_path: Path) -> None:
        """data/generate_example.py rewrites exactly the committed files."""
        subprocess.run([sys.executable, str(ROOT / "data" / "generate_example.py"), str(tmp_path)], check=True)
        for name in ("agents.csv", "history.csv", "events.csv"):
            assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), name
