"""The peak-period plan in the forms people hand out: ``plan.xlsx``, ``report.html``, one
``.ics`` per agent and ``roster_wide.csv``, from a plan folder (``staffing export``).

Everything is read and checked first (:func:`staffing.export.data.load_plan`) and rendered
in memory; only then is each file written, atomically. Bad input writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from staffing.domain import Centre
from staffing.errors import StaffingError
from staffing.export.data import PlanData, load_plan
from staffing.io import atomic_write

FORMATS = ("xlsx", "html", "ics", "csv")
FILE_NAMES = {"xlsx": "plan.xlsx", "html": "report.html", "csv": "roster_wide.csv"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportResult:
    """What an export wrote, and what the user should know about the folder it read."""

    folder: Path
    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        calendars = [f for f in self.files if f.suffix == ".ics"]
        others = [f.name for f in self.files if f.suffix != ".ics"]
        parts = others + ([f"{len(calendars)} calendars (.ics)"] if calendars else [])
        return f"Wrote {', '.join(parts)} into {self.folder}"


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """``"all"``, one format, or several, as a tuple of known formats in a fixed order."""
    names = {formats} if isinstance(formats, str) else set(formats)
    if "all" in names:
        return FORMATS
    unknown = names - set(FORMATS)
    if unknown or not names:
        raise StaffingError(f"unknown export format {', '.join(sorted(unknown)) or '(none)'}; "
                            f"use all, {', '.join(FORMATS)}", exit_code=2)
    return tuple(f for f in FORMATS if f in names)


def render(data: PlanData, formats: tuple[str, ...]) -> dict[str, bytes]:
    """File name -> contents for the formats asked for (nothing written)."""
    from staffing.export.ics import render_calendars
    from staffing.export.views import roster_grid
    from staffing.export.wide import render_wide

    out: dict[str, bytes] = {}
    if "xlsx" in formats or "html" in formats:
        from staffing.export.bundle import build_views

        views = build_views(data)
        if "xlsx" in formats:
            from staffing.export.xlsx import render_workbook

            out[FILE_NAMES["xlsx"]] = render_workbook(views)
        if "html" in formats:
            from staffing.export.html import render_report

            out[FILE_NAMES["html"]] = render_report(views).encode("utf-8")
    if "ics" in formats:
        out.update(render_calendars(data))
    if "csv" in formats:
        out[FILE_NAMES["csv"]] = render_wide(roster_grid(data)).encode("utf-8-sig")
    return out


def export_plan(folder: str | Path, *, formats: str | Iterable[str] = "all", out: str | Path | None = None,
                centre: Centre | str | Path | None = None,
                fallback_centre: str | Path | None = None) -> ExportResult:
    """Export a plan folder.

    Parameters
    ----------
    folder : the plan folder (``roster.csv``; ``forecast.csv``, ``requirements.csv``,
        ``check.json``, ``plan.json`` when there).
    formats : ``"all"`` or any of ``xlsx``, ``html``, ``ics``, ``csv``.
    out : the folder to write into (default: ``folder``).
    centre : the centre, loaded or its folder (default: the folder plan.json names, else
        ``fallback_centre``).

    Raises
    ------
    InputError
        Bad input (exit 2): nothing is written.
    """
    chosen = parse_formats(formats)
    data = load_plan(folder, centre=centre, fallback_centre=fallback_centre)
    contents = render(data, chosen)
    target = Path(out) if out is not None else Path(folder)
    written = []
    for name, content in contents.items():
        with atomic_write(target / name, mode="wb") as handle:
            handle.write(content)
        written.append(target / name)
    return ExportResult(folder=target, files=tuple(written), notes=data.notes)


__all__ = ["FORMATS", "ExportResult", "PlanData", "export_plan", "load_plan"]
