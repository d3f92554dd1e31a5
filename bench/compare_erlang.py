"""Erlang C staffing: ``staffing.queueing.required_agents_voice`` against pyworkforce's ErlangC.

Run from the repository root with the bench venv (``bash bench/make_env.sh`` builds it)::

    bench/.venv/bin/python bench/compare_erlang.py

Grid: transactions per 30-minute interval 10, 20, ..., 2,000 (200 values) x AHT 120 / 180 /
300 s x targets 80 % in 20 s and 85 % in 45 s x shrinkage 0 and 0.3 = 2,400 points.

* pyworkforce: ``ErlangC(transactions, aht=AHT/60, asa=T/60, interval=30, shrinkage=s)
  .required_positions(service_level, max_occupancy=1.0)`` (its times are minutes; its
  ``asa`` is the service-level answer threshold, not an average speed of answer).  Its
  ``raw_positions`` (no shrinkage) and ``positions`` (with shrinkage) are recorded.
* ours: ``required_agents_voice(calls / 1800 s, handle_time_s=AHT, service_level=SL,
  answer_within_s=T)`` (Erlang C, patience None), one vectorised call per (AHT, target)
  group covering its 400 points; with shrinkage ``s`` the staffed positions are
  ``ceil(agents / (1 - s))``, evaluated as ``ceil(round(agents / (1 - s), 9))`` so that a
  quotient that is an integer in exact arithmetic (21 / 0.7 = 30) is not pushed up by
  binary floating point (21 / 0.7 = 30.000000000000004).
* reference: the Erlang C service level ``1 - C(n, A) exp(-(n - A) T / AHT)`` evaluated in
  50-digit decimal arithmetic with A = calls x AHT / 1800 s as an exact fraction; the
  optimum is the smallest n > A that meets the target, and with shrinkage the smallest N
  with N (1 - s) >= optimum (exact fractions).

Writes ``bench/results/erlang_pyworkforce.md`` and prints a summary.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import math
import os
import platform
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import cpu_model  # noqa: E402

from staffing.queueing import required_agents_voice  # noqa: E402

try:
    from pyworkforce.queuing import ErlangC, MultiErlangC
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit("pyworkforce is not installed here: run `bash bench/make_env.sh` and use bench/.venv/bin/python")

OUT = ROOT / "bench" / "results" / "erlang_pyworkforce.md"
INTERVAL_S = 1800
INTERVAL_MIN = 30
CALLS = np.arange(10, 2001, 10)
AHTS_S = (120, 180, 300)
TARGETS = ((0.80, 20), (0.85, 45))  # (service level, answer within seconds)
SHRINKAGES = (0.0, 0.3)
REPEATS = 3
EXAMPLES = 4

CAT_START = "start above optimum"
CAT_SHRINK = "shrinkage rounding"
CAT_OTHER = "other"


@dataclass(frozen=True)
class Point:
    calls: int
    aht_s: int
    sl: float
    t_s: int
    shrinkage: float


def grid() -> list[Point]:
    """All points, grouped by (AHT, target), then shrinkage, then calls."""
    return [Point(int(c), aht, sl, t, s) for aht in AHTS_S for sl, t in TARGETS for s in SHRINKAGES for c in CALLS]


# ----------------------------------------------------------------------------- runners
def run_pyworkforce(points: list[Point]) -> list[dict]:
    out = []
    for p in points:
        erlang = ErlangC(
            transactions=p.calls,
            aht=p.aht_s / 60,
            asa=p.t_s / 60,
            interval=INTERVAL_MIN,
            shrinkage=p.shrinkage,
        )
        out.append(erlang.required_positions(service_level=p.sl, max_occupancy=1.0))
    return out


def run_multi_pyworkforce() -> int:
    """The same grid through pyworkforce's joblib-parallel MultiErlangC (one call per target)."""
    n = 0
    for aht in AHTS_S:
        for sl, t in TARGETS:
            multi = MultiErlangC(
                param_grid={
                    "transactions": [int(c) for c in CALLS],
                    "aht": [aht / 60],
                    "asa": [t / 60],
                    "interval": [INTERVAL_MIN],
                    "shrinkage": list(SHRINKAGES),
                },
                n_jobs=-1,
            )
            n += len(multi.required_positions({"service_level": [sl], "max_occupancy": [1.0]}))
    return n


def run_ours() -> dict[tuple[int, float, int], tuple[np.ndarray, np.ndarray]]:
    """(aht, sl, t) -> (raw agents, positions with shrinkage), each of length 400."""
    rates = np.tile(CALLS, len(SHRINKAGES)) / INTERVAL_S
    shrink = np.repeat(SHRINKAGES, CALLS.size)
    out = {}
    for aht in AHTS_S:
        for sl, t in TARGETS:
            agents = required_agents_voice(rates, handle_time_s=aht, service_level=sl, answer_within_s=t).agents
            positions = np.ceil(np.round(agents / (1.0 - shrink), 9)).astype(np.int64)
            out[(aht, sl, t)] = (agents, positions)
    return out


def best_of(fn, repeats: int) -> tuple[float, float, object]:
    """(first wall time, best wall time, last result)."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times[0], min(times), result


# Off-grid probe for pyworkforce's search start: short calls, long thresholds, low loads.
PROBE_AHT_S = 60
PROBE_CALLS = np.arange(1, 201)
PROBE_TARGETS = ((0.70, 120), (0.80, 120), (0.70, 180), (0.80, 180))


def probe_start() -> list[tuple[int, float, int, int, int]]:
    """(calls, sl, t, pyworkforce raw, ours raw) for every probe point."""
    out = []
    for sl, t in PROBE_TARGETS:
        ours = required_agents_voice(
            PROBE_CALLS / INTERVAL_S, handle_time_s=PROBE_AHT_S, service_level=sl, answer_within_s=t
        ).agents
        for calls, our in zip(PROBE_CALLS, ours):
            pw = ErlangC(transactions=int(calls), aht=PROBE_AHT_S / 60, asa=t / 60, interval=INTERVAL_MIN)
            out.append((int(calls), sl, t, int(pw.required_positions(sl, 1.0)["raw_positions"]), int(our)))
    return out


# --------------------------------------------------------------------------- reference
class ExactErlangC:
    """Erlang C service levels for one (calls, AHT, T) in 50-digit decimal arithmetic."""

    def __init__(self, calls: int, aht_s: int, t_s: int) -> None:
        self.load = Fraction(calls * aht_s, INTERVAL_S)
        self.ratio = Fraction(t_s, aht_s)
        self._inv_b = [Decimal(1)]  # 1 / ErlangB(n, A) for n = 0, 1, ...

    def _dec(self, x: Fraction) -> Decimal:
        return Decimal(x.numerator) / Decimal(x.denominator)

    def service_level(self, n: int) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = 50
            a = self._dec(self.load)
            while len(self._inv_b) <= n:
                k = len(self._inv_b)
                self._inv_b.append(1 + self._inv_b[-1] * k / a)
            if n <= self.load:
                return Decimal(0)
            b = 1 / self._inv_b[n]
            c = n * b / (n - a * (1 - b))
            return 1 - c * (-(n - a) * self._dec(self.ratio)).exp()

    def optimum(self, sl: float) -> int:
        target = Decimal(sl)  # the binary double the callers pass, exactly
        n = math.floor(self.load) + 1
        while self.service_level(n) < target:
            n += 1
        return n


def exact_positions(raw: int, shrinkage: float) -> int:
    """Smallest N with N (1 - s) >= raw, s read as the decimal it is written as."""
    return math.ceil(Fraction(raw) / (1 - Fraction(str(shrinkage))))


# ------------------------------------------------------------------------------ report
def fmt_sl(x: Decimal) -> str:
    return f"{float(x) * 100:.3f} %"


def main() -> None:
    points = grid()
    n_points = len(points)

    # warm-up (imports, numpy/scipy first-call costs) outside the timings
    run_ours()
    ErlangC(transactions=100, aht=3, asa=1 / 3, interval=30).required_positions(0.8, 1.0)

    pw_first, pw_best, pw = best_of(lambda: run_pyworkforce(points), REPEATS)
    ours_first, ours_best, ours = best_of(run_ours, REPEATS)
    multi_start = time.perf_counter()
    multi_n = run_multi_pyworkforce()
    multi_s = time.perf_counter() - multi_start
    assert multi_n == n_points

    # flatten ours in grid order
    ours_raw, ours_pos = [], []
    for aht in AHTS_S:
        for sl, t in TARGETS:
            raw, pos = ours[(aht, sl, t)]
            ours_raw.extend(int(x) for x in raw)
            ours_pos.extend(int(x) for x in pos)

    exact_cache: dict[tuple[int, int, int], ExactErlangC] = {}
    rows = []
    for i, p in enumerate(points):
        ex = exact_cache.setdefault((p.calls, p.aht_s, p.t_s), ExactErlangC(p.calls, p.aht_s, p.t_s))
        opt = ex.optimum(p.sl)
        rows.append(
            {
                "p": p,
                "ex": ex,
                "pw_raw": int(pw[i]["raw_positions"]),
                "pw_pos": int(pw[i]["positions"]),
                "pw_sl": float(pw[i]["service_level"]),
                "our_raw": ours_raw[i],
                "our_pos": ours_pos[i],
                "opt_raw": opt,
                "opt_pos": exact_positions(opt, p.shrinkage),
            }
        )

    # classify
    cats: dict[str, list[dict]] = defaultdict(list)
    by_group: dict[tuple, Counter] = defaultdict(Counter)
    for r in rows:
        p = r["p"]
        key = (p.aht_s, p.sl, p.t_s, p.shrinkage)
        by_group[key]["points"] += 1
        if r["pw_pos"] == r["our_pos"] and r["pw_raw"] == r["our_raw"]:
            by_group[key]["agree"] += 1
            continue
        pw_load = (p.calls / INTERVAL_MIN) * (p.aht_s / 60)  # pyworkforce's float intensity
        r["pw_start"] = round(pw_load + 1)
        r["raw_over_s"] = r["pw_raw"] / (1 - p.shrinkage)
        if r["pw_raw"] > r["our_raw"] == r["opt_raw"] and r["pw_raw"] == r["pw_start"] and r["opt_raw"] < r["pw_start"]:
            cat = CAT_START
        elif r["pw_raw"] == r["our_raw"] == r["opt_raw"] and r["pw_pos"] > r["our_pos"] == r["opt_pos"]:
            cat = CAT_SHRINK
        else:
            cat = CAT_OTHER
        r["cat"] = cat
        cats[cat].append(r)
        by_group[key][cat] += 1

    agree = sum(c["agree"] for c in by_group.values())
    agree_raw = sum(r["pw_raw"] == r["our_raw"] for r in rows)
    ours_opt_raw = sum(r["our_raw"] == r["opt_raw"] for r in rows)
    ours_opt_pos = sum(r["our_pos"] == r["opt_pos"] for r in rows)
    pw_opt_raw = sum(r["pw_raw"] == r["opt_raw"] for r in rows)
    pw_opt_pos = sum(r["pw_pos"] == r["opt_pos"] for r in rows)
    # pyworkforce's own reported service level against the reference, at its raw positions
    pw_sl_err = max(abs(r["pw_sl"] - float(r["ex"].service_level(r["pw_raw"]))) for r in rows)
    # would the first agent count above the stability bound have sufficed where pyworkforce starts higher?
    skipped = [
        r for r in rows if round((r["p"].calls / INTERVAL_MIN) * (r["p"].aht_s / 60) + 1) > math.floor(r["ex"].load) + 1
    ]
    skipped_ok = sum(r["opt_raw"] == math.floor(r["ex"].load) + 1 for r in skipped)
    float_ceil_up = sorted(
        {
            raw
            for raw in range(1, 400)
            if math.ceil(raw / (1 - 0.3)) > exact_positions(raw, 0.3)  # pyworkforce's formula
        }
    )
    ratio = pw_best / ours_best

    # pyworkforce's own shrinkage round trip: positions -> floor((1 - s) positions)
    roundtrip_bad = [r for r in range(1, 400) if math.floor((1 - 0.3) * math.ceil(r / (1 - 0.3))) != r]
    roundtrip_pts = [r for r in rows if r["p"].shrinkage > 0 and r["pw_raw"] in roundtrip_bad]
    rt_example = ""
    if roundtrip_pts:
        r = roundtrip_pts[0]
        p = r["p"]
        erl = ErlangC(
            transactions=p.calls, aht=p.aht_s / 60, asa=p.t_s / 60, interval=INTERVAL_MIN, shrinkage=p.shrinkage
        )
        rt_example = (
            f"{p.calls} calls, AHT {p.aht_s} s, {p.sl:.0%} in {p.t_s} s: raw {r['pw_raw']} -> positions "
            f"{r['pw_pos']}, and `service_level({r['pw_pos']}, scale_positions=True)` = "
            f"{erl.service_level(r['pw_pos'], scale_positions=True):.2%} (it evaluates "
            f"{math.floor((1 - p.shrinkage) * r['pw_pos'])} agents) against "
            f"{erl.service_level(r['pw_raw']):.2%} reported for the raw positions"
        )

    probe = probe_start()
    probe_over = [x for x in probe if x[3] > x[4]]
    probe_under = sum(x[3] < x[4] for x in probe)
    probe_over_ok = sum(ExactErlangC(c, PROBE_AHT_S, t).optimum(sl) == our for c, sl, t, _, our in probe_over)
    probe_show = [
        probe_over[i]
        for i in sorted({0, 1, len(probe_over) // 3, len(probe_over) // 2, len(probe_over) - 1})
        if 0 <= i < len(probe_over)
    ]

    versions = {name: md.version(name) for name in ("numpy", "scipy", "pyworkforce", "joblib")}
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    ncpu = len(os.sched_getaffinity(0))

    lines = [
        "## Erlang C against pyworkforce (`bench/compare_erlang.py`)",
        "",
        f"- date: {now}",
        f"- machine: `nproc` = {ncpu}, CPU: {cpu_model()}",
        f"- Python {platform.python_version()}, numpy {versions['numpy']}, scipy {versions['scipy']}, "
        f"pyworkforce {versions['pyworkforce']} (joblib {versions['joblib']})",
        "- command: `bash bench/make_env.sh && bench/.venv/bin/python bench/compare_erlang.py` "
        "(pyworkforce lives only in `bench/.venv`)",
        "",
        "### Setup",
        "",
        f"- grid: calls per 30-minute interval {CALLS[0]}, {CALLS[1]}, ..., {CALLS[-1]} ({CALLS.size} values) "
        f"x AHT {' / '.join(map(str, AHTS_S))} s x targets 80 % in 20 s and 85 % in 45 s x shrinkage 0 and 0.3 "
        f"= **{n_points:,} points**; offered load A = calls x AHT / 1800 s (0.67 to 333 Erlangs).",
        "- pyworkforce: `ErlangC(transactions=calls, aht=AHT/60, asa=T/60, interval=30, shrinkage=s)"
        ".required_positions(service_level=SL, max_occupancy=1.0)`; minutes throughout, and its `asa` "
        "is the answer-within threshold T of the service level.  It returns `raw_positions` (no "
        "shrinkage) and `positions` = `ceil(raw_positions / (1 - s))` in floating point.",
        "- ours: `required_agents_voice(calls / 1800, handle_time_s=AHT, service_level=SL, "
        "answer_within_s=T)` (Erlang C, `patience_s=None`), one vectorised call per (AHT, target) "
        "group of 400 points (6 calls for the grid).  Shrinkage: positions = ceil(agents / (1 - s)), "
        "evaluated as `ceil(round(agents / (1 - s), 9))`, i.e. the smallest N with N (1 - s) >= agents.",
        '- reference ("exact"): Erlang C service level 1 - C(n, A) exp(-(n - A) T / AHT) in 50-digit '
        "decimal arithmetic with A an exact fraction; optimum = smallest n > A meeting the target, "
        "then the smallest N with N (1 - s) >= n in exact fractions.",
        "- agreement = same `raw_positions` and same `positions` (at s = 0 they coincide).",
        "",
        "### Results",
        "",
        "| | points | pyworkforce = ours | = exact optimum (ours) | = exact optimum (pyworkforce) |",
        "|---|---|---|---|---|",
        f"| raw agents (no shrinkage) | {n_points:,} | {agree_raw:,} | {ours_opt_raw:,} | {pw_opt_raw:,} |",
        f"| positions (with shrinkage) | {n_points:,} | {agree:,} | {ours_opt_pos:,} | {pw_opt_pos:,} |",
        "",
        "| AHT (s) | target | shrinkage | points | agree | "
        + " | ".join(f"{c}" for c in (CAT_START, CAT_SHRINK, CAT_OTHER))
        + " |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (aht, sl, t, s), c in sorted(by_group.items()):
        lines.append(
            f"| {aht} | {sl:.0%} in {t} s | {s:g} | {c['points']} | {c['agree']} | "
            f"{c[CAT_START]} | {c[CAT_SHRINK]} | {c[CAT_OTHER]} |"
        )
    lines += [
        f"| **all** | | | **{n_points:,}** | **{agree:,}** | **{len(cats[CAT_START])}** | "
        f"**{len(cats[CAT_SHRINK])}** | **{len(cats[CAT_OTHER])}** |",
        "",
        "### Timing (whole grid, wall time)",
        "",
        "| implementation | first run (s) | best of 3 (s) | per point (µs) |",
        "|---|---|---|---|",
        f"| pyworkforce `ErlangC.required_positions`, a Python loop over the {n_points:,} points "
        f"| {pw_first:.3f} | {pw_best:.3f} | {pw_best / n_points * 1e6:.0f} |",
        f"| pyworkforce `MultiErlangC` (joblib, `n_jobs=-1`, 6 calls), once | {multi_s:.3f} | | "
        f"{multi_s / n_points * 1e6:.0f} |",
        f"| ours, `required_agents_voice`, 6 vectorised calls + shrinkage | {ours_first:.4f} | {ours_best:.4f} "
        f"| {ours_best / n_points * 1e6:.1f} |",
        "",
        f"Speed ratio (best of 3 each): ours is **{ratio:.0f}x** faster than pyworkforce's loop "
        f"(goal >= 20x){' - met' if ratio >= 20 else ' - NOT met'}; "
        f"{multi_s / ours_best:.0f}x faster than `MultiErlangC`.",
        "",
        "### Disagreements",
        "",
    ]

    # ----- category: start above the optimum
    start = cats[CAT_START]
    lines += [
        f"**{CAT_START}** ({len(start)} points on the grid).  pyworkforce's search starts at "
        "`positions = round(intensity + 1)` and only moves *up* while the service level is below "
        "target; it never tries fewer agents.  When the fractional part of A exceeds one half (or "
        "equals it with floor(A) even: Python's `round` rounds halves to even, so A = 2.5 starts at "
        "4 but A = 1.5 at 2), `round(A + 1) = floor(A) + 2` and the stability bound `floor(A) + 1` "
        "is never evaluated; when that count already meets the target, pyworkforce returns one "
        "agent too many (and, with shrinkage, ceil(that / (1 - s)) positions).  Ours starts at "
        "`floor(A) + 1`.  On this grid A = calls x AHT / 1800 is an integer (AHT 180 s) or has "
        "fractional part 1/3 or 2/3 (AHT 120 s and 300 s); round(A + 1) skips floor(A) + 1 at "
        f"{len(skipped):,} of the {n_points:,} points, but floor(A) + 1 meets the target at "
        f"{skipped_ok:,} of them: with T / AHT <= 0.375 a queue whose agents exceed the load by "
        "less than one Erlang is far below 80 %, so the skip costs nothing here.",
        "",
        f"It does bite with a threshold long against the handle time.  Off-grid probe: AHT "
        f"{PROBE_AHT_S} s, calls {PROBE_CALLS[0]}-{PROBE_CALLS[-1]} per 30 minutes, targets "
        + ", ".join(f"{sl:.0%} in {t} s" for sl, t in PROBE_TARGETS)
        + f" ({len(probe):,} points, shrinkage 0): pyworkforce's raw positions exceed ours at "
        f"**{len(probe_over):,}** points (and are below ours at {probe_under}); at every one of them "
        f"ours is the exact optimum: {probe_over_ok:,} of {len(probe_over):,}.",
        "",
        "| calls | AHT (s) | target | A (Erl) | round(A + 1) | pyworkforce raw | ours raw "
        "| exact SL at pyworkforce raw | exact SL at ours raw |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for calls, sl, t, pw_raw, our_raw in probe_show:
        ex = ExactErlangC(calls, PROBE_AHT_S, t)
        load = (calls / INTERVAL_MIN) * (PROBE_AHT_S / 60)
        lines.append(
            f"| {calls} | {PROBE_AHT_S} | {sl:.0%}/{t} s | {float(ex.load):.3f} | {round(load + 1)} "
            f"| {pw_raw} | {our_raw} | {fmt_sl(ex.service_level(pw_raw))} | {fmt_sl(ex.service_level(our_raw))} |"
        )
    if start:
        lines += [
            "",
            "On-grid examples:",
            "",
            "| calls | AHT (s) | target | s | A (Erl) | pyworkforce raw / positions | ours raw / positions "
            "| exact SL at pyworkforce raw | exact SL at ours raw |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        picks = sorted(start, key=lambda r: (r["p"].shrinkage, r["p"].aht_s, r["p"].calls))
        for r in picks[:EXAMPLES] + [r for r in picks if r["p"].shrinkage > 0][:2]:
            p, ex = r["p"], r["ex"]
            lines.append(
                f"| {p.calls} | {p.aht_s} | {p.sl:.0%}/{p.t_s} s | {p.shrinkage:g} | {float(ex.load):.3f} "
                f"| {r['pw_raw']} / {r['pw_pos']} | {r['our_raw']} / {r['our_pos']} "
                f"| {fmt_sl(ex.service_level(r['pw_raw']))} | {fmt_sl(ex.service_level(r['our_raw']))} |"
            )

    # ----- category: shrinkage rounding
    shr = cats[CAT_SHRINK]
    lines += [
        "",
        f"**{CAT_SHRINK}** ({len(shr)} points, all at s = 0.3).  Both sides find the same raw agents; "
        "pyworkforce then computes `ceil(raw_positions / (1 - shrinkage))` in binary floating point, "
        "and 1 - 0.3 is the double 0.69999999999999995559..., a little below 7/10, so for a raw count "
        "that is a multiple of 7 (where raw / (1 - s) is an exact integer) the quotient can land one "
        f"ulp above that integer (21 / 0.7 = {21 / 0.7!r}, while 7 / 0.7 = {7 / 0.7!r}) and the "
        "ceiling then adds a whole position.  Of the raw counts 1-399 this hits "
        f"{len(float_ceil_up)} of the {len(range(7, 400, 7))} multiples of 7: "
        f"{', '.join(map(str, float_ceil_up))}.  The extra position is pure headcount: after "
        "shrinkage both staffing levels leave the same productive agents (pyworkforce's own "
        "`scale_positions=True` maps N back to floor(N (1 - s)) productive agents; see below for where "
        "that round trip itself slips).",
        "",
        "| calls | AHT (s) | target | A (Erl) | raw (both) | raw / (1 - s) in floating point "
        "| pyworkforce positions | ours positions | floor(N x 0.7) pyworkforce / ours | exact SL of raw |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(shr, key=lambda r: (r["pw_raw"], r["p"].aht_s))[:EXAMPLES]:
        p, ex = r["p"], r["ex"]
        lines.append(
            f"| {p.calls} | {p.aht_s} | {p.sl:.0%}/{p.t_s} s | {float(ex.load):.3f} | {r['pw_raw']} "
            f"| {r['raw_over_s']!r} | {r['pw_pos']} | {r['our_pos']} "
            f"| {math.floor(r['pw_pos'] * (1 - p.shrinkage))} / {math.floor(r['our_pos'] * (1 - p.shrinkage))} "
            f"| {fmt_sl(ex.service_level(r['pw_raw']))} |"
        )

    # ----- anything else
    other = cats[CAT_OTHER]
    lines += ["", f"**{CAT_OTHER}**: {len(other)} points."]
    if other:
        lines += [
            "",
            "| calls | AHT (s) | target | s | pyworkforce raw / positions | ours raw / positions "
            "| exact optimum raw / positions | exact SL at pyworkforce raw | exact SL at ours raw |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in other[:10]:
            p, ex = r["p"], r["ex"]
            lines.append(
                f"| {p.calls} | {p.aht_s} | {p.sl:.0%}/{p.t_s} s | {p.shrinkage:g} | {r['pw_raw']} / {r['pw_pos']} "
                f"| {r['our_raw']} / {r['our_pos']} | {r['opt_raw']} / {r['opt_pos']} "
                f"| {fmt_sl(ex.service_level(r['pw_raw']))} | {fmt_sl(ex.service_level(r['our_raw']))} |"
            )
    lines += [
        "",
        "### Other observations on pyworkforce",
        "",
        f"- Its reported `service_level` matches the 50-digit reference at its own raw positions to "
        f"{pw_sl_err:.1e} (max abs. difference): the Erlang C formula itself is right; the "
        "differences come only from where the search starts and from the float ceiling.",
        "- Its shrinkage round trip is not consistent either: `service_level(positions, "
        "scale_positions=True)` (and `waiting_probability`, `achieved_occupancy`) take floor((1 - s) N) "
        "in floating point as the productive agents, and for N = ceil(raw / 0.7) this drops below raw "
        f"for raw in {{{', '.join(map(str, roundtrip_bad))}}} (1-399), e.g. 0.7 x 90 = {0.7 * 90!r}. "
        + (
            f"On the grid that affects {len(roundtrip_pts)} shrinkage points; e.g. {rt_example}."
            if roundtrip_pts
            else "No grid point has such a raw count."
        ),
        "- `asa` is not an average speed of answer but the answer-within threshold T of the service "
        "level; all times (aht, asa, interval) are in minutes and `transactions` is a count per interval.",
        "- `raw_positions` ignores `shrinkage` (it is the same for s = 0 and s = 0.3); only `positions` "
        "applies it.  The constructor rejects `transactions <= 0`, so an empty interval cannot be "
        "staffed through it (ours returns 0 agents).",
        "- It is a scalar Python API: the Erlang B recursion restarts from 1 agent for every candidate "
        "count, so one point costs O(n x steps) Python operations.  `MultiErlangC` only spreads that "
        "loop over joblib workers; on this machine it is slower than the plain loop.",
        "",
    ]
    report = "\n".join(lines)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(report, encoding="utf-8")

    print(f"points: {n_points}; agree (raw and positions): {agree}; raw agents agree: {agree_raw}")
    for cat in (CAT_START, CAT_SHRINK, CAT_OTHER):
        print(f"  {cat}: {len(cats[cat])}")
    print(
        f"off-grid probe (AHT {PROBE_AHT_S} s, long thresholds): pyworkforce raw > ours at {len(probe_over)}"
        f"/{len(probe)} points, ours = exact optimum at {probe_over_ok} of them"
    )
    print(f"ours = exact optimum: raw {ours_opt_raw}/{n_points}, positions {ours_opt_pos}/{n_points}")
    print(f"pyworkforce = exact optimum: raw {pw_opt_raw}/{n_points}, positions {pw_opt_pos}/{n_points}")
    print(
        f"pyworkforce loop: first {pw_first:.3f} s, best of {REPEATS} {pw_best:.3f} s; "
        f"MultiErlangC once {multi_s:.3f} s; ours: first {ours_first:.4f} s, best {ours_best:.4f} s; "
        f"ratio {ratio:.0f}x"
    )
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
