"""Hybrid retrieval: BM25 and exact cosine, fused by reciprocal rank, over the live build."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from index.embedding import Embedder
from index.errors import ModelMismatch
from index.filters import Filters
from index.fusion import reciprocal_rank_fusion
from index.question import AnalysedQuestion
from index.store import StoredPassage
from index.version import IndexVersion


@dataclass(frozen=True)
class Hit:
    passage: StoredPassage
    score: float  # fused RRF score
    cosine: float
    keyword_rank: int | None
    vector_rank: int | None


@dataclass
class SearchResult:
    hits: list[Hit]
    query_vector: np.ndarray
    version: IndexVersion
    timings: dict[str, float] = field(default_factory=dict)
    started: float = 0.0  # perf_counter when the search began


def top_k_cosine(
    vectors: np.ndarray, query: np.ndarray, k: int, rows: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """Exact cosine top-k over L2-normalised rows (optionally only `rows`), best first."""
    if rows is not None:
        if rows.size == 0:
            return []
        scores = vectors[rows] @ query
    else:
        scores = vectors @ query
    k = min(k, scores.shape[0])
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    ids = rows[top] if rows is not None else top
    return [(int(i), float(scores[j])) for i, j in zip(ids, top)]


class HybridSearcher:
    """Composes the keyword and the dense searcher (as pyserini's hybrid searcher does)."""

    def __init__(
        self, embedder: Embedder, keyword_candidates: int = 50, vector_candidates: int = 50, rrf_k: int = 60
    ) -> None:
        self.embedder = embedder
        self.keyword_candidates = keyword_candidates
        self.vector_candidates = vector_candidates
        self.rrf_k = rrf_k

    def search(
        self,
        version: IndexVersion,
        question: AnalysedQuestion,
        limit: int,
        filters: Filters = Filters(),
        mode: str = "hybrid",
    ) -> SearchResult:
        """`mode` is hybrid, keyword or vector (the latter two for evaluation)."""
        if version.model != self.embedder.name or version.dimension != self.embedder.dimension:
            raise ModelMismatch(
                f"the live index was embedded with {version.model} ({version.dimension} dimensions) but "
                f"the configured model is {self.embedder.name}; run 'cws index --full'"
            )
        timings: dict[str, float] = {}
        clock = started = time.perf_counter()
        query_vector = self.embedder.encode_one(question.text)
        timings["encode"] = time.perf_counter() - clock

        clock = time.perf_counter()
        rows = filters.rows(version.store)
        keyword_ids: list[str] = []
        if mode != "vector":
            keyword_hits = version.keyword.search(question.keyword_query(), self.keyword_candidates, rows)
            keyword_ids = [version.passage_ids[row] for row, _ in keyword_hits]
        timings["keyword"] = time.perf_counter() - clock

        clock = time.perf_counter()
        vector_hits = (
            [] if mode == "keyword" else top_k_cosine(version.vectors, query_vector, self.vector_candidates, rows)
        )
        vector_ids = [version.passage_ids[row] for row, _ in vector_hits]
        timings["vector"] = time.perf_counter() - clock

        clock = time.perf_counter()
        fused = reciprocal_rank_fusion([keyword_ids, vector_ids], k=self.rrf_k, limit=limit)
        timings["fusion"] = time.perf_counter() - clock

        clock = time.perf_counter()
        rows_wanted = [version.row_of[pid] for pid, _ in fused]
        passages = version.store.fetch(rows_wanted)
        keyword_rank = {pid: i + 1 for i, pid in enumerate(keyword_ids)}
        vector_rank = {pid: i + 1 for i, pid in enumerate(vector_ids)}
        cosines = version.vectors[rows_wanted] @ query_vector if rows_wanted else np.zeros(0)
        hits = [
            Hit(p, score, float(cos), keyword_rank.get(p.passage_id), vector_rank.get(p.passage_id))
            for p, (_, score), cos in zip(passages, fused, cosines)
        ]
        timings["fetch"] = time.perf_counter() - clock
        return SearchResult(hits, query_vector, version, timings, started)


def referenced_hits(version: IndexVersion, hit: Hit, paragraphs: list[str], query_vector: np.ndarray) -> list[Hit]:
    """The paragraphs of `hit`'s document that it points to ("as referred to in paragraph 16
    above"), as hits ranked like `hit`, with their own cosine to the question."""
    hits = []
    for number in paragraphs:
        passage = version.store.find_paragraph(hit.passage.doc_id, number)
        if passage is not None and passage.passage_id != hit.passage.passage_id:
            cosine = float(version.vectors[passage.row] @ query_vector)
            hits.append(Hit(passage, hit.score, cosine, None, None))
    return hits
