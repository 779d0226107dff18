"""`cws jobs ...` and `cws deadlines`: operate the scheduled jobs by hand."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime

import click

from cws.context import Context, user_errors

log = logging.getLogger(__name__)


def _runtime(obj):  # type: ignore[no-untyped-def]
    from jobs import runtime

    with user_errors():
        rt = runtime.Runtime.from_settings(obj.settings)
    runtime.install(rt)
    return rt


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs: nightly reindex, deadline reminders, the secretariat's digest."""


@jobs_group.command("list")
@click.pass_obj
def list_command(obj) -> None:  # type: ignore[no-untyped-def]
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
def run_command(obj, name: str, at: str | None) -> None:  # type: ignore[no-untyped-def]
    """Run one job now (or as if at --at) and print what it did."""
    from jobs.tasks import JOBS

    moment = None
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError as exc:
            raise click.BadParameter(f"'{at}' is not an ISO-8601 time such as 2026-06-23T09:00") from exc
    _runtime(obj)
    click.echo(JOBS[name](moment))


@jobs_group.command("start")
@click.pass_obj
def start_command(obj) -> None:  # type: ignore[no-untyped-def]
    """Run the scheduler in the foreground (for deployments that run jobs apart from the bot)."""
    from jobs.scheduler import JobService

    with user_errors():
        service = JobService(obj.settings)
        scheduling = service.start()
    if not scheduling:
        raise click.ClickException("another process already schedules jobs for this data directory")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo("scheduler running; Ctrl-C to stop", err=True)
    stop.wait()
    service.stop()


@click.command("deadlines")
@click.option("--days", type=int, help="Only deadlines within this many days.")
@click.pass_obj
def deadlines_command(obj, days: int | None) -> None:  # type: ignore[no-untyped-def]
    """List upcoming deadlines from the configured deadlines file."""
    from jobs.deadlines import upcoming

    rt = _runtime(obj)
    today = rt.now().date()
    soon = upcoming(rt.deadlines, today, days)
    if not soon:
        click.echo("No upcoming deadlines." if rt.deadlines or rt.settings.jobs.deadlines_file else "No deadlines file configured (jobs.deadlines_file).")
    for d in soon:
        click.echo(f"{d.due:%Y-%m-%d}  {d.days_left(today):>4} days  {d.title}" + (f"  {d.link}" if d.link else ""))
