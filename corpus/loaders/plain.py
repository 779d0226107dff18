"""Plain text without the Word TAB convention: blank-line-separated paragraphs.

Hard-wrapped lines inside a paragraph are joined with spaces; bullets and
"(a)" items keep their own line so lists stay readable; "N. " starts a
numbered paragraph; a short, title-like, single-line paragraph is a heading.
"""

from __future__ import annotations

from corpus.loaders.normalize import (
    clean_line,
    ends_open,
    heading_level,
    looks_like_heading,
    marker_block,
    normalize_levels,
    split_number,
    starts_list_item,
)
from corpus.model import Block

_SENTENCE_END = (".", ":", ";", "!", "?", "”", '"', ")")


def join_wrapped(current: str, line: str) -> str:
    """Join a wrapped line: de-hyphenate "infor-/mation", keep list items on new lines."""
    if starts_list_item(line):
        return f"{current}\n{line}"
    if current.endswith("-") and current[-2:-1].isalpha() and line[:1].islower():
        return current[:-1] + line
    return f"{current} {line}"


def paragraphs_from_lines(lines: list[str]) -> list[Block]:
    """Join wrapped lines into paragraphs; "N. " after a sentence end starts a new one."""
    blocks: list[Block] = []
    text, number = "", None
    for line in lines:
        num, rest = split_number(line)
        if num is not None and (not text or text.endswith(_SENTENCE_END)):
            if text:
                blocks.append(Block(kind="paragraph", text=text, number=number))
            text, number = rest, num
        elif not text:
            text = line
        else:
            text = join_wrapped(text, line)
    if text:
        blocks.append(Block(kind="paragraph", text=text, number=number))
    return blocks


def _chunk_blocks(chunk: list[str]) -> list[Block]:
    """Blocks for one blank-line-separated chunk of cleaned lines."""
    first = chunk[0]
    is_numbered = split_number(first)[0] is not None
    if len(chunk) == 1 and not is_numbered and looks_like_heading(first) and len(first.split()) <= 12:
        return [Block(kind="heading", text=first, level=heading_level(first))]
    if len(chunk) > 1 and not is_numbered and looks_like_heading(first, strict=True):
        if not ends_open(first) and not starts_list_item(chunk[1]):
            heading = Block(kind="heading", text=first, level=heading_level(first))
            return [heading, *paragraphs_from_lines(chunk[1:])]
    return paragraphs_from_lines(chunk)


def parse_plain(lines: list[str]) -> list[Block]:
    """Blocks for text whose paragraphs are separated by blank lines."""
    blocks: list[Block] = []
    chunk: list[str] = []

    def flush() -> None:
        if chunk:
            blocks.extend(_chunk_blocks(chunk))
            chunk.clear()

    for raw in lines:
        text = clean_line(raw)
        if not text:
            flush()
        elif (marker := marker_block(text)) is not None:
            flush()
            if isinstance(marker, Block):
                blocks.append(marker)
        else:
            chunk.append(text)
    flush()
    return normalize_levels(blocks)
