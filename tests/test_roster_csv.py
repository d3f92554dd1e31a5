"""The roster.csv reader on broken files: each gets exit 2 from `staffing check` and one line
naming the file, row and field, and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import cli
from staffing import InputError, load_centre
from staffing.frames import read_roster

GOOD = """agent,team,line,date,activity,code,start,end
A1,T1,chat,2026-08-10,shift,D,2026-08-10T09:00,2026-08-10T17:00
A1,T1,chat,2026-08-10,meal,D,2026-08-10T11:00,2026-08-10T12:00
A1,T1,chat,2026-08-10,break,D,2026-08-10T14:20,2026-08-10T14:30
A2,T1,chat,2026-08-10,rest,rest,,
A3,T1,chat,2026-08-10,leave,annual,,
"""
REQUIREMENTS = "line,start,end,required,floor\nchat,2026-08-10T09:00,2026-08-10T17:00,1,1\n"


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Callable[[str], str | bytes]
    row: int | None
    field: str | None
    reason: str


def swap(old: str, new: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return mutate


CASES = [
    Case("unknown agent", swap("A1,T1,chat,2026-08-10,meal", "A9,T1,chat,2026-08-10,meal"), 3, "agent",
         "'A9' is not in agents.csv"),
    Case("wrong team", swap("A1,T1,chat,2026-08-10,break", "A1,T2,chat,2026-08-10,break"), 4, "team",
         "'T2' but agents.csv puts A1 in team T1"),
    Case("wrong line", swap("A1,T1,chat,2026-08-10,shift", "A1,T1,voice,2026-08-10,shift"), 2, "line",
         "'voice' but agents.csv puts A1 on line chat"),
    Case("bad date", swap("A2,T1,chat,2026-08-10", "A2,T1,chat,2026-08-32"), 5, "date", "not a date"),
    Case("unknown activity", swap(",break,", ",nap,"), 4, "activity", "'nap' is not one of"),
    Case("shift without code", swap(",shift,D,", ",shift,,"), 2, "code", "missing value"),
    Case("meal without start", swap(",meal,D,2026-08-10T11:00", ",meal,D,"), 3, "start", "missing value"),
    Case("end before start", swap("2026-08-10T14:20,2026-08-10T14:30", "2026-08-10T14:20,2026-08-10T14:10"), 4,
         "end", "is not after start"),
    Case("time zone", swap("2026-08-10T09:00,", "2026-08-10T09:00+08:00,"), 2, "start", "has a time zone"),
    Case("not a time", swap("2026-08-10T11:00,", "11 o'clock,"), 3, "start", "is not a local date-time"),
    Case("missing column", lambda text: text.replace(",code", "", 1), 1, "code", "missing column"),
    Case("unknown column", lambda text: text.replace("\n", ",x\n").replace(",end,x\n", ",end,colour\n", 1), 1,
         "colour", "unknown column"),
    Case("short row", swap("A2,T1,chat,2026-08-10,rest,rest,,", "A2,T1,chat,2026-08-10,rest"), 5, None,
         "row has 5 fields, the header has 8"),
    Case("header only", lambda text: text.splitlines(keepends=True)[0], None, None, "no rows (only a header)"),
    Case("empty", lambda text: "", None, None, "file is empty"),
    Case("GBK", lambda text: text.replace("annual", "年假").encode("gbk"), 6, "encoding", "not UTF-8"),
    Case("UTF-16", lambda text: text.encode("utf-16"), 1, "encoding", "file is UTF-16"),
]


@pytest.fixture
def centre(tiny: Path):
    return load_centre(tiny)


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_a_good_file_reads_with_defaults(centre, tmp_path: Path) -> None:
    """Rest and leave rows without times cover the whole day; the code of a rest row may be
    blank (it becomes 'rest'); dates are dates, times timestamps."""
    text = GOOD.replace("A2,T1,chat,2026-08-10,rest,rest,,", "A2,T1,chat,2026-08-10,rest,,,")
    frame = read_roster(write(tmp_path / "roster.csv", "\ufeff" + text), centre)
    assert list(frame.columns) == ["agent", "team", "line", "date", "activity", "code", "start", "end"]
    rest = frame[frame["activity"] == "rest"].iloc[0]
    assert rest["code"] == "rest" and rest["date"] == dt.date(2026, 8, 10)
    assert (rest["start"], rest["end"]) == (pd.Timestamp("2026-08-10"), pd.Timestamp("2026-08-11"))
    assert pd.api.types.is_datetime64_any_dtype(frame["start"])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_roster_names_row_and_field(case: Case, centre, tmp_path: Path) -> None:
    """The reader raises InputError with the file, row and field of the first problem."""
    path = write(tmp_path / "roster.csv", case.mutate(GOOD))
    with pytest.raises(InputError) as raised:
        read_roster(path, centre)
    error = raised.value
    assert (error.path.name, error.row, error.field) == ("roster.csv", case.row, case.field)
    assert case.reason in error.reason


@pytest.mark.parametrize("case", CASES[:4], ids=[c.id for c in CASES[:4]])
def test_check_exits_2_and_writes_nothing(case: Case, tiny: Path, tmp_path: Path) -> None:
    """`staffing check` on a broken roster: exit 2, one line `Error: roster.csv:ROW: FIELD: reason`,
    no check.json."""
    roster = write(tmp_path / "roster.csv", case.mutate(GOOD))
    requirements = write(tmp_path / "requirements.csv", REQUIREMENTS)
    out = tmp_path / "check.json"
    result = CliRunner().invoke(cli.main, ["check", str(tiny), "--roster", str(roster), "--requirements",
                                           str(requirements), "--json", str(out)])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: roster.csv:{case.row}: {case.field}: ")
    assert case.reason in result.output and result.output.count("\n") == 1
    assert not out.exists()


def test_bad_requirements_and_forecast_are_exit_2(tiny: Path, tmp_path: Path) -> None:
    """The requirement file and the forecast are read with the same care: row and field named."""
    roster = write(tmp_path / "roster.csv", GOOD)
    requirements = write(tmp_path / "requirements.csv", REQUIREMENTS.replace(",1,1\n", ",1,x\n"))
    out = tmp_path / "check.json"
    runner = CliRunner()
    result = runner.invoke(cli.main, ["check", str(tiny), "--roster", str(roster), "--requirements",
                                      str(requirements), "--json", str(out)])
    assert (result.exit_code, result.output) == (2, "Error: requirements.csv:2: floor: 'x' is not a number\n")
    write(requirements, REQUIREMENTS)
    forecast = write(tmp_path / "forecast.csv", "line,start,end,contacts\nchat,2026-08-10T09:00,2026-08-10T10:00,-4\n")
    result = runner.invoke(cli.main, ["check", str(tiny), "--roster", str(roster), "--requirements",
                                      str(requirements), "--forecast", str(forecast), "--json", str(out)])
    assert (result.exit_code, result.output) == (2, "Error: forecast.csv:2: contacts: -4 is negative\n")
    assert not out.exists()
