"""Choosing the one or two sentences that answer a question, from the best passages.

Each sentence of the top passages (and the best cell of any table row among them)
is scored on meaning (cosine with the question), shared words, the rank of its
passage and whether it holds the kind of thing asked for (a date for "when", a
number for "how many"). A sentence that only repeats the question scores low:
"approve the proposed new description of Task No. 58" is not its answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from cws.tables import best_cell
from cws.text import split_sentences, stems
from index.embedding import Embedder
from index.question import AnalysedQuestion
from index.search import Hit

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE = re.compile(rf"\b{_MONTH}\b|\b(?:19|20)\d\d\b")
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred"
)
_NUMBER = re.compile(rf"\b\d[\d,.]*\b|\b(?:{'|'.join(_NUMBER_WORDS.split())})(?:-\w+)?\b", re.I)
_NAME = re.compile(r"\b(?:by|of|from)\s+(?:the\s+)?[A-Z][\w’'-]+(?:\s+[A-Z(][\w’'()-]+)*")


@dataclass(frozen=True)
class Candidate:
    text: str
    hit: Hit
    score: float
    is_table_cell: bool = False


def _expected_type(question: str) -> str | None:
    q = question.lower().strip()
    if q.startswith("when") or "what date" in q or "which date" in q or "what year" in q:
        return "date"
    if q.startswith("how many") or q.startswith("how much") or "number of" in q:
        return "number"
    if q.startswith("who") or q.startswith("which office") or q.startswith("which organization"):
        return "name"
    return None


def _type_bonus(kind: str | None, text: str, question: str) -> float:
    if kind == "date":
        return 0.12 if _DATE.search(text) else 0.0
    if kind == "number":
        asked = set(_NUMBER.findall(question))
        return 0.12 if any(n not in asked for n in _NUMBER.findall(text)) else 0.0
    if kind == "name":
        return 0.08 if _NAME.search(text) else 0.0
    return 0.0


def _lexical(text_stems: set[str], wanted: set[str]) -> float:
    return len(text_stems & wanted) / max(1, len(wanted))


def _novelty(text_stems: set[str], wanted: set[str]) -> float:
    """Share of the sentence's words that the question did not already contain."""
    return len(text_stems - wanted) / max(1, len(text_stems))


def question_stems(question: AnalysedQuestion) -> set[str]:
    return {s for w in question.words for s in stems(w)} | {i.lower() for i in question.entities.all_ids()}


def rank_candidates(
    question: AnalysedQuestion,
    hits: list[Hit],
    query_vector: np.ndarray,
    embedder: Embedder,
) -> list[Candidate]:
    """Every sentence (or table cell) of `hits`, best first."""
    wanted = question_stems(question)
    kind = _expected_type(question.text)
    texts: list[tuple[str, Hit, int, bool, float]] = []
    for rank, hit in enumerate(hits):
        passage = hit.passage
        if passage.kind == "table_row" and passage.table is not None:
            cell = best_cell(passage.table, wanted, passage.table_row)
            if cell is not None:
                texts.append((cell.text, hit, rank, True, cell.matched))
            continue
        for sentence in split_sentences(passage.text):
            texts.append((sentence, hit, rank, False, 0.0))
    if not texts:
        return []
    vectors = embedder.encode([t[0] for t in texts])
    semantic = vectors @ query_vector
    candidates = []
    for (text, hit, rank, is_cell, matched), cosine in zip(texts, semantic):
        text_stems = set(stems(text))
        lexical = max(matched, _lexical(text_stems, wanted)) if is_cell else _lexical(text_stems, wanted)
        score = 0.45 * float(cosine) + 0.35 * lexical + 0.12 / (1 + rank) + _type_bonus(kind, text, question.text)
        if _novelty(text_stems, wanted) < 0.35:
            score *= 0.6
        candidates.append(Candidate(text, hit, score, is_cell))
    candidates.sort(key=lambda c: -c.score)
    return candidates


def fit(text: str, wanted: set[str], max_chars: int) -> str:
    """Shorten `text` to `max_chars`, keeping the stretch that covers most question words."""
    text = re.sub(r"\s*\n\s*", " ", text).strip()
    if len(text) <= max_chars:
        return text
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    best: tuple[int, int, int, int] | None = None  # (covered, ends_sentence, -start, start index)
    for i, (start, _) in enumerate(spans):
        budget = max_chars - (1 if start > 0 else 0) - 1
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - start <= budget:
            j += 1
        piece = text[start : spans[j][1]]
        key = (len(set(stems(piece)) & wanted), int(j == len(spans) - 1), -start, i)
        if best is None or key > best:
            best = key
            chosen = (start, spans[j][1])
    start, end = chosen
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def compose_answer(candidates: list[Candidate], wanted: set[str], max_chars: int) -> tuple[str, Candidate]:
    """The best sentence, joined by its neighbour when both are short and from one passage."""
    best = candidates[0]
    text = best.text
    if not best.is_table_cell and len(text) < 110:
        for other in candidates[1:3]:
            if other.hit is best.hit and not other.is_table_cell and other.score > 0.8 * best.score:
                joined = f"{text} {other.text}" if best.hit.passage.text.find(text) < best.hit.passage.text.find(other.text) else f"{other.text} {text}"
                if len(joined) <= max_chars:
                    text = joined
                break
    return fit(text, wanted, max_chars), best
