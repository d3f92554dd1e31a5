"""Stage 1's whole-horizon search alone on a roster bench instance: the objective and bound over
time for one worker setting (how many workers, interleaved or free). From the repository root:

    python bench/stage1_search.py L --time-limit 120 --workers 8 --free

This is the search that decides most of a large roster's quality (docs/roster.md, "Determinism
and several workers"); the figures in bench/RESULTS.md for 1, 4 and 8 workers came from it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_roster import SIZES, instance  # noqa: E402
from ortools.sat.python import cp_model  # noqa: E402

from staffing.roster.capacity import TeamCapacity, add_template_limits  # noqa: E402
from staffing.roster.counts import COUNT_RULES, create_count_vars  # noqa: E402
from staffing.roster.problem import build_problem  # noqa: E402
from staffing.roster.search import make_solver, parallel  # noqa: E402
from staffing.roster.variables import minimize  # noqa: E402


class _Report(cp_model.CpSolverSolutionCallback):
    def __init__(self, label: str, began: float) -> None:
        super().__init__()
        self.label, self.began = label, began

    def on_solution_callback(self) -> None:
        print(f"{self.label} {time.perf_counter() - self.began:6.1f} s  objective {self.objective_value:,.0f}  "
              f"bound {self.best_objective_bound:,.0f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=list(SIZES))
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--free", action="store_true", help="several workers run free (not interleaved)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        centre, need, start, end = instance(args.size, Path(tmp) / "centre")
        problem = build_problem(centre, need, start, end)
    model = cp_model.CpModel()
    v = create_count_vars(model, problem)
    v.elastic_floor = True
    penalties = [term for rule in COUNT_RULES for term in rule(model, v, problem)]
    add_template_limits(model, v, problem, TeamCapacity(problem, args.seed))
    minimize(model, penalties)
    label = f"{args.size} {args.workers} {'free' if args.free else 'interleaved' if args.workers > 1 else 'worker'}"
    with parallel(not args.free):
        solver = make_solver(args.time_limit, args.seed, args.workers)
    began = time.perf_counter()
    status = solver.solve(model, _Report(label, began))
    print(f"{label}: {solver.status_name(status)}, objective {solver.objective_value:,.0f}, "
          f"bound {solver.best_objective_bound:,.0f}, {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
