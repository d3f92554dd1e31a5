"""Discrete-event simulation of a roster's service days: the referee of the formulas.

Each replication of each line and service window draws its contacts, then plays the day
out event by event with the roster's real staffing minute by minute:

* arrivals: Poisson in every open minute at the forecast's rate (uniform inside the minute);
  with ``overdispersion`` = phi > 0 each planning slot's rate is first multiplied by a
  gamma variate of mean 1 and variance phi (a gamma-Poisson, i.e. negative binomial, count);
* capacity: ``on_line x k`` contacts at once (k = chat concurrency, 1 for voice), changing at
  the minute the roster says an agent goes on or comes back from a meal, break or meeting;
  an agent who leaves finishes what they hold (no new contact is given to them);
* service: exponential handle times; an agent holding ``j`` chats finishes each at rate
  ``1 / h_j`` and chats are kept spread evenly over the agents on the line, exactly the
  routing of :mod:`staffing.queueing_chat` (voice: Erlang A), so what the simulation tests is
  the stationarity the formulas assume, not a different routing;
* waiting: one first-come-first-served queue; each contact gives up after an exponential
  patience of mean ``queue.patience_s`` (never when the line has no patience);
* the end of a window: contacts still waiting are served by the agents on the line in its
  last minute (the evening shift stays while customers wait, DOMAIN section 2).

The per-contact event loop is plain Python (one pass, O(contacts)); drawing contacts,
patience and service times and turning outcomes into per-minute sums are vectorised.
Replications are seeded by ``(seed, line, replication)``, so results do not depend on how
many lines or replications run.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from staffing.domain import Line
from staffing.targets import LineMinutes, Sums, capacity_per_agent

INF = math.inf


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationSettings:
    """``replications`` per day, the ``seed`` and the gamma ``overdispersion`` (0 = Poisson)."""

    replications: int
    seed: int = 0
    overdispersion: float = 0.0

    def __post_init__(self) -> None:
        if self.replications < 1:
            raise ValueError("replications must be at least 1")
        if not self.overdispersion >= 0:
            raise ValueError("overdispersion must be >= 0")


def handle_times(line: Line) -> tuple[float, ...]:
    """``(h_1, ..., h_k)``: handle time by contacts held (voice: one)."""
    return tuple(line.queue.handle_time_by_concurrency_s) if line.channel == "chat" else (line.queue.handle_time_s,)


def completion_rates(max_agents: int, handle_s: tuple[float, ...]) -> list[list[float]]:
    """``table[n][m]``: contacts finished per second with ``n`` agents holding ``m <= n k``
    contacts spread as evenly as possible (an agent holding ``j`` finishes ``j / h_j``)."""
    k = len(handle_s)
    per_agent = [0.0] + [j / handle_s[j - 1] for j in range(1, k + 1)]
    table = [[0.0]]
    for n in range(1, max_agents + 1):
        row = []
        for m in range(n * k + 1):
            q, r = divmod(m, n)
            row.append(r * per_agent[min(q + 1, k)] + (n - r) * per_agent[q])
        table.append(row)
    return table


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowRun:
    """What one window's event loop returns: each contact's start (NaN: never answered) and
    the contacts held on the line's capacity over time (``times``, ``held``: the level from
    each time on; what an agent finishes after leaving the line is not counted)."""

    start: np.ndarray
    times: np.ndarray
    held: np.ndarray


def run_window(arrival: list[float], deadline: list[float], change_t: list[float], change_n: list[int], end_s: float,
               k: int, table: list[list[float]], excess_rate: float, rng: np.random.Generator) -> WindowRun:
    """Play one service window ``[change_t[0], end_s)`` out: FCFS queue, abandonment at each
    contact's deadline, capacity ``n k`` from ``change_t[i]`` on (the last level past
    ``end_s`` until the queue is empty), service completions from ``table``.

    Completions are memoryless, so the next one is redrawn whenever the total rate changes.
    Abandonment needs no event of its own: a contact whose deadline passed is skipped when a
    place frees up, and counts as abandoned.
    """
    count = len(arrival)
    start = [math.nan] * count
    queue: deque[int] = deque()
    draws = rng.standard_exponential(2 * count + len(change_t) + 64).tolist()
    used = 0
    t, n, m = change_t[0], change_n[0], 0
    cap = n * k
    times, held = [t], [0]
    i, ci = 0, 1
    next_arrival = arrival[0] if count else INF
    next_change = change_t[1] if len(change_t) > 1 else INF
    next_done = INF
    while True:
        if next_done <= next_arrival and next_done <= next_change:
            if next_done == INF:
                break
            t = next_done
            m -= 1
            while queue and m < cap:
                j = queue.popleft()
                if deadline[j] > t:
                    start[j] = t
                    m += 1
        elif next_arrival <= next_change:
            t = next_arrival
            if m < cap:
                start[i] = t
                m += 1
                i += 1
                next_arrival = arrival[i] if i < count else INF
            else:
                queue.append(i)
                i += 1
                next_arrival = arrival[i] if i < count else INF
                continue
        else:
            t = next_change
            n = change_n[ci]
            cap = n * k
            ci += 1
            next_change = change_t[ci] if ci < len(change_t) else INF
            while queue and m < cap:
                j = queue.popleft()
                if deadline[j] > t:
                    start[j] = t
                    m += 1
        rate = table[n][m] if m <= cap else table[n][cap] + (m - cap) * excess_rate
        if rate > 0:
            if used == len(draws):
                draws.extend(rng.standard_exponential(1024).tolist())
            next_done = t + draws[used] / rate
            used += 1
        else:
            next_done = INF
        times.append(t)
        held.append(m if m <= cap else cap)
        if next_arrival == INF and not queue and next_change == INF and next_done > end_s:
            break
    return WindowRun(start=np.array(start), times=np.array(times), held=np.array(held, dtype=float))


def held_seconds(run: WindowRun, edges_s: np.ndarray) -> np.ndarray:
    """Contact-seconds held in each interval between consecutive ``edges_s``."""
    times, level = run.times, run.held
    cumulative = np.concatenate([[0.0], np.cumsum(level[:-1] * np.diff(times))])
    j = np.clip(np.searchsorted(times, edges_s, side="right") - 1, 0, None)
    integral = cumulative[j] + level[j] * (edges_s - times[j])
    return np.diff(integral)


def simulate_line(grid: LineMinutes, rate_per_min: np.ndarray, settings: SimulationSettings,
                  stream: int = 0) -> Sums:
    """Per-minute sums of every replication (leading axis) for one line.

    ``rate_per_min`` is per open minute of ``grid`` (NaN: unknown, no contacts drawn and the
    minute left out of the sums, as the formulas do). ``stream`` tells lines apart in the seed.
    """
    line = grid.line
    k = capacity_per_agent(line)
    handle_s = handle_times(line)
    table = completion_rates(int(grid.on_line.max(initial=0)), handle_s)
    known = ~np.isnan(rate_per_min)
    rate = np.where(known, rate_per_min, 0.0)
    size = (settings.replications, len(grid.offset))
    sums = {name: np.zeros(size) for name in ("offered", "within", "answered", "wait_s", "held_s")}
    capacity = np.where(known, grid.on_line * k * 60.0, 0.0)
    bounds = np.flatnonzero(np.diff(grid.window)) + 1
    windows = np.split(np.arange(len(grid.offset)), bounds) if len(grid.offset) else []
    for replication in range(settings.replications):
        rng = np.random.default_rng([settings.seed, stream, replication])
        one = _replication(grid, rate, windows, k, table, 1.0 / handle_s[-1], line, settings, rng)
        for name, values in one.items():
            sums[name][replication] = values
    sums["held_s"] = np.where(known, sums["held_s"], 0.0)
    return Sums(capacity_s=np.broadcast_to(capacity, size).copy(), **sums)


def _replication(grid: LineMinutes, rate: np.ndarray, windows: list[np.ndarray], k: int, table, excess_rate: float,
                 line: Line, settings: SimulationSettings, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One replication of every window of the line: per-minute offered, within, answered,
    waited seconds and held seconds."""
    if settings.overdispersion > 0:
        shape = 1.0 / settings.overdispersion
        rate = rate * rng.gamma(shape, 1.0 / shape, size=len(grid.slot_start))[grid.slot]
    counts = rng.poisson(rate)
    minute = np.repeat(np.arange(len(rate)), counts)
    arrival = (grid.offset[minute] + rng.random(len(minute))) * 60.0
    order = np.argsort(arrival, kind="stable")
    minute, arrival = minute[order], arrival[order]
    patience_s = line.queue.patience_s
    patience = rng.exponential(patience_s, len(arrival)) if patience_s is not None else np.full(len(arrival), INF)
    start = np.full(len(arrival), np.nan)
    held = np.zeros(len(rate))
    for members in windows:
        first, last = members[0], members[-1]
        lo, hi = np.searchsorted(minute, [first, last + 1])
        staff = grid.on_line[members]
        change = np.flatnonzero(np.concatenate([[True], staff[1:] != staff[:-1]]))
        run = run_window(arrival[lo:hi].tolist(), (arrival[lo:hi] + patience[lo:hi]).tolist(),
                         (grid.offset[members][change] * 60.0).tolist(), staff[change].tolist(),
                         (grid.offset[last] + 1) * 60.0, k, table, excess_rate, rng)
        start[lo:hi] = run.start
        held[members] = held_seconds(run, np.append(grid.offset[members], grid.offset[last] + 1) * 60.0)
    answered = ~np.isnan(start)
    wait = np.where(answered, start - arrival, patience)
    within = answered & (wait <= line.target.answer_within_s + 1e-9)
    bins = len(rate)
    return {"offered": np.bincount(minute, minlength=bins).astype(float),
            "within": np.bincount(minute, weights=within, minlength=bins),
            "answered": np.bincount(minute, weights=answered, minlength=bins),
            "wait_s": np.bincount(minute, weights=wait, minlength=bins), "held_s": held}


__all__ = ["SimulationSettings", "completion_rates", "run_window", "simulate_line"]
