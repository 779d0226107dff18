"""Reads `manifest.yaml`: per-file metadata written by whoever curates a corpus folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from config.errors import CwsError

MANIFEST_NAME = "manifest.yaml"
_FIELDS = {"file", "symbol", "title", "session", "year", "language", "topics", "url"}


class ManifestError(CwsError):
    """The manifest cannot be used; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    symbol: str | None = None
    title: str | None = None
    session: str | None = None
    year: int | None = None
    language: str | None = None
    topics: tuple[str, ...] = ()
    url: str | None = None


def _entry(path: Path, index: int, raw: Any) -> ManifestEntry:
    where = f"{path}: documents[{index}]"
    if not isinstance(raw, dict):
        raise ManifestError(f"{where} must be a mapping")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ManifestError(f"{where}: unknown field '{sorted(unknown)[0]}'")
    if not isinstance(raw.get("file"), str) or not raw["file"].strip():
        raise ManifestError(f"{where}: field 'file' is required")
    year = raw.get("year")
    if year is not None and (not isinstance(year, int) or not 1900 <= year <= 2100):
        raise ManifestError(f"{where}: field 'year' must be a four-digit year")
    topics = raw.get("topics") or []
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise ManifestError(f"{where}: field 'topics' must be a list of strings")
    text_fields = {}
    for name in ("symbol", "title", "session", "language", "url"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise ManifestError(f"{where}: field '{name}' must be text")
        text_fields[name] = value.strip() if isinstance(value, str) else None
    return ManifestEntry(file=raw["file"].strip(), year=year, topics=tuple(topics), **text_fields)


def read_manifest(folder: Path) -> dict[str, ManifestEntry]:
    """Entries by file name; an absent manifest is an empty one."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(f"{path}: cannot be read: {exc}") from exc
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list):
        raise ManifestError(f"{path}: expected a top-level 'documents' list")
    entries = [_entry(path, i, raw) for i, raw in enumerate(documents)]
    return {entry.file: entry for entry in entries}
