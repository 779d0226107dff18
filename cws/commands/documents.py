"""`cws index` and `cws status`: build the index and say what is live."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cws.context import Context, user_errors


@click.command("index")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--full", is_flag=True, help="Re-read and re-embed everything instead of only what changed.")
@click.option(
    "--allow-removals",
    is_flag=True,
    help="Let this build remove more than index.max_removed_fraction of the documents, "
    "or every document of a missing or empty source.",
)
@click.option(
    "--wait",
    "wait",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="While another build runs, wait at most this long for it (default: until it is done; Ctrl-C gives up).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def index_command(
    obj: Context, paths: tuple[Path, ...], full: bool, allow_removals: bool, wait: float | None, as_json: bool
) -> None:
    """Index every source, after adding PATHS (folders or single documents) to them.

    The sources are CWS_CORPUS_DIRS or corpus_dirs plus those added with 'cws sources add'
    or 'cws index PATH' ('cws sources list'). Only changed documents are read and only
    changed passages embedded; the new index goes live only after it has been validated,
    and the previous one is kept. A build that would remove many documents is refused
    unless --allow-removals is given. It prints what it did: the files added, changed, removed and
    skipped (a few by name, then a count), passages embedded and the time taken. While another
    build runs it says whose and waits for it.
    """
    from index.runner import format_summary, run_build

    def waiting(holder: str) -> None:
        click.echo(f"waiting for the build lock held by {holder}; Ctrl-C to give up", err=True)

    with user_errors():
        summary = run_build(
            obj.settings, paths, full=full, allow_removals=allow_removals, lock_wait=wait, on_lock_wait=waiting
        )
    click.echo(json.dumps(summary.as_dict(), indent=2) if as_json else format_summary(summary))


@click.command("status")
@click.pass_obj
def status_command(obj: Context) -> None:
    """Show the live index version, its size and the model it was built with.

    When the build CURRENT names is damaged, says so (which build, why) and shows the one serving instead.
    """
    from index.layout import complete_builds, read_info
    from index.validate import serving_build
    from index.version import describe_skipped, unusable

    root = obj.settings.index_root
    live, skipped = serving_build(root)
    if live is None:
        with user_errors():
            raise unusable(root, skipped)
    info = read_info(live)
    click.echo(f"status: degraded: {describe_skipped(skipped, live.name)}" if skipped else "status: ok")
    click.echo(f"live index: {info['version']} (built {info['created']})")
    click.echo(f"documents: {info['counts']['documents']}, passages: {info['counts']['passages']}")
    click.echo(f"model: {info['model']['name']} ({info['model']['dimension']} dimensions)")
    click.echo(f"sources: {', '.join(info['sources']) or '(built-in records only)'}")
    click.echo(f"builds kept: {', '.join(p.name for p in complete_builds(root))}")
