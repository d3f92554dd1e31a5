"""The roster engine on hand-checkable instances, judged by an independent checker.

The checker below reads only the roster frame and the centre (no solver code), minute by
minute, until `staffing check` takes its place.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffing import load_centre
from staffing.roster import InfeasibleError, Leave, roster

DAYS = (dt.date(2026, 8, 10), dt.date(2026, 8, 11))


def requirement(line: str, days, hours: range, required: int, floor: int = 1) -> pd.DataFrame:
    rows = []
    for day in days:
        for h in hours:
            start = pd.Timestamp(day) + pd.Timedelta(hours=h)
            rows.append((line, start, start + pd.Timedelta(hours=1), required, floor, None))
    return pd.DataFrame(rows, columns=["line", "start", "end", "required", "floor", "day_min_agents"])


def on_line_minutes(frame: pd.DataFrame, line: str, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Agents of the line on the line in each minute of [start, end): on a shift and not away."""
    minutes = pd.date_range(start, end, freq="min", inclusive="left")
    count = np.zeros(len(minutes), dtype=int)
    rows = frame[frame["line"] == line]
    for row in rows.itertuples():
        mask = (minutes >= row.start) & (minutes < row.end)
        if row.activity == "shift":
            count[mask] += 1
        elif row.activity in ("meal", "break", "meeting"):
            count[mask] -= 1
    return count


def check_roster(centre, frame: pd.DataFrame) -> list[str]:
    """Independent rule check: shifts from valid templates, one per day, meals and breaks of
    the rules' length inside their windows and shifts, at most max_away of a team away."""
    problems = []
    rules = centre.rules
    shifts = frame[frame["activity"] == "shift"]
    if shifts.duplicated(["agent", "date"]).any():
        problems.append("two shifts on one day")
    for row in shifts.itertuples():
        template = centre.shifts[row.code]
        midnight = pd.Timestamp(row.date)
        if (row.start, row.end) != (midnight + pd.Timedelta(minutes=template.start_min),
                                    midnight + pd.Timedelta(minutes=template.end_min)):
            problems.append(f"{row.agent} {row.date}: shift times do not match template {row.code}")
        away = frame[(frame["agent"] == row.agent) & (frame["date"] == row.date)
                     & frame["activity"].isin(["meal", "break"])].sort_values("start")
        meals, breaks = away[away["activity"] == "meal"], away[away["activity"] == "break"]
        if len(meals) != template.meals or len(breaks) != template.breaks:
            problems.append(f"{row.agent} {row.date}: {len(meals)} meals, {len(breaks)} breaks")
        for meal in meals.itertuples():
            window = template.meal_window
            if meal.end - meal.start != pd.Timedelta(minutes=rules.meal_min) or not (
                    midnight + pd.Timedelta(minutes=window.start_min) <= meal.start
                    and meal.end <= midnight + pd.Timedelta(minutes=window.end_min)):
                problems.append(f"{row.agent} {row.date}: meal {meal.start:%H:%M} outside its window or wrong length")
        for item in breaks.itertuples():
            if item.end - item.start != pd.Timedelta(minutes=rules.break_min):
                problems.append(f"{row.agent} {row.date}: break of the wrong length")
            if item.start < row.start + pd.Timedelta(minutes=template.break_min_from_start_min) or \
                    item.end > row.end - pd.Timedelta(minutes=template.break_min_from_end_min):
                problems.append(f"{row.agent} {row.date}: break {item.start:%H:%M} too near the shift's ends")
        items = list(away.itertuples())
        for before, after in itertools.pairwise(items):
            if after.start - before.end < pd.Timedelta(minutes=template.break_min_gap_min):
                problems.append(f"{row.agent} {row.date}: {before.activity} and {after.activity} too close")
    for team in centre.teams:
        away = frame[(frame["team"] == team) & frame["activity"].isin(["meal", "break", "meeting"])]
        if away.empty:
            continue
        minutes = pd.date_range(away["start"].min(), away["end"].max(), freq="min", inclusive="left")
        count = np.zeros(len(minutes), dtype=int)
        for item in away.itertuples():
            count[(minutes >= item.start) & (minutes < item.end)] += 1
        if count.max() > rules.max_away_per_team:
            problems.append(f"team {team}: {count.max()} away at {minutes[count.argmax()]}")
    return problems


@pytest.fixture
def tiny_centre(tiny: Path):
    return load_centre(tiny)


def test_tiny_two_days_covered_with_meals_one_at_a_time(tiny_centre) -> None:
    """Two on the line 09:00-17:00 with one-hour meals one at a time needs all three agents on
    shift; the roster keeps every rule and leaves no slot short."""
    result = roster(tiny_centre, requirement("chat", DAYS, range(9, 17), 2), *DAYS, time_limit_s=20, workers=2)
    frame = result.frame
    assert check_roster(tiny_centre, frame) == []
    assert len(frame[frame["activity"] == "shift"]) == 6
    for day in DAYS:
        minutes = on_line_minutes(frame, "chat", pd.Timestamp(day) + pd.Timedelta(hours=9),
                                  pd.Timestamp(day) + pd.Timedelta(hours=17))
        assert minutes.min() >= 2
    assert result.shortfall_agent_min == {"chat": 0}
    assert set(frame.columns) == {"agent", "team", "line", "date", "activity", "code", "start", "end"}


def test_floor_only_lets_an_agent_rest(tiny_centre) -> None:
    """With only the floor (1 on the line), fewer agents work and the others rest."""
    result = roster(tiny_centre, requirement("chat", DAYS, range(9, 17), 1), *DAYS, time_limit_s=20, workers=2)
    frame = result.frame
    assert check_roster(tiny_centre, frame) == []
    assert (frame["activity"] == "rest").any()
    for day in DAYS:
        minutes = on_line_minutes(frame, "chat", pd.Timestamp(day) + pd.Timedelta(hours=9),
                                  pd.Timestamp(day) + pd.Timedelta(hours=17))
        assert minutes.min() >= 1


def test_approved_leave_is_kept(tiny_centre) -> None:
    """An agent on approved leave gets a leave row and no shift that day."""
    leave = (Leave(agent="A2", start=DAYS[0], end=DAYS[0], code="annual"),)
    result = roster(tiny_centre, requirement("chat", DAYS, range(9, 17), 1), *DAYS, leave=leave,
                    time_limit_s=20, workers=2)
    rows = result.frame[(result.frame["agent"] == "A2") & (result.frame["date"] == DAYS[0])]
    assert list(rows["activity"]) == ["leave"] and list(rows["code"]) == ["annual"]


def test_two_on_leave_in_one_team_is_refused_with_reasons(tiny_centre) -> None:
    """Two of a team on leave the same day breaks max_on_leave_per_team_per_day: exit 3,
    naming the team, the day, the agents and the rule."""
    leave = (Leave(agent="A1", start=DAYS[0], end=DAYS[0]), Leave(agent="A2", start=DAYS[0], end=DAYS[0]))
    with pytest.raises(InfeasibleError) as raised:
        roster(tiny_centre, requirement("chat", DAYS, range(9, 17), 1), *DAYS, leave=leave, time_limit_s=10)
    assert raised.value.exit_code == 3
    assert "team T1 on 2026-08-10 has 2 on approved leave (A1, A2)" in str(raised.value)


def test_floor_nobody_can_cover_names_the_intervals(tiny_centre) -> None:
    """A floor of 4 with three agents: the explanation names the line, day and hours."""
    with pytest.raises(InfeasibleError) as raised:
        roster(tiny_centre, requirement("chat", DAYS[:1], range(9, 17), 4, floor=4), DAYS[0], DAYS[0],
               time_limit_s=10)
    assert "coverage: line chat on 2026-08-10 09:00-17:00" in str(raised.value)
