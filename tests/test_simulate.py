"""The simulation behind `staffing check --simulate`: seeded, true to the roster's staffing
minute by minute, and in agreement with the closed forms where those are exact (stationary
staffing and arrivals)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from staffing import load_centre
from staffing.check import check_plan
from staffing.simulate import SimulationSettings, completion_rates, run_window, simulate_line
from staffing.targets import LineMinutes, confidence_interval, formula_sums
from tests.conftest import EXAMPLE

DAY = pd.Timestamp("2026-08-10")


def stationary(line, agents: np.ndarray, minutes: int | None = None) -> LineMinutes:
    """One open window of ``len(agents)`` minutes from midnight, 10-minute slots."""
    size = len(agents) if minutes is None else minutes
    return LineMinutes(line=line, origin=DAY, horizon_min=size + 2880, offset=np.arange(size),
                       service_day=np.full(size, np.datetime64(DAY.date(), "D")), window=np.zeros(size, dtype=int),
                       slot=np.arange(size) // 10, slot_start=np.arange((size + 9) // 10), on_line=np.asarray(agents),
                       load_rows=pd.DataFrame(columns=["agent", "date", "lo", "hi", "sign"]))


def whole(sums, skip: int = 0):
    """The ratios over every minute after the first ``skip`` (one group)."""
    weights = np.ones((sums.offered.shape[-1], 1))
    weights[:skip] = 0
    return sums.pooled(sparse.csr_matrix(weights)).ratios()


@pytest.fixture(scope="module")
def lines():
    centre = load_centre(EXAMPLE)
    hotline, online = centre.lines["hotline"], centre.lines["online"]
    patient = dataclasses.replace(hotline, queue=dataclasses.replace(hotline.queue, patience_s=None))
    return {"voice, Erlang A": hotline, "voice, Erlang C": patient, "chat, 3 at once": online}


CASES = [("voice, Erlang A", 8, 1.6), ("voice, Erlang C", 6, 1.2), ("chat, 3 at once", 10, 3.0),
         ("chat, 3 at once", 4, 1.9)]


@pytest.mark.parametrize(("name", "agents", "rate"), CASES)
def test_stationary_simulation_agrees_with_the_formulas(lines, name: str, agents: int, rate: float) -> None:
    """Constant staffing and arrivals for a day: after the first hour (the line opens empty, so
    the queue needs a while to reach its steady state) every formula value lies in the
    simulation's 95% interval over 20 replications (service level, answer rate, wait,
    occupancy)."""
    line = lines[name]
    grid = stationary(line, np.full(1440, agents))
    per_minute = np.full(1440, rate)
    formula = whole(formula_sums(line, grid.on_line, per_minute), skip=60)
    simulated = whole(simulate_line(grid, per_minute, SimulationSettings(replications=20, seed=0)), skip=60)
    for target in ("service_level", "answer_rate", "avg_wait_s", "occupancy"):
        mean, low, high = confidence_interval(simulated[target][:, 0])
        assert low <= formula[target][0] <= high, (target, formula[target][0], mean, low, high)


def test_completion_rates_by_hand() -> None:
    """Chats spread evenly: 3 chats on 2 agents are one agent with 2 and one with 1."""
    table = completion_rates(2, (420.0, 520.0, 630.0))
    assert table[2][3] == pytest.approx(2 / 520 + 1 / 420)
    assert table[2][6] == pytest.approx(2 * 3 / 630)
    assert table[1][2] == pytest.approx(2 / 520)
    assert table[0] == [0.0]


@settings(max_examples=40)
@given(gaps=st.lists(st.floats(0.0, 120.0), min_size=1, max_size=60), patience=st.floats(1.0, 300.0),
       levels=st.lists(st.integers(0, 3), min_size=1, max_size=5), seed=st.integers(0, 1000))
def test_run_window_is_first_come_first_served(gaps, patience, levels, seed) -> None:
    """Property: nobody starts before arriving or after giving up, and contacts answered start
    in the order they arrived, whatever the capacity does."""
    arrival = list(np.cumsum(gaps))
    deadline = [t + patience for t in arrival]
    change_t = [i * 600.0 for i in range(len(levels))]
    run = run_window(arrival, deadline, change_t, levels, change_t[-1] + 600.0, 1, completion_rates(3, (180.0,)),
                     1 / 180.0, np.random.default_rng(seed))
    served = ~np.isnan(run.start)
    assert np.all(run.start[served] >= np.asarray(arrival)[served])
    assert np.all(run.start[served] < np.asarray(deadline)[served])
    assert np.all(np.diff(run.start[served]) >= 0)


def test_same_seed_same_replications(lines) -> None:
    """The same seed gives the same figures; another seed other figures."""
    line = lines["chat, 3 at once"]
    grid = stationary(line, np.full(600, 5))
    rate = np.full(600, 1.5)
    first = simulate_line(grid, rate, SimulationSettings(replications=3, seed=11))
    again = simulate_line(grid, rate, SimulationSettings(replications=3, seed=11))
    other = simulate_line(grid, rate, SimulationSettings(replications=3, seed=12))
    assert np.array_equal(first.within, again.within) and np.array_equal(first.held_s, again.held_s)
    assert not np.array_equal(first.offered, other.offered)


def test_overdispersion_widens_the_counts(lines) -> None:
    """A gamma factor of variance 0.25 per slot: the variance of a 10-minute count of mean 20
    is about 20 + 0.25 x 20^2 = 120; without it, Poisson's 20."""
    grid = stationary(lines["voice, Erlang A"], np.full(1440, 30))
    rate = np.full(1440, 2.0)
    variance = {}
    for phi in (0.0, 0.25):
        sums = simulate_line(grid, rate, SimulationSettings(replications=10, seed=3, overdispersion=phi))
        per_slot = sums.offered.reshape(10, -1, 10).sum(axis=2)
        assert per_slot.mean() == pytest.approx(20, rel=0.05)
        variance[phi] = per_slot.var()
    assert 16 < variance[0.0] < 25
    assert 95 < variance[0.25] < 150


def test_nobody_on_the_line_answers_nobody(lines) -> None:
    """Half an hour with nobody on the line (patience 60 s): contacts of its first 25 minutes
    are never answered, in the simulation as in the formula."""
    line = lines["voice, Erlang A"]
    agents = np.full(720, 6)
    agents[300:330] = 0
    grid = stationary(line, agents)
    rate = np.full(720, 1.0)
    sums = simulate_line(grid, rate, SimulationSettings(replications=5, seed=1))
    assert sums.offered[:, 300:325].sum() > 100
    assert sums.answered[:, 300:325].sum() == 0
    assert formula_sums(line, grid.on_line, rate).answered[300:330].sum() == 0


def test_contacts_waiting_at_closing_are_still_served(lines) -> None:
    """Without patience nobody gives up; those still waiting when the window closes are
    served by the agents on the line in its last minute (the evening shift stays)."""
    line = lines["voice, Erlang C"]
    agents = np.full(120, 4)
    agents[-10:] = 1
    sums = simulate_line(stationary(line, agents), np.full(120, 1.2), SimulationSettings(replications=3, seed=2))
    assert np.array_equal(sums.answered.sum(axis=1), sums.offered.sum(axis=1))


def test_check_plan_stationary_day_agrees(tiny: Path) -> None:
    """End to end: three agents on a template without meals or breaks at a steady rate; the
    formula rows for the line lie inside the simulation's 95% intervals."""
    toml = tiny / "centre.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("meals = 1", "meals = 0")
                    .replace('meal_window = ["11:00", "14:00"]\n', "").replace("breaks = 2", "breaks = 0"),
                    encoding="utf-8")
    centre = load_centre(tiny)
    roster = pd.DataFrame([{"agent": agent, "team": "T1", "line": "chat", "date": DAY.date(), "activity": "shift",
                            "code": "D", "start": DAY + pd.Timedelta(hours=9), "end": DAY + pd.Timedelta(hours=17)}
                           for agent in ("A1", "A2", "A3")])
    hours = [DAY + pd.Timedelta(hours=h) for h in range(9, 17)]
    need = pd.DataFrame({"line": "chat", "start": hours, "end": [h + pd.Timedelta(hours=1) for h in hours],
                         "required": 3, "floor": 1, "day_min_agents": np.nan, "contacts": 66.0})
    report = check_plan(centre, roster, need, simulation=SimulationSettings(replications=20, seed=0))
    rows = [t for t in report.targets if t.scope == "line" and t.target != "daily_load"]
    assert {t.target for t in rows} == {"service_level", "answer_rate", "avg_wait_s", "occupancy"}
    for row in rows:
        assert row.formula_in_ci, row
    assert report.notes[-1] == "simulated 20 replication(s) of each day, seed 0, overdispersion 0"
