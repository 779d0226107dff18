"""`cws`: the command line's root. Each group of subcommands lives in `cws.commands`."""

from __future__ import annotations

import logging
import sys

import click

from cws.commands.ask import ask_command, eval_command, gaps_command
from cws.commands.atr import atr_group
from cws.commands.builds import builds_command, rollback_command
from cws.commands.documents import index_command, status_command
from cws.commands.jobs import deadlines_command, jobs_group
from cws.commands.serve import feedback_group, serve_command
from cws.commands.sources import docs_command, sources_group
from cws.context import Context


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    envvar="CWS_CONFIG",
    help="Configuration file (default: $CWS_CONFIG, else the packaged config/default.yaml).",
)
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.pass_context
def cli(ctx: click.Context, config: str | None, verbose: int) -> None:
    """CWS Assistant: answers questions about the Committee on WIPO Standards from its documents.

    \b
    Quick start:
      cws index ../shared/corpus
      cws ask "When does the ST.92 sunset period end?"
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = Context(config)


for command in (
    index_command,
    ask_command,
    eval_command,
    gaps_command,
    status_command,
    serve_command,
    feedback_group,
    atr_group,
    jobs_group,
    deadlines_command,
    builds_command,
    rollback_command,
    sources_group,
    docs_command,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="cws")
