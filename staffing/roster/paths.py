"""Stage 1's exact away channel for small instances: each team's meals and breaks as paths.

An agent's working day, as far as meals and breaks go, is a path through time: it waits,
takes a break or a meal at a slot its window allows, is away for the item's length and then
keeps `break_min_gap_min` clear before the next item, until every item the template earns
is taken. Agents of one team on one template are interchangeable, so the team-day needs
only how many take each step: an integer flow from the shift's start to its end through
states (breaks taken, meals taken) x slots. Every placement of meals and breaks that keeps
the windows and the spacing is such a flow, and every integer flow splits into that many
paths, each one agent's placement (a flow in an acyclic network decomposes into paths). So
the number of a team away in each slot, and with it every slot's shortage, is exact for the
counts: no relaxation left between stage 1 and the placement of stage 3.

It costs a few hundred integers per team, template and day (``paths_size``: 8,300 arcs for
one team of 8 over a week, 165,000 for five teams over four weeks), too many for the search
over the whole horizon, so stage 1 keeps the segment flow of ``rules.add_coverage`` there;
the day polish (``polish.py``) then re-solves its counts a line-day at a time with the paths (the whole
line-day on small centres, a team of it at a time on larger ones), and stage 3 starts from
their placement.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from ortools.sat.python import cp_model

from staffing.roster.problem import RosterProblem
from staffing.roster.rules import coverage_penalties
from staffing.roster.variables import Penalty, StageVars

Flows = dict[tuple[str, int, int], tuple["Steps", dict]]  # (team, day, template) -> network, arc variables
Path = list[tuple[str, int]]               # one agent's meals and breaks: (kind, start slot) in order


class Steps:
    """One template's away items as a network: nodes (breaks taken, meals taken, slot), arcs
    to wait a slot or to take an item (away for its length, then the spacing)."""

    def __init__(self, p: RosterProblem, template) -> None:
        slot = p.slot_min
        first, last = p.shift_slots(template)
        self.meal_len = p.rules.meal_min // slot
        self.break_len = -(-p.rules.break_min // slot)
        gap = template.break_min_gap_min // slot
        self.meals = template.meals if template.meals and template.meal_window is not None else 0
        self.breaks = template.breaks
        meal_starts = range(0)
        if self.meals:
            meal_starts = range(template.meal_window.start_min // slot,
                                template.meal_window.end_min // slot - self.meal_len + 1)
        break_starts = range(first + template.break_min_from_start_min // slot,
                             last - template.break_min_from_end_min // slot - self.break_len + 1)
        self.starts = {"meal": set(meal_starts), "break": set(break_starts)}
        begin = min([*meal_starts, *break_starts], default=first)
        end = max([k + self.meal_len + gap for k in meal_starts]
                  + [k + self.break_len + gap for k in break_starts], default=begin) + 1
        self.begin, self.end = begin, end
        # arcs: (kind, state, slot) -> (next state, next slot); kind "wait", "meal" or "break"
        arcs: dict[tuple[str, tuple[int, int], int], tuple[tuple[int, int], int]] = {}
        for i in range(self.breaks + 1):
            for j in range(self.meals + 1):
                for t in range(begin, end):
                    if t + 1 < end:
                        arcs["wait", (i, j), t] = ((i, j), t + 1)
                    if i < self.breaks and t in self.starts["break"]:
                        arcs["break", (i, j), t] = ((i + 1, j), min(t + self.break_len + gap, end - 1))
                    if j < self.meals and t in self.starts["meal"]:
                        arcs["meal", (i, j), t] = ((i, j + 1), min(t + self.meal_len + gap, end - 1))
        self.source, self.sink = ((0, 0), begin), ((self.breaks, self.meals), end - 1)
        # keep only arcs on some path from the source to the sink
        ahead = {self.source}
        for key in sorted(arcs, key=lambda key: key[2]):
            if (key[1], key[2]) in ahead:
                ahead.add(arcs[key])
        behind = {self.sink}
        for key in sorted(arcs, key=lambda key: -key[2]):
            if arcs[key] in behind:
                behind.add((key[1], key[2]))
        self.arcs = {key: head for key, head in arcs.items() if (key[1], key[2]) in ahead and head in behind}

    def length(self, kind: str) -> int:
        return self.meal_len if kind == "meal" else self.break_len


def _earns_away(template) -> bool:
    return bool(template.breaks or (template.meals and template.meal_window is not None))


def paths_size(p: RosterProblem, line: str | None = None) -> int:
    """Flow arcs stage 1 would need to place every team's meals and breaks exactly (of ``line``'s
    teams alone where given)."""
    arcs = {s: len(Steps(p, t).arcs) for s, t in enumerate(p.templates) if _earns_away(t)}
    total = 0
    for team in p.centre.teams.values():
        members = p.team_agents(team.id)
        if team.line not in p.lines or not members or line not in (None, team.line):
            continue
        for s, template in enumerate(p.templates):
            if s in arcs and team.line in template.lines and any(p.allowed[a, s] for a in members):
                total += arcs[s] * len(p.days)
    return total


def _team_away(model: cp_model.CpModel, p: RosterProblem, team: str, d: int, workers: list,
               steps: dict[int, Steps], flows: Flows | None = None) -> dict[int, list]:
    """The flow of one team on one day; returns slot -> the team's away terms (agents), and
    keeps each template's flow in ``flows``."""
    day = p.days[d]
    away: dict[int, list] = {}
    top = len(p.team_agents(team))
    for s, count in workers:
        if s not in steps:
            continue
        net = steps[s]
        code = p.templates[s].code
        flow = {key: model.new_int_var(0, top, f"away_paths[team={team},day={day},shift={code},"
                                                f"step={key[0]},state={key[1][0]}.{key[1][1]},slot={key[2]}]")
                for key in net.arcs}
        into: dict[tuple, list] = {}
        out: dict[tuple, list] = {}
        for key, var in flow.items():
            out.setdefault((key[1], key[2]), []).append(var)
            into.setdefault(net.arcs[key], []).append(var)
        for node in set(into) | set(out):
            supply = count if node == net.source else 0
            demand = count if node == net.sink else 0
            model.add(sum(into.get(node, [])) + supply == sum(out.get(node, [])) + demand)
        if flows is not None:
            flows[team, d, s] = (net, flow)
        if net.source not in out:  # nothing to take (no window left): nobody may work it
            model.add(count == 0)
        for (kind, _state, t), var in flow.items():
            if kind != "wait":
                for u in range(t, t + net.length(kind)):
                    away.setdefault(u, []).append(var)
    cap = p.rules.max_away_per_team
    for terms in away.values():
        if len(terms) * top > cap:  # an arc carries as many of the team as take it
            model.add(sum(terms) <= cap)
    return away


def spill_slots(p: RosterProblem, line: str) -> int:
    """Slots of the next day's axis that the line's shifts still reach (past midnight)."""
    spd = 1440 // p.slot_min
    return max([p.shift_slots(t)[1] - spd for t in p.templates if line in t.lines] + [0])


def add_coverage_paths(model: cp_model.CpModel, v: StageVars, p: RosterProblem,
                       days: Iterable[int] | None = None, flows: Flows | None = None,
                       lines: Iterable[str] | None = None) -> list[Penalty]:
    """Rule `coverage` with meals and breaks placed exactly (as counts of paths): on the line
    (on shift minus away) at least `floor` in every open slot and at least `required`
    (shortfall in agent-minutes, then overstaffing). Rules `meal_window`, `break_window` and
    `max_away` live in the paths. ``days``: only the coverage those days' shifts touch (their
    own axes, and the next day's where a shift past midnight meets its open slots). ``flows``
    receives each (team, day, template)'s network and arc variables; ``lines``: those lines' alone."""
    penalties: list[Penalty] = []
    steps = {s: Steps(p, t) for s, t in enumerate(p.templates) if _earns_away(t)}
    for line in p.lines if lines is None else lines:
        away = _LineAway(model, v, p, line, steps, flows)
        penalties += _line_coverage(model, v, p, line, range(len(p.days)) if days is None else days, away)
    return penalties


class _LineAway:
    """A line's away terms per day, its paths built on first use: day -> slot of its axis -> terms."""

    def __init__(self, model: cp_model.CpModel, v: StageVars, p: RosterProblem, line: str,
                 steps: dict[int, Steps], flows: Flows | None) -> None:
        self.model, self.v, self.p, self.flows = model, v, p, flows
        self.teams = p.line_teams(line)
        self.steps = {s: net for s, net in steps.items() if line in p.templates[s].lines}
        self.own: dict[int, dict[int, list]] = {}

    def of(self, d: int) -> dict[int, list]:
        if d not in self.own:
            self.own[d] = {}
            for team in self.teams:
                workers = self.v.team_day(team, d)
                if workers:
                    for u, terms in _team_away(self.model, self.p, team, d, workers, self.steps, self.flows).items():
                        self.own[d].setdefault(u, []).extend(terms)
        return self.own[d]


def reached(p: RosterProblem, line: str, d: int, spill: int) -> bool:
    """Whether the line's shifts of day d-1 past midnight (``spill`` slots: ``spill_slots``)
    meet day d's open slots."""
    return bool(spill) and 0 < d < len(p.days) and bool(p.open_slots[line][d][:spill].any())


def covered_days(p: RosterProblem, days: Iterable[int], lines: Iterable[str] | None = None) -> list[int]:
    """The days whose coverage the shifts of ``days`` touch: their own, and the next where a
    shift past midnight meets its open slots (on any of ``lines``, by default every line)."""
    days = sorted(set(days))  # read twice below
    cover = set(days)
    for line in p.lines if lines is None else lines:
        spill = spill_slots(p, line)
        cover |= {d + 1 for d in days if reached(p, line, d + 1, spill)}
    return sorted(cover)


def _line_coverage(model: cp_model.CpModel, v: StageVars, p: RosterProblem, line: str, days: Iterable[int],
                   away: _LineAway) -> list[Penalty]:
    spd = 1440 // p.slot_min
    spill = spill_slots(p, line)
    cover = covered_days(p, days, [line])
    members = p.line_agents(line)
    totals_short, totals_over = [], []
    for d in cover:
        day = p.days[d]
        present = v.presence(line, d)
        before = away.of(d - 1) if reached(p, line, d, spill) else {}
        shortage, excess = [], []
        for k in np.flatnonzero(p.open_slots[line][d]).tolist():
            # away: the day's own shifts, and those of the day before past midnight
            on_line = sum(present.get(k, [])) - sum(away.of(d).get(k, [])) - sum(before.get(k + spd, []))
            need, floor = int(p.required[line][d, k]), int(p.floor[line][d, k])
            if floor and v.elastic_floor:
                gap = model.new_int_var(0, floor, f"coverage_floor[line={line},day={day},slot={k}]")
                v.floor_gaps.append((line, d, k, gap))
                model.add(on_line + gap >= floor)
            elif floor:
                model.add(on_line >= floor)
            extra = model.new_int_var(0, len(members), f"coverage_excess[line={line},day={day},slot={k}]")
            short = model.new_int_var(0, need, f"coverage[line={line},day={day},slot={k}]")
            model.add(on_line - need == extra - short)
            shortage.append(short)
            excess.append(extra)
        if not shortage:
            continue
        day_short = model.new_int_var(0, int(p.required[line][d].sum()), f"coverage_day[line={line},day={day}]")
        model.add(day_short == sum(shortage))
        v.day_short[line, d] = day_short
        totals_short.append(day_short)
        totals_over.extend(excess)
    return coverage_penalties(v, p, line, totals_short, totals_over)


def decompose(net: Steps, values: dict[tuple, int]) -> list[Path]:
    """An integer flow of ``net`` (arc -> agents) as one path per agent: the (kind, start slot)
    of each meal and break it takes, in order. In an acyclic network every unit leaving the
    source reaches the sink along arcs with flow left, so the walk never gets stuck."""
    left = {key: n for key, n in values.items() if n > 0}
    leaving: dict[tuple, list[tuple]] = {}
    for key in sorted(left, key=lambda key: (key[0] == "wait", key)):
        leaving.setdefault((key[1], key[2]), []).append(key)
    paths = []
    while any(left.get(key, 0) for key in leaving.get(net.source, [])):
        node, path = net.source, []
        while node != net.sink:
            key = next(key for key in leaving[node] if left.get(key, 0) > 0)
            left[key] -= 1
            if key[0] != "wait":
                path.append((key[0], key[2]))
            node = net.arcs[key]
        paths.append(path)
    return paths


def arcs_of(net: Steps, path: Path) -> list[tuple]:
    """The arcs one agent's path takes through ``net``: waits up to each item, the item, then
    waits to the sink."""
    state, t = net.source
    taken = []
    for kind, k in path:
        taken += [("wait", state, u) for u in range(t, k)]
        taken.append((kind, state, k))
        state, t = net.arcs.get((kind, state, k), (state, k))
    return taken + [("wait", state, u) for u in range(t, net.sink[1])]


__all__ = ["Flows", "Path", "Steps", "add_coverage_paths", "arcs_of", "covered_days", "decompose", "paths_size",
           "spill_slots"]
