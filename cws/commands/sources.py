"""`cws sources` and `cws docs`: what every build indexes, and what the live index holds."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from cws.context import Context, user_errors


@click.group("sources")
def sources_group() -> None:
    """The folders and files every build indexes (cws index, the nightly reindex, the first cws ask).

    \b
    Sources are CWS_CORPUS_DIRS (else corpus_dirs in the configuration) plus those added here or with
    'cws index PATH'; the added ones are kept in the data directory.
    """


@sources_group.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def add_command(obj: Context, paths: tuple[Path, ...]) -> None:
    """Add folders or single documents to the sources; they are indexed at the next build ('cws index')."""
    from index.sources import add_source

    with user_errors():
        for path in paths:
            source, is_new = add_source(obj.settings, path)
            state = "added" if is_new else "already a source"
            click.echo(f"{source.path} ({source.kind}): {state}; indexed at the next build ('cws index')")


@sources_group.command("remove")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def remove_command(obj: Context, paths: tuple[Path, ...]) -> None:
    """Stop indexing PATHS; their documents leave the index at the next build ('cws index')."""
    from index.sources import CONFIGURATION, ENVIRONMENT, remove_source, source_documents

    with user_errors():
        for path in paths:
            source = remove_source(obj.settings, path)
            still = [o for o in source.origins if o in (ENVIRONMENT, CONFIGURATION)]
            if still:
                click.echo(
                    f"{source.path}: removed from the added sources, but it stays indexed: "
                    f"it is also listed in the {' and the '.join(still)}"
                )
                continue
            count = source_documents(obj.settings).get(str(source.path), 0)
            leave = "indexed document leaves" if count == 1 else "indexed documents leave"
            click.echo(f"{source.path}: removed; its {count} {leave} the index at the next build ('cws index')")


@sources_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@click.pass_obj
def list_command(obj: Context, as_json: bool) -> None:
    """List the sources: path, folder or file, where each came from, documents in the live index."""
    from index.sources import resolve_sources, source_documents

    with user_errors():
        sources = resolve_sources(obj.settings)
        counts = source_documents(obj.settings)
    rows = [
        {
            "path": str(s.path),
            "kind": s.kind,
            "origin": list(s.origins),
            "added_at": s.added_at,
            "documents": counts.get(str(s.path), 0),
        }
        for s in sources
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No sources: only the built-in records are indexed. Add a folder with 'cws sources add PATH'.")
        return
    for row in rows:
        origin = row["origin"]
        shown = "; ".join(origin) if isinstance(origin, list) else str(origin)
        click.echo(f"{row['path']}  [{row['kind']}, {row['documents']} in the index]  {shown}")


@click.command("docs")
@click.option("--records", is_flag=True, help="Also list the built-in records (sessions, tasks, standards...).")
@click.option("--json", "as_json", is_flag=True, help="Print the documents as JSON.")
@click.pass_obj
def docs_command(obj: Context, records: bool, as_json: bool) -> None:
    """List what the live index holds: symbol, title, passages, source, indexed at."""
    from index.removals import RECORD_PREFIX
    from index.sources import indexed_documents

    with user_errors():
        documents = indexed_documents(obj.settings)
    if not documents:
        raise click.ClickException(f"no index yet in {obj.settings.index_root}; run 'cws index'")
    shown = [d for d in documents if records or not d.doc_id.startswith(RECORD_PREFIX)]
    if as_json:
        click.echo(json.dumps([asdict(d) for d in shown], indent=2))
        return
    table = [("SYMBOL", "TITLE", "PASSAGES", "SOURCE", "INDEXED AT")] + [
        (d.symbol or "-", _clip(d.title, 60), str(d.passages), d.source or "built-in records", d.indexed_at or "?")
        for d in shown
    ]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])
    hidden = len(documents) - len(shown)
    if hidden:
        click.echo(f"(and {hidden} built-in records: --records lists them)")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
