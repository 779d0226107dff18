"""Document metadata: the manifest's word when there is one, otherwise what the text says."""

from __future__ import annotations

import re
from pathlib import Path

from corpus.entities import extract_entities
from corpus.manifest import ManifestEntry
from corpus.model import DocumentMeta, LoadedDocument

_LEAD_BLOCKS = 6
_SYMBOL_LINE = re.compile(r"^\s*([A-Z]{2,}(?:/[A-Z0-9]+)*/\d+(?:/\d+)?(?:\s*Rev\.?\s*\d*)?)\s*$", re.M)
# A symbol inside a heading ("# CWS/13/7: Report on ...", "<h1>Report ... (CWS/13/7)</h1>"): at least three
# parts, so a session ("CWS/12") named in a heading is not taken for the document's symbol.
_HEADING_SYMBOL = re.compile(r"(?<![\w/.])([A-Z]{2,}(?:/[A-Z0-9]+)+/\d+(?:\s*Rev\.?\s*\d+)?)(?![\w/])")
_DATE_LINE = re.compile(r"(?i)\bdate\s*:\s*[^\n]*?\b((?:19|20)\d\d)\b")
# The cover lines of a CWS document, which Word documents often set as short ALL-CAPS paragraphs (headings).
_COVER_LINE = re.compile(r"(?i)^(original|date|language|english|french|spanish)\b\s*:?")
_SEPARATORS = " \t:–—-|,;"
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")


def _lead_text(document: LoadedDocument) -> str:
    texts = [b.text for b in document.blocks[:_LEAD_BLOCKS] if b.text]
    return "\n".join(texts)


def _heading_symbol(document: LoadedDocument) -> str | None:
    """A symbol stated in one of the opening headings, as Markdown and HTML documents put it."""
    for block in document.blocks[:_LEAD_BLOCKS]:
        if block.kind == "heading" and (match := _HEADING_SYMBOL.search(block.text)):
            return match.group(1)
    return None


def _as_title(text: str | None, symbol: str | None) -> str | None:
    """`text` as a title: without the symbol it may carry ("CWS/13/7: Report on ..."); None when nothing is left
    but a symbol, a cover line ("ORIGINAL: ENGLISH") or a letter or two."""
    text = (text or "").strip()
    if not text or _COVER_LINE.match(text) or _SYMBOL_LINE.fullmatch(text):
        return None
    if symbol and symbol in text:
        text = _EMPTY_BRACKETS.sub(" ", text.replace(symbol, " "))
        text = " ".join(text.split()).strip(_SEPARATORS)
    return text if sum(c.isalpha() for c in text) >= 3 else None


def _first_heading(document: LoadedDocument, symbol: str | None) -> str | None:
    """The first heading that is a title, so a Word document's symbol and cover lines are not taken for one."""
    for block in document.blocks:
        if block.kind == "heading" and (title := _as_title(block.text, symbol)):
            return title
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
        symbol_match.group(1) if symbol_match else _heading_symbol(document)
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
        or _as_title(document.title, symbol)
        or _first_heading(document, symbol)
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
