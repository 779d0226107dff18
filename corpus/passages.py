"""Blocks → citable passages: one per paragraph, one per table row.

Paragraphs keep the number the document prints; where it prints none (Word
auto-numbering lost in export), paragraphs are numbered in order, which is how
the CWS documents cite themselves ("as referred to in paragraph 16 above").
A part break ("[Annex follows]") restarts numbering and prefixes the label, so
"Annex, para. 3" never collides with the body's para. 3.
"""

from __future__ import annotations

from corpus.entities import extract_entities
from corpus.model import DocumentMeta, LoadedDocument, Passage, Table

_CONTEXT_CHARS = 240


def passage_label(part: str | None, label: str) -> str:
    return f"{part}, {label}" if part else label


def citation(symbol_or_title: str, paragraph: str) -> str:
    """'CWS/12/25, para. 10' or 'CWS/12/25, Table 1, row 2'."""
    label = f"para. {paragraph}" if paragraph.isdigit() else paragraph
    return f"{symbol_or_title}, {label}"


def row_text(table: Table, row: tuple[str, ...]) -> str:
    """A row linearised as 'Column: value; Column: value' so BM25 and embeddings see the headers."""
    parts = []
    for index, cell in enumerate(row):
        header = table.header[index] if index < len(table.header) else ""
        cell = cell.strip()
        if not cell:
            continue
        parts.append(f"{header}: {cell}" if header and header != cell else cell)
    return "; ".join(parts)


class _Numbering:
    """Tracks paragraph numbers within the current part of a document."""

    def __init__(self) -> None:
        self.part: str | None = None
        self.counter = 0
        self.tables = 0

    def start_part(self, name: str) -> None:
        self.part, self.counter, self.tables = name or "Annex", 0, 0

    def next_paragraph(self, printed: str | None) -> str:
        if printed:
            if printed.isdigit():
                self.counter = int(printed)
            return passage_label(self.part, f"para. {printed}" if self.part else printed)
        self.counter += 1
        return passage_label(self.part, f"para. {self.counter}" if self.part else str(self.counter))


def _heading_path(headings: dict[int, str]) -> str:
    return " › ".join(headings[level] for level in sorted(headings))


def build_passages(meta: DocumentMeta, document: LoadedDocument) -> list[Passage]:
    """Split a loaded document into passages carrying heading, number and entities."""
    passages: list[Passage] = []
    numbering = _Numbering()
    headings: dict[int, str] = {}
    last_paragraph_text = ""

    def add(paragraph: str, text: str, kind: str = "paragraph", **extra: object) -> None:
        entity_text = f"{text} {extra.get('context', '')}"
        passages.append(
            Passage(
                passage_id=f"{meta.doc_id}#{len(passages) + 1}",
                doc_id=meta.doc_id,
                ordinal=len(passages) + 1,
                paragraph=paragraph,
                heading=_heading_path(headings),
                text=text,
                kind=kind,  # type: ignore[arg-type]
                entities=extract_entities(entity_text),
                **extra,  # type: ignore[arg-type]
            )
        )

    for block in document.blocks:
        if block.kind == "break":
            numbering.start_part(block.text)
            headings.clear()
        elif block.kind == "heading":
            level = max(1, block.level)
            for deeper in [lvl for lvl in headings if lvl >= level]:
                del headings[deeper]
            headings[level] = block.text.strip()
        elif block.kind == "paragraph" and block.text.strip():
            add(numbering.next_paragraph(block.number), block.text.strip())
            last_paragraph_text = block.text.strip()
        elif block.kind == "table" and block.table and block.table.rows:
            numbering.tables += 1
            lead_in = last_paragraph_text[-_CONTEXT_CHARS:]
            for index, row in enumerate(block.table.rows):
                text = row_text(block.table, row)
                if not text:
                    continue
                label = passage_label(numbering.part, f"Table {numbering.tables}, row {index + 1}")
                add(label, text, kind="table_row", table=block.table, row=index, context=lead_in)
    return passages
