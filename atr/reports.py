"""The fetched reports on disk: one folder per report, each an index source, so a reindex never needs the network.

`<data_dir>/atr-reports/atr-JP-PI-2024-html/` holds the file as it was fetched (`report.html`, `.pdf` or
`.docx`) and a `manifest.yaml` giving its symbol ("ATR/PI 2024, Japan (JP)"), title, year, office and link, plus,
while the link fails, the day the copy was read and since when the link fails. The existing loaders read it and
every build (`cws index`, the nightly reindex, the first `cws ask`) indexes it like any other source.

Why one folder (one source) per report: a report leaves the index on purpose when its link is replaced or the
server says it is gone, and a source taken off the list (`index.sources.remove_source`) is exactly what a build
lets go without calling it data loss (`index.removals`). In one shared folder, dropping the last report would be
refused as "every document of a source removed". The folder's name carries the file kind, so a report that
changes from HTML to PDF is a new source, not a removal inside a kept one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from atr.offices import office_name
from atr.report import TYPE_LABELS
from config.errors import CwsError
from config.settings import Settings
from corpus.manifest import MANIFEST_NAME
from index.sources import add_source, normalise, remove_source, resolve_sources

REPORTS_DIR = "atr-reports"
SOURCE_HOW = "ATR report fetched from its submitted link (cws atr)"


def reports_root(data_dir: Path) -> Path:
    return data_dir / REPORTS_DIR


def folder_for(data_dir: Path, office: str, ip_type: str, year: int, kind: str) -> Path:
    return reports_root(data_dir) / f"atr-{office}-{ip_type}-{year}-{kind}"


def report_file(folder: Path, suffix: str) -> Path:
    return folder / f"report{suffix}"


def symbol(office: str, ip_type: str, year: int) -> str:
    """How a report is cited: 'ATR/PI 2024, Japan (JP)'."""
    return f"ATR/{ip_type} {year}, {office_name(office)} ({office})"


def title(office: str, ip_type: str, year: int, page_title: str | None) -> str:
    """The office, right and year in words (they are searched as the title), then the report's own title."""
    own = f"Annual Technical Report on {TYPE_LABELS[ip_type]} activities in {year}, {office_name(office)} ({office})"
    page = " ".join((page_title or "").split())[:200]
    return f"{own}: {page}" if page else own


def manifest_entry(
    file: str,
    office: str,
    ip_type: str,
    year: int,
    url: str,
    page_title: str | None,
    read_on: str | None = None,
    failing_since: str | None = None,
    stale: bool = False,
) -> dict[str, object]:
    entry: dict[str, object] = {
        "file": file,
        "symbol": symbol(office, ip_type, year),
        "title": title(office, ip_type, year, page_title),
        "year": year,
        "office": office,
        "url": url,
        "topics": ["ATR", f"ATR/{ip_type}"],
    }
    if failing_since:
        entry.update(read_on=read_on, failing_since=failing_since, stale=stale)
    return entry


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def write_manifest(folder: Path, entry: dict[str, object]) -> None:
    text = "# Written by CWS Assistant from the ATR link health records; edits are overwritten.\n"
    text += yaml.safe_dump({"documents": [entry]}, sort_keys=False, allow_unicode=True)
    _write_atomically(folder / MANIFEST_NAME, text.encode("utf-8"))


def read_manifest_entry(folder: Path) -> dict[str, object] | None:
    try:
        data = yaml.safe_load((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        return data["documents"][0]
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return None


class ReportSourceError(CwsError):
    """The report was read but its folder cannot be made an index source (the message says why)."""


def store_report(settings: Settings, folder: Path, suffix: str, body: bytes, entry: dict[str, object]) -> Path:
    """Write the fetched file and its manifest into `folder` and list the folder as an index source."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("report.*"):
        if old.suffix != suffix:
            old.unlink()
    path = report_file(folder, suffix)
    _write_atomically(path, body)
    write_manifest(folder, entry)
    try:
        add_source(settings, folder, how=SOURCE_HOW)
    except CwsError as exc:
        raise ReportSourceError(f"the report was read but cannot be indexed: {exc}") from exc
    return path


def drop_report(settings: Settings, folder: Path) -> None:
    """Take the report's folder off the sources (its document leaves the index at the next build) and delete it."""
    listed = {s.path for s in resolve_sources(settings)}
    if normalise(folder) in listed:
        remove_source(settings, folder)
    shutil.rmtree(folder, ignore_errors=True)
