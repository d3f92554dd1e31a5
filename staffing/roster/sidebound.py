"""The bound with meals and breaks placed on every day, solved beside the search.

``placebound.placed_lp`` with paths on every day of bench M bounds its roster at 14,040,630
where stage 1 proves 13,799,270, but takes about 50 s (37 s of it HiGHS's interior point)
and the roster leaves 8 s of work. That LP does not depend on the roster, only on the
problem and stage 1's template limits; and the search runs on fewer workers than the machine
has cores (bench M and L: one worker on two cores). So where a core is idle it is solved from
the start in a process of its own (``python -m staffing.roster.sidebound``, the problem handed
over pickled in a file), while the stages search, and the roster's bound is raised by it at the
end. The search and its work are untouched, so the roster is the same with or without it.

Which days: every day, where its size allows (``MOST_NONZEROS``: memory grows with it, bench
M's 28 days are 1.4 million nonzeros and 690 MiB), else those with the most agent-minutes
required; and only where the interior point is worth a process (``LEAST_S``: smaller ones the
work left at the end pays for, ``placebound.placed_raised``). Its wall time is the run's: it
is waited for until the time limit at most, and one the clock stops, or sizes down, is noted
as a clock cut (``Budget.note_clock_cut``), since a rerun may then prove another bound.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from staffing.roster.capacity import TeamCapacity
from staffing.roster.placebound import LpSize, placed_lp
from staffing.roster.problem import RosterProblem
from staffing.roster.search import Budget, spare_core

MOST_NONZEROS = 2_500_000  # of the LP beside the search (bench L: the count model 0.9 million, a day 0.17 million)
LEAST_S = 3.0              # its estimated seconds below which it is not worth a process of its own
WALL_SHARE = 0.8           # of the wall time left that its estimate may take


def chosen_days(p: RosterProblem, size: LpSize, budget: Budget) -> list[int]:
    """Every day where the size allows, else the days with the most agent-minutes required; fewer
    where the wall time left would not pay for them (noted as the clock's cut)."""
    ranked = sorted(range(len(p.days)), key=lambda d: (-sum(float(p.required[line][d].sum()) for line in p.lines), d))
    fits = len(ranked)
    while fits and size.nonzeros(fits) > MOST_NONZEROS:
        fits -= 1
    by_clock = fits
    while by_clock and size.seconds(by_clock) > WALL_SHARE * budget.wall_left():
        by_clock -= 1
    if by_clock < fits:
        budget.note_clock_cut()
    return sorted(ranked[:by_clock])


class SideBound:
    """The LP of :func:`placebound.placed_lp` on ``days``, solving in a process of its own."""

    def __init__(self, p: RosterProblem, capacity: TeamCapacity, days: list[int], budget: Budget) -> None:
        self.days = days
        with tempfile.NamedTemporaryFile("wb", suffix=".pickle", delete=False) as handed:
            pickle.dump((p, capacity, days, max(budget.wall_left(), 1.0)), handed)
        self._handed = Path(handed.name)
        root = str(Path(__file__).resolve().parents[2])  # where this staffing is imported from
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        self.failure = ""  # the process's last word where it failed
        try:
            self._process = subprocess.Popen([sys.executable, "-m", "staffing.roster.sidebound", str(self._handed)],
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        except OSError:
            self._handed.unlink(missing_ok=True)
            raise

    @classmethod
    def start(cls, p: RosterProblem, capacity: TeamCapacity, budget: Budget, workers: int) -> SideBound | None:
        """The bound beside the search, where a core is spare and the LP is worth it; else ``None``."""
        if not spare_core(workers):
            return None
        size = LpSize.of(p)
        days = chosen_days(p, size, budget)
        if not days or size.seconds(len(days)) < LEAST_S:
            return None
        try:
            return cls(p, capacity, days, budget)
        except OSError:  # no interpreter to start, or no room for its file: the run goes on without it
            return None

    def bound(self, budget: Budget) -> float | None:
        """Its bound, waited for until ``budget``'s wall time runs out (then stopped, and the cut
        noted); ``None`` where it was stopped or failed. A process already done is read whatever
        the time left (a wait of no time would give up before reading)."""
        try:
            done = self._process.poll() is not None
            out, err = self._process.communicate(timeout=None if done else max(budget.wall_left(), 0.0))
        except subprocess.TimeoutExpired:
            budget.note_clock_cut()
            self.close()
            return None
        self.close()
        if self._process.returncode != 0:
            words = err.decode(errors="replace").strip().splitlines()
            self.failure = words[-1] if words else f"exit status {self._process.returncode}"
            return None
        found = pickle.loads(out)
        if found is None:  # the LP's time limit came first, or it failed
            budget.note_clock_cut()
        return found

    def close(self) -> None:
        """Stop the process if it still runs, and remove what it was handed."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
        self._handed.unlink(missing_ok=True)


def _main(handed: str) -> None:
    with open(handed, "rb") as source:
        p, capacity, days, wall_s = pickle.load(source)
    sys.stdout.buffer.write(pickle.dumps(placed_lp(p, days, capacity, Budget(wall_s))))


__all__ = ["SideBound", "chosen_days"]


if __name__ == "__main__":
    _main(sys.argv[1])
