"""`cws atr ...`: ATR links for the secretariat — record one sent by e-mail, list, report, export, re-check.

Submitting here goes through the same validation and the same store (with its history) as
`/atr submit` in Slack; the change is recorded as made by the local user ("local:<login>").
Then, as in Slack, the link is read and its report indexed, and the outcome is printed.
"""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from cws.context import Context, user_errors
from cws.output import write_output

YEAR = click.IntRange(1900, 2100)


def _this_year(obj: Context) -> int:
    """This year in the configured zone (`jobs.timezone`), as /atr counts it."""
    return datetime.now(ZoneInfo(obj.settings.jobs.timezone)).year


def _today(obj: Context) -> date:
    return datetime.now(ZoneInfo(obj.settings.jobs.timezone)).date()


def _store(obj: Context):
    from atr.store import AtrStore

    return AtrStore(obj.settings.data_dir)


@click.group("atr")
def atr_group() -> None:
    """Annual Technical Report (ATR) links: record, list, report, export, re-check."""


@atr_group.command("submit")
@click.argument("office")
@click.argument("ip_type", metavar="TYPE")
@click.argument("year")
@click.argument("url")
@click.argument("note", nargs=-1)
@click.option(
    "--fetch/--no-fetch",
    default=True,
    show_default=True,
    help="Read the link and index its report right after storing it.",
)
@click.pass_obj
def submit_command(
    obj: Context, office: str, ip_type: str, year: str, url: str, note: tuple[str, ...], fetch: bool
) -> None:
    """Record the link to an office's ATR (e.g. one an office sent by e-mail).

    OFFICE is the WIPO ST.3 code (GB, JP, EM...), TYPE one of PI, TM, ID (or patent,
    trademark, design), YEAR the year of the activities, URL the https:// address; the rest
    of the line is an optional note. A link already recorded for the office, type and year is
    replaced and kept in the history. The link is then read and its report indexed (the
    outcome is printed: passages indexed, or why not: "the link returns 404"); the
    submission is stored either way.

    \b
    Example:
      cws atr submit GB TM 2025 https://www.ipo.gov.uk/atr-2025 sent by e-mail on 3 March
    """
    from atr.offices import office_name
    from atr.report import TYPE_LABELS
    from atr.validation import field_errors, validate

    settings = obj.settings.atr
    text_note = " ".join(note)
    current_year, first_year, allow_http = _this_year(obj), settings.first_year, settings.allow_http
    errors = field_errors(
        office, ip_type, year, url, text_note, current_year=current_year, first_year=first_year, allow_http=allow_http
    )
    if errors:
        raise click.ClickException(
            "nothing was stored:\n" + "\n".join(f"  {field}: {message}" for field, message in errors.items())
        )
    with user_errors():
        submission = validate(
            office,
            ip_type,
            year,
            url,
            text_note,
            current_year=current_year,
            first_year=first_year,
            allow_http=allow_http,
        )
        stored = _store(obj).submit(submission, team_id="cli", user_id=f"local:{getpass.getuser()}")
    click.echo(f"Stored — the ATR on {stored.year} activities (version {stored.version})")
    click.echo(f"  office:   {stored.office} ({office_name(stored.office)})")
    click.echo(f"  IP right: {TYPE_LABELS[stored.ip_type]} ({stored.ip_type})")
    click.echo(f"  link:     {stored.url}")
    click.echo(f"  note:     {stored.note or '—'}")
    if stored.previous_url:
        click.echo(f"  replaced: {stored.previous_url} (kept in the history)")
    if not fetch:
        return
    from atr.followup import read_and_index

    click.echo(f"Reading the report at {stored.url} ...")
    with user_errors():
        follow = read_and_index(
            obj.settings,
            stored,
            retry_hint=f"'cws atr fetch --office {stored.office} "
            f"--year {stored.year}' tries again now, and it is checked every night.",
        )
    click.echo(follow.text)


@atr_group.command("list")
@click.argument("office", required=False)
@click.pass_obj
def list_command(obj: Context, office: str | None) -> None:
    """The current links, newest reporting year first: of OFFICE, or of every office."""
    from atr.offices import normalize_office
    from atr.report import TYPE_LABELS

    with user_errors():
        code = normalize_office(office) if office else None
        rows = _store(obj).current(office=code)
    if not rows:
        click.echo(f"No ATR links{' of ' + code if code else ''} yet.")
        return
    for row in sorted(rows, key=lambda r: (-r.year, r.office, r.ip_type)):
        note = f"  ({row.note})" if row.note else ""
        click.echo(f"{row.year}  {row.office:3} {TYPE_LABELS[row.ip_type]:17} {row.url}{note}")


@atr_group.command("export")
@click.option("--year", type=YEAR, required=True, help="Reporting year (the year of the activities).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of standard output."
)
@click.pass_obj
def export_command(obj: Context, year: int, fmt: str, out: Path | None) -> None:
    """Export the year's current ATR links, ordered by office, for the ATR wiki's year page."""
    from atr.report import export

    write_output(export(_store(obj).current(year), fmt), out, f"ATR links on {year} activities")


@atr_group.command("status")
@click.option("--year", type=YEAR, help="Reporting year (default: last year, whose ATRs are sent this year).")
@click.pass_obj
def status_command(obj: Context, year: int | None) -> None:
    """Print the coverage matrix: offices × PI/TM/ID with counts per type, and who is missing."""
    from atr.report import TYPES, coverage
    from jobs.atr_nudges import expected_offices

    store = _store(obj)
    year = year or _this_year(obj) - 1
    table = coverage(store.current(year), year, expected_offices(store, year, obj.settings.atr.expected_offices))
    click.echo(f"ATRs on {year} activities")
    click.echo(table.table())
    for ip_type in TYPES:
        if table.missing(ip_type):
            click.echo(f"not yet submitted ({ip_type}): {', '.join(table.missing(ip_type))}")
    from atr.health import health_lines, link_health
    from atr.links import LinkStore

    health = link_health(
        store, LinkStore(obj.settings.data_dir), _today(obj), obj.settings.atr.stale_after_days, year=year
    )
    for line in health_lines(health):
        click.echo(line)


@atr_group.command("fetch")
@click.option("--office", help="Only this office's links (WIPO ST.3 code).")
@click.option("--year", type=YEAR, help="Only this reporting year's links.")
@click.pass_obj
def fetch_command(obj: Context, office: str | None, year: int | None) -> None:
    """Re-check the current links now, print each link's state, and index what changed.

    A report already read is asked for with a conditional request (ETag / Last-Modified):
    unchanged, it costs one request and no re-indexing. A link that fails keeps its last
    good copy indexed (the nightly reindex does the same for every link).
    """
    from atr.fetcher import LinkCheck, ReportFetcher
    from atr.followup import rebuild
    from atr.offices import normalize_office

    def show(check: LinkCheck) -> None:
        s = check.submission
        click.echo(f"{s.year}  {s.office:3} {s.ip_type}  {check.describe()}  {s.url}")

    with user_errors():
        code = normalize_office(office) if office else None
        checks = ReportFetcher(obj.settings).check_all(office=code, year=year, on_check=show)
    if not checks:
        click.echo("No ATR links to check" + (f" of {code}" if code else "") + (f" for {year}" if year else "") + ".")
        return
    if any(c.index_changed for c in checks):
        from index.runner import format_summary

        click.echo("Indexing what changed ...")
        summary, error = rebuild(obj.settings)
        click.echo(format_summary(summary) if summary else f"Not indexed: {error}")
    else:
        click.echo("Nothing changed: the index stays as it is.")
