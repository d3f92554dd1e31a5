"""Speed of requirements(): the example's 818 month, and 10,000 hourly chat intervals.

    python bench/bench_requirements.py      # prints the figures and writes bench/results/requirements.md
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import cpu_model  # noqa: E402

from staffing import forecast, load_centre, requirements  # noqa: E402


def best_of(runs: int, work) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def main() -> None:
    centre = load_centre(ROOT / "data" / "example")
    month = forecast(centre, dt.date(2026, 8, 1), dt.date(2026, 8, 31)).frame
    seconds_month, result = best_of(3, lambda: requirements(centre, month))
    # 10,000 hourly intervals of the chat line (its hours need no holiday calendar, so the
    # copies may run past 2026) with random volumes.
    rng = np.random.default_rng(1)
    big = forecast(centre, dt.date(2026, 8, 1), dt.date(2026, 12, 31)).frame
    big = big[big["line"] == "online"]
    reps = -(-10_000 // len(big))
    frames = []
    for rep in range(reps):
        shift = pd.Timedelta(days=154 * rep)
        shifted = big.assign(start=big["start"] + shift, end=big["end"] + shift)
        frames.append(shifted.assign(contacts=shifted["contacts"] * rng.uniform(0.3, 3.0, len(shifted))))
    many = pd.concat(frames).head(10_000)
    seconds_many, many_result = best_of(3, lambda: requirements(centre, many))
    cpu = cpu_model()
    text = "\n".join([
        f"# requirements() speed ({dt.date.today()})", "",
        f"Machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, numpy {np.__version__}.", "",
        "| case | slots | best of 3 |", "|---|---|---|",
        f"| example, August 2026 (2 lines, hourly forecast, 10-minute slots) | {len(result.frame):,} | "
        f"{seconds_month:.3f} s |",
        f"| 10,000 hourly intervals of the chat line, random volumes | {len(many_result.frame):,} | "
        f"{seconds_many:.3f} s |",
        "",
    ])
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "requirements.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
