"""Keyword index: Whoosh's analysis, BM25 ranking with bm25s, Whoosh's spelling automata.

Each field (heading, body, word pairs, identifiers) is a bm25s index whose BM25 scores
are precomputed into a sparse matrix, so ranking a question is a few numpy column sums:
about 2 ms at 100,000 passages where Whoosh's pure-Python BM25F took 84 ms (p50) and
195 ms (p95); BENCHMARKS.md has the measurement. The fields are scored separately and
added with boosts, which is what Whoosh's BM25F did for a multi-field query.

Identifiers ("CWS/12/25", "C.CWS.182", "ST.92", "Task No. 58") go to an exact-match `ids`
field in one normalised spelling, so any way a user writes them hits.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from whoosh.spelling import ListCorrector

from corpus.entities import id_tokens
from corpus.model import DocumentMeta, Passage
from index.analysis import pair_tokens, pairs_of, stem, stems_of, words_of

if (
    TYPE_CHECKING
):  # bm25s brings scipy.sparse (0.2 s): imported where an index is written or loaded, not by `cws status`
    import bm25s

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

SCHEMA_VERSION = "3"
KEYWORD_DIR = "keyword"
WORDS_FILE = "words.json"
COUNT_FILE = "passages.json"
# A match in the heading (document title, section heading, a table's lead-in) says more
# than one in the body; an exact identifier or two words standing together say more still.
FIELD_BOOSTS = {"heading": 1.2, "body": 1.0, "pairs": 1.5, "ids": 2.5}
BM25_K1 = 1.2  # Whoosh's and Lucene's default; bm25s defaults to 1.5
BM25_B = 0.75
SPELLING_MIN_LENGTH = 3


@dataclass(frozen=True)
class PassageTerms:
    """What one passage contributes to each field, and to the spelling vocabulary."""

    heading: list[str]
    body: list[str]
    pairs: list[str]
    ids: list[str]
    words: set[str]


def passage_terms(passage: Passage, meta: DocumentMeta) -> PassageTerms:
    heading_words = words_of(f"{meta.title}\n{passage.heading}\n{passage.context}")
    body_words = words_of(passage.text)
    heading = [stem(w) for w in heading_words]
    body = [stem(w) for w in body_words]
    ids = id_tokens(passage.entities) + ([meta.symbol] if meta.symbol else [])
    return PassageTerms(
        heading=heading,
        body=body,
        pairs=list(dict.fromkeys(pairs_of(body))),
        ids=list(dict.fromkeys(i.lower() for i in ids)),
        words={w for w in heading_words + body_words if len(w) >= SPELLING_MIN_LENGTH},
    )


def write_index(directory: Path, terms: Iterable[PassageTerms], tick: Callable[[int], None] = lambda _n: None) -> None:
    """Write the fields' BM25 matrices and the spelling vocabulary for passages in row order."""
    directory.mkdir(parents=True, exist_ok=True)
    fields: dict[str, list[list[str]]] = {name: [] for name in FIELD_BOOSTS}
    spelling: Counter[str] = Counter()
    count = 0
    for item in terms:
        for name, tokens in fields.items():
            tokens.append(getattr(item, name))
        spelling.update(item.words)
        count += 1
        tick(1)
    import bm25s

    for name, corpus in fields.items():
        if any(corpus):  # bm25s cannot index a field no passage has a token in
            retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B)
            retriever.index(corpus, show_progress=False)
            _use_whoosh_idf(retriever)
            retriever.save(str(directory / name))
    (directory / WORDS_FILE).write_text(json.dumps(dict(sorted(spelling.items()))), encoding="utf-8")
    (directory / COUNT_FILE).write_text(json.dumps({"passages": count}), encoding="utf-8")


def _use_whoosh_idf(retriever: bm25s.BM25) -> None:
    """Rescale each term's precomputed scores from Lucene's IDF to Whoosh's, log(N/(df+1)) + 1.

    Whoosh's flatter IDF leaves common words more say, and measured better once fused with
    the vector ranking (dev set recall@1 11/16 against 10/16, paraphrase set 11/12 against
    9/12), so the move to bm25s changes the speed, not the ranking.
    """
    indptr = retriever.scores["indptr"]
    n = float(retriever.scores["num_docs"])
    df = np.diff(indptr).astype(np.float64)
    present = df > 0
    lucene = np.ones_like(df)
    lucene[present] = np.log(1 + (n - df[present] + 0.5) / (df[present] + 0.5))
    whoosh = np.log(n / (df + 1)) + 1
    factor = np.where(present, whoosh / lucene, 1.0).astype(retriever.scores["data"].dtype)
    retriever.scores["data"] = retriever.scores["data"] * np.repeat(factor, df.astype(np.int64))


@dataclass(frozen=True)
class KeywordQuery:
    """What the question contributes to BM25: analysed words plus exact identifiers."""

    words: tuple[str, ...]
    expansions: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    phrases: tuple[tuple[str, str], ...] = ()  # adjacent question words, e.g. ("sunset", "period")

    def field_tokens(self) -> dict[str, list[str]]:
        """Tokens to look up in each field (the question's words, single-word expansions)."""
        words = {s for w in self.words for s in stems_of(w)}
        words.update(s for phrase in self.expansion_stems() if len(phrase) == 1 for s in phrase)
        return {
            "heading": sorted(words),
            "body": sorted(words),
            "pairs": sorted({p for pair in self.phrases for p in pair_tokens(pair)}),
            "ids": sorted({i.lower() for i in self.ids}),
        }

    def expansion_stems(self) -> list[list[str]]:
        return [stems for stems in (stems_of(e) for e in self.expansions) if stems]


class _FrequencyCorrector(ListCorrector):
    """Whoosh's automaton search over a sorted word list; nearer words first, then commoner."""

    def __init__(self, counts: dict[str, int]) -> None:
        super().__init__(sorted(counts))
        self.counts = counts

    def _suggestions(self, text: str, maxdist: int, prefix: int):
        for score, word in super()._suggestions(text, maxdist, prefix):
            yield score - 0.5 / self.counts[word], word


class KeywordIndex:
    """One build's keyword fields, loaded into memory; read-only, so safe to share between threads."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        import bm25s

        self.passage_count = int(json.loads((directory / COUNT_FILE).read_text(encoding="utf-8"))["passages"])
        self.fields: dict[str, bm25s.BM25] = {
            name: bm25s.BM25.load(str(directory / name), show_progress=False)
            for name in FIELD_BOOSTS
            if (directory / name).is_dir()
        }
        self.word_counts: dict[str, int] = json.loads((directory / WORDS_FILE).read_text(encoding="utf-8"))
        self._corrector: _FrequencyCorrector | None = None

    def scores(self, query: KeywordQuery) -> np.ndarray:
        """Boosted BM25 score of every passage, in row order."""
        total = np.zeros(self.passage_count, dtype=np.float32)
        for name, tokens in query.field_tokens().items():
            total += self._field_scores(name, tokens)
        for stems in query.expansion_stems():
            if len(stems) > 1:
                self._add_phrase(total, stems)
        return total

    def _field_scores(self, name: str, tokens: Sequence[str]) -> np.ndarray | float:
        retriever = self.fields.get(name)
        if retriever is None:
            return 0.0
        token_ids = [retriever.vocab_dict[t] for t in tokens if t in retriever.vocab_dict]
        return FIELD_BOOSTS[name] * retriever.get_scores_from_ids(token_ids) if token_ids else 0.0

    def _add_phrase(self, total: np.ndarray, stems: list[str]) -> None:
        """A glossary expansion counts only as the whole phrase ("Digital Access Service", not
        every passage that says "service"): its words score where all its word pairs occur."""
        pairs = self.fields.get("pairs")
        if pairs is None or any(p not in pairs.vocab_dict for p in pairs_of(stems)):
            return
        indptr, indices = pairs.scores["indptr"], pairs.scores["indices"]
        rows: np.ndarray | None = None
        for pair in pairs_of(stems):
            t = pairs.vocab_dict[pair]
            holding = indices[indptr[t] : indptr[t + 1]]
            rows = holding if rows is None else np.intersect1d(rows, holding, assume_unique=True)
        if rows is not None and rows.size:
            phrase = self._field_scores("heading", stems) + self._field_scores("body", stems)
            total[rows] += np.asarray(phrase)[rows]

    def search(self, query: KeywordQuery, limit: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, score) of the best matching passages (only `rows`, if given), best first."""
        scores = self.scores(query)
        if rows is not None:
            scores = scores[rows]
        matching = np.flatnonzero(scores > 0)
        if matching.size > limit:
            matching = matching[np.argpartition(-scores[matching], limit - 1)[:limit]]
        ranked = matching[np.lexsort((matching, -scores[matching]))]
        ids = rows[ranked] if rows is not None else ranked
        return [(int(i), float(scores[j])) for i, j in zip(ids, ranked)]

    def document_frequency(self, stem: str) -> int:
        """How many passages hold `stem` in their body or heading (for a word's rarity)."""
        frequency = 0
        for name in ("body", "heading"):
            retriever = self.fields.get(name)
            if retriever is not None and stem in retriever.vocab_dict:
                t = retriever.vocab_dict[stem]
                indptr = retriever.scores["indptr"]
                frequency = max(frequency, int(indptr[t + 1] - indptr[t]))
        return frequency

    def idf(self, stem: str) -> float:
        """Whoosh's IDF, log(N / (df + 1)) + 1: rare words say more about what is asked."""
        return float(np.log(max(1, self.passage_count) / (self.document_frequency(stem) + 1)) + 1)

    def has_word(self, word: str) -> bool:
        return word.lower() in self.word_counts

    def suggest_spelling(
        self, words: Sequence[str], is_word: Callable[[str], bool] = lambda _w: False
    ) -> dict[str, str]:
        """Misspelled word → best known word, for words in no passage and not real words
        (`is_word`, e.g. an English dictionary): "leads" or "introduce" are not corrected into
        a corpus word, and names, identifiers and capitalised words are never touched."""
        out: dict[str, str] = {}
        for word in words:
            lowered = word.lower()
            if len(lowered) < 4 or not word.isalpha() or not word.islower() or lowered in self.word_counts:
                continue
            if is_word(lowered):
                continue
            if self._corrector is None:  # built on first need: sorting the vocabulary costs a little
                self._corrector = _FrequencyCorrector(self.word_counts)
            # One edit for short words, two for long ones: "twelth" → "twelfth", not "bake" → "name".
            suggestions = self._corrector.suggest(lowered, limit=1, maxdist=1 if len(lowered) <= 6 else 2)
            if suggestions and suggestions[0] != lowered:
                out[word] = suggestions[0]
        return out
