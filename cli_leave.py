"""``staffing leave``: leave requests judged against the rules and the roster, recorded, listed, cancelled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from cli_options import centre_argument, parse_date


@click.group("leave")
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
@click.option("--start", callback=parse_date, help="Only requests overlapping days from this one (YYYY-MM-DD).")
@click.option("--end", callback=parse_date, help="Only requests overlapping days up to this one (YYYY-MM-DD).")
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
