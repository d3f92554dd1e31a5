"""`staffing export`: the workbook, the report, the calendars and the wide CSV from a plan
folder made by the product on the tiny centre (forecast by hand, requirements and roster by
the product), read back through openpyxl, icalendar and the product's own readers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

import cli
import staffing
from staffing.check import on_line_by_minute
from staffing.domain import ShiftTemplate
from staffing.export import export_plan
from staffing.export.cells import csv_safe, looks_like_formula
from staffing.export.charts import Series, gantt, line_chart, nice_step
from staffing.export.data import load_plan
from staffing.export.extras import away_share, heads_needed, shift_needs
from staffing.export.views import away_grid, past_peak_daily, staffing_by_slot
from staffing.frames import write_table
from staffing.roster import Leave
from tests.conftest import TINY

EVIL = "=cmd|' /C calc'!A0"
FIRST, LAST = dt.date(2026, 8, 16), dt.date(2026, 8, 17)
PLAN_FILES = {"forecast.csv", "requirements.csv", "roster.csv", "check.json", "plan.json"}


def hourly_forecast(centre) -> pd.DataFrame:
    """12 contacts in every open hour of 8/16..8/19 (band 8..16); 8/18 is open 07:00-02:00."""
    calendar = staffing.centre_calendar(centre)
    rows = []
    for offset in range(4):
        day = FIRST + dt.timedelta(days=offset)
        for start, end in staffing.service_windows(centre.lines["chat"], day, calendar):
            for hour in pd.date_range(start, end, freq="h", inclusive="left"):
                rows.append(("chat", hour, hour + pd.Timedelta(hours=1), 12.0, 8.0, 16.0))
    return pd.DataFrame(rows, columns=staffing.FORECAST_COLUMNS)


CHECK = {"ok": False, "rules": [], "notes": ["arrival rates from the forecast"], "targets": [
    {"target": "service_level", "line": "chat", "goal": 0.8, "value": 0.91, "ok": True, "scope": "line"},
    {"target": "answer_rate", "line": "chat", "goal": 0.995, "value": 0.99, "ok": False, "scope": "day",
     "day": "2026-08-17"},
    {"target": "answer_rate", "line": "chat", "goal": 0.995, "value": 0.9, "ok": False, "scope": "interval",
     "start": "2026-08-17T11:00", "end": "2026-08-17T11:10"},
]}
PLAN = {"start": "2026-08-16", "end": "2026-08-17", "created": "2026-08-01T09:00:00",
        "headcount_gap": [{"line": "chat", "team": "T1", "missing": 1, "on_board_by": "2026-08-08",
                           "first_short_day": "2026-08-17", "short_days": 1, "detail": "short 11:00-13:00"}],
        "met_without_gap": ["service_level (chat)"],
        "summary": {"roster": {"status": "optimal"}, "days": [{"line": "chat", "day": "2026-08-16", "working": 2}]}}


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A plan folder for the tiny centre (built once, about 5 s): A2 is named like a formula,
    A3 is on annual leave on 8/16, and a past peak (2026-08-03..04) lies in the history."""
    root = tmp_path_factory.mktemp("export")
    centre_dir = Path(shutil.copytree(TINY, root / "centre"))
    agents = (centre_dir / "agents.csv").read_text(encoding="utf-8").replace("A2,Bo,", f"A2,{EVIL},")
    (centre_dir / "agents.csv").write_text(agents, encoding="utf-8")
    (centre_dir / "events.csv").write_text("name,start,end,day,traffic\npre-818,2026-08-03,2026-08-04,2026-08-04,"
                                           "50000\n818-2026,2026-08-17,2026-08-19,2026-08-19,100000\n")
    centre = staffing.load_centre(centre_dir)
    plan = root / "plan"
    plan.mkdir()
    forecast = hourly_forecast(centre)
    write_table(forecast, plan / "forecast.csv", staffing.FORECAST_COLUMNS)
    needed = staffing.requirements(centre, forecast)
    staffing.write_requirements(needed, plan / "requirements.csv")
    leave = (Leave(agent="A3", start=FIRST, end=FIRST, code="annual"),)
    result = staffing.roster(centre, needed.frame, FIRST, LAST, leave=leave, time_limit_s=20, workers=1)
    staffing.write_roster(result, plan / "roster.csv")
    (plan / "check.json").write_text(json.dumps(CHECK), encoding="utf-8")
    (plan / "plan.json").write_text(json.dumps({"centre": str(centre_dir), **PLAN}), encoding="utf-8")
    return root


@pytest.fixture
def plan(source: Path, tmp_path: Path) -> Path:
    """A writable copy of the plan folder (its plan.json names the module's centre copy)."""
    return Path(shutil.copytree(source / "plan", tmp_path / "plan"))


@pytest.fixture
def centre_dir(source: Path) -> Path:
    return source / "centre"


def run(*args: str):
    return CliRunner().invoke(cli.main, ["export", *map(str, args)])


def roster_frame(plan: Path, centre_dir: Path) -> pd.DataFrame:
    return staffing.read_roster(plan / "roster.csv", staffing.load_centre(centre_dir))


# --- the command ------------------------------------------------------------------------------


def test_export_all_writes_every_format(plan: Path) -> None:
    """`staffing export PLAN` writes plan.xlsx, report.html, roster_wide.csv and one .ics per
    agent into the plan folder and says so."""
    result = run(plan)
    assert result.exit_code == 0, result.output
    names = {p.name for p in plan.iterdir()}
    assert names == PLAN_FILES | {"plan.xlsx", "report.html", "roster_wide.csv", "A1.ics", "A2.ics", "A3.ics"}
    assert result.stdout == f"Wrote plan.xlsx, report.html, roster_wide.csv, 3 calendars (.ics) into {plan}\n"


def test_export_one_format_into_another_folder(plan: Path, tmp_path: Path) -> None:
    """--format csv --out DIR writes roster_wide.csv only, into DIR; the plan folder is untouched."""
    out = tmp_path / "handout"
    result = run(plan, "--format", "csv", "--out", out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"roster_wide.csv"}
    assert {p.name for p in plan.iterdir()} == PLAN_FILES


def test_bad_roster_row_is_exit_2_and_writes_nothing(plan: Path, tmp_path: Path) -> None:
    """A hand edit with an unknown activity: one line naming file, row and field; no file written."""
    lines = (plan / "roster.csv").read_text(encoding="utf-8").splitlines()
    fields = lines[3].split(",")
    fields[4] = "lunch"
    lines[3] = ",".join(fields)
    (plan / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(plan, "--out", out)
    assert result.exit_code == 2
    assert result.output == ("Error: roster.csv:4: activity: 'lunch' is not one of shift, meal, break, meeting, "
                             "leave, rest\n")
    assert not out.exists()
    assert run(plan).exit_code == 2 and {p.name for p in plan.iterdir()} == PLAN_FILES


def test_malformed_plan_json_is_exit_2(plan: Path) -> None:
    """plan.json that is not JSON: exit 2 naming the file and line."""
    (plan / "plan.json").write_text('{"start": "2026-08-16",\n "end": }\n', encoding="utf-8")
    result = run(plan)
    assert result.exit_code == 2 and result.output.startswith("Error: plan.json:2: not valid JSON")


def test_bad_headcount_gap_row_is_exit_2(plan: Path) -> None:
    """A headcount_gap entry without `missing` names the entry and the key."""
    document = json.loads((plan / "plan.json").read_text(encoding="utf-8"))
    del document["headcount_gap"][0]["missing"]
    (plan / "plan.json").write_text(json.dumps(document), encoding="utf-8")
    result = run(plan)
    assert result.exit_code == 2 and result.output == "Error: plan.json: headcount_gap[0].missing: missing\n"


def test_without_plan_json_the_centre_comes_from_the_option(plan: Path, centre_dir: Path) -> None:
    """A hand-made folder (no plan.json): --centre names the centre; without it the bundled
    example is assumed, whose agents.csv does not know A1 (exit 2, naming the row)."""
    (plan / "plan.json").unlink()
    result = run(plan, "--centre", centre_dir, "--format", "xlsx")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(plan / "plan.xlsx")["Headcount gap"]
    assert sheet["A1"].value.startswith("No headcount analysis in this folder")
    fallback = run(plan, "--format", "csv")
    assert fallback.exit_code == 2 and fallback.output.startswith("Error: roster.csv:2: agent: 'A1' is not in")


def test_a_folder_with_only_a_roster_exports_everything(plan: Path, centre_dir: Path) -> None:
    """A hand-made folder with roster.csv alone: every format is written, the workbook and the
    report say what is missing, and the staffing sheet shows what is planned against the floor."""
    for name in PLAN_FILES - {"roster.csv"}:
        (plan / name).unlink()
    result = run(plan, "--centre", centre_dir)
    assert result.exit_code == 0, result.output
    assert "Note: no forecast.csv in the folder" in result.stderr
    book = openpyxl.load_workbook(plan / "plan.xlsx")
    assert book["Forecast daily"]["A1"].value == "No forecast.csv in the plan folder."
    rows = list(book["Staffing"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2 * 8 * 6 and {r[4] for r in rows} == {None} and {r[5] for r in rows} == {1}
    text = (plan / "report.html").read_text(encoding="utf-8")
    assert "No check.json in the plan folder" in text and "No headcount analysis in this folder" in text


def test_hand_made_requirements_get_their_service_days(plan: Path) -> None:
    """A requirements.csv with line,start,end,required only: each slot's service day comes
    from the line's hours, as the product writes it (8/19 00:00-02:00 belongs to 8/18)."""
    product = load_plan(plan).requirements
    frame = pd.read_csv(plan / "requirements.csv")
    frame[["line", "start", "end", "required"]].to_csv(plan / "requirements.csv", index=False)
    hand = load_plan(plan).requirements
    assert list(hand["service_day"]) == list(product["service_day"])
    after_midnight = hand[hand["start"] == pd.Timestamp("2026-08-19T01:50")]
    assert list(after_midnight["service_day"]) == [dt.date(2026, 8, 18)]


def test_stale_check_json_is_noted(plan: Path, centre_dir: Path) -> None:
    """A roster.csv newer than check.json: the export says the targets are stale."""
    import os

    stamp = (plan / "roster.csv").stat().st_mtime
    os.utime(plan / "check.json", (stamp - 60, stamp - 60))
    result = run(plan, "--format", "html")
    assert result.exit_code == 0 and "Note: check.json is older than roster.csv" in result.stderr
    assert "check.json is older than roster.csv" in (plan / "report.html").read_text(encoding="utf-8")


def test_every_command_lists_export_with_an_example() -> None:
    """`staffing export --help` shows the formats and an example."""
    result = CliRunner().invoke(cli.main, ["export", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "all|xlsx|html|ics|csv" in result.output


# --- plan.xlsx ---------------------------------------------------------------------------------


def test_workbook_sheets_and_numbers(plan: Path, centre_dir: Path) -> None:
    """Every sheet of the issue is there; the daily forecast sums the hours and sets the past
    peak on the aligned day; the roster grid and the staffing rows agree with roster.csv."""
    export_plan(plan, formats="xlsx")
    book = openpyxl.load_workbook(plan / "plan.xlsx")
    assert book.sheetnames == ["Summary", "Forecast daily", "Forecast hourly", "Staffing", "Roster",
                               "Breaks 08-17", "Per shift", "Daily volume", "Online duration", "Headcount gap",
                               "Targets"]
    daily = {(r[0], r[1].date()): r for r in book["Forecast daily"].iter_rows(min_row=2, max_row=5, values_only=True)}
    assert daily["chat", dt.date(2026, 8, 16)][3:6] == (96, 64, 128)          # 8 open hours x 12 (8..16)
    assert daily["chat", dt.date(2026, 8, 18)][3] == 19 * 12                  # 07:00-02:00
    assert daily["chat", dt.date(2026, 8, 18)][6] == 180                      # pre-818 day -1: 19+20+...+26
    assert daily["chat", dt.date(2026, 8, 16)][6] is None
    roster = roster_frame(plan, centre_dir)
    grid = {row[0]: row for row in book["Roster"].iter_rows(min_row=2, max_row=4, values_only=True)}
    for item in roster[roster["activity"].isin(["shift", "rest", "leave"])].itertuples():
        assert grid[item.agent][4 + (item.date - FIRST).days] == item.code
    assert grid["A3"][4] == "annual"
    assert book["Roster"]["E4"].fill.fgColor.rgb.endswith("F8CBAD")          # leave is coloured
    staffing_rows = list(book["Staffing"].iter_rows(min_row=2, values_only=True))
    assert all(r[9] == max(r[4] - r[8], 0) for r in staffing_rows)
    gap = list(book["Headcount gap"].iter_rows(min_row=1, max_row=2, values_only=True))
    assert gap[0][:3] == ("line", "team", "missing") and gap[1][:3] == ("chat", "T1", 1)


def test_formula_text_is_neutralised_in_every_export(plan: Path) -> None:
    """An agent named like a formula is text everywhere: a string cell with the quote prefix
    (no <f> in the sheet XML), a `'`-prefixed cell in the wide CSV, escaped in the report."""
    export_plan(plan)
    book = openpyxl.load_workbook(plan / "plan.xlsx")
    cells = [c for sheet in ("Roster", "Breaks 08-17") for row in book[sheet].iter_rows() for c in row
             if c.value == EVIL]
    assert len(cells) == 2 and all(c.data_type == "s" and c.quotePrefix for c in cells)
    with zipfile.ZipFile(plan / "plan.xlsx") as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in xml and "cmd" in xml for xml in sheets)
    wide = list(csv.reader(io.StringIO((plan / "roster_wide.csv").read_text(encoding="utf-8-sig"))))
    assert [row[1] for row in wide if row[0] == "A2"] == ["'" + EVIL]
    assert "=cmd|&#x27; /C calc&#x27;!A0" in (plan / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("text, risky", [("=1+1", True), ("+86 10", True), ("-5", True), ("@SUM(A1)", True),
                                         ("\tx", True), ("\rx", True), ("A1", False), ("张敏", False), ("", False)])
def test_looks_like_formula(text: str, risky: bool) -> None:
    """The characters a spreadsheet starts a formula with (and tab/CR) are caught, nothing else."""
    assert looks_like_formula(text) is risky
    assert csv_safe(text) == ("'" + text if risky else text)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(plan: Path, tmp_path: Path) -> None:
    """LibreOffice headless converts every sheet to CSV without an error value, and keeps
    the formula-like name as text."""
    import subprocess

    export_plan(plan, formats="xlsx")
    out = tmp_path / "lo"
    done = subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo-user",
                           "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,"
                           "false,-1", "--outdir", str(out), str(plan / "plan.xlsx")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sheets = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.csv")}
    assert len(sheets) == 11
    assert not [name for name, text in sheets.items() if re.search(r"Err:\d|#NAME\?|#VALUE!|#REF!|#DIV/0!", text)]
    assert EVIL in sheets["plan-Roster.csv"]


# --- report.html -------------------------------------------------------------------------------


def test_report_is_self_contained(plan: Path) -> None:
    """One UTF-8 file: inline SVG only, no script, link or external URL, a CSP that forbids
    fetching, a Chinese-capable font stack; charts for the forecast, each peak day's line
    and each team's breaks; the targets, the gap and the 818 extras."""
    export_plan(plan, formats="html")
    text = (plan / "report.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in text and "default-src 'none'" in text and "Noto Sans CJK SC" in text
    assert not re.search(r"<script|<link|<iframe|<img|src=|url\(", text, flags=re.I)
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) == {"http://www.w3.org/2000/svg"}
    titles = re.findall(r'<svg [^>]*aria-label="([^"]+)"', text)
    assert titles == ["chat: contacts per service day", "chat: contacts per hour on 2026-08-19",
                      titles[2], "T1 T1"]
    assert titles[2].startswith("chat 2026-08-17 Mon: ")
    for heading in ("Service targets over the plan", "Service targets by day", "Intervals that miss a target",
                    "Headcount gap", "Per shift: staff needed and planned", "Daily volume per agent",
                    "Online duration per peak day"):
        assert heading in text
    for svg in re.findall(r"<svg.*?</svg>", text, flags=re.S):
        ElementTree.fromstring(svg)


def _browser() -> str | None:
    return next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)


@pytest.mark.skipif(_browser() is None, reason="no Chromium installed")
def test_report_renders_in_a_headless_browser(plan: Path, tmp_path: Path) -> None:
    """Chromium lays out every SVG with a size and its shapes, logs no console error or
    blocked request; a screenshot is made."""
    import subprocess

    export_plan(plan, formats="html")
    text = (plan / "report.html").read_text(encoding="utf-8")
    probe = ("<script>const s=[...document.querySelectorAll('svg')].map(e=>{const b=e.getBoundingClientRect();"
             "return [Math.round(b.width),Math.round(b.height),e.querySelectorAll('path,rect,line').length]});"
             "document.body.setAttribute('data-svgs',JSON.stringify(s));</script>")
    page = tmp_path / "probe.html"
    page.write_text(text.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';")
                    .replace("</body>", probe + "</body>"), encoding="utf-8")
    flags = [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    sizes = json.loads(re.search(r'data-svgs="([^"]*)"', dom.stdout).group(1).replace("&quot;", '"'))
    assert len(sizes) == text.count("<svg ") and all(w > 300 and h > 50 and shapes > 5 for w, h, shapes in sizes)
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Refused" in line]
    assert console == []
    shot = tmp_path / "report.png"
    done = subprocess.run([*flags, "--hide-scrollbars", "--window-size=1100,1600", f"--screenshot={shot}",
                           (plan / "report.html").as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shot.stat().st_size > 20_000
    assert not [line for line in done.stderr.splitlines() if "Refused" in line or "CONSOLE" in line]


# --- calendars ---------------------------------------------------------------------------------


def test_calendars_hold_every_row_in_shanghai_time(plan: Path, centre_dir: Path) -> None:
    """Each agent's .ics has one event per roster row: timed events in Asia/Shanghai (with
    the VTIMEZONE), leave and rest as all-day events; UIDs are unique."""
    export_plan(plan, formats="ics")
    roster = roster_frame(plan, centre_dir)
    uids = []
    for agent, rows in roster.groupby("agent"):
        calendar = Calendar.from_ical((plan / f"{agent}.ics").read_bytes())
        events = list(calendar.walk("VEVENT"))
        assert len(events) == len(rows) and calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Shanghai"
        for event in events:
            start = event.decoded("DTSTART")
            if isinstance(start, dt.datetime):
                assert str(start.tzinfo) == "Asia/Shanghai"
                assert pd.Timestamp(start.replace(tzinfo=None)) in set(rows["start"])
            else:
                assert str(event["CATEGORIES"].cats[0]) in ("leave", "rest")
        uids += [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)) == len(roster)


def test_re_export_after_a_hand_edit_keeps_the_uids(plan: Path, centre_dir: Path) -> None:
    """Move one break by ten minutes in roster.csv and export again: the same UIDs, and the
    moved break's event carries the new time (a calendar updates instead of duplicating)."""
    export_plan(plan, formats="ics")
    before = Calendar.from_ical((plan / "A1.ics").read_bytes())
    frame = pd.read_csv(plan / "roster.csv", dtype=str)
    index = frame.index[(frame["agent"] == "A1") & (frame["activity"] == "break")][0]
    moved = {k: (pd.Timestamp(frame.at[index, k]) + pd.Timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
             for k in ("start", "end")}
    frame.loc[index, ["start", "end"]] = [moved["start"], moved["end"]]
    frame.to_csv(plan / "roster.csv", index=False)
    export_plan(plan, formats="ics")
    after = Calendar.from_ical((plan / "A1.ics").read_bytes())
    old = {str(e["UID"]): e.decoded("DTSTART") for e in before.walk("VEVENT")}
    new = {str(e["UID"]): e.decoded("DTSTART") for e in after.walk("VEVENT")}
    assert old.keys() == new.keys()
    changed = [uid for uid in old if old[uid] != new[uid]]
    assert len(changed) == 1
    assert new[changed[0]].strftime("%Y-%m-%dT%H:%M") == moved["start"]


# --- roster_wide.csv ---------------------------------------------------------------------------


def test_wide_csv_is_agents_by_days(plan: Path, centre_dir: Path) -> None:
    """roster_wide.csv: a BOM, agent,name,team,line then one column per day, each cell the
    shift code, rest or the leave code of roster.csv."""
    export_plan(plan, formats="csv")
    raw = (plan / "roster_wide.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["agent", "name", "team", "line", "2026-08-16", "2026-08-17"]
    roster = roster_frame(plan, centre_dir)
    expected = {(r.agent, r.date.isoformat()): r.code for r in roster.itertuples()
                if r.activity in ("shift", "rest", "leave")}
    assert {(row[0], day): row[4 + i] for row in rows[1:] for i, day in enumerate(rows[0][4:])} == expected


# --- the tables behind them --------------------------------------------------------------------


def test_on_the_line_per_slot_matches_the_checker(plan: Path, centre_dir: Path) -> None:
    """On the line per slot equals the checker's minute count (the slot's worst minute), and
    short = required - on the line where positive."""
    data = load_plan(plan)
    slots = staffing_by_slot(data)
    assert len(slots) == 2 * 8 * 6
    for row in slots.itertuples():
        minutes = on_line_by_minute(data.roster, "chat", row.start, row.end)
        assert row.on_line == minutes.min()
        assert row.short == max(row.required - row.on_line, 0)


def test_break_grid_keeps_one_away_per_team(plan: Path) -> None:
    """The peak day's break grid: every agent on a shift has its meal and breaks, and at most
    one of the team is away in any slot (the roster keeps max_away)."""
    data = load_plan(plan)
    grid = away_grid(data, dt.date(2026, 8, 17))
    assert grid.slots[0] == pd.Timestamp("2026-08-17T09:00") and len(grid.slots) == 48
    away = np.array([[cell in ("meal", "break") for cell in row] for row in grid.cells])
    assert away.sum(axis=0).max() <= 1
    for agent, cells in zip(grid.agents, grid.cells):
        assert cells.count("meal") == 6 and cells.count("break") == 2, agent


def test_past_peak_is_aligned_on_the_campaign_day(plan: Path) -> None:
    """pre-818's days (main day 8/04) land on 8/18 and 8/19 (818's main day 8/19), each 180."""
    daily = past_peak_daily(load_plan(plan))
    assert daily[["peak", "rel_day", "service_day", "contacts"]].values.tolist() == [
        ["pre-818", -1, dt.date(2026, 8, 18), 180.0], ["pre-818", 0, dt.date(2026, 8, 19), 180.0]]


def test_staff_needed_per_shift_on_the_tiny_centre(plan: Path) -> None:
    """One template (09:00-17:00, meal and two breaks: 80 of 480 minutes away): the heads
    needed are the day's largest requirement over 5/6, rounded up, or the daily-cap count."""
    data = load_plan(plan)
    needs = shift_needs(data)
    for day in data.days:
        rows = data.requirements[data.requirements["service_day"] == day]
        expected = max(int(np.ceil(rows["required"].max() * 6 / 5 - 1e-9)), int(rows["day_min_agents"].max()))
        row = needs[needs["service_day"] == day].iloc[0]
        assert (row["code"], row["needed"]) == ("D", expected)
        working = data.roster[(data.roster["date"] == day) & (data.roster["activity"] == "shift")]
        assert row["planned"] == len(working)


def template(code: str, start_h: int, end_h: int) -> ShiftTemplate:
    return ShiftTemplate(code=code, name=code, start_min=start_h * 60, end_min=end_h * 60, lines=("x",))


def test_heads_needed_by_hand() -> None:
    """Two on the line 9-17 with a 25% away share needs three on an 8-hour shift; an evening
    requirement brings in the evening template, not a longer day."""
    slots = np.arange(9 * 60, 17 * 60, 60)
    assert heads_needed(np.full(8, 2.0), slots, 60, [template("D", 9, 17)], [0.25]).tolist() == [3]
    slots = np.arange(9 * 60, 23 * 60, 60)
    need = np.array([1.0] * 8 + [2.0] * 6)
    assert heads_needed(need, slots, 60, [template("D", 9, 17), template("E", 15, 23)], [0.0, 0.0]).tolist() == [1, 2]
    assert heads_needed(need, slots, 60, [template("D", 9, 17), template("E", 15, 23)], [0.0, 0.0],
                        day_min=4).sum() == 4


@given(st.lists(st.integers(0, 6), min_size=12, max_size=12), st.lists(st.integers(8, 14), min_size=1, max_size=3),
       st.integers(0, 8))
@settings(max_examples=40)
def test_heads_needed_covers_and_is_minimal(required: list[int], starts: list[int], day_min: int) -> None:
    """Every slot a template covers gets its requirement net of away time, the daily count
    holds, and no template can lose a head without breaking one of them."""
    slots = np.arange(8 * 60, 20 * 60, 60)
    templates = [template(f"T{i}", s, s + 8) for i, s in enumerate(sorted(set(starts)))]
    shares = [0.15] * len(templates)
    heads = heads_needed(np.array(required, dtype=float), slots, 60, templates, shares, day_min)

    def feasible(x: np.ndarray) -> bool:
        for slot, need in zip(slots, required):
            covering = [i for i, t in enumerate(templates) if t.start_min <= slot < t.end_min]
            if covering and sum(x[i] * (1 - shares[i]) for i in covering) < need - 1e-9:
                return False
        return x.sum() >= day_min

    assert feasible(heads)
    for i in range(len(templates)):
        if heads[i]:
            fewer = heads.copy()
            fewer[i] -= 1
            assert not feasible(fewer)


def test_away_share_of_the_example_day_shift(example_centre) -> None:
    """早班 D (9 h, a 60-minute meal and two 10-minute breaks) is away 80 of 540 minutes."""
    assert away_share(example_centre, example_centre.shifts["D"]) == pytest.approx(80 / 540)


# --- charts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("span, step", [(7, 2), (36, 10), (95, 20), (7173, 2000), (0.8, 0.2), (0, 1)])
def test_nice_step(span: float, step: float) -> None:
    """Ticks fall on 1, 2 or 5 times a power of ten, about five of them."""
    assert nice_step(span) == pytest.approx(step)


def test_charts_are_valid_svg_with_escaped_text() -> None:
    """A title with <, & and Chinese stays text; steps need one more edge than values."""
    svg = line_chart(title="在线 <chat> & co", x_ticks=[(0, "a")], y_label="n",
                     series=[Series(name="s", x=(0, 1, 2), y=(1, 2), colour="#000", step=True)])
    root = ElementTree.fromstring(svg)
    assert root.find("{http://www.w3.org/2000/svg}title").text == "在线 <chat> & co"
    with pytest.raises(ValueError, match="3 x values for 3 y values"):
        Series(name="bad", x=(0, 1, 2), y=(1, 2, 3), colour="#000", step=True)
    ElementTree.fromstring(gantt(title="t", rows=[("A1 <x>", [])], x_range=(0, 60), x_ticks=[], colours={}))
