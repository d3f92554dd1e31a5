"""Shift scheduling side by side with pyworkforce: its MinRequiredResources and MinAbsDifference
against our roster engine on the same 28-day hourly requirement, then our engine with meals,
breaks and one away at a time against an LP lower bound.

Run from the repository root with the bench venv (``bash bench/make_env.sh`` builds it)::

    bench/.venv/bin/python bench/compare_shifts.py

About 6 minutes on 2 cores. Writes ``bench/results/shifts_pyworkforce.md`` and prints a summary.

The requirement: the bundled example's own, for the online line (在线客服), service days
2026-08-03..2026-08-30 (four whole weeks, Monday to Sunday, with the 818 peak day on its
07:00-02:00 hours): ``forecast`` then ``requirements`` on ``data/example`` unchanged. The
forecast is hourly, so the requirement is constant within each hour (checked); both tools get
it hour by hour. Only ``required`` is used (and our hard ``floor`` of 1 in open hours, which
the requirement always meets); the daily-cap column ``day_min_agents`` is left out, since
pyworkforce has nothing like it.

The shifts: the online line's six templates in ``data/example/centre.toml`` (D 09-18, M 11-20,
E 14-23, N 18-23, P1 07-16, P2 17-02), offered to both on every day.

pyworkforce 0.5.1 (``pyworkforce.scheduling``): a day is 19 hourly periods from 07:00 to
02:00 (every template and every open hour lies inside; a service day's shifts never reach the
next day's), ``shifts_coverage`` = 1 in the hours a template spans, ``required_resources`` =
the hourly requirement. ``max_period_concurrency`` and ``max_shift_concurrency`` = 1,000 (no
cap: it plans counts per shift and day, not people). Time limit 120 s like ours, and 2
workers: it sets ``solver.num_search_workers``, an attribute CP-SAT never reads, so the bench
also sets ``solver.parameters.num_workers = 2`` on its solver. Runs:

* MinRequiredResources with ``cost_dict`` = each template's hours (the least agent-hours that
  cover every hour: the same goal as ours), and with its default cost (1 per shift: the
  fewest shifts);
* MinAbsDifference (the least sum over hours of |planned - required|; shortfall allowed).

Ours (``staffing.roster.problem.build_problem`` + ``staffing.roster.solve.solve``, time limit
120 s, seed 0, 2 workers) on a copy of the example centre changed in memory only:

* the online line alone, its six templates, the example's rules unchanged (one away per team,
  4 rest days a month pro rata: 3 in these 28 days of a 31-day month; at most 6 working days
  in a row; 10 h between shifts; the soft fairness of evening, weekend and peak-day shifts);
* the example's 34 online agents replaced by N new agents B001... in teams T01... of 8 (each
  a copy of team O1). N = the peak day's shift count in pyworkforce's least-hours schedule,
  rounded up to whole teams: with fewer people that cover cannot be staffed on 818; more
  people only rest (the engine has no minimum hours);
* part 1, meals and breaks off: every template with ``meals = 0``, no meal window, ``breaks =
  0``, as pyworkforce sees them. With no meal or break to place the engine's one-model path
  would take any size, but a centre this large with per-slot requirements takes the staged
  path (``_staged_is_better`` in ``staffing/roster/solve.py``); the bench runs it as shipped
  and once more with the one-model path switched off (``EXACT_LIMIT`` set to -1 for the
  call), i.e. through the staged path the engine uses for every instance with meals;
* part 2, the real templates (a 60-minute meal in its window for every 9-hour shift, two
  10-minute breaks, one for N), one away per team: the 28 days, and the 818 week
  (2026-08-17..2026-08-23) alone, against an LP lower bound.

The LP lower bound (``scipy.optimize.linprog``, HiGHS), per service day on 10-minute slots:
x_s >= 0 shifts of template s; o_s,k agents of those on the line in slot k, with o_s,k <= x_s,
o_s,k = x_s outside the slots where the template's meal (its meal window) or breaks (from
``break_min_from_start_min`` after the start to ``break_min_from_end_min`` before the end) may
fall; sum over k of o_s,k = x_s (shift slots - meal and break slots); in the meal window at
least x_s meal slots off the line; in the break region at least x_s break slots off the line;
sum over s of o_s,k >= required in every slot. Minimise the paid agent-hours sum x_s x length.
Every roster meeting the requirement in every slot gives such a point (each agent's meal lies
in its window and breaks in their region), so the optimum is a lower bound of its paid
agent-hours. It ignores: whole shifts (integrality), that a meal is one 60-minute block and a
break one 10-minute block spaced ``break_min_gap_min`` apart, one away per team and the teams,
the floor during meals and breaks, and everything about people (rest days, consecutive days,
10 h between shifts, the head count). With meals and breaks off it is the LP of pyworkforce's
least-hours model. Where our roster is short somewhere, the bench also bounds the paid hours
needed to cover what it covered: the same LP with the requirement cut to min(required, on the
line in our roster).

Figures are measured on the 07:00-02:00 axis in 10-minute slots: paid agent-hours (shift
lengths), on the line (shift minus meals and breaks), over the requirement (on the line above
it, including any time on shift while the line is closed), short of it, and hourly intervals
short somewhere.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from peers_common import (  # noqa: E402
    AXIS_START_MIN,
    TEAM_SIZE,
    Coverage,
    Demand,
    OurRun,
    bench_centre,
    coverage,
    fmt,
    header,
    hourly_demand,
    line_templates,
    on_line_from_roster,
    people_figures,
    roster_shifts,
    run_ours,
    team_sizes,
    template_slots,
    write_report,
)

from staffing.centre import load_centre  # noqa: E402
from staffing.domain import Rules, ShiftTemplate  # noqa: E402

try:
    from pyworkforce.scheduling import MinAbsDifference, MinRequiredResources
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit("pyworkforce is not installed here: run `bash bench/make_env.sh` and use bench/.venv/bin/python")

OUT = ROOT / "bench" / "results" / "shifts_pyworkforce.md"
COMMAND = "bench/.venv/bin/python bench/compare_shifts.py"
START, END = dt.date(2026, 8, 3), dt.date(2026, 8, 30)
WEEK = (dt.date(2026, 8, 17), dt.date(2026, 8, 23))   # the 818 week
TIME_LIMIT_S = 120.0
SEED = 0
WORKERS = 2
NO_CAP = 1_000


# ----------------------------------------------------------------------------- pyworkforce
def run_pyworkforce(kind: str, demand: Demand, templates: dict[str, ShiftTemplate]) -> dict:
    """One pyworkforce scheduler on the hourly requirement: counts (days, templates), time, status."""
    cover = template_slots(templates, 60)
    args = dict(num_days=len(demand.days), periods=cover.shape[1],
                shifts_coverage={code: cover[s].tolist() for s, code in enumerate(templates)},
                required_resources=demand.hourly.tolist(), max_period_concurrency=NO_CAP,
                max_shift_concurrency=NO_CAP, max_search_time=TIME_LIMIT_S, num_search_workers=WORKERS)
    if kind == "MinRequiredResources (cost = hours)":
        model = MinRequiredResources(**args, cost_dict={code: t.minutes // 60 for code, t in templates.items()})
    elif kind == "MinRequiredResources (default cost)":
        model = MinRequiredResources(**args)
    else:
        model = MinAbsDifference(**args)
    model.solver.parameters.num_workers = WORKERS
    began = time.perf_counter()
    solution = model.solve()
    seconds = time.perf_counter() - began
    counts = np.zeros((len(demand.days), len(templates)), dtype=int)
    codes = list(templates)
    if solution["status"] in ("OPTIMAL", "FEASIBLE"):
        for item in solution["resources_shifts"]:
            counts[item["day"], codes.index(item["shift"])] = item["resources"]
    return {"kind": kind, "status": solution["status"], "cost": solution["cost"],
            "bound": model.solver.best_objective_bound, "seconds": seconds, "counts": counts}


def counts_coverage(counts: np.ndarray, templates: dict[str, ShiftTemplate], demand: Demand) -> Coverage:
    on_line = counts @ template_slots(templates, demand.slot_min)
    paid = float((counts * np.array([t.minutes for t in templates.values()])).sum()) / 60
    return coverage(on_line, paid, demand)


# ------------------------------------------------------------------------------ LP bound
class _Rows:
    """Sparse rows of an LP, added one at a time: ``add([(column, value), ...], rhs)``."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.rhs: list[float] = []

    def add(self, entries: list[tuple[int, float]], rhs: float) -> None:
        for col, val in entries:
            self.rows.append(len(self.rhs))
            self.cols.append(col)
            self.vals.append(val)
        self.rhs.append(rhs)

    def matrix(self, columns: int):
        return coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.rhs), columns)).tocsr()


def lp_day(required: np.ndarray, templates: list[ShiftTemplate], rules: Rules, slot_min: int,
           away: bool) -> tuple[float, np.ndarray]:
    """The LP of one service day (module docstring): (least paid agent-hours, x per template)."""
    meal = rules.meal_min // slot_min
    brk = -(-rules.break_min // slot_min)
    n_t = len(templates)
    spans, offsets, nv = [], [], n_t
    for t in templates:
        first = (t.start_min - AXIS_START_MIN) // slot_min
        last = (t.end_min - AXIS_START_MIN) // slot_min
        spans.append((first, last))
        offsets.append(nv)
        nv += last - first
    upper, equal = _Rows(), _Rows()
    ub, eq = upper.add, equal.add

    def o(s: int, k: int) -> int:
        return offsets[s] + k - spans[s][0]

    for k in range(len(required)):
        terms = [(o(s, k), -1.0) for s, (first, last) in enumerate(spans) if first <= k < last]
        if required[k] > 0:
            if not terms:
                raise ValueError(f"no template covers axis slot {k}")
            ub(terms, -float(required[k]))
    for s, t in enumerate(templates):
        first, last = spans[s]
        window: set[int] = set()
        region: set[int] = set()
        away_slots = 0
        if away:
            if t.meals and t.meal_window is not None:
                window = set(range((t.meal_window.start_min - AXIS_START_MIN) // slot_min,
                                   (t.meal_window.end_min - AXIS_START_MIN) // slot_min))
            if t.breaks:
                region = set(range(first + t.break_min_from_start_min // slot_min,
                                   last - t.break_min_from_end_min // slot_min))
            away_slots = t.meals * meal + t.breaks * brk
        for k in range(first, last):
            if k in window or k in region:
                ub([(o(s, k), 1.0), (s, -1.0)], 0.0)
            else:
                eq([(o(s, k), 1.0), (s, -1.0)], 0.0)
        eq([(o(s, k), 1.0) for k in range(first, last)] + [(s, -float(last - first - away_slots))], 0.0)
        if window and t.meals:
            ub([(o(s, k), 1.0) for k in window] + [(s, -float(len(window) - t.meals * meal))], 0.0)
        if region and t.breaks:
            ub([(o(s, k), 1.0) for k in region] + [(s, -float(len(region) - t.breaks * brk))], 0.0)
    cost = np.zeros(nv)
    cost[:n_t] = [t.minutes / 60 for t in templates]
    result = linprog(cost, A_ub=upper.matrix(nv), b_ub=upper.rhs, A_eq=equal.matrix(nv), b_eq=equal.rhs,
                     bounds=(0, None), method="highs")
    if result.status != 0:
        raise RuntimeError(f"LP failed: {result.message}")
    return float(result.fun), result.x[:n_t]


def lp_bound(required_slots: np.ndarray, templates: dict[str, ShiftTemplate], rules: Rules, slot_min: int,
             away: bool) -> tuple[float, np.ndarray, float]:
    """Sum of the daily LPs: (paid agent-hours, x (days, templates), seconds)."""
    began = time.perf_counter()
    total, xs = 0.0, []
    for day in required_slots:
        value, x = lp_day(day, list(templates.values()), rules, slot_min, away)
        total += value
        xs.append(x)
    return total, np.array(xs), time.perf_counter() - began


def sub_demand(demand: Demand, first: dt.date, last: dt.date) -> Demand:
    lo, hi = (first - demand.days[0]).days, (last - demand.days[0]).days + 1
    axis = dt.timedelta(minutes=AXIS_START_MIN)  # service day D runs from D 07:00 to D+1 07:00 on the axis
    frame = demand.frame[(demand.frame["start"] >= dt.datetime.combine(first, dt.time()) + axis)
                         & (demand.frame["start"] < dt.datetime.combine(last + dt.timedelta(days=1), dt.time()) + axis)]
    return Demand(days=demand.days[lo:hi], frame=frame.reset_index(drop=True), slots=demand.slots[lo:hi],
                  slot_min=demand.slot_min)


# ------------------------------------------------------------------------------ report
def shift_mix(counts_by_code: dict[str, int]) -> str:
    return ", ".join(f"{code} {n}" for code, n in counts_by_code.items() if n)


def roster_mix(run: OurRun, templates: dict[str, ShiftTemplate]) -> dict[str, int]:
    shifts = run.result.frame[run.result.frame["activity"] == "shift"]
    counts = shifts["code"].value_counts()
    return {code: int(counts.get(code, 0)) for code in templates}


def coverage_cells(c: Coverage) -> str:
    return (f"{fmt(c.paid_h)} | {fmt(c.on_line_h)} | {fmt(c.over_h)} | {fmt(c.short_h, 1)} | {c.short_hours} "
            f"({c.short_slots} slots)")


def our_row(run: OurRun, demand: Demand, templates: dict[str, ShiftTemplate]) -> tuple[str, Coverage | None]:
    if run.result is None:
        return f"| {run.label} | {run.error} | {run.seconds:.1f} | | | | | | |", None
    on_line, paid = on_line_from_roster(run.result.frame, demand)
    c = coverage(on_line, paid, demand)
    r = run.result
    status = f"{r.status}, objective {fmt(r.objective)}, bound {fmt(r.bound)}, gap {r.gap:.1%}"
    shifts = sum(roster_mix(run, templates).values())
    return f"| {run.label} | {status} | {run.seconds:.1f} | {shifts} | {coverage_cells(c)} |", c


def people_line(run: OurRun, templates: dict[str, ShiftTemplate], centre, demand: Demand) -> str:
    agents = [a.id for a in centre.agents]
    p = people_figures(roster_shifts(run.result.frame, templates, demand.days[0]), agents, demand.days,
                       centre.rules)
    return (f"days worked {p.days_worked_min}-{p.days_worked_max} per agent, longest run {p.longest_run} days; "
            f"breaches: {p.over_consecutive} agents over {centre.rules.max_consecutive_working_days} days in a "
            f"row, {p.short_of_rest_days} agent-months short of rest days, {p.short_rest} shift pairs under "
            f"{centre.rules.min_rest_between_shifts_min // 60} h apart.")


def main() -> None:
    began = time.perf_counter()
    centre = load_centre(ROOT / "data" / "example")
    demand = hourly_demand(centre, START, END)
    real = line_templates(centre)
    bare = {code: t for code, t in bench_centre(centre, agents=1, meals_and_breaks=False).shifts.items()}
    print(f"requirement: {len(demand.days)} days, {len(demand.frame)} open hours, "
          f"{fmt(demand.agent_hours)} agent-hours, peak {demand.slots.max()}")

    # --- pyworkforce
    runs = [run_pyworkforce(kind, demand, bare) for kind in
            ("MinRequiredResources (cost = hours)", "MinRequiredResources (default cost)", "MinAbsDifference")]
    for run in runs:
        run["coverage"] = counts_coverage(run["counts"], bare, demand)
        print(f"pyworkforce {run['kind']}: {run['status']} in {run['seconds']:.2f} s, "
              f"paid {fmt(run['coverage'].paid_h)} h, over {fmt(run['coverage'].over_h)} h, "
              f"short {fmt(run['coverage'].short_h)} h")
    least_hours = runs[0]
    peak_shifts = int(least_hours["counts"].sum(axis=1).max())
    agents_off = TEAM_SIZE * -(-peak_shifts // TEAM_SIZE)

    # --- LP bounds
    lp_off, _, lp_off_s = lp_bound(demand.slots, bare, centre.rules, demand.slot_min, away=False)
    lp_on, x_on, lp_on_s = lp_bound(demand.slots, real, centre.rules, demand.slot_min, away=True)
    agents_on = TEAM_SIZE * -(-int(np.ceil(x_on.sum(axis=1).max() - 1e-6)) // TEAM_SIZE)
    print(f"LP bounds: meals off {fmt(lp_off, 1)} h ({lp_off_s:.2f} s), meals on {fmt(lp_on, 1)} h ({lp_on_s:.2f} s)")

    # --- ours, meals and breaks off
    off_centre = bench_centre(centre, agents=agents_off, meals_and_breaks=False)
    ours_off = [
        run_ours("ours, as shipped", off_centre, demand, time_limit_s=TIME_LIMIT_S, seed=SEED,
                 workers=WORKERS),
        run_ours("ours, staged path", off_centre, demand, time_limit_s=TIME_LIMIT_S, seed=SEED, workers=WORKERS,
                 staged=True),
    ]

    # --- ours, meals and breaks on
    on_centre = bench_centre(centre, agents=agents_on, meals_and_breaks=True)
    week = sub_demand(demand, *WEEK)
    lp_week, _, _ = lp_bound(week.slots, real, centre.rules, week.slot_min, away=True)
    ours_on = [
        (run_ours("ours, 28 days", on_centre, demand, time_limit_s=TIME_LIMIT_S, seed=SEED, workers=WORKERS),
         demand, lp_on),
        (run_ours("ours, the 818 week", on_centre, week, time_limit_s=TIME_LIMIT_S, seed=SEED, workers=WORKERS),
         week, lp_week),
    ]

    # --- report
    lines = header("Shift scheduling against pyworkforce (`bench/compare_shifts.py`)", COMMAND)
    open_hours = len(demand.frame)
    peak_index = int(demand.slots.sum(axis=1).argmax())
    peak_day = demand.days[peak_index]
    normal_peaks = np.delete(demand.slots.max(axis=1), peak_index)
    lines += [
        "### Setup",
        "",
        f"- requirement: the example's own (`forecast` + `requirements` on `data/example`), online line, service "
        f"days {START}..{END} ({len(demand.days)} days, {open_hours} open hours, 09:00-23:00 and 07:00-02:00 on "
        f"{peak_day}): **{fmt(demand.agent_hours)} agent-hours** on the line, "
        f"{normal_peaks.min()}-{normal_peaks.max()} agents at the busiest hour of the other days, "
        f"{demand.slots[peak_index].max()} on {peak_day}. Hourly (the forecast is hourly); both tools get the "
        "same hours.",
        "- shifts: the online line's templates in `data/example/centre.toml`, every day, for both:",
        "",
        "| template | hours | paid h | meal (window) | breaks | on the line with meals and breaks |",
        "|---|---|---|---|---|---|",
    ]
    for t in real.values():
        away = t.meals * centre.rules.meal_min + t.breaks * centre.rules.break_min
        window = f"{t.meals} x {centre.rules.meal_min} min ({t.meal_window})" if t.meals else "none"
        lines.append(f"| {t.code} | {t} | {t.minutes / 60:g} | {window} | {t.breaks} x {centre.rules.break_min} min "
                     f"| {(t.minutes - away) / 60:.2f} h |")
    lines += [
        "",
        "- pyworkforce 0.5.1: 19 hourly periods per day from 07:00 to 02:00, `shifts_coverage` from the templates' "
        f"hours, `required_resources` = the hourly requirement, `max_period_concurrency` = `max_shift_concurrency` = "
        f"{NO_CAP:,} (no cap), `max_search_time` = {TIME_LIMIT_S:g} s, 2 workers (`num_search_workers=2`, which it "
        "stores as a solver attribute CP-SAT never reads, so the bench also sets `parameters.num_workers = 2`).",
        f"- ours: `build_problem` + `solve(time_limit_s={TIME_LIMIT_S:g}, seed={SEED}, workers={WORKERS})` on the "
        "hourly rows (`line,start,end,required,floor`; the daily-cap column left out) and a copy of the example "
        "centre changed in memory: the online line alone, its six templates, the example's rules (one away per "
        "team, 3 rest days in these 28 days, at most 6 working days in a row, 10 h between shifts, fair evening / "
        f"weekend / peak-day shifts), and **{agents_off} agents** in teams of {TEAM_SIZE} "
        f"({team_sizes(off_centre)}) instead of the example's 34: pyworkforce's least-hours schedule works "
        f"{peak_shifts} shifts on 818, so fewer people could not staff that cover there; more only rest.",
        "",
        "### 1. Meals and breaks off: the same problem for both",
        "",
        "Our templates with `meals = 0`, `breaks = 0` (the whole shift on the line, as pyworkforce sees them). "
        "Agent-hours on the 07:00-02:00 axis; \"over\" counts agents on the line above the requirement, also while "
        "the line is closed (P1 before 09:00 on a normal day).",
        "",
        "| method | status | wall (s) | shifts | paid agent-h | on the line agent-h | over the requirement "
        "agent-h | short agent-h | hours short (10-min slots) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        bound = f", bound {fmt(run['bound'])}" if run["status"] in ("OPTIMAL", "FEASIBLE") else ""
        lines.append(f"| pyworkforce {run['kind']} | {run['status']}, cost {fmt(run['cost'])}{bound} | "
                     f"{run['seconds']:.2f} | {int(run['counts'].sum())} | {coverage_cells(run['coverage'])} |")
    off_cov = {}
    for run in ours_off:
        row, c = our_row(run, demand, bare)
        lines.append(row)
        off_cov[run.label] = c
    lines += [
        f"| LP bound (meals off) | {lp_off_s:.2f} s | | | {fmt(lp_off, 1)} | | | | |",
        "",
        "Shift mix (shifts over the 28 days):",
        "",
    ]
    codes = list(bare)
    for run in runs:
        lines.append(f"- pyworkforce {run['kind']}: "
                     + shift_mix(dict(zip(codes, run["counts"].sum(axis=0).tolist()))))
    for run in ours_off:
        if run.result is not None:
            lines.append(f"- {run.label}: " + shift_mix(roster_mix(run, bare)))
    staged = off_cov.get("ours, staged path")
    least, fewest, absdiff = (run["coverage"] for run in runs)
    same_lp = abs(lp_off - least.paid_h) < 0.5
    lines += [
        "",
        "Reading it:",
        "",
        f"- pyworkforce's MinRequiredResources with hours as the cost is the least-hours cover of this requirement "
        f"with these shifts ({least_hours['status']}): {fmt(least.paid_h)} paid agent-hours, {fmt(least.over_h)} "
        "over the requirement, since whole 5- and 9-hour shifts cannot follow the hourly profile exactly. "
        + (f"The LP gives the same {fmt(lp_off, 1)}: the LP is integral here. " if same_lp else
           f"The LP gives {fmt(lp_off, 1)}. ")
        + "It plans counts per shift and day, not named agents: no rest days, no limit on consecutive days, no "
        "rest between shifts, no head count; a roster of named people must still be made from it.",
        f"- With its default cost (1 per shift) it minimises the number of shifts ({int(runs[1]['counts'].sum())}; "
        f"the least-hours schedule has {int(runs[0]['counts'].sum())}), not hours: "
        f"{fmt(fewest.paid_h)} paid agent-hours, {fmt(fewest.over_h)} over the requirement.",
        f"- MinAbsDifference weighs an hour short the same as an hour over: {fmt(absdiff.short_h)} agent-hours "
        f"short in {absdiff.short_hours} hourly intervals, {fmt(absdiff.over_h)} over.",
    ]
    if staged is not None:
        lines.append(
            f"- Ours through the staged path: a named roster for {agents_off} agents keeping every rule, "
            f"{fmt(staged.paid_h)} paid agent-hours and {fmt(staged.short_h, 1)} short, against the proven "
            f"least {fmt(least.paid_h)} of the rule-free count model: "
            + ("the same hours, so the people rules cost nothing here."
               if abs(staged.paid_h - least.paid_h) < 0.5 else f"{staged.paid_h / least.paid_h - 1:+.1%}."))
    for run in ours_off:
        if run.result is not None:
            lines.append(f"- {run.label}, the people rules recounted on its roster: "
                         + people_line(run, bare, off_centre, demand))
    shipped = off_cov.get("ours, as shipped")
    if shipped is not None:
        lines.append(
            f"- Ours as shipped: with no meal or break to place and per-slot requirements, this {agents_off}-agent, "
            f"28-day centre is large enough to take the staged path (`_staged_is_better`), so it is the run "
            f"above: {ours_off[0].seconds:.0f} s of the {TIME_LIMIT_S:g} s limit, {fmt(shipped.paid_h)} paid "
            f"agent-hours and {fmt(shipped.short_h, 1)} short.")

    lines += [
        "",
        "### 2. Meals, breaks and one away at a time on: ours against an LP lower bound",
        "",
        f"The real templates; {agents_on} agents in teams of {TEAM_SIZE} ({team_sizes(on_centre)}): the LP below "
        f"works at most {x_on.sum(axis=1).max():.1f} shifts a day. pyworkforce cannot express meals, breaks or the "
        "away channel, so this part is ours alone. The LP (per service day, 10-minute slots, HiGHS): x_s >= 0 "
        "shifts of template s; o_s,k of them on the line in slot k, o_s,k <= x_s, and o_s,k = x_s outside the "
        "slots where the template's meal (its window) or breaks (from `break_min_from_start_min` after its start "
        "to `break_min_from_end_min` before its end) may fall; sum over k of o_s,k = x_s x (shift - meal - breaks); "
        "at least x_s meal slots off the line in the meal window and x_s break slots in the break region; sum over "
        "s of o_s,k >= required in every slot; minimise paid hours sum x_s x length. Every roster that meets the "
        "requirement in every slot is such a point, so the optimum bounds its paid agent-hours from below. It "
        "ignores whole shifts, the meal as one 60-minute block and breaks as 10-minute blocks spaced apart, one "
        "away per team, the floor while away, and all people rules (rest days, consecutive days, 10 h between "
        "shifts, head count).",
        "",
        "| run | status | wall (s) | shifts | paid agent-h | on the line agent-h | over the requirement agent-h "
        "| short agent-h | hours short (10-min slots) | LP bound, paid agent-h | paid over the LP | LP bound for "
        "what ours covered |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    on_figures = []
    for run, part, bound in ours_on:
        row, c = our_row(run, part, real)
        if c is None:
            lines.append(row[:-1] + f" {fmt(bound, 1)} | | |")
            on_figures.append((run, part, bound, None, None))
            continue
        on_line, _ = on_line_from_roster(run.result.frame, part)
        covered = np.minimum(part.slots, np.clip(on_line, 0, None))
        covered_bound, _, _ = lp_bound(covered, real, centre.rules, part.slot_min, away=True)
        lines.append(row + f" {fmt(bound, 1)} | {c.paid_h / bound - 1:+.1%} | {fmt(covered_bound, 1)} "
                     f"({c.paid_h / covered_bound - 1:+.1%}) |")
        on_figures.append((run, part, bound, c, covered_bound))
    lines += [
        "",
        f"LP bounds: the 28 days {fmt(lp_on, 1)} paid agent-hours ({lp_on_s:.2f} s for 28 daily LPs), "
        f"{lp_on / lp_off - 1:.1%} above the meals-off bound ({fmt(lp_off, 1)}): meals and breaks cost at "
        f"least {fmt(lp_on - lp_off, 1)} paid agent-hours on this requirement; the 818 week {fmt(lp_week, 1)}.",
        "",
    ]
    for run, _part, bound, c, covered_bound in on_figures:
        if c is None:
            lines.append(f"- {run.label}: no roster ({run.error}).")
        elif c.short_h > 0:
            lines.append(
                f"- {run.label}: {fmt(c.short_h, 1)} agent-hours short of the requirement, so its "
                f"{fmt(c.paid_h)} paid hours are not comparable with the full-cover bound {fmt(bound, 1)}; what it "
                f"did cover needs at least {fmt(covered_bound, 1)} paid hours, and it paid "
                f"{c.paid_h / covered_bound - 1:+.1%} over that.")
        else:
            lines.append(f"- {run.label}: full cover with {fmt(c.paid_h)} paid agent-hours, "
                         f"{c.paid_h / bound - 1:+.1%} over the LP bound.")
    lines += ["", "### Engine logs (progress lines of each of our runs)", ""]
    for run in [*ours_off, *(item[0] for item in ours_on)]:
        lines += [f"{run.label}:", "", "```", *run.log[-14:], "```", ""]
    lines.append(f"Whole script: {time.perf_counter() - began:.0f} s.")
    write_report(OUT, lines)
    print(f"wrote {OUT.relative_to(ROOT)} in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
