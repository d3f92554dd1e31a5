"""Rostering side by side with pyworkforce: its MinHoursRoster against our roster engine, 30
people x 28 days on the same requirement.

Run from the repository root with the bench venv (``bash bench/make_env.sh`` builds it)::

    bench/.venv/bin/python bench/compare_rostering.py

About 7 minutes on 2 cores. Writes ``bench/results/rostering_pyworkforce.md`` and prints a summary.

The requirement: the bundled example's own for the online line, service days 2026-08-24
(Monday) .. 2026-09-20 (Sunday): four whole weeks after the 818 peak, at the example's
volume (``forecast`` + ``requirements`` on ``data/example`` unchanged), 09:00-23:00 every day,
hourly. At the least-hours cover it takes 641 shifts with at most 24 on a day, so 30 people
who may work at most 24 of the 28 days (the example's rules) can staff it; the 818 month of
``compare_shifts.py`` needs 92 people on its peak day.

pyworkforce 0.5.1 plans in two steps, and the bench follows them: ``MinRequiredResources``
(``pyworkforce.scheduling``, cost = each template's hours) turns the hourly requirement into
shifts per template and day, then ``MinHoursRoster`` (``pyworkforce.rostering``) gives them
to people. Ours takes the hourly requirement directly. The mapping of the inputs:

* people: 30 for both (ours: agents B001-B030 in four teams of 8, 8, 7, 7, a copy of the
  example centre cut to the online line, changed in memory only);
* shifts: the online line's six templates with meals and breaks off for both (ours:
  ``meals = 0``, ``breaks = 0``; pyworkforce has no meals): D 09-18, M 11-20, E 14-23 (9 h),
  N 18-23 (5 h), P1 07-16, P2 17-02 (9 h); ``shifts_hours`` = those hours;
* ``required_resources[shift][day]`` = MinRequiredResources' counts; ours: the hourly
  requirement itself (it chooses its own shifts);
* ``min_working_hours`` = 0: the example gives no ``min_hours`` to anyone (``agents.csv``);
* ``max_resting`` = 28 - floor(641 / 30) = 7, so everyone works at least 21 days and the work is
  spread over the 30; ours: at least 4 rest days a month pro rata (3 in these days: 1 in
  August's 8, 2 in September's 20) and at most 6 working days in a row (which alone leaves
  at least 4 rest days in 28), nothing that spreads days worked; no ``max_weekends_worked``
  (the example sets none);
* ``non_sequential_shifts``: every pair (first, next day) that starts less than 10 h after
  the first ends, our ``min_rest_between_shifts_h = 10``: E then P1, N then P1, P2 then D, M or
  P1;
* no ``banned_shifts``, ``resources_preferences`` or ``resources_prioritization``; ours keeps
  its soft fairness of evening, weekend and peak-day shifts and its other rules;
* both: time limit 120 s, 2 workers (pyworkforce's ``num_search_workers`` is an attribute
  CP-SAT never reads, so the bench gives its solver ``parameters.num_workers = 2``), ours seed 0.

pyworkforce's non-sequence constraint is written as, for every day d and shift s,
sum over j of (x[d][s] x banned[s][j] + x[d+1][j]) <= 1, i.e. x[d][s] x (number of shifts
banned after s) + (shifts worked on d+1) <= 1: a shift with one banned successor forbids any
shift the next day, and one with two or more can never be worked. The bench shows it on three
one-person instances, runs MinHoursRoster with the mapped pairs (all six templates), and
again with the four templates its schedule uses (D, M, E, N: no pair of them is under 10 h
apart, so the list is empty and the constraint is never triggered).

Ours is run as shipped (with meals and breaks off it first tries its one-model path), with
that path switched off (the staged path it uses for every instance with meals), and as shipped
once more with ``max_weekends_worked = 3`` (so everyone has at least one whole weekend off of
the four), a rule of ours pyworkforce has no counterpart for.

Figures: paid agent-hours and agent-hours over and short of the hourly requirement (on the
09:00-23:00 line, time on shift while the line is closed counts as over); per person: days
worked, the longest run of consecutive working days, whole weekends (Saturday and Sunday)
off; breaches of our rules recounted on each roster; each solver's own gap; wall time. The
least-hours cover (the first step's optimum) bounds every roster's paid hours from below.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peers_common import (  # noqa: E402
    Coverage,
    Demand,
    OurRun,
    People,
    bench_centre,
    coverage,
    fmt,
    header,
    hourly_demand,
    on_line_from_roster,
    people_figures,
    pinned_workers,
    roster_shifts,
    run_ours,
    team_sizes,
    template_slots,
    write_report,
)

from staffing.centre import load_centre  # noqa: E402
from staffing.domain import Rules, ShiftTemplate  # noqa: E402

try:
    import pyworkforce.rostering.binary_programming as pw_rostering
    from pyworkforce.rostering.binary_programming import MinHoursRoster
    from pyworkforce.scheduling import MinRequiredResources
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit("pyworkforce is not installed here: run `bash bench/make_env.sh` and use bench/.venv/bin/python")

OUT = ROOT / "bench" / "results" / "rostering_pyworkforce.md"
COMMAND = "bench/.venv/bin/python bench/compare_rostering.py"
START, END = dt.date(2026, 8, 24), dt.date(2026, 9, 20)
PEOPLE = 30
TIME_LIMIT_S = 120.0
WEEKENDS_WORKED = 3   # the third run of ours: at most 3 of the 4 weekends worked
SEED = 0
WORKERS = 2
NO_CAP = 1_000


# ----------------------------------------------------------------------------- pyworkforce
def shift_counts(demand: Demand, templates: dict[str, ShiftTemplate]) -> tuple[np.ndarray, str, float]:
    """pyworkforce's first step: least-hours shifts per (day, template), its status and time."""
    cover = template_slots(templates, 60)
    model = MinRequiredResources(
        num_days=len(demand.days), periods=cover.shape[1],
        shifts_coverage={code: cover[s].tolist() for s, code in enumerate(templates)},
        required_resources=demand.hourly.tolist(), max_period_concurrency=NO_CAP, max_shift_concurrency=NO_CAP,
        cost_dict={code: t.minutes // 60 for code, t in templates.items()}, max_search_time=TIME_LIMIT_S,
        num_search_workers=WORKERS)
    model.solver.parameters.num_workers = WORKERS
    began = time.perf_counter()
    solution = model.solve()
    seconds = time.perf_counter() - began
    counts = np.zeros((len(demand.days), len(templates)), dtype=int)
    for item in solution["resources_shifts"]:
        counts[item["day"], list(templates).index(item["shift"])] = item["resources"]
    return counts, solution["status"], seconds


def banned_successions(templates: dict[str, ShiftTemplate], rules: Rules) -> list[dict[str, str]]:
    """Pairs (first, next day) less than ``min_rest_between_shifts`` apart: our rule as its list."""
    return [{"origin": a.code, "destination": b.code} for a in templates.values() for b in templates.values()
            if b.start_min + 1440 - a.end_min < rules.min_rest_between_shifts_min]


def run_roster(label: str, people: list[str], templates: dict[str, ShiftTemplate], counts: np.ndarray,
               max_resting: int, successions: list[dict[str, str]]) -> dict:
    """MinHoursRoster on the counts of ``templates`` (columns of ``counts`` in that order)."""
    model = MinHoursRoster(
        num_days=counts.shape[0], resources=people, shifts=list(templates),
        shifts_hours=[t.minutes // 60 for t in templates.values()], min_working_hours=0, banned_shifts=[],
        max_resting=max_resting,
        required_resources={code: counts[:, s].tolist() for s, code in enumerate(templates)},
        non_sequential_shifts=successions, max_search_time=TIME_LIMIT_S, num_search_workers=WORKERS)
    began = time.perf_counter()
    with pinned_workers(pw_rostering, WORKERS):
        solution = model.solve()
    seconds = time.perf_counter() - began
    shifts = {}
    if solution["status"] in ("OPTIMAL", "FEASIBLE"):
        day_index = {person: {} for person in people}
        for item in solution["resource_shifts"]:
            day_index[item["resource"]][item["day"]] = item["shift"]
        shifts = {(person, d): templates[code] for person, days in day_index.items() for d, code in days.items()}
    solver = model.solver
    return {"label": label, "status": solution["status"], "cost": solution["cost"],
            "bound": solver.best_objective_bound, "seconds": seconds, "shifts": shifts,
            "workers": solver.parameters.num_workers}


def succession_probes() -> list[tuple[str, str, str]]:
    """Three one-person instances of two days: (case, the right answer, pyworkforce's status)."""
    cases = [
        ("shifts A, B; A on both days; no pair banned", "feasible (A, A)", ["A", "B"], {"A": [1, 1], "B": [0, 0]},
         []),
        ("shifts A, B; A on both days; B may not follow A", "feasible (A, A): only A then B is banned",
         ["A", "B"], {"A": [1, 1], "B": [0, 0]}, [("A", "B")]),
        ("shifts A, B, C; A on day 1 only; B and C may not follow A", "feasible (A, rest)",
         ["A", "B", "C"], {"A": [1, 0], "B": [0, 0], "C": [0, 0]}, [("A", "B"), ("A", "C")]),
    ]
    out = []
    for case, right, shifts, required, banned in cases:
        model = MinHoursRoster(num_days=2, resources=["p"], shifts=shifts, shifts_hours=[8] * len(shifts),
                               min_working_hours=0, banned_shifts=[], max_resting=2, required_resources=required,
                               non_sequential_shifts=[{"origin": a, "destination": b} for a, b in banned],
                               max_search_time=10.0, num_search_workers=1)
        with pinned_workers(pw_rostering, 1):
            out.append((case, right, model.solve()["status"]))
    return out


def successor_note(pairs: list[dict[str, str]]) -> str:
    """'P2 has 3 banned successors (never usable), E 1 (...)' for the templates that have any."""
    banned: dict[str, int] = {}
    for pair in pairs:
        banned[pair["origin"]] = banned.get(pair["origin"], 0) + 1
    return ", ".join(f"{code} has {n} banned successor{'s' if n > 1 else ''} ("
                     + ("so it can never be worked" if n > 1 else "so every one is followed by a rest day") + ")"
                     for code, n in banned.items())


# ------------------------------------------------------------------------------ figures
def pw_coverage(shifts: dict[tuple[str, int], ShiftTemplate], demand: Demand) -> Coverage:
    on_line = np.zeros_like(demand.slots)
    cover = {}
    for (_, d), template in shifts.items():
        if template.code not in cover:
            cover[template.code] = template_slots({template.code: template}, demand.slot_min)[0]
        on_line[d] += cover[template.code]
    return coverage(on_line, sum(t.minutes for t in shifts.values()) / 60, demand)


def row(label: str, status: str, seconds: float, gap: str, c: Coverage | None, p: People | None,
        least_h: float, rules: Rules) -> str:
    if c is None or p is None:
        return f"| {label} | {status} | {seconds:.1f} | {gap} | | | | | | | |"
    return (f"| {label} | {status} | {seconds:.1f} | {gap} | {fmt(c.paid_h)} ({c.paid_h / least_h - 1:+.1%}) "
            f"| {fmt(c.over_h)} | {fmt(c.short_h, 1)} | {p.days_worked_min}-{p.days_worked_max} "
            f"| {p.longest_run} ({p.longest_run_mean:.1f}) | {p.weekends_off_min} / {p.weekends_off_mean:.2f} "
            f"| {p.over_consecutive} / {p.short_of_rest_days} / {p.short_rest} |")


def our_figures(run: OurRun, templates: dict[str, ShiftTemplate], people: list[str], demand: Demand,
                rules: Rules) -> tuple[str, str, Coverage | None, People | None]:
    if run.result is None:
        return run.error or "no roster", "", None, None
    r = run.result
    on_line, paid = on_line_from_roster(r.frame, demand)
    shifts = roster_shifts(r.frame, templates, demand.days[0])
    return (f"{r.status}, objective {fmt(r.objective)}, bound {fmt(r.bound)}", f"{r.gap:.1%}",
            coverage(on_line, paid, demand), people_figures(shifts, people, demand.days, rules))


def main() -> None:
    began = time.perf_counter()
    centre = load_centre(ROOT / "data" / "example")
    demand = hourly_demand(centre, START, END)
    ours_centre = bench_centre(centre, agents=PEOPLE, meals_and_breaks=False)
    weekend_centre = dataclasses.replace(
        ours_centre, rules=dataclasses.replace(ours_centre.rules, max_weekends_worked=WEEKENDS_WORKED))
    templates = dict(ours_centre.shifts)
    people = [a.id for a in ours_centre.agents]
    rules = centre.rules
    print(f"requirement: {len(demand.days)} days, {len(demand.frame)} open hours, "
          f"{fmt(demand.agent_hours)} agent-hours, peak {demand.slots.max()}")

    probes = succession_probes()
    counts, counts_status, counts_s = shift_counts(demand, templates)
    least = coverage(counts @ template_slots(templates, demand.slot_min),
                     float((counts * np.array([t.minutes for t in templates.values()])).sum()) / 60, demand)
    total = int(counts.sum())
    max_resting = len(demand.days) - total // PEOPLE
    used = [code for s, code in enumerate(templates) if counts[:, s].any()]
    mapped = banned_successions(templates, rules)
    used_templates = {code: templates[code] for code in used}
    used_pairs = banned_successions(used_templates, rules)
    print(f"shift counts: {counts_status}, {total} shifts, {fmt(least.paid_h)} h, max_resting {max_resting}, "
          f"templates used {used}, banned pairs {len(mapped)} (among those used {len(used_pairs)})")
    pw_runs = [
        run_roster("pyworkforce MinHoursRoster, six templates, the 10-h pairs", people, templates, counts,
                   max_resting, mapped),
        run_roster(f"pyworkforce MinHoursRoster, the templates its schedule uses ({', '.join(used)})", people,
                   used_templates, counts[:, [list(templates).index(code) for code in used]], max_resting,
                   used_pairs),
    ]
    for run in pw_runs:
        print(f"{run['label']}: {run['status']} in {run['seconds']:.1f} s")
    ours = [
        run_ours("ours, as shipped", ours_centre, demand, time_limit_s=TIME_LIMIT_S, seed=SEED, workers=WORKERS),
        run_ours("ours, staged path", ours_centre, demand, time_limit_s=TIME_LIMIT_S, seed=SEED, workers=WORKERS,
                 staged=True),
        run_ours(f"ours, as shipped, max_weekends_worked = {WEEKENDS_WORKED}", weekend_centre, demand,
                 time_limit_s=TIME_LIMIT_S, seed=SEED, workers=WORKERS),
    ]

    # --- report
    mix = ", ".join(f"{code} {int(counts[:, s].sum())}" for s, code in enumerate(templates) if counts[:, s].any())
    lines = header("Rostering against pyworkforce (`bench/compare_rostering.py`)", COMMAND)
    late = [list(templates).index(code) for code in ("E", "N") if code in templates]
    ne = int(counts[:, late].sum())
    ne_last = int(counts[-1, late].sum())
    lines += [
        "### Setup",
        "",
        f"- requirement: the example's own for the online line, service days {START} (Monday)..{END} (Sunday), "
        f"four whole weeks after the 818 peak at the example's volume: {len(demand.frame)} open hours "
        f"(09:00-23:00), **{fmt(demand.agent_hours)} agent-hours**, {demand.slots.max(axis=1).min()}-"
        f"{demand.slots.max()} agents at the busiest hour of a day. Hourly; meals and breaks off for both.",
        f"- pyworkforce's first step, MinRequiredResources (cost = hours, {counts_status}, {counts_s:.2f} s): "
        f"{total} shifts ({mix}), "
        f"at most {int(counts.sum(axis=1).max())} a day, **{fmt(least.paid_h)} paid agent-hours** "
        f"({fmt(least.over_h)} over the requirement): the least-hours cover, a lower bound for every roster below.",
        f"- {PEOPLE} people: ours B001-B{PEOPLE:03d} in teams of {team_sizes(ours_centre)} (a copy of the example "
        "centre cut to the online line, in memory).",
        "",
        "| rule | ours (`data/example/centre.toml`) | pyworkforce MinHoursRoster |",
        "|---|---|---|",
        "| coverage | hourly `required` per 10-minute slot, soft (1,000 per agent-minute short), `floor` 1 hard "
        "| `required_resources[shift][day]` = the first step's counts, hard (at least) |",
        "| shifts | the six templates every day, its own choice of mix | the same, in the first step's mix |",
        "| one shift a day | yes | yes |",
        f"| rest days | at least {rules.rest_days_per_month} a month pro rata (3 here) | none; `max_resting` = "
        f"{max_resting} caps them (everyone works at least {len(demand.days) - max_resting} days, spreading "
        f"{total} shifts over {PEOPLE}) |",
        f"| consecutive working days | at most {rules.max_consecutive_working_days} | no rule |",
        f"| rest between shifts | at least {rules.min_rest_between_shifts_min // 60} h | `non_sequential_shifts`: "
        + ", ".join(f"{p['origin']} then {p['destination']}" for p in mapped) + " |",
        "| minimum hours | none (no `min_hours` in the example's `agents.csv`) | `min_working_hours` = 0 |",
        "| weekends | no limit (`max_weekends_worked` unset in the example); evening, weekend and peak-day shifts "
        f"spread evenly (soft); a third run sets `max_weekends_worked = {WEEKENDS_WORKED}` | no rule |",
        "| objective | shortfall, then over-staffing and minutes worked, fairness | least hours |",
        "| time limit, workers | 120 s, 2, seed 0 | 120 s, 2 (`parameters.num_workers`, see the script) |",
        "",
        "### pyworkforce's non-sequence constraint",
        "",
        "For every day d and shift s it adds sum over j of (x[d][s] x banned[s][j] + x[d+1][j]) <= 1: working s "
        "on day d then forbids every shift on day d+1 when s has one banned successor, and s can never be worked "
        "when it has two or more. One person, two days:",
        "",
        "| instance | right answer | MinHoursRoster |",
        "|---|---|---|",
        *[f"| {case} | {right} | {status} |" for case, right, status in probes],
        "",
        f"With our 10-hour rule as its list: {successor_note(mapped)}. The first step's schedule has {ne} E and "
        f"N shifts, {ne_last} of them on the last day; each of the others forces a rest day on its next day, "
        f"{ne - ne_last} in all, while everyone working at least {len(demand.days) - max_resting} days leaves the "
        f"{PEOPLE} people at most {PEOPLE * max_resting} rest days: "
        + ("no roster exists under that reading." if ne - ne_last > PEOPLE * max_resting else
           "this count alone does not rule a roster out."),
        "",
        "### Results",
        "",
        "Paid agent-hours with their excess over the least-hours cover; runs are the longest run of consecutive "
        "working days of any person (mean of each person's longest); weekends: whole weekends off per person, "
        f"least / mean, of {people_figures({}, people, demand.days, rules).weekends}; breaches of our rules: people "
        f"over {rules.max_consecutive_working_days} days in a row / person-months short of rest days / shift pairs "
        f"under {rules.min_rest_between_shifts_min // 60} h apart.",
        "",
        "| method | status | wall (s) | gap (own bound) | paid agent-h | over the requirement agent-h | short "
        "agent-h | days worked | longest run (mean) | weekends off | breaches |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    summary = []
    for run in pw_runs:
        if run["shifts"]:
            c = pw_coverage(run["shifts"], demand)
            p = people_figures(run["shifts"], people, demand.days, rules)
            gap = f"{max(run['cost'] - run['bound'], 0) / run['cost']:.1%}"
            status = f"{run['status']}, cost {fmt(run['cost'])}, bound {fmt(run['bound'])}"
        else:
            c, p, gap, status = None, None, "", run["status"]
        lines.append(row(run["label"], status, run["seconds"], gap, c, p, least.paid_h, rules))
        summary.append((run["label"], c, p))
    for run in ours:
        status, gap, c, p = our_figures(run, templates, people, demand, rules)
        lines.append(row(run.label, status, run.seconds, gap, c, p, least.paid_h, rules))
        summary.append((run.label, c, p))
    lines += [
        "",
        "pyworkforce's gap is against its own proven bound (its objective is hours); a roster with the paid hours "
        "of the least-hours cover is optimal for its model whatever that gap says (its bound was not closed in the "
        "time). Ours is against the bound of the engine's own objective (shortfall x 1,000 + over-staffing + "
        "minutes worked + fairness x 120, in agent-minutes): stage 1's for the staged path, the one model's for the "
        "one-model path.",
        "",
    ]
    for label, c, p in summary:
        if c is None or p is None:
            continue
        lines.append(
            f"- {label}: {fmt(c.paid_h)} paid agent-hours ({c.paid_h / least.paid_h - 1:+.1%} over the least-hours "
            f"cover), {fmt(c.short_h, 1)} short; days worked {p.days_worked_min}-{p.days_worked_max}; longest run "
            f"{p.longest_run} days; whole weekends off {p.weekends_off_min}-{p.weekends_off_mean:.2f} (least-mean) "
            f"of {p.weekends}.")
    lines += ["", "### Engine logs (progress lines of each of our runs)", ""]
    for run in ours:
        lines += [f"{run.label}:", "", "```", *run.log[-14:], "```", ""]
    lines.append(f"Whole script: {time.perf_counter() - began:.0f} s.")
    write_report(OUT, lines)
    print(f"wrote {OUT.relative_to(ROOT)} in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
