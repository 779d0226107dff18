"""The one function that answers a question, for every front end (CLI, Slack, jobs).

`AnswerEngine.ask` bridges the question into the documents' words (French, Spanish, Slack
shorthand, misspellings), retrieves passages (keyword + vector, fused), scores every
sentence, list item and table cell of the best of them (`answering.candidates`), and either
answers with the unit that holds what was asked, cited to its paragraph, or says plainly
that the documents do not say (`answering.judge`), showing the closest passages as such.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from answering.bridge import bridge, documents_words, is_english_word
from answering.candidates import Candidate, Terms, question_terms, referenced_paragraphs, score_units
from answering.compose import add_part, fit, with_evidence
from answering.gaps import REFUSED, GapLog
from answering.intent import Intent, read_intent
from answering.judge import Verdict, judge, refusal_text
from answering.parts import resolve_reference, split_parts
from answering.sentences import highlight, window
from answering.units import Unit, units_of
from config.settings import Settings
from corpus.passages import citation
from index.embedding import Embedder
from index.encoders import embedder_for
from index.filters import Filters, split_filters
from index.question import AnalysedQuestion, analyse, glossary_acronyms
from index.search import Hit, HybridSearcher, SearchResult, referenced_hits
from index.version import IndexVersion, LiveIndex

log = logging.getLogger(__name__)

SNIPPET_CHARS = 280
MAX_QUESTION_CHARS = 1000
COMMON_SHARE = 0.08  # a word in more than this share of passages does not name a subject
_SOURCE_FIELDS = ("doc_id", "title", "symbol", "paragraph", "text", "score", "url", "snippet", "citation")


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
    sources: list[Source]  # what the answer rests on, the paragraph it came from first
    did_you_mean: str | None = None
    index_version: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    closest: list[Source] = field(default_factory=list)  # for a refusal: the closest passages, not an answer

    def to_json(self) -> dict:
        def plain(sources: list[Source]) -> list[dict]:
            return [{k: v for k, v in asdict(s).items() if k in _SOURCE_FIELDS} for s in sources]

        return {
            "question": self.question,
            "answer": self.text,
            "found": self.found,
            "did_you_mean": self.did_you_mean,
            "sources": plain(self.sources),
            "closest": plain(self.closest),
        }


def _source(hit: Hit, wanted: set[str], focus: str) -> Source:
    text = hit.passage.text
    at = text.find(focus.split(" — ")[-1][:60]) if focus else -1
    snippet = highlight(window(text, max(at, 0), SNIPPET_CHARS), wanted)
    p = hit.passage
    return Source(
        p.doc_id,
        p.title,
        p.symbol,
        p.paragraph,
        citation(p.cited_as, p.paragraph),
        text,
        snippet,
        round(hit.score, 6),
        p.url,
    )


@dataclass
class Prepared:
    """A question made ready for search: in the documents' words, analysed, its intent read."""

    text: str  # what is searched (English, shorthand expanded, misspellings corrected)
    analysed: AnalysedQuestion
    intent: Intent
    did_you_mean: str | None


@dataclass
class Attempt:
    """One search and the candidates it gave, for a question or a part of one."""

    prepared: Prepared
    result: SearchResult
    units: list[Unit]
    candidates: list[Candidate]
    terms: Terms
    verdict: Verdict
    choosing: float = 0.0  # seconds spent choosing the answer after the search (for the timings)


class AnswerEngine:
    """Holds what answering needs across questions: settings, the live index, the model."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        providers: Sequence[Callable[[str], Answer | None]] = (),
        gaps: GapLog | None = None,
    ) -> None:
        self.settings = settings
        self.gaps = gaps  # where refusals are recorded for the secretariat (None: not recorded)
        self.live = LiveIndex(settings.index_root)
        self._embedder = embedder
        # Structured sources consulted before the index (ATR submissions): each returns an
        # Answer for questions it owns, None for the rest.
        self.providers = list(providers)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = embedder_for(self.settings)
        return self._embedder

    def searcher(self) -> HybridSearcher:
        s = self.settings.search
        return HybridSearcher(self.embedder, s.keyword_candidates, s.vector_candidates, s.rrf_k)

    # --- preparing a question ------------------------------------------------------------

    def prepare(self, question: str, version: IndexVersion) -> Prepared:
        """The question in the documents' words, with its misspellings corrected."""
        keyword = version.keyword
        bridged = bridge(question, keyword.has_word, glossary_acronyms())
        text = bridged.text
        did_you_mean = None
        if bridged.language == "en":
            words = analyse(text).words
            misspelled = keyword.suggest_spelling(words, is_english_word)
            if misspelled:
                for wrong, right in misspelled.items():
                    text = re.sub(rf"\b{re.escape(wrong)}\b", right, text)
                did_you_mean = text
        n = max(1, keyword.passage_count)

        def is_common(word: str) -> bool:
            from index.analysis import stem

            return keyword.document_frequency(stem(word)) / n > COMMON_SHARE

        # The documents' words for everyday phrases are searched too; the names an answer must
        # be about come from the question's own words.
        own = analyse(text)
        searched = documents_words(text, keyword.has_word)
        analysed = own if searched == text else analyse(searched)
        intent = read_intent(text, is_common, own.stands_for)
        return Prepared(text, analysed, intent, did_you_mean)

    # --- answering ----------------------------------------------------------------------

    def ask(
        self, question: str, filters: dict | None = None, mode: str = "hybrid", asked_from: str | None = None
    ) -> Answer:
        """Answer `question` from the live index: short answer text plus cited sources.

        `asked_from` says where the question came from ("cli", "channel", "dm", "command"); a
        refusal is then recorded as a knowledge gap. Evaluation passes nothing and records nothing.
        """
        started = time.perf_counter()
        question, typed = split_filters(question)  # "office:JP year:2024 …", as typed in Slack
        if not question:
            return Answer(question, "Please ask a question.", False, [])
        if len(question) > MAX_QUESTION_CHARS:
            return Answer(
                question[:80] + "…",
                f"That question is {len(question):,} characters long; please ask it in at most {MAX_QUESTION_CHARS:,}.",
                False,
                [],
            )
        given = {name: value for name, value in (filters or {}).items() if value not in (None, "")}
        clean_filters = Filters.parse({**typed, **given})  # an option given beside a typed filter wins
        if not clean_filters and mode == "hybrid":
            for provider in self.providers:
                provided = provider(question)
                if provided is not None:
                    return provided
        version = self.live.current()
        config = self.settings
        prepared = self.prepare(question, version)
        parts = split_parts(prepared.text)
        main = self._attempt(
            version, self._part(prepared, parts[0]) if len(parts) > 1 else prepared, clean_filters, mode
        )
        timings = {"analysis": main.result.started - started, **main.result.timings}
        clock = time.perf_counter()
        verdict = main.verdict
        if verdict.best is None:
            closest = [_source(h, main.terms.keys, "") for h in main.result.hits[: config.search.top_k]]
            timings["answer"] = main.choosing + time.perf_counter() - clock
            timings["total"] = time.perf_counter() - started
            log.info("no answer for %r: %s", question, verdict.reason)
            answer = Answer(
                question, refusal_text(verdict), False, [], prepared.did_you_mean, version.name, timings, closest
            )
            if self.gaps is not None and asked_from:
                try:
                    self.gaps.record(question, REFUSED, asked_from, closest[0].citation if closest else "", answer.text)
                except sqlite3.Error:  # a full disk costs the record, never the answer
                    log.exception("could not record the unanswered question %r", question)
            return answer
        best = verdict.best
        text = with_evidence(best, main.units, main.prepared.intent, main.prepared.text, config.answer.max_chars)
        found = list(best.found)
        extra_hits: list[Hit] = []
        for part_text in parts[1:]:
            part = self._answer_part(
                version, prepared, resolve_reference(part_text, text), text, found, clean_filters, mode
            )
            if part is not None:
                text = add_part(text, part, config.answer.max_chars * 2)
                found += part.found
                extra_hits.append(part.hit)
        text = fit(text, main.terms, prepared.intent, found, config.answer.max_chars)
        sources = self._sources(best, main, extra_hits)
        timings["answer"] = main.choosing + time.perf_counter() - clock
        timings["total"] = time.perf_counter() - started
        return Answer(question, text, True, sources, prepared.did_you_mean, version.name, timings)

    def _part(self, prepared: Prepared, text: str) -> Prepared:
        analysed = analyse(text)
        return Prepared(text, analysed, read_intent(text, aliases=analysed.stands_for), prepared.did_you_mean)

    def _attempt(self, version: IndexVersion, prepared: Prepared, filters: Filters, mode: str) -> Attempt:
        config = self.settings
        limit = max(config.search.top_k, config.answer.passages_considered)
        result = self.searcher().search(version, prepared.analysed, limit, filters, mode)
        searched = time.perf_counter()
        terms = question_terms(prepared.analysed, version.keyword.idf)
        hits = result.hits[: config.answer.passages_considered]
        recalled = recalled_records(version)
        units = units_of(hits)
        candidates = score_units(
            units, terms, prepared.intent, prepared.text, result.query_vector, self.embedder, recalled
        )
        if candidates:
            pointed = referenced_hits(
                version, candidates[0].hit, referenced_paragraphs(candidates[0].unit.body), result.query_vector
            )
            if pointed:
                units = units_of(hits + pointed)
                candidates = score_units(
                    units, terms, prepared.intent, prepared.text, result.query_vector, self.embedder, recalled
                )
        verdict = judge(
            candidates,
            units,
            prepared.intent,
            prepared.text,
            recalled,
            version.keyword.has_word,
            config.answer.min_similarity,
        )
        return Attempt(prepared, result, units, candidates, terms, verdict, time.perf_counter() - searched)

    def _answer_part(
        self,
        version: IndexVersion,
        whole: Prepared,
        part_text: str,
        so_far: str,
        found: list[str],
        filters: Filters,
        mode: str,
    ) -> Candidate | None:
        """The best unit for a question's second part, unless what is answered so far already
        holds something of the kind it asks for, beyond what answered the first part."""
        # The second part often leaves its subject to the first ("and in which document is the
        # revised set presented"): it is searched with the first part's acronyms and names too.
        first = split_parts(whole.text)[0]
        carried = [w for w in re.findall(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b", first) if w not in part_text]
        part = self._part(whole, f"{part_text} {' '.join(dict.fromkeys(carried))}".strip())
        best = self._attempt(version, part, filters, mode).verdict.best
        if best is None or best.text in so_far or (best.found and set(best.found) <= set(found)):
            return None
        return best

    def _sources(self, best: Candidate, attempt: Attempt, extra: list[Hit]) -> list[Source]:
        """The paragraph the answer came from, then passages that support it: about the same
        subject and nearly as good an answer, never fusion filler."""
        top_k = self.settings.search.top_k
        wanted = attempt.terms.keys
        ordered: list[Hit] = [best.hit] + [h for h in extra if h.passage.passage_id != best.hit.passage.passage_id]
        seen = {h.passage.passage_id for h in ordered}
        floor = 0.75 * best.score
        for candidate in attempt.candidates:
            passage_id = candidate.hit.passage.passage_id
            if passage_id in seen or candidate.score < floor or candidate.named < 1.0:
                continue
            seen.add(passage_id)
            ordered.append(candidate.hit)
        return [_source(h, wanted, best.text if h is best.hit else "") for h in ordered[:top_k]]

    def retrieve(self, question: str, mode: str = "hybrid", limit: int = 5) -> list[str]:
        """Passage texts as the engine ranks them for answering: by the best answer each holds
        (for evaluation: is the passage that answers among the first `limit`?)."""
        version = self.live.current()
        prepared = self.prepare(" ".join(question.split()), version)
        attempt = self._attempt(version, prepared, Filters(), mode)
        ordered: dict[str, str] = {}
        for candidate in attempt.candidates:
            ordered.setdefault(candidate.hit.passage.passage_id, candidate.hit.passage.text)
        for hit in attempt.result.hits:
            ordered.setdefault(hit.passage.passage_id, hit.passage.text)
        return list(ordered.values())[:limit]


def recalled_records(version: IndexVersion) -> frozenset[str]:
    """Records whose facts were recalled, not read from a CWS document: not evidence on their own."""
    return _recalled(version.directory)


@lru_cache(maxsize=8)
def _recalled(directory: object) -> frozenset[str]:
    from index.store import PassageStore

    rows = PassageStore(directory).query(  # type: ignore[arg-type]
        "select doc_id, source from documents where doc_id like 'record:%'"
    )
    return frozenset(r["doc_id"] for r in rows if (r["source"] or "").split(";")[0].endswith("(recalled)"))
