"""Markdown loader: ATX/setext headings, paragraphs, "N. " paragraphs, pipe tables.

Only the structure the search index needs is read; inline markup (bold,
code, links) is reduced to its text so it does not pollute passages.
"""

from __future__ import annotations

import re
from pathlib import Path

from corpus.loaders.encoding import read_text
from corpus.loaders.normalize import clean_line, marker_block
from corpus.loaders.plain import paragraphs_from_lines
from corpus.model import Block, LoadedDocument, Table

_ATX_RE = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE_RE = re.compile(r"^ {0,3}(```|~~~)")
_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_RULE_RE = re.compile(r"^ {0,3}([-*_])(\s*\1){2,}\s*$")
_BULLET_RE = re.compile(r"^\s*[-*+]\s+")
_QUOTE_RE = re.compile(r"^\s*>\s?")
_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS_RE = re.compile(r"(\*\*|__|`)")
_COMMENT_RE = re.compile(r"<!--.*?-->")
_FRONT_TITLE_RE = re.compile(r"^title:\s*(.+?)\s*$", re.IGNORECASE)


def inline_text(line: str) -> str:
    """Reduce inline markdown to plain text, then clean the line."""
    line = _COMMENT_RE.sub("", line)
    line = _IMAGE_RE.sub(r"\1", line)
    line = _LINK_RE.sub(r"\1", line)
    return clean_line(_EMPHASIS_RE.sub("", line))


def _split_row(line: str) -> tuple[str, ...]:
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return tuple(inline_text(cell.replace("\\|", "|")) for cell in re.split(r"(?<!\\)\|", line))


def _front_matter(lines: list[str]) -> tuple[str | None, list[str]]:
    """Strip a YAML front-matter block, returning its `title:` if present."""
    if not lines or lines[0].strip() != "---":
        return None, lines
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() in ("---", "..."):
            title = None
            for line in lines[1:end]:
                if m := _FRONT_TITLE_RE.match(line):
                    title = m.group(1).strip("'\"") or None
            return title, lines[end + 1 :]
    return None, lines


def parse_markdown(text: str) -> LoadedDocument:
    """Blocks and title (front matter `title:` or first level-1 heading)."""
    title, lines = _front_matter(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    blocks: list[Block] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            blocks.extend(paragraphs_from_lines(buffer))
            buffer.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        i += 1
        if _FENCE_RE.match(line):
            flush()
            fence, code = _FENCE_RE.match(line).group(1), []  # type: ignore[union-attr]
            while i < len(lines) and not lines[i].strip().startswith(fence):
                code.append(lines[i].rstrip())
                i += 1
            i += 1
            if "\n".join(code).strip():
                blocks.append(Block(kind="paragraph", text="\n".join(code).strip("\n")))
        elif not line.strip():
            flush()
        elif m := _ATX_RE.match(line):
            flush()
            if heading := inline_text(m.group(2)):
                blocks.append(Block(kind="heading", text=heading, level=len(m.group(1))))
        elif not buffer and _SETEXT_RE.match(nxt) and not _RULE_RE.match(line):
            level = 1 if nxt.strip().startswith("=") else 2
            blocks.append(Block(kind="heading", text=inline_text(line), level=level))
            i += 1
        elif "|" in line and _TABLE_SEP_RE.match(nxt) and "-" in nxt:
            flush()
            header, rows = _split_row(line), []
            i += 1
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                row = _split_row(lines[i])
                rows.append((row + ("",) * len(header))[: len(header)])
                i += 1
            blocks.append(Block(kind="table", table=Table(header, tuple(r for r in rows if any(r)))))
        elif _RULE_RE.match(line):
            flush()
        elif (marker := marker_block(clean_line(line))) is not None:
            flush()
            if isinstance(marker, Block):
                blocks.append(marker)
        else:
            content = _QUOTE_RE.sub("", line)
            content = _BULLET_RE.sub("· ", content)
            if cleaned := inline_text(content):
                buffer.append(cleaned)
    flush()
    if title is None:
        title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    return LoadedDocument(blocks=tuple(blocks), title=title)


def load_markdown(path: Path) -> LoadedDocument:
    """Load a .md or .markdown file."""
    return parse_markdown(read_text(path))
