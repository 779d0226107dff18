"""Document metadata: the manifest's word when there is one, otherwise what the text says."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.entities import extract_entities
from corpus.manifest import ManifestEntry
from corpus.model import DocumentMeta, LoadedDocument

_LEAD_BLOCKS = 6
_SYMBOL_LINE = re.compile(r"^\s*([A-Z]{2,}(?:/[A-Z0-9]+)*/\d+(?:/\d+)?(?:\s*Rev\.?\s*\d*)?)\s*$", re.M)
_DATE_LINE = re.compile(r"(?i)\bdate\s*:\s*[^\n]*?\b((?:19|20)\d\d)\b")


def _lead_text(document: LoadedDocument) -> str:
    texts = [b.text for b in document.blocks[:_LEAD_BLOCKS] if b.text]
    return "\n".join(texts)


def _first_heading(document: LoadedDocument) -> str | None:
    for block in document.blocks:
        if block.kind == "heading" and block.text.strip():
            return block.text.strip()
    return None


def derive_meta(
    doc_id: str,
    path: Path,
    document: LoadedDocument,
    entry: ManifestEntry | None,
) -> DocumentMeta:
    """Merge manifest fields with facts read from the document's opening blocks."""
    lead = _lead_text(document)
    symbol_match = _SYMBOL_LINE.search(lead)
    symbol = (entry.symbol if entry and entry.symbol else None) or (
        symbol_match.group(1) if symbol_match else None
    )
    lead_entities = extract_entities(lead)
    session = entry.session if entry and entry.session else None
    if not session and symbol:
        symbol_sessions = extract_entities(symbol).sessions
        session = symbol_sessions[0] if symbol_sessions else None
    if not session and len(lead_entities.sessions) == 1:
        session = lead_entities.sessions[0]
    year = entry.year if entry and entry.year else None
    if year is None:
        date = _DATE_LINE.search(lead)
        year = int(date.group(1)) if date else None
    title = (
        (entry.title if entry and entry.title else None)
        or document.title
        or _first_heading(document)
        or path.stem.replace("_", " ")
    )
    return DocumentMeta(
        doc_id=doc_id,
        path=str(path),
        title=title,
        symbol=symbol,
        session=session,
        year=year,
        language=entry.language if entry else None,
        topics=entry.topics if entry else (),
        url=entry.url if entry else None,
        office=entry.office if entry else None,
        read_on=entry.read_on if entry else None,
        failing_since=entry.failing_since if entry else None,
        stale=entry.stale if entry else False,
    )
