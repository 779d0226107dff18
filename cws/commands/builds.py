"""`cws builds` and `cws rollback`: see the kept builds, and make an earlier one live again.

A rollback is a build switch like any other: CURRENT is replaced atomically, under the
build lock, and only after the target build has been opened and checked as serving opens
it, so a damaged or interrupted build is refused instead of being made live.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from cws.context import Context, user_errors

if TYPE_CHECKING:  # the index modules are imported when a command runs, so `cws --help` stays fast
    from index.validate import BuildState


def _row(state: BuildState) -> str:
    marker = "*" if state.live else " "
    what = state.state + (f": {state.problem}" if state.problem else "") + (", serving" if state.serving else "")
    documents = "-" if state.documents is None else str(state.documents)
    passages = "-" if state.passages is None else str(state.passages)
    return f"{marker} {state.name:<32} {state.created or '-':<21} {documents:>9} {passages:>9}  {what}"


@click.command("builds")
@click.option("--json", "as_json", is_flag=True, help="Print the builds as JSON.")
@click.pass_obj
def builds_command(obj: Context, as_json: bool) -> None:
    """List the kept builds, newest first: when each was built, its size, which is live, valid or damaged.

    \b
    States: valid (can be made live with 'cws rollback'), damaged (a file is missing,
    cut short or inconsistent; the reason is shown), incomplete (an interrupted build),
    outdated (written by an older version). '*' marks the build CURRENT names; 'serving'
    the one answering questions, which differs only when the live build is damaged.
    """
    from index.validate import describe_builds

    states = describe_builds(obj.settings.index_root)
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in states], indent=2))
        return
    if not states:
        click.echo(f"no builds yet in {obj.settings.index_root}; run 'cws index'")
        return
    click.echo(f"  {'BUILD':<32} {'CREATED':<21} {'DOCUMENTS':>9} {'PASSAGES':>9}  STATE")
    for state in states:
        click.echo(_row(state))
    click.echo("* live (named by CURRENT)")


@click.command("rollback")
@click.argument("build", required=False)
@click.pass_obj
def rollback_command(obj: Context, build: str | None) -> None:
    """Make BUILD live again (default: the newest valid build older than the live one, of the configured model).

    BUILD is a name from 'cws builds' or its unique beginning. A damaged, incomplete or
    outdated build, or one embedded with another model than the configured one, is refused.
    A running bot switches on its next question. The next 'cws index' builds from the
    build made live here, so documents changed since are indexed again.

    \b
    Examples:
      cws rollback
      cws rollback 20260612T023001
    """
    from index.build import build_lock
    from index.errors import BuildDamaged, RollbackRefused
    from index.layout import builds_dir, live_name, switch_live
    from index.validate import describe_builds
    from index.version import IndexVersion

    root = obj.settings.index_root
    model = obj.settings.model.name
    with user_errors(), build_lock(root):
        states = describe_builds(root)
        live = live_name(root)
        target = _target(states, build, live, model)
        if target.name == live and target.state == "valid":
            click.echo(f"build {target.name} is already live; nothing to do")
            return
        if target.state != "valid":
            why = {"incomplete": "incomplete (an interrupted build)", "outdated": "outdated"}.get(
                target.state, "damaged"
            )
            raise RollbackRefused(f"build {target.name} is {why}: {target.problem}; it cannot be made live")
        if target.model != model:
            raise RollbackRefused(
                f"build {target.name} was embedded with {target.model}, but the configured model is "
                f"{model}; questions would fail against it"
            )
        try:
            IndexVersion(builds_dir(root) / target.name)  # open it as serving will: every file read, not only checked
        except BuildDamaged as exc:
            raise RollbackRefused(f"build {target.name} is damaged: {exc.reason}; it cannot be made live") from exc
        switch_live(root, target.name)
    click.echo(f"build {target.name} is live (was {live or 'none'}); a running bot switches to it on its next question")


def _target(states: list[BuildState], requested: str | None, live: str | None, model: str) -> BuildState:
    """The build asked for (by name or unique beginning), else the newest valid one older than the live one
    (embedded with the configured model: another one's could not answer)."""
    from index.errors import RollbackRefused

    if requested is not None:
        exact = [s for s in states if s.name == requested]
        matches = exact or [s for s in states if s.name.startswith(requested)]
        if not matches:
            raise RollbackRefused(f"no build named '{requested}'; 'cws builds' lists the kept builds")
        if len(matches) > 1:
            names = ", ".join(s.name for s in matches)
            raise RollbackRefused(f"'{requested}' could be any of {names}; give more of the name")
        return matches[0]
    if live is None:
        raise RollbackRefused(
            "no build is live to roll back from; name the build to make live ('cws builds' lists them)"
        )
    older = [s for s in states if s.name < live and s.state == "valid" and s.model == model]
    if not older:
        raise RollbackRefused(
            f"no valid build older than the live one ({live}) embedded with {model}; 'cws builds' lists the kept builds"
        )
    return older[0]
