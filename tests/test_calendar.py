"""The time model: Chinese calendar, working days, line hours, service days and slots."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffing.calendar import (
    SlotGrid,
    WorkCalendar,
    add_months,
    date_range,
    day_hours,
    service_day_of,
    service_windows,
    slot_starts,
)
from staffing.domain import (
    CalendarOverride,
    DatedHours,
    DayHours,
    Line,
    LineHours,
    QueueParams,
    ServiceTarget,
    Window,
    clock,
)
from staffing.errors import CalendarError
from staffing.schema import parse_hours, parse_time, parse_window

CAL = WorkCalendar()
D = dt.date


def make_line(weekly: str = "09:00-23:00", dated: tuple[DatedHours, ...] = (), holiday: str | None = None,
              makeup: str | None = None) -> Line:
    return Line(
        id="online", name="online", channel="chat",
        hours=LineHours(weekly=(parse_hours(weekly),) * 7, overrides=dated,
                        on_holiday=parse_hours(holiday) if holiday else None,
                        on_makeup_workday=parse_hours(makeup) if makeup else None),
        target=ServiceTarget(service_level=0.85, answer_within_s=45, max_abandon_rate=0.005),
        queue=QueueParams(handle_time_s=300, patience_s=120),
    )


PEAK_DAY = DatedHours(start=D(2026, 8, 18), end=D(2026, 8, 18), hours=parse_hours("07:00-02:00"), name="818")


class TestChineseCalendar:
    def test_spring_festival_2026_is_a_holiday_block(self) -> None:
        """2026 Spring Festival: 15-23 February off, 14 and 28 February worked (调休)."""
        assert all(CAL.is_holiday(d) for d in date_range(D(2026, 2, 15), D(2026, 2, 23)))
        assert CAL.is_makeup_workday(D(2026, 2, 14)) and CAL.is_working_day(D(2026, 2, 14))
        assert CAL.is_makeup_workday(D(2026, 2, 28))
        assert not CAL.is_working_day(D(2026, 2, 16))  # a Monday inside the block
        assert CAL.holiday_name(D(2026, 2, 17)) == "Spring Festival"

    def test_plain_weekend_is_not_a_holiday(self) -> None:
        """A weekend outside any block is neither a public holiday nor a working day."""
        assert not CAL.is_holiday(D(2026, 3, 1)) and not CAL.is_working_day(D(2026, 3, 1))

    def test_unknown_year_is_an_error_not_a_guess(self) -> None:
        """A year the package does not cover raises, naming the year and the way out."""
        with pytest.raises(CalendarError, match=r"2031.*calendar\.csv.*override_years"):
            CAL.is_working_day(D(2031, 5, 1))

    def test_override_years_describe_a_whole_year(self) -> None:
        """An unknown year listed in override_years uses weekends plus the override file only."""
        cal = WorkCalendar([CalendarOverride(date=D(2031, 1, 1), kind="holiday", name="元旦"),
                            CalendarOverride(date=D(2031, 1, 4), kind="workday")], override_years=[2031])
        assert cal.is_holiday(D(2031, 1, 1)) and not cal.is_working_day(D(2031, 1, 1))
        assert cal.is_makeup_workday(D(2031, 1, 4))  # a Saturday
        assert cal.is_working_day(D(2031, 1, 2)) and not cal.is_working_day(D(2031, 1, 5))

    def test_override_beats_the_package(self) -> None:
        """A company day off on a normal Monday, from calendar.csv."""
        cal = WorkCalendar([CalendarOverride(date=D(2026, 3, 2), kind="holiday", name="company day")])
        assert cal.is_holiday(D(2026, 3, 2)) and not cal.is_working_day(D(2026, 3, 2))

    def test_notice_of_one_working_day(self) -> None:
        """Leave on a Monday needs the request by the Friday before; a Saturday is too late."""
        monday = D(2026, 3, 9)
        assert CAL.notice_met(D(2026, 3, 6), monday, 1)
        assert not CAL.notice_met(D(2026, 3, 7), monday, 1)

    def test_notice_counts_makeup_days_and_skips_holidays(self) -> None:
        """Leave on 24 Feb 2026 (first day after Spring Festival): the make-up Saturday 14 Feb
        is the last working day before it, so a request on 15 Feb is late."""
        assert CAL.add_working_days(D(2026, 2, 24), -1) == D(2026, 2, 14)
        assert CAL.notice_met(D(2026, 2, 14), D(2026, 2, 24), 1)
        assert not CAL.notice_met(D(2026, 2, 15), D(2026, 2, 24), 1)
        assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2  # 14th and 24th

    @given(st.dates(D(2024, 1, 1), D(2026, 12, 1)), st.integers(-15, 15))
    @settings(max_examples=60)
    def test_add_then_count_working_days(self, day: dt.date, count: int) -> None:
        """Counting the working days between d and add_working_days(d, n) gives n back."""
        assert CAL.working_days_between(day, CAL.add_working_days(day, count)) == count

    def test_add_months_clamps_to_month_end(self) -> None:
        """One month's resignation notice from 31 January ends on 28 February."""
        assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
        assert add_months(D(2026, 12, 15), 1) == D(2027, 1, 15)


class TestHoursParsing:
    @given(st.integers(0, 1439), st.integers(1, 1440))
    @settings(max_examples=200)
    def test_window_round_trips(self, start: int, length: int) -> None:
        """Any window written as HH:MM-HH:MM parses back to the same minutes (crossing midnight
        when the end is at or before the start)."""
        end = start + length
        text = f"{clock(start)}-{clock(end) if end != 1440 else '24:00'}"
        if length == 1440 and start != 0:
            with pytest.raises(ValueError, match="00:00-24:00"):
                parse_window(text)  # "07:00-07:00" is ambiguous; only 00:00-24:00 is a full day
            return
        window = parse_window(text)
        assert (window.start_min, window.end_min) == (start, end)

    @given(st.integers(24, 99), st.integers(0, 99))
    def test_hours_past_24_are_refused(self, hours: int, minutes: int) -> None:
        """25:00, 24:30 and friends are not times of day."""
        if (hours, minutes) == (24, 0):
            return
        with pytest.raises(ValueError, match="not a time of day"):
            parse_time(f"{hours}:{minutes:02d}", allow_24=True)

    @pytest.mark.parametrize("text", ["9-17", "09:00", "09:00-09:00", "09:00-12:00,11:00-13:00", "", "abc"])
    def test_malformed_hours(self, text: str) -> None:
        """Malformed, empty or overlapping windows are refused."""
        with pytest.raises(ValueError):
            parse_hours(text)

    def test_several_windows_and_closed(self) -> None:
        """A lunch closure gives two windows; 'closed' gives none."""
        assert str(parse_hours("09:00-12:00, 13:30-17:00")) == "09:00-12:00,13:30-17:00"
        assert parse_hours("Closed").closed


class TestServiceDay:
    def test_peak_day_crosses_midnight(self) -> None:
        """818: 07:00-02:00; 01:30 on the 19th belongs to service day 18 August."""
        line = make_line(dated=(PEAK_DAY,))
        assert service_day_of(line, dt.datetime(2026, 8, 19, 1, 30), CAL) == D(2026, 8, 18)
        assert service_day_of(line, dt.datetime(2026, 8, 19, 2, 0), CAL) is None
        assert service_day_of(line, dt.datetime(2026, 8, 19, 9, 0), CAL) == D(2026, 8, 19)
        assert service_windows(line, D(2026, 8, 18), CAL) == [
            (dt.datetime(2026, 8, 18, 7), dt.datetime(2026, 8, 19, 2))]

    def test_slots_of_the_peak_day(self) -> None:
        """19 open hours in 10-minute slots: 114 slots, the last starting 01:50 next day."""
        slots = slot_starts(make_line(dated=(PEAK_DAY,)), D(2026, 8, 18), CAL, 10)
        assert len(slots) == 114 and slots[-1] == dt.datetime(2026, 8, 19, 1, 50)

    def test_precedence_dated_then_holiday_then_makeup_then_weekly(self) -> None:
        """Hotline: closed on holidays, open 09:00-17:00 on a 调休 Saturday, dated beats all."""
        dated = DatedHours(start=D(2026, 2, 16), end=D(2026, 2, 16), hours=parse_hours("10:00-12:00"))
        line = make_line("09:00-17:00", dated=(dated,), holiday="closed", makeup="09:00-17:00")
        assert str(day_hours(line.hours, D(2026, 2, 16), CAL)) == "10:00-12:00"
        assert day_hours(line.hours, D(2026, 2, 17), CAL).closed
        assert str(day_hours(line.hours, D(2026, 2, 14), CAL)) == "09:00-17:00"

    @given(st.integers(0, 1430), st.integers(10, 1440), st.integers(0, 3 * 1440 - 1))
    @settings(max_examples=300)
    def test_service_day_matches_the_windows(self, start: int, length: int, offset: int) -> None:
        """For any daily window (crossing midnight or not) and any instant, the service day is
        the one date whose window holds the instant, or None when no window does."""
        start -= start % 10
        length = max(10, min(length - length % 10, 1440 - 10))
        window = DayHours(windows=(Window(start_min=start, end_min=start + length),))
        line = make_line()
        line = Line(id=line.id, name=line.name, channel=line.channel, target=line.target, queue=line.queue,
                    hours=LineHours(weekly=(window,) * 7))
        instant = dt.datetime(2026, 3, 10) + dt.timedelta(minutes=offset)
        holders = [d for d in date_range(D(2026, 3, 8), D(2026, 3, 13))
                   if any(s <= instant < e for s, e in service_windows(line, d, CAL))]
        assert len(holders) <= 1
        assert service_day_of(line, instant, CAL) == (holders[0] if holders else None)

    @given(st.sampled_from([5, 10, 15, 30, 60]))
    def test_slot_grid_covers_open_minutes(self, slot_min: int) -> None:
        """Slots tile the open hours exactly and each knows its service day."""
        line = make_line(dated=(PEAK_DAY,))
        days = date_range(D(2026, 8, 17), D(2026, 8, 19))
        grid = SlotGrid(line, days, CAL, slot_min)
        assert len(grid) * slot_min == (14 + 19 + 14) * 60
        inside = grid.locate([dt.datetime(2026, 8, 19, 1, 59), dt.datetime(2026, 8, 19, 2, 0)])
        assert grid.service_day[inside[0]] == np.datetime64(D(2026, 8, 18)) and inside[1] == -1
