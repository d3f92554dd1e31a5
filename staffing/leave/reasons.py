"""What a decision is made of: the reasons judged, and the changes a repair proposes."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Literal

ChangeKind = Literal["swap", "move", "replace"]
CHANGE_ORDER: tuple[ChangeKind, ...] = ("swap", "move", "replace")   # most preferred first (the order)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """One rule judged: its id, whether it holds, and a sentence a supervisor can act on.

    ``blocking`` reasons refuse the request when they fail; the others inform (what was not
    judged, what the ledger added to the roster, the shortfall within tolerance).
    """

    rule: str
    ok: bool
    detail: str
    blocking: bool = True

    def line(self) -> str:
        mark = "note" if not self.blocking else ("ok  " if self.ok else "FAIL")
        return f"[{mark}] {self.rule}: {self.detail}"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Reason:
        return cls(**data)


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One change a repair makes to the roster: who, which service day, and what.

    ``kind``: ``swap`` (a teammate works a rest day and rests on another day of the month),
    ``move`` (another shift template that day), ``replace`` (a meal or break at another time).
    """

    kind: ChangeKind
    agent: str
    day: dt.date
    detail: str

    def line(self) -> str:
        return f"{self.kind}: {self.agent} {self.day}: {self.detail}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "agent": self.agent, "day": self.day.isoformat(), "detail": self.detail}

    @classmethod
    def from_dict(cls, data: dict) -> Change:
        return cls(kind=data["kind"], agent=data["agent"], day=dt.date.fromisoformat(data["day"]),
                   detail=data["detail"])
