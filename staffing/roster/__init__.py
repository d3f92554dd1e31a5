"""The roster engine: named shifts, rest days, meals and breaks, one away at a time.

``roster(centre, requirements, start, end)`` builds the :class:`RosterProblem` and solves it
in two stages with OR-Tools CP-SAT (see ``solve.py``).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from staffing.domain import Centre
from staffing.errors import InfeasibleError, NoRosterFoundError
from staffing.roster.problem import Leave, RosterProblem, build_problem
from staffing.roster.result import ROSTER_COLUMNS, RosterResult
from staffing.roster.solve import Progress, solve


def roster(centre: Centre, requirements: pd.DataFrame, start: dt.date, end: dt.date, *,
           leave: tuple[Leave, ...] = (), time_limit_s: float = 60.0, work_s: float | None = None, seed: int = 0,
           workers: int = 1, deterministic: bool = True, progress: Progress | None = None) -> RosterResult:
    """The named roster for service days ``start``..``end``. Several ``workers`` run interleaved
    (the same seed gives the same roster) or, with ``deterministic=False``, free. The search does
    ``work_s`` seconds of work on 2 cores (default 85% of ``time_limit_s``), stopped by ``time_limit_s``
    of wall time if that comes first (``RosterResult.repeatable`` says whether it did not).

    Raises
    ------
    InfeasibleError
        No roster keeps the hard rules (exit 3); the message names teams, days, intervals and rules.
    NoRosterFoundError
        Nothing found within ``time_limit_s`` (exit 4).
    """
    problem = build_problem(centre, requirements, start, end, leave)
    return solve(problem, time_limit_s=time_limit_s, work_s=work_s, seed=seed, workers=workers,
                 deterministic=deterministic, progress=progress)


__all__ = ["ROSTER_COLUMNS", "InfeasibleError", "Leave", "NoRosterFoundError", "RosterProblem", "RosterResult",
           "build_problem", "roster", "solve"]
