"""The day polish: stage 1's counts re-solved a line-day at a time by what the day's meals and
breaks really cost, placed exactly as paths (``paths.py``), on the whole line-day (small centres)
or a team of it at a time (larger ones), under the work and the wall the run leaves it; stage 3
then starts from the placements it found.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import statistics
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from staffing.roster.count_search import counts_of, evaluate
from staffing.roster.counts import COUNT_RULES, Counts, create_count_vars
from staffing.roster.improve import Incumbent
from staffing.roster.paths import Flows, Path, add_coverage_paths, arcs_of, decompose, paths_size
from staffing.roster.problem import RosterProblem
from staffing.roster.rules import add_coverage
from staffing.roster.search import Budget, hint_solution, release, set_domain
from staffing.roster.variables import CountVars, minimize

DAY_EVAL_S = 1.0    # work (seconds on 2 cores) to place one line-day's meals and breaks for its current counts,
EVAL_ARCS = 6_000   # for up to this many arcs (M: 5,900 a day), more in proportion above
DAY_SOLVE_S = 2.0   # work to re-solve one day's counts with them
LEAST_DAY_S = 0.2   # no day started on less work than this
TEAM_SOLVE_S = 0.5  # work to re-solve one team's counts of a day, the other teams' as they are
WORK_KEPT_AHEAD = 0.5  # of the work the polish's line-days after one would take at their pace: not its to take
COPY_S_PER_VAR = 1.2e-5  # work charged for copying a day's model to fix and solve (M: 7,000 variables, 0.08 s)


def _day_model(p: RosterProblem, counts: Counts, days: list[int],
               line: str | None = None) -> tuple[cp_model.CpModel, CountVars, Flows]:
    """Stage 1 by counts with every count outside ``days`` fixed and, for the coverage those
    days touch, meals and breaks placed as paths (exact for the counts). ``line``: only its
    teams' counts free, and only its coverage (another line's is the same for every move)."""
    model = cp_model.CpModel()
    v = create_count_vars(model, p)
    v.elastic_floor = True
    flows: Flows = {}
    penalties = [term for rule in COUNT_RULES if rule is not add_coverage for term in rule(model, v, p)]
    penalties += add_coverage_paths(model, v, p, days, flows, None if line is None else [line])
    free = set(days)
    for (team, d, s), var in v.count.items():
        if d not in free or line not in (None, p.centre.teams[team].line):
            model.add(var == counts.get((team, d, s), 0))
    minimize(model, penalties)
    return model, v, flows


def _paths_of(values: list[int], flows: Flows, d: int) -> dict[tuple[str, int, int], list[Path]]:
    """Day d's placements in a solution vector of the model ``flows`` belong to."""
    return {(team, e, s): decompose(net, {key: values[var.index] for key, var in arcs.items()})
            for (team, e, s), (net, arcs) in flows.items() if e == d}


def polish_days(p: RosterProblem, counts: Counts, *, budget: Budget, seed: int, by_team: bool = False,
                report: Callable[[str], None] | None = None) -> tuple[Counts, dict[tuple[str, int, int], list[Path]]]:
    """Better counts, a line-day at a time, by what the day's meals and breaks really cost: the
    counts of each line's teams on each day are re-solved with every other count fixed and
    the line's meals and breaks placed as paths (``add_coverage_paths``), against the same
    counts placed the same way; a line-day that comes out cheaper takes the new counts.
    Passes over the horizon until one changes nothing or ``budget`` is spent. ``by_team``: the
    line-day is re-solved a team at a time, the other teams' counts and placements as they are
    (``_team_round``), for centres whose whole day is too large to solve in its share. Returns
    the counts and, for each (team, day, template) visited, its agents' meals and breaks as
    placed there (``decompose``), for stage 3 to start from."""
    counts = dict(counts)
    placed: dict[tuple[str, int, int], list[Path]] = {}
    # a line-day's first placement on work in proportion to its arcs (L's online line: 20 teams, 23,600 a day)
    eval_s = {line: DAY_EVAL_S * max(1.0, paths_size(p, line) / len(p.days) / EVAL_ARCS) for line in p.lines}
    changed = True
    # a line closed all day with no one on shift has nothing to place or move (L's hotline at
    # weekends: visited, its part of the wall, 0.1 s, ran out on building the day and was noted
    # as a clock cut, and its 0.1 s for one agent raised the line's pace by half)
    every = list(itertools.product(range(len(p.days)), p.lines))
    line_days = [(d, line) for d, line in every if p.open_slots[line][d].any() or _on_shift(p, counts, d, line) > 1]
    pace = _Pace()
    visits = starts = passes = 0
    cost: dict[tuple[int, str], float] = {}  # each line-day's placement in ``placed``: its objective when placed
    while changed and not budget.done(LEAST_DAY_S):
        sizes = [_on_shift(p, counts, d, line) for d, line in line_days]
        lines = [line for _d, line in line_days]
        if passes and budget.wall_left() < pace.ahead(lines, sizes).searched_s:
            # another pass the wall cannot carry at the pace of the last, its days cut to built
            # starts, gained nothing on M (4-9 line-days) and took the wall the names and stage 3
            # then lacked (M, plain 120 s, seed 1)
            budget.note_clock_cut()
            break
        changed, passes = False, passes + 1
        for k, ((d, line), size) in enumerate(zip(line_days, sizes, strict=True)):
            if budget.done(LEAST_DAY_S):
                break
            # each line-day of the pass on its part of the wall left, by its agents on shift and
            # its line's pace: where the clock runs short (a slower machine), every day is still
            # visited (M, a 120 s run on a slow minute: the last two of 28 days were left out,
            # each 100,000-170,000 dearer than polished), and a peak day is not cut to an
            # ordinary day's part, nor a line-day searched to one of a line whose days are built
            ahead = pace.ahead(lines[k:], sizes[k:])
            day = budget.paced(ahead.share)
            # half the work the line-days after it would take at their lines' pace is kept for them
            # (L: the last online day of the month was left out, its first placement stage 3's to
            # search, and the one before it got 4 s); never less than its part of the work left.
            # Where the pace alone shared the work, it cut the third of M's days, whose first two
            # took more work an agent than the rest (354,840 -> 392,820). The first pass only: a later
            # one goes as far as its work goes (shared over every day, M's second pass gave each too
            # little to place it and gained nothing on the work stage 3 then lacked)
            if passes == 1:
                keep = WORK_KEPT_AHEAD * (ahead.work_s - ahead.next_work_s)
                day = day.upto(max(budget.left() - keep, budget.left() * ahead.work_share))
            began_work = budget.spent
            model, v, flows = _day_model(p, counts, [d], line)
            began, built = time.perf_counter(), None
            if by_team:
                # a large line-day (L's online one: its first placement not found in its work at the
                # peak) starts from a placement built without search, its flows fixed; so does any
                # while the wall left is less than the line-days ahead would take searched at their
                # lines' pace (a run the clock cuts, M on a slow machine: the search then ate the
                # day's part and left its teams none; built, 0.2-0.3 s, its teams' turns end
                # 30-100k lower on 1.5 s of wall), until the pass catches up; where the work alone
                # decides, every day is searched as before (on L, a day's part alone cut two
                # hotline days whose searches had overrun theirs, the wall plentiful)
                cut = eval_s[line] <= DAY_EVAL_S and budget.wall_left() < ahead.searched_s
                if cut:
                    day.note_clock_cut()  # the clock chose the start: a run with the same seed may differ
                built = (_built_flows(p, counts, d, line, flows, day, seed)
                         if eval_s[line] > DAY_EVAL_S or cut else None)
                now = _placed(model, v, counts, built, day, eval_s[line], seed)
                if now is None and built is None:
                    # its search found no placement in the day's part of the work or the wall (the day
                    # was left as it was, and stage 3 placed it from nothing): one built, for its teams'
                    # turns (where the clock stopped that search, the solver has said so)
                    built = _built_flows(p, counts, d, line, flows, day, seed)
                    now = None if built is None else _placed(model, v, counts, built, day, eval_s[line], seed)
            else:
                now = evaluate(model, v, counts, seed=seed, work_s=DAY_EVAL_S, budget=day)
            if now is None:
                release(model)
                continue
            values, objective = list(now.values), now.objective
            if by_team:
                values, objective = _team_round(model, v, flows, d, p.line_teams(line), values, objective,
                                                budget=day, seed=seed)
            else:
                hint_solution(model, values)
                solver = day.solver(seed, 1, most_s=DAY_SOLVE_S)
                status = solver.solve(model)
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < objective - 0.5:
                    values, objective = list(solver.response_proto.solution), solver.objective_value
            pace.add(line, size, time.perf_counter() - began, budget.spent - began_work, searched=built is None)
            # a later pass keeps the placement it had where this visit moved no count and placed
            # them no cheaper (a visit cut short, or from a built start, may end above it)
            if objective < now.objective - 0.5 or objective <= cost.get((d, line), math.inf):
                placed.update(_paths_of(values, flows, d))
                cost[d, line] = objective
            visits += 1
            starts += built is not None
            if objective < now.objective - 0.5:
                counts.update({key: n for key, n in counts_of(v, values).items() if key[1] == d})
                changed = True
                if report is not None:
                    where = f"{p.days[d]}" + (f" {line}" if len(p.lines) > 1 else "")
                    report(f"{where}: {now.objective:,.0f} -> {objective:,.0f}")
            release(model)
    if report is not None:
        closed = len(every) - len(line_days)
        report(f"{passes} pass(es) over {len(line_days)} line-day(s)"
               + (f" ({closed} closed with no one on shift left out)" if closed else "")
               + f": {visits} visited, {starts} of them from a built placement")
    return counts, placed


@dataclasses.dataclass(frozen=True)
class _Ahead:
    """What the polish's line-days ahead would take, by the pace of those visited."""

    share: float       # the next one's part of the wall left
    searched_s: float  # the wall they would take with their first placements searched
    work_share: float  # the next one's part of the work left
    work_s: float      # the work they would take

    @property
    def next_work_s(self) -> float:
        """Of that work, the next one's."""
        return self.work_share * self.work_s


class _Pace:
    """The wall and the work the polish's line-days took per agent on shift, by line: what the
    next ones would take, for their parts of the wall and of the work, and whether a search
    fits one. The work is counted, so its pace is the same on every run of a seed."""

    def __init__(self) -> None:
        self.seen: dict[str, list[float]] = {}      # wall, each line-day visited
        self.searched: dict[str, list[float]] = {}  # wall, those whose first placement was searched
        self.work: dict[str, list[float]] = {}      # work, each line-day visited

    def add(self, line: str, size: int, wall_s: float, work_s: float, *, searched: bool) -> None:
        self.seen.setdefault(line, []).append(wall_s / size)
        self.work.setdefault(line, []).append(work_s / size)
        if searched:
            self.searched.setdefault(line, []).append(wall_s / size)

    def ahead(self, lines: list[str], sizes: list[int]) -> _Ahead:
        """For the line-days ahead (their lines and agents on shift, the next first): the next
        one's parts of the wall and of the work left, each line-day weighing its agents at its
        line's pace (any line's before one of its own is seen; alike before any), the wall they
        would take searched (none for a line not yet searched) and the work they would take
        (none before any is seen)."""
        work = _weighed(self.work, lines, sizes)
        searched = {line: statistics.fmean(rates) for line, rates in self.searched.items() if rates}
        need = sum(size * searched.get(line, 0.0) for line, size in zip(lines, sizes, strict=True))
        return _Ahead(_first_share(_weighed(self.seen, lines, sizes)), need, _first_share(work),
                      sum(work) if self.work else 0.0)


def _weighed(rates: dict[str, list[float]], lines: list[str], sizes: list[int]) -> list[float]:
    """Each line-day's agents at its line's mean rate (any line's where it has none; 1 before
    any is seen)."""
    every = [rate for own in rates.values() for rate in own]
    anyone = statistics.fmean(every) if every else 1.0
    mean = {line: statistics.fmean(own) for line, own in rates.items() if own}
    return [size * mean.get(line, anyone) for line, size in zip(lines, sizes, strict=True)]


def _first_share(weights: list[float]) -> float:
    """The first weight's share of them all (alike where they are all 0)."""
    total = sum(weights)
    return weights[0] / total if total > 0 else 1.0 / len(weights)


def _on_shift(p: RosterProblem, counts: Counts, d: int, line: str) -> int:
    """The line's agents on shift on day d by ``counts``, one more (a line-day with none still
    has its part)."""
    teams = set(p.line_teams(line))
    return 1 + sum(n for (team, e, _s), n in counts.items() if e == d and team in teams)


def _placed(model: cp_model.CpModel, v: CountVars, counts: Counts, built: dict[int, int] | None, day: Budget,
            work_s: float, seed: int) -> Incumbent | None:
    """The line-day's model with its counts fixed, placed: from ``built`` (its flows fixed) where
    given, else by a search on at most ``work_s`` of the day's work. (A search held to part of the
    day's wall, the rest left to its teams' turns, found none on M's peak days in a 120 s run on a
    slow machine, and those built then ended 50,000-200,000 dearer than searched.)"""
    start = model if built is None else _fixed_flows(model, built)
    day.charge(_copy_cost(model))  # evaluate places the day in a copy
    now = evaluate(start, v, counts, seed=seed, solver=_lean(day.solver(seed, 1, most_s=work_s)))
    if start is not model:
        release(start)
    return now


def _fixed_flows(model: cp_model.CpModel, flows: dict[int, int]) -> cp_model.CpModel:
    """A copy of ``model`` with each flow variable (index -> agents) fixed."""
    fixed = model.clone()
    for index, n in flows.items():
        set_domain(fixed, index, [n, n])
    return fixed


def _built_flows(p: RosterProblem, counts: Counts, d: int, line: str, flows: Flows, budget: Budget,
                 seed: int) -> dict[int, int] | None:
    """The line-day's flows (arc variable index -> agents) of a placement built without search
    (``greedy.py``) for its counts, each team's counts given to its agents in turn; ``None``
    when none is built."""
    from staffing.roster.greedy import greedy_placement
    from staffing.roster.placing import day_model

    given: dict[tuple[str, int], list[int]] = {}  # (team, day) -> a template per agent on shift
    teams = set(p.line_teams(line))
    for (team, e, s), n in sorted(counts.items()):
        if team in teams and e in (d - 1, d):
            given.setdefault((team, e), []).extend([s] * n)
    shifts = {(a, e): s for (team, e), templates in given.items()
              for a, s in zip(p.team_agents(team), templates, strict=False)}
    placing_model, items, work, present, away_before = day_model(p, shifts, {}, line, d)
    built = greedy_placement(p, items, work, line, d, present - away_before, budget, seed)
    release(placing_model)
    if built is None:
        return None
    paths: dict[tuple[str, int, int], list[Path]] = {}
    for w in work:
        mine = sorted((built[0][i], item.kind) for i, item in enumerate(items.items) if item.agent == w.agent)
        paths.setdefault((p.agents[w.agent].team, d, w.template), []).append([(kind, k) for k, kind in mine])
    values_of: dict[int, int] = {}
    for key, (net, arcs) in flows.items():
        if key[1] != d:
            continue
        values = dict.fromkeys(arcs, 0)
        for path in paths.get(key, []):
            for arc in arcs_of(net, path):
                if arc not in values:  # a start the network left out
                    return None
                values[arc] += 1
        values_of.update({arcs[arc].index: n for arc, n in values.items()})
    return values_of


def _lean(solver: cp_model.CpSolver) -> cp_model.CpSolver:
    """No probing and no symmetry detection in presolve: on the M benchmark's days, with a
    team at a time, a day took 2.1-3.1 s without them and up to 4.0 s with them."""
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    return solver


def _team_round(model: cp_model.CpModel, v: CountVars, flows: Flows, d: int, teams: list[str], values: list[int],
                objective: float, *, budget: Budget, seed: int) -> tuple[list[int], float]:
    """Day d of ``_day_model`` re-solved a team of ``teams`` (the line's) at a time: the team's
    counts and paths free, every other team's as in ``values`` (so the line's coverage is exact for
    the moves it makes), each on at most ``TEAM_SOLVE_S`` of work, each team once (the next pass
    over the horizon turns again).
    On the M benchmark a team takes about 0.2 s, proven optimal, where the whole day with all five
    teams free was not solved in 4 s; a second turn of the teams gained on one day of 28 (08-19:
    19,910 of 750,000) and cost 40% of the polish, which then reached 25 days instead of 28.
    (Cut out as a model of its own, ``SubModels``, a team took longer: reading the day's model
    costs more than CP-SAT's presolve of the copy.) Returns the better solution."""
    own = team_variables(v, flows, d)
    turns = sorted(set(own) & set(teams))  # another line's teams the model holds already
    for k, team in enumerate(turns):
        if budget.done(LEAST_DAY_S):
            break
        budget.charge(_copy_cost(model))
        sub = model.clone()
        for other, indices in own.items():
            if other != team:
                for i in indices:
                    set_domain(sub, i, [values[i], values[i]])
        hint_solution(sub, values)
        # each team at most its part of what the day has left, of the work and of the wall, so
        # that where the day's part is short the last teams still have their turn
        left = len(turns) - k
        solver = _lean(budget.paced(1 / left).solver(seed, 1, most_s=min(TEAM_SOLVE_S, budget.left() / left)))
        status = solver.solve(sub)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < objective - 0.5:
            values, objective = list(solver.response_proto.solution), solver.objective_value
        release(sub)
    return values, objective


def team_variables(v: CountVars, flows: Flows, d: int) -> dict[str, list[int]]:
    """Each team's variables of day d in ``_day_model``: its counts and its paths' arcs."""
    own: dict[str, list[int]] = {}
    for (team, e, _s), var in v.count.items():
        if e == d:
            own.setdefault(team, []).append(var.index)
    for (team, e, _s), (_net, arcs) in flows.items():
        if e == d:
            own.setdefault(team, []).extend(var.index for var in arcs.values())
    return own


def _copy_cost(model: cp_model.CpModel) -> float:
    """Work charged for a copy of ``model`` to fix and solve, by its size: copying, fixing and
    CP-SAT's presolve of these small models take time its count of work leaves out (M: about
    0.9 s a day of 2.3 s), and a charge by size keeps the run repeatable."""
    return COPY_S_PER_VAR * len(model.proto.variables)


__all__ = ["polish_days", "team_variables"]
