"""Queueing models that turn arrival rates into agents on the line (voice).

Models
------
* Erlang B (M/M/n/n) blocking, Erlang C (M/M/n) and Erlang A (M/M/n+M, exponential
  patience) for voice; the chat model (limited processor sharing) lives in
  :mod:`staffing.queueing_chat` and reuses the waiting-time machinery below.

Conventions
-----------
* Times are seconds (``_s``), rates are per second (``_per_s``); loads are in Erlangs
  (arrival rate x mean handle time).
* ``service_level`` is *conservative*: the share of **all offered** contacts that are
  answered within ``answer_within_s``.  A contact that abandons counts as not answered,
  whether it abandons before or after the threshold.  ``p_wait_within`` is the lenient
  reading: the share of all offered contacts whose time in queue (until answer or
  abandonment) is at most ``answer_within_s``, i.e. abandons before the threshold count
  as met.  Without abandonment both equal the Erlang C service level.
* ``avg_wait_s`` is the mean time in queue over all offered contacts (those answered at
  once count 0 s; abandoned contacts count the time until they hung up).
* Targets are met to within ``1e-12`` to absorb rounding.

Numerics
--------
Everything is evaluated in log space from closed forms, so it stays finite for loads of
many thousands of Erlangs and ten thousand agents.  Erlang B uses
``B(n, A) = pmf(n; A) / cdf(n; A)`` of a Poisson(A) law via the regularised incomplete
gamma function, or the integral ``1/B = int_0^inf e^-s (1 + s/A)^n ds`` by Gauss-Laguerre
quadrature where the gamma function would underflow (``n`` far below ``A``).  The queue
of Erlang A uses the exact mixture identity: an arrival that finds ``q`` contacts
waiting reaches an agent after a time ``V`` with ``exp(-theta V) ~ Beta(c/theta, q+1)``,
which sums over the stationary distribution into lower incomplete gamma functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = [
    "QueueMetrics",
    "StaffingRequirement",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_asa_s",
    "erlang_c_service_level",
    "occupancy",
    "required_agents_voice",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

TOL = 1e-12
_DEEP_LOG = 600.0  # -log pmf beyond which the incomplete gamma function is not used
_LAG_X, _LAG_W = np.polynomial.laguerre.laggauss(64)
_MAX_AGENTS = 10_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueMetrics:
    """Steady-state metrics of a queue, one value per input element.

    Attributes
    ----------
    p_wait : probability that an arrival finds no free agent (or chat slot).
    p_abandon : probability that an arrival hangs up before being answered.
    service_level : conservative service level, P(answered within the threshold) over
        all offered contacts.
    p_wait_within : lenient reading, P(time in queue <= threshold) over all offered
        contacts; abandonment before the threshold counts as met.
    avg_wait_s : mean time in queue over all offered contacts (seconds).
    occupancy : carried load per agent (voice) or chats held per slot (chat), in [0, 1].
    """

    p_wait: FloatArray
    p_abandon: FloatArray
    service_level: FloatArray
    p_wait_within: FloatArray
    avg_wait_s: FloatArray
    occupancy: FloatArray


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffingRequirement:
    """Agents required per interval and the metrics at that agent count.

    Attributes
    ----------
    agents : smallest integer number of agents meeting every target (and the floor).
    service_level, p_abandon, avg_wait_s, occupancy : metrics with ``agents`` agents
        (same conventions as :class:`QueueMetrics`).
    binding : which constraint forced the last agent: ``"service_level"``,
        ``"abandonment"``, ``"occupancy"`` or ``"floor"`` (``min_agents``, including
        intervals with no arrivals).  When several targets fail one agent below the
        requirement, the first in that order is named.
    """

    agents: IntArray
    service_level: FloatArray
    p_abandon: FloatArray
    avg_wait_s: FloatArray
    occupancy: FloatArray
    binding: NDArray[np.str_]


# --------------------------------------------------------------------------- helpers
def _as_float(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _out(x: FloatArray) -> float | FloatArray:
    return float(x) if x.ndim == 0 else x


def _log_poisson_pmf(k: FloatArray, mean: FloatArray) -> FloatArray:
    """log(mean**k exp(-mean) / Gamma(k+1)) for real k >= 0, accurate for huge k."""
    k, mean = np.broadcast_arrays(_as_float(k), _as_float(mean))
    out = np.empty(k.shape)
    small = k < 10
    with np.errstate(divide="ignore", invalid="ignore"):
        ks, ms = k[small], mean[small]
        out[small] = np.where(ks == 0, -ms, ks * np.log(ms) - ms - special.gammaln(ks + 1))
        kb, mb = k[~small], mean[~small]
        d = (mb - kb) / kb
        inv = 1.0 / kb
        inv2 = inv * inv
        corr = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))
        out[~small] = -kb * (d - np.log1p(d)) - 0.5 * np.log(2 * np.pi * kb) - corr
    return out


def _laguerre(scale: FloatArray, excess: Callable[[FloatArray], FloatArray]) -> FloatArray:
    """int_0^inf exp(-scale*s + excess(s)) ds by Gauss-Laguerre (excess is smooth, <= 0)."""
    s = _LAG_X[None, :] / scale[:, None]
    return (np.exp(excess(s)) @ _LAG_W) / scale


def _log_erlang_b(servers: ArrayLike, load: ArrayLike) -> FloatArray:
    """log of the Erlang B blocking probability (elementwise, servers integer >= 0)."""
    n, a = np.broadcast_arrays(_as_float(servers), _as_float(load))
    out = np.zeros(n.shape)
    out[(n > 0) & (a == 0)] = -np.inf
    pos = (n > 0) & (a > 0)
    lp = _log_poisson_pmf(n, a)
    deep = pos & (n < a) & (lp < -_DEEP_LOG)
    reg = pos & ~deep
    with np.errstate(divide="ignore"):
        out[reg] = lp[reg] - np.log(special.gammaincc(n[reg] + 1, a[reg]))
    if deep.any():
        nd, ad = n[deep][:, None], a[deep][:, None]
        inv_b = _laguerre(1 - n[deep] / a[deep], lambda s: nd * (np.log1p(s / ad) - s / ad))
        out[deep] = -np.log(inv_b)
    return out


def _log_f0(a: FloatArray, x: FloatArray) -> FloatArray:
    """log F(a, x), F = sum_q x^q / ((a+1)...(a+q)) = Gamma(a+1) e^x x^-a P(a, x), a > 0.

    Equivalently ``F = int_0^inf exp(-u + x (1 - exp(-u/a))) du``: the total weight of
    the abandonment queue relative to its first state (a = c/theta, x = lambda/theta).
    """
    a, x = np.broadcast_arrays(_as_float(a), _as_float(x))
    out = np.zeros(a.shape)
    pos = x > 0
    lp = _log_poisson_pmf(a, x)
    deep = pos & (x < a) & (lp < -_DEEP_LOG)
    reg = pos & ~deep
    with np.errstate(divide="ignore"):
        out[reg] = np.log(special.gammainc(a[reg], x[reg])) - lp[reg]
    if deep.any():
        ad, xd = a[deep][:, None], x[deep][:, None]
        val = _laguerre(1 - x[deep] / a[deep], lambda s: xd * (-np.expm1(-s / ad) - s / ad))
        out[deep] = np.log(val)
    return out


def _queue_metrics(
    log_free: FloatArray,
    log_edge: FloatArray,
    lam: FloatArray,
    full_rate: FloatArray,
    theta: float,
    t_s: float,
) -> dict[str, FloatArray]:
    """Waiting-time metrics of a birth-death system with an FCFS abandonment queue.

    ``log_free`` is the log total (unnormalised) stationary weight of the states where
    an arrival is served at once, ``log_edge`` the log weight of the first state where
    all capacity is taken.  From there on the total completion rate is ``full_rate``
    (per second) and each waiting contact abandons at rate ``theta`` (0 = never).
    Rows with ``full_rate == 0`` (no agents) are handled; rows with ``lam == 0`` must
    be masked by the caller.
    """
    lam, c = np.broadcast_arrays(_as_float(lam), _as_float(full_rate))
    none = c <= 0
    c = np.where(none, 1.0, c)
    if theta > 0:
        a, x = c / theta, lam / theta
        y0 = np.exp(-theta * t_s)
        ratio = np.log(a / (a + 1))
        g0 = -c * t_s - x * np.expm1(-theta * t_s)
        l_wait = log_edge + _log_f0(a, x)
        log_norm = np.logaddexp(log_free, l_wait)
        p_wait = np.exp(l_wait - log_norm)
        served = np.exp(log_edge + ratio + _log_f0(a + 1, x) - log_norm)
        late = np.exp(log_edge + g0 - theta * t_s + ratio + _log_f0(a + 1, x * y0) - log_norm)
        over_t = np.exp(log_edge + g0 + _log_f0(a, x * y0) - log_norm)  # P(V > T)
        p_ab = np.clip(p_wait - served, 0.0, 1.0)
        sl = np.clip(1.0 - p_wait + served - late, 0.0, 1.0)
        within = 1.0 - over_t * np.exp(-theta * t_s)
        avg_wait = p_ab / theta
        none_vals = (1.0, 1.0, 0.0, -np.expm1(-theta * t_s), 1.0 / theta)
    else:
        stable = lam < c
        with np.errstate(divide="ignore", invalid="ignore"):
            l_wait = log_edge - np.log1p(-np.where(stable, lam / c, 0.0))
            log_norm = np.where(stable, np.logaddexp(log_free, l_wait), np.inf)
            p_wait = np.where(stable, np.exp(l_wait - log_norm), 1.0)
            drift = np.where(stable, c - lam, 0.0)
            sl = np.clip(1.0 - p_wait * np.exp(-drift * t_s), 0.0, 1.0)
            within = sl
            avg_wait = np.where(stable, p_wait / drift, np.inf)
        p_ab = np.zeros_like(p_wait)
        none_vals = (1.0, 0.0, 0.0, 0.0, np.inf)
    out = {
        "p_wait": p_wait,
        "p_abandon": p_ab,
        "service_level": sl,
        "p_wait_within": within,
        "avg_wait_s": avg_wait,
        "log_norm": log_norm,
    }
    for key, val in zip(
        ("p_wait", "p_abandon", "service_level", "p_wait_within", "avg_wait_s"), none_vals, strict=True
    ):
        out[key] = np.where(none, val, out[key])
    return out


def _check_common(handle_time_s: float, answer_within_s: float, patience_s: float | None) -> None:
    if not handle_time_s > 0:
        raise ValueError("handle_time_s must be > 0")
    if not answer_within_s >= 0:
        raise ValueError("answer_within_s must be >= 0")
    if patience_s is not None and not patience_s > 0:
        raise ValueError("patience_s must be > 0 or None (never abandons)")


# ----------------------------------------------------------------------- Erlang B / C
def erlang_b(servers: ArrayLike, load: ArrayLike) -> float | FloatArray:
    """Erlang B blocking probability of an M/M/n/n loss system.

    Parameters
    ----------
    servers : int or array of int
        Number of servers ``n >= 0``.
    load : float or array of float
        Offered load ``A >= 0`` in Erlangs; need not be an integer.

    Returns
    -------
    float or ndarray
        ``B(n, A)``, broadcast over the inputs; equal to the recursion
        ``B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1))``, evaluated in log space, so it is
        finite for thousands of Erlangs and servers (it may underflow to 0 when tiny).
    """
    return _out(np.exp(_log_erlang_b(servers, load)))


def erlang_c(servers: ArrayLike, load: ArrayLike) -> float | FloatArray:
    """Erlang C probability that an arrival waits, ``P(wait > 0)``, in M/M/n.

    Parameters
    ----------
    servers : int or array of int
        Number of agents ``n``.
    load : float or array of float
        Offered load ``A`` in Erlangs.

    Returns
    -------
    float or ndarray
        ``C = n B / (n - A (1 - B))`` for ``n > A``; 1 when ``n <= A`` (unstable queue)
        and 0 when ``A == 0``.
    """
    n, a = np.broadcast_arrays(_as_float(servers), _as_float(load))
    b = np.exp(_log_erlang_b(n, a))
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(n > a, n * b / (n - a + a * b), 1.0)
    return _out(np.where(a == 0, 0.0, c))


def erlang_c_service_level(
    servers: ArrayLike, load: ArrayLike, *, handle_time_s: float, answer_within_s: float
) -> float | FloatArray:
    """Erlang C service level ``P(wait <= T) = 1 - C exp(-(n - A) T / AHT)``.

    Parameters
    ----------
    servers, load : agents and offered load (Erlangs), broadcast together.
    handle_time_s : mean handle time (AHT) in seconds.
    answer_within_s : threshold ``T`` in seconds.

    Returns
    -------
    float or ndarray
        Service level in [0, 1]; 0 when ``n <= A``.
    """
    n, a = np.broadcast_arrays(_as_float(servers), _as_float(load))
    c = _as_float(erlang_c(n, a))
    sl = 1.0 - c * np.exp(-np.maximum(n - a, 0.0) * answer_within_s / handle_time_s)
    return _out(np.where((n <= a) & (a > 0), 0.0, sl))


def erlang_c_asa_s(servers: ArrayLike, load: ArrayLike, *, handle_time_s: float) -> float | FloatArray:
    """Erlang C average speed of answer ``C AHT / (n - A)`` in seconds (inf if unstable).

    Parameters
    ----------
    servers, load : agents and offered load (Erlangs), broadcast together.
    handle_time_s : mean handle time (AHT) in seconds.

    Returns
    -------
    float or ndarray
        Mean wait over all arrivals, seconds.
    """
    n, a = np.broadcast_arrays(_as_float(servers), _as_float(load))
    c = _as_float(erlang_c(n, a))
    with np.errstate(divide="ignore", invalid="ignore"):
        asa = np.where(n > a, c * handle_time_s / (n - a), np.inf)
    return _out(np.where(a == 0, 0.0, asa))


def occupancy(servers: ArrayLike, load: ArrayLike) -> float | FloatArray:
    """Erlang C occupancy ``A / n``, capped at 1 (and 0 when ``n == 0``).

    Parameters
    ----------
    servers, load : agents and offered load (Erlangs), broadcast together.

    Returns
    -------
    float or ndarray
        Share of agent time spent handling contacts.
    """
    n, a = np.broadcast_arrays(_as_float(servers), _as_float(load))
    with np.errstate(divide="ignore", invalid="ignore"):
        return _out(np.where(n > 0, np.minimum(a / n, 1.0), 0.0))


# --------------------------------------------------------------------------- Erlang A
def erlang_a(
    servers: ArrayLike,
    arrival_rate_per_s: ArrayLike,
    *,
    handle_time_s: float,
    answer_within_s: float,
    patience_s: float | None,
) -> QueueMetrics:
    """Exact steady-state metrics of Erlang A (M/M/n+M); Erlang C when patience is None.

    Callers wait FCFS and hang up after an exponential patience with mean
    ``patience_s``.  See the module docstring for the service-level conventions: the
    default ``service_level`` is P(answered within T) over all offered calls, so every
    abandoned call counts against it.

    Parameters
    ----------
    servers : int or array of int
        Agents on the line ``n >= 0``.
    arrival_rate_per_s : float or array
        Poisson arrival rate per second, broadcast against ``servers``.
    handle_time_s : float
        Mean (exponential) handle time in seconds.
    answer_within_s : float
        Service-level threshold ``T`` in seconds.
    patience_s : float or None
        Mean patience in seconds; ``None`` means callers never hang up (Erlang C, and
        then the metrics of an overloaded queue, ``n <= A``, are those of saturation:
        ``p_wait = 1``, ``service_level = 0``, ``avg_wait_s = inf``).

    Returns
    -------
    QueueMetrics
        Arrays with the broadcast shape of the inputs.  ``occupancy`` is the carried
        load ``A (1 - p_abandon)`` per agent.
    """
    _check_common(handle_time_s, answer_within_s, patience_s)
    n, lam = np.broadcast_arrays(_as_float(servers), _as_float(arrival_rate_per_s))
    if np.any(n < 0) or np.any(lam < 0) or not np.all(np.isfinite(lam)):
        raise ValueError("servers and arrival rates must be finite and >= 0")
    load = lam * handle_time_s
    log_b = _log_erlang_b(n, load)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_free = np.log1p(-np.exp(log_b)) - log_b
    theta = 0.0 if patience_s is None else 1.0 / patience_s
    quiet = lam == 0
    m = _queue_metrics(
        np.where(quiet, 0.0, log_free), np.zeros(n.shape), lam, n / handle_time_s, theta, answer_within_s
    )
    p_ab = np.where(quiet, 0.0, m["p_abandon"])
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(load * (1.0 - p_ab) / n, 1.0), 0.0)
    return QueueMetrics(
        p_wait=np.where(quiet, 0.0, m["p_wait"]),
        p_abandon=p_ab,
        service_level=np.where(quiet, 1.0, m["service_level"]),
        p_wait_within=np.where(quiet, 1.0, m["p_wait_within"]),
        avg_wait_s=np.where(quiet, 0.0, m["avg_wait_s"]),
        occupancy=occ,
    )


# ------------------------------------------------------------------ required agents
def _check_targets(service_level: float, max_abandon_rate: float | None, max_occupancy: float | None) -> None:
    if not 0 <= service_level < 1:
        raise ValueError("service_level must be in [0, 1)")
    if max_abandon_rate is not None and not 0 < max_abandon_rate <= 1:
        raise ValueError("max_abandon_rate must be in (0, 1] or None")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise ValueError("max_occupancy must be in (0, 1] or None")


def _rates(arrival_rate_per_s: ArrayLike) -> FloatArray:
    lam = _as_float(arrival_rate_per_s)
    if not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("arrival rates must be finite and >= 0")
    return lam.ravel()


def _failures(m: QueueMetrics, sl: float, ab: float | None, occ: float | None) -> NDArray[np.bool_]:
    """(3, len) array: service level, abandonment, occupancy target missed."""
    return np.stack(
        [
            m.service_level < sl - TOL,
            m.p_abandon > (np.inf if ab is None else ab + TOL),
            m.occupancy > (np.inf if occ is None else occ + TOL),
        ]
    )


def _smallest_feasible(ok: Callable[[IntArray, IntArray], NDArray[np.bool_]], lb: IntArray) -> IntArray:
    """Smallest ``n >= lb`` with ``ok(n, rows)`` true, for a predicate monotone in ``n``.

    ``lb`` must be a valid lower bound (nothing below it is feasible).  Gallops upward
    from ``lb`` in steps of about ``sqrt(lb)`` (doubling), then bisects down to ``lb``.
    """
    step = np.maximum(np.ceil(np.sqrt(lb)).astype(np.int64), 1)
    lo, hi = lb - 1, lb + step  # lb itself is rarely feasible: probe above it first
    rows = np.arange(lb.size)
    while rows.size:
        bad = ~ok(hi[rows], rows)
        rows = rows[bad]
        lo[rows] = hi[rows]
        hi[rows] += step[rows]
        step[rows] *= 2
        if np.any(hi[rows] > _MAX_AGENTS):
            raise ValueError("targets need more than 10 million agents; check the inputs")
    rows = np.flatnonzero(hi - lo > 1)
    while rows.size:
        mid = (lo[rows] + hi[rows]) // 2
        good = ok(mid, rows)
        hi[rows[good]] = mid[good]
        lo[rows[~good]] = mid[~good]
        rows = rows[hi[rows] - lo[rows] > 1]
    return hi


def _finish(
    need: IntArray,
    reason: NDArray[np.str_],
    min_agents: ArrayLike,
    shape: tuple[int, ...],
    metrics: Callable[[IntArray], QueueMetrics],
) -> StaffingRequirement:
    floor = np.broadcast_to(np.asarray(min_agents, dtype=np.int64), need.shape)
    if np.any(floor < 0):
        raise ValueError("min_agents must be >= 0")
    agents = np.maximum(need, floor)
    binding = np.where((floor > need) | (need == 0), "floor", reason)
    m = metrics(agents)
    return StaffingRequirement(
        agents=agents.reshape(shape),
        service_level=m.service_level.reshape(shape),
        p_abandon=m.p_abandon.reshape(shape),
        avg_wait_s=m.avg_wait_s.reshape(shape),
        occupancy=m.occupancy.reshape(shape),
        binding=binding.astype("<U13").reshape(shape),
    )


def _erlang_c_need(load: FloatArray, sl: float, t_over_aht: float) -> IntArray:
    """Smallest n > A with Erlang C service level >= sl: recursion over all rows at once.

    Starts every row at the stability bound ``floor(A) + 1`` with the closed form of
    Erlang B, then steps ``B(n) = A B(n-1) / (n + A B(n-1))`` upward, retiring each row
    at its first agent count that meets the target.
    """
    need = np.zeros(load.size, dtype=np.int64)
    rows = np.flatnonzero(load > 0)
    a = load[rows]
    n = np.floor(a) + 1.0
    b = np.exp(_log_erlang_b(n, a))
    while rows.size:
        c = n * b / (n - a + a * b)
        good = 1.0 - c * np.exp(-(n - a) * t_over_aht) >= sl - TOL
        need[rows[good]] = n[good].astype(np.int64)
        keep = ~good
        rows, a, b, n = rows[keep], a[keep], b[keep], n[keep] + 1.0
        b = a * b / (n + a * b)
    return need


def required_agents_voice(
    arrival_rate_per_s: ArrayLike,
    *,
    handle_time_s: float,
    service_level: float,
    answer_within_s: float,
    patience_s: float | None = None,
    max_abandon_rate: float | None = None,
    max_occupancy: float | None = None,
    min_agents: ArrayLike = 0,
) -> StaffingRequirement:
    """Smallest number of voice agents per interval meeting every target.

    Erlang C when ``patience_s`` is None (then the queue must be stable, ``n > A``, and
    ``max_abandon_rate`` is trivially met), otherwise Erlang A.  Searches upward from a
    provable lower bound, never from ``round(A + 1)``: ``floor(A) + 1`` for Erlang C;
    for Erlang A ``A max(SL, 1 - max_abandon) / max_occupancy`` (the carried load
    ``A (1 - P(abandon)) >= A SL`` must fit in ``n max_occupancy``), and at least one
    agent when calls arrive.  The metrics are monotone in ``n``, so the result is the
    smallest feasible integer.

    Parameters
    ----------
    arrival_rate_per_s : array_like
        Poisson arrival rate per interval (calls per second), any shape; 0 gives 0
        agents before the floor.
    handle_time_s : float
        Mean handle time (AHT) in seconds.
    service_level : float
        Target share answered within ``answer_within_s``, in [0, 1) (conservative
        convention under abandonment, see the module docstring).
    answer_within_s : float
        Service-level threshold in seconds.
    patience_s : float or None
        Mean patience in seconds; None for Erlang C.
    max_abandon_rate : float or None
        Highest acceptable P(abandon).
    max_occupancy : float or None
        Highest acceptable occupancy (carried load per agent).
    min_agents : int or array_like of int
        Floor per interval, broadcast against the arrivals.

    Returns
    -------
    StaffingRequirement
        Arrays with the shape of ``arrival_rate_per_s``.
    """
    _check_common(handle_time_s, answer_within_s, patience_s)
    _check_targets(service_level, max_abandon_rate, max_occupancy)
    shape = np.shape(arrival_rate_per_s)
    lam = _rates(arrival_rate_per_s)
    load = lam * handle_time_s
    floor = np.broadcast_to(np.asarray(min_agents, dtype=np.int64), shape).ravel()

    def metrics(n: IntArray, rows: IntArray | None = None) -> QueueMetrics:
        return erlang_a(
            n,
            lam if rows is None else lam[rows],
            handle_time_s=handle_time_s,
            answer_within_s=answer_within_s,
            patience_s=patience_s,
        )

    occ = 1.0 if max_occupancy is None else max_occupancy
    if patience_s is None:
        need_sl = _erlang_c_need(load, service_level, answer_within_s / handle_time_s)
        need_occ = np.ceil(load / occ).astype(np.int64)
        need_occ += load / np.maximum(need_occ, 1) > occ + TOL
        need_occ -= (need_occ > 1) & (load / np.maximum(need_occ - 1, 1) <= occ + TOL)
        need = np.maximum(need_sl, need_occ)
        reason = np.where(need_sl >= need_occ, "service_level", "occupancy")
    else:
        share = max(service_level, 0.0 if max_abandon_rate is None else 1 - max_abandon_rate)
        lb = np.floor(load * share / occ * (1 - 1e-9)).astype(np.int64)
        lb = np.where(lam > 0, np.maximum(lb, 1), 0)

        def ok(n: IntArray, rows: IntArray) -> NDArray[np.bool_]:
            return ~_failures(metrics(n, rows), service_level, max_abandon_rate, max_occupancy).any(axis=0)

        need = _smallest_feasible(ok, lb)
        reason = _binding_below(
            need, lambda n, rows: _failures(metrics(n, rows), service_level, max_abandon_rate, max_occupancy)
        )
    return _finish(need, reason, floor, shape, metrics)


def _binding_below(need: IntArray, fails: Callable[[IntArray, IntArray], NDArray[np.bool_]]) -> NDArray[np.str_]:
    """Name the first target missed with one agent fewer than ``need``."""
    reason = np.full(need.size, "service_level", dtype="<U13")
    rows = np.flatnonzero(need > 0)
    if rows.size:
        f = fails(need[rows] - 1, rows)
        names = np.array(["service_level", "abandonment", "occupancy"])
        first = np.where(f.any(axis=0), np.argmax(f, axis=0), 0)
        reason[rows] = names[first]
    return reason
