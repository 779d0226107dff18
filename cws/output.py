"""Writing a command's result: to standard output, or to a file the user named."""

from __future__ import annotations

from pathlib import Path

import click


def write_output(text: str, out: Path | None, what: str) -> None:
    """`text` to standard output, or to `out` (its folder must exist; the file is replaced whole)."""
    if out is None:
        click.echo(text, nl=False)
        return
    if not out.parent.is_dir():
        raise click.ClickException(f"cannot write {out}: the folder {out.parent} does not exist")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from exc
    click.echo(f"{what} written to {out}", err=True)
