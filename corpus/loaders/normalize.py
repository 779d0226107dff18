"""Line clean-up and layout heuristics shared by the loaders.

Word exports and PDF extraction leave the same artefacts (bookmark markers,
footnote references, non-breaking spaces, numbers glued to the previous word)
and pose the same question: is this short line a heading or part of a
paragraph? Answering both in one place keeps the formats consistent.
"""

from __future__ import annotations

import re

from corpus.model import Block

_BOOKMARK_RE = re.compile(r"\[bookmark:[^\]]*\]", re.IGNORECASE)
_NOTE_REF_RE = re.compile(r"\[(?:footnote|endnote)Ref:\s*\d+\]", re.IGNORECASE)
# Footnote text as exported by Word: "[2:  Such as the Global Identifier ...]"
_NOTE_TEXT_RE = re.compile(r"\s*\[(\d+):\s+([^\[\]]*?)\s*\]")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2007\u202f\u2009\u200a]+")
_ZERO_WIDTH_RE = re.compile(r"[\u200b\u200c\u200d\ufeff]")
# "July 26 and27, 2023" -> "July 26 and 27, 2023" (a Word export artefact)
_GLUED_NUMBER_RE = re.compile(r"\b(and|or|to|of|in|on|from)(\d)")

_BREAK_RE = re.compile(r"^\[\s*((?:annex|appendix)(?:\s+(?:[IVXLC]+|\d+|[A-Z]))?)\s+follows?\s*\]$", re.IGNORECASE)
_DROP_RE = re.compile(r"^\[\s*end\s+of\b[^\]]*\]$", re.IGNORECASE)

NUMBERED_RE = re.compile(r"^(\d{1,3})\.[ \t\u00a0]+(?=\S)(.*)$", re.DOTALL)
ENUMERATOR_RE = re.compile(
    r"^(?:\([a-z]{1,2}\)|\([A-Z]\)|[a-z]{1,2}\)|\(?[ivxlc]{1,5}[.)]|\(\d{1,2}\)|\d{1,2}\)|[a-z]\.)\s"
)
_BULLETS = "·•▪‣◦●○■□–—-*>"
_QUOTES = "“”\"'‘’«»„"
_TERMINAL = ".,;:!?…" + "”\"’'»"
CONNECTORS = frozenset(
    [
        "and",
        "or",
        "but",
        "nor",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "by",
        "from",
        "at",
        "as",
        "the",
        "a",
        "an",
        "that",
        "which",
        "who",
        "whose",
        "where",
        "when",
        "while",
        "including",
        "such",
        "than",
        "into",
        "via",
        "per",
        "is",
        "are",
        "was",
        "were",
        "be",
    ]
)
_SENTENCE_INSIDE_RE = re.compile(r"[a-z]{2,}[.;!?]\s+\S")


def strip_artefacts(line: str) -> str:
    """Remove Word bookmark/footnote markers; footnote text becomes "(Footnote: ...)".

    The footnote text is kept inline (rather than dropped) because it often
    names the very things users search for, e.g. the projects a
    recommendation refers to.
    """
    line = _BOOKMARK_RE.sub("", line)
    line = _NOTE_REF_RE.sub("", line)
    return _NOTE_TEXT_RE.sub(lambda m: f" (Footnote: {m.group(2)})", line)


def clean_line(line: str) -> str:
    """Normalise one line: artefacts, odd spaces, glued numbers, trimming."""
    line = _ZERO_WIDTH_RE.sub("", strip_artefacts(line))
    line = _SPACES_RE.sub(" ", line)
    return _GLUED_NUMBER_RE.sub(r"\1 \2", line).strip()


def clean_text(text: str) -> str:
    """`clean_line` for each line of a multi-line text, dropping empty lines."""
    return "\n".join(c for c in (clean_line(part) for part in text.split("\n")) if c)


def marker_block(line: str) -> Block | bool | None:
    """Classify a bracketed part marker.

    Returns a break Block for "[Annex I follows]", True for a marker to drop
    ("[End of document]"), and None for ordinary text.
    """
    text = line.strip()
    if m := _BREAK_RE.match(text):
        words = m.group(1).split()
        return Block(kind="break", text=" ".join([words[0].capitalize(), *words[1:]]))
    if _DROP_RE.match(text):
        return True
    return None


def split_number(text: str) -> tuple[str | None, str]:
    """Split a printed paragraph number: "12. The CWS ..." -> ("12", "The CWS ...")."""
    if m := NUMBERED_RE.match(text):
        return m.group(1), m.group(2).strip()
    return None, text


def starts_list_item(text: str) -> bool:
    """True for bullets, quotes and enumerators like "(a)", "a)", "iv." ."""
    return bool(text) and (text[0] in _BULLETS or text[0] in _QUOTES or bool(ENUMERATOR_RE.match(text)))


def upper_ratio(text: str) -> float:
    """Share of letters that are upper case (ALL-CAPS headings score near 1)."""
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def title_ratio(text: str) -> float:
    """Share of non-connector words that start with a capital or digit."""
    words = [w.strip("(),") for w in text.split()]
    words = [w for w in words if w and w.lower() not in CONNECTORS]
    if not words:
        return 0.0
    return sum(w[0].isupper() or w[0].isdigit() for w in words) / len(words)


def ends_open(text: str) -> bool:
    """True when a line clearly continues on the next one (":", ",", "and", ...)."""
    text = text.rstrip()
    if not text:
        return False
    if text[-1] in ":,;-(":
        return True
    return text.split()[-1].lower() in CONNECTORS


def looks_like_heading(text: str, *, strict: bool = False) -> bool:
    """Guess whether a stand-alone line is a heading.

    A heading is short, has no sentence-final punctuation, does not open with
    a bullet, quote, enumerator or lower-case connector, and does not end on a
    connector (which would mean the line was wrapped). `strict` (used where
    prose lines are easily confused with headings, e.g. PDF or hard-wrapped
    text) also demands ALL CAPS or mostly Capitalised Words.
    """
    text = text.strip()
    words = text.split()
    if not words or len(text) > 150 or len(words) > (12 if strict else 16):
        return False
    if text[-1] in _TERMINAL or text[0] == "(" or starts_list_item(text):
        return False
    if not any(c.isalpha() for c in text) or _SENTENCE_INSIDE_RE.search(text):
        return False
    first, last = words[0], words[-1].lower().strip(",")
    if (first[0].islower() and first in CONNECTORS) or last in CONNECTORS:
        return False
    if first[0].islower() and (len(words) > 8 or title_ratio(" ".join(words[1:])) < 0.5):
        return False
    if strict:
        return upper_ratio(text) >= 0.6 or title_ratio(text) >= 0.6
    return True


def heading_level(text: str) -> int:
    """ALL-CAPS headings are top level (1); mixed-case ones are level 2."""
    return 1 if upper_ratio(text) >= 0.6 else 2


def normalize_levels(blocks: list[Block]) -> list[Block]:
    """Promote level-2 headings to 1 in parts (between breaks) with no level-1 heading.

    Why: a document whose headings are all mixed case should not look like
    it is missing its top level.
    """
    out: list[Block] = []
    part: list[Block] = []

    def flush() -> None:
        has_top = any(b.kind == "heading" and b.level == 1 for b in part)
        for b in part:
            if b.kind == "heading" and not has_top and b.level == 2:
                b = Block(kind="heading", text=b.text, level=1)
            out.append(b)
        part.clear()

    for block in blocks:
        if block.kind == "break":
            flush()
            out.append(block)
        else:
            part.append(block)
    flush()
    return out
