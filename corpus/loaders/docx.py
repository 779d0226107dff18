"""Word (.docx) loader built on python-docx.

Word stores paragraph numbers outside the text (`w:numPr`), exactly like the
.txt exports where such paragraphs start with a TAB. So the same rule
applies: an auto-numbered paragraph starts a paragraph (number left None for
the later numbering pass), while un-numbered body text, bullets and
lettered sub-items continue the current paragraph when the document numbers
its paragraphs (most of its body paragraphs are numbered, as in CWS documents).
A document as people usually write it numbers none, or only a list here and
there: then every paragraph stands alone and is numbered in order, and a typed
"1." starts a list item, not paragraph 1 again.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from corpus.loaders.errors import UnreadableDocument
from corpus.loaders.normalize import (
    clean_text,
    ends_open,
    heading_level,
    looks_like_heading,
    marker_block,
    split_number,
    starts_list_item,
    upper_ratio,
)
from corpus.model import Block, LoadedDocument, Table

_HEADING_STYLE_RE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_MAX_STYLE_DEPTH = 20
_LIST_FORMATS = {"bullet", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman", "none"}
# Word fills the Title property with the file name or the document symbol as often as with a title.
_NOT_A_TITLE_RE = re.compile(
    r"^(?:(?i:microsoft word\b.*|.*\.docx?|title)|[A-Z]{2,}(?:/[A-Z0-9]+)*/\d+(?:/\d+)?(?:\s*Rev\.?\s*\d*)?)$"
)


@dataclass
class _Para:
    """A paragraph under construction (continuations get appended)."""

    lines: list[str]
    number: str | None = None


@dataclass(frozen=True)
class _Line:
    """One body paragraph as Word holds it: its text, Word numbering ("number", "list", None), typed number."""

    text: str
    numbering: str | None
    printed: str | None
    bullet: bool


def load_docx(path: Path) -> LoadedDocument:
    """Load a .docx file; damaged packages raise UnreadableDocument."""
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(f"corrupt .docx: {exc or type(exc).__name__}", path) from None
    reader = _Reader(document)
    blocks = reader.read()
    title = _property_title(document) or reader.title_paragraph
    return LoadedDocument(blocks=tuple(blocks), title=title or None)


def _property_title(document: docx.document.Document) -> str | None:
    """The Title property when it is one; a file name or a symbol there leaves the title to the first heading."""
    title = clean_text(document.core_properties.title or "")
    return title if title and not _NOT_A_TITLE_RE.match(title) else None


class _Reader:
    """Walks the body in order, tracking the paragraph that continuations join."""

    def __init__(self, document: docx.document.Document) -> None:
        self.document = document
        self.formats = _numbering_formats(document)
        self.title_paragraph: str | None = None

    def read(self) -> list[Block]:
        lines = self._classify()
        body = [line for line in lines if isinstance(line, _Line)]
        numbered = sum(line.numbering == "number" or line.printed is not None for line in body)
        # Typed sub-items ("(a) note ...") and quotes continue numbered paragraphs in CWS documents: not counted.
        plain = sum(
            line.numbering is None and line.printed is None and not starts_list_item(line.text) for line in body
        )
        numbered_doc = numbered > 0 and numbered >= plain
        items: list[Block | _Para] = []
        current: _Para | None = None
        for line in lines:
            if isinstance(line, Block):
                if line.kind in ("heading", "break"):
                    current = None  # a heading or a marker ends the paragraph; a note after a table joins it
                if line.kind != "break" or line.text:
                    items.append(line)
                continue
            if numbered_doc and line.numbering == "number":
                current = _Para([line.text])
                items.append(current)
            elif numbered_doc and line.printed is not None:
                current = _Para([split_number(line.text)[1]], line.printed)
                items.append(current)
            elif current is not None and (line.numbering == "list" or numbered_doc):
                current.lines.append(("· " if line.bullet else "") + line.text)
            else:  # stands alone: numbered in order by corpus.passages
                current = _Para([("· " if line.bullet else "") + line.text])
                items.append(current)
        return [
            Block(kind="paragraph", text="\n".join(i.lines), number=i.number) if isinstance(i, _Para) else i
            for i in items
        ]

    def _classify(self) -> list[Block | _Line]:
        """The body in order: headings, part breaks and tables as blocks, every other paragraph as a `_Line`."""
        out: list[Block | _Line] = []
        previous = ""
        for item in self.document.iter_inner_content():
            if isinstance(item, DocxTable):
                out.extend(_table_blocks(item))
                continue
            text = clean_text(item.text)
            if not text:
                continue
            level = _heading_level(item)
            numbering = self._numbering(item)
            if level is None and numbering is None and self._is_styled_heading(item, text, previous):
                level = heading_level(text)
            previous = text
            if level is not None:
                if level == 1 and _style_name(item).lower() == "title" and self.title_paragraph is None:
                    self.title_paragraph = text
                out.append(Block(kind="heading", text=text, level=level))
            elif (marker := marker_block(text)) is not None:
                # "[Annex follows]" starts a part; "[End of document]" is dropped but still ends a paragraph
                out.append(marker if isinstance(marker, Block) else Block(kind="break", text=""))
            else:
                printed = split_number(text)[0] if numbering is None else None
                out.append(_Line(text, numbering, printed, self._is_bullet(item)))
        return out

    def _num_pr(self, paragraph: Paragraph) -> tuple[str, int] | None:
        """(numId, ilvl) from the paragraph or its style chain; None if unnumbered."""
        p_pr = paragraph._p.pPr
        num_pr = p_pr.numPr if p_pr is not None else None
        style = paragraph.style if num_pr is None else None
        for _ in range(_MAX_STYLE_DEPTH):  # bounded: damaged files may have cyclic basedOn
            if num_pr is not None or style is None:
                break
            s_pr = style.element.pPr
            num_pr = s_pr.numPr if s_pr is not None else None
            style = style.base_style
        num_id = getattr(num_pr, "numId", None)  # python-docx's oxml elements are untyped
        if num_id is None or num_id.val == 0:
            return None
        level = getattr(num_pr, "ilvl", None)
        return str(num_id.val), level.val if level is not None else 0

    def _format(self, paragraph: Paragraph) -> str | None:
        num = self._num_pr(paragraph)
        return None if num is None else self.formats.get(num, "decimal")

    def _is_bullet(self, paragraph: Paragraph) -> bool:
        return self._format(paragraph) == "bullet"

    def _numbering(self, paragraph: Paragraph) -> str | None:
        """ "number" for a top-level numbered paragraph, "list" for bullets/sub-items."""
        num = self._num_pr(paragraph)
        if num is None:
            return None
        return "list" if num[1] > 0 or self.formats.get(num, "decimal") in _LIST_FORMATS else "number"

    def _is_styled_heading(self, paragraph: Paragraph, text: str, previous: str) -> bool:
        """A short, title-like paragraph set entirely in bold (or ALL CAPS) acts as a heading."""
        if "\n" in text or not looks_like_heading(text):
            return False
        if ends_open(previous) and upper_ratio(text) < 0.6:
            return False
        runs = [r for r in paragraph.runs if r.text.strip()]
        return upper_ratio(text) >= 0.6 or (bool(runs) and all(r.bold for r in runs))


def _style_name(paragraph: Paragraph) -> str:
    try:
        return paragraph.style.name or "" if paragraph.style is not None else ""
    except (KeyError, AttributeError):
        return ""


def _heading_level(paragraph: Paragraph) -> int | None:
    """Level from the "Title"/"Heading N" style or an explicit outline level."""
    name = _style_name(paragraph)
    if name.lower() == "title":
        return 1
    if m := _HEADING_STYLE_RE.match(name):
        return max(1, int(m.group(1)))
    p_pr = paragraph._p.pPr
    outline = p_pr.find(qn("w:outlineLvl")) if p_pr is not None else None
    if outline is not None and (val := outline.get(qn("w:val"), "")).isdigit() and int(val) < 9:
        return int(val) + 1
    return None


def _numbering_formats(document: docx.document.Document) -> dict[tuple[str, int], str]:
    """Map (numId, ilvl) to Word's numFmt ("decimal", "bullet", "lowerLetter", ...)."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract: dict[str, dict[int, str]] = {}
    for a in numbering.findall(qn("w:abstractNum")):
        levels = abstract.setdefault(a.get(qn("w:abstractNumId"), ""), {})
        for lvl in a.findall(qn("w:lvl")):
            fmt = lvl.find(qn("w:numFmt"))
            value = fmt.get(qn("w:val"), "decimal") if fmt is not None else "decimal"
            levels[int(lvl.get(qn("w:ilvl"), "0"))] = value
    formats: dict[tuple[str, int], str] = {}
    for num in numbering.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        if ref is None:
            continue
        for ilvl, fmt in abstract.get(ref.get(qn("w:val"), ""), {}).items():
            formats[(num.get(qn("w:numId"), ""), ilvl)] = fmt
    return formats


def _table_rows(table: DocxTable) -> list[list[str]]:
    """Cell texts per row; a horizontal merge fills only its first column,
    a vertical merge repeats the text above so each row reads on its own."""
    grid: list[list[str]] = []
    for tr in table._tbl.tr_lst:
        row = [""] * tr.grid_before
        for tc in tr.tc_lst:
            col = len(row)
            text = clean_text(_Cell(tc, table).text)
            if tc.vMerge == "continue" and grid and col < len(grid[-1]):
                text = grid[-1][col]
            row.append(text)
            row.extend([""] * (tc.grid_span - 1))
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    return [r + [""] * (width - len(r)) for r in grid]


def _table_blocks(table: DocxTable) -> list[Block]:
    """A Table block; single-row or single-column (layout) tables become paragraphs."""
    rows = [r for r in _table_rows(table) if any(r)]
    if not rows:
        return []
    if len(rows) == 1 or len(rows[0]) == 1:
        return [Block(kind="paragraph", text=cell) for row in rows for cell in row if cell]
    return [Block(kind="table", table=Table(tuple(rows[0]), tuple(tuple(r) for r in rows[1:])))]
