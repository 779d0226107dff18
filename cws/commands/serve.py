"""`cws serve` (the Slack bot) and `cws feedback export`."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from cws.context import Context, open_engine, user_errors
from cws.output import write_output


@click.command("serve")
@click.option(
    "--socket/--http",
    "socket_mode",
    default=False,
    help="Socket Mode (outbound WebSocket; needs SLACK_APP_TOKEN) or the Events API over HTTP "
    "(needs SLACK_SIGNING_SECRET). Default: --http.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="HTTP mode: interface to listen on. Keep 127.0.0.1 behind an HTTPS reverse proxy; "
    "0.0.0.0 listens on every interface (e.g. in a container).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=3000,
    show_default=True,
    help="HTTP mode: port for /slack/events and /healthz.",
)
@click.option(
    "--jobs/--no-jobs",
    "run_jobs",
    default=True,
    show_default=True,
    help="Also run the scheduled jobs (reindex, reminders, digest); --no-jobs when 'cws jobs start' runs them apart.",
)
@click.pass_obj
def serve_command(obj: Context, socket_mode: bool, host: str, port: int, run_jobs: bool) -> None:
    """Run the Slack bot until interrupted.

    Tokens come from the environment only: SLACK_BOT_TOKEN, plus SLACK_SIGNING_SECRET
    (--http) or SLACK_APP_TOKEN (--socket); SLACK_API_URL optionally points at another
    Slack Web API (GovSlack). Builds the index first if there is none yet.

    \b
    Examples:
      cws serve --http --port 3000     # Request URL: https://YOUR-HOST/slack/events
      cws serve --socket
    """
    from bot.app import create_app
    from config.slack import SlackSecrets

    with user_errors():
        secrets = SlackSecrets.from_env("socket" if socket_mode else "http")
        listener = None
        if not socket_mode:
            from bot.http_server import bind

            listener = bind(host, port)  # first: a port in use is said at once, before minutes of loading
        engine = open_engine(obj)
        engine.live.current()  # load the index and the model now, not on the first question
        _ = engine.embedder
        app = create_app(obj.settings, engine, secrets=secrets)  # Slack unreachable or the token refused: one line
        jobs = _start_jobs(obj) if run_jobs else None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop like Ctrl-C: answers under way still finish
    threads = obj.settings.slack.listener_threads
    try:
        if socket_mode:
            from bot.socket_mode import serve_socket_mode

            click.echo("Connecting to Slack in Socket Mode (Ctrl-C to stop).", err=True)
            serve_socket_mode(app, secrets.app_token, concurrency=threads)
            return
        from bot.http_server import EVENTS_PATH, HEALTH_PATH, HttpServer

        server = HttpServer(app, engine, host, port, threads, sock=listener)
        click.echo(
            f"Listening on {server.url}{EVENTS_PATH} (health: {server.url}{HEALTH_PATH}); Ctrl-C to stop.", err=True
        )
        server.serve_forever()
    finally:
        if jobs is not None:
            jobs.stop()


def _start_jobs(obj: Context):
    """The scheduler, if no other process on this data directory already runs it."""
    from jobs.scheduler import JobService

    service = JobService(obj.settings)
    if service.start():
        click.echo("Scheduled jobs running in this process.", err=True)
    else:
        click.echo("Another process schedules the jobs for this data directory; this one only answers.", err=True)
    return service


@click.group("feedback")
def feedback_group() -> None:
    """Votes (👍 / 👎) people gave the Slack bot's answers."""


@feedback_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout.")
@click.pass_obj
def export_command(obj: Context, fmt: str, out: Path | None) -> None:
    """Every vote with its question, answer, sources, user id and time, oldest first.

    \b
    Examples:
      cws feedback export --format csv --out feedback.csv
      cws feedback export --format json | jq '.[] | select(.vote == "down")'
    """
    from bot.feedback import FeedbackStore, export

    rows = FeedbackStore(obj.settings.data_dir).rows()
    write_output(export(rows, fmt), out, f"{len(rows)} vote{'s' if len(rows) != 1 else ''}")
