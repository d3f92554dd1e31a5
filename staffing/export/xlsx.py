"""``plan.xlsx``: the peak-period plan as a workbook for the team (xlsxwriter).

Sheets: Summary; Forecast daily and Forecast hourly (the band and the past peaks aligned on
the campaign day, with a chart per line); Staffing (required vs planned on the line per
slot, shortfall in red); Roster (agents x days, rest and leave coloured); one Breaks sheet
per peak day (agents x time of day); Per shift, Daily volume and Online duration (the 818
guide's extras); Headcount gap; Targets. Every text cell goes through :meth:`_Book.write`,
which stores text that looks like a formula with the quote prefix (formula injection).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xlsxwriter

from staffing.domain import clock
from staffing.export.bundle import PlanViews
from staffing.export.cells import looks_like_formula
from staffing.export.data import GAP_COLUMNS, TARGET_COLUMNS, summary_parts

HEADER = {"bold": True, "bg_color": "#f3f3f3", "border": 1, "text_wrap": True, "valign": "top"}
SHIFT_FILLS = ("#ddebf7", "#e2efda", "#fff2cc", "#fce4d6", "#ede7f6", "#d9f2f2", "#f2dcdb", "#e7e6e6")
REST_FILL, LEAVE_FILL, SHORT_FILL = "#d9d9d9", "#f8cbad", "#f4b6b6"
AWAY_CELLS = {"on": ("", "#c6efce"), "meal": ("M", "#f4b183"), "break": ("B", "#ffe699"),
              "meeting": ("MT", "#c9c2e3")}
DATE, DATETIME = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"


class _Book:
    """An in-memory workbook with cached formats and one typed ``write`` for every cell."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False,
                                                      "strings_to_urls": False, "strings_to_numbers": False})
        self._formats: dict[tuple, object] = {}

    def fmt(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(props)
        return self._formats[key]

    def write(self, sheet, row: int, col: int, value, **style) -> None:
        """Write ``value`` by its type; text that looks like a formula keeps a quote prefix."""
        if isinstance(value, np.generic):
            value = value.item()
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
            if style:
                sheet.write_blank(row, col, None, self.fmt(**style))
            return
        if isinstance(value, bool):
            sheet.write_string(row, col, "yes" if value else "no", self.fmt(**style))
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, self.fmt(**style))
        elif isinstance(value, dt.datetime):
            sheet.write_datetime(row, col, value, self.fmt(num_format=DATETIME, **style))
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), self.fmt(num_format=DATE, **style))
        else:
            text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
            if looks_like_formula(text):
                style = {**style, "quote_prefix": True}
            sheet.write_string(row, col, text, self.fmt(**style))

    def table(self, sheet, row: int, columns: Sequence[str], rows, widths: Sequence[int] = ()) -> int:
        """A header and rows from ``row``; returns the next free row."""
        for col, name in enumerate(columns):
            self.write(sheet, row, col, name, **HEADER)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        rows = list(rows)
        for offset, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                self.write(sheet, row + offset, col, value)
        return row + len(rows) + 2

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def render_workbook(views: PlanViews) -> bytes:
    """The whole workbook as bytes."""
    book = _Book()
    data = views.data
    book.book.set_properties({"title": f"{data.centre.name} peak-period plan {data.start}..{data.end}",
                              "subject": "peak-period plan", "comments": "made by staffing export"})
    _summary(book, views)
    _forecast_daily(book, views)
    _forecast_hourly(book, views)
    _staffing(book, views)
    _roster(book, views)
    for grid in views.away:
        _breaks(book, views, grid)
    _frame_sheet(book, "Per shift", views.shifts, "difference")
    _frame_sheet(book, "Daily volume", views.volume, "within_cap")
    _frame_sheet(book, "Online duration", views.online, "ok")
    _gap(book, views)
    _targets(book, views)
    return book.close()


def _summary(book: _Book, views: PlanViews) -> None:
    data = views.data
    sheet = book.book.add_worksheet("Summary")
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 60)
    book.write(sheet, 0, 0, f"{data.centre.name}: peak-period plan", bold=True, font_size=14)
    campaign = data.campaign
    facts = [("plan", f"{data.start}..{data.end}"), ("roster days", f"{data.days[0]}..{data.days[-1]}"),
             ("campaign", f"{campaign.name} {campaign.start}..{campaign.end}, main day {campaign.day}"
              if campaign else "none in events.csv"),
             ("peak days", ", ".join(str(d) for d in data.peak_days)),
             ("created", (data.plan or {}).get("created", "")),
             ("agents on the roster", int(data.roster["agent"].nunique())),
             ("shifts planned", int((data.roster["activity"] == "shift").sum()))]
    facts += [(f"{line}: agent-hours short of the requirement", round(m / 60, 1))
              for line, m in views.short_agent_min.items()]
    if data.check is not None:
        targets = [t for t in data.check.get("targets", []) if (t.get("scope") or "line") == "line"]
        facts.append(("targets met over the plan (check.json)",
                      f"{sum(bool(t.get('ok')) for t in targets)} of {len(targets)}"))
    facts.append(("rules broken (roster.csv now)", f"{sum(1 for r in views.rules if r[1])} of {len(views.rules)}"))
    summary_facts, summary_tables = summary_parts(data.plan)
    facts += summary_facts
    facts += [("note", note) for note in data.notes]
    for row, (key, value) in enumerate(facts, start=2):
        book.write(sheet, row, 0, key, bold=True)
        book.write(sheet, row, 1, value)
    row = len(facts) + 4
    book.write(sheet, row, 0, "Per line and day", bold=True)
    row = book.table(sheet, row + 1, ["line", "service day", "forecast contacts", "cap per agent", "agents for cap",
                                      "working", "contacts per agent", "within cap"],
                     list(views.volume.itertuples(index=False, name=None)), [34, 14, 12, 10, 10, 10, 12, 10])
    for title, columns, rows in summary_tables:
        book.write(sheet, row, 0, f"plan.json: {title}", bold=True)
        row = book.table(sheet, row + 1, columns, rows)


def _past_columns(views: PlanViews) -> list[str]:
    return list(dict.fromkeys(views.past_daily["peak"])) if len(views.past_daily) else []


def _forecast_daily(book: _Book, views: PlanViews) -> None:
    sheet = book.book.add_worksheet("Forecast daily")
    if views.daily is None:
        book.write(sheet, 0, 0, "No forecast.csv in the plan folder.")
        return
    peaks = _past_columns(views)
    past = views.past_daily.set_index(["peak", "line", "service_day"])["contacts"] if peaks else None
    columns = ["line", "service day", "weekday", "contacts", "low (10%)", "high (90%)", *peaks]
    rows = []
    for r in views.daily.itertuples(index=False):
        extra = [past.get((p, r.line, r.service_day)) for p in peaks] if past is not None else []
        rows.append([r.line, r.service_day, f"{r.service_day:%a}", r.contacts, r.low, r.high, *extra])
    book.table(sheet, 0, columns, rows, [10, 12, 8, 10, 10, 10, *[10] * len(peaks)])
    sheet.freeze_panes(1, 2)
    anchor = len(rows) + 3
    for line, group in views.daily.reset_index(drop=True).groupby("line", sort=False):
        first, last = group.index[0] + 1, group.index[-1] + 1
        chart = book.book.add_chart({"type": "line"})
        for col, name in [(3, "forecast"), (4, "low"), (5, "high")] + [(6 + i, p) for i, p in
                                                                       enumerate(peaks) if p in views.comparison]:
            chart.add_series({"name": name, "categories": ["Forecast daily", first, 1, last, 1],
                              "values": ["Forecast daily", first, col, last, col],
                              "line": {"width": 2.25 if col == 3 else 1.25,
                                       "dash_type": "solid" if col < 6 else "dash"}})
        chart.set_title({"name": f"{line}: contacts per service day"})
        chart.set_x_axis({"date_axis": True, "num_format": "mm-dd"})
        chart.set_size({"width": 760, "height": 300})
        sheet.insert_chart(anchor, 1, chart)
        anchor += 16


def _forecast_hourly(book: _Book, views: PlanViews) -> None:
    sheet = book.book.add_worksheet("Forecast hourly")
    if views.hourly is None:
        book.write(sheet, 0, 0, "No forecast.csv in the plan folder.")
        return
    peaks = _past_columns(views)
    past = None
    if peaks:
        past = views.past_hourly.set_index(["peak", "line", "service_day", "offset_h"])["contacts"]
    rows = []
    for r in views.hourly.itertuples(index=False):
        offset = int((r.start - pd.Timestamp(r.service_day)).total_seconds() // 3600)
        extra = [past.get((p, r.line, r.service_day, offset)) for p in peaks] if past is not None else []
        rows.append([r.line, r.service_day, r.start.to_pydatetime(), clock(offset * 60), r.contacts, r.low, r.high,
                     *extra])
    book.table(sheet, 0, ["line", "service day", "start", "hour", "contacts", "low (10%)", "high (90%)", *peaks],
               rows, [10, 12, 17, 7, 10, 10, 10, *[10] * len(peaks)])
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, len(rows), 6 + len(peaks))


def _staffing(book: _Book, views: PlanViews) -> None:
    sheet = book.book.add_worksheet("Staffing")
    slots = views.slots
    columns = ["line", "service day", "start", "end", "required", "floor", "on a shift", "away", "on the line",
               "short"]
    rows = [[r.line, r.service_day, r.start.to_pydatetime(), r.end.to_pydatetime(), r.required, r.floor,
             r.on_shift, r.away, r.on_line, r.short] for r in slots.itertuples(index=False)]
    book.table(sheet, 0, columns, rows, [10, 12, 17, 17, 9, 7, 9, 7, 10, 7])
    sheet.freeze_panes(1, 3)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    if rows:
        red = book.fmt(bg_color=SHORT_FILL, font_color="#9c0006")
        sheet.conditional_format(1, 0, len(rows), len(columns) - 1,
                                 {"type": "formula", "criteria": "=$J2>0", "format": red})


def _roster(book: _Book, views: PlanViews) -> None:
    sheet = book.book.add_worksheet("Roster")
    grid = views.grid
    codes = list(views.data.centre.shifts)
    fills = {code: SHIFT_FILLS[i % len(SHIFT_FILLS)] for i, code in enumerate(codes)}
    for col, name in enumerate(["agent", "name", "team", "line"]):
        book.write(sheet, 0, col, name, **HEADER)
    for offset, day in enumerate(grid.days):
        book.write(sheet, 0, 4 + offset, f"{day:%m-%d %a}", **HEADER, align="center")
    sheet.set_column(0, 3, 11)
    sheet.set_column(4, 3 + len(grid.days), 8)
    for row, agent in enumerate(grid.agents, start=1):
        for col, value in enumerate(agent):
            book.write(sheet, row, col, value)
        for offset, day in enumerate(grid.days):
            kind, label = grid.cell(agent[0], day)
            fill = {"rest": REST_FILL, "leave": LEAVE_FILL}.get(kind, fills.get(label, "#ffffff"))
            book.write(sheet, row, 4 + offset, label, bg_color=fill, align="center", border=1)
    sheet.freeze_panes(1, 4)
    row = len(grid.agents) + 2
    book.write(sheet, row, 0, "Legend", bold=True)
    for offset, template in enumerate(views.data.centre.shifts.values(), start=1):
        book.write(sheet, row + offset, 0, template.code, bg_color=fills[template.code], align="center", border=1)
        book.write(sheet, row + offset, 1, f"{template.name} {clock(template.start_min)}-{clock(template.end_min)}")
    row += len(codes) + 1
    book.write(sheet, row, 0, "rest", bg_color=REST_FILL, align="center", border=1)
    book.write(sheet, row, 1, "rest day")
    book.write(sheet, row + 1, 0, "(code)", bg_color=LEAVE_FILL, align="center", border=1)
    book.write(sheet, row + 1, 1, "approved leave (its code)")


def _breaks(book: _Book, views: PlanViews, grid) -> None:
    sheet = book.book.add_worksheet(f"Breaks {grid.day:%m-%d}")
    head = ["agent", "name", "team", "shift"]
    for col, name in enumerate(head):
        book.write(sheet, 1, col, name, **HEADER)
    book.write(sheet, 0, 0, f"{grid.day:%Y-%m-%d %a}: on the line (green), M meal, B break, MT meeting", bold=True)
    sheet.set_column(0, 3, 10)
    sheet.set_column(4, 3 + len(grid.slots), 3.2)
    for offset, start in enumerate(grid.slots):
        book.write(sheet, 1, 4 + offset, f"{start:%H:%M}", rotation=90, font_size=8, align="center", border=1)
    for row, (agent, cells) in enumerate(zip(grid.agents, grid.cells), start=2):
        for col, value in enumerate(agent):
            book.write(sheet, row, col, value)
        for offset, label in enumerate(cells):
            if label:
                text, fill = AWAY_CELLS.get(label, (label, "#dddddd"))
                book.write(sheet, row, 4 + offset, text, bg_color=fill, align="center", font_size=8)
    sheet.freeze_panes(2, 4)


def _frame_sheet(book: _Book, name: str, frame: pd.DataFrame, flag: str) -> None:
    sheet = book.book.add_worksheet(name)
    rows = list(frame.itertuples(index=False, name=None))
    book.table(sheet, 0, [c.replace("_", " ") for c in frame.columns], rows, [12] * len(frame.columns))
    sheet.freeze_panes(1, 0)
    if rows:
        col = list(frame.columns).index(flag)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        red = book.fmt(bg_color=SHORT_FILL, font_color="#9c0006")
        criteria = f'=OR(${letter}2="no",AND(ISNUMBER(${letter}2),${letter}2<0))'
        sheet.conditional_format(1, 0, len(rows), len(frame.columns) - 1,
                                 {"type": "formula", "criteria": criteria, "format": red})


def _gap(book: _Book, views: PlanViews) -> None:
    sheet = book.book.add_worksheet("Headcount gap")
    gap = views.data.headcount_gap
    if gap is None:
        book.write(sheet, 0, 0, "No headcount analysis in this folder (plan.json from `staffing plan`).")
        return
    extra = [k for k in dict.fromkeys(k for g in gap for k in g) if k not in GAP_COLUMNS]
    columns = [*GAP_COLUMNS, *extra]
    row = book.table(sheet, 0, columns, [[g.get(c) for c in columns] for g in gap], [10, 10, 9, 12, 14, 24, 60])
    if not gap:
        book.write(sheet, 1, 0, "No agents missing: the agents on hand can meet the targets.")
    book.write(sheet, row, 0, "Targets met without the missing agents", bold=True)
    for offset, name in enumerate(views.data.met_without_gap, start=1):
        book.write(sheet, row + offset, 0, name)


def _targets(book: _Book, views: PlanViews) -> None:
    sheet = book.book.add_worksheet("Targets")
    check = views.data.check
    row = 0
    if check is None:
        book.write(sheet, 0, 0, "No check.json in the plan folder: run `staffing check` for the service targets.")
        row = 2
    else:
        targets = check.get("targets", [])
        extra = [k for k in dict.fromkeys(k for t in targets for k in t) if k not in TARGET_COLUMNS]
        columns = [*TARGET_COLUMNS, *extra]
        book.write(sheet, 0, 0, "Service targets (check.json)", bold=True)
        row = book.table(sheet, 1, columns, [[t.get(c) for c in columns] for t in targets], [28, 10, 10, 10, 6])
    book.write(sheet, row, 0, "Rules, checked on roster.csv as it is now", bold=True)
    book.table(sheet, row + 1, ["rule", "violations", "first"], [list(r) for r in views.rules], [28, 10, 80])
