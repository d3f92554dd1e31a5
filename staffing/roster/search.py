"""The CP-SAT solver settings every stage of the roster engine uses."""

from __future__ import annotations

from ortools.sat.python import cp_model


def make_solver(time_limit_s: float, seed: int, workers: int, *, at_least_s: float = 0.1) -> cp_model.CpSolver:
    """A solver with a time limit (never below ``at_least_s``), a seed and a worker count.

    Several workers run interleaved in one deterministic schedule: the same seed and worker
    count give the same roster (a wall-clock stop can still cut a search short)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s, at_least_s)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    solver.parameters.interleave_search = workers > 1
    return solver
