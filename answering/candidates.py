"""Choosing the one or two sentences that answer a question, from the best passages.

Each sentence of the top passages (and the best cell of any table row among them)
is scored on meaning (cosine with the question), shared words and word pairs, the
rank of its passage, and whether it holds the kind of thing asked for (a date for
"when", a number for "how many", a definition for "what is"). A sentence that only
repeats the question, or only points elsewhere ("as referred to in paragraph 16
above"), scores low: it is not the answer, the paragraph it points to may be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from answering.tables import best_cell
from answering.sentences import split_sentences, stem, stems
from index.embedding import Embedder
from index.question import QUESTION_STOPWORDS, AnalysedQuestion
from index.search import Hit

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE = re.compile(rf"\b{_MONTH}\b|\b(?:19|20)\d\d\b")
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred"
)
_NUMBER = re.compile(rf"\b\d[\d,.]*\b|\b(?:{'|'.join(_NUMBER_WORDS.split())})(?:-\w+)?\b", re.I)
# "supported by the Japan Fund-in-Trust", "chaired by Mr. Michael Cristiano": the agent after "by".
_NAME = re.compile(r"\bby\s+(?:the\s+)?[A-Z][\w’'.-]+")
_YEAR = re.compile(r"(?:19|20)\d\d")
_IDENTIFIER = re.compile(r"\b[A-Z]+(?:[./][A-Z0-9]+)*[./]\d+(?:[./]\d+)*\b")
_POINTER = re.compile(r"\b(?:as )?(?:referred to|described|set out|proposed) in paragraphs? \d+", re.I)
_DEFINITION_QUESTION = re.compile(
    r"^\s*(?:what\s+(?:is|are|was|were)\b|what's\b|what\s+does\s+.+\s+(?:ask|mean|cover|concern|say|require)|"
    r"describe\b|explain\b|define\b)",
    re.I,
)
_FUNCTION_STEMS = {stem(w) for w in QUESTION_STOPWORDS}
SENTENCES_ENCODED = 6  # sentences whose own embedding is computed per question


@dataclass(frozen=True)
class Candidate:
    text: str
    hit: Hit
    score: float
    is_table_cell: bool = False


@dataclass(frozen=True)
class Wanted:
    """What an answer should contain: question stems with weights, and glossary phrases."""

    stems: dict[str, float]
    pairs: tuple[tuple[str, str], ...]
    stands_for: tuple[tuple[str, str], ...]

    @property
    def keys(self) -> set[str]:
        return set(self.stems)


def wanted_from(question: AnalysedQuestion) -> Wanted:
    weights: dict[str, float] = {}
    for word in question.words:
        for s in stems(word):
            if s not in _FUNCTION_STEMS:
                weights[s] = 1.5 if any(ch.isdigit() for ch in s) else 1.0
    pairs = tuple((stem(a), stem(b)) for a, b in question.phrases)
    return Wanted(weights, pairs, question.stands_for)


def expected_type(question: str) -> str | None:
    q = question.lower().strip()
    if q.startswith("when") or re.search(r"\b(?:what|which) (?:date|year|day|deadline)\b|\bthe (?:deadline|date)\b", q):
        return "date"
    if q.startswith("how many") or q.startswith("how much") or "number of" in q:
        return "number"
    if q.startswith("who") or q.startswith(("which office", "which organization", "which organisation")):
        return "name"
    if _DEFINITION_QUESTION.match(question):
        return "definition"
    return None


def _type_bonus(kind: str | None, text: str, question: AnalysedQuestion) -> float:
    if kind == "date":
        return 0.12 if _DATE.search(text) else 0.0
    if kind == "number":
        asked = set(_NUMBER.findall(question.text))
        # Years and numbers inside identifiers (C.CWS.182, CWS/12/25) are not counts.
        plain = _IDENTIFIER.sub(" ", text)
        counts = [n for n in _NUMBER.findall(plain) if n not in asked and not _YEAR.fullmatch(n)]
        return 0.12 if counts else 0.0
    if kind == "name":
        return 0.08 if _NAME.search(text) else 0.0
    if kind == "definition":
        names = [i for i in question.entities.all_ids() if not i.isdigit()] + _subject(question.text)
        subjects = "|".join(re.escape(n) for n in names)
        if subjects and re.search(
            rf"(?:{subjects})\s*:|(?:{subjects})\s+(?:is|are)\s+(?:a|an|the)\b|"
            rf"description of (?:{subjects})|\(as (?:Standard )?(?:{subjects})\)|\b(?:reads|as follows):",
            text,
            re.I,
        ):
            return 0.3  # for "what is X", the sentence that defines X beats any that merely mentions it
    return 0.0


def _subject(question: str) -> list[str]:
    """'What is Recommendation 10 about?' → ['Recommendation 10'] (the thing to define)."""
    match = re.match(
        r"^\s*(?:what|who)\s+(?:is|are|was|were|does|do)\s+(?:the\s+|a\s+|an\s+)?(.+?)"
        r"(?:\s+(?:about|for|ask for|mean|cover|concern|say|require))?\s*\??\s*$",
        question,
        re.I,
    )
    if not match:
        return []
    words = match.group(1).split()
    return [" ".join(words[-n:]) for n in (3, 2) if len(words) >= n] or ([words[0]] if words else [])


def _coverage(text: str, text_stems: list[str], wanted: Wanted) -> tuple[float, float]:
    """(share of the question's weight covered, share of its word pairs found adjacent)."""
    present = set(text_stems)
    total = sum(wanted.stems.values()) or 1.0
    covered = sum(w for s, w in wanted.stems.items() if s in present)
    lowered = text.lower()
    for expansion, word in wanted.stands_for:
        if expansion.lower() in lowered:
            covered += sum(wanted.stems.get(s, 0.0) for s in stems(word))
    bigrams = set(zip(text_stems, text_stems[1:]))
    pairs = sum(1 for p in wanted.pairs if p in bigrams) / len(wanted.pairs) if wanted.pairs else 0.0
    return min(1.0, covered / total), pairs


def _novelty(text_stems: list[str], wanted: Wanted) -> float:
    """Share of the sentence's content words that the question did not already contain."""
    content = {s for s in text_stems if s not in _FUNCTION_STEMS}
    return len(content - wanted.keys) / max(1, len(content))


def rank_candidates(
    question: AnalysedQuestion,
    hits: list[Hit],
    query_vector: np.ndarray,
    embedder: Embedder,
) -> list[Candidate]:
    """Every sentence (or table cell) of `hits`, best first."""
    wanted = wanted_from(question)
    kind = expected_type(question.text)
    items: list[tuple[str, Hit, int, float]] = []  # text, hit, rank, bonus for a precise table cell
    seen: set[str] = set()
    passage_coverage: dict[str, float] = {}
    for rank, hit in enumerate(hits):
        passage = hit.passage
        passage_coverage[passage.passage_id] = _coverage(passage.text, stems(passage.text), wanted)[0]
        if passage.kind == "table_row" and passage.table is not None:
            cell = best_cell(passage.table, wanted.keys, passage.table_row)
            texts = [(cell.text, 0.08 if cell.column is not None else 0.0)] if cell else []
        else:
            texts = [(sentence, 0.0) for sentence in split_sentences(passage.text)]
        for text, bonus in texts:
            if text not in seen:
                seen.add(text)
                items.append((text, hit, rank, bonus))
    if not items:
        return []

    def score(text: str, hit: Hit, rank: int, cell_bonus: float, meaning: float) -> float:
        text_stems = stems(text)
        coverage, pairs = _coverage(text, text_stems, wanted)
        value = (
            0.45 * meaning
            + 0.30 * coverage
            + 0.10 * passage_coverage[hit.passage.passage_id]
            + 0.15 * pairs
            + 0.08 / (1 + rank)
            + _type_bonus(kind, text, question)
            + cell_bonus
        )
        if _novelty(text_stems, wanted) < 0.4:
            value *= 0.6
        if _POINTER.search(text):
            value *= 0.75
        return value

    # First pass with the passage's cosine standing in for each sentence's meaning; only
    # the most promising sentences are then encoded (encoding is most of an answer's cost).
    rough = sorted(
        ((score(text, hit, rank, bonus, hit.cosine), i) for i, (text, hit, rank, bonus) in enumerate(items)),
        reverse=True,
    )
    shortlist = [items[i] for _, i in rough[:SENTENCES_ENCODED]]
    semantic = embedder.encode_cached([t[0] for t in shortlist]) @ query_vector
    candidates = []
    for (text, hit, rank, cell_bonus), cosine in zip(shortlist, semantic):
        # A short cell says little on its own; its row (the passage) carries the meaning.
        meaning = max(float(cosine), hit.cosine) if hit.passage.kind == "table_row" else float(cosine)
        candidates.append(Candidate(text, hit, score(text, hit, rank, cell_bonus, meaning), hit.passage.kind == "table_row"))
    candidates.sort(key=lambda c: -c.score)
    return candidates


def referenced_paragraphs(text: str) -> list[str]:
    """Paragraph numbers a sentence points to: 'as referred to in paragraph 16 above' → ['16']."""
    found: list[str] = []
    for match in re.finditer(r"paragraphs? (\d+)(?:\s*(?:and|to|,)\s*(\d+))?\s+(?:above|below)", text, re.I):
        found += [g for g in match.groups() if g]
    return found


def fit(text: str, wanted: set[str], max_chars: int) -> str:
    """Shorten `text` to `max_chars`, keeping the stretch that covers most question words."""
    text = re.sub(r"\s*\n\s*", " ", text).strip()
    if len(text) <= max_chars:
        return text
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    best: tuple[int, int, int] | None = None
    chosen = (0, 0)
    for i, (start, _) in enumerate(spans):
        budget = max_chars - (1 if start > 0 else 0) - 1
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - start <= budget:
            j += 1
        piece = text[start : spans[j][1]]
        key = (len(set(stems(piece)) & wanted), int(j == len(spans) - 1), -start)
        if best is None or key > best:
            best, chosen = key, (start, spans[j][1])
    start, end = chosen
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def compose_answer(candidates: list[Candidate], wanted: set[str], max_chars: int) -> tuple[str, Candidate]:
    """The best sentence, joined by its neighbour when both are short and from one passage."""
    best = candidates[0]
    text = best.text
    if not best.is_table_cell and len(text) < 110:
        passage_text = best.hit.passage.text
        for other in candidates[1:3]:
            if other.hit is best.hit and not other.is_table_cell and other.score > 0.8 * best.score:
                first, second = sorted([text, other.text], key=passage_text.find)
                if len(first) + len(second) + 1 <= max_chars:
                    text = f"{first} {second}"
                break
    return fit(text, wanted, max_chars), best
