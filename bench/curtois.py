"""The Curtois & Qu shift scheduling benchmark on our roster engine, judged by an independent evaluator.

Run from the repository root (the product's environment is enough)::

    python bench/curtois.py                      # Instances 1-12, 60 s each, 2 workers
    python bench/curtois.py 1 2 3 --time-limit 10

Each instance file (``../shared/benchmarks/curtois/InstanceN.txt``, read by ``bench/curtois_format.py``)
becomes a centre folder written to a temporary directory, and the roster comes from the product's
own path: ``load_centre`` -> ``build_problem`` -> ``solve``. The mapping uses only the product's
documented rules (docs/roster.md, "Work-pattern rules"):

* each shift type -> a template ``[shifts.<id>]`` from 00:00 lasting its length, no meals or breaks,
  ``not_followed_by`` = the types forbidden the next day;
* one line with no open hours (the benchmark has cover per shift, not per slot), one team;
* each employee -> an ``agents.csv`` row: ``max_shifts`` (``D:14;N:0``), ``min_hours``/``max_hours``
  (total minutes / 60), ``max_consecutive_days``, ``min_consecutive_days``,
  ``min_consecutive_days_off``, ``max_weekends``;
* fixed days off -> ``requests.csv`` ``day_off``; shift-on requests -> ``work`` with the shift and
  weight; shift-off requests -> ``avoid`` with the shift and weight;
* cover -> ``shift_cover.csv`` with its under and over weights;
* ``[rules]``: no monthly rest days, no minimum rest between shifts (the benchmark has only its
  forbidden successions); ``[weights]``: fairness 0, minutes worked 0, one point = 1, so the
  engine's objective is the benchmark's;
* day 0 is Monday 2024-01-01 (the benchmark's day 0 is a Monday).

The roster's shifts are then handed back to ``curtois_format.evaluate``, which recomputes the
objective and every hard rule from the instance file alone. Writes ``bench/results/curtois.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata as md
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from curtois_format import Instance, evaluate, read_best_known, read_instance
from machine import cpu_model, staffing_version

from staffing.centre import load_centre
from staffing.roster.problem import build_problem
from staffing.roster.solve import solve

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "benchmarks" / "curtois"
DAY0 = dt.date(2024, 1, 1)  # a Monday
NO_REQUIREMENT = pd.DataFrame(columns=["line", "start", "end", "required", "floor", "day_min_agents"])


def _clock(minutes: int) -> str:
    minutes %= 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def write_centre(instance: Instance, folder: Path) -> None:
    """The instance as a centre folder, in the product's own files."""
    toml = [f'[centre]\nname = "{instance.name}"\nslot_min = 10\n',
            "[rules]\nrest_days_per_month = 0\nmax_consecutive_working_days = 31\nmin_rest_between_shifts_h = 0\n",
            "[weights]\nfair_shifts = 0\nminutes_worked = 0\npoint = 1\n",
            '[lines.ward]\nchannel = "voice"\n\n[lines.ward.queue]\nhandle_time_s = 60\n',
            '[teams.all]\nline = "ward"\n']
    for shift in instance.shifts:
        forbidden = ", ".join(f'"{code}"' for code in shift.forbidden_next)
        toml.append(f'[shifts.{shift.id}]\nstart = "00:00"\nend = "{_clock(shift.minutes)}"\nmeals = 0\nbreaks = 0\n'
                    f"not_followed_by = [{forbidden}]\n")
    (folder / "centre.toml").write_text("\n".join(toml), encoding="utf-8")
    rows = ["agent,team,line,max_shifts,min_hours,max_hours,max_consecutive_days,min_consecutive_days,"
            "min_consecutive_days_off,max_weekends"]
    for staff in instance.staff:
        limits = ";".join(f"{code}:{most}" for code, most in staff.max_shifts.items())
        rows.append(f"{staff.id},all,ward,{limits},{staff.min_total_min / 60:g},{staff.max_total_min / 60:g},"
                    f"{staff.max_consecutive},{staff.min_consecutive},{staff.min_consecutive_off},{staff.max_weekends}")
    (folder / "agents.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    rows = ["agent,date,kind,shift,weight"]
    for staff, days in instance.days_off.items():
        rows += [f"{staff},{DAY0 + dt.timedelta(days=d)},day_off,," for d in days]
    rows += [f"{r.staff},{DAY0 + dt.timedelta(days=r.day)},work,{r.shift},{r.weight}" for r in instance.on_requests]
    rows += [f"{r.staff},{DAY0 + dt.timedelta(days=r.day)},avoid,{r.shift},{r.weight}" for r in instance.off_requests]
    (folder / "requests.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    rows = ["date,shift,required,under_weight,over_weight"]
    rows += [f"{DAY0 + dt.timedelta(days=c.day)},{c.shift},{c.requirement},{c.under_weight},{c.over_weight}"
             for c in instance.cover]
    (folder / "shift_cover.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def run(instance: Instance, time_limit_s: float, seed: int, workers: int, work_s: float | None = None) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        write_centre(instance, Path(scratch))
        started = time.perf_counter()
        centre = load_centre(scratch)
        problem = build_problem(centre, NO_REQUIREMENT, DAY0, DAY0 + dt.timedelta(days=instance.days - 1))
        result = solve(problem, time_limit_s=time_limit_s, work_s=work_s, seed=seed, workers=workers)
        seconds = time.perf_counter() - started
    shifts = result.frame[result.frame["activity"] == "shift"]
    roster = {(agent, (day - DAY0).days): code for agent, day, code in zip(shifts["agent"], shifts["date"],
                                                                          shifts["code"])}
    judged = evaluate(instance, roster)
    return {"objective": judged.objective, "feasible": judged.feasible, "violations": judged.violations,
            "engine": result.objective, "bound": result.bound, "status": result.status, "seconds": seconds,
            "penalties": judged.penalties, "repeatable": result.repeatable}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="*", type=int, default=list(range(1, 13)))
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--work", type=float, default=None,
                        help="seconds of search work (default 85%% of the time limit): on a slower machine, a longer "
                             "--time-limit with --work 51 gives the rosters of 60 s runs the clock did not cut")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--write", type=Path, default=ROOT / "bench" / "results" / "curtois.md")
    args = parser.parse_args()
    best = read_best_known(args.data / "best_known.csv")
    lines = [f"# Curtois & Qu benchmark on the roster engine ({dt.date.today()})", "",
             f"Machine: {cpu_model()}, {os.cpu_count()} cores visible; staffing {staffing_version()}, "
             f"ortools {md.version('ortools')}; "
             f"{args.time_limit:g} s per instance"
             + ("" if args.work is None else f" ({args.work:g} s of work)")
             + f", {args.workers} workers, seed {args.seed}.", "",
             "| instance | ours (evaluator) | engine objective | engine bound | best known | gap to best | hard rules "
             "| seconds | repeatable |", "|---|---|---|---|---|---|---|---|---|"]
    for number in args.instances:
        name = f"Instance{number}"
        instance = read_instance(args.data / f"{name}.txt")
        out = run(instance, args.time_limit, args.seed, args.workers, args.work)
        known = best[name][0]
        gap = (out["objective"] - known) / known
        rules = "all kept" if out["feasible"] else f"{len(out['violations'])} broken: {out['violations'][0]}"
        line = (f"| {number} | {out['objective']} | {out['engine']:.0f} | {out['bound']:.0f} | {known} | "
                f"{100 * gap:.1f}% | {rules} | {out['seconds']:.1f} | "
                f"{'yes' if out['repeatable'] else 'no: the clock stopped a search'} |")
        print(line, flush=True)
        lines.append(line)
    args.write.parent.mkdir(parents=True, exist_ok=True)
    args.write.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
