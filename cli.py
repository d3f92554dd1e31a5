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
from cli_leave import leave_group
from cli_options import (
    EXAMPLE_CENTRE,
    centre_argument,
    date_range_options,
    out_option,
    parse_date,
    report,
    workers_options,
)


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except staffing.StaffingError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)


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
@click.option("--start", callback=parse_date, help="First service day to show (YYYY-MM-DD).")
@click.option("--end", callback=parse_date, help="Last service day to show (default: --start).")
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


@main.command("forecast")
@centre_argument
@date_range_options("to forecast")
@out_option("forecast.csv")
@click.option("--level", type=click.IntRange(50, 99), default=80, show_default=True,
              help="Prediction interval in percent (80 = the 10%-90% band).")
def forecast_command(centre: Path, start: dt.date, end: dt.date, out: Path, level: int) -> None:
    """Forecast hourly contacts for every line, with a calibrated band.

    Normal days: level x weekday x hour of day, with Chinese public holidays and make-up
    working days as special days. Peak windows in events.csv: the past peaks'
    contacts-per-traffic ratio times the campaign's traffic target, cross-checked with the
    past uplift, split by day and hour with the peak days' own profile.

    \b
    Example:
      staffing forecast data/example --start 2026-08-01 --end 2026-08-31 --out forecast.csv
    """
    result = staffing.forecast(staffing.load_centre(centre), start, end, level=level)
    staffing.write_forecast(result, out)
    report(result.describe(), result.warnings, out)


@main.command("requirements")
@centre_argument
@click.option("--forecast", "forecast_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="forecast.csv (from `staffing forecast`, or made by hand).")
@out_option("requirements.csv")
@click.option("--staff-to", type=click.Choice(["mean", "high"]), default=None,
              help="Staff to the forecast (mean) or its upper band (high); default: each line's target.staff_to.")
def requirements_command(centre: Path, forecast_path: Path, out: Path, staff_to: str | None) -> None:
    """Agents needed on the line in every planning slot, per line.

    Voice: Erlang C for the 3-ring target and Erlang A with caller patience for the
    abandonment ceiling (how "100% connection rate" is read). Chat: agents holding up to k
    chats that slow down as they hold more. The per-agent daily cap gives each day's
    minimum headcount on the line.

    \b
    Example:
      staffing requirements data/example --forecast forecast.csv --out requirements.csv
    """
    loaded = staffing.load_centre(centre)
    result = staffing.requirements(loaded, staffing.read_forecast(forecast_path, loaded), staff_to=staff_to)
    staffing.write_requirements(result, out)
    report(result.describe(), result.warnings, out)


@main.command("roster")
@centre_argument
@click.option("--requirements", "requirements_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="requirements.csv (from `staffing requirements`, or line,start,end,required[,floor] by hand).")
@date_range_options("of the roster, 1 day to 6 weeks")
@out_option("roster.csv")
@click.option("--time-limit", type=click.FloatRange(1, 3600), default=120, show_default=True,
              help="Seconds of search at most.")
@click.option("--work", type=click.FloatRange(1, 3600), default=None,
              help="Seconds of search work, as 2 cores do it [default: 85% of the time limit]. The same seed, "
                   "workers and work give the same roster on any machine that does the work within the time limit.")
@click.option("--seed", type=int, default=0, show_default=True, help="Solver seed (same seed, same roster).")
@workers_options
def roster_command(centre: Path, requirements_path: Path, start: dt.date, end: dt.date, out: Path,
                   time_limit: float, work: float | None, seed: int, workers: int, deterministic: bool) -> None:
    """Named roster: shifts, rest days, meals and breaks, one away per team at a time.

    Keeps every hard rule (one shift per day from the line's templates, rest days per
    month, consecutive days, rest between shifts, meals and breaks in their windows, at most
    max_away of a team away, the floor on the line) and minimises agent-minutes short of
    the requirement, then overstaffing and unfair evening, weekend and peak-day shifts.
    Approved leave in the centre's ledger (`staffing leave`) is kept. Exit 3 explains an
    impossible plan (team, day, intervals, rules); exit 4 when nothing was found in time.

    \b
    Example:
      staffing roster data/example --requirements requirements.csv --start 2026-08-10 --end 2026-08-16
    """
    from staffing.leave import approved_leave

    loaded = staffing.load_centre(centre)
    requirements = staffing.read_requirements(requirements_path, loaded)
    leave = approved_leave(loaded.folder, start, end)
    result = staffing.roster(loaded, requirements, start, end, leave=leave, time_limit_s=time_limit, work_s=work,
                             seed=seed, workers=workers, deterministic=deterministic,
                             progress=lambda message: click.echo(message, err=True))
    staffing.write_roster(result, out)
    report(result.describe(start, end, deterministic=deterministic), (), out)


@main.command("plan")
@centre_argument
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("plan"), show_default=True,
              help="Plan folder to write.")
@click.option("--start", callback=parse_date, help="First service day (default: the month of the coming campaign).")
@click.option("--end", callback=parse_date, help="Last service day (default: the end of that month).")
@click.option("--time-limit", type=click.FloatRange(10, 3600), default=140, show_default=True,
              help="Seconds for the roster search.")
@click.option("--seed", type=int, default=0, show_default=True, help="Solver seed (same seed, same roster).")
@workers_options
@click.pass_context
def plan_command(ctx: click.Context, centre: Path, out: Path, start: dt.date | None, end: dt.date | None,
                 time_limit: float, seed: int, workers: int, deterministic: bool) -> None:
    """The main job: forecast, requirements, roster, check and export, into one plan folder.

    Writes forecast.csv, requirements.csv, roster.csv, check.json, plan.json, plan.xlsx,
    report.html and one .ics per agent, and prints agents needed against available per line
    and day, the targets and the headcount gap (who is missing, on board by when). Exit 1
    when the plan misses a target or the requirement; 3 or 4 as `staffing roster`.

    \b
    Example:
      staffing plan                      # the bundled example, the month of its 818 campaign
      staffing plan data/example --out plan818 --start 2026-08-10 --end 2026-08-23
    """
    from staffing.plan import default_range, describe_plan, plan
    from staffing.progress import SolveBar

    loaded = staffing.load_centre(centre)
    if (start is None) != (end is None):
        raise click.UsageError("give both --start and --end, or neither (the month of the coming campaign)")
    if start is None:
        start, end = default_range(loaded)
    with SolveBar(time_limit) as bar:
        result = plan(loaded, out, start, end, time_limit_s=time_limit, seed=seed, workers=workers,
                      deterministic=deterministic,
                      step=lambda name: bar.message(f"{name} ..."), progress=bar.message)
    click.echo(describe_plan(result, out))
    ctx.exit(0 if result.ok else 1)


@main.command("check")
@centre_argument
@click.option("--roster", "roster_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="roster.csv to judge (from `staffing roster`, or edited by hand).")
@click.option("--requirements", "requirements_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="requirements.csv: required and floor per slot (its contacts column stands in for a forecast).")
@click.option("--forecast", "forecast_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="forecast.csv: the arrival rates the service targets are predicted from.")
@click.option("--simulate", type=click.IntRange(0, 10_000), default=0, show_default=True,
              help="Replications of a discrete-event simulation of each day (0: formulas only).")
@click.option("--seed", type=int, default=0, show_default=True, help="Simulation seed (same seed, same figures).")
@click.option("--overdispersion", type=click.FloatRange(0, 10), default=0.0, show_default=True,
              help="Simulation only: variance of a mean-1 gamma factor on each slot's rate (0: Poisson).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("check.json"),
              show_default=True, help="Where to write check.json.")
def check_command(centre: Path, roster_path: Path, requirements_path: Path, forecast_path: Path | None,
                  simulate: int, seed: int, overdispersion: float, json_path: Path) -> None:
    """Judge any roster against every rule and service target.

    Rules (who, which day, when): shifts from the line's templates, meals and breaks in
    their windows, at most max_away of a team away, leave per team, rest days, consecutive
    days, rest between shifts, the floor on the line, and the requirement per slot in
    agent-minutes short. Targets per line, day and interval from the roster's real staffing
    minute by minute: service level, answer rate, wait, occupancy, each agent's daily load,
    online hours on peak days. --simulate N referees the formulas with 95% intervals.
    Exit 0 when everything holds, 1 when a rule or target fails, 2 on bad input.

    \b
    Example:
      staffing check data/example --roster roster.csv --requirements requirements.csv --forecast forecast.csv
    """
    from staffing.check import check_plan, describe, write_check
    from staffing.simulate import SimulationSettings

    loaded = staffing.load_centre(centre)
    roster = staffing.read_roster(roster_path, loaded)
    requirements = staffing.read_requirements(requirements_path, loaded)
    forecast = staffing.read_forecast(forecast_path, loaded) if forecast_path is not None else None
    simulation = (SimulationSettings(replications=simulate, seed=seed, overdispersion=overdispersion)
                  if simulate else None)
    report = check_plan(loaded, roster, requirements, forecast=forecast, simulation=simulation)
    write_check(report, json_path)
    click.echo(describe(report))
    click.echo(f"Wrote {json_path}")
    if not report.ok:
        raise SystemExit(1)


@main.command("export")
@click.argument("plan_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--centre", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Centre folder (default: the one plan.json names, else the bundled example).")
@click.option("--format", "format_name", type=click.Choice(["all", "xlsx", "html", "ics", "csv"]), default="all",
              show_default=True, help="plan.xlsx, report.html, one <agent>.ics per agent, or roster_wide.csv.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to write into (default: PLAN_DIR).")
def export_command(plan_dir: Path, centre: Path | None, format_name: str, out: Path | None) -> None:
    """Export a plan folder: workbook, report, calendars, or the roster as a wide grid.

    Reads roster.csv (and forecast.csv, requirements.csv, check.json, plan.json where
    there) from PLAN_DIR, e.g. after a hand edit of roster.csv. `all` writes plan.xlsx,
    report.html, one <agent>.ics per agent and roster_wide.csv (agents x days).
    Exit 2 on bad input, naming the file, row and field; nothing is written then.

    \b
    Example:
      staffing export plan --format all
      staffing export plan --format csv --out handout
    """
    from staffing.export import export_plan

    result = export_plan(plan_dir, formats=format_name, out=out, centre=centre, fallback_centre=EXAMPLE_CENTRE)
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    click.echo(result.describe())


main.add_command(leave_group)


if __name__ == "__main__":
    main()
