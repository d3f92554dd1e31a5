"""Tests for staffing.queueing (voice) and staffing.queueing_chat (chat LPS)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg, special

from staffing.queueing import (
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_asa_s,
    erlang_c_service_level,
    occupancy,
    required_agents_voice,
)
from staffing.queueing_chat import (
    chat_as_servers,
    chat_metrics,
    default_chat_handle_times,
    required_agents_chat,
)

FAST = settings(max_examples=30)


# ------------------------------------------------------------------ reference helpers
def erlang_b_recursion(n: int, load: float) -> float:
    """Textbook recursion B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1))."""
    b = 1.0
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c_exact(n: int, load: int) -> float:
    """Erlang C from its defining sums, in exact rational arithmetic (integer load)."""
    a = Fraction(load)
    top = a**n / math.factorial(n) * n / (n - a)
    return float(top / (sum(a**k / Fraction(math.factorial(k)) for k in range(n)) + top))


def erlang_a_chain(n: int, lam: float, aht: float, patience: float, t: float) -> dict:
    """Erlang A from the truncated birth-death chain, state by state (no closed forms).

    The waiting time of an arrival that finds q callers queued is a sum of exponential
    stages with rates n/aht + i/patience; P(answered within t) for that arrival is
    computed with a matrix exponential of its own absorbing chain.
    """
    mu, th = 1.0 / aht, 1.0 / patience
    states = n + 400
    logw = np.zeros(states)
    for k in range(1, states):
        logw[k] = logw[k - 1] + math.log(lam / (min(k, n) * mu + max(k - n, 0) * th))
    p = np.exp(logw - logw.max())
    p /= p.sum()
    qmax = 60  # queue lengths with non-negligible probability in the cases below
    assert p[n + qmax :].sum() < 1e-12
    gen = np.zeros((qmax + 3, qmax + 3))  # states: q ahead = 0..qmax, served, abandoned
    served, gone = qmax + 1, qmax + 2
    for q in range(qmax + 1):
        gen[q, q - 1 if q else served] = n * mu + q * th
        gen[q, gone] = th
        gen[q, q] = -(n * mu + (q + 1) * th)
    trans = linalg.expm(gen * t)
    p_queue = p[n : n + qmax + 1]
    # answered eventually: progress beats own abandonment at every stage
    p_served = np.array(
        [math.prod((n * mu + i * th) / (n * mu + (i + 1) * th) for i in range(q + 1)) for q in range(qmax + 1)]
    )
    pw = p[n:].sum()
    return {
        "p_wait": pw,
        "p_abandon": pw - p_queue @ p_served,
        "service_level": 1 - pw + p_queue @ trans[: qmax + 1, served],
    }


def lps_chain(n: int, lam: float, h: tuple[float, ...], patience: float) -> dict:
    """P(wait), P(abandon) of the chat model from its chain, with explicit agent counts."""
    k = len(h)
    rates = []
    for m in range(1, n * k + 400):
        held = [m // n + (1 if i < m % n else 0) for i in range(n)] if m <= n * k else [k] * n
        rates.append(sum(j / h[j - 1] for j in held if j) + max(m - n * k, 0) / patience)
    w = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(rates))])
    p = np.exp(w - w.max())
    p /= p.sum()
    m = np.arange(p.size)
    return {"p_wait": p[n * k :].sum(), "p_abandon": (np.maximum(m - n * k, 0) @ p) / patience / lam}


# ------------------------------------------------------------------------- Erlang B
def test_erlang_b_table_values() -> None:
    # Standard Erlang B (blocked-calls-cleared) tables, e.g. the table in ITU-T
    # "Teletraffic Engineering Handbook" (Iversen), and every printed Erlang B table:
    # 1 % grade of service: 10 lines carry 4.46 E, 11 lines 5.16 E, 100 lines 84.06 E;
    # 2 %: 10 lines carry 5.08 E.  Tables round the load to 0.01 E.
    for lines, erlangs, gos in ((10, 4.46, 0.01), (11, 5.16, 0.01), (100, 84.06, 0.01), (10, 5.08, 0.02)):
        assert erlang_b(lines, erlangs) == pytest.approx(gos, abs=1e-4)
        assert erlang_b(lines, erlangs - 0.01) < gos < erlang_b(lines, erlangs + 0.01)
    # By hand: B(1, 1) = 1/2, B(2, 2) = 2 / (1 + 2 + 2) = 0.4.
    assert erlang_b(1, 1.0) == pytest.approx(0.5, rel=1e-14)
    assert erlang_b(2, 2.0) == pytest.approx(0.4, rel=1e-14)
    # Commonly quoted values, checked against the recursion.
    assert erlang_b(10, 5.0) == pytest.approx(0.01838457034, rel=1e-9)
    assert erlang_b(100, 80.0) == pytest.approx(0.0039920286, rel=1e-8)


@pytest.mark.parametrize(
    ("n", "load"),
    [
        (0, 3.0),
        (1, 0.5),
        (7, 0.001),
        (50, 80.3),
        (200, 5000.0),
        (3000, 5000.5),
        (4500, 5000.0),
        (5000, 5000.0),
        (5100, 4999.9),
        (10000, 5000.0),
        (9000, 9500.25),
    ],
)
def test_erlang_b_matches_recursion(n: int, load: float) -> None:
    ref = erlang_b_recursion(n, load)
    assert erlang_b(n, load) == pytest.approx(ref, rel=1e-9, abs=1e-300)


def test_erlang_b_vectorised_large() -> None:
    loads = np.linspace(0.0, 6000.0, 301)
    servers = np.arange(0, 10001, 2000)[:, None]
    b = erlang_b(servers, loads)
    assert b.shape == (6, 301)
    assert np.all(np.isfinite(b)) and np.all((b >= 0) & (b <= 1))
    assert np.all(np.diff(b, axis=0) <= 0)  # more servers, less blocking
    assert np.all(np.diff(b[1:], axis=1) >= 0)  # more load, more blocking


# ------------------------------------------------------------------------- Erlang C
def test_erlang_c_classic_example() -> None:
    # Classic worked example (e.g. callcentrehelper.com "Erlang C formula - made simple"):
    # 100 calls per 30 min, AHT 180 s -> A = 10 E; 80 % answered within 20 s needs 14
    # agents.  Values checked against exact rational arithmetic (erlang_c_exact).
    assert erlang_c(14, 10.0) == pytest.approx(0.1741319336, rel=1e-9)
    assert erlang_c(14, 10.0) == pytest.approx(erlang_c_exact(14, 10), rel=1e-12)
    assert erlang_c(13, 10.0) == pytest.approx(erlang_c_exact(13, 10), rel=1e-12)
    sl = erlang_c_service_level([13, 14], 10.0, handle_time_s=180, answer_within_s=20)
    assert sl == pytest.approx([0.795594788, 0.888350019], rel=1e-8)
    assert erlang_c_asa_s(14, 10.0, handle_time_s=180) == pytest.approx(7.8359370, rel=1e-7)
    assert occupancy(14, 10.0) == pytest.approx(10 / 14)
    res = required_agents_voice(np.array([100 / 1800]), handle_time_s=180, service_level=0.8, answer_within_s=20)
    assert res.agents.tolist() == [14]
    assert res.binding.tolist() == ["service_level"]
    assert res.service_level[0] == pytest.approx(0.888350019, rel=1e-8)


def test_erlang_c_unstable_and_zero() -> None:
    assert erlang_c(10, 10.0) == 1.0 and erlang_c(3, 7.5) == 1.0
    assert erlang_c(5, 0.0) == 0.0
    assert erlang_c_service_level(10, 10.0, handle_time_s=60, answer_within_s=20) == 0.0
    assert erlang_c_asa_s(9, 10.0, handle_time_s=60) == math.inf


def test_no_overflow_at_5000_erlangs() -> None:
    n = np.array([4990, 5001, 5050, 5100, 5200, 10000])
    for value in (erlang_c(n, 5000.0), erlang_c_service_level(n, 5000.0, handle_time_s=300, answer_within_s=20)):
        assert np.all(np.isfinite(value))
    m = erlang_a(n, 5000 / 300, handle_time_s=300, answer_within_s=20, patience_s=90)
    for value in (m.p_wait, m.p_abandon, m.service_level, m.avg_wait_s, m.occupancy):
        assert np.all(np.isfinite(value))
    lam = np.array([5000 / 300, 5123.4 / 300, 0.5 / 300])
    for patience in (None, 90.0, 1e7):
        res = required_agents_voice(lam, handle_time_s=300, service_level=0.8, answer_within_s=20, patience_s=patience)
        assert np.all(np.isfinite(res.service_level)) and np.all(res.agents >= 1)
    assert 5000 < res.agents[0] < 5100


def test_non_integer_load() -> None:
    lam = np.array([10.37 / 180])
    res = required_agents_voice(lam, handle_time_s=180, service_level=0.8, answer_within_s=20)
    n = int(res.agents[0])
    sl = erlang_c_service_level([n - 1, n], 10.37, handle_time_s=180, answer_within_s=20)
    assert sl[0] < 0.8 <= sl[1]


# ------------------------------------------------------------------------- Erlang A
@pytest.mark.parametrize(
    ("n", "lam", "aht", "patience", "t"),
    [(10, 9.5 / 180, 180, 120, 20), (3, 0.05, 60, 30, 10), (20, 30 / 180, 180, 60, 20), (8, 4 / 300, 300, 600, 30)],
)
def test_erlang_a_matches_chain(n: int, lam: float, aht: float, patience: float, t: float) -> None:
    ref = erlang_a_chain(n, lam, aht, patience, t)
    m = erlang_a(n, lam, handle_time_s=aht, answer_within_s=t, patience_s=patience)
    for key, value in ref.items():
        assert float(getattr(m, key)) == pytest.approx(value, abs=1e-9), key
    assert float(m.avg_wait_s) == pytest.approx(ref["p_abandon"] * patience, abs=1e-7)
    assert float(m.occupancy) == pytest.approx(lam * aht * (1 - ref["p_abandon"]) / n)


def test_erlang_a_large_n_stable() -> None:
    m = erlang_a(np.array([900, 1000, 1100]), 1000 / 300, handle_time_s=300, answer_within_s=20, patience_s=60)
    assert np.all(np.diff(m.service_level) > 0) and np.all(np.diff(m.p_abandon) < 0)
    assert 0 < m.p_abandon[1] < 0.05 and m.p_abandon[0] == pytest.approx(0.1, abs=0.01)


def test_erlang_a_reduces_to_erlang_c() -> None:
    n = np.array([11, 12, 14, 20])
    c = erlang_a(n, 10 / 180, handle_time_s=180, answer_within_s=20, patience_s=None)
    assert c.p_wait == pytest.approx(erlang_c(n, 10.0), rel=1e-12)
    assert c.service_level == pytest.approx(
        erlang_c_service_level(n, 10.0, handle_time_s=180, answer_within_s=20), rel=1e-12
    )
    assert c.avg_wait_s == pytest.approx(erlang_c_asa_s(n, 10.0, handle_time_s=180), rel=1e-12)
    gaps = []
    for patience in (1e3, 1e4, 1e6, 1e8):
        a = erlang_a(n, 10 / 180, handle_time_s=180, answer_within_s=20, patience_s=patience)
        gaps.append(
            [
                np.max(np.abs(getattr(a, key) - getattr(c, key)) / getattr(c, key))
                for key in ("p_wait", "service_level", "avg_wait_s")
            ]
        )
    gaps = np.array(gaps)
    assert np.all(np.diff(gaps, axis=0) < 0) and np.all(gaps[-1] < 1e-4)
    assert np.allclose(gaps[2] / gaps[3], 100, rtol=0.05)  # error shrinks like 1/patience


def test_erlang_a_conventions() -> None:
    m = erlang_a(10, 10 / 180, handle_time_s=180, answer_within_s=20, patience_s=60)
    assert m.service_level <= 1 - m.p_abandon  # abandons never count as answered
    assert m.p_wait_within >= m.service_level  # lenient reading counts early abandons
    zero = erlang_a(0, 0.1, handle_time_s=180, answer_within_s=20, patience_s=60)
    assert (zero.p_abandon, zero.service_level, zero.avg_wait_s) == (1.0, 0.0, 60.0)
    quiet = erlang_a(3, 0.0, handle_time_s=180, answer_within_s=20, patience_s=60)
    assert (quiet.p_wait, quiet.service_level, quiet.occupancy) == (0.0, 1.0, 0.0)


@FAST
@given(
    load=st.floats(0.05, 300),
    patience=st.sampled_from([None, 30.0, 200.0, 3000.0]),
    t=st.sampled_from([0.0, 10.0, 60.0]),
)
def test_erlang_a_monotone_in_agents(load: float, patience: float | None, t: float) -> None:
    n = np.arange(max(0, int(load) - 30), int(load) + 60)
    m = erlang_a(n, load / 240, handle_time_s=240, answer_within_s=t, patience_s=patience)
    assert np.all(np.diff(m.service_level) >= -1e-12)
    assert np.all(np.diff(m.p_abandon) <= 1e-12)
    assert np.all(np.diff(m.occupancy[n > 0]) <= 1e-12)


# ---------------------------------------------------------------------- required agents
def scan_voice(lam: float, **kw) -> int:
    """Reference: first agent count meeting every target, scanning upward from 0."""
    for n in range(0, 10_000):
        m = erlang_a(
            n,
            lam,
            handle_time_s=kw["handle_time_s"],
            answer_within_s=kw["answer_within_s"],
            patience_s=kw["patience_s"],
        )
        if lam > 0 and n == 0:
            continue
        if (
            m.service_level >= kw["service_level"] - 1e-12
            and (kw["max_abandon_rate"] is None or m.p_abandon <= kw["max_abandon_rate"])
            and (kw["max_occupancy"] is None or m.occupancy <= kw["max_occupancy"])
            and (kw["patience_s"] is not None or n > lam * kw["handle_time_s"] or lam == 0)
        ):
            return n
    raise AssertionError


@FAST
@given(
    load=st.floats(0.0, 60.0),
    sl=st.floats(0.0, 0.99),
    t=st.sampled_from([0.0, 15.0, 60.0]),
    patience=st.sampled_from([None, 20.0, 180.0, 900.0]),
    ab=st.sampled_from([None, 0.02, 0.1]),
    occ=st.sampled_from([None, 0.7, 0.9]),
)
def test_required_voice_is_smallest(load, sl, t, patience, ab, occ) -> None:
    kw = dict(
        handle_time_s=200.0,
        service_level=sl,
        answer_within_s=t,
        patience_s=patience,
        max_abandon_rate=ab,
        max_occupancy=occ,
    )
    res = required_agents_voice(np.array([load / 200]), **kw)
    assert int(res.agents[0]) == scan_voice(load / 200, **kw)


@FAST
@given(
    loads=st.lists(st.floats(0.0, 400.0), min_size=2, max_size=6),
    sl=st.floats(0.05, 0.95),
    patience=st.sampled_from([None, 60.0, 600.0]),
)
def test_required_voice_monotone(loads, sl, patience) -> None:
    lam = np.sort(np.array(loads)) / 300
    kw = dict(handle_time_s=300.0, answer_within_s=20.0, patience_s=patience)
    base = required_agents_voice(lam, service_level=sl, **kw).agents
    assert np.all(np.diff(base) >= 0)  # more load, never fewer agents
    stricter = required_agents_voice(lam, service_level=min(sl + 0.04, 0.99), **kw).agents
    assert np.all(stricter >= base)
    if patience is not None:
        loose = required_agents_voice(lam, service_level=0.0, max_abandon_rate=0.1, **kw)
        tight = required_agents_voice(lam, service_level=0.0, max_abandon_rate=0.02, **kw)
        assert np.all(tight.agents >= loose.agents)


@FAST
@given(sl=st.floats(0.0, 0.95), load=st.floats(1.0, 200.0))
def test_service_level_increases_with_agents(sl: float, load: float) -> None:
    n = np.arange(int(load) + 1, int(load) + 80)
    s = erlang_c_service_level(n, load, handle_time_s=200, answer_within_s=20)
    assert np.all(np.diff(s) >= 0)


def test_required_voice_bindings_and_floor() -> None:
    lam = np.array([0.0, 0.0, 10 / 180, 10 / 180])
    res = required_agents_voice(
        lam, handle_time_s=180, service_level=0.8, answer_within_s=20, min_agents=np.array([0, 2, 0, 20])
    )
    assert res.agents.tolist() == [0, 2, 14, 20]
    assert res.binding.tolist() == ["floor", "floor", "service_level", "floor"]
    assert res.service_level[0] == 1.0 and res.occupancy[1] == 0.0
    occ = required_agents_voice(lam[2:3], handle_time_s=180, service_level=0.5, answer_within_s=20, max_occupancy=0.6)
    assert occ.agents.tolist() == [17] and occ.binding.tolist() == ["occupancy"]
    ab = required_agents_voice(
        lam[2:3], handle_time_s=180, service_level=0.5, answer_within_s=20, patience_s=30, max_abandon_rate=0.01
    )
    assert ab.binding.tolist() == ["abandonment"] and ab.p_abandon[0] <= 0.01
    fewer = erlang_a(ab.agents - 1, lam[2], handle_time_s=180, answer_within_s=20, patience_s=30)
    assert fewer.p_abandon[0] > 0.01
    shaped = required_agents_voice(np.full((2, 3), 0.05), handle_time_s=180, service_level=0.8, answer_within_s=20)
    assert shaped.agents.shape == (2, 3) and shaped.binding.shape == (2, 3)


def test_required_voice_input_errors() -> None:
    with pytest.raises(ValueError):
        required_agents_voice(np.array([-1.0]), handle_time_s=180, service_level=0.8, answer_within_s=20)
    with pytest.raises(ValueError):
        required_agents_voice(np.array([1.0]), handle_time_s=180, service_level=1.0, answer_within_s=20)
    with pytest.raises(ValueError):
        required_agents_voice(np.array([1.0]), handle_time_s=0, service_level=0.8, answer_within_s=20)


# ---------------------------------------------------------------------------- chat
def test_default_chat_handle_times() -> None:
    assert default_chat_handle_times(400, 3) == (400.0, 500.0, 600.0)
    assert default_chat_handle_times(400, 2, slowdown=0.5) == (400.0, 600.0)


@FAST
@given(
    n=st.integers(0, 40),
    load=st.floats(0.0, 45.0),
    patience=st.sampled_from([None, 30.0, 300.0]),
    t=st.sampled_from([0.0, 20.0, 90.0]),
)
def test_chat_k1_equals_erlang_a(n: int, load: float, patience, t: float) -> None:
    lam = load / 240
    c = chat_metrics(n, lam, handle_time_by_concurrency_s=(240.0,), answer_within_s=t, patience_s=patience)
    a = erlang_a(n, lam, handle_time_s=240, answer_within_s=t, patience_s=patience)
    for key in ("p_wait", "p_abandon", "service_level", "p_wait_within", "avg_wait_s", "occupancy"):
        assert np.allclose(getattr(c, key), getattr(a, key), rtol=1e-9, atol=1e-10), key


@pytest.mark.parametrize(("n", "lam"), [(1, 0.004), (3, 0.02), (6, 0.05), (25, 0.15)])
def test_chat_matches_explicit_chain(n: int, lam: float) -> None:
    h = (300.0, 420.0, 600.0)
    ref = lps_chain(n, lam, h, 150.0)
    c = chat_metrics(n, lam, handle_time_by_concurrency_s=h, answer_within_s=30, patience_s=150.0)
    assert float(c.p_wait) == pytest.approx(ref["p_wait"], abs=1e-10)
    assert float(c.p_abandon) == pytest.approx(ref["p_abandon"], abs=1e-10)


def test_chat_as_servers_is_optimistic() -> None:
    h = default_chat_handle_times(300, 3)
    kw = dict(handle_time_by_concurrency_s=h, answer_within_s=60, patience_s=120.0)
    lps = chat_metrics(np.arange(1, 12), 0.03, **kw)
    servers = chat_as_servers(np.arange(1, 12), 0.03, **kw)
    assert np.all(servers.service_level >= lps.service_level - 1e-12)
    assert np.all(lps.busy_fraction >= lps.occupancy - 1e-12)
    same = chat_as_servers(4, 0.03, handle_time_by_concurrency_s=(300.0,) * 3, answer_within_s=60, patience_s=120.0)
    eq = chat_metrics(4, 0.03, handle_time_by_concurrency_s=(300.0,) * 3, answer_within_s=60, patience_s=120.0)
    assert float(same.service_level) == pytest.approx(float(eq.service_level), abs=1e-6)


def scan_chat(lam: float, **kw) -> int:
    for n in range(1 if lam > 0 else 0, 10_000):
        m = chat_metrics(
            n,
            lam,
            handle_time_by_concurrency_s=kw["handle_time_by_concurrency_s"],
            answer_within_s=kw["answer_within_s"],
            patience_s=kw["patience_s"],
        )
        if (
            m.service_level >= kw["service_level"] - 1e-12
            and (kw["max_abandon_rate"] is None or m.p_abandon <= kw["max_abandon_rate"])
            and (kw["max_occupancy"] is None or m.occupancy <= kw["max_occupancy"])
            and m.avg_wait_s < np.inf
        ):
            return n
    raise AssertionError


@FAST
@given(
    lam=st.floats(0.0, 0.2),
    k=st.integers(1, 4),
    sl=st.floats(0.0, 0.95),
    patience=st.sampled_from([None, 60.0, 600.0]),
    ab=st.sampled_from([None, 0.05]),
    occ=st.sampled_from([None, 0.8]),
)
def test_required_chat_is_smallest(lam, k, sl, patience, ab, occ) -> None:
    kw = dict(
        handle_time_by_concurrency_s=default_chat_handle_times(300, k),
        service_level=sl,
        answer_within_s=45.0,
        patience_s=patience,
        max_abandon_rate=ab,
        max_occupancy=occ,
    )
    res = required_agents_chat(np.array([lam]), **kw)
    assert int(res.agents[0]) == scan_chat(lam, **kw)


@FAST
@given(lams=st.lists(st.floats(0.0, 0.5), min_size=2, max_size=5), sl=st.floats(0.1, 0.9))
def test_required_chat_monotone(lams, sl) -> None:
    lam = np.sort(np.array(lams))
    kw = dict(
        handle_time_by_concurrency_s=default_chat_handle_times(480, 3),
        answer_within_s=60,
        patience_s=240.0,
        max_abandon_rate=None,
    )
    base = required_agents_chat(lam, service_level=sl, **kw)
    assert np.all(np.diff(base.agents) >= 0)
    assert np.all(required_agents_chat(lam, service_level=sl + 0.05, **kw).agents >= base.agents)


def test_required_chat_floor_and_binding() -> None:
    res = required_agents_chat(
        np.array([0.0, 0.02, 0.02]),
        handle_time_by_concurrency_s=default_chat_handle_times(300, 3),
        service_level=0.8,
        answer_within_s=60,
        patience_s=120.0,
        max_abandon_rate=0.05,
        min_agents=[0, 0, 50],
    )
    assert res.agents[0] == 0 and res.binding[0] == "floor"
    assert res.binding[1] in ("service_level", "abandonment") and res.service_level[1] >= 0.8
    assert res.agents[2] == 50 and res.binding[2] == "floor"


# ------------------------------------------------------------------ simulation check
def simulate(
    n: int,
    lam: float,
    h: tuple[float, ...],
    patience: float,
    t_ans: float,
    arrivals: int,
    warmup: int,
    rng: np.random.Generator,
) -> tuple[float, ...]:
    """Discrete-event simulation of agents holding up to k chats (k = 1: voice).

    Each agent's chats complete at rate 1/h_j each while it holds j; new contacts go to
    the least-loaded agent, a completion with an empty queue hands a chat over from the
    busiest agent when the spread exceeds one (even spread), waiting contacts are served
    FCFS and abandon after exponential patience.  Returns SL, P(abandon), P(wait) and
    mean wait over the arrivals after ``warmup``.
    """
    k = len(h)
    g = [0.0] + [j / h[j - 1] for j in range(1, k + 1)]
    counts = [0] * n
    queue: list[tuple[float, bool]] = []
    exps, unis = rng.standard_exponential(20 * arrivals), rng.random(20 * arrivals)
    i = arrived = in_service = 0
    now = 0.0
    met = abandoned = waited = 0
    total_wait = 0.0
    pending = 0  # counted contacts still in the queue
    while arrived < arrivals or pending:
        arr_rate = lam if arrived < arrivals else 0.0
        svc = sum(g[c] for c in counts)
        total = arr_rate + svc + len(queue) / patience
        now += exps[i] / total
        u = unis[i] * total
        i += 1
        if u < arr_rate:
            counted = arrived >= warmup
            arrived += 1
            if in_service < n * k:
                j = counts.index(min(counts))
                counts[j] += 1
                in_service += 1
                met += counted
            else:
                queue.append((now, counted))
                waited += counted
                pending += counted
        elif u < arr_rate + svc:
            u -= arr_rate
            j = 0
            while u >= g[counts[j]]:
                u -= g[counts[j]]
                j += 1
            if queue:  # the freed slot goes to the head of the queue
                start, counted = queue.pop(0)
                met += counted and now - start <= t_ans
                total_wait += counted * (now - start)
                pending -= counted
            else:
                counts[j] -= 1
                in_service -= 1
                busiest = counts.index(max(counts))
                if counts[busiest] - counts[j] >= 2:
                    counts[busiest] -= 1
                    counts[j] += 1
        else:
            start, counted = queue.pop(int(unis[i] * len(queue)))
            i += 1
            abandoned += counted
            total_wait += counted * (now - start)
            pending -= counted
    m = arrivals - warmup
    return met / m, abandoned / m, waited / m, total_wait / m


@pytest.mark.parametrize(
    ("n", "lam", "h", "patience", "t"),
    [
        (10, 9.5 / 180, (180.0,), 120.0, 20.0),  # Erlang A, critically loaded
        (4, 0.024, (300.0, 375.0, 450.0), 120.0, 30.0),  # chat, k = 3, default slowdown
        (3, 0.02, (240.0, 360.0), 60.0, 45.0),
    ],  # chat, k = 2, overloaded, impatient
)
def test_models_agree_with_simulation(n, lam, h, patience, t) -> None:
    rng = np.random.default_rng(20240611)
    reps = np.array([simulate(n, lam, h, patience, t, 8000, 500, rng) for _ in range(20)])
    mean, se = reps.mean(axis=0), reps.std(axis=0, ddof=1) / np.sqrt(len(reps))
    m = chat_metrics(n, lam, handle_time_by_concurrency_s=h, answer_within_s=t, patience_s=patience)
    model = np.array([m.service_level, m.p_abandon, m.p_wait, m.avg_wait_s], dtype=float)
    assert np.all(np.abs(mean - model) <= 3.5 * se + 1e-3), (mean, se, model)


def test_beta_identity_for_waiting_time() -> None:
    # The closed forms rest on: with q callers ahead, service rate c and abandonment
    # rate theta, exp(-theta V) ~ Beta(c/theta, q+1).  Check P(answered within t)
    # against the matrix exponential used in erlang_a_chain.
    c, th, t = 0.05, 1 / 90, 25.0
    a = c / th
    for q in (0, 1, 4, 12):
        gen = np.zeros((q + 3, q + 3))
        for i in range(q + 1):
            gen[i, i - 1 if i else q + 1] = c + i * th
            gen[i, q + 2] = th
            gen[i, i] = -(c + (i + 1) * th)
        ref = linalg.expm(gen * t)[q, q + 1]
        formula = a / (a + q + 1) * (1 - special.betainc(a + 1, q + 1, math.exp(-th * t)))
        assert formula == pytest.approx(ref, abs=1e-12)
