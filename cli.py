"""The ``staffing`` command: a thin click group. Parse, call the package, print.

Every :class:`staffing.StaffingError` becomes ``Error: <one line>`` on stderr and its exit
code (2: bad input). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from pathlib import Path

import click

import staffing

EXAMPLE_CENTRE = Path(__file__).resolve().parent / "data" / "example"


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except staffing.StaffingError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


centre_argument = click.argument(
    "centre", required=False, type=click.Path(file_okay=False, path_type=Path), default=EXAMPLE_CENTRE
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show the library's log messages.")
def main(verbose: bool) -> None:
    """Plan staff for a customer-service centre: hotline and online chat.

    \b
    Example:
      staffing validate data/example
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s: %(message)s",
                        stream=sys.stderr)


@main.command()
@centre_argument
@click.option("--start", callback=_date, help="First service day to show (YYYY-MM-DD).")
@click.option("--end", callback=_date, help="Last service day to show (default: --start).")
def validate(centre: Path, start: dt.date | None, end: dt.date | None) -> None:
    """Check a centre folder and summarise it (default: the bundled example).

    Prints the lines, teams, agents, history and peaks, and the line hours of each service
    day of the coming campaign (or of --start..--end). Exit 2 with one line naming the
    file, row and field when something is wrong.

    \b
    Example:
      staffing validate data/example --start 2026-08-17 --end 2026-08-19
    """
    loaded = staffing.load_centre(centre)
    click.echo(staffing.summarise(loaded, start, end).text)
    click.echo("OK: the centre folder is valid.")


if __name__ == "__main__":
    main()
