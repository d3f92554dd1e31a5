"""A first placement of one line-day's meals and breaks, built item by item.

Stage 3 places a line-day's meals and breaks with CP-SAT (``placing.py``). On a large line-day
at the peak (160 agents of 20 teams) CP-SAT may find no placement at all in the line-day's
share of the run, and the roster then fails for want of time. This builds one in about a
second, on the same items and domains as stage 3's model (its ``BreakVars``), keeping every
hard rule of it:

* each item starts inside its own window (the model's start booleans);
* an agent's items stay ``break_min_gap_min`` apart, its breaks in order;
* at most ``max_away_per_team`` of a team away in any slot;
* on the line >= the floor in every open slot;
* interchangeable agents (same team, same template) take their meals in order.

A team at a time, its agents in turn by their meal's latest start, each item goes to the start
that makes the line short in the fewest slots (then leaves the most above the requirement)
among those after which the team's items still to place each find a start, in turn at the
earliest (a look-ahead: one away at a time makes a team of 8 a tight packing). A team this
cannot place is placed by a small CP-SAT model of that team alone, the others where they are.
Then each item is moved, one at a time, to its best start with the others where they are. Two
ways are tried (each item at its best start, or at its earliest: packed), and the placement
short by the least is kept; ``None`` when neither keeps every rule (stage 3's own search then
stands alone). Stage 3 starts its search from it and keeps it when its search finds nothing.
Measured on the L benchmark's 56 line-days (its named shifts): every line-day placed, the
largest (818 online, 160 agents) in 1.6 s."""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from staffing.roster.breaks import BREAK_RULES, Assignment, Away, BreakVars
from staffing.roster.problem import RosterProblem
from staffing.roster.search import PLACING_WORK_PER_S, Budget

_OPEN_SPARE = 10**6  # spare above the floor and the requirement in a slot the line is closed
MOVE_PASSES = 3      # passes of single-item moves over a built placement
TEAM_S = 1.0         # work (seconds on 2 cores) for a team the build cannot place, on its own model
BUILD_S_PER_ITEM = 2e-3  # work charged for building, per item (L's 818 online day: 480 items, 1.6 s)
BEST_TRIES = 3       # starts tried by their spare before the earliest (each tried by completing the team)


def greedy_placement(p: RosterProblem, v: BreakVars, work: list[Assignment], line: str, d: int,
                     on_line: np.ndarray, budget: Budget, seed: int = 0) -> tuple[dict[int, int], int] | None:
    """Item index in ``v.items`` -> start slot, and the shortfall in agent-minutes, for the
    placement short by the least of the ways tried; ``None`` if none keeps every hard rule.
    ``on_line``: on shift and not away for the day before, in each slot of day d's axis."""
    open_ = p.open_slots[line][d]
    if (np.where(open_, on_line - p.floor[line][d], 0) < 0).any():
        return None  # below the floor with nobody away: no placement keeps it
    budget.charge(BUILD_S_PER_ITEM * len(v.items))  # work no search counts, charged as built
    best = None
    for packed in (False, True):
        starts = _place(p, v, work, line, d, on_line, packed, budget, seed)
        if starts is None:
            continue
        _improve(p, v, work, line, d, on_line, starts)
        _meals_in_order(p, v, work, starts)
        short = _shortfall(p, v, line, d, on_line, starts)
        if best is None or short < best[1]:
            best = (starts, short)
    return best


class _Day:
    """What a placement so far leaves: each team's away channel, the spare above the floor and
    above the requirement in each slot, and each agent's items."""

    def __init__(self, p: RosterProblem, v: BreakVars, work: list[Assignment], line: str, d: int,
                 on_line: np.ndarray) -> None:
        open_ = p.open_slots[line][d]
        self.v, self.cap = v, p.rules.max_away_per_team
        self.spare_floor = np.where(open_, on_line - p.floor[line][d], _OPEN_SPARE).astype(np.int64)
        self.spare = np.where(open_, on_line - p.required[line][d], _OPEN_SPARE).astype(np.int64)
        self.team = {w.agent: p.agents[w.agent].team for w in work}
        self.away = {team: np.zeros(p.slots_per_axis, dtype=np.int64) for team in self.team.values()}
        self.gap = {w.agent: p.templates[w.template].break_min_gap_min // p.slot_min for w in work}
        self.own: dict[int, list[int]] = {}  # agent -> its item indices, in the model's order
        for i, item in enumerate(v.items):
            self.own.setdefault(item.agent, []).append(i)

    def take(self, i: int, k: int, n: int = 1) -> None:
        span = slice(k, k + self.v.items[i].length)
        self.away[self.team[self.v.items[i].agent]][span] += n
        self.spare_floor[span] -= n
        self.spare[span] -= n

    def allowed(self, i: int, starts: dict[int, int], away: np.ndarray | None = None,
                spare_floor: np.ndarray | None = None) -> list[int]:
        """The starts item ``i`` may take with the others as in ``starts`` (its own start left
        out), on its team's channel ``away`` and the floor's ``spare_floor`` (default: the day's),
        earliest first."""
        item = self.v.items[i]
        mine, gap = self.own[item.agent], self.gap[item.agent]
        away = self.away[self.team[item.agent]] if away is None else away
        spare_floor = self.spare_floor if spare_floor is None else spare_floor
        low, high = _order_limits(self.v, mine, i, starts, gap)
        return [k for k in item.starts if low <= k <= high and (away[k:k + item.length] < self.cap).all()
                and (spare_floor[k:k + item.length] >= 1).all() and _spaced(self.v, mine, starts, k, item, gap)]

    def completes(self, starts: dict[int, int], i: int, k: int, rest: list[int]) -> bool:
        """Whether, with item ``i`` at ``k``, the team's items ``rest`` each still find a start,
        in turn at the earliest they may take: by latest start (meals before breaks, mostly),
        or else in the order given."""
        by_latest = sorted(rest, key=lambda j: (max(self.v.items[j].starts), min(self.v.items[j].starts), j))
        return self._completes(starts, i, k, by_latest) or (by_latest != rest and self._completes(starts, i, k, rest))

    def _completes(self, starts: dict[int, int], i: int, k: int, rest: list[int]) -> bool:
        trial = dict(starts)
        trial[i] = k
        length = self.v.items[i].length
        away = self.away[self.team[self.v.items[i].agent]].copy()
        spare_floor = self.spare_floor.copy()
        away[k:k + length] += 1
        spare_floor[k:k + length] -= 1
        for j in rest:
            free = self.allowed(j, trial, away, spare_floor)
            if not free:
                return False
            trial[j] = free[0]
            span = slice(free[0], free[0] + self.v.items[j].length)
            away[span] += 1
            spare_floor[span] -= 1
        return True


def _place(p: RosterProblem, v: BreakVars, work: list[Assignment], line: str, d: int, on_line: np.ndarray,
           packed: bool, budget: Budget, seed: int) -> dict[int, int] | None:
    """A team at a time, its agents in turn by their meal's latest start, each item of an agent
    at the start that leaves the most above the requirement (``packed``: the earliest) among
    those after which the team's items still to place each find one, in turn at the earliest.
    A team this cannot place (a tight mix: four on one 9-hour shift, three on the next) is
    placed by a CP-SAT model of that team alone, the others where they are."""
    day = _Day(p, v, work, line, d, on_line)

    def latest(agent: int) -> int:  # an agent's latest meal start (its latest break start if it has none)
        mine = [v.items[j] for j in day.own[agent]]
        return min(max(item.starts) for item in mine if item.kind == mine[0].kind)

    starts: dict[int, int] = {}
    for team in sorted(set(day.team.values())):
        order = sorted((i for i, item in enumerate(v.items) if day.team[item.agent] == team),
                       key=lambda i: (latest(v.items[i].agent), v.items[i].agent, i))
        placed = _place_team(day, order, starts, packed)
        if placed is None:
            placed = _solve_team(p, v, day, team, [w for w in work if day.team[w.agent] == team], budget, seed)
            if placed is None:
                return None
        for i, k in placed.items():
            starts[i] = k
            day.take(i, k)
    return starts


def _place_team(day: _Day, order: list[int], starts: dict[int, int], packed: bool) -> dict[int, int] | None:
    """One team's items (``order``) placed in turn with the look-ahead, the other teams as in
    ``starts``: item index -> start, or ``None`` (the day left as it was)."""
    v = day.v
    mine = dict(starts)
    taken: list[int] = []
    for n, i in enumerate(order):
        item = v.items[i]
        allowed = day.allowed(i, mine)
        ranked = allowed if packed else sorted(allowed, key=lambda k: (*_cost(day.spare[k:k + item.length]), k))
        # the best few, then the earliest: the first start whose completion succeeds
        tried = ranked[:BEST_TRIES] + [k for k in allowed if k not in ranked[:BEST_TRIES]]
        chosen = next((k for k in tried if day.completes(mine, i, k, order[n + 1:])), None)
        if chosen is None:
            for j in taken:  # the day as it was before this team
                day.take(j, mine[j], -1)
            return None
        mine[i] = chosen
        day.take(i, chosen)
        taken.append(i)
    for j in taken:  # the caller takes the team's items
        day.take(j, mine[j], -1)
    return {i: mine[i] for i in order}


def _solve_team(p: RosterProblem, v: BreakVars, day: _Day, team: str, work: list[Assignment], budget: Budget,
                seed: int) -> dict[int, int] | None:
    """The team's items placed by CP-SAT on the team's own model (stage 3's rules for its
    agents), the floor and the requirement as the other teams leave them: each item's start
    costs the slots it makes short by one more."""
    model = cp_model.CpModel()
    own = BreakVars()
    for rule in BREAK_RULES:
        rule(model, own, p, work, f"team {team}")
    cost = []
    for item in own.items:
        for k, var in item.starts.items():
            spare = day.spare[k:k + item.length]
            if (spare <= 0).any():
                cost.append(int((spare <= 0).sum()) * var)
    for u in np.flatnonzero(day.spare_floor < day.cap):  # the floor, where the team's channel could break it
        covering = [var for item in own.items for var in item.covers(int(u))]
        if covering:
            model.add(sum(covering) <= max(int(day.spare_floor[u]), 0))
    if cost:
        model.minimize(sum(cost))
    solver = budget.solver(seed, 1, most_s=TEAM_S, rate=PLACING_WORK_PER_S, at_least_s=0.2)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    # the team model's items are the day's for the same agents, in the same order
    theirs = [i for i, item in enumerate(v.items) if day.team[item.agent] == team]
    return {i: next(k for k, var in item.starts.items() if solver.boolean_value(var))
            for i, item in zip(theirs, own.items, strict=True)}


def _improve(p: RosterProblem, v: BreakVars, work: list[Assignment], line: str, d: int, on_line: np.ndarray,
             starts: dict[int, int]) -> None:
    """Each item in turn moved to the start that leaves the line short by the least (then the
    most above the requirement where it is away), the others where they are; until a pass over
    every item moves none (at most ``MOVE_PASSES``)."""
    day = _Day(p, v, work, line, d, on_line)
    for i, k in starts.items():
        day.take(i, k)
    for _ in range(MOVE_PASSES):
        moved = False
        for i in range(len(v.items)):
            item, now = v.items[i], starts.pop(i)
            day.take(i, now, -1)
            chosen = min(day.allowed(i, starts), key=lambda k: (*_cost(day.spare[k:k + item.length]), k != now, k))
            moved |= chosen != now
            starts[i] = chosen
            day.take(i, chosen)
        if not moved:
            break


def _cost(spare: np.ndarray) -> tuple[int, int]:
    """An item away over slots with ``spare`` above the requirement: the slots it makes short
    by one more, then the least spare it leaves (negated)."""
    return int((spare <= 0).sum()), -int(spare.min())


def _order_limits(v: BreakVars, mine: list[int], i: int, starts: dict[int, int], gap: int) -> tuple[int, int]:
    """The starts an agent's break may take so that its breaks stay in order with room for
    the rest (a meal has no order of its own)."""
    item = v.items[i]
    if item.kind != "break":
        return min(item.starts), max(item.starts)
    breaks = [j for j in mine if v.items[j].kind == "break"]
    at = breaks.index(i)
    low, high = min(item.starts), max(item.starts)
    step = item.length + gap
    for j in breaks[:at]:
        if j in starts:
            low = max(low, starts[j] + step)
    for n, j in enumerate(breaks[at + 1:], start=1):
        high = min(high, starts[j] - step) if j in starts else min(high, max(v.items[j].starts) - n * step)
    return low, high


def _spaced(v: BreakVars, mine: list[int], starts: dict[int, int], k: int, item: Away, gap: int) -> bool:
    """Whether ``item`` at ``k`` stays ``gap`` slots clear of the agent's items placed so far."""
    for j in mine:
        if j in starts:
            other, at = v.items[j], starts[j]
            if not (k + item.length + gap <= at or at + other.length + gap <= k):
                return False
    return True


def _meals_in_order(p: RosterProblem, v: BreakVars, work: list[Assignment], starts: dict[int, int]) -> None:
    """Interchangeable agents' whole placements handed round so that their meals come in the
    model's order (same team and template: the same windows, so every rule still holds)."""
    own: dict[int, list[int]] = {}
    for i, item in enumerate(v.items):
        own.setdefault(item.agent, []).append(i)
    groups: dict[tuple[str, int], list[int]] = {}
    for w in work:
        if w.agent in own:
            groups.setdefault((p.agents[w.agent].team, w.template), []).append(w.agent)
    for agents in groups.values():
        meal_agents = [a for a in agents if any(v.items[j].kind == "meal" for j in own[a])]
        if len(meal_agents) < 2:
            continue
        plans = [[starts[j] for j in own[a]] for a in meal_agents]
        first_meal = [next(j for j in own[a] if v.items[j].kind == "meal") for a in meal_agents]
        order = sorted(range(len(meal_agents)), key=lambda n: (starts[first_meal[n]], n))
        for a, n in zip(meal_agents, order, strict=True):
            for j, k in zip(own[a], plans[n], strict=True):
                starts[j] = k


def _shortfall(p: RosterProblem, v: BreakVars, line: str, d: int, on_line: np.ndarray,
               starts: dict[int, int]) -> int:
    left = on_line.astype(np.int64).copy()
    for i, k in starts.items():
        left[k:k + v.items[i].length] -= 1
    need = np.where(p.open_slots[line][d], p.required[line][d], 0)
    return int(np.maximum(need - left, 0).sum()) * p.slot_min


__all__ = ["greedy_placement"]
