"""The pieces of the best passages that can each be an answer on their own.

A paragraph gives its sentences and the items of its lists (a bullet names one country's
training; a lettered item one recommended action). A table row gives every cell, and a
long cell its lettered items and sentences, each labelled with its row and column
("Recommendation 3 — Recommended Actions: (a) ..."), so a question about the actions of
Recommendation 3 can be answered with the action, not the recommendation. Each unit keeps
its context (heading, lead-in, row label, column header, the passage around it), whose
words count for it at a discount: "twelfth session" in a paragraph's first sentence
situates every later sentence of that paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from answering.sentences import split_sentences
from index.search import Hit

# A new item starts at a bullet or at "(a)", "a)", "b.", "i.", "iv)" at the start of a line.
_ITEM_START = re.compile(r"\n(?=\s*(?:[·•▪‣◦\-–]\s|\(?[a-z]\)\s|\(?[ivx]{1,4}[.)]\s|[a-z]\.\s|\d{1,2}[.)]\s))")
_SUB_ITEM = re.compile(r"^\s*\(?[ivx]{1,4}[.)]\s")
LONG_CELL = 160  # characters; a longer cell is split into its items and sentences


@dataclass(frozen=True)
class Unit:
    """One candidate answer: `text` as shown, `body` its own words, `context` the words around it."""

    text: str
    body: str
    context: str
    hit: Hit
    rank: int  # rank of the passage among the hits
    position: int  # order within the passage
    kind: str  # "sentence", "item" or "cell"
    column: str = ""  # for a table cell: its column header
    value: str = ""  # for a table cell: the cell's own text, without its row label and column header

    @property
    def passage_id(self) -> str:
        return self.hit.passage.passage_id


def _items(text: str) -> list[str]:
    """A text cut into its list items (sub-items such as "i." stay with their item)."""
    pieces: list[str] = []
    for piece in _ITEM_START.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if (pieces and _SUB_ITEM.match(piece) and not _SUB_ITEM.match(pieces[-1])) or (
            pieces and _SUB_ITEM.match(piece) and _SUB_ITEM.match(pieces[-1].split("\n")[-1])
        ):
            pieces[-1] = f"{pieces[-1]}\n{piece}"
        else:
            pieces.append(piece)
    return pieces


_CITATION = re.compile(r"^\(?(?:see|cf\.?|as referred to)\b[^()]{0,120}\)?\.?\)?$", re.I)


def _sentences(text: str) -> list[str]:
    """Sentences, with a citation that follows one ("(See paragraph 105 of document
    CWS/9/25).") kept with it: the decision and the document that records it are one fact."""
    out: list[str] = []
    for sentence in split_sentences(text):
        if out and _CITATION.match(sentence.strip()):
            out[-1] = f"{out[-1]} {sentence.strip()}"
        else:
            out.append(sentence)
    return out


def _pieces(text: str) -> list[tuple[str, str]]:
    """(text, kind): the sentences of a paragraph's lead-in, then each list item whole
    (a very long item is cut into its sentences)."""
    out: list[tuple[str, str]] = []
    for number, block in enumerate(_items(text)):
        if number == 0:
            out += [(s, "sentence") for s in _sentences(block)]
        else:
            out += [(s, "item") for s in (_sentences(block) if len(block) > 2 * LONG_CELL else [block])]
    return [(t, k) for t, k in out if t.strip()]


def _label(cell: str) -> str:
    """A row's label as an answer prefix: its first line, without a trailing colon."""
    first = cell.strip().split("\n")[0].strip()
    return first.rstrip(":").strip() if len(first) <= 80 else first[:77].rsplit(" ", 1)[0] + "…"


def _table_units(hit: Hit, rank: int, situation: str) -> list[Unit]:
    passage = hit.passage
    table = passage.table
    assert table is not None and passage.table_row is not None
    row = table.rows[passage.table_row]
    label = _label(row[0]) if row else ""
    units: list[Unit] = []
    for column, cell in enumerate(row):
        cell = cell.strip()
        if not cell:
            continue
        header = table.header[column] if column < len(table.header) else ""
        # A short first row often explains the format of every row ("Unique visitors: 701
        # (page views: 2,817)"), so it situates every cell of its column.
        legend = table.rows[0][column] if column < len(table.rows[0]) and len(" ".join(table.rows[0])) < 200 else ""
        context = f"{situation}\n{row[0]}\n{header}\n{legend}"
        if column == 0:
            units.append(Unit(cell, cell, context, hit, rank, len(units), "cell", header, cell))
            continue
        long = len(cell) > LONG_CELL or "\n" in cell
        parts = [p for item in _items(cell) for p in (_sentences(item) if len(item) > 2 * LONG_CELL else [item])]
        for part in parts if long else [cell]:
            shown = f"{label} — {header}: {part}" if header and header != part else f"{label}: {part}"
            # The row label and the column header are part of what a cell says.
            units.append(Unit(shown, shown, context, hit, rank, len(units), "cell", header, part))
    return units


def units_of(hits: list[Hit]) -> list[Unit]:
    """Every unit of `hits`, in rank order, each text once (documents repeat each other)."""
    units: list[Unit] = []
    seen: set[str] = set()
    for rank, hit in enumerate(hits):
        passage = hit.passage
        situation = "\n".join(p for p in (passage.title, passage.heading, passage.context) if p)
        if passage.kind == "table_row" and passage.table is not None and passage.table_row is not None:
            found = _table_units(hit, rank, situation)
        else:
            # A sentence is situated by the sentences around it; a list item by the lead-in
            # above the list. Neither by list items, which name other countries, offices, ...
            lead_in = _items(passage.text)[0]
            found = [
                Unit(text, text, f"{situation}\n{lead_in}", hit, rank, position, kind)
                for position, (text, kind) in enumerate(_pieces(passage.text))
            ]
        for unit in found:
            key = " ".join(unit.text.split()).lower()
            if key not in seen:
                seen.add(key)
                units.append(unit)
    return units


def neighbours(unit: Unit, units: list[Unit]) -> tuple[Unit | None, Unit | None]:
    """The units just before and after `unit` in its passage."""
    same = [u for u in units if u.passage_id == unit.passage_id]
    before = max((u for u in same if u.position < unit.position), key=lambda u: u.position, default=None)
    after = min((u for u in same if u.position > unit.position), key=lambda u: u.position, default=None)
    return before, after
