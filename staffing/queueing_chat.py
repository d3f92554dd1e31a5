"""Chat staffing: limited processor sharing with concurrency-dependent handle times.

Model
-----
Each of ``n`` agents holds up to ``k`` chats.  When an agent holds ``j`` chats, each of
them completes at rate ``1 / h_j`` (``handle_time_by_concurrency_s = (h_1, ..., h_k)``),
so the agent finishes chats at rate ``j / h_j``.  Chats arrive as a Poisson stream and
are spread **as evenly as possible** over the agents: with ``m <= n k`` chats in
service, ``m mod n`` agents hold ``ceil(m / n)`` chats and the rest ``floor(m / n)``
(routing to the least-loaded agent, with rebalancing after completions).  The number
of chats in the system is then a birth-death chain.  Once all ``n k`` slots are taken,
further chats wait in one FCFS queue and each waiting chat abandons at rate
``1 / patience_s``; slots then free up at the constant rate ``n k / h_k``, so the queue
behaves exactly like the Erlang A queue and shares its exact waiting-time formulas
(:func:`staffing.queueing._queue_metrics`).

Conventions (as for voice): a chat that finds a free slot gets its first response at
once; ``service_level`` is P(first response within ``answer_within_s``) over all
offered chats, counting every abandoned chat as a miss.  ``occupancy`` is the mean
number of chats held per agent divided by ``k``; ``busy_fraction`` the mean share of
agents holding at least one chat.  With ``k = 1`` the model is Erlang A.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from staffing.queueing import (
    FloatArray,
    IntArray,
    QueueMetrics,
    StaffingRequirement,
    _as_float,
    _binding_below,
    _check_common,
    _check_targets,
    _failures,
    _finish,
    _queue_metrics,
    _rates,
    _smallest_feasible,
    erlang_a,
)

__all__ = [
    "ChatMetrics",
    "chat_as_servers",
    "chat_metrics",
    "default_chat_handle_times",
    "required_agents_chat",
]

_CHUNK_CELLS = 2_000_000  # states x intervals evaluated at once


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatMetrics(QueueMetrics):
    """:class:`~staffing.queueing.QueueMetrics` of the chat model plus agent loads.

    Attributes
    ----------
    avg_chats_per_agent : mean number of chats an agent holds.
    busy_fraction : mean share of agents holding at least one chat.
    """

    avg_chats_per_agent: FloatArray
    busy_fraction: FloatArray


def default_chat_handle_times(h_s: float, k: int, slowdown: float = 0.25) -> tuple[float, ...]:
    """Default handle times by concurrency: ``h_j = h (1 + slowdown (j - 1))``.

    A placeholder for when only a base handle time is known; replace it with handle
    times measured per concurrency level when they are available.

    Parameters
    ----------
    h_s : float
        Handle time of a chat when the agent holds only that chat, in seconds.
    k : int
        Maximum concurrent chats per agent (>= 1).
    slowdown : float
        Relative slowdown per extra concurrent chat (default 0.25, i.e. 25 %).

    Returns
    -------
    tuple of float
        ``(h_1, ..., h_k)`` in seconds.
    """
    if not h_s > 0 or k < 1 or slowdown < 0:
        raise ValueError("need h_s > 0, k >= 1 and slowdown >= 0")
    return tuple(h_s * (1.0 + slowdown * (j - 1)) for j in range(1, k + 1))


def _handle_times(handle_time_by_concurrency_s: Sequence[float]) -> FloatArray:
    h = _as_float(handle_time_by_concurrency_s).ravel()
    if h.size == 0 or not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise ValueError("handle_time_by_concurrency_s must be positive and non-empty")
    return h


def _chat_rows(n: IntArray, lam: FloatArray, g: FloatArray, theta: float, t_s: float) -> dict[str, FloatArray]:
    """Metrics for rows with n >= 1 and lam > 0 (all rows of one chunk)."""
    k = g.size - 2
    rows = n.size
    cap = n * k
    big = int(cap.max())
    # log total completion rate with m = 1..n k chats, once per distinct agent count
    uniq, inv = np.unique(n, return_inverse=True)
    m = np.arange(1, big + 1)[None, :]
    nu = uniq[:, None]
    q = np.minimum(m // nu, k)
    rem = np.where(m <= nu * k, m - q * nu, 0)
    log_rate = np.log(rem * g[np.minimum(q + 1, k + 1)] + (nu - rem) * g[q])
    log_w = np.empty((rows, big + 1))
    log_w[:, 0] = 0.0
    np.cumsum(np.log(lam)[:, None] - log_rate[inv], axis=1, out=log_w[:, 1:])
    states = np.arange(big + 1)
    free = states[None, :] < cap[:, None]
    top = np.max(np.where(free, log_w, -np.inf), axis=1)
    w = np.exp(np.where(free, log_w - top[:, None], -np.inf))
    log_free = top + np.log(w.sum(axis=1))
    log_edge = log_w[np.arange(rows), cap]
    out = _queue_metrics(log_free, log_edge, lam, n * g[k], theta, t_s)
    pi = w * np.exp(top - out["log_norm"])[:, None]
    p_full = out["p_wait"]
    held = pi @ states.astype(np.float64) + cap * p_full
    few = int(n.max())  # agents left idle: sum over m < n of (n - m) pi_m
    idle = (pi[:, :few] * np.maximum(n[:, None] - states[None, :few], 0)).sum(axis=1)
    out["avg_chats_per_agent"] = held / n
    out["occupancy"] = held / cap
    out["busy_fraction"] = 1.0 - idle / n
    return out


def _chat_core(n: IntArray, lam: FloatArray, h: FloatArray, theta: float, t_s: float) -> ChatMetrics:
    """Vectorised chat metrics over 1-D arrays ``n`` (agents) and ``lam`` (per second)."""
    k = h.size
    g = np.concatenate([[0.0], np.arange(1, k + 1) / h, [0.0]])
    keys = (
        "p_wait",
        "p_abandon",
        "service_level",
        "p_wait_within",
        "avg_wait_s",
        "occupancy",
        "avg_chats_per_agent",
        "busy_fraction",
    )
    res = {key: np.zeros(n.size) for key in keys}
    res["service_level"][:] = 1.0
    res["p_wait_within"][:] = 1.0
    empty = np.flatnonzero((n == 0) & (lam > 0))
    if empty.size:  # no agents: everybody waits (and abandons, or waits for ever)
        z = np.zeros(empty.size)
        m = _queue_metrics(z - np.inf, z, lam[empty], z, theta, t_s)
        for key in keys[:5]:
            res[key][empty] = m[key]
    live = np.flatnonzero((n > 0) & (lam > 0))
    live = live[np.argsort(n[live], kind="stable")]
    caps = n[live] * k + 1
    start = 0
    while start < live.size:  # chunks of similar size, sorted by agents
        cost = np.arange(1, live.size - start + 1) * caps[start:]
        stop = start + max(int(np.searchsorted(cost, _CHUNK_CELLS, side="right")), 1)
        rows = live[start:stop]
        m = _chat_rows(n[rows], lam[rows], g, theta, t_s)
        for key in keys:
            res[key][rows] = m[key]
        start = stop
    return ChatMetrics(**res)


def chat_metrics(
    agents: ArrayLike,
    arrival_rate_per_s: ArrayLike,
    *,
    handle_time_by_concurrency_s: Sequence[float],
    answer_within_s: float,
    patience_s: float | None,
) -> ChatMetrics:
    """Exact steady-state metrics of the chat limited-processor-sharing model.

    Parameters
    ----------
    agents : int or array of int
        Agents logged in to chat, ``n >= 0``.
    arrival_rate_per_s : float or array
        Poisson chat arrival rate per second, broadcast against ``agents``.
    handle_time_by_concurrency_s : sequence of float
        ``(h_1, ..., h_k)``: per-chat mean handle time when the agent holds ``j`` chats.
    answer_within_s : float
        First-response threshold in seconds.
    patience_s : float or None
        Mean patience of a waiting chat (exponential); None: never abandons.

    Returns
    -------
    ChatMetrics
        Arrays with the broadcast shape of the inputs (see the module docstring).
    """
    h = _handle_times(handle_time_by_concurrency_s)
    _check_common(float(h[0]), answer_within_s, patience_s)
    n, lam = np.broadcast_arrays(np.asarray(agents), _as_float(arrival_rate_per_s))
    if np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError("agents must be non-negative integers")
    if not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("arrival rates must be finite and >= 0")
    theta = 0.0 if patience_s is None else 1.0 / patience_s
    res = _chat_core(n.astype(np.int64).ravel(), lam.ravel(), h, theta, answer_within_s)
    return ChatMetrics(**{f.name: getattr(res, f.name).reshape(n.shape) for f in fields(res)})


def chat_as_servers(
    agents: ArrayLike,
    arrival_rate_per_s: ArrayLike,
    *,
    handle_time_by_concurrency_s: Sequence[float],
    answer_within_s: float,
    patience_s: float | None,
) -> QueueMetrics:
    """Comparison shortcut only: ``n`` agents as ``n k`` Erlang A servers with AHT ``h_1``.

    Ignores that handle time grows with concurrency, so it overstates capacity whenever
    ``h_k > h_1``; use :func:`chat_metrics` / :func:`required_agents_chat` for staffing.

    Parameters
    ----------
    agents, arrival_rate_per_s, handle_time_by_concurrency_s, answer_within_s, patience_s
        As for :func:`chat_metrics`.

    Returns
    -------
    QueueMetrics
        Erlang A metrics of ``n k`` servers (occupancy per server, i.e. per slot).
    """
    h = _handle_times(handle_time_by_concurrency_s)
    return erlang_a(
        np.asarray(agents) * h.size,
        arrival_rate_per_s,
        handle_time_s=float(h[0]),
        answer_within_s=answer_within_s,
        patience_s=patience_s,
    )


def required_agents_chat(
    arrival_rate_per_s: ArrayLike,
    *,
    handle_time_by_concurrency_s: Sequence[float],
    service_level: float,
    answer_within_s: float,
    patience_s: float | None,
    max_abandon_rate: float | None,
    max_occupancy: float | None = None,
    min_agents: ArrayLike = 0,
) -> StaffingRequirement:
    """Smallest number of chat agents per interval meeting every target.

    Uses :func:`chat_metrics`.  The search starts from a provable lower bound, never
    from a rounded load: throughput ``lambda (1 - P(abandon)) >= lambda max(SL,
    1 - max_abandon)`` cannot exceed ``n max_j (j / h_j)``; without abandonment the queue
    must be stable, ``n k / h_k > lambda``; and at least one agent when chats arrive.
    The search assumes the metrics improve with every extra agent, which holds when
    ``j / h_j`` is non-decreasing and concave in ``j`` (e.g. the default growth).

    Parameters
    ----------
    arrival_rate_per_s : array_like
        Chat arrival rate per interval (per second), any shape.
    handle_time_by_concurrency_s : sequence of float
        ``(h_1, ..., h_k)`` in seconds, see :func:`default_chat_handle_times`.
    service_level : float
        Target share with first response within ``answer_within_s``, in [0, 1).
    answer_within_s : float
        First-response threshold in seconds.
    patience_s : float or None
        Mean patience of waiting chats; None for never.
    max_abandon_rate : float or None
        Highest acceptable P(abandon).
    max_occupancy : float or None
        Highest acceptable slot occupancy (mean chats held per agent / k).
    min_agents : int or array_like of int
        Floor per interval.

    Returns
    -------
    StaffingRequirement
        Arrays with the shape of ``arrival_rate_per_s``.
    """
    h = _handle_times(handle_time_by_concurrency_s)
    _check_common(float(h[0]), answer_within_s, patience_s)
    _check_targets(service_level, max_abandon_rate, max_occupancy)
    shape = np.shape(arrival_rate_per_s)
    lam = _rates(arrival_rate_per_s)
    floor = np.broadcast_to(np.asarray(min_agents, dtype=np.int64), shape).ravel()
    theta = 0.0 if patience_s is None else 1.0 / patience_s
    per_agent = np.arange(1, h.size + 1) / h

    def metrics(n: IntArray, rows: IntArray | None = None) -> ChatMetrics:
        return _chat_core(n, lam if rows is None else lam[rows], h, theta, answer_within_s)

    def fails(n: IntArray, rows: IntArray) -> NDArray[np.bool_]:
        return _failures(metrics(n, rows), service_level, max_abandon_rate, max_occupancy)

    share = max(service_level, 0.0 if max_abandon_rate is None else 1 - max_abandon_rate)
    lb = np.floor(lam * share / per_agent.max() * (1 - 1e-9)).astype(np.int64)
    if patience_s is None:
        lb = np.maximum(lb, np.floor(lam / per_agent[-1] * (1 - 1e-9)).astype(np.int64) + 1)
    lb = np.where(lam > 0, np.maximum(lb, 1), 0)
    need = _smallest_feasible(lambda n, rows: ~fails(n, rows).any(axis=0), lb)
    reason = _binding_below(need, fails)
    return _finish(need, reason, floor, shape, metrics)
