"""Stage 3 of the staged roster: meals and breaks placed exactly, one line and service day at
a time, in the shifts the agents were named to (``solve.py`` composes the stages).

Each line-day is one CP-SAT model (``breaks.BREAK_RULES`` and ``breaks.add_day_coverage``): one
boolean per possible start of each meal and break, so coverage is exact; the floor is hard and
shortfall minimised. Each line-day gets the work left in proportion to its agents on shift.
Stage 1's placement (``polish.polish_days``), read back first, stands unless a short search from
it beats it, and needs no search where no slot can be short (``search.least_objective``); any
other line-day starts from a placement built without search (``greedy.py``), which stands when
the search finds nothing in its share (so a large peak line-day no longer fails for want of
time). A line-day whose floor cannot be kept is a :class:`DayFailure` (stage 1 then asks for one
more on the line there)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from staffing.errors import NoRosterFoundError
from staffing.roster.breaks import BREAK_RULES, Assignment, Away, BreakVars, add_day_coverage
from staffing.roster.greedy import greedy_placement
from staffing.roster.problem import RosterProblem
from staffing.roster.search import PLACING_WORK_PER_S, Budget, least_objective, set_domain
from staffing.roster.variables import minimize

HINTED_S = 1.0  # work (seconds on 2 cores) for a line-day of stage 3 that starts from stage 1's placement


class DayFailure(Exception):
    """Stage 3 could not place one line-day's meals and breaks while keeping the floor."""

    def __init__(self, line: str, day: int, conflicts: list[str]) -> None:
        super().__init__(line, day)
        self.line, self.day, self.conflicts = line, day, conflicts


def place_breaks(p: RosterProblem, shifts: dict[tuple[int, int], int], budget: Budget, seed: int,
                 workers: int, progress: Callable[[str], None] | None, started: float,
                 paths: dict | None = None) -> dict[tuple[int, int], list[tuple[str, int, int]]]:
    """Stage 3 for every (line, day): returns (agent, day) -> [(kind, first slot, end slot)].
    ``paths``: (team, day, template) -> each agent's meals and breaks as stage 1 placed them
    (``polish.polish_days``); a line-day with all of them starts there and gets little time."""
    placed: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
    jobs = [(line, d) for line in p.lines for d in range(len(p.days))]
    sizes = {(line, d): 1 + sum(1 for (a, day) in shifts if day == d and p.agents[a].line == line) for line, d in jobs}
    left = sum(sizes.values())
    for line, d in jobs:
        # each line-day gets the work left in proportion to its agents on shift
        job = budget.part(sizes[line, d] / left)
        left -= sizes[line, d]
        model, v, work, present, fixed = day_model(p, shifts, placed, line, d)
        day = str(p.days[d])
        from_paths = _stage_one_starts(v, p, line, work, d, paths, present - fixed) if paths else None
        hinted, built = from_paths is not None, None
        # stage 1's placement read back in this model: where it keeps every rule it stands
        # unless the search beats it (a search cut short may end above its own hint), and where
        # no placement can cost less (no slot short: most ordinary days) no search is needed
        kept = _kept(model, v, from_paths, job, seed) if hinted else None
        if kept is not None and kept[0].objective_value <= least_objective(model) + 1e-9:
            solver, status = kept
        else:
            if not hinted:
                built = greedy_placement(p, v, work, line, d, present - fixed, job, seed)
            if hinted or built is not None:  # a start that keeps every hard rule: the search improves on it
                _hint_starts(model, v, from_paths if hinted else built[0])
            solver = job.solver(seed, workers, most_s=HINTED_S if hinted else None, rate=PLACING_WORK_PER_S,
                                at_least_s=0.5)
            status = solver.solve(model)
            if kept is not None and (status not in (cp_model.OPTIMAL, cp_model.FEASIBLE)
                                     or kept[0].objective_value < solver.objective_value - 1e-9):
                solver, status = kept
        # the search did not even take up its start in its share (a large line-day), and stage
        # 1's placement does not keep every rule here: a placement built without search stands
        if status == cp_model.UNKNOWN and hinted:
            built = greedy_placement(p, v, work, line, d, present - fixed, job, seed)
        if status == cp_model.UNKNOWN and built is not None:
            solver, status = _kept(model, v, built[0], job, seed) or (solver, status)
        if status == cp_model.UNKNOWN and not budget.done(1.0):
            # none found in its share (a peak day, its floor tight): once more on half of what is left
            model.clear_hints()
            solver = budget.part(0.5).solver(seed, workers, rate=PLACING_WORK_PER_S, at_least_s=0.5)
            status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            from staffing.roster.diagnose import explain_day

            raise DayFailure(line, d, explain_day(p, line, d, work, present))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise NoRosterFoundError(f"meals and breaks of line {line} on {day} could not be placed in time: give "
                                     "more time (--time-limit) or more workers (--workers)")
        for item in v.items:
            k = next(k for k, var in item.starts.items() if solver.boolean_value(var))
            placed.setdefault((item.agent, d), []).append((item.kind, k, k + item.length))
    if progress is not None:
        progress(f"breaks: {len(jobs)} line-days placed, {time.perf_counter() - started:.1f} s")
    return placed


def day_model(p: RosterProblem, shifts: dict[tuple[int, int], int], placed: dict, line: str, d: int):
    """Stage 3's model of one line-day: (model, its ``BreakVars``, the agents' assignments,
    on shift in each slot, away in each slot for the day before's shifts)."""
    work = [Assignment(agent=a, template=s, first=p.shift_slots(p.templates[s])[0],
                       last=p.shift_slots(p.templates[s])[1])
            for (a, day), s in sorted(shifts.items()) if day == d and p.agents[a].line == line]
    present = present_on_shift(p, shifts, line, d)
    fixed = fixed_away(p, placed, line, d)
    model = cp_model.CpModel()
    v = BreakVars()
    day = str(p.days[d])
    for rule in BREAK_RULES:
        rule(model, v, p, work, day)
    minimize(model, add_day_coverage(model, v, p, line, d, present, fixed, day))
    return model, v, work, present, fixed


def _stage_one_starts(v: BreakVars, p: RosterProblem, line: str, work: list[Assignment], d: int, paths: dict,
                     on_line: np.ndarray) -> dict[int, int] | None:
    """Stage 1's placement of the line-day as stage 3's starts (item index in ``v.items`` -> slot):
    each (team, template)'s paths go to its agents in order of their meals (the order stage 3
    keeps among interchangeable agents; where the names put fewer on a template than the
    polish placed, the first of them). ``None`` unless every agent on shift got one and they
    keep the floor (``on_line``: on shift and not away for the day before)."""
    groups: dict[tuple[str, int], list[int]] = {}
    for w in work:
        groups.setdefault((p.agents[w.agent].team, w.template), []).append(w.agent)
    chosen: list[tuple[Away, int]] = []  # each meal and break with its start
    for (team, s), agents in groups.items():
        found = paths.get((team, d, s))
        if found is None or len(found) < len(agents):
            return None
        # fewer named than counted (names moved agent-days off the counts): the first paths, in
        # order of their meals; the team is away no more often than in the polish's placement
        ordered = sorted(found, key=lambda path: ([k for kind, k in path if kind == "meal"], path))[:len(agents)]
        for agent, path in zip(agents, ordered, strict=True):
            for kind in ("meal", "break"):
                mine = [item for item in v.of(agent) if item.kind == kind]
                starts = [k for own_kind, k in path if own_kind == kind]
                if len(mine) != len(starts) or any(k not in item.starts for item, k in zip(mine, starts, strict=True)):
                    return None
                chosen.extend(zip(mine, starts, strict=True))
    on_line = on_line.copy()
    for item, k in chosen:
        on_line[k:k + item.length] -= 1
    if (on_line < np.where(p.open_slots[line][d], p.floor[line][d], 0)).any():
        return None
    index = {id(item): i for i, item in enumerate(v.items)}
    return {index[id(item)]: k for item, k in chosen}


def _hint_starts(model: cp_model.CpModel, v: BreakVars, starts: dict[int, int]) -> None:
    """Hint each item's start booleans (item index in ``v.items`` -> start slot). The booleans
    only: hinting the interval starts as well made CP-SAT 9.15 fail (IndexError:
    absl::btree_map::at) on a hint it accepts as a fixed solution."""
    for i, item in enumerate(v.items):
        for slot, var in item.starts.items():
            model.add_hint(var, slot == starts[i])


def _kept(model: cp_model.CpModel, v: BreakVars, starts: dict[int, int] | None, job: Budget,
          seed: int) -> tuple[cp_model.CpSolver, int] | None:
    """(solver, status) holding ``starts`` if they keep every rule of the model, else ``None``."""
    if starts is None:
        return None
    solver, status = _fixed(model, v, starts, job, seed)
    return (solver, status) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def _fixed(model: cp_model.CpModel, v: BreakVars, starts: dict[int, int], job: Budget,
           seed: int) -> tuple[cp_model.CpSolver, int]:
    """The model solved with every item at ``starts``: the placement read back (and checked
    against every rule of the model) on one worker."""
    copy = model.clone()
    copy.clear_hints()
    for i, item in enumerate(v.items):
        for slot, var in item.starts.items():
            set_domain(copy, var.index, [int(slot == starts[i])] * 2)
    solver = job.solver(seed, 1, rate=PLACING_WORK_PER_S, at_least_s=1.0)
    return solver, solver.solve(copy)


def present_on_shift(p: RosterProblem, shifts: dict[tuple[int, int], int], line: str, d: int) -> np.ndarray:
    """Agents of the line on shift in each slot of day d's axis (shifts of d-1 included)."""
    return on_shift(p, ((day, s, 1) for (a, day), s in shifts.items() if p.agents[a].line == line), d)


def on_shift(p: RosterProblem, worked, d: int) -> np.ndarray:
    """On shift in each slot of day d's axis from ``(day, template, how many)`` entries (those
    of day d-1 that run past midnight included)."""
    spd = 1440 // p.slot_min
    present = np.zeros(p.slots_per_axis, dtype=int)
    for day, s, n in worked:
        if n and day in (d - 1, d):
            first, last = p.shift_slots(p.templates[s])
            offset = (day - d) * spd
            lo, hi = max(first + offset, 0), min(last + offset, p.slots_per_axis)
            if lo < hi:
                present[lo:hi] += n
    return present


def fixed_away(p: RosterProblem, placed: dict, line: str, d: int) -> np.ndarray:
    """Away slots on day d's axis already placed for the previous day's shifts."""
    spd = 1440 // p.slot_min
    fixed = np.zeros(p.slots_per_axis, dtype=int)
    for (a, day), items in placed.items():
        if day == d - 1 and p.agents[a].line == line:
            for _, first, last in items:
                lo, hi = max(first - spd, 0), max(last - spd, 0)
                if lo < hi:
                    fixed[lo:hi] += 1
    return fixed


__all__ = ["DayFailure", "day_model", "fixed_away", "on_shift", "place_breaks", "present_on_shift"]
