"""Small text utilities for answers: stems, sentences, highlighted snippets.

Sentence splitting is a short rule set rather than a general library because CWS text
is full of dotted identifiers ("ST.92", "C.CWS.182", "Task No. 58", "Mr. Cristiano")
that general splitters break on, and it runs on the hot path of every answer.
"""

from __future__ import annotations

import re

from index.analysis import stem

_WORD = re.compile(r"[A-Za-z]+(?:\.\d+)?|\d+(?:[.,]\d+)*")
_ABBREVIATIONS = frozenset(
    [
        "no",
        "nos",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "para",
        "paras",
        "e.g",
        "i.e",
        "etc",
        "vs",
        "art",
        "arts",
        "fig",
        "doc",
        "docs",
        "rev",
        "vol",
        "pp",
        "p",
        "ibid",
        "al",
        "approx",
    ]
)
_BOUNDARY = re.compile(
    r"(?<=[.!?])([\"”’)\]]*)\s+(?=[\"“‘(\[]?[A-Z0-9])|\n+(?=[·•\-–(]?\s*\(?[a-zA-Z0-9]{1,4}[.)]\s)|\n+(?=[·•])"
)


def stems(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text)]


def split_sentences(text: str) -> list[str]:
    """Sentences (and list items, which read as answers on their own) of a paragraph."""
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        closers = match.group(1) or ""
        candidate = text[start : match.start() + len(closers)].rstrip()
        last_word = re.search(r"([A-Za-z.]+)\.?[\"”’)\]]*$", candidate)
        if match.group(0).strip() == "" and last_word and last_word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if candidate:
            pieces.append(candidate)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return [p.strip() for p in pieces if len(p.strip()) > 1]


def highlight(text: str, wanted: set[str], marker: str = "**") -> str:
    """Wrap every word whose stem is in `wanted` in `marker`s."""

    def mark(match: re.Match[str]) -> str:
        word = match.group(0)
        return f"{marker}{word}{marker}" if stem(word) in wanted else word

    return _WORD.sub(mark, text)


def window(text: str, center: int, width: int) -> str:
    """About `width` characters of `text` around `center`, cut at word boundaries."""
    if len(text) <= width:
        return text
    start = max(0, min(center - width // 3, len(text) - width))
    end = min(len(text), start + width)
    if start > 0:
        start = text.find(" ", start) + 1 or start
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    return ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")
