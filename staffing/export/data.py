"""A plan folder read into one frozen :class:`PlanData`.

A plan folder is what ``staffing plan`` writes (CONTRACT files): ``roster.csv`` (required),
``forecast.csv``, ``requirements.csv``, ``check.json`` and ``plan.json`` (each optional: a
folder made by hand may lack them, and the exports then say what is missing). Every CSV
goes through the product's checked readers (``staffing.frames``), so a hand-edited
``roster.csv`` with a bad row stops the export with the file, row and field, before
anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from staffing.calendar import centre_calendar, service_day_of
from staffing.centre import load_centre
from staffing.domain import Centre, Event
from staffing.errors import InputError
from staffing.frames import read_forecast, read_requirements, read_roster

EVIDENCE_COLUMNS = ("contacts", "service_day", "day_contacts", "occupancy", "binding")
GAP_COLUMNS = ("line", "team", "missing", "on_board_by", "first_short_day", "short_days", "detail")
TARGET_COLUMNS = ("target", "line", "goal", "value", "ok")
STALE_AFTER_S = 1.0  # check.json older than roster.csv by more than this is stale


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanData:
    """Everything the exports need from one plan folder, checked.

    Attributes
    ----------
    folder : the plan folder.
    centre : the centre the plan was made for.
    roster : ``roster.csv`` (CONTRACT columns, ``date`` as dates, times as timestamps).
    forecast : ``forecast.csv`` or ``None`` when the folder has none.
    requirements : ``requirements.csv`` (``line,start,end,required,floor,day_min_agents``
        plus ``service_day`` and the evidence columns it carries) or ``None``.
    check : ``check.json`` as read (``{"ok", "rules", "targets"}``) or ``None``.
    plan : ``plan.json`` as read or ``None``.
    roster_modified : when ``roster.csv`` was last written (UTC): the calendars' stamp.
    notes : what the reader wants the user to know (a stale check.json, a missing file).
    """

    folder: Path
    centre: Centre = field(repr=False)
    roster: pd.DataFrame = field(repr=False)
    forecast: pd.DataFrame | None = field(default=None, repr=False)
    requirements: pd.DataFrame | None = field(default=None, repr=False)
    check: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None
    roster_modified: dt.datetime
    notes: tuple[str, ...] = ()

    @property
    def days(self) -> tuple[dt.date, ...]:
        """The service days of the roster, in order."""
        return tuple(sorted(set(self.roster["date"])))

    @property
    def start(self) -> dt.date:
        """First day of the plan: plan.json's ``start``, else the roster's first day."""
        return _plan_date(self.plan, "start") or self.days[0]

    @property
    def end(self) -> dt.date:
        """Last day of the plan: plan.json's ``end``, else the roster's last day."""
        return _plan_date(self.plan, "end") or self.days[-1]

    @property
    def headcount_gap(self) -> tuple[dict[str, Any], ...] | None:
        """plan.json's ``headcount_gap`` rows, or ``None`` when the folder holds no analysis."""
        if self.plan is None or "headcount_gap" not in self.plan:
            return None
        return tuple(self.plan["headcount_gap"])

    @property
    def met_without_gap(self) -> tuple[str, ...]:
        return tuple(self.plan.get("met_without_gap", ())) if self.plan else ()

    @property
    def campaign(self) -> Event | None:
        """The campaign of ``events.csv`` the plan is for: the one whose window meets the
        plan's days (its main day inside them first), else ``None``."""
        first, last = min(self.start, self.days[0]), max(self.end, self.days[-1])
        meeting = [e for e in self.centre.events if e.start <= last and e.end >= first]
        meeting.sort(key=lambda e: (not first <= e.day <= last, abs((e.day - first).days)))
        return meeting[0] if meeting else None

    @property
    def peak_days(self) -> tuple[dt.date, ...]:
        """The roster days of the campaign's traffic peak: its main day to the window's end
        (818: 8/18-8/20, DOMAIN section 1); else the roster days inside its window; without a
        campaign, the roster day with the most required agent-hours (or the first one)."""
        campaign = self.campaign
        if campaign is not None:
            for first in (campaign.day, campaign.start):
                inside = tuple(d for d in self.days if first <= d <= campaign.end)
                if inside:
                    return inside
        if self.requirements is not None:
            frame = self.requirements[self.requirements["service_day"].isin(self.days)]
            if len(frame):
                hours = frame["required"] * (frame["end"] - frame["start"]).dt.total_seconds()
                return (hours.groupby(frame["service_day"]).sum().idxmax(),)
        return self.days[:1]


def summary_parts(plan: dict | None) -> tuple[list[tuple[str, Any]], list[tuple[str, list[str], list[list]]]]:
    """plan.json's free ``summary`` as ``(facts, tables)``: scalars and nested objects as
    ``key: value`` facts (``roster status``), lists of objects as tables."""
    summary = (plan or {}).get("summary")
    facts: list[tuple[str, Any]] = []
    tables: list[tuple[str, list[str], list[list]]] = []
    if not isinstance(summary, dict):
        return facts, tables

    def flatten(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                flatten(f"{prefix} {key}".strip(), item)
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            columns = list(dict.fromkeys(k for item in value for k in item))
            tables.append((prefix, columns, [[_scalar(item.get(c)) for c in columns] for item in value]))
        else:
            facts.append((prefix, _scalar(value)))

    flatten("", summary)
    return facts, tables


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return ", ".join(str(item) for item in value)
    return json.dumps(value, ensure_ascii=False)


def load_plan(folder: str | Path, *, centre: Centre | str | Path | None = None,
              fallback_centre: str | Path | None = None) -> PlanData:
    """Read and check a plan folder.

    Parameters
    ----------
    folder : the plan folder (``roster.csv`` required).
    centre : the centre (loaded, or its folder); default: the folder ``plan.json`` names, else
        ``fallback_centre``.
    fallback_centre : the centre used when neither ``centre`` nor ``plan.json`` names one.

    Raises
    ------
    InputError
        A missing folder or roster, a bad row of a CSV, or malformed JSON (exit 2).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, None, None, "plan folder not found")
    plan = read_plan_json(folder / "plan.json") if (folder / "plan.json").exists() else None
    if isinstance(centre, Centre):
        loaded = centre
    else:
        loaded = load_centre(_centre_folder(folder, plan, centre, fallback_centre))
    roster_path = folder / "roster.csv"
    roster = read_roster(roster_path, loaded)
    notes: list[str] = []
    forecast = None
    if (folder / "forecast.csv").exists():
        forecast = read_forecast(folder / "forecast.csv", loaded.lines)
    else:
        notes.append("no forecast.csv in the folder: the forecast sheets and charts are left out")
    requirements = None
    if (folder / "requirements.csv").exists():
        requirements = _requirements_with_evidence(folder / "requirements.csv", loaded)
    else:
        notes.append("no requirements.csv in the folder: required vs planned shows what is planned only")
    check = None
    check_path = folder / "check.json"
    if check_path.exists():
        check = read_check_json(check_path)
        if check_path.stat().st_mtime + STALE_AFTER_S < roster_path.stat().st_mtime:
            notes.append("check.json is older than roster.csv (hand-edited since?): its targets describe the "
                         "roster it was made from; run `staffing check` again")
    modified = dt.datetime.fromtimestamp(int(roster_path.stat().st_mtime), tz=dt.UTC)
    return PlanData(folder=folder, centre=loaded, roster=roster, forecast=forecast, requirements=requirements,
                    check=check, plan=plan, roster_modified=modified, notes=tuple(notes))


def _centre_folder(folder: Path, plan: dict | None, centre: str | Path | None,
                   fallback: str | Path | None) -> Path:
    if centre is not None:
        return Path(centre)
    named = (plan or {}).get("centre")
    if named:
        raw = Path(named)
        for candidate in ([raw] if raw.is_absolute() else [raw, folder / raw]):
            if candidate.is_dir():
                return candidate
        raise InputError(folder / "plan.json", None, "centre", f"{named!r} is not a folder here; pass --centre")
    if fallback is None:
        raise InputError(folder, None, None, "no plan.json naming the centre; pass --centre")
    return Path(fallback)


def _json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, None, "encoding", "not UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(path, error.lineno, None, f"not valid JSON: {error.msg}") from None


def read_plan_json(path: Path) -> dict[str, Any]:
    """``plan.json`` (written by ``staffing plan``) with its shape checked."""
    plan = _json(path)
    if not isinstance(plan, dict):
        raise InputError(path, None, None, "must hold a JSON object")
    if "centre" in plan and not isinstance(plan["centre"], str):
        raise InputError(path, None, "centre", "must be the centre folder's path as text")
    for key in ("start", "end"):
        if key in plan:
            try:
                dt.date.fromisoformat(str(plan[key]))
            except ValueError:
                raise InputError(path, None, key, f"{plan[key]!r} is not a date (YYYY-MM-DD)") from None
    gap = plan.get("headcount_gap", [])
    if not isinstance(gap, list):
        raise InputError(path, None, "headcount_gap", "must be a list of objects")
    for index, item in enumerate(gap):
        if not isinstance(item, dict):
            raise InputError(path, None, f"headcount_gap[{index}]", "must be an object")
        for key in ("line", "team", "missing"):
            if key not in item:
                raise InputError(path, None, f"headcount_gap[{index}].{key}", "missing")
    met = plan.get("met_without_gap", [])
    if not isinstance(met, list) or not all(isinstance(name, str) for name in met):
        raise InputError(path, None, "met_without_gap", "must be a list of target names")
    return plan


def read_check_json(path: Path) -> dict[str, Any]:
    """``check.json`` (``staffing check --json``) with its shape checked; rows may carry
    more keys than the CONTRACT's (``scope``, ``day``, ``start``, ``end``, ...)."""
    check = _json(path)
    if not isinstance(check, dict):
        raise InputError(path, None, None, "must hold a JSON object")
    for key in ("rules", "targets"):
        rows = check.get(key, [])
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise InputError(path, None, key, "must be a list of objects")
    for index, row in enumerate(check.get("targets", [])):
        for key in ("target", "ok"):
            if key not in row:
                raise InputError(path, None, f"targets[{index}].{key}", "missing")
    return check


def _requirements_with_evidence(path: Path, centre: Centre) -> pd.DataFrame:
    """The checked requirements, then the evidence columns read with pandas and joined on
    ``line,start`` (they are the product's notes; a hand-made file may have none)."""
    checked = read_requirements(path, centre.lines)
    raw = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    raw.columns = [c.strip() for c in raw.columns]
    present = [c for c in EVIDENCE_COLUMNS if c in raw.columns]
    evidence = raw[["line", "start", *present]].copy()
    evidence["line"] = evidence["line"].str.strip()
    evidence["start"] = pd.to_datetime(evidence["start"].str.strip(), errors="coerce")
    for column in ("contacts", "day_contacts", "occupancy"):
        if column in evidence:
            evidence[column] = pd.to_numeric(evidence[column], errors="coerce")
    if "service_day" in evidence:
        evidence["service_day"] = pd.to_datetime(evidence["service_day"], errors="coerce").dt.date
    evidence = evidence.dropna(subset=["start"]).drop_duplicates(["line", "start"])
    frame = checked.merge(evidence, on=["line", "start"], how="left")
    missing = frame["service_day"].isna() if "service_day" in frame else pd.Series(True, index=frame.index)
    if missing.any():
        frame["service_day"] = frame.get("service_day", pd.Series(None, index=frame.index, dtype=object))
        frame.loc[missing, "service_day"] = service_days(centre, frame[missing])
    return frame


def service_days(centre: Centre, rows: pd.DataFrame) -> list[dt.date | None]:
    """The service day of each row's start (the line's window that holds it; else its date)."""
    calendar = centre_calendar(centre)
    out = []
    for row in rows.itertuples():
        instant = pd.Timestamp(row.start).to_pydatetime()
        out.append(service_day_of(centre.lines[row.line], instant, calendar) or instant.date())
    return out


def _plan_date(plan: dict | None, key: str) -> dt.date | None:
    if not plan or key not in plan:
        return None
    return dt.date.fromisoformat(str(plan[key]))
