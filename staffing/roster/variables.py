"""CP-SAT variables of the two stages. They never leave ``staffing/roster``."""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from staffing.roster.problem import RosterProblem


@dataclass(frozen=True, slots=True)
class Penalty:
    """A soft-rule term of the objective: ``weight * expr``, in domain units (agent-minutes)."""

    rule: str
    name: str
    expr: cp_model.LinearExprT
    weight: int


@dataclass(slots=True)
class DayVars:
    """Stage 1: ``shift[a, d, s]`` (agent a works template s on day d), ``rest[a, d]`` and
    ``works[a, d]`` (the number of shifts that day, 0 when unavailable)."""

    problem: RosterProblem
    shift: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)
    rest: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    works: dict[tuple[int, int], cp_model.LinearExprT] = field(default_factory=dict)

    @property
    def slots_per_day(self) -> int:
        return 1440 // self.problem.slot_min

    def team_day(self, team: str, d: int) -> list[tuple[int, cp_model.LinearExprT]]:
        """(template, variable) for everyone of ``team`` who may work on day d; the variables
        sum to the number of the team on each template."""
        p = self.problem
        return [(s, var) for a in p.team_agents(team) for s in range(len(p.templates))
                if (var := self.shift.get((a, d, s))) is not None]

    def presence(self, line: str, d: int) -> dict[int, list]:
        """Variables summing to the agents of ``line`` on shift in each slot of day d's axis
        (day d-1's shifts that run past midnight included)."""
        p = self.problem
        present: dict[int, list] = {}
        for team in _line_teams(p, line):
            for e in (d - 1, d):
                for s, var in self.team_day(team, e):
                    _paint_presence(p, present, s, var, (e - d) * self.slots_per_day)
        return present


@dataclass(slots=True)
class CountVars:
    """Stage 1 by teams: ``count[team, d, s]`` of the team work template s on day d.

    Agents of a team are interchangeable for coverage, meals and breaks, so the day-level
    search decides how many of each team work each template; ``staffing.roster.counts``
    then names who, keeping every per-agent rule."""

    problem: RosterProblem
    count: dict[tuple[str, int, int], cp_model.IntVar] = field(default_factory=dict)
    works: dict[tuple[str, int], cp_model.LinearExprT] = field(default_factory=dict)

    @property
    def slots_per_day(self) -> int:
        return 1440 // self.problem.slot_min

    def team_day(self, team: str, d: int) -> list[tuple[int, cp_model.LinearExprT]]:
        return [(s, var) for s in range(len(self.problem.templates))
                if (var := self.count.get((team, d, s))) is not None]

    def presence(self, line: str, d: int) -> dict[int, list]:
        p = self.problem
        present: dict[int, list] = {}
        for team in _line_teams(p, line):
            for e in (d - 1, d):
                for s, var in self.team_day(team, e):
                    _paint_presence(p, present, s, var, (e - d) * self.slots_per_day)
        return present


def _line_teams(p: RosterProblem, line: str) -> list[str]:
    return [t.id for t in p.centre.teams.values() if t.line == line]


def _paint_presence(p: RosterProblem, present: dict[int, list], s: int, var, offset: int) -> None:
    first, last = p.shift_slots(p.templates[s])
    for k in range(max(first + offset, 0), min(last + offset, p.slots_per_axis)):
        present.setdefault(k, []).append(var)


def create_day_vars(model: cp_model.CpModel, p: RosterProblem) -> DayVars:
    """One boolean per (agent, day, template the agent may work) while available, one rest
    boolean per (agent, day) while available; unavailable days have neither."""
    v = DayVars(problem=p)
    for a, agent in enumerate(p.agents):
        for d, day in enumerate(p.days):
            if not p.available[a, d]:
                v.works[a, d] = 0
                continue
            options = []
            for s, template in enumerate(p.templates):
                if p.allowed[a, s]:
                    var = model.new_bool_var(f"one_shift_per_day[agent={agent.id},day={day},shift={template.code}]")
                    v.shift[a, d, s] = var
                    options.append(var)
            v.rest[a, d] = model.new_bool_var(f"rest_days_per_month[agent={agent.id},day={day}]")
            v.works[a, d] = sum(options)
    return v
