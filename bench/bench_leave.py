"""Leave decisions on the bundled example's 818 week (issue 7, point 5). From the repository root:

    python bench/bench_leave.py --write bench/results/leave.md
    python bench/bench_leave.py --roster R --requirements Q     # reuse a roster and its requirements

Without --roster, the roster is made with the product's own commands in a temporary folder:
`staffing forecast` (August 2026), `staffing requirements`, `staffing roster` for service
days 2026-08-15..2026-08-21 with `--time-limit 60`. Every decision runs on a fresh copy of
the ledger (leave.db removed) and is timed from the call to the recorded decision: loading
the centre folder, reading the roster and requirements, judging, the repair search, the
ledger transaction. The command line's own wall time (Python start-up and imports included)
is measured once for the decision without a repair.

Scenarios are picked from the roster (it differs from machine to machine under a time
limit), each naming its agent and day in the table:
- ledger only; roster (hard rules and floor); roster and requirements, no repair possible;
- repairs within a shortfall tolerance (`--max-extra-short` = the request's extra
  shortfall minus 60 agent-minutes): one that a rest-day swap fixes, one that a move fixes;
- a part-day meeting 12:00-14:00 that collides with the team's meals and breaks;
- tolerance 0 on a short day: the repair search has to prove that nothing recovers it;
- every agent working the peak day (2026-08-18) or 2026-08-20 at tolerance 0, one request each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ortools  # noqa: E402
from machine import cpu_model  # noqa: E402

from staffing import load_centre, read_requirements, read_roster  # noqa: E402
from staffing.leave import request_leave  # noqa: E402
from staffing.leave.judge import apply_request, judge_roster  # noqa: E402
from staffing.leave.request import parse_request  # noqa: E402

START, END = dt.date(2026, 8, 15), dt.date(2026, 8, 21)
SUBMITTED = "2026-08-03"
TIME_LIMIT_S = 20.0


def command(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], check=True, capture_output=True, text=True)


def make_roster(folder: Path) -> tuple[Path, Path, float]:
    """forecast -> requirements -> roster with the product's commands; returns paths and seconds."""
    began = time.perf_counter()
    centre = str(ROOT / "data" / "example")
    command("forecast", centre, "--start", "2026-08-01", "--end", "2026-08-31", "--out", str(folder / "forecast.csv"))
    command("requirements", centre, "--forecast", str(folder / "forecast.csv"), "--out",
            str(folder / "requirements.csv"))
    command("roster", centre, "--requirements", str(folder / "requirements.csv"), "--start", START.isoformat(),
            "--end", END.isoformat(), "--time-limit", "60", "--out", str(folder / "roster.csv"))
    return folder / "roster.csv", folder / "requirements.csv", time.perf_counter() - began


class Scenarios:
    """Requests picked from a roster: who works which day, their extra shortfall."""

    def __init__(self, centre_folder: Path, roster: Path, requirements: Path) -> None:
        self.centre = load_centre(centre_folder)
        self.roster = read_roster(roster, self.centre)
        self.requirements = read_requirements(requirements, self.centre)

    def extra_short(self, agent: str, day: dt.date) -> int:
        request = parse_request(self.centre, agent=agent, start=day.isoformat(), end=None, leave_type="annual",
                                submitted=SUBMITTED, now=dt.datetime(2026, 8, 3))
        after = apply_request(self.roster, request)
        return judge_roster(self.centre, self.roster, after, request, [day], self.requirements, 0).extra_short

    def working(self, day: dt.date, line: str, templates: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        rows = self.roster[(self.roster["date"] == day) & (self.roster["activity"] == "shift")
                           & (self.roster["line"] == line)]
        if templates:
            rows = rows[rows["code"].isin(templates)]
        return list(zip(rows["agent"], rows["team"]))

    def with_resting_teammate(self, day: dt.date) -> list[str]:
        rest = self.roster[(self.roster["date"] == day) & (self.roster["activity"] == "rest")]
        return [agent for agent, team in self.working(day, "online") if team in set(rest["team"])]


def decide(centre: Path, **request) -> tuple[float, object]:
    (centre / "leave.db").unlink(missing_ok=True)
    began = time.perf_counter()
    decision = request_leave(centre, submitted=SUBMITTED, time_limit_s=TIME_LIMIT_S, **request)
    return time.perf_counter() - began, decision


def timed(centre: Path, repeats: int, **request) -> tuple[float, float, object]:
    runs = [decide(centre, **request) for _ in range(repeats)]
    seconds = [s for s, _ in runs]
    return statistics.median(seconds), max(seconds), runs[-1][1]


def pick_repair(scenarios: Scenarios, centre: Path, files: dict, day: dt.date,
                kind: str) -> tuple[dict, str] | None:
    """The first agent on ``day`` whose request, at tolerance extra - 60, gets a repair of ``kind``."""
    agents = (scenarios.with_resting_teammate(day) if kind == "swap"
              else [agent for agent, _ in scenarios.working(day, "online")])
    for agent in agents:
        tolerance = max(scenarios.extra_short(agent, day) - 60, 0)
        request = dict(agent=agent, start=day.isoformat(), leave_type="annual", max_extra_short_min=tolerance, **files)
        _, decision = decide(centre, **request)
        if decision.changes and decision.changes[0].kind == kind:
            return request, f"{agent} {day} annual, tolerance {tolerance} agent-min"
    return None


COLD = """
import sys, time
from pathlib import Path
import staffing.leave
(Path(sys.argv[1]) / "leave.db").unlink(missing_ok=True)
began = time.perf_counter()
staffing.leave.request_leave(sys.argv[1], agent=sys.argv[2], start=sys.argv[3], leave_type="annual",
                             submitted=sys.argv[4], roster=sys.argv[5], time_limit_s=20)
print(time.perf_counter() - began)
"""


def cold_seconds(centre: Path, roster: Path, agent: str, day: dt.date) -> float:
    """One decision in a fresh process, after `import staffing.leave` (first-call costs included)."""
    done = subprocess.run([sys.executable, "-c", COLD, str(centre), agent, day.isoformat(), SUBMITTED, str(roster)],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    return float(done.stdout.strip().splitlines()[-1])


def scan(scenarios: Scenarios, centre: Path, files: dict) -> str:
    """Every agent working the peak day and the day after, tolerance 0: outcomes and times."""
    seconds, outcomes = [], {}
    days = (dt.date(2026, 8, 18), dt.date(2026, 8, 20))
    for day in days:
        for agent, _ in scenarios.working(day, "online") + scenarios.working(day, "hotline"):
            spent, decision = decide(centre, agent=agent, start=day.isoformat(), leave_type="annual", **files)
            seconds.append(spent)
            key = f"{decision.outcome} ({decision.repair_status or 'no search'})"
            outcomes[key] = outcomes.get(key, 0) + 1
    told = ", ".join(f"{count} {key}" for key, count in sorted(outcomes.items()))
    return (f"| every agent working {days[0]} or {days[1]}, tolerance 0 | {len(seconds)} requests | {told} | | | "
            f"{statistics.median(seconds):.2f} s | {max(seconds):.2f} s | {len(seconds)} |")


def pick_meeting(scenarios: Scenarios, centre: Path, roster: Path) -> dict:
    """A meeting 12:00-14:00 on 2026-08-19 for the first day-shift agent whose team's meals and
    breaks it collides with (so a repair is searched); the first day-shift agent otherwise."""
    agents = [agent for agent, _ in scenarios.working(dt.date(2026, 8, 19), "online", ("D", "P1"))]
    for agent in agents:
        meeting = dict(agent=agent, start="2026-08-19T12:00", end="2026-08-19T14:00", leave_type="meeting",
                       roster=roster)
        if decide(centre, **meeting)[1].changes:
            return meeting
    return dict(agent=agents[0], start="2026-08-19T12:00", end="2026-08-19T14:00", leave_type="meeting",
                roster=roster)


def cli_seconds(centre: Path, roster: Path, agent: str, day: dt.date) -> float:
    (centre / "leave.db").unlink(missing_ok=True)
    began = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "leave", "request", str(centre), "--agent", agent,
                    "--start", day.isoformat(), "--type", "annual", "--submitted", SUBMITTED, "--roster", str(roster)],
                   capture_output=True, text=True, check=False)
    return time.perf_counter() - began


def row(name: str, what: str, median: float, worst: float, decision, repeats: int) -> str:
    repair = "; ".join(f"{c.kind} {c.agent}" for c in decision.changes) or "-"
    status = decision.repair_status or "none needed"
    return (f"| {name} | {what} | {decision.outcome} | {status} | {repair} | {median:.2f} s | {worst:.2f} s | "
            f"{repeats} |")


def run(roster: Path | None, needs: Path | None) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        made = ""
        if roster is None:
            (folder / "made").mkdir()
            roster, needs, seconds = make_roster(folder / "made")
            made = f" (made here in {seconds:.0f} s: forecast, requirements, roster `--time-limit 60`)"
        centre = Path(shutil.copytree(ROOT / "data" / "example", folder / "centre"))
        roster = Path(shutil.copy(roster, folder / "roster.csv"))
        needs = Path(shutil.copy(needs, folder / "requirements.csv"))
        files = {"roster": roster, "requirements": needs}
        scenarios = Scenarios(centre, roster, needs)
        day = dt.date(2026, 8, 20)
        agent = scenarios.with_resting_teammate(day)[0]
        hotline = scenarios.working(dt.date(2026, 8, 19), "hotline")[0][0]
        base = dict(start=day.isoformat(), leave_type="annual")
        rows = []
        for name, what, request, repeats in [
            ("ledger only", f"{agent} {day} annual", dict(agent=agent, **base), 5),
            ("roster: hard rules and floor", f"{agent} {day} annual", dict(agent=agent, roster=roster, **base), 5),
            ("roster and requirements, tolerance 0", f"{hotline} 2026-08-19 annual",
             dict(agent=hotline, start="2026-08-19", leave_type="annual", **files), 3),
        ]:
            rows.append(row(name, what, *timed(centre, repeats, **request), repeats))
        for kind in ("swap", "move"):
            picked = pick_repair(scenarios, centre, files, day, kind)
            if picked is None:
                rows.append(f"| repair by {kind} | none found on {day} | | | | | | |")
                continue
            request, what = picked
            rows.append(row(f"repair by {kind}", what, *timed(centre, 3, **request), 3))
            if kind == "swap":
                applied = dict(request, apply=True, out=folder / "repaired.csv")
                rows.append(row("repair by swap, --apply (writes the roster)", what, *timed(centre, 3, **applied), 3))
        meeting = pick_meeting(scenarios, centre, roster)
        rows.append(row("part-day meeting", f"{meeting['agent']} 2026-08-19 12:00-14:00",
                        *timed(centre, 3, **meeting), 3))
        hardest = dict(agent=agent, **files, **base)
        rows.append(row("tolerance 0 on a short day", f"{agent} {day} annual", *timed(centre, 1, **hardest), 1))
        rows.append(scan(scenarios, centre, files))
        command_line = statistics.median(cli_seconds(centre, roster, agent, day) for _ in range(3))
        cold = statistics.median(cold_seconds(centre, roster, agent, day) for _ in range(3))
    cpu = cpu_model()
    return "\n".join([
        f"## Leave decisions ({dt.date.today()})", "",
        f"Machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, OR-Tools {ortools.__version__}. "
        f"The bundled example's roster for {START}..{END}{made}; repair time limit {TIME_LIMIT_S:g} s, one "
        "solver worker. Seconds from the call to the recorded decision (centre folder loaded, files read, "
        "judged, repair searched, ledger committed), median and worst of the runs in one process.", "",
        "| scenario | request | decision | repair search | repair | median | worst | runs |",
        "|---|---|---|---|---|---|---|---|", *rows, "",
        "The same decision without a repair (roster: hard rules and floor), once per fresh process: "
        f"{cold:.2f} s after `import staffing.leave` (median of 3 processes; first-call costs included), "
        f"{command_line:.2f} s as the command `staffing leave request ... --roster` (Python start-up and "
        "imports included, median of 3).", "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--roster", type=Path, help="roster.csv of the example's 2026-08-15..21 (else made here)")
    parser.add_argument("--requirements", type=Path, help="requirements.csv the roster was made for")
    parser.add_argument("--write", type=Path, help="also write the markdown table here")
    args = parser.parse_args()
    if (args.roster is None) != (args.requirements is None):
        parser.error("give --roster and --requirements together")
    text = run(args.roster, args.requirements)
    print(text, flush=True)
    if args.write:
        args.write.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
