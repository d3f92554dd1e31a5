"""Options and output helpers shared by the ``staffing`` commands (``cli.py``, ``cli_leave.py``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

EXAMPLE_CENTRE = Path(__file__).resolve().parent / "data" / "example"


def parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def date_range_options(what: str):
    """``--start``/``--end`` service days, both required."""
    def decorate(command):
        command = click.option("--end", callback=parse_date, required=True,
                               help=f"Last service day {what} (YYYY-MM-DD).")(command)
        return click.option("--start", callback=parse_date, required=True,
                            help=f"First service day {what} (YYYY-MM-DD).")(command)
    return decorate


def out_option(default: str):
    """``--out FILE``: where the command writes its CONTRACT file (atomically)."""
    return click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path(default),
                        show_default=True, help=f"Where to write {default}.")


def workers_options(command):
    """``--workers N`` and ``--deterministic/--no-deterministic`` (how several workers run)."""
    command = click.option(
        "--deterministic/--no-deterministic", default=True, show_default=True,
        help="Several workers: interleaved, so the same seed gives the same roster; or free, much faster on "
             "large rosters (200 agents: 12x better first search on 8 workers) but runs may differ.")(command)
    return click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
                        help="Solver threads; 1 is best on 2 cores. Bounds and a one-team line's days also "
                             "use a core they leave idle.")(command)


def report(summary: str, warnings: tuple[str, ...], out: Path) -> None:
    """A command's summary on stdout, its warnings on stderr, then where it wrote."""
    click.echo(summary)
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Wrote {out}")


centre_argument = click.argument(
    "centre", required=False, type=click.Path(file_okay=False, path_type=Path), default=EXAMPLE_CENTRE
)
