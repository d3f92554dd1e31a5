"""A lower bound from the days one at a time, for centres whose lines have one team each.

Stage 1's bound relaxes meals and breaks (``rules.add_coverage``: a team's away time as a
flow over time segments), and on a small team that relaxation is all that stands between a
roster and its proof: bench S's roster was 2,023,500 against stage 1's 1,922,930, 5.0%,
though no roster there costs less than 2,023,500.

Within one day, a line's cost (its shortage, floor and excess with meals and breaks placed
exactly, the hours worked, the daily cap) depends only on how many of its team work each
template that day. Across days the rules (rest days, runs of working days, rest between
shifts, requests) tie agents together; relaxed to the one thing they all limit, the team's
agent-days over the horizon (at most the sum of each agent's most working days), they leave

    min  sum_d f_d(n_d)   over   n_d <= available on day d,   sum_d n_d <= W,

where f_d(n) is day d's least cost with n at work on the day's paths (``paths.add_coverage_paths``,
exact for meals and breaks), proven over its template mixes (``daymix.least``). Fairness (`fair_shifts`) is a
spread, at least one times its weight wherever a category's total over the agents sharing it
is not a multiple of their number: the weekend and peak-day totals are sums of n_d, and a day
solved at its least cost has a known evening total (its other evening totals are a second
cell, "any other evening count", solved when the bound needs it).

The cells are solved lazily. Every (day, n) starts from a lower bound by arithmetic (the
hours, the daily cap, and the requirement that n could not cover even with nobody ever away);
a dynamic programme over the days picks the cheapest combination of what is known; the cells
it picked that are not yet exact are bounded by their LP (nearly whole on a day's paths, exact
where whole), and those it picks again solved exactly over their mixes; again, until it picks
only exact cells (the relaxation's optimum, proven), the bound reaches the roster's objective,
or the work is spent. A cell's other evening totals are solved only as far as the fairness
weight they could save: once they cost that much more than the cell, no combination gains by
them and the programme leaves them out (``_settled``). Every value the programme sees is a lower
bound of its cell, so its minimum is a lower bound of every roster at every step.

It applies where every line has one team and no shift reaches into the next day's open hours
(a slot then belongs to one day's cells alone); ``applies`` says where; elsewhere ``solve`` does not use it.

The cells also give a roster: every day the mixes or a whole LP solved is a day found (its agents
per template), and the same programme over the days found gives the cheapest combination of
them (``Days.counts``), which ``assemble.from_days`` names and places meals and breaks in. Where the
programme picks only exact cells, that combination is the relaxation's optimum, so a roster
keeping it (names moving no agent-day, meals and breaks placed as cheaply as in the cells) is
proven optimal by the bound it came with.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from staffing.roster.counts import Counts, add_team_days, create_count_vars
from staffing.roster.daymix import DayModel, Least, least
from staffing.roster.paths import add_coverage_paths, spill_slots
from staffing.roster.problem import RosterProblem
from staffing.roster.rules import (
    FAIRNESS_CATEGORIES,
    WEIGHT_DAY_MIN,
    WEIGHT_SHORT,
    add_hours,
    max_consecutive_days,
    rest_days_needed,
)
from staffing.roster.search import Budget, run_shares
from staffing.roster.variables import minimize

CELL_S = 4.0       # work (seconds on 2 cores) a cell's first solve may take; each retry doubles it
LEAST_CELL_S = 0.2  # no cell started on less work than this
LP_CELL_S = 0.1     # work set aside for a cell's LP (S: 0.02-0.04)
MOST_STATES = 100_000  # the programme's states (agent-days x the fairness totals it follows) per line at most
UNKNOWN = -1       # a day option whose evening total is not known


@dataclasses.dataclass
class _Cell:
    """What is known of day d's least cost with n at work: a lower bound, exact once solved;
    once exact, its evening total and the least cost with any other evening total (``other``)."""

    low: float
    exact: bool = False
    evening: int = UNKNOWN
    other: float = math.inf   # the least cost at another evening total: a lower bound until ``other_exact``
    other_exact: bool = False
    work: float = CELL_S       # for the next solve (of the cell, or of its other evening totals)
    lp: bool = False           # its LP asked (then its mixes, when picked again)
    other_lp: bool = False     # the same for its other evening totals
    found: tuple[float, dict[int, int]] | None = None        # a day found: its cost and agents per template
    other_found: tuple[float, dict[int, int]] | None = None  # the same at another evening total


def applies(p: RosterProblem) -> bool:
    """Every planned line has exactly one team with agents, and none of its shifts reaches the
    next day's open slots."""
    for line in p.lines:
        if len([team for team in p.line_teams(line) if p.team_agents(team)]) != 1 or not p.open_slots[line].any():
            return False
        spill = spill_slots(p, line)
        if spill and p.open_slots[line][1:, :spill].any():
            return False
    return True


def most_days(p: RosterProblem, a: int) -> int:
    """The most days agent a can work in the horizon: in each run of available days (not on
    leave, no fixed day off) at most the rule's run and then a rest day; per month at most its
    available days less the rest days owed (a fixed day off counts as rest). Both are upper
    bounds, so is the smaller."""
    run_limit = max_consecutive_days(p, a)
    free = [bool(p.available[a, d]) and (p.agents[a].id, d) not in p.days_off for d in range(len(p.days))]
    by_runs, length = 0, 0
    for here in [*free, False]:
        if here:
            length += 1
        else:
            by_runs += length - length // (run_limit + 1)
            length = 0
    # a fixed day off is a rest day: the month's available days less those owed, and no more than it can work
    by_months = sum(min(sum(free[d] for d in days), max(len(days) - owed, 0))
                    for days, owed in rest_days_needed(p, a).values())
    return min(by_runs, by_months)


class _Line:
    """One line's cells and programme."""

    def __init__(self, p: RosterProblem, line: str) -> None:
        self.p, self.line = p, line
        self.team = next(team for team in p.line_teams(line) if p.team_agents(team))
        members = p.team_agents(self.team)
        self.most = sum(most_days(p, a) for a in members)
        self.available = [sum(1 for a in members if p.available[a, d] and (p.agents[a].id, d) not in p.days_off)
                          for d in range(len(p.days))]
        self.templates = [s for s, t in enumerate(p.templates) if line in t.lines and any(p.allowed[a, s]
                                                                                           for a in members)]
        self.evening = [s for s in self.templates if FAIRNESS_CATEGORIES["evening"](p, None, p.templates[s])]
        # fairness: only where every agent of the line shares it (day_penalties' "whole" agents)
        self.fair = p.centre.weights.fair_shifts
        shared = len(members) >= 2 and self.fair > 0 and all(p.available[a].all() for a in p.line_agents(line))
        m = len(members) if shared else 1
        weekend = [d for d, day in enumerate(p.days) if FAIRNESS_CATEGORIES["weekend"](p, day, None)]
        peak = [d for d, day in enumerate(p.days) if FAIRNESS_CATEGORIES["peak_day"](p, day, None)]
        self.mods = [m if weekend else 1, m if peak else 1, m if self.evening else 1]
        for i in (1, 0, 2):  # follow fewer totals where the states would be too many
            if (self.most + 1) * self.mods[0] * self.mods[1] * (self.mods[2] + 1) > MOST_STATES:
                self.mods[i] = 1
        self.weekend, self.peak = set(weekend), set(peak)
        self.days: dict[int, DayModel] = {}
        self.cells = {(d, n): _Cell(self._arithmetic(d, n)) for d in range(len(p.days))
                      for n in range(min(self.available[d], self.most) + 1)}

    def _arithmetic(self, d: int, n: int) -> float:
        """A lower bound of day d with n at work, without a solver."""
        p = self.p
        if n and not self.templates:
            return math.inf
        minutes = min((p.templates[s].minutes for s in self.templates), default=0)
        open_slots = p.open_slots[self.line][d]
        cover = 0
        for s in self.templates:
            first, last = p.shift_slots(p.templates[s])
            cover = max(cover, int(open_slots[first:last].sum()))
        need = int(p.required[self.line][d][open_slots].sum())
        return (WEIGHT_SHORT * p.slot_min * max(need - n * cover, 0) + p.centre.weights.minutes_worked * n * minutes
                + self._cap(d, n))

    def _cap(self, d: int, n: int) -> float:
        """Rule `daily_cap` on day d with n at work (the line's only team)."""
        return WEIGHT_DAY_MIN * max(int(self.p.day_min[self.line][d]) - n, 0)

    # -- the programme --------------------------------------------------------------------

    def options(self, d: int, found: bool = False) -> list[tuple[int, float, int, str]]:
        """Day d's options: (n, lower bound, evening total or UNKNOWN, which value); with
        ``found``, the days found instead: (n, their cost, their evening total, which)."""
        out = []
        for n in range(min(self.available[d], self.most) + 1):
            cell = self.cells[d, n]
            if found:
                for kind, day in (("cell", cell.found), ("other", cell.other_found)):
                    if day is not None:
                        out.append((n, day[0], sum(day[1].get(t, 0) for t in self.evening) % self.mods[2], kind))
            elif not cell.exact or self.mods[2] == 1:
                out.append((n, cell.low, UNKNOWN if self.mods[2] > 1 else 0, "cell"))
            else:
                out.append((n, cell.low, cell.evening % self.mods[2], "cell"))
                if cell.other < math.inf and not self._settled(cell):
                    out.append((n, cell.other, UNKNOWN, "other"))
        return [option for option in out if option[1] < math.inf]

    def programme(self, found: bool = False) -> tuple[float, list[tuple[int, int, str]]]:
        """The cheapest combination of the days' options (``options``), with fairness by
        arithmetic: its value and, per day, (day, n, which value)."""
        mw, mp, me = self.mods
        size = (self.most + 1, mw, mp, me + 1)   # agent-days, weekend and peak totals mod, evening mod (me: unknown)
        cost = np.full(size, np.inf)
        cost[0, 0, 0, 0] = 0.0
        picks = []
        for d in range(len(self.p.days)):
            options = self.options(d, found)
            new = np.full(size, np.inf)
            choice = np.full(size, -1, dtype=np.int32)
            came = np.full(size, -1, dtype=np.int32)  # the evening index before
            for i, (n, value, evening, _kind) in enumerate(options):
                moved = cost[: self.most + 1 - n] + value
                moved = np.roll(moved, n if d in self.weekend else 0, axis=1)
                moved = np.roll(moved, n if d in self.peak else 0, axis=2)
                target = np.full((self.most + 1 - n, mw, mp, me + 1), np.inf)
                before = np.full(target.shape, -1, dtype=np.int32)
                if evening != UNKNOWN:  # always known where the evening total is not followed (me 1: 0)
                    target[..., :me] = np.roll(moved[..., :me], evening, axis=3)
                    before[..., :me] = (np.arange(me) - evening) % me
                    target[..., me] = moved[..., me]
                    before[..., me] = me
                else:
                    lowest = moved.argmin(axis=3)
                    target[..., me] = np.take_along_axis(moved, lowest[..., None], axis=3)[..., 0]
                    before[..., me] = lowest
                region = new[n:]
                better = target < region
                region[better] = target[better]
                choice[n:][better] = i
                came[n:][better] = before[better]
            picks.append((options, choice, came))
            cost = new
        penalty = np.zeros(size)
        penalty += self.fair * (np.arange(mw) != 0)[None, :, None, None]
        penalty += self.fair * (np.arange(mp) != 0)[None, None, :, None]
        penalty += self.fair * np.array([(e != 0 and e != me) for e in range(me + 1)])[None, None, None, :]
        total = cost + penalty
        best = np.unravel_index(int(total.argmin()), size)
        value = float(total[best])
        if value == math.inf:
            return value, []
        chosen = []
        state = list(best)
        for d in range(len(self.p.days) - 1, -1, -1):
            options, choice, came = picks[d]
            i = int(choice[tuple(state)])
            n, _value, _evening, kind = options[i]
            chosen.append((d, n, kind))
            state = [state[0] - n, (state[1] - (n if d in self.weekend else 0)) % mw,
                     (state[2] - (n if d in self.peak else 0)) % mp, int(came[tuple(state)])]
        return value, chosen[::-1]

    # -- the cells ------------------------------------------------------------------------

    def _day(self, d: int) -> DayModel:
        """Day d of the team: its model with the count on each template free (``daymix``), kept."""
        if d not in self.days:
            p = one_day(self.p, d)
            model = cp_model.CpModel()
            v = create_count_vars(model, p)  # the floor hard: a day that cannot keep it with n has no roster
            add_team_days(model, v, p)
            penalties = add_coverage_paths(model, v, p, [0], lines=[self.line]) + add_hours(model, v, p)
            here = {}
            for (team, _e, s), var in v.count.items():
                if team != self.team:
                    model.add(var == 0)
                else:
                    here[s] = var
            minimize(model, penalties)
            self.days[d] = DayModel(model, here, [here[s] for s in self.evening if s in here])
        return self.days[d]

    def solve(self, d: int, n: int, kind: str, budget: Budget, seed: int) -> None:
        """Day d with n at work (``kind`` "other": at any evening total but the known one): by
        its LP first, then, if the cell is picked again, exactly over its template mixes
        (``daymix.least``) within the cell's work; "other" only as far as the fairness it could
        save (``_settled``)."""
        cell, day = self.cells[d, n], self._day(d)
        cap = self._cap(d, n)
        sides = [None] if kind == "cell" else [(0, cell.evening - 1), (cell.evening + 1, math.inf)]
        if not self.relaxed(d, n, kind):
            results = [day.relaxed(n, side, budget) for side in sides]
            if kind == "cell":
                cell.lp = True
            else:
                cell.other_lp = True
            if None in results:  # the LP failed: the mixes when picked again
                return
            known = [Least(r.bound, None if r.values is None else day.found(r.values, r.bound)) for r in results]
        else:
            part = budget.upto(cell.work)
            cutoff = cell.low - cap + self.fair if kind == "other" else math.inf
            known = [least(day, n, part, seed, evening=side, cutoff=cutoff) for side in sides]
        least_bound = min(k.bound for k in known)
        low = least_bound + cap
        exact = any(k.exact and k.bound <= least_bound + 1e-6 for k in known)  # the cheaper side known: the least
        found = None
        for k in known:
            if k.found is not None:
                found = _cheaper(found, (k.found[0] + cap, k.found[1]))
        if kind == "cell":
            self._known(cell, low, exact, found)
        else:
            cell.other, cell.other_exact = max(cell.other, low), exact
            cell.other_found = _cheaper(cell.other_found, found)
        if not (exact or (kind == "other" and self._settled(cell))):
            cell.work *= 2

    def _settled(self, cell: _Cell) -> bool:
        """Whether the cell's other evening totals cost at least the fairness they could save:
        then the programme need not look at them (a day at another total could only trade the
        evening spread's weight for as much or more)."""
        return cell.other >= cell.low + self.fair

    def relaxed(self, d: int, n: int, kind: str) -> bool:
        """Whether the cell's LP (or for "other", its two LPs) has been asked."""
        return self.cells[d, n].lp if kind == "cell" else self.cells[d, n].other_lp

    def _known(self, cell: _Cell, low: float, exact: bool, found: tuple[float, dict[int, int]] | None) -> None:
        """A bound of a cell's least cost, a day found (if any), and where it is exact, its evening total."""
        cell.low, cell.exact = max(cell.low, low), exact
        cell.found = _cheaper(cell.found, found)
        if exact and low < math.inf:
            cell.evening = sum(cell.found[1].get(t, 0) for t in self.evening)
            cell.other = cell.low if self.evening and self.mods[2] > 1 else math.inf
            cell.work = CELL_S

    def open_cells(self, chosen: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        return [(d, n, kind) for d, n, kind in chosen
                if not (self.cells[d, n].exact if kind == "cell" else self.cells[d, n].other_exact)]


def one_day(p: RosterProblem, d: int) -> RosterProblem:
    """The problem of day d alone (its leave, days off and requirement; no wishes or shift cover,
    which only add to the cost)."""
    return dataclasses.replace(
        p, days=(p.days[d],), available=p.available[:, d:d + 1],
        leave={(a, 0): code for (a, e), code in p.leave.items() if e == d},
        required={line: rows[d:d + 1] for line, rows in p.required.items()},
        floor={line: rows[d:d + 1] for line, rows in p.floor.items()},
        day_min={line: rows[d:d + 1] for line, rows in p.day_min.items()},
        open_slots={line: rows[d:d + 1] for line, rows in p.open_slots.items()},
        days_off=frozenset((agent, 0) for agent, e in p.days_off if e == d), wishes=(), shift_cover={})


class Days:
    """The days' bound of a centre (module doc), resumable: each ``run`` goes on from the cells
    the last one solved."""

    def __init__(self, p: RosterProblem, threads: int = 1) -> None:
        self.p, self.threads = p, threads
        self.lines = [_Line(p, line) for line in p.lines]
        self.picked = [line.programme() for line in self.lines]   # per line: its value and the cells it picked
        self.solved = 0

    @property
    def value(self) -> float:
        """The bound: no roster costs less."""
        return sum(value for value, _chosen in self.picked)

    @property
    def finished(self) -> bool:
        """Every cell the programme picks is exact: the value is the relaxation's optimum."""
        return all(not line.open_cells(chosen) for line, (_value, chosen) in zip(self.lines, self.picked, strict=True))

    def run(self, budget: Budget, seed: int, target: float = math.inf,
            report: Callable[[str], None] | None = None) -> float:
        """Cells solved on ``budget``'s work until the bound reaches ``target`` (a roster's
        objective: then proven optimal), the programme picks only exact cells, or the work ends."""
        while not budget.done(LEAST_CELL_S) and self.value < target - 1e-6:
            progressed = False
            for i, line in enumerate(self.lines):
                todo = line.open_cells(self.picked[i][1])
                cheap = [(d, n, kind) for d, n, kind in todo if not line.relaxed(d, n, kind)]
                # the LPs first: the mixes only on cells the LPs still pick
                solved = self._round(line, cheap or todo, budget, seed)
                self.solved += solved
                progressed = progressed or solved > 0
                self.picked[i] = line.programme()
            if report is not None:
                report(f"{self.value:,.0f} after {self.solved} day cells")
            if not progressed:
                break
        return self.value

    def _round(self, line: _Line, cells: list[tuple[int, int, str]], budget: Budget, seed: int) -> int:
        """Solve ``cells`` of ``line``, each on a share of ``budget`` fixed before any starts (in
        order: its own work, or ``LP_CELL_S`` for an LP, while the work lasts), the days on
        ``threads`` at once (a day's cells one after another, on its own model); charged to
        ``budget`` in order after. The shares, not the threads, decide what each cell does, so
        the same seed and work give the same cells on any number of cores. Returns how many."""
        left, shares = budget.left(), []
        for d, n, kind in cells:
            if left <= LEAST_CELL_S:
                break
            share = min(left, line.cells[d, n].work if line.relaxed(d, n, kind) else LP_CELL_S)
            shares.append(((d, n, kind), budget.private(share)))
            left -= share
        by_day: dict[int, list] = {}
        for (d, n, kind), own in shares:
            by_day.setdefault(d, []).append((n, kind, own))

        def day(d: int) -> None:
            for n, kind, own in by_day[d]:
                with own.charging():
                    line.solve(d, n, kind, own, seed)

        run_shares(budget, [own for _cell, own in shares], [lambda d=d: day(d) for d in by_day], self.threads)
        return len(shares)

    def counts(self) -> tuple[float, Counts] | None:
        """The cheapest combination of the days found (each line's programme over them), as team
        counts, and its cost with fairness by arithmetic (the bound's value where ``finished``);
        ``None`` where some line has no day found on every day."""
        total, counts = 0.0, {}
        for line in self.lines:
            value, chosen = line.programme(found=True)
            if value == math.inf:
                return None
            total += value
            for d, n, kind in chosen:
                cell = line.cells[d, n]
                _cost, mix = cell.found if kind == "cell" else cell.other_found
                counts.update({(line.team, d, t): k for t, k in mix.items() if k})
        return total, counts


def _cheaper(one: tuple[float, dict[int, int]] | None,
             two: tuple[float, dict[int, int]] | None) -> tuple[float, dict[int, int]] | None:
    """The cheaper of two days found (either may be ``None``)."""
    if one is None or (two is not None and two[0] < one[0]):
        return two
    return one


__all__ = ["Days", "applies", "most_days"]
