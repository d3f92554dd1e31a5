"""The per-agent split of a day-level model and the roster built agent by agent (``agent_split.py``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from staffing import load_centre
from staffing.roster import roster
from staffing.roster.agent_split import AgentSplit
from staffing.roster.exact import EXACT_RULES, add_exact_away, add_exact_coverage
from staffing.roster.problem import build_problem
from staffing.roster.search import Budget
from staffing.roster.variables import create_day_vars
from tests.test_patterns import MONDAY, NO_REQUIREMENT, cover_rows, problems, worked, write_centre

solve_module = importlib.import_module("staffing.roster.solve")
search_module = importlib.import_module("staffing.roster.search")


@contextlib.contextmanager
def first_search_cut(**parameters) -> Iterator[None]:
    """Within: the first CP-SAT search the engine makes runs with ``parameters`` set (to cut
    it short); every later one as made."""
    original = search_module.make_solver
    calls: list[int] = []

    def first_is_cut(*args, **kwargs):
        solver = original(*args, **kwargs)
        if not calls:
            for name, value in parameters.items():
                setattr(solver.parameters, name, value)
        calls.append(1)
        return solver

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_module, "make_solver", first_is_cut)
        yield


def day_model(folder: Path, days: int):
    """The one-model path's model of a centre folder: (model, variables, problem)."""
    centre = load_centre(folder)
    p = build_problem(centre, NO_REQUIREMENT, MONDAY, MONDAY + dt.timedelta(days=days - 1))
    model = cp_model.CpModel()
    v = create_day_vars(model, p)
    penalties = [term for rule in EXACT_RULES for term in rule(model, v, p)]
    penalties += add_exact_coverage(model, v, p, add_exact_away(model, v, p))
    model.minimize(sum(term.weight * term.expr for term in penalties))
    return model, v, p


def shifts_of(v, p, values: np.ndarray, a: int = 0) -> dict[int, str]:
    return {d: p.templates[s].code for (b, d, s), var in v.shift.items() if b == a and values[var.index]}


def test_the_split_keeps_each_agent_own_rules_and_puts_the_cover_in_the_master(tmp_path: Path) -> None:
    folder = write_centre(tmp_path, agents="agent,team,line,max_weekends\nA1,T,L,1\nA2,T,L,\n",
                          rules="min_consecutive_working_days = 2", night='not_followed_by = ["E"]',
                          cover=cover_rows({0: "E", 1: "N"}, days=7))
    model, v, p = day_model(folder, 7)
    split = AgentSplit(model, v, len(p.agents))
    assert split.supported
    # every cover row (14: two shifts a day) reads both agents: a master row
    names = [model.proto.constraints[row.index] for row in split.rows]
    assert len(names) >= 14
    for a in range(2):
        mine = set(split.local[a].tolist())
        others = {var.index for (b, _d, _s), var in v.shift.items() if b != a}
        assert all(set(split.constraints[c].vars) <= mine for c in split.own[a])
        assert not mine & others
    # A1's weekend rule is its own: a helper of A1, not of the master
    assert len(split.local[0]) > len(split.local[1])


def test_each_agent_takes_what_the_cover_still_needs(tmp_path: Path) -> None:
    """One agent, cover wanting E on Monday to Wednesday: built against the rows' duals it works
    exactly those days (priced with no duals it would rest, which costs nothing)."""
    folder = write_centre(tmp_path, cover=cover_rows({0: "E", 1: "E", 2: "E"}, days=7))
    model, v, p = day_model(folder, 7)
    values = AgentSplit(model, v, len(p.agents)).construct(budget=Budget(60), seed=0)
    assert values is not None
    assert shifts_of(v, p, values) == {0: "E", 1: "E", 2: "E"}


def test_two_agents_share_the_cover_without_doubling(tmp_path: Path) -> None:
    """The second agent is priced with the first in place: it takes the shifts still missing."""
    folder = write_centre(tmp_path, agents="agent,team,line,max_hours\nA1,T,L,16\nA2,T,L,16\n",
                          cover=cover_rows({0: "E", 1: "E", 2: "E", 3: "E"}, days=7))
    model, v, p = day_model(folder, 7)
    values = AgentSplit(model, v, len(p.agents)).construct(budget=Budget(60), seed=0)
    first, second = shifts_of(v, p, values, 0), shifts_of(v, p, values, 1)
    assert len(first) == len(second) == 2
    assert sorted({**first, **second}) == [0, 1, 2, 3]


def test_no_roster_when_an_agent_has_no_pattern(tmp_path: Path) -> None:
    folder = write_centre(tmp_path, agents="agent,team,line,min_hours\nA1,T,L,100\n",
                          cover=cover_rows({0: "E"}, days=7))
    model, v, p = day_model(folder, 7)
    assert AgentSplit(model, v, len(p.agents)).construct(budget=Budget(60), seed=0) is None


def test_a_constraint_it_cannot_read_turns_the_split_off(tmp_path: Path) -> None:
    folder = write_centre(tmp_path, cover=cover_rows({0: "E"}, days=7))
    model, v, p = day_model(folder, 7)
    top = model.new_int_var(0, 1, "top")
    model.add_max_equality(top, list(v.rest.values()))
    assert not AgentSplit(model, v, len(p.agents)).supported


@given(st.lists(st.sampled_from(["E", "N", None]), min_size=7, max_size=7), st.integers(1, 3), st.booleans())
@settings(max_examples=8)
def test_when_the_search_finds_nothing_the_roster_built_by_agents_keeps_every_rule(
        wanted: list, least_run: int, forbid: bool) -> None:
    """The whole-horizon search is cut before it finds a roster; the roster then comes from
    the agents' own models and passes the independent check."""
    import tempfile

    seen: list[str] = []
    with tempfile.TemporaryDirectory() as scratch, first_search_cut(max_time_in_seconds=1e-9):
        folder = write_centre(
            Path(scratch), agents="agent,team,line,max_weekends\nA1,T,L,1\nA2,T,L,\n",
            rules=f"min_consecutive_working_days = {least_run}",
            night='not_followed_by = ["E"]' if forbid else "",
            cover=cover_rows({d: code for d, code in enumerate(wanted) if code}, days=7))
        centre = load_centre(folder)
        result = roster(centre, NO_REQUIREMENT, MONDAY, MONDAY + dt.timedelta(days=6), time_limit_s=4,
                        progress=seen.append)
        assert any("built agent by agent" in line for line in seen)
        assert problems(centre, result.frame) == []
        covered = {d for agent in ("A1", "A2") for d in worked(result.frame, agent)}
        assert covered <= set(range(7))
