"""Which mixes of templates one team can work on a day and still take every meal and break
one at a time (rule `max_away` with `meal_window` and `break_window`).

Feasibility depends only on how many of the team work each template (every team of a line
shares the templates and rules), and adding a worker never makes it easier. So a mix found
infeasible forbids itself and every larger mix, for every team of the line and every day.
"""

from __future__ import annotations

from collections.abc import Iterable

from ortools.sat.python import cp_model

from staffing.roster.breaks import BREAK_RULES, Assignment, BreakVars
from staffing.roster.problem import RosterProblem
from staffing.roster.search import PLACING_WORK_PER_S, make_solver
from staffing.roster.variables import DayVars

Mix = tuple[tuple[int, int], ...]  # ((template index, count), ...), sorted


class TeamCapacity:
    """Answers and remembers whether a template mix fits one team's away channel."""

    def __init__(self, p: RosterProblem, seed: int = 0) -> None:
        self.p = p
        self.seed = seed
        self.known: dict[tuple[str, Mix], bool] = {}
        self.infeasible: dict[str, set[Mix]] = {}

    def feasible(self, line: str, mix: Mix) -> bool:
        key = (line, mix)
        if key not in self.known:
            found = self._by_known(line, mix)
            self.known[key] = self._solve(line, mix) if found is None else found
            if not self.known[key]:
                self.infeasible.setdefault(line, set()).add(mix)
        return self.known[key]

    def settle(self, line: str, mixes: Iterable[Mix]) -> None:
        """Answer ``mixes`` largest first, so that a smaller one inside a larger that fits needs no
        search (M's stage 1: 43 searches for its 126 mixes, 8.5 s of wall -> 3.8 s)."""
        for mix in sorted(set(mixes), key=lambda mix: (-sum(n for _s, n in mix), mix)):
            self.feasible(line, mix)

    def _by_known(self, line: str, mix: Mix) -> bool | None:
        """Whether ``mix`` fits by what is known: it does inside one that fits (fewer agents on
        each template), it does not where it holds one that does not; ``None`` where neither."""
        own = dict(mix)
        for (known_line, other), fits in self.known.items():
            if known_line != line:
                continue
            theirs = dict(other)
            if fits and all(theirs.get(s, 0) >= n for s, n in own.items()):
                return True
            if not fits and all(own.get(s, 0) >= n for s, n in theirs.items()):
                return False
        return None

    def _solve(self, line: str, mix: Mix) -> bool:
        p = self.p
        team = max((t for t in p.centre.teams.values() if t.line == line),
                   key=lambda t: len(p.team_agents(t.id)))
        agents = p.team_agents(team.id)
        work, position = [], 0
        for s, count in mix:
            first, last = p.shift_slots(p.templates[s])
            for _ in range(count):
                if position >= len(agents):
                    return False
                work.append(Assignment(agent=agents[position], template=s, first=first, last=last))
                position += 1
        model = cp_model.CpModel()
        v = BreakVars()
        for rule in BREAK_RULES:
            rule(model, v, p, work, "capacity")
        solver = make_solver(5.0, self.seed, 1, work_s=5.0, rate=PLACING_WORK_PER_S)
        return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    def single_template_limits(self, line: str) -> dict[int, int]:
        """Most agents of one team that can work a template alone (meals and breaks fit)."""
        p = self.p
        size = max((len(p.team_agents(t)) for t in p.line_teams(line)), default=0)
        limits = {}
        for s, template in enumerate(p.templates):
            if line not in template.lines or not (template.meals or template.breaks):
                continue
            n = 0
            while n < size and self.feasible(line, ((s, n + 1),)):
                n += 1
            limits[s] = n
        return limits


def add_template_limits(model: cp_model.CpModel, v: DayVars, p: RosterProblem, capacity: TeamCapacity) -> None:
    """Per team and day, at most as many on each template as its away channel can serve."""
    for line in p.lines:
        limits = capacity.single_template_limits(line)
        for team in p.centre.teams.values():
            if team.line != line:
                continue
            for d in range(len(p.days)):
                workers = v.team_day(team.id, d)
                for s, limit in limits.items():
                    on = [var for t, var in workers if t == s]
                    if on:
                        model.add(sum(on) <= limit)


def add_mix_cut(model: cp_model.CpModel, v: DayVars, p: RosterProblem, line: str, mix: Mix) -> None:
    """Forbid ``mix`` and every larger one for every team of the line on every day."""
    for team in p.centre.teams.values():
        if team.line != line:
            continue
        size = len(p.team_agents(team.id))
        for d in range(len(p.days)):
            workers = v.team_day(team.id, d)
            reached = []
            for s, count in mix:
                on = [var for t, var in workers if t == s]
                if not on or size < count:
                    break
                flag = model.new_bool_var(f"max_away[team={team.id},day={p.days[d]},mix]")
                model.add(sum(on) >= count).only_enforce_if(flag)
                model.add(sum(on) <= count - 1).only_enforce_if(flag.Not())
                reached.append(flag)
            else:
                model.add(sum(reached) <= len(reached) - 1)


def count_mixes(p: RosterProblem, counts: dict[tuple[str, int, int], int], line: str, d: int) -> dict[str, Mix]:
    """The template mix (templates with meals or breaks) each team of the line works on day d,
    from counts ``(team, day, template) -> agents``."""
    out: dict[str, list[tuple[int, int]]] = {}
    for (team, day, s), n in counts.items():
        template = p.templates[s]
        if day == d and n and p.centre.teams[team].line == line and (template.meals or template.breaks):
            out.setdefault(team, []).append((s, n))
    return {team: tuple(sorted(mix)) for team, mix in out.items()}


def team_mixes(p: RosterProblem, shifts: dict[tuple[int, int], int], line: str, d: int) -> dict[str, Mix]:
    """The same from named shifts ``(agent, day) -> template``."""
    counts: dict[tuple[str, int, int], int] = {}
    for (a, day), s in shifts.items():
        if day == d:
            key = (p.agents[a].team, day, s)
            counts[key] = counts.get(key, 0) + 1
    return count_mixes(p, counts, line, d)
