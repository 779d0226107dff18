"""PDF loader built on pypdf text extraction.

A PDF has no paragraphs, only positioned lines, so paragraphs are rebuilt:
repeated page headers/footers ("CWS/12/25" / "page 2") and lone page
numbers are dropped, wrapped lines are joined, and a new paragraph starts at
a numbered line ("12. ..."), a heading, a bullet, or after a short line that
ends a sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pypdf import PdfReader

from corpus.loaders.errors import UnreadableDocument
from corpus.loaders.normalize import (
    clean_line,
    heading_level,
    looks_like_heading,
    marker_block,
    normalize_levels,
    split_number,
    starts_list_item,
)
from corpus.loaders.plain import join_wrapped
from corpus.model import Block, LoadedDocument

_PAGE_NUMBER_RE = re.compile(r"^(?:page\s*)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_EDGE_LINES = 3
_SENTENCE_END = (".", ":", ";", "!", "?", "”", '"')


def load_pdf(path: Path) -> LoadedDocument:
    """Load a .pdf file; corrupt, encrypted or image-only PDFs raise."""
    pages, title = _extract(path)
    lines = _drop_page_furniture(pages)
    if not any(lines):
        raise UnreadableDocument("PDF has no extractable text (scanned?)", path)
    return LoadedDocument(blocks=tuple(normalize_levels(rebuild_paragraphs(lines))), title=title)


def _extract(path: Path) -> tuple[list[list[str]], str | None]:
    """Per-page cleaned lines plus the metadata title."""
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("encrypted PDF (password required)", path)
        pages = [[clean_line(line) for line in (page.extract_text() or "").split("\n")] for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except UnreadableDocument:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise UnreadableDocument(f"corrupt .pdf: {exc or type(exc).__name__}", path) from None
    return pages, (title.strip() or None) if isinstance(title, str) else None


def _shape(line: str) -> str:
    """A line with digits masked, so "page 2" and "page 3" count as one header."""
    return re.sub(r"\d+", "#", line.lower())


def _drop_page_furniture(pages: list[list[str]]) -> list[str]:
    """Drop lines repeated at the top/bottom of many pages, and page numbers.

    Returns the remaining lines of all pages in order, with "" between pages.
    """
    pages = [[line for line in page if line] for page in pages]
    counts: Counter[str] = Counter()
    for page in pages:
        edges = page[:_EDGE_LINES] + page[-_EDGE_LINES:]
        counts.update({_shape(line) for line in edges})
    threshold = max(2, (len(pages) + 1) // 2)
    # Prose fragments ("data.") can repeat by chance; running heads do not end a sentence.
    repeated = {shape for shape, n in counts.items() if n >= threshold and not shape.endswith(".")}
    out: list[str] = []
    for page in pages:
        for k, line in enumerate(page):
            at_edge = k < _EDGE_LINES or k >= len(page) - _EDGE_LINES
            if at_edge and (_shape(line) in repeated or _PAGE_NUMBER_RE.match(line)):
                continue
            out.append(line)
        out.append("")
    return out


def _full_width(lines: list[str]) -> int:
    """Typical length of a full (wrapped) line: the 90th percentile."""
    lengths = sorted(len(line) for line in lines if line)
    return lengths[int(len(lengths) * 0.9) - 1] if lengths else 0


def rebuild_paragraphs(lines: list[str]) -> list[Block]:
    """Join wrapped lines into paragraphs and headings ("" marks a page break)."""
    width = _full_width(lines)
    blocks: list[Block] = []
    text, number, prev = "", None, ""

    def flush() -> None:
        nonlocal text, number
        if text:
            blocks.append(Block(kind="paragraph", text=text, number=number))
        text, number = "", None

    for line in lines:
        if not line:
            continue  # page break: a paragraph may continue on the next page
        closed = not text or (prev.endswith(_SENTENCE_END) and len(prev) < 0.85 * width)
        ended = not text or prev.endswith(_SENTENCE_END)
        num, rest = split_number(line)
        if (marker := marker_block(line)) is not None:
            flush()
            if isinstance(marker, Block):
                blocks.append(marker)
        elif num is not None and ended:
            flush()
            text, number = rest, num
        elif ended and len(line) < 0.7 * max(width, 1) and looks_like_heading(line, strict=True):
            flush()
            blocks.append(Block(kind="heading", text=line, level=heading_level(line)))
        elif closed and not starts_list_item(line):
            flush()
            text = line
        else:
            text = join_wrapped(text, line) if text else line
        prev = line
    flush()
    return blocks
