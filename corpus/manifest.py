"""Reads `manifest.yaml`: per-file metadata written by whoever curates a corpus folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictInt,
    StringConstraints,
    ValidationError,
    model_serializer,
)

from config.errors import CwsError
from config.schema import first_problem

MANIFEST_NAME = "manifest.yaml"

# Curators pad values by hand; topics are kept as written, as they always were.
_Stripped = Annotated[str, StringConstraints(strip_whitespace=True)]
# YAML reads an unquoted 2026-01-03 as a date; the entry keeps the ISO text either way.
_Day = Annotated[
    str,
    BeforeValidator(lambda value: value.isoformat() if isinstance(value, date) else value),
    StringConstraints(strip_whitespace=True, pattern=r"^\d{4}-\d{2}-\d{2}$"),
]
# Fields added after manifests were first fingerprinted: left out of the dump while unset, so adding them did not
# change the fingerprint (and force a re-parse) of every document indexed before.
_LATER_FIELDS = ("office", "read_on", "failing_since", "stale")


class ManifestError(CwsError):
    """The manifest cannot be used; the message names the file, the entry and the field."""


class ManifestEntry(BaseModel):
    """One `documents:` entry; frozen, and dumped (`model_dump`) into each document's fingerprint."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    symbol: _Stripped | None = None
    title: _Stripped | None = None
    session: _Stripped | None = None
    year: Annotated[StrictInt, Field(ge=1900, le=2100)] | None = None
    language: _Stripped | None = None
    # `topics:` left empty in the YAML means no topics.
    topics: Annotated[tuple[str, ...], BeforeValidator(lambda value: () if value is None else value)] = ()
    url: _Stripped | None = None
    # The office whose report this is (WIPO ST.3 code, e.g. JP): ATR reports fetched from submitted links.
    office: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    # A copy read from `url` whose link now fails: the day it was last read, the day the link started failing,
    # and whether the copy is old enough to be called stale in citations.
    read_on: _Day | None = None
    failing_since: _Day | None = None
    stale: bool = False

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        for name in _LATER_FIELDS:
            if not data.get(name):
                data.pop(name, None)
        return data


def _entry(path: Path, index: int, raw: Any) -> ManifestEntry:
    where = f"{path}: documents[{index}]"
    if not isinstance(raw, dict):
        raise ManifestError(f"{where} must be a mapping")
    if isinstance(raw.get("file"), str) and raw["file"].strip():
        where += f" (file '{raw['file'].strip()}')"
    try:
        return ManifestEntry.model_validate(raw)
    except ValidationError as exc:
        raise ManifestError(f"{where}: {first_problem(exc)}") from exc


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
