"""Answers from a rebuilt table: pick the row and the column the question names."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.model import Table
from answering.sentences import stems


@dataclass(frozen=True)
class CellAnswer:
    row: int
    column: int | None
    text: str  # "Patent Information — 2023 activities: 22"
    matched: float  # how much of the question the row and column labels cover, 0..1


def _overlap(label: str, wanted: set[str]) -> set[str]:
    return set(stems(label)) & wanted


def best_cell(table: Table, question_stems: set[str], hint_row: int | None = None) -> CellAnswer | None:
    """The cell whose row label and column header share most words with the question."""
    if not table.rows or not question_stems:
        return None
    row_scores = []
    for index, row in enumerate(table.rows):
        label = row[0] if row else ""
        row_scores.append((len(_overlap(label, question_stems)), index == hint_row, -index, index))
    _, _, _, row_index = max(row_scores)
    row = table.rows[row_index]
    row_hits = _overlap(row[0] if row else "", question_stems)
    columns = [(len(_overlap(h, question_stems - row_hits)), -i, i) for i, h in enumerate(table.header) if i > 0]
    column: int | None = None
    if columns:
        score, _, candidate = max(columns)
        if score > 0 and candidate < len(row) and row[candidate].strip():
            column = candidate
    covered = row_hits | (_overlap(table.header[column], question_stems) if column is not None else set())
    if column is not None:
        text = f"{row[0]} — {table.header[column]}: {row[column]}"
    else:
        pairs = [f"{h} {c}" for h, c in zip(table.header[1:], row[1:]) if c.strip()]
        text = row[0] if len(row[0]) > 60 or not pairs else f"{row[0]}: " + "; ".join(pairs)
    return CellAnswer(row_index, column, text, len(covered) / max(1, len(question_stems)))
