"""The CP-SAT solver settings every stage of the roster engine uses."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from ortools.sat.python import cp_model

_DETERMINISTIC = contextvars.ContextVar("deterministic", default=True)

# CP-SAT's deterministic time (its count of work done) per second of search, measured on 2 cores:
# 0.6-0.8 for one worker on a neighbourhood, 1.0-1.8 for two workers on a whole model.
WORK_PER_S = 0.8


@contextlib.contextmanager
def parallel(deterministic: bool) -> Iterator[None]:
    """Within: several workers run interleaved in one reproducible schedule (``True``, the
    default) or free (``False``: CP-SAT's parallel search, whose runs may differ).

    Measured on 200 agents over four weeks (stage 1's whole-horizon search, 120 s, 16 cores;
    bound 84.3M): one worker 99.3M, eight interleaved 1,048M, eight free 85.2M. Interleaved
    workers synchronise after every chunk of work, and on a model this size a chunk takes long."""
    token = _DETERMINISTIC.set(deterministic)
    try:
        yield
    finally:
        _DETERMINISTIC.reset(token)


def runs_free(workers: int) -> bool:
    """Whether ``workers`` run free (several, inside ``parallel(False)``)."""
    return workers > 1 and not _DETERMINISTIC.get()


def make_solver(time_limit_s: float, seed: int, workers: int, *, at_least_s: float = 0.1,
                wall_s: float | None = None) -> cp_model.CpSolver:
    """A solver with a time limit (never below ``at_least_s``), a seed and a worker count.

    Several workers run interleaved in one deterministic schedule, so the same seed and worker
    count give the same roster (a wall-clock stop can still cut a search short), unless
    ``parallel(False)`` lets them run free.

    With ``wall_s`` the limit is of work, not of time: the search stops after the work
    ``time_limit_s`` seconds do on 2 cores (``WORK_PER_S``, CP-SAT's deterministic time), or
    after ``wall_s`` seconds, whichever comes first. Such a search stops at the same point on
    every run, so the same seed gives the same result wherever the wall clock does not cut it."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s if wall_s is None else wall_s, at_least_s)
    if wall_s is not None:
        solver.parameters.max_deterministic_time = max(time_limit_s, at_least_s) * WORK_PER_S
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    solver.parameters.interleave_search = workers > 1 and _DETERMINISTIC.get()
    return solver


def round_solver(time_limit_s: float, seed: int, *, wall_s: float | None = None) -> cp_model.CpSolver:
    """The solver of one neighbourhood round: one worker, and no search for symmetries, which
    on a whole model with most variables fixed takes most of a round's time (``wall_s``: a
    limit of work, as in :func:`make_solver`)."""
    solver = make_solver(time_limit_s, seed, 1, at_least_s=0.05, wall_s=wall_s)
    solver.parameters.symmetry_level = 0
    return solver


def set_domain(model: cp_model.CpModel, index: int, domain: list[int]) -> None:
    """Replace the domain of the model's variable ``index`` (fix it, or give its domain back)."""
    field = model.proto.variables[index].domain
    field.clear()
    field.extend(domain)


def hint_solution(model: cp_model.CpModel, values: list[int]) -> None:
    """Hint ``values`` (the current solution, helpers included) for the model's first
    variables: CP-SAT starts from it at once instead of completing a partial hint."""
    model.clear_hints()
    known = min(len(values), len(model.proto.variables))
    model.proto.solution_hint.vars.extend(range(known))
    model.proto.solution_hint.values.extend(values[:known])


def release(model: cp_model.CpModel) -> None:
    """Free a throwaway model now; it cannot be used after. A ``CpModel`` refers to itself
    (its pre-PEP 8 method aliases), so a dropped one waits for Python's cyclic collector,
    which on a long search runs seldom: on 200 agents each round's copy of the model (about
    13 MiB) piled up to over a gigabyte. Emptying its fields keeps their memory for reuse;
    dropping its attributes breaks the cycle and frees it."""
    with contextlib.suppress(TypeError):  # no attribute dictionary: no such cycle, freed when dropped
        vars(model).clear()


def solve_rest_fixed(model: cp_model.CpModel, solver: cp_model.CpSolver, values: list[int], free: set[int],
                     domains: dict[int, list[int]]) -> int:
    """Solve ``model`` with every variable of ``domains`` outside ``free`` fixed to ``values``
    (hinted with all of ``values``); the domains are given back after. Returns the status."""
    for i in domains:
        if i not in free:
            set_domain(model, i, [values[i], values[i]])
    hint_solution(model, values)
    try:
        return solver.solve(model)
    finally:
        for i, domain in domains.items():
            set_domain(model, i, domain)
