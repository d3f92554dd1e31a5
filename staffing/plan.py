"""``plan()``: the main job. Forecast -> requirements -> roster -> check -> headcount -> export.

Each step takes the previous step's result; every file goes through the CONTRACT writers
(atomically) into the plan folder, which then holds ``forecast.csv``, ``requirements.csv``,
``roster.csv``, ``check.json``, ``plan.json`` (the range, the centre and the headcount gap)
and the exports (``plan.xlsx``, ``report.html``, one ``.ics`` per agent).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from staffing.check import CheckReport
from staffing.domain import Centre, Event
from staffing.errors import StaffingError
from staffing.headcount import Gap, LineDayNeed, gaps_as_dicts, headcount_gap, line_day_needs
from staffing.io import atomic_write

Step = Callable[[str], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanResult:
    """What the plan found: the roster's quality, the checks, the headcount gap, the files."""

    start: dt.date
    end: dt.date
    campaign: Event | None
    roster_status: str
    roster_gap: float
    needs: tuple[LineDayNeed, ...] = field(repr=False)
    gaps: tuple[Gap, ...]
    check: CheckReport = field(repr=False)
    files: tuple[Path, ...]

    @property
    def ok(self) -> bool:
        return bool(self.check.ok)


def coming_campaign(centre: Centre) -> Event | None:
    """The first campaign after the end of the history (the one being planned); the last one
    when every campaign is in the past."""
    if not centre.events:
        return None
    last = centre.history["start"].max() if len(centre.history) else None
    ahead = [e for e in centre.events if last is None or pd.Timestamp(e.day) > last]
    return min(ahead, key=lambda e: e.day) if ahead else max(centre.events, key=lambda e: e.day)


def default_range(centre: Centre) -> tuple[dt.date, dt.date]:
    """The calendar month that holds the coming campaign's day (the monthly roster)."""
    campaign = coming_campaign(centre)
    if campaign is None:
        raise StaffingError("no campaign in events.csv to plan for: give --start and --end", exit_code=2)
    first = campaign.day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def plan(centre: Centre, out: Path, start: dt.date, end: dt.date, *, time_limit_s: float = 140.0, seed: int = 0,
         workers: int = 1, deterministic: bool = True, step: Step | None = None,
         progress: Callable[[str], None] | None = None,
         formats: tuple[str, ...] = ("xlsx", "html", "ics")) -> PlanResult:
    """Run every step for ``start``..``end`` and write the plan folder ``out``."""
    from staffing import write_forecast, write_requirements, write_roster
    from staffing.check import check_plan
    from staffing.export import export_plan
    from staffing.forecast import forecast
    from staffing.leave import approved_leave
    from staffing.requirements import requirements
    from staffing.roster import roster

    say = step or (lambda message: None)
    out.mkdir(parents=True, exist_ok=True)
    campaign = coming_campaign(centre)
    say("forecast")
    predicted = forecast(centre, start, end)
    say("requirements")
    needed = requirements(centre, predicted.frame)
    leave = approved_leave(centre.folder, start, end)
    say(f"roster (up to {time_limit_s:.0f} s)")
    rostered = roster(centre, needed.frame, start, end, leave=leave, time_limit_s=time_limit_s, seed=seed,
                      workers=workers, deterministic=deterministic, progress=progress)
    say("check")
    report = check_plan(centre, rostered.frame, needed.frame, predicted.frame)
    needs = line_day_needs(centre, rostered.frame, rostered.short_slots, _day_min(needed.frame), start, end)
    gaps = headcount_gap(centre, needs, campaign, start, end)
    say("export")
    write_forecast(predicted, out / "forecast.csv")
    write_requirements(needed, out / "requirements.csv")
    write_roster(rostered, out / "roster.csv")
    with atomic_write(out / "check.json") as handle:
        handle.write(report.to_json())
    summary = {
        "roster": {"status": rostered.status, "objective": rostered.objective, "bound": rostered.bound,
                   "gap": rostered.gap, "seconds": round(rostered.seconds, 1),
                   "short_agent_min": rostered.shortfall_agent_min, "over_agent_min": rostered.over_agent_min},
        "days": [{"line": n.line, "day": n.day.isoformat(), "available": n.available, "working": n.working,
                  "extra_needed": n.extra, "short_agent_min": n.short_agent_min} for n in needs],
    }
    met = [f"{t.target} ({t.line})" for t in report.targets if t.ok and t.scope == "line"]
    document = {"centre": str(centre.folder), "start": start.isoformat(), "end": end.isoformat(),
                "created": dt.datetime.now().isoformat(timespec="seconds"),
                "campaign": None if campaign is None else {"name": campaign.name, "start": campaign.start.isoformat(),
                                                           "end": campaign.end.isoformat(),
                                                           "day": campaign.day.isoformat()},
                "headcount_gap": gaps_as_dicts(gaps), "met_without_gap": met, "summary": summary}
    with atomic_write(out / "plan.json") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2)
    files = [out / name for name in ("forecast.csv", "requirements.csv", "roster.csv", "check.json", "plan.json")]
    files += list(export_plan(out, centre=centre, formats=formats).files)
    return PlanResult(start=start, end=end, campaign=campaign, roster_status=rostered.status, roster_gap=rostered.gap,
                      needs=tuple(needs), gaps=tuple(gaps), check=report, files=tuple(files))


def _day_min(frame: pd.DataFrame) -> dict[tuple[str, dt.date], int]:
    if "day_min_agents" not in frame or "service_day" not in frame:
        return {}
    rows = frame.dropna(subset=["day_min_agents"]).groupby(["line", "service_day"])["day_min_agents"].max()
    return {(line, pd.Timestamp(day).date()): int(value) for (line, day), value in rows.items()}


__all__ = ["PlanResult", "coming_campaign", "default_range", "describe_plan", "plan"]


def describe_plan(result: PlanResult, out: Path) -> str:
    """The summary printed after a plan: roster quality, agents needed against available per
    line and day (the days that need more, and the campaign day), targets, the headcount gap."""
    lines = [f"Plan {result.start}..{result.end}"
             + (f" for {result.campaign.name} ({result.campaign.day})" if result.campaign else "") + f", in {out}/"]
    quality = "proven optimal" if result.roster_status == "optimal" else f"gap {result.roster_gap:.1%} to its bound"
    lines.append(f"Roster: {quality}")
    lines.append("Agents per line and day (available / working / more needed to meet `required`):")
    campaign_day = result.campaign.day if result.campaign else None
    for line in dict.fromkeys(n.line for n in result.needs):
        days = [n for n in result.needs if n.line == line and (n.extra > 0 or n.day == campaign_day)]
        if not days:
            lines.append(f"  {line}: the agents on hand cover every day")
        for n in days:
            lines.append(f"  {line} {n.day}: {n.available} / {n.working} / "
                         + (f"+{n.extra} ({n.short_agent_min:,} agent-minutes short)" if n.extra else "0"))
    targets = [t for t in result.check.targets if t.scope == "line"]
    if targets:
        lines.append("Targets (whole horizon):")
        for t in targets:
            lines.append(f"  {'ok  ' if t.ok else 'MISS'} {t.line} {t.target}: {_fmt(t.target, t.value)} "
                         f"(goal {_fmt(t.target, t.goal)})")
    broken = [r.rule for r in result.check.rules if not r.ok]
    if broken:
        lines.append(f"Rules not kept: {', '.join(broken)} (see check.json)")
    if result.gaps:
        lines.append("Headcount gap (new agents, on board by the date given):")
        for gap in result.gaps:
            lines.append(f"  {gap.line} team {gap.team}: {gap.missing} missing, on board by {gap.on_board_by}")
        details = dict.fromkeys(g.detail for g in result.gaps)
        lines += [f"    {detail}" for detail in details]
        met = [f"{t.line} {t.target}" for t in targets if t.ok]
        lines.append("Met without them: " + (", ".join(met) if met else "no whole-horizon target"))
    else:
        lines.append("Headcount: the agents on hand are enough")
    lines.append("Wrote " + ", ".join(path.name for path in result.files[:7])
                 + (f" and {len(result.files) - 7} more" if len(result.files) > 7 else ""))
    return "\n".join(lines)


SHARES = ("service_level", "answer_rate", "occupancy")


def _fmt(target: str, value) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if target in SHARES else f"{value:,.1f}"
