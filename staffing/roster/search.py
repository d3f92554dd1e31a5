"""The CP-SAT solver settings every stage of the roster engine uses."""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ortools.sat.python import cp_model

T = TypeVar("T")

_DETERMINISTIC = contextvars.ContextVar("deterministic", default=True)
_LEDGER: contextvars.ContextVar[_Ledger | None] = contextvars.ContextVar("ledger", default=None)

# CP-SAT's deterministic time (its count of work done) per second of search, by kind of model,
# measured on 2 cores with one worker (bench S and M at a07d47a, Curtois 8):
WORK_PER_S = 0.8          # the one day-level model and its rounds (0.6-0.8), a day's counts as paths (0.8-1.05)
PLACING_WORK_PER_S = 0.6  # models that place meals and breaks or name agents: stage 3's line-days (M: 0.62),
#                           the one model with meals (S: 0.73), a team's names (M: 0.62, S: 0.74)
WINDOW_WORK_PER_S = 0.45  # a window of stage 1's team counts (M: 16.3 in 35.9 s)
LARGE_WINDOW_WORK_PER_S = 0.25  # the same on a large centre (L: 0.9 in 3.2-4.5 s; at 0.45 the clock cut one)
COUNTS_WORK_PER_S = 0.22  # stage 1's whole-horizon count model (M: 0.23-0.42, L: 0.39-0.42; at 0.3 the clock cut M's)
SMALL_COUNTS_WORK_PER_S = 0.7  # both on a small centre, whose days are polished as paths (S: 0.71-1.0, windows 0.74)
LEAST_CHARGE_S = 0.02     # each search costs at least this (building it takes time its work does not count)
WORK_SHARE = 0.85         # of the time limit: the work a roster does by default, leaving the clock room
LEAST_ROUND_S = 0.05      # no neighbourhood round on less work than this


class _Ledger:
    """The work one roster's searches have done (seconds on 2 cores), and whether the wall
    clock stopped any of them before its work did."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.clock_cut = False


class Budget:
    """The search a roster may do: seconds of work, each second what CP-SAT does in a second on
    2 cores (its deterministic time over the kind's ``*_WORK_PER_S``), with the wall clock as a cap.

    Every search started inside :meth:`charging` is charged the work it did, and every stage and
    loop stops on the work left, so a seed takes the same searches to the same ends on every run.
    The clock only decides where a search stops on a machine slower than the rates assume, and
    then ``clock_cut`` says so: that run may differ from the next. A :meth:`part` is a share of
    what is left, of the work and of the wall time alike."""

    def __init__(self, seconds: float, *, wall_s: float | None = None, _ledger: _Ledger | None = None) -> None:
        self._ledger = _ledger or _Ledger()
        self.end = self._ledger.spent + max(seconds, 0.0)
        self.wall_end = time.perf_counter() + max(seconds if wall_s is None else wall_s, 0.0)

    @contextlib.contextmanager
    def charging(self) -> Iterator[Budget]:
        """Within: every search made by :func:`make_solver` charges this budget's ledger."""
        token = _LEDGER.set(self._ledger)
        try:
            yield self
        finally:
            _LEDGER.reset(token)

    @property
    def spent(self) -> float:
        return self._ledger.spent

    @property
    def clock_cut(self) -> bool:
        return self._ledger.clock_cut

    def left(self) -> float:
        """Seconds of work left."""
        return max(self.end - self._ledger.spent, 0.0)

    def wall_left(self) -> float:
        return self.wall_end - time.perf_counter()

    def note_clock_cut(self) -> None:
        """Note that the clock, not the work, cut something short: a run with the same seed may differ."""
        self._ledger.clock_cut = True

    def charge(self, seconds: float) -> None:
        """Charge work that no search counts (building models), estimated from what is built."""
        self._ledger.spent += seconds

    def done(self, least_s: float = 0.0) -> bool:
        """Whether no more than ``least_s`` of work is left, or no time (noted as a cut by the clock)."""
        if self.left() <= least_s:
            return True
        if self.wall_left() <= 0:
            self.note_clock_cut()
            return True
        return False

    def part(self, share: float, wall_share: float | None = None) -> Budget:
        """``share`` of the work left and of the wall time left (``wall_share`` of it where
        given: a step that takes more wall for its work than the rest), from the same ledger."""
        wall = share if wall_share is None else wall_share
        return Budget(self.left() * share, wall_s=max(self.wall_left(), 0.0) * wall, _ledger=self._ledger)

    def private(self, seconds: float, wall_share: float = 1.0) -> Budget:
        """``seconds`` of work on a ledger of its own, to the same wall end (or ``wall_share`` of
        the wall left): a search's share fixed before a round of them starts, charged back by
        :func:`run_shares`."""
        return Budget(seconds, wall_s=max(self.wall_left(), 0.0) * wall_share)

    def paced(self, share: float) -> Budget:
        """All the work left, on ``share`` of the wall time left (from the same ledger): a step of
        a sequence that must reach its end where the clock runs short, each step taking its part
        of the wall, while the work alone decides it where the clock does not bind."""
        return Budget(self.left(), wall_s=max(self.wall_left(), 0.0) * share, _ledger=self._ledger)

    def upto(self, seconds: float) -> Budget:
        """At most ``seconds`` of the work left, to the same wall end, drawn from the same ledger."""
        return Budget(min(seconds, self.left()), wall_s=max(self.wall_left(), 0.0), _ledger=self._ledger)

    def solver(self, seed: int, workers: int, *, most_s: float | None = None, rate: float = WORK_PER_S,
               at_least_s: float = 0.1) -> cp_model.CpSolver:
        """A solver for the work left (at most ``most_s``), capped by the wall time left."""
        work = self.left() if most_s is None else min(most_s, self.left())
        if runs_free(workers):  # not repeatable anyway: free workers' work adds up over them, so time them
            return make_solver(min(work, self.wall_left()), seed, workers, at_least_s=at_least_s)
        return make_solver(self.wall_left(), seed, workers, work_s=work, rate=rate, at_least_s=at_least_s)


class _Solver(cp_model.CpSolver):
    """A CP-SAT solver that charges the work of each search to the budget charging (if any)."""

    rate = WORK_PER_S

    def solve(self, model: cp_model.CpModel, solution_callback=None):
        status = super().solve(model, solution_callback)
        ledger = _LEDGER.get()
        if ledger is not None:
            response = self.response_proto
            if runs_free(self.parameters.num_workers):
                ledger.spent += max(response.wall_time, LEAST_CHARGE_S)
                return status
            ledger.spent += max(response.deterministic_time / self.rate, LEAST_CHARGE_S)
            limit = self.parameters.max_deterministic_time
            if (status in (cp_model.FEASIBLE, cp_model.UNKNOWN) and response.deterministic_time < 0.99 * limit
                    and response.wall_time >= 0.99 * self.parameters.max_time_in_seconds):
                ledger.clock_cut = True
        return status


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


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def spare_core(workers: int) -> bool:
    """Whether the machine has a core the search's ``workers`` leave idle."""
    return cores() > workers


def run_shares(budget: Budget, shares: list[Budget], jobs: list[Callable[[], T]], threads: int) -> list[T]:
    """``jobs`` run up to ``threads`` at once, their results in order, each searching on its own
    shares (:meth:`Budget.private`, inside their ``charging``); then every share's work is
    charged to ``budget`` in order, with any cut by the clock. The shares, not the threads,
    decide what each search does: the same seed and work give the same results on any number
    of cores."""
    if threads > 1 and len(jobs) > 1:
        with ThreadPoolExecutor(min(threads, len(jobs))) as pool:
            results = list(pool.map(lambda job: job(), jobs))
    else:
        results = [job() for job in jobs]
    for own in shares:
        budget.charge(own.spent)
        if own.clock_cut:
            budget.note_clock_cut()
    return results


def round_threads(workers: int) -> int:
    """The independent searches of a round run at once (a day's cells, the agents' pricing): the
    search's workers and a core they leave idle (as the bound beside the search takes), no more
    than the cores."""
    return max(1, min(workers + 1, cores()))


def runs_free(workers: int) -> bool:
    """Whether ``workers`` run free (several, inside ``parallel(False)``)."""
    return workers > 1 and not _DETERMINISTIC.get()


def make_solver(time_limit_s: float, seed: int, workers: int, *, at_least_s: float = 0.1,
                work_s: float | None = None, rate: float = WORK_PER_S) -> cp_model.CpSolver:
    """A solver with a time limit (never below ``at_least_s``), a seed and a worker count.

    Several workers run interleaved in one deterministic schedule, so the same seed and worker
    count give the same roster (a wall-clock stop can still cut a search short), unless
    ``parallel(False)`` lets them run free.

    ``work_s`` adds a limit of work: the search stops after what ``work_s`` seconds do on 2 cores
    (CP-SAT's deterministic time, ``rate`` a second for this kind of model), or after
    ``time_limit_s`` seconds, whichever comes first. Such a search stops at the same point on
    every run, so the same seed gives the same result wherever the wall clock does not cut it."""
    solver = _Solver()
    solver.rate = rate
    solver.parameters.max_time_in_seconds = max(time_limit_s, at_least_s)
    if work_s is not None:
        solver.parameters.max_deterministic_time = max(work_s, at_least_s) * rate
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    solver.parameters.interleave_search = workers > 1 and _DETERMINISTIC.get()
    return solver


def round_solver(budget: Budget, most_s: float, seed: int, *, rate: float = WORK_PER_S) -> cp_model.CpSolver:
    """The solver of one neighbourhood round (at most ``most_s`` of ``budget``'s work): one
    worker, and no search for symmetries, which on a whole model with most variables fixed
    takes most of a round's time."""
    solver = budget.solver(seed, 1, most_s=most_s, rate=rate, at_least_s=LEAST_ROUND_S)
    solver.parameters.symmetry_level = 0
    return solver


def least_objective(model: cp_model.CpModel) -> float:
    """The least the model's objective can be by its variables' domains alone (each term at its
    cheaper end): a solution there is optimal without a search. A model whose objective is not
    integral (weights with fractions) gives minus infinity: nothing is taken as optimal."""
    if model.proto.has_floating_point_objective():
        return -math.inf
    objective = model.proto.objective
    total = float(objective.offset)
    for ref, coeff in zip(objective.vars, objective.coeffs, strict=True):
        domain = model.proto.variables[ref if ref >= 0 else -ref - 1].domain
        low, high = domain[0], domain[len(domain) - 1]
        if ref < 0:  # a negated reference
            low, high = -high, -low
        total += min(coeff * low, coeff * high)
    return total * (objective.scaling_factor or 1.0)


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
