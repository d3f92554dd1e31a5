"""The command line end to end: exit codes, one-line errors, help with examples."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

import cli
from tests.conftest import ROOT


def test_validate_bundled_example_by_default() -> None:
    """`staffing validate` with no folder checks the bundled example and exits 0."""
    result = CliRunner().invoke(cli.main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "818-2026" in result.output and "online 07:00-02:00" in result.output
    assert result.output.rstrip().endswith("OK: the centre folder is valid.")


def test_validate_date_range(tiny: Path) -> None:
    """--start/--end list the line hours of each service day."""
    result = CliRunner().invoke(cli.main, ["validate", str(tiny), "--start", "2026-08-17", "--end", "2026-08-19"])
    assert result.exit_code == 0
    assert "2026-08-18 Tue  chat 07:00-02:00" in result.output


def test_missing_folder_is_exit_2(tmp_path: Path) -> None:
    """A folder that does not exist: one line, exit 2."""
    result = CliRunner().invoke(cli.main, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and result.output == "Error: nowhere: centre folder not found\n"


def test_bad_date_option(tiny: Path) -> None:
    """A malformed --start is a usage error (exit 2), not a traceback."""
    result = CliRunner().invoke(cli.main, ["validate", str(tiny), "--start", "2026-13-01"])
    assert result.exit_code == 2 and "not a date" in result.output


def test_every_command_has_help_with_an_example() -> None:
    """`staffing --help` and each verb's --help show an example."""
    runner = CliRunner()
    assert "Example:" in runner.invoke(cli.main, ["--help"]).output
    for name in cli.main.commands:
        result = runner.invoke(cli.main, [name, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, name


def test_only_landed_verbs_are_listed() -> None:
    """No placeholder commands: every listed verb runs real code (here: the ones that exist)."""
    assert set(cli.main.commands) == {"validate", "forecast", "requirements", "roster", "check", "export", "leave",
                                      "plan"}
    assert all(isinstance(c, click.Command) and c.callback is not None for c in cli.main.commands.values())


def test_python_cli_py_works_from_a_checkout() -> None:
    """`python cli.py` from the repository root does what `staffing` does."""
    result = subprocess.run([sys.executable, "cli.py", "validate", "tests/data/tiny"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "OK" in result.stdout
