"""Plain-text loader, chiefly for Word documents exported to .txt.

Such exports follow a convention this module relies on: a line starting with
a TAB is a new (auto-numbered, number not printed) paragraph; any other line
is a heading or continues the current paragraph (quotes, bullets, "(a)"
items); Word tables come out one cell per TAB line, rows separated by blank
lines. Text without that convention is read as blank-line-separated
paragraphs instead (`corpus.loaders.plain`); Markdown is handled by
`corpus.loaders.markdown`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from corpus.loaders.encoding import read_text
from corpus.loaders.markdown import load_markdown, parse_markdown
from corpus.loaders.normalize import (
    clean_line,
    ends_open,
    heading_level,
    looks_like_heading,
    marker_block,
    normalize_levels,
    split_number,
    strip_artefacts,
    upper_ratio,
)
from corpus.loaders.plain import parse_plain
from corpus.model import Block, LoadedDocument, Table

# Markdown lives in its own module; re-exported so all text formats are found here.
__all__ = ["load_markdown", "load_text", "parse_markdown", "parse_text", "uses_tab_convention"]

_TAB_START_RE = re.compile(r"^ {0,3}\t")
TAB_CONVENTION_MIN_SHARE = 0.2
_MAX_HEADER_CELL = 60


@dataclass
class _Unit:
    """A paragraph or table cell under construction: its lines, in order."""

    kind: str  # "tab" | "num" | "orphan"
    lines: list[str]
    number: str | None = None
    blank_before: bool = False
    split_at: int | None = None  # index of the first line that followed a blank line

    @property
    def text(self) -> str:
        return "\n".join(line for line in self.lines if line)


@dataclass
class _Group:
    """TAB units not separated by a blank line: a table row candidate."""

    units: list[_Unit] = field(default_factory=list)


def load_text(path: Path) -> LoadedDocument:
    """Load a .txt file (either convention)."""
    return LoadedDocument(blocks=tuple(parse_text(read_text(path))))


def uses_tab_convention(lines: list[str]) -> bool:
    """True when enough non-empty lines start with a TAB (a Word export)."""
    non_empty = [line for line in lines if line.strip()]
    if not non_empty:
        return False
    tabbed = sum(1 for line in non_empty if _TAB_START_RE.match(strip_artefacts(line)))
    return tabbed / len(non_empty) >= TAB_CONVENTION_MIN_SHARE


def parse_text(text: str) -> list[Block]:
    """Turn text into blocks, choosing the convention from the text itself."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if uses_tab_convention(lines):
        return normalize_levels(_assemble(_read_units(lines)))
    return parse_plain(lines)


def _is_heading(text: str, previous: str) -> bool:
    """Heading test with context: after "...:" or "..., and" a line continues."""
    if not looks_like_heading(text):
        return False
    return not (ends_open(previous) and upper_ratio(text) < 0.6)


def _read_units(lines: list[str]) -> list[Block | _Unit]:
    """First pass: group raw lines into units, headings and breaks."""
    items: list[Block | _Unit] = []
    current: _Unit | None = None
    blank = False
    previous = ""
    for raw in lines:
        raw = strip_artefacts(raw)
        text = clean_line(raw)
        if _TAB_START_RE.match(raw) and marker_block(text) is None:
            number, text = split_number(text)
            current = _Unit("tab", [text], number, blank)
            items.append(current)
        elif not text:
            blank = True
            continue
        elif (marker := marker_block(text)) is not None:
            current = None
            if isinstance(marker, Block):
                items.append(marker)
        elif (split := split_number(text))[0] is not None:
            current = _Unit("num", [split[1]], split[0], blank)
            items.append(current)
        elif _is_heading(text, previous):
            current = None
            items.append(Block(kind="heading", text=text, level=heading_level(text)))
        elif current is not None and current.text:
            if blank and current.split_at is None:
                current.split_at = len(current.lines)
            current.lines.append(text)
        else:
            current = _Unit("orphan", [text], None, blank)
            items.append(current)
        blank = False
        previous = text
    return items


def _assemble(items: list[Block | _Unit]) -> list[Block]:
    """Second pass: rebuild tables from runs of units between headings."""
    out: list[Block] = []
    run: list[_Unit] = []
    for item in items:
        if isinstance(item, _Unit):
            run.append(item)
            continue
        _emit_run(run, out)
        run = []
        out.append(item)
    _emit_run(run, out)
    return out


def _segments(run: list[_Unit]) -> list[_Group | _Unit]:
    """Split a run into row-candidate groups of TAB units and other units."""
    segs: list[_Group | _Unit] = []
    for unit in run:
        if unit.kind != "tab":
            segs.append(unit)
        elif (
            unit.blank_before
            or not segs
            or not isinstance(segs[-1], _Group)
            or segs[-1].units[-1].split_at is not None  # a blank inside the last cell ends the row
        ):
            segs.append(_Group([unit]))
        else:
            segs[-1].units.append(unit)
    return segs


def _header_ok(cells: list[_Unit]) -> bool:
    """Header cells are short single lines, not sentences; one at least non-empty."""
    texts = [c.text for c in cells]
    if not any(texts):
        return False
    return all(
        len(c.lines) == 1 and len(t) <= _MAX_HEADER_CELL and not t.endswith((".", ";", ":"))
        for c, t in zip(cells, texts)
    )


def _group_of(segment: _Group | _Unit, n: int) -> bool:
    """A group whose units make whole rows of `n` cells."""
    return isinstance(segment, _Group) and len(segment.units) % n == 0


def _find_table(segs: list[_Group | _Unit], i: int) -> tuple[int, int] | None:
    """Best (columns, end index) for a table whose header ends group i, or None.

    Rows are the following groups whose cell count is a multiple of the
    column count n >= 2 (a group of 2n cells is two rows missing their
    separating blank line); the longest run wins, then the widest table.
    """
    head = segs[i]
    body = segs[i + 1] if i + 1 < len(segs) else None
    if not isinstance(head, _Group) or not isinstance(body, _Group):
        return None
    size = len(body.units)
    best: tuple[int, int] | None = None  # (end, n)
    for n in range(2, min(size, len(head.units)) + 1):
        if size % n or not _header_ok(head.units[-n:]):
            continue
        j = i + 1
        while j < len(segs) and _group_of(segs[j], n):
            j += 1
        if best is None or (j, n) > best:
            best = (j, n)
    return (best[1], best[0]) if best else None


def _paragraph(unit: _Unit) -> Block:
    return Block(kind="paragraph", text=unit.text, number=unit.number)


def _emit_run(run: list[_Unit], out: list[Block]) -> None:
    """Emit paragraphs and rebuilt tables for one run of units."""
    segs = _segments(run)
    i = 0
    while i < len(segs):
        seg = segs[i]
        found = _find_table(segs, i)
        if found is None:
            units = seg.units if isinstance(seg, _Group) else [seg]
            out.extend(_paragraph(u) for u in units if u.text)
            i += 1
            continue
        n, end = found
        assert isinstance(seg, _Group)  # guaranteed by _find_table
        out.extend(_paragraph(u) for u in seg.units[:-n] if u.text)
        cells = [u for g in segs[i + 1 : end] if isinstance(g, _Group) for u in g.units]
        note = _split_note(cells)
        rows = [tuple(u.text for u in cells[k : k + n]) for k in range(0, len(cells), n)]
        rows = [r for r in rows if any(r)]
        out.append(Block(kind="table", table=Table(tuple(u.text for u in seg.units[-n:]), tuple(rows))))
        after = segs[end] if end < len(segs) else None
        if isinstance(after, _Unit) and after.kind == "orphan":
            note = "\n".join(t for t in (note, after.text) if t)
            end += 1
        if note:
            _attach_note(note, out)
        i = end


def _split_note(cells: list[_Unit]) -> str:
    """Detach text that followed a blank line after the table's last cell.

    Such lines are a note under the table ("(*: the most recent ...)"), not
    part of the last cell.
    """
    last = cells[-1] if cells else None
    if last is None or last.split_at is None:
        return ""
    note = "\n".join(last.lines[last.split_at :])
    del last.lines[last.split_at :]
    return note


def _attach_note(note: str, out: list[Block]) -> None:
    """Append a table note to the paragraph introducing the table, if any."""
    if len(out) >= 2 and out[-2].kind == "paragraph":
        intro = out[-2]
        out[-2] = Block(kind="paragraph", text=f"{intro.text}\n{note}", number=intro.number)
    else:
        out.append(Block(kind="paragraph", text=note))
