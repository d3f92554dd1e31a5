"""A roster as the engine hands it on (:class:`RosterResult`), and what is measured on a named
roster whichever way it was solved: the CONTRACT frame, the exact coverage per slot, the
fairness counts per agent and the day-level soft rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from staffing.roster.patterns import cover_points, wish_points
from staffing.roster.placing import fixed_away, present_on_shift
from staffing.roster.problem import RosterProblem
from staffing.roster.rules import FAIRNESS_CATEGORIES, WEIGHT_DAY_MIN

ROSTER_COLUMNS = ["agent", "team", "line", "date", "activity", "code", "start", "end"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RosterResult:
    """The roster (CONTRACT ``roster.csv``) and how good it is."""

    frame: pd.DataFrame = field(repr=False)
    status: str                      # "optimal" or "feasible"
    objective: float
    bound: float
    shortfall_agent_min: dict[str, int]
    over_agent_min: dict[str, int]
    penalties_by_rule: dict[str, float]
    fairness: pd.DataFrame = field(repr=False)
    seconds: float
    short_slots: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    repeatable: bool = True          # the clock stopped no search (``search.Budget``): the same run repeats it

    def worst_short(self, count: int = 5) -> pd.DataFrame:
        """The longest runs of consecutive short slots per line and day, most agent-minutes first:
        line, start, end, agent_minutes, most_short (agents)."""
        if self.short_slots.empty:
            return pd.DataFrame(columns=["line", "start", "end", "agent_minutes", "most_short"])
        slots = self.short_slots.sort_values(["line", "start"])
        slot_min = (slots["end"] - slots["start"]).dt.total_seconds() / 60
        new_run = (slots["line"] != slots["line"].shift()) | (slots["start"] != slots["end"].shift())
        runs = slots.assign(run=new_run.cumsum(), minutes=slots["short"] * slot_min).groupby("run").agg(
            line=("line", "first"), start=("start", "first"), end=("end", "last"),
            agent_minutes=("minutes", "sum"), most_short=("short", "max"))
        return runs.sort_values("agent_minutes", ascending=False).head(count).reset_index(drop=True)

    @property
    def gap(self) -> float:
        return 0.0 if self.objective <= 0 else max(self.objective - self.bound, 0.0) / self.objective

    def describe(self, start: dt.date, end: dt.date, *, deterministic: bool = True) -> str:
        """The summary ``staffing roster`` prints: proof or gap, shortfall and excess per line, the worst
        short runs, and the spread of days, evening, weekend and peak-day shifts per agent."""
        proven = "proven optimal" if self.status == "optimal" else f"gap {self.gap:.1%} to the proven bound"
        again = ("" if self.repeatable or not deterministic
                 else " (the clock stopped a search first: a rerun may differ)")
        out = [f"Roster {start}..{end}: {proven}, {self.seconds:.0f} s{again}"]
        out.extend(f"  {line}: {short:,} agent-minutes short of the requirement, "
                   f"{self.over_agent_min[line]:,} above it" for line, short in self.shortfall_agent_min.items())
        worst = self.worst_short()
        if len(worst):
            out.append("  where it is short (longest runs first):")
            out.extend(f"    {row.line} {row.start:%Y-%m-%d %H:%M}-{row.end:%H:%M}: {row.agent_minutes:,.0f} "
                       f"agent-minutes, up to {row.most_short} short" for row in worst.itertuples())
        for line, rows in self.fairness.groupby("line"):
            spread = ", ".join(f"{kind} {rows[kind].min()}-{rows[kind].max()}"
                               for kind in ("evening", "weekend", "peak_day"))
            out.append(f"  {line} shifts per agent: worked {rows['days_worked'].min()}-{rows['days_worked'].max()} "
                       f"days; {spread}")
        return "\n".join(out)


def day_penalties(p: RosterProblem, shifts: dict[tuple[int, int], int], fairness: pd.DataFrame) -> dict[str, float]:
    """The day-level soft rules evaluated on the named roster: daily cap, fairness (the spread
    per line over agents available the whole horizon, from ``agent_fairness``), hours."""
    values = {"daily_cap": 0.0, "fair_shifts": 0.0, "hours": 0.0}
    weights = p.centre.weights
    whole = {agent.id for a, agent in enumerate(p.agents) if p.available[a].all()}
    for line in p.lines:
        members = p.line_agents(line)
        for d in range(len(p.days)):
            working = sum(1 for a in members if (a, d) in shifts)
            values["daily_cap"] += WEIGHT_DAY_MIN * max(int(p.day_min[line][d]) - working, 0)
        full = fairness[(fairness["line"] == line) & fairness["agent"].isin(whole)]
        if len(full) >= 2:
            spread = full[list(FAIRNESS_CATEGORIES)].max() - full[list(FAIRNESS_CATEGORIES)].min()
            values["fair_shifts"] += weights.fair_shifts * float(spread.sum())
    values["hours"] = weights.minutes_worked * sum(p.templates[s].minutes for s in shifts.values())
    if p.wishes:
        values["requests"] = weights.point * wish_points(p, shifts)
    if p.shift_cover:
        values["shift_cover"] = weights.point * cover_points(p, shifts)
    return values


def coverage_totals(p: RosterProblem, shifts: dict,
                     placed: dict) -> tuple[dict[str, int], dict[str, int], pd.DataFrame]:
    """Agent-minutes short of and above `required` per line, from the exact on-line staffing,
    and every slot short of it (line, start, end, required, on_line, short, and the day whose axis
    holds it: a slot past midnight belongs to the day before)."""
    short, over = {}, {}
    rows = []
    for line in p.lines:
        total_short = total_over = 0
        for d in range(len(p.days)):
            on_line = present_on_shift(p, shifts, line, d) - fixed_away(p, placed, line, d)
            for (a, day), items in placed.items():
                if day == d and p.agents[a].line == line:
                    for _, first, last in items:
                        on_line[first:last] -= 1
            mask = p.open_slots[line][d]
            gap = p.required[line][d] - on_line
            total_short += int(np.clip(gap[mask], 0, None).sum()) * p.slot_min
            total_over += int(np.clip(-gap[mask], 0, None).sum()) * p.slot_min
            midnight = dt.datetime.combine(p.days[d], dt.time())
            for k in np.flatnonzero(mask & (gap > 0)):
                start = midnight + dt.timedelta(minutes=int(k) * p.slot_min)
                rows.append((line, start, start + dt.timedelta(minutes=p.slot_min), int(p.required[line][d, k]),
                             int(on_line[k]), int(gap[k]), p.days[d]))
        short[line], over[line] = total_short, total_over
    frame = pd.DataFrame(rows, columns=["line", "start", "end", "required", "on_line", "short", "day"])
    return short, over, frame


def roster_frame(p: RosterProblem, shifts: dict[tuple[int, int], int], placed: dict) -> pd.DataFrame:
    rows = []

    def at(day: dt.date, slot: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=slot * p.slot_min)

    for a, agent in enumerate(p.agents):
        for d, day in enumerate(p.days):
            base = {"agent": agent.id, "team": agent.team, "line": agent.line, "date": day}
            if (a, d) in shifts:
                template = p.templates[shifts[a, d]]
                first, last = p.shift_slots(template)
                rows.append({**base, "activity": "shift", "code": template.code, "start": at(day, first),
                             "end": at(day, last)})
                for kind, lo, hi in sorted(placed.get((a, d), []), key=lambda item: item[1]):
                    rows.append({**base, "activity": kind, "code": template.code, "start": at(day, lo),
                                 "end": at(day, hi)})
            elif (a, d) in p.leave:
                rows.append({**base, "activity": "leave", "code": p.leave[a, d], "start": at(day, 0),
                             "end": at(day + dt.timedelta(days=1), 0)})
            elif p.available[a, d]:
                rows.append({**base, "activity": "rest", "code": "rest", "start": at(day, 0),
                             "end": at(day + dt.timedelta(days=1), 0)})
    frame = pd.DataFrame(rows, columns=ROSTER_COLUMNS)
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame


def agent_fairness(p: RosterProblem, shifts: dict[tuple[int, int], int]) -> pd.DataFrame:
    """Per agent: days worked, rest days, and the count in each fairness category."""
    rows = []
    for a, agent in enumerate(p.agents):
        worked = [(d, s) for (b, d), s in shifts.items() if b == a]
        row = {"agent": agent.id, "team": agent.team, "line": agent.line, "days_worked": len(worked),
               "rest_days": int(sum(p.available[a]) - len(worked))}
        for category, applies in FAIRNESS_CATEGORIES.items():
            row[category] = sum(applies(p, p.days[d], p.templates[s]) for d, s in worked)
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["ROSTER_COLUMNS", "RosterResult", "agent_fairness", "coverage_totals", "day_penalties", "roster_frame"]
