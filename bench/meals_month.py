"""A month with meals, breaks and one away at a time, on the example's online requirement: the
two centres of the pyworkforce comparisons with their real templates (meals and breaks on,
which pyworkforce cannot express), solved by the roster engine on a fixed amount of work so
the figures repeat on any machine.

* 96 agents in 12 teams of 8, 2026-08-03..2026-08-30 (the shift scheduling comparison's, with
  the 818 peak: 92 of 96 at work that day by the LP);
* 30 people in 4 teams, 2026-08-24..2026-09-20 (the rostering comparison's), and the same with
  ``max_weekends_worked = 3`` (its third run), where naming has to move agent-days off stage 1's counts.

Prints, per centre: objective, proven bound, agent-hours short of the requirement, wall time
and the work done; `--progress` prints the engine's search. Usage::

    python bench/meals_month.py [--work 100] [--seed 0] [--progress]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peers_common import bench_centre, hourly_demand  # noqa: E402

from staffing.centre import load_centre  # noqa: E402
from staffing.roster.problem import build_problem  # noqa: E402
from staffing.roster.solve import solve  # noqa: E402

CENTRES = (("96 agents, 12 teams, 2026-08-03..08-30", 96, dt.date(2026, 8, 3), dt.date(2026, 8, 30), None),
           ("30 people, 4 teams, 2026-08-24..09-20", 30, dt.date(2026, 8, 24), dt.date(2026, 9, 20), None),
           ("the same, at most 3 weekends each", 30, dt.date(2026, 8, 24), dt.date(2026, 9, 20), 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=float, default=100.0, help="seconds of work (a 120 s run's default is 100)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args()
    centre = load_centre(ROOT / "data" / "example")
    print("| centre | objective | proven bound | gap | agent-hours short | wall | work |")
    print("|---|---|---|---|---|---|---|")
    for label, agents, start, end, weekends in CENTRES:
        demand = hourly_demand(centre, start, end)
        ours = bench_centre(centre, agents=agents, meals_and_breaks=True)
        if weekends is not None:
            ours = dataclasses.replace(ours, rules=dataclasses.replace(ours.rules, max_weekends_worked=weekends))
        problem = build_problem(ours, demand.frame, demand.days[0], demand.days[-1])
        began = time.perf_counter()
        result = solve(problem, time_limit_s=4 * args.work, work_s=args.work, seed=args.seed, workers=2,
                       progress=(lambda m: print(f"  {m}", file=sys.stderr, flush=True)) if args.progress else None)
        short = sum(result.shortfall_agent_min.values()) / 60
        print(f"| {label} | {result.objective:,.0f} | {result.bound:,.0f} | {result.gap:.1%} | {short:,.1f} | "
              f"{time.perf_counter() - began:.1f} s | {args.work:g} s |", flush=True)


if __name__ == "__main__":
    main()
