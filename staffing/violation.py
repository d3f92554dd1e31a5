"""``Violation``: one breach of a rule, as ``staffing check`` reports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Violation:
    """One breach of a rule: who, which day, when, and what."""

    rule: str
    detail: str
    agent: str = ""
    team: str = ""
    line: str = ""
    day: str = ""
    start: str = ""
    end: str = ""

    def describe(self) -> str:
        """``who day start-end: detail`` on one line."""
        when = self.day
        if self.start:
            when = f"{self.start.replace('T', ' ')}-{self.end[11:]}"
        who = self.agent or (f"team {self.team}" if self.team else f"line {self.line}")
        return f"{who} {when}: {self.detail}"
