"""HTML loader built on BeautifulSoup with the lxml parser.

Web pages mix content with navigation, so script/style/nav/header/footer
are removed first; then block elements are walked in document order.
Inline text between blocks (e.g. loose text in a <div>) still forms a
paragraph so nothing readable is lost.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Doctype, ProcessingInstruction

from corpus.loaders.encoding import check_not_binary, read_bytes
from corpus.loaders.errors import UnreadableDocument
from corpus.loaders.normalize import clean_text, marker_block, split_number
from corpus.model import Block, LoadedDocument, Table

_SKIP = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "noscript",
    "template",
    "head",
    "svg",
    "form",
    "button",
}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCKS = {
    "p",
    "li",
    "blockquote",
    "dd",
    "dt",
    "div",
    "section",
    "article",
    "main",
    "aside",
    "ul",
    "ol",
    "dl",
    "pre",
    "figure",
    "figcaption",
    "address",
    "body",
    "html",
    "td",
    "th",
    "tr",
    "tbody",
    "thead",
    "tfoot",
    "caption",
    "details",
    "summary",
    "center",
    "fieldset",
    "hr",
}
_WS_RE = re.compile(r"[ \t\r\n\f]+")


def load_html(path: Path) -> LoadedDocument:
    """Load an .html/.htm file; BeautifulSoup detects the declared charset."""
    data = read_bytes(path)
    check_not_binary(data, path)
    if not data.decode("utf-8-sig", errors="ignore").strip():
        raise UnreadableDocument("empty file", path)
    return parse_html(data)


def parse_html(markup: str | bytes) -> LoadedDocument:
    """Blocks and title (<title>, else the first <h1>) from HTML markup."""
    soup = BeautifulSoup(markup, "lxml")
    title_tag = soup.find("title")
    title = clean_text(title_tag.get_text(" ")) if title_tag else ""
    for tag in soup.find_all(list(_SKIP - {"head"})):
        if not tag.decomposed:
            tag.decompose()
    walker = _Walker()
    walker.walk(soup.body or soup)
    walker.flush()
    if not title:
        title = next((b.text for b in walker.blocks if b.kind == "heading" and b.level == 1), "")
    return LoadedDocument(blocks=tuple(walker.blocks), title=title or None)


class _Walker:
    """Collects inline text into a buffer that each block boundary flushes."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = clean_text(_WS_RE.sub(" ", "".join(self.buffer)).replace("\x00", "\n"))
        self.buffer.clear()
        if not text:
            return
        if (marker := marker_block(text)) is not None:
            if isinstance(marker, Block):
                self.blocks.append(marker)
            return
        number, text = split_number(text)
        self.blocks.append(Block(kind="paragraph", text=text, number=number))

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
            elif not isinstance(child, Tag) or child.name in _SKIP:
                continue
            elif child.name in _HEADINGS:
                self.flush()
                if text := clean_text(_WS_RE.sub(" ", child.get_text(" "))):
                    self.blocks.append(Block(kind="heading", text=text, level=_HEADINGS[child.name]))
            elif child.name == "table":
                self.flush()
                self._table(child)
            elif child.name == "br":
                self.buffer.append("\x00")  # survives whitespace collapsing as a line break
            elif child.name == "pre":
                self.flush()
                if text := child.get_text().strip("\n"):
                    self.blocks.append(Block(kind="paragraph", text=text))
            elif child.name in _BLOCKS:
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)

    def _table(self, table: Tag) -> None:
        """A Table block; single-row or single-column (layout) tables are walked as text."""
        rows = [r for r in _table_grid(table) if any(r)]
        if len(rows) < 2 or len(rows[0]) < 2:
            self.walk(table)
            self.flush()
            return
        rebuilt = Table(tuple(rows[0]), tuple(tuple(r) for r in rows[1:]))
        self.blocks.append(Block(kind="table", table=rebuilt))


def _own_rows(table: Tag) -> list[Tag]:
    """The table's rows, excluding rows of nested tables."""
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def _table_grid(table: Tag) -> list[list[str]]:
    """Cell texts per row: colspan fills only its first column, rowspan repeats down.

    The first row is the header (whether it uses <th> or not); a <thead>
    row, if any, comes first in document order anyway.
    """
    grid: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still spanned)
    for tr in _own_rows(table):
        row: list[str] = []
        cells = [c for c in tr.find_all(["td", "th"], recursive=False)]
        for cell in cells:
            while len(row) in pending:
                row.append(_take(pending, len(row)))
            text = clean_text(_WS_RE.sub(" ", cell.get_text(" ")))
            span = _int_attr(cell, "colspan")
            down = _int_attr(cell, "rowspan")
            if down > 1:
                pending[len(row)] = (text, down - 1)
            row.append(text)
            row.extend([""] * (span - 1))
        while len(row) in pending:
            row.append(_take(pending, len(row)))
        grid.append(row)
    width = max((len(r) for r in grid), default=0)
    return [r + [""] * (width - len(r)) for r in grid]


def _take(pending: dict[int, tuple[str, int]], col: int) -> str:
    text, left = pending[col]
    if left > 1:
        pending[col] = (text, left - 1)
    else:
        del pending[col]
    return text


def _int_attr(cell: Tag, name: str) -> int:
    value = str(cell.get(name) or "1").strip()
    return max(1, min(int(value), 100)) if value.isdigit() else 1
