"""`cws jobs ...` and `cws deadlines`: operate the scheduled jobs by hand."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime

import click

from cws.context import user_errors

log = logging.getLogger(__name__)


def _runtime(obj, check: bool = True):
    """The jobs runtime; `check`: also stop on a missing channel (what only posting jobs need)."""
    from jobs import runtime

    with user_errors():
        rt = runtime.Runtime.from_settings(obj.settings, check=check)
    runtime.install(rt)
    return rt


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs: nightly reindex, deadline reminders, the secretariat's digest."""


@jobs_group.command("list")
@click.pass_obj
def list_command(obj) -> None:
    """Show each job, its schedule and its next run."""
    from jobs.scheduler import cron_of, triggers

    settings = obj.settings
    rt = _runtime(obj)
    now = rt.now()
    for name, trigger in triggers(settings).items():
        next_run = trigger.get_next_fire_time(None, now)
        click.echo(f"{name:10} {cron_of(settings)[name]:16} next: {next_run:%Y-%m-%d %H:%M %Z}")


@jobs_group.command("run")
@click.argument("name", type=click.Choice(["reindex", "reminders", "digest"]))
@click.option("--at", "at", help="Run as if the clock read this ISO-8601 time (naive = the configured zone).")
@click.pass_obj
def run_command(obj, name: str, at: str | None) -> None:
    """Run one job now (or as if at --at) and print what it did.

    Without SLACK_BOT_TOKEN this is a dry run: what would be posted is printed, and nothing is
    posted or recorded as sent, so a later run with the token still posts it.
    """
    from jobs.runtime import LogPoster
    from jobs.tasks import JOBS

    moment = None
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError as exc:
            raise click.BadParameter(f"'{at}' is not an ISO-8601 time such as 2026-06-23T09:00") from exc
    rt = _runtime(obj)
    if isinstance(rt.poster, LogPoster):
        click.echo(
            "No SLACK_BOT_TOKEN: a dry run. What would be posted is printed; nothing is posted or recorded as sent.",
            err=True,
        )
        rt.poster.sink = click.echo
    click.echo(JOBS[name](moment))


@jobs_group.command("start")
@click.option(
    "--standby",
    is_flag=True,
    help="If another process schedules, wait and take over when it stops (instead of exiting).",
)
@click.pass_obj
def start_command(obj, standby: bool) -> None:
    """Run the scheduler in the foreground (for deployments that run jobs apart from the bot)."""
    from jobs.scheduler import JobService

    with user_errors():
        service = JobService(obj.settings)
        scheduling = service.start(standby=standby)
    if not scheduling and not standby:
        raise click.ClickException("another process already schedules jobs for this data directory")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(
        "scheduler running; Ctrl-C to stop"
        if scheduling
        else "standing by: another process schedules the jobs; this one takes over if it stops. Ctrl-C to stop",
        err=True,
    )
    stop.wait()
    service.stop()


@click.command("deadlines")
@click.option("--days", type=int, help="Only deadlines within this many days.")
@click.pass_obj
def deadlines_command(obj, days: int | None) -> None:
    """List upcoming deadlines from the configured deadlines file."""
    from jobs.deadlines import upcoming

    rt = _runtime(obj, check=False)  # listing needs no channel
    today = rt.now().date()
    soon = upcoming(rt.deadlines, today, days)
    if not soon:
        click.echo(
            "No upcoming deadlines."
            if rt.deadlines or rt.settings.jobs.deadlines_file
            else "No deadlines file configured (jobs.deadlines_file)."
        )
    for d in soon:
        click.echo(f"{d.due:%Y-%m-%d}  {d.days_left(today):>4} days  {d.title}" + (f"  {d.link}" if d.link else ""))
