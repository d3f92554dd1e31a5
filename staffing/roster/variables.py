"""CP-SAT variables of the two stages. They never leave ``staffing/roster``."""

from __future__ import annotations

from abc import ABC, abstractmethod
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


def minimize(model: cp_model.CpModel, penalties: list[Penalty]) -> None:
    """Set the model's objective: the weighted sum of ``penalties`` (replacing any before)."""
    model.minimize(sum(term.weight * term.expr for term in penalties))


@dataclass(slots=True)
class StageVars(ABC):
    """What the coverage and away rules read, whether stage 1 is per agent or per team count:
    the variables of a team on a day (``team_day``), of a line's workers on a day
    (``working``) and on shift in each slot (``presence``)."""

    problem: RosterProblem
    # Set by the count path: the floor may be broken at a price (``rules.WEIGHT_FLOOR``), so any
    # counts are a roster of the model and a neighbourhood search can start from none; what
    # the floor still misses at the end is a conflict to explain.
    elastic_floor: bool = False
    floor_gaps: list = field(default_factory=list)          # (line, day, slot, variable)
    day_short: dict = field(default_factory=dict)           # (line, day) -> agent-slots short

    @property
    def slots_per_day(self) -> int:
        return 1440 // self.problem.slot_min

    @abstractmethod
    def team_day(self, team: str, d: int) -> list[tuple[int, cp_model.LinearExprT]]:
        """(template, variable) pairs summing to the number of ``team`` on each template on day d."""

    @abstractmethod
    def working(self, line: str, d: int) -> list[cp_model.LinearExprT]:
        """Terms summing to the number of ``line``'s agents who work on day d."""

    @abstractmethod
    def shifts(self) -> list[tuple[int, cp_model.LinearExprT]]:
        """(template, variable) over the whole horizon: the variables sum to the shifts of each template."""

    def presence(self, line: str, d: int) -> dict[int, list]:
        """Variables summing to the agents of ``line`` on shift in each slot of day d's axis
        (day d-1's shifts that run past midnight included)."""
        p = self.problem
        present: dict[int, list] = {}
        for team in p.line_teams(line):
            for e in (d - 1, d):
                for s, var in self.team_day(team, e):
                    first, last = p.shift_slots(p.templates[s])
                    offset = (e - d) * self.slots_per_day
                    for k in range(max(first + offset, 0), min(last + offset, p.slots_per_axis)):
                        present.setdefault(k, []).append(var)
        return present


@dataclass(slots=True)
class DayVars(StageVars):
    """Per agent: ``shift[a, d, s]`` (agent a works template s on day d), ``rest[a, d]`` and
    ``works[a, d]`` (the number of shifts that day, 0 when unavailable)."""

    shift: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)
    rest: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    works: dict[tuple[int, int], cp_model.LinearExprT] = field(default_factory=dict)

    def team_day(self, team: str, d: int) -> list[tuple[int, cp_model.LinearExprT]]:
        p = self.problem
        return [(s, var) for a in p.team_agents(team) for s in range(len(p.templates))
                if (var := self.shift.get((a, d, s))) is not None]

    def working(self, line: str, d: int) -> list[cp_model.LinearExprT]:
        return [self.works[a, d] for a in self.problem.line_agents(line)]

    def shifts(self) -> list[tuple[int, cp_model.LinearExprT]]:
        return [(s, var) for (_a, _d, s), var in self.shift.items()]


@dataclass(slots=True)
class CountVars(StageVars):
    """Stage 1 by teams: ``count[team, d, s]`` of the team work template s on day d.

    Agents of a team are interchangeable for coverage, meals and breaks, so the day-level
    search decides how many of each team work each template; ``staffing.roster.counts``
    then names who, keeping every per-agent rule."""

    count: dict[tuple[str, int, int], cp_model.IntVar] = field(default_factory=dict)
    works: dict[tuple[str, int], cp_model.LinearExprT] = field(default_factory=dict)

    def team_day(self, team: str, d: int) -> list[tuple[int, cp_model.LinearExprT]]:
        return [(s, var) for s in range(len(self.problem.templates))
                if (var := self.count.get((team, d, s))) is not None]

    def working(self, line: str, d: int) -> list[cp_model.LinearExprT]:
        return [self.works[team, d] for team in self.problem.line_teams(line) if (team, d) in self.works]

    def shifts(self) -> list[tuple[int, cp_model.LinearExprT]]:
        return [(s, var) for (_team, _d, s), var in self.count.items()]



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
