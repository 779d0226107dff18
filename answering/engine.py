"""The one function that answers a question, for every front end (CLI, Slack, jobs)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from config.settings import Settings
from corpus.passages import citation
from answering.candidates import Candidate, compose_answer, rank_candidates, referenced_paragraphs, wanted_from
from answering.sentences import highlight, window
from index.embedding import Embedder, get_embedder
from index.question import analyse
from index.filters import Filters
from index.search import Hit, HybridSearcher, referenced_hits
from index.version import LiveIndex

log = logging.getLogger(__name__)

NOTHING_FOUND = (
    "I could not find anything relevant to that in the CWS documents I know. "
    "Try naming a standard (ST.26), a task (Task No. 24), a session (CWS/12) or a document symbol."
)
SNIPPET_CHARS = 280


@dataclass(frozen=True)
class Source:
    doc_id: str
    title: str
    symbol: str | None
    paragraph: str
    citation: str  # "CWS/12/25, para. 10"
    text: str  # the passage, plain
    snippet: str  # part of the passage with the question's words in **bold**
    score: float
    url: str | None


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    found: bool
    sources: list[Source]
    did_you_mean: str | None = None
    index_version: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "found": self.found,
            "did_you_mean": self.did_you_mean,
            "sources": [
                {k: v for k, v in asdict(s).items() if k in {"doc_id", "title", "symbol", "paragraph", "text", "score", "url", "snippet", "citation"}}
                for s in self.sources
            ],
        }


def _source(hit: Hit, wanted: set[str], focus: str) -> Source:
    text = hit.passage.text
    at = text.find(focus) if focus else -1
    snippet = highlight(window(text, max(at, 0), SNIPPET_CHARS), wanted)
    p = hit.passage
    return Source(p.doc_id, p.title, p.symbol, p.paragraph, citation(p.cited_as, p.paragraph), text, snippet, round(hit.score, 6), p.url)


class AnswerEngine:
    """Holds what answering needs across questions: settings, the live index, the model."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        providers: Sequence[Callable[[str], "Answer | None"]] = (),
    ) -> None:
        self.settings = settings
        self.live = LiveIndex(settings.index_root)
        self._embedder = embedder
        # Structured sources consulted before the index (ATR submissions): each returns an
        # Answer for questions it owns, None for the rest.
        self.providers = list(providers)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            m = self.settings.model
            self._embedder = get_embedder(m.name, m.path, m.batch_size)
        return self._embedder

    def searcher(self) -> HybridSearcher:
        s = self.settings.search
        return HybridSearcher(self.embedder, s.keyword_candidates, s.vector_candidates, s.rrf_k)

    def ask(self, question: str, filters: dict | None = None, mode: str = "hybrid") -> Answer:
        """Answer `question` from the live index: short answer text plus cited sources."""
        started = time.perf_counter()
        question = " ".join(question.split())
        if not question:
            return Answer(question, "Please ask a question.", False, [])
        clean_filters = Filters.parse(filters)
        if not clean_filters and mode == "hybrid":
            for provider in self.providers:
                provided = provider(question)
                if provided is not None:
                    return provided
        version = self.live.current()
        clock = time.perf_counter()
        analysed = analyse(question)
        misspelled = version.keyword.suggest_spelling(analysed.words)
        did_you_mean = None
        if misspelled:
            # Search for what the user meant; the answer says which spelling was used.
            did_you_mean = question
            for wrong, right in misspelled.items():
                did_you_mean = re.sub(rf"\b{re.escape(wrong)}\b", right, did_you_mean)
            analysed = analyse(did_you_mean)
        config = self.settings
        limit = max(config.search.top_k, config.answer.passages_considered)
        result = self.searcher().search(version, analysed, limit, clean_filters, mode)
        wanted = wanted_from(analysed).keys
        timings = {"analysis": result.started - clock, **result.timings}

        clock = time.perf_counter()
        considered = result.hits[: config.answer.passages_considered]
        if not self._relevant(result.hits, analysed, wanted):
            timings["answer"] = time.perf_counter() - clock
            timings["total"] = time.perf_counter() - started
            log.info("no relevant passage for %r (best cosine %.2f)", question, max((h.cosine for h in result.hits), default=0))
            return Answer(question, NOTHING_FOUND, False, [], did_you_mean, version.name, timings)
        candidates = rank_candidates(analysed, considered, result.query_vector, self.embedder)
        pointed = (
            referenced_hits(version, candidates[0].hit, referenced_paragraphs(candidates[0].text), result.query_vector)
            if candidates
            else []
        )
        if pointed:
            candidates = rank_candidates(analysed, considered + pointed, result.query_vector, self.embedder)
        text, best = compose_answer(candidates, wanted, config.answer.max_chars)
        supporting = [h for h in result.hits if h is not best.hit and self._supports(h)]
        ordered = [best.hit] + supporting
        sources = [_source(h, wanted, best.text if h is best.hit else "") for h in ordered[: config.search.top_k]]
        timings["answer"] = time.perf_counter() - clock
        timings["total"] = time.perf_counter() - started
        return Answer(question, text, True, sources, did_you_mean, version.name, timings)

    def _supports(self, hit: Hit) -> bool:
        """A source worth showing: a strong keyword match or close in meaning, not fusion filler."""
        return (hit.keyword_rank is not None and hit.keyword_rank <= 10) or hit.cosine >= self.settings.answer.min_similarity

    def retrieve(self, question: str, mode: str = "hybrid", limit: int = 5) -> list[str]:
        """Passage texts in retrieval order, before answer selection (for evaluation)."""
        result = self.searcher().search(self.live.current(), analyse(" ".join(question.split())), limit, Filters(), mode)
        return [h.passage.text for h in result.hits]

    def _relevant(self, hits: list[Hit], analysed, wanted: set[str]) -> bool:  # type: ignore[no-untyped-def]
        """Enough evidence to answer: close in meaning, or sharing the question's identifiers."""
        if not hits:
            return False
        best_cosine = max(h.cosine for h in hits)
        threshold = self.settings.answer.min_similarity
        if best_cosine >= threshold:
            return True
        asked_ids = set(analysed.entities.all_ids()) - set(analysed.entities.years)
        if asked_ids and any(asked_ids & set(h.passage.entities.all_ids()) for h in hits[:3]):
            return True
        return False
