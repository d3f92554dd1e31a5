"""The product's exceptions, each carrying the exit code the command line uses.

``cli.py`` catches :class:`StaffingError` once, prints ``Error: <message>`` on one line
and exits with ``exit_code``. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class StaffingError(Exception):
    """Base of every error a user can cause or act on."""

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(StaffingError):
    """Bad input: one line naming the file, the row (line number) and the field.

    Rendered as ``agents.csv:14: team: 'T9' is not a team in centre.toml``. ``row`` is the
    line number in the file (the CSV header is line 1); it is ``None`` where the problem
    belongs to the whole file (an empty file, a missing column).
    """

    exit_code = 2

    def __init__(
        self,
        path: str | Path,
        row: int | None,
        field: str | None,
        reason: str,
    ) -> None:
        self.path = Path(path)
        self.row = row
        self.field = field
        self.reason = reason
        location = self.path.name if row is None else f"{self.path.name}:{row}"
        parts = [location]
        if field:
            parts.append(field)
        parts.append(reason)
        super().__init__(": ".join(parts))


class CalendarError(StaffingError):
    """A date the holiday calendar cannot answer for (a year nobody described)."""

    exit_code = 2


class InfeasibleError(StaffingError):
    """No roster can keep the hard rules: exit 3, with conflicts a supervisor can act on."""

    exit_code = 3

    def __init__(self, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        super().__init__("no roster keeps every hard rule:\n  " + "\n  ".join(conflicts))


class NoRosterFoundError(StaffingError):
    """The solver found no roster in the time given: exit 4, with what to try."""

    exit_code = 4
