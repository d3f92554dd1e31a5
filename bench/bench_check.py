"""`staffing check` speed (the check issue, point 6). From the repository root:

    python bench/bench_check.py                 # writes bench/results/check.md
    python bench/bench_check.py --replications 20 --repeat 3

The instance is the roster bench's M: 40 agents in 5 chat teams of 8, 4 weeks around the
818 peak (07:00-02:00 that day), the example's forecast and requirements. The solver does not
yet finish that size in minutes, so the roster is a pattern built here: two rest days a week,
D/M/E shifts in rotation within each team (P1/M/P2/E on the peak day) keeping the rest
between shifts, meals and then breaks placed greedily one at a time per team. It keeps nearly
every rule and is judged like any hand-made roster. Timed: reading the three files, and
`check_plan` without simulation and with `--simulate N` (one process); apart, the start-up
every command pays (Python and the imports).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_roster import instance  # noqa: E402
from machine import cpu_model  # noqa: E402

from staffing.check import check_plan  # noqa: E402
from staffing.frames import read_forecast, read_requirements, read_roster, write_table  # noqa: E402
from staffing.simulate import SimulationSettings  # noqa: E402

ROSTER_COLUMNS = ["agent", "team", "line", "date", "activity", "code", "start", "end"]
ROTATION = ("D", "M", "E")
PEAK_ROTATION = ("P1", "M", "P2", "E")


def pattern_roster(centre, start: dt.date, days: int) -> pd.DataFrame:
    """A roster for every agent: rest days, a template per working day, meals and breaks."""
    peak = {event.day for event in centre.events}
    rows, last_end = [], {}
    for d in range(days):
        day = start + dt.timedelta(days=d)
        midnight = pd.Timestamp(day)
        for t, team in enumerate(centre.teams):
            members = [a for a in centre.agents if a.team == team]
            working = []
            for j, agent in enumerate(members):
                if (d + j + t) % 7 in (0, 3):
                    rows.append(_row(agent, day, "rest", "rest", midnight, midnight + pd.Timedelta(days=1)))
                    continue
                choices = PEAK_ROTATION if day in peak else ROTATION
                first = len(working) + d + t
                order = [choices[(first + i) % len(choices)] for i in range(len(choices))] + list(ROTATION) + ["N"]
                code = next(c for c in order if _rested(centre, last_end.get(agent.id), midnight, c)
                            and (day in peak or c not in ("P1", "P2")))
                template = centre.shifts[code]
                shift = (midnight + pd.Timedelta(minutes=template.start_min),
                         midnight + pd.Timedelta(minutes=template.end_min))
                last_end[agent.id] = shift[1]
                rows.append(_row(agent, day, "shift", code, *shift))
                working.append((template.start_min, agent, template))
            rows += _team_away(centre, day, working)
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS)


def _rested(centre, last_end, midnight, code) -> bool:
    start = midnight + pd.Timedelta(minutes=centre.shifts[code].start_min)
    return last_end is None or start - last_end >= pd.Timedelta(minutes=centre.rules.min_rest_between_shifts_min)


def _row(agent, day, activity, code, start, end) -> tuple:
    return (agent.id, agent.team, agent.line, day, activity, code, start, end)


def _team_away(centre, day, working) -> list[tuple]:
    """Meals first (earliest window end first), then breaks, each in a free spot of the team's
    away channel on a 10-minute grid, the template's gap from the agent's other absences."""
    rules, midnight = centre.rules, pd.Timestamp(day)
    channel = np.zeros(2 * 1440, dtype=bool)
    placed = {agent.id: [] for _, agent, _ in working}
    out = []

    def place(agent, template, activity: str, first: int, last: int, length: int) -> None:
        gap = template.break_min_gap_min
        for lo in range(first, last + 1, 10):
            if channel[lo:lo + length].any():
                continue
            if all(lo + length + gap <= a or b + gap <= lo for a, b in placed[agent.id]):
                channel[lo:lo + length] = True
                placed[agent.id].append((lo, lo + length))
                out.append(_row(agent, day, activity, template.code, midnight + pd.Timedelta(minutes=lo),
                                midnight + pd.Timedelta(minutes=lo + length)))
                return

    meals = [(t.meal_window.end_min, agent, t) for _, agent, t in working if t.meals and t.meal_window]
    for _, agent, template in sorted(meals, key=lambda item: item[0]):
        window = template.meal_window
        place(agent, template, "meal", window.start_min, window.end_min - rules.meal_min, rules.meal_min)
    for _, agent, template in sorted(working, key=lambda item: item[0]):
        for _ in range(template.breaks):
            place(agent, template, "break", template.start_min + template.break_min_from_start_min,
                  template.end_min - template.break_min_from_end_min - rules.break_min, rules.break_min)
    return out


def timed(call, repeat: int):
    """The result of the last call and the best wall time of ``repeat`` calls."""
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - began)
    return result, best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", type=Path, default=ROOT / "bench" / "results" / "check.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        centre, need, start, end = instance("M", folder / "centre")
        days = (end - start).days + 1
        roster = pattern_roster(centre, start, days)
        paths = {name: folder / f"{name}.csv" for name in ("roster", "requirements", "forecast")}
        write_table(roster, paths["roster"], ROSTER_COLUMNS)
        write_table(need, paths["requirements"], list(need.columns))
        write_table(need, paths["forecast"], ["line", "start", "end", "contacts"])

        def read():
            return (read_roster(paths["roster"], centre), read_requirements(paths["requirements"], centre.lines),
                    read_forecast(paths["forecast"], centre.lines))

        (frame, requirements, forecast), read_s = timed(read, args.repeat)
        report, plain_s = timed(lambda: check_plan(centre, frame, requirements, forecast=forecast), args.repeat)
        settings = SimulationSettings(replications=args.replications, seed=0)
        simulated, sim_s = timed(lambda: check_plan(centre, frame, requirements, forecast=forecast,
                                                    simulation=settings), 1)
        contacts = float(forecast["contacts"].sum())
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import cli, staffing.check"], cwd=ROOT, check=True)
    startup_s = time.perf_counter() - began
    broken = {r.rule: len(r.violations) for r in report.rules if r.violations}
    missed = sum(not t.ok for t in report.targets)
    disagree = sum(t.formula_in_ci is False for t in simulated.targets if t.scope != "interval")
    compared = sum(t.formula_in_ci is not None for t in simulated.targets if t.scope != "interval")
    gaps = np.array([t.simulated - t.value for t in simulated.targets
                     if t.scope == "day" and t.target == "service_level" and t.simulated is not None])
    cpu = cpu_model()
    text = "\n".join([
        f"## staffing check ({dt.date.today()})", "",
        f"Machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; one process; best of "
        f"{args.repeat} for the reads and the check, one run with the simulation.", "",
        f"Instance: the roster bench's M centre, {len(centre.agents)} agents in {len(centre.teams)} chat teams, "
        f"{days} days ({start}..{end}, the 818 day 07:00-02:00), {len(frame):,} roster rows, "
        f"{len(requirements):,} requirement slots, {contacts:,.0f} forecast contacts; a pattern roster built "
        "by the script (it keeps nearly every rule: see the verdict line).", "",
        "| step | wall time |", "|---|---|",
        f"| read roster.csv, requirements.csv, forecast.csv | {read_s:.2f} s |",
        f"| check_plan: every rule and target, no simulation | {plain_s:.2f} s |",
        f"| check_plan with --simulate {args.replications} | {sim_s:.2f} s |",
        f"| Python start-up and `import cli` (added once per command) | {startup_s:.2f} s |", "",
        f"Verdict on the pattern roster: rules not kept {broken or 'none'}; {missed:,} target rows missed; "
        f"formula outside the simulation's 95% interval on {disagree} of {compared} line and day rows; "
        f"day service level, simulated minus formula: mean {100 * gaps.mean():+.1f} points "
        f"(from {100 * gaps.min():+.1f} to {100 * gaps.max():+.1f}).", "",
    ])
    args.write.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
