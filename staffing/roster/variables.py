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
