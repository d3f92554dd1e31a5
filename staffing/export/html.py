"""``report.html``: the peak-period plan in one self-contained page.

Inline SVG charts only (``staffing.export.charts``), no script, no web fonts, no request
to anywhere: a Content-Security-Policy forbids every fetch, so the page shows the same
offline as online. UTF-8 with a font stack that covers Chinese on Windows, macOS and Linux.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from html import escape

import numpy as np
import pandas as pd

from staffing.domain import clock
from staffing.export.bundle import PlanViews
from staffing.export.charts import Band, Bar, Highlight, Series, gantt, line_chart
from staffing.export.data import GAP_COLUMNS, TARGET_COLUMNS, summary_parts

FORECAST, BAND, PAST = "#1f77b4", "#c6dbef", ("#636363", "#bcbd22", "#8c564b")
REQUIRED, ON_SHIFT, ON_LINE, SHORT, PEAK = "#222222", "#2b6cb0", "#31a354", "#f08080", "#fff2c6"
AWAY_COLOURS = {"on the line": "#a1d99b", "meal": "#fd8d3c", "break": "#e6c619", "meeting": "#9e9ac8"}
KIND_NAMES = {"on": "on the line", "meal": "meal", "break": "break", "meeting": "meeting"}

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei",
"Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif;margin:24px auto;max-width:1080px;
color:#222;padding:0 16px;line-height:1.45}
h1{font-size:24px;margin-bottom:4px}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:36px}
h3{margin-bottom:6px}.meta{color:#555}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:150px}
.card b{display:block;font-size:20px}table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}
td.num{text-align:right}tr.bad td{background:#fde0e0}tr.good td.ok{color:#1a7f37}.note{color:#8a5a00}
svg.chart{display:block;margin:6px 0 14px;max-width:100%;height:auto}details{margin:8px 0}
summary{cursor:pointer;font-weight:bold}
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_report(views: PlanViews) -> str:
    """The whole page as text."""
    data = views.data
    title = f"{data.centre.name}: peak-period plan {data.start}..{data.end}"
    body = [
        f"<h1>{escape(title)}</h1>",
        _meta(views),
        _cards(views),
        *[f'<p class="note">{escape(note)}</p>' for note in data.notes],
        "<h2>Forecast</h2>", _forecast_section(views),
        "<h2>Required vs planned on the line, peak days</h2>", _staffing_section(views),
        "<h2>Breaks by team, peak days</h2>", _breaks_section(views),
        "<h2>Targets and rules</h2>", _targets_section(views),
        "<h2>Headcount gap</h2>", _gap_section(views),
        "<h2>Per shift: staff needed and planned</h2>", _shifts_section(views),
        "<h2>Daily volume per agent</h2>", _volume_section(views),
        "<h2>Online duration per peak day</h2>", _online_section(views),
    ]
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


def _cell(value) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.strftime("%Y-%m-%d %H:%M")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "<td></td>"
    if isinstance(value, bool):
        return f'<td class="ok">{"yes" if value else "no"}</td>'
    if isinstance(value, int | float):
        return f'<td class="num">{_number_text(value)}</td>'
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return f"<td>{escape(str(value))}</td>"


def table(columns: Sequence[str], rows: Iterable[Sequence], bad: Iterable[bool] | None = None) -> str:
    """An HTML table; rows whose ``bad`` flag is true are shaded."""
    rows = list(rows)
    flags = list(bad) if bad is not None else [False] * len(rows)
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in columns)
    body = "\n".join(f'<tr class="{"bad" if flag else "good"}">{"".join(_cell(v) for v in row)}</tr>'
                     for row, flag in zip(rows, flags))
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _frame_table(frame: pd.DataFrame, bad_column: str | None = None) -> str:
    bad = None
    if bad_column is not None:
        bad = [value is False or (isinstance(value, int | float) and value < 0) for value in frame[bad_column]]
    return table(list(frame.columns), frame.itertuples(index=False, name=None), bad)


def _meta(views: PlanViews) -> str:
    data = views.data
    created = (data.plan or {}).get("created", "")
    campaign = data.campaign
    parts = [f"Centre folder {data.centre.folder.name}", f"roster {data.days[0]}..{data.days[-1]}"]
    if campaign is not None:
        parts.append(f"campaign {campaign.name} (window {campaign.start}..{campaign.end}, main day {campaign.day})")
    parts.append("peak days " + ", ".join(str(d) for d in data.peak_days))
    if created:
        parts.append(f"planned {created}")
    return f'<p class="meta">{escape("; ".join(parts))}</p>'


def _cards(views: PlanViews) -> str:
    data = views.data
    shifts = data.roster[data.roster["activity"] == "shift"]
    cards = [("agents on the roster", f"{data.roster['agent'].nunique()}"), ("shifts planned", f"{len(shifts)}")]
    for line, minutes in views.short_agent_min.items():
        cards.append((f"{line}: agent-hours short", f"{minutes / 60:,.1f}"))
    if data.check is not None:
        targets = [t for t in data.check.get("targets", []) if (t.get("scope") or "line") == "line"]
        cards.append(("targets met over the plan", f"{sum(bool(t.get('ok')) for t in targets)} of {len(targets)}"))
    broken = sum(1 for _, count, _ in views.rules if count)
    cards.append(("rules broken now", f"{broken} of {len(views.rules)}"))
    gap = data.headcount_gap
    if gap is not None:
        cards.append(("agents missing", f"{sum(_whole(g.get('missing')) for g in gap)}"))
    return '<div class="cards">' + "".join(f'<div class="card"><b>{escape(v)}</b>{escape(k)}</div>'
                                           for k, v in cards) + "</div>"


def _whole(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _day_ticks(first: dt.date, last: dt.date) -> list[tuple[float, str]]:
    span = (last - first).days
    every = 1 if span <= 10 else 2 if span <= 20 else 4
    return [(float(i), f"{first + dt.timedelta(days=i):%m-%d}") for i in range(0, span + 1, every)]


def _hour_ticks(start_min: float, end_min: float) -> list[tuple[float, str]]:
    first = int(math.ceil(start_min / 120) * 120)
    return [(float(m), clock(m % 1440)) for m in range(first, int(end_min) + 1, 120)]


def _forecast_section(views: PlanViews) -> str:
    data = views.data
    if views.daily is None:
        return '<p class="note">No forecast.csv in the plan folder.</p>'
    out = ["<p>Daily contacts forecast with the 10%-90% band (the hourly bounds summed), against the past "
           "peaks set on the same day relative to their campaign day; peak days shaded.</p>"]
    for line, daily in views.daily.groupby("line", sort=False):
        first, last = daily["service_day"].min(), daily["service_day"].max()
        x = tuple(float((d - first).days) for d in daily["service_day"])
        series = [Series(name="forecast", x=x, y=tuple(daily["contacts"]), colour=FORECAST, width=2.5)]
        past = views.past_daily[views.past_daily["line"] == line]
        for colour, name in zip(PAST, views.comparison):
            rows = past[(past["peak"] == name) & past["service_day"].between(first, last)]
            if len(rows):
                series.append(Series(name=name, x=tuple(float((d - first).days) for d in rows["service_day"]),
                                     y=tuple(rows["contacts"]), colour=colour, dash="5,3"))
        band = Band(name="10%-90%", x=x, low=tuple(daily["low"]), high=tuple(daily["high"]), colour=BAND)
        peaks = [Highlight(start=(d - first).days - 0.5, end=(d - first).days + 0.5, colour=PEAK)
                 for d in data.peak_days if first <= d <= last]
        out.append(line_chart(title=f"{line}: contacts per service day", series=series, band=band,
                              highlights=peaks, x_ticks=_day_ticks(first, last), y_label="contacts",
                              x_range=(-0.5, (last - first).days + 0.5)))
        out.append(_hourly_chart(views, str(line)))
    return "\n".join(out)


def _hourly_chart(views: PlanViews, line: str) -> str:
    campaign = views.data.campaign
    hourly = views.hourly[views.hourly["line"] == line]
    candidates = ([campaign.day] if campaign is not None else []) + list(views.data.peak_days)
    day = next((d for d in candidates if (hourly["service_day"] == d).any()), None)
    if day is None:
        return ""
    rows = hourly[hourly["service_day"] == day]
    midnight = pd.Timestamp(day)
    x = tuple((s - midnight).total_seconds() / 60 + 30 for s in rows["start"])
    series = [Series(name="forecast", x=x, y=tuple(rows["contacts"]), colour=FORECAST, width=2.5)]
    past = views.past_hourly[(views.past_hourly["line"] == line) & (views.past_hourly["service_day"] == day)]
    for colour, name in zip(PAST, views.comparison):
        own = past[past["peak"] == name]
        if len(own):
            series.append(Series(name=name, x=tuple(h * 60.0 + 30 for h in own["offset_h"]),
                                 y=tuple(own["contacts"]), colour=colour, dash="5,3"))
    band = Band(name="10%-90%", x=x, low=tuple(rows["low"]), high=tuple(rows["high"]), colour=BAND)
    start = min(x) - 30
    end = max(x) + 30
    return line_chart(title=f"{line}: contacts per hour on {day}", series=series, band=band,
                      x_ticks=_hour_ticks(start, end), y_label="contacts per hour", x_range=(start, end))


def _staffing_section(views: PlanViews) -> str:
    data = views.data
    out = ["<p>Agents required on the line (step), on a shift, and on the line (filled: on a shift and not at a "
           "meal, break or meeting, at each slot's worst minute). Meals and breaks show as the gap between the "
           "shift line and the green area; red marks the agents a slot is short of the requirement.</p>"]
    for day in data.peak_days:
        for line, rows in views.slots[views.slots["service_day"] == day].groupby("line", sort=False):
            midnight = pd.Timestamp(day)
            rows = rows.sort_values("start")
            edges = tuple((s - midnight).total_seconds() / 60 for s in rows["start"])
            x = (*edges, (rows["end"].iloc[-1] - midnight).total_seconds() / 60)
            series = [Series(name="on the line", x=x, y=tuple(rows["on_line"]), colour=ON_LINE, fill=True,
                             step=True),
                      Series(name="on a shift", x=x, y=tuple(rows["on_shift"]), colour=ON_SHIFT, step=True)]
            if rows["required"].notna().any():
                series.append(Series(name="required", x=x, y=tuple(rows["required"]), colour=REQUIRED, width=2,
                                     step=True))
            short = [Highlight(start=(r.start - midnight).total_seconds() / 60,
                               end=(r.end - midnight).total_seconds() / 60, colour=SHORT, low=r.on_line,
                               high=r.required) for r in rows.itertuples() if r.short > 0]
            minutes = int(((rows["end"] - rows["start"]).dt.total_seconds() / 60 * rows["short"].fillna(0)).sum())
            out.append(line_chart(title=f"{line} {day:%Y-%m-%d %a}: {minutes:,} agent-minutes short",
                                  series=series, highlights=short, x_ticks=_hour_ticks(x[0], x[-1]),
                                  y_label="agents", x_range=(x[0], x[-1]),
                                  legend_extra=[("short", SHORT, "box")] if short else ()))
    return "\n".join(out)


def _breaks_section(views: PlanViews) -> str:
    out = ["<p>Each agent's shift with its meal and breaks, team by team (at most "
           f"{views.data.centre.rules.max_away_per_team} of a team away at a time).</p>"]
    for index, grid in enumerate(views.away):
        if not grid.slots:
            continue
        midnight = pd.Timestamp(grid.day)
        step = views.data.centre.slot_min
        start = (grid.slots[0] - midnight).total_seconds() / 60
        end = start + len(grid.slots) * step
        charts = []
        for team in dict.fromkeys(a[2] for a in grid.agents):
            rows = []
            for agent, cells in zip(grid.agents, grid.cells):
                if agent[2] != team:
                    continue
                rows.append((f"{agent[0]} {agent[1]} {agent[3]}", _bars(cells, start, step)))
            name = views.data.centre.teams[team].name if team in views.data.centre.teams else team
            charts.append(gantt(title=f"{team} {name}", rows=rows, x_range=(start, end),
                                x_ticks=_hour_ticks(start, end), colours=AWAY_COLOURS))
        opened = " open" if index == 0 else ""
        out.append(f"<details{opened}><summary>{grid.day:%Y-%m-%d %a}</summary>\n" + "\n".join(charts)
                   + "\n</details>")
    return "\n".join(out)


def _bars(cells: Sequence[str], start: float, step: int) -> list[Bar]:
    """Runs of equal cells as bars (the shift underneath, its away runs on top)."""
    bars, run_start = [], None
    for index, label in enumerate([*cells, ""]):
        if label and run_start is None:
            run_start = index
        if run_start is not None and (not label or label != cells[run_start]):
            kind = KIND_NAMES.get(cells[run_start], cells[run_start])
            a, b = start + run_start * step, start + index * step
            bars.append(Bar(start=a, end=b, kind=kind, label=f"{kind} {clock(int(a))}-{clock(int(b))}"))
            run_start = index if label else None
    return bars


def _targets_section(views: PlanViews) -> str:
    data = views.data
    out = []
    if data.check is None:
        out.append('<p class="note">No check.json in the plan folder: run <code>staffing check</code> for the '
                   "service targets.</p>")
    else:
        out += _check_targets(data.check)
    out.append("<h3>Rules, checked on roster.csv as it is now</h3>")
    out.append(table(["rule", "violations", "first"], views.rules, [count > 0 for _, count, _ in views.rules]))
    return "\n".join(out)


def _check_targets(check: dict) -> list[str]:
    """check.json's targets: the whole-horizon rows, the days as a grid, the intervals that miss."""
    targets = check.get("targets", [])
    if not targets:
        return ["<p>No targets in check.json.</p>"]
    scoped: dict[str, list[dict]] = {}
    for row in targets:
        scoped.setdefault(str(row.get("scope") or "line"), []).append(row)
    out = []
    for scope, rows in scoped.items():
        if scope == "day":
            out += ["<h3>Service targets by day (check.json; missed in red)</h3>", _day_grid(rows)]
        elif scope == "interval":
            out += ["<h3>Intervals that miss a target (check.json, worst first)</h3>", _intervals(rows)]
        else:
            title = "over the plan" if scope == "line" else f"({scope})"
            extra = [k for k in dict.fromkeys(k for t in rows for k in t) if k not in (*TARGET_COLUMNS, "scope")]
            columns = [*TARGET_COLUMNS, *extra]
            out += [f"<h3>Service targets {escape(title)} (check.json)</h3>",
                    table(columns, ([t.get(c) for c in columns] for t in rows), [t.get("ok") is False for t in rows])]
    notes = check.get("notes") or []
    if isinstance(notes, list) and notes:
        out.append("<p>" + escape("; ".join(map(str, notes))) + "</p>")
    return out


def _day_grid(rows: list[dict]) -> str:
    names = list(dict.fromkeys(str(r.get("target")) for r in rows))
    cells: dict[tuple[str, str], dict[str, dict]] = {}
    for row in rows:
        cells.setdefault((str(row.get("line", "")), str(row.get("day", ""))), {})[str(row.get("target"))] = row
    head = "".join(f"<th>{escape(c)}</th>" for c in ["line", "day", *names])
    body = []
    for (line, day), by_target in cells.items():
        tds = [f"<td>{escape(line)}</td>", f"<td>{escape(day)}</td>"]
        for name in names:
            row = by_target.get(name)
            if row is None:
                tds.append("<td></td>")
                continue
            goal = "" if row.get("goal") is None else f" (goal {_number_text(row['goal'])})"
            bad = ' style="background:#fde0e0"' if row.get("ok") is False else ""
            tds.append(f'<td class="num"{bad} title="{escape(name + goal)}">{escape(_number_text(row.get("value")))}'
                       "</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body) + "\n</tbody></table>"


def _intervals(rows: list[dict], shown: int = 5) -> str:
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        if row.get("ok") is False:
            groups.setdefault((str(row.get("target")), str(row.get("line", ""))), []).append(row)
    if not groups:
        return "<p>No interval misses a target.</p>"
    out = []
    for (target, line), missed in groups.items():
        worst = "; ".join(f"{str(r.get('start', ''))[:16].replace('T', ' ')}-{str(r.get('end', ''))[11:16]} "
                          f"{_number_text(r.get('value'))}" for r in missed[:shown])
        goal = missed[0].get("goal")
        out.append((target, line, "" if goal is None else _number_text(goal), len(missed), worst))
    return table(["target", "line", "goal", "intervals missed", f"worst {shown}"], out, [True] * len(out))


def _number_text(value) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:,.1f}"
    return f"{value:.5g}" if abs(value) < 1 else f"{value:.4g}"


def _gap_section(views: PlanViews) -> str:
    data = views.data
    gap = data.headcount_gap
    if gap is None:
        return '<p class="note">No headcount analysis in this folder (plan.json from <code>staffing plan</code>).</p>'
    out = []
    if gap:
        extra = [k for k in dict.fromkeys(k for g in gap for k in g) if k not in GAP_COLUMNS]
        columns = [*GAP_COLUMNS, *extra]
        out.append(table(columns, ([g.get(c) for c in columns] for g in gap), [True] * len(gap)))
    else:
        out.append("<p>No agents missing: the agents on hand can meet the targets.</p>")
    met = data.met_without_gap
    out.append(f"<p>Targets met without the missing agents: {escape(', '.join(met)) if met else 'none'}.</p>")
    facts, tables = summary_parts(data.plan)
    if facts:
        out += ["<h3>Plan summary (plan.json)</h3>", table(["", "value"], facts)]
    for title, columns, rows in tables:
        out += [f"<h3>{escape(title)} (plan.json)</h3>", table(columns, rows)]
    return "\n".join(out)


def _shifts_section(views: PlanViews) -> str:
    data = views.data
    frame = views.shifts[views.shifts["service_day"].isin(data.peak_days)]
    return ("<p>Needed: the fewest heads per shift template whose shifts, net of the share each spends at meals and "
            "breaks, keep the requirement on the line in every slot and number at least the daily cap's headcount "
            "(a small integer program); planned: the roster's shifts. Peak days; the workbook has every day.</p>"
            + _frame_table(frame, "difference"))


def _volume_section(views: PlanViews) -> str:
    return ("<p>The maximum daily volume per agent used (单人最高日服务量, <code>daily_cap_per_agent</code>), the "
            "agents it calls for, and the forecast contacts per agent on a shift.</p>"
            + _frame_table(views.volume, "within_cap"))


def _online_section(views: PlanViews) -> str:
    return ("<p>The line's hours, the hours with at least one agent on the line, and the online-duration target "
            "(在线时长≥16H) where <code>staffing check</code> judges it: chat lines on the campaign's main day and on "
            "days with dated hours.</p>" + _frame_table(views.online, "ok"))
