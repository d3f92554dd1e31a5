"""Roster engine benchmarks S, M and L (the roster issue, point 8). From the repository root:

    python bench/bench_roster.py S M        # sizes to run; writes bench/results/roster_<size>.md
    python bench/bench_roster.py L --workers 8 --time-limit 600 --no-deterministic
    python bench/bench_roster.py M --progress    # the solver's progress on stderr
    python bench/bench_roster.py M --time-limit 200 --work 102   # M's work on a slower machine

Instances are derived from the bundled example (its templates, rules and forecast):
S  8 agents, 1 team, 1 normal week of chat (09:00-23:00), requirements scaled to the team;
M  40 agents, 5 teams of 8, chat, 4 weeks around the 818 peak (07:00-02:00 that day);
L  200 agents, 25 teams, hotline and chat, 4 weeks around 818, requirements x 5.
Each run records wall time, the roster's objective, the proven bound, the gap, shortfall and
peak memory (max RSS of the process), and whether the run repeats (the clock stopped no search).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ortools  # noqa: E402
from machine import cpu_model, staffing_version  # noqa: E402

from staffing import forecast, load_centre, requirements, roster  # noqa: E402
from staffing.domain import Agent  # noqa: E402

SIZES = {
    "S": dict(lines=("online",), teams=1, per_team=8, start=dt.date(2026, 8, 24), days=7, scale=0.22),
    "M": dict(lines=("online",), teams=5, per_team=8, start=dt.date(2026, 8, 3), days=28, scale=1.0),
    "L": dict(lines=("hotline", "online"), teams=25, per_team=8, start=dt.date(2026, 8, 3), days=28, scale=5.0),
}


def instance(size: str, folder: Path):
    spec = SIZES[size]
    shutil.copytree(ROOT / "data" / "example", folder, dirs_exist_ok=True)
    centre = load_centre(folder)
    teams, agents, number = {}, [], 1
    lines = spec["lines"]
    # L: 5 hotline teams and 20 chat teams; S and M: chat teams only.
    plan = [("hotline", 5), ("online", 20)] if size == "L" else [("online", spec["teams"])]
    for line, count in plan:
        for t in range(count):
            team_id = f"{line[0].upper()}{t + 1:02d}"
            base = next(team for team in centre.teams.values() if team.line == line)
            teams[team_id] = dataclasses.replace(base, id=team_id, name=team_id)
            for _ in range(spec["per_team"]):
                agents.append(Agent(id=f"B{number:04d}", name=f"B{number:04d}", team=team_id, line=line))
                number += 1
    centre = dataclasses.replace(centre, teams=teams, agents=tuple(agents),
                                 lines={k: v for k, v in centre.lines.items() if k in lines})
    end = spec["start"] + dt.timedelta(days=spec["days"] - 1)
    predicted = forecast(load_centre(folder), spec["start"], end).frame
    predicted = predicted[predicted["line"].isin(lines)].assign(contacts=lambda f: f["contacts"] * spec["scale"])
    need = requirements(centre, predicted).frame
    return centre, need, spec["start"], end


def run(size: str, time_limit: float, workers: int, seed: int, progress: bool = False,
        deterministic: bool = True, work: float | None = None) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        centre, need, start, end = instance(size, Path(tmp) / "centre")
        began = time.perf_counter()
        report = (lambda text: print(f"{size} {time.perf_counter() - began:6.1f} s  {text}", file=sys.stderr,
                                     flush=True)) if progress else None
        result = roster(centre, need, start, end, time_limit_s=time_limit, work_s=work, seed=seed,
                        workers=workers, deterministic=deterministic, progress=report)
        seconds = time.perf_counter() - began
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the bound solved beside the search runs in a process of its own (staffing/roster/sidebound.py)
    beside_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    memory = f"{peak_mib:,.0f} MiB" + (f" (+{beside_mib:,.0f} MiB beside)" if beside_mib else "")
    short = ", ".join(f"{line} {minutes:,}" for line, minutes in result.shortfall_agent_min.items())
    cpu = cpu_model()
    return "\n".join([
        f"## Roster {size} ({dt.date.today()})", "",
        f"Machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"OR-Tools {ortools.__version__}; staffing {staffing_version()}; "
        f"`--workers {workers} --time-limit {time_limit:g}{'' if work is None else f' --work {work:g}'} --seed {seed}"
        f"{'' if deterministic else ' --no-deterministic'}`.", "",
        "| agents | teams | days | status | wall time | objective | proven bound | gap | agent-minutes short | "
        "peak memory | repeatable |", "|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {len(centre.agents)} | {len(centre.teams)} | {(end - start).days + 1} | {result.status} | "
        f"{seconds:.1f} s | "
        f"{result.objective:,.0f} | {result.bound:,.0f} | {result.gap:.2%} | {short} | {memory} | "
        f"{'yes' if result.repeatable else 'no: the clock stopped a search'} |", "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="+", choices=list(SIZES))
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=float, default=None,
                        help="seconds of search work (default 85%% of the time limit, as `staffing roster --work`): "
                             "on a machine slower than the rates assume, a longer --time-limit with the default's "
                             "work gives the same roster as a run the clock did not cut")
    parser.add_argument("--progress", action="store_true", help="the solver's progress on stderr")
    parser.add_argument("--no-deterministic", dest="deterministic", action="store_false",
                        help="several workers run free (as `staffing roster --no-deterministic`)")
    args = parser.parse_args()
    limits = {"S": 60.0, "M": 120.0, "L": 600.0}
    for size in args.sizes:
        text = run(size, args.time_limit or limits[size], args.workers, args.seed, args.progress, args.deterministic,
                   args.work)
        out = ROOT / "bench" / "results" / f"roster_{size}.md"
        out.write_text(text, encoding="utf-8")
        print(text, flush=True)


if __name__ == "__main__":
    main()
