"""`cws atr ...`: ATR exports and reports for the secretariat."""

from __future__ import annotations

from pathlib import Path

import click

from atr.report import coverage, export
from atr.store import AtrStore


@click.group("atr")
def atr_group() -> None:
    """Annual Technical Report (ATR) submissions."""


@atr_group.command("export")
@click.option("--year", type=int, required=True, help="Reporting year (the year of the activities).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of standard output.")
@click.pass_obj
def export_command(obj, year: int, fmt: str, out: Path | None) -> None:  # type: ignore[no-untyped-def]
    """Export the year's current ATR links, ordered by office, for the ATR wiki's year page."""
    text = export(AtrStore(obj.settings.data_dir).current(year), fmt)
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text, nl=False)


@atr_group.command("status")
@click.option("--year", type=int, required=True, help="Reporting year.")
@click.pass_obj
def status_command(obj, year: int) -> None:  # type: ignore[no-untyped-def]
    """Print the coverage matrix: offices × PI/TM/ID with counts per type."""
    click.echo(coverage(AtrStore(obj.settings.data_dir).current(year), year).table())
