"""Time required_agents_voice / required_agents_chat over 10,000 random intervals.

Run ``python bench/bench_queueing.py`` (prints a Markdown report) or
``python bench/bench_queueing.py --write bench/results/queueing.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from machine import cpu_model

from staffing.queueing import required_agents_voice
from staffing.queueing_chat import default_chat_handle_times, required_agents_chat

INTERVALS = 10_000
REPEATS = 5


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """First-call wall time, best of REPEATS wall time, last result."""
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    best = first
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return first, best, result


def cases(rng: np.random.Generator) -> list[tuple[str, str, Callable[[], object]]]:
    voice = rng.uniform(0.0, 1.5, INTERVALS)  # calls/s: up to 2,700 per 30 min
    big = rng.uniform(0.0, 5000 / 240, INTERVALS)  # up to 5,000 Erlangs
    chat = rng.uniform(0.0, 0.5, INTERVALS)  # chats/s: up to 900 per 30 min
    h3 = default_chat_handle_times(600.0, 3)
    common = dict(handle_time_s=240.0, service_level=0.8, answer_within_s=20.0)
    return [
        ("voice, Erlang C", "AHT 240 s, 80/20, load 0-360 E", lambda: required_agents_voice(voice, **common)),
        ("voice, Erlang C, large", "AHT 240 s, 80/20, load 0-5,000 E", lambda: required_agents_voice(big, **common)),
        (
            "voice, Erlang A",
            "as above + patience 90 s, abandon <= 5 %, load 0-360 E",
            lambda: required_agents_voice(voice, patience_s=90.0, max_abandon_rate=0.05, **common),
        ),
        (
            "voice, Erlang A, large",
            "patience 90 s, abandon <= 5 %, load 0-5,000 E",
            lambda: required_agents_voice(big, patience_s=90.0, max_abandon_rate=0.05, **common),
        ),
        (
            "chat, LPS k=3",
            "h = (600, 750, 900) s, 80 % within 60 s, patience 180 s, abandon <= 5 %, 0-0.5 chats/s",
            lambda: required_agents_chat(
                chat,
                handle_time_by_concurrency_s=h3,
                service_level=0.8,
                answer_within_s=60.0,
                patience_s=180.0,
                max_abandon_rate=0.05,
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    rng = np.random.default_rng(12345)
    rows = []
    for name, setup, fn in cases(rng):
        first, best, res = timed(fn)
        agents = res.agents  # type: ignore[attr-defined]
        rows.append(f"| {name} | {setup} | {first:.3f} | {best:.3f} | {int(agents.mean())} / {int(agents.max())} |")
    report = "\n".join(
        [
            "# Queueing benchmark (`bench/bench_queueing.py`)",
            "",
            f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"- machine: `nproc` = {len(os.sched_getaffinity(0))}, CPU: {cpu_model()}",
            f"- Python {platform.python_version()}, numpy {np.__version__}, scipy {__import__('scipy').__version__}",
            f"- {INTERVALS:,} random intervals per case (seed 12345); wall time of the first "
            f"call and best of {REPEATS} further calls, in seconds.",
            "",
            "| case | setup | first call (s) | best (s) | agents mean / max |",
            "|---|---|---|---|---|",
            *rows,
            "",
            "Erlang C uses the vectorised Erlang B recursion started at the stability bound "
            "floor(A) + 1; Erlang A and chat use a vectorised gallop + bisection from a "
            "provable lower bound over exact closed-form metrics.  Target: voice under 1 s "
            "for 10,000 intervals on 2 cores.",
            "",
        ]
    )
    print(report)
    if args.write:
        args.write.write_text(report)


if __name__ == "__main__":
    main()
