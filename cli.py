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


def date_range_options(what: str):
    """``--start``/``--end`` service days, both required."""
    def decorate(command):
        command = click.option("--end", callback=_date, required=True,
                               help=f"Last service day {what} (YYYY-MM-DD).")(command)
        return click.option("--start", callback=_date, required=True,
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
                        help="Solver threads; 1 is best on 2 cores.")(command)


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
    frame = result.frame
    for line in result.lines:
        rows = frame[frame["line"] == line.line]
        click.echo(f"{line.line}: {len(rows)} hours, {rows['contacts'].sum():,.0f} contacts "
                   f"({rows['low'].sum():,.0f}-{rows['high'].sum():,.0f} summed {level}% band; "
                   f"band calibrated on {line.band.samples} backtest hours)")
    for report in result.peaks:
        click.echo(report.describe())
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Wrote {out}")


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
    daily = result.daily()
    for line, days in daily.groupby("line"):
        capped = days[days["day_binding"] == "daily cap"]
        click.echo(f"{line}: {len(result.frame[result.frame['line'] == line])} slots over {len(days)} days, "
                   f"staffed to the {result.staff_to[line]}; peak {days['peak_required'].max()} on the line, "
                   f"{days['agent_hours'].sum():,.0f} agent-hours; daily cap binds on {len(capped)} day(s)")
        busiest = days.sort_values("agent_hours", ascending=False).head(3)
        for _, day in busiest.iterrows():
            click.echo(f"  {day['service_day']}: {day['contacts']:,.0f} contacts, peak {day['peak_required']}, "
                       f"{day['agent_hours']:,.0f} agent-hours, at least {day['day_min_agents']} working (daily cap)")
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Wrote {out}")


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
    proven = "proven optimal" if result.status == "optimal" else f"gap {result.gap:.1%} to the proven bound"
    again = "" if result.repeatable or not deterministic else " (the clock stopped a search first: a rerun may differ)"
    click.echo(f"Roster {start}..{end}: {proven}, {result.seconds:.0f} s{again}")
    for line, short in result.shortfall_agent_min.items():
        click.echo(f"  {line}: {short:,} agent-minutes short of the requirement, "
                   f"{result.over_agent_min[line]:,} above it")
    worst = result.worst_short()
    if len(worst):
        click.echo("  where it is short (longest runs first):")
        for row in worst.itertuples():
            click.echo(f"    {row.line} {row.start:%Y-%m-%d %H:%M}-{row.end:%H:%M}: {row.agent_minutes:,.0f} "
                       f"agent-minutes, up to {row.most_short} short")
    fairness = result.fairness
    for line, rows in fairness.groupby("line"):
        spread = ", ".join(f"{kind} {rows[kind].min()}-{rows[kind].max()}"
                           for kind in ("evening", "weekend", "peak_day"))
        click.echo(f"  {line} shifts per agent: worked {rows['days_worked'].min()}-{rows['days_worked'].max()} days; "
                   f"{spread}")
    click.echo(f"Wrote {out}")


@main.command("plan")
@centre_argument
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("plan"), show_default=True,
              help="Plan folder to write.")
@click.option("--start", callback=_date, help="First service day (default: the month of the coming campaign).")
@click.option("--end", callback=_date, help="Last service day (default: the end of that month).")
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


@main.group("leave")
def leave_group() -> None:
    """Leave requests: judged, recorded in CENTRE/leave.db, listed, cancelled.

    \b
    Example:
      staffing leave request data/example --agent E1012 --start 2026-08-12 --type annual --roster roster.csv
      staffing leave list data/example --status approved
    """


@leave_group.command("request")
@click.argument("centre", type=click.Path(file_okay=False, path_type=Path))
@click.option("--agent", required=True, help="Agent id (agents.csv).")
@click.option("--start", required=True, help="First day off (YYYY-MM-DD), or a part-day absence's start "
                                             "(YYYY-MM-DDTHH:MM).")
@click.option("--end", help="Last day off (YYYY-MM-DD, default: --start), or the absence's end (YYYY-MM-DDTHH:MM).")
@click.option("--type", "leave_type", required=True,
              help="Leave type, e.g. annual, sick, 年假, meeting, doctor; 'resignation' (or 离职): --start is the "
                   "first day not worked.")
@click.option("--submitted", help="When it was asked (YYYY-MM-DD[THH:MM]; default: now).")
@click.option("--roster", "roster_path", type=click.Path(dir_okay=False, path_type=Path),
              help="roster.csv to judge the hard rules and the floor against (else the ledger's rules only).")
@click.option("--requirements", "requirements_path", type=click.Path(dir_okay=False, path_type=Path),
              help="requirements.csv: also judge the agent-minutes short of `required` (needs --roster).")
@click.option("--max-extra-short", type=click.IntRange(0), default=0, show_default=True,
              help="Agent-minutes of extra shortfall against `required` accepted.")
@click.option("--apply", is_flag=True,
              help="Approve a request that needs a repair, and write the roster (over --roster, keeping the "
                   "previous version beside it, or to --out).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="With --apply: where to write the roster.")
@click.option("--time-limit", type=click.FloatRange(1, 600), default=20, show_default=True,
              help="Seconds for the repair search.")
@click.pass_context
def leave_request(ctx: click.Context, centre: Path, agent: str, start: str, end: str | None, leave_type: str,
                  submitted: str | None, roster_path: Path | None, requirements_path: Path | None,
                  max_extra_short: int, apply: bool, out: Path | None, time_limit: float) -> None:
    """Judge a leave request and record it; exit 0 approved (or approvable), 1 refused.

    Judges notice in working days (Chinese calendar: 调休 make-up days count, holidays do
    not), resignation notice, the agent's own leave, at most one of the team on leave a day
    and one away at a time; with --roster, the roster without the agent keeps every hard
    rule and the floor (and, with --requirements, the shortfall). When it does not, the
    smallest repair is searched (swap a rest day with a teammate, move a shift, re-place
    breaks) and proposed; --apply approves it and writes the roster.

    \b
    Example:
      staffing leave request data/example --agent E1012 --start 2026-08-12 --end 2026-08-13 \\
        --type annual --roster roster.csv --requirements requirements.csv
      staffing leave request data/example --agent E1012 --start 2026-08-12T14:00 --end 2026-08-12T15:00 \\
        --type doctor --roster roster.csv --apply
    """
    from staffing.leave import request_leave

    decision = request_leave(centre, agent=agent, start=start, end=end, leave_type=leave_type, submitted=submitted,
                             roster=roster_path, requirements=requirements_path, apply=apply, out=out,
                             max_extra_short_min=max_extra_short, time_limit_s=time_limit)
    click.echo(decision.describe())
    ctx.exit(decision.exit_code)


@leave_group.command("list")
@centre_argument
@click.option("--agent", help="Only this agent's requests.")
@click.option("--status", type=click.Choice(["approved", "proposed", "refused", "cancelled"]),
              help="Only requests with this status.")
@click.option("--start", callback=_date, help="Only requests overlapping days from this one (YYYY-MM-DD).")
@click.option("--end", callback=_date, help="Only requests overlapping days up to this one (YYYY-MM-DD).")
@click.option("--reasons", is_flag=True, help="Show each request's reasons and repair.")
def leave_list(centre: Path, agent: str | None, status: str | None, start: dt.date | None, end: dt.date | None,
               reasons: bool) -> None:
    """List the ledger's requests (refused and cancelled ones too), oldest first.

    \b
    Example:
      staffing leave list data/example --status approved --start 2026-08-10 --end 2026-08-16
    """
    from staffing.leave import list_requests

    entries = list_requests(centre, agent=agent, status=status, start=start, end=end)
    for entry in entries:
        click.echo(entry.describe())
        if reasons:
            for reason in entry.reasons:
                click.echo(f"    {reason.line()}")
            for change in entry.changes:
                click.echo(f"    {change.line()}")
    click.echo(f"{len(entries)} request(s)")


@leave_group.command("cancel")
@click.argument("centre", type=click.Path(file_okay=False, path_type=Path))
@click.argument("request_id", type=click.IntRange(1))
@click.option("--reason", default="", help="Why (kept in the ledger).")
def leave_cancel(centre: Path, request_id: int, reason: str) -> None:
    """Cancel an approved or proposed request: marked, never deleted; rosters are not edited.

    \b
    Example:
      staffing leave cancel data/example 7 --reason "plans changed"
    """
    from staffing.leave import cancel_request

    entry = cancel_request(centre, request_id, reason=reason)
    click.echo(entry.describe())
    click.echo(f"Cancelled #{entry.id}. A roster already written with this leave still shows it until it is "
               "made again.")


if __name__ == "__main__":
    main()
