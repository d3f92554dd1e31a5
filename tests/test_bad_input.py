"""Broken centre folders: each gets exit 2 and one line naming the file, row and field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from staffing import InputError, load_centre


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    mutate: Callable[[Path], None]
    row: int | str | None  # a line number, or a needle whose line in the mutated file is the row
    field: str | None


def replace(old: str, new: str) -> Callable[[Path], None]:
    def mutate(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path.name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return mutate


def append(extra: str) -> Callable[[Path], None]:
    def mutate(path: Path) -> None:
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return mutate


def write_bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def delete_line(needle: str) -> Callable[[Path], None]:
    def mutate(path: Path) -> None:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for line in lines if needle not in line), encoding="utf-8")
    return mutate


T, A, H, E = "centre.toml", "agents.csv", "history.csv", "events.csv"
CASES = [
    # centre.toml
    Case("unknown key", T, replace('name = "tiny"', 'name = "tiny"\ncolour = "red"'), "colour", "centre.colour"),
    Case("unknown table", T, replace("[shifts.D]", "[shift.D]"), "[shift.D]", "shift"),
    Case("wrong type", T, replace("slot_min = 10", 'slot_min = "10"'), "slot_min", "centre.slot_min"),
    Case("slot not allowed", T, replace("slot_min = 10", "slot_min = 7"), "slot_min", "centre.slot_min"),
    Case("25:00", T, replace('daily = "09:00-17:00"', 'daily = "09:00-25:00"'), "daily", "lines.chat.hours.daily"),
    Case("hours off the slot grid", T, replace('daily = "09:00-17:00"', 'daily = "09:05-17:00"'), "daily",
         "lines.chat.hours.daily"),
    Case("dated end before start", T, replace('hours = "07:00-02:00"', 'end = 2026-08-10\nhours = "07:00-02:00"'),
         "end = 2026-08-10", "lines.chat.hours.dated[0].end"),
    Case("overlapping dated overrides", T, append('\n[[lines.chat.hours.dated]]\nstart = 2026-08-17\n'
                                                  'end = 2026-08-19\nhours = "08:00-22:00"\n'),
         "start = 2026-08-17", "lines.chat.hours.dated[1].start"),
    Case("window runs into the next day", T, replace('hours = "07:00-02:00"', 'hours = "12:00-10:00"'),
         "[[lines.chat.hours.dated]]", "lines.chat.hours.dated"),
    Case("toml syntax", T, replace('name = "tiny"', 'name = "tiny'), 'name = "tiny', "syntax"),
    Case("missing required key", T, delete_line('channel = "chat"'), "[lines.chat]", "lines.chat.channel"),
    Case("bad channel", T, replace('channel = "chat"', 'channel = "email"'), "channel", "lines.chat.channel"),
    Case("holiday rule", T, replace('daily = "09:00-17:00"', 'daily = "09:00-17:00"\nholiday = "sometimes"'),
         "holiday", "lines.chat.hours.holiday"),
    Case("service level above 1", T,
         replace("[lines.chat.queue]", "[lines.chat.target]\nservice_level = 1.5\n\n[lines.chat.queue]"),
         "service_level", "lines.chat.target.service_level"),
    Case("handle times per concurrency", T, replace("handle_time_s = 300", "handle_time_s = 300\n"
                                                    "handle_time_by_concurrency_s = [300, 400]"),
         "handle_time_by_concurrency_s", "lines.chat.queue.handle_time_by_concurrency_s"),
    Case("shift longer than 16 h", T, replace('end = "17:00"', 'end = "02:00"'), 'end = "02:00"', "shifts.D.end"),
    Case("meal window outside its shift", T, replace('["11:00", "14:00"]', '["16:00", "18:00"]'), "meal_window",
         "shifts.D.meal_window"),
    Case("meal window missing", T, delete_line("meal_window"), "[shifts.D]", "shifts.D.meal_window"),
    Case("team on an unknown line", T, replace('line = "chat"', 'line = "voice"'), 'line = "voice"', "teams.T1.line"),
    Case("negative rule", T, replace("max_away_per_team = 1", "max_away_per_team = -1"), "max_away_per_team",
         "rules.max_away_per_team"),
    # agents.csv
    Case("unknown team", A, replace("A2,Bo,T1", "A2,Bo,T9"), 3, "team"),
    Case("unknown line", A, replace("A1,Ann,T1,chat", "A1,Ann,T1,voice"), 2, "line"),
    Case("duplicate agent", A, replace("A3,Cai", "A1,Cai"), 4, "agent"),
    Case("missing column", A, write_bytes(b"agent,name,line\nA1,Ann,chat\n"), 1, "team"),
    Case("unknown column", A, write_bytes(b"agent,team,line,contract_hour\nA1,T1,chat,40\n"), 1, "contract_hour"),
    Case("non-UTF-8 file", A, write_bytes("agent,name,team,line\nA1,Ann,T1,chat\nA2,王芳,T1,chat\n".encode("gbk")),
         3, "encoding"),
    Case("empty file", A, write_bytes(b""), None, None),
    Case("UTF-16 with its BOM", A, write_bytes("agent,team,line\nA1,T1,chat\n".encode("utf-16")), 1, "encoding"),
    Case("only a header", A, write_bytes(b"agent,name,team,line\n"), None, None),
    Case("end before start date", A, write_bytes(b"agent,team,line,start_date,end_date\n"
                                                 b"A1,T1,chat,2026-08-01,2026-07-01\n"), 2, "end_date"),
    Case("wrong field count", A, append("A4,Dan,T1\n"), 5, None),
    # history.csv
    Case("negative contacts", H, replace("chat,2026-08-03T10:00,20", "chat,2026-08-03T10:00,-20"),
         "-20", "contacts"),
    Case("non-numeric contacts", H, replace("chat,2026-08-03T10:00,20", "chat,2026-08-03T10:00,twenty"),
         "twenty", "contacts"),
    Case("duplicate interval", H, replace("chat,2026-08-03T11:00,21", "chat,2026-08-03T10:00,21"),
         "chat,2026-08-03T10:00,21", "start"),
    Case("missing interval", H, delete_line("chat,2026-08-03T12:00"), "chat,2026-08-03T13:00", "start"),
    Case("not a datetime", H, replace("2026-08-03T23:00", "2026-08-03T25:00"), "T25:00", "start"),
    Case("off the history grid", H, replace("2026-08-03T23:00", "2026-08-03T23:30"), "T23:30", "start"),
    Case("unknown line in history", H, replace("chat,2026-08-04T05:00", "voice,2026-08-04T05:00"), "voice", "line"),
    # events.csv and calendar.csv
    Case("event end before start", E, replace("2026-08-17,2026-08-19", "2026-08-17,2026-08-10"), 2, "end"),
    Case("negative traffic", E, replace("100000", "-5"), 2, "traffic"),
    Case("overlapping events", E, append("818-eve,2026-08-18,2026-08-20,5000\n"), 3, "start"),
    Case("calendar kind", "calendar.csv", write_bytes(b"date,kind,name\n2026-08-18,party,818\n"), 2, "kind"),
    Case("missing centre.toml", T, lambda p: p.unlink(), None, None),
]


def expected_row(case: Case, path: Path) -> int | None:
    if not isinstance(case.row, str):
        return case.row
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if case.row in line)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_names_file_row_and_field(case: Case, tiny: Path) -> None:
    """Each broken input raises InputError naming its file, row and field; the CLI exits 2."""
    path = tiny / case.file
    case.mutate(path)
    row = expected_row(case, path) if path.exists() else None
    with pytest.raises(InputError) as raised:
        load_centre(tiny)
    error = raised.value
    assert (error.path.name, error.row, error.field) == (case.file, row, case.field), str(error)
    result = CliRunner().invoke(cli.main, ["validate", str(tiny)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith(f"Error: {case.file}")
    assert "Traceback" not in result.output


def test_there_are_at_least_25_distinct_cases() -> None:
    """The issue asks for at least 25 distinct broken inputs."""
    assert len({c.id for c in CASES}) >= 25


def test_excel_utf8_bom_is_accepted(tiny: Path) -> None:
    """Excel's 'CSV UTF-8' starts with a byte-order mark: read as if it were not there."""
    path = tiny / "agents.csv"
    plain = load_centre(tiny).agents
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_centre(tiny).agents == plain


def test_unknown_key_suggests_the_close_one(tiny: Path) -> None:
    """A misspelt key names the key it probably meant."""
    replace("slot_min = 10", "slot_mins = 10")(tiny / "centre.toml")
    with pytest.raises(InputError, match="did you mean 'slot_min'"):
        load_centre(tiny)
