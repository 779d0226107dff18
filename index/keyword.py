"""Whoosh BM25F keyword index: schema, writing passages, and scoring a question.

Identifiers ("CWS/12/25", "C.CWS.182", "ST.92", "Task No. 58") are also written to an
exact-match `ids` field in one normalised spelling, so any way a user writes them hits.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.query import And, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from corpus.entities import id_tokens
from corpus.model import DocumentMeta, Passage

SCHEMA_VERSION = "2"
KEYWORD_DIR = "whoosh"
# Field weights for BM25F: a match in the heading (document title, section heading, a
# table's lead-in) says more than one in the body. Few fields keep queries fast: each
# field multiplies the posting lists a question reads.
FIELD_BOOSTS = {"heading": 1.2, "body": 1.0}
ID_BOOST = 2.5
PAIR_BOOST = 1.5
COMMON_SHARE = 0.2  # a term in more than this share of passages is left out of the query
COMMON_MIN_PASSAGES = 2000  # ... but only in indexes this large: small ones are fast anyway


def make_schema() -> Schema:
    stemmed = StemmingAnalyzer(minsize=1)
    return Schema(
        passage_id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        heading=TEXT(analyzer=stemmed),
        body=TEXT(analyzer=stemmed),
        # Adjacent body words as one token ("sunset_period", "recommend_10"): phrase matching
        # by term lookup, far cheaper than positional phrase queries.
        pairs=KEYWORD(scorable=True),
        ids=KEYWORD(lowercase=True, commas=True, scorable=True),
        symbol=KEYWORD(lowercase=True, commas=True),
        session=KEYWORD(lowercase=True, commas=True),
        year=KEYWORD(commas=True),
        standards=KEYWORD(lowercase=True, commas=True),
        tasks=KEYWORD(lowercase=True, commas=True),
        kind=ID(),
        # Unstemmed words for "did you mean": suggestions must be real words, not stems.
        words=TEXT(analyzer=StandardAnalyzer(minsize=3), spelling=True),
    )


_STEMMER = StemmingAnalyzer(minsize=1)


def pair_tokens(words: Iterable[str]) -> list[str]:
    """Stems of adjacent words joined: the body's (or a question's) word pairs."""
    stems = [t.text for t in _STEMMER(" ".join(words))]
    return [f"{a}_{b}" for a, b in zip(stems, stems[1:])]


def passage_fields(passage: Passage, meta: DocumentMeta) -> dict[str, str]:
    e = passage.entities
    doc_sessions = {meta.session} if meta.session else set()
    tasks = set(e.tasks) | {t for t in meta.topics if t.lower().startswith("task")}
    return {
        "passage_id": passage.passage_id,
        "doc_id": passage.doc_id,
        "heading": f"{meta.title}\n{passage.heading}\n{passage.context}",
        "body": passage.text,
        "pairs": " ".join(dict.fromkeys(pair_tokens([passage.text]))),
        "ids": ",".join(id_tokens(e) + ([meta.symbol.lower()] if meta.symbol else [])),
        "symbol": meta.symbol or "",
        "session": ",".join(sorted(doc_sessions)),
        "year": str(meta.year or ""),
        "standards": ",".join(e.standards),
        "tasks": ",".join(sorted(tasks)),
        "kind": passage.kind,
        "words": f"{meta.title}\n{passage.heading}\n{passage.text}",
    }


def create(directory: Path) -> whoosh_index.Index:
    directory.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(directory), make_schema())


def copy_from(previous: Path, directory: Path) -> whoosh_index.Index:
    """Start a build from the previous keyword index, so only changed documents are re-indexed."""
    shutil.copytree(previous, directory, ignore=shutil.ignore_patterns("*.lock", "*_LOCK"))
    return whoosh_index.open_dir(str(directory))


def open_index(directory: Path) -> whoosh_index.Index:
    return whoosh_index.open_dir(str(directory))


def write(
    ix: whoosh_index.Index,
    remove_doc_ids: Iterable[str],
    add: Iterable[tuple[Passage, DocumentMeta]],
) -> None:
    writer = ix.writer(limitmb=256)
    try:
        for doc_id in remove_doc_ids:
            writer.delete_by_term("doc_id", doc_id)
        for passage, meta in add:
            writer.add_document(**passage_fields(passage, meta))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


@dataclass(frozen=True)
class KeywordQuery:
    """What the question contributes to BM25F: analysed words plus exact identifiers."""

    words: tuple[str, ...]
    expansions: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    phrases: tuple[tuple[str, str], ...] = ()  # adjacent question words, e.g. ("sunset", "period")


def to_whoosh(query: KeywordQuery, schema: Schema, share: Callable[[str, str], float] | None = None) -> Query | None:
    """The BM25F query. `share(field, token)` is the fraction of passages holding a term;
    terms in more than COMMON_SHARE of them barely change the ranking and are left out
    (as Lucene's common-terms query does), because reading their long posting lists is
    most of a keyword search's cost. If every word is that common, the rarest two stay."""
    frequency = share or (lambda _field, _token: 0.0)
    clauses: list[Query] = []
    for field, boost in FIELD_BOOSTS.items():
        analyzer = schema[field].analyzer
        tokens = sorted({t.text for w in query.words for t in analyzer(w)})
        shares = {tok: frequency(field, tok) for tok in tokens}
        kept = [tok for tok in tokens if shares[tok] <= COMMON_SHARE]
        if not kept and field == "body":
            kept = sorted(tokens, key=lambda tok: (shares[tok], tok))[:2]
        clauses += [Term(field, tok, boost=boost) for tok in kept if shares[tok] > 0 or share is None]
        # A glossary expansion counts only as the whole phrase: "Digital Access Service",
        # not every passage that says "service".
        for expansion in query.expansions:
            tokens_in_order = [t.text for t in analyzer(expansion)]
            if len(tokens_in_order) > 1:
                clauses.append(Phrase(field, tokens_in_order, slop=3, boost=boost))
            elif tokens_in_order:
                clauses.append(Term(field, tokens_in_order[0], boost=boost))
    clauses += [
        Term("ids", token, boost=ID_BOOST) for token in query.ids if share is None or 0 < frequency("ids", token) <= COMMON_SHARE
    ]
    # Words that stand together in the question and in a passage ("Recommendation 10",
    # "sunset period") say more than the same words scattered.
    for pair in query.phrases:
        for token in pair_tokens(pair):
            if share is None or 0 < frequency("pairs", token) <= COMMON_SHARE:
                clauses.append(Term("pairs", token, boost=PAIR_BOOST))
    return Or(clauses) if clauses else None


def filter_query(filters: dict[str, str]) -> Query | None:
    """Whoosh filter from normalised filters: session, year, standard, task, document."""
    field_of = {"session": "session", "year": "year", "standard": "standards", "task": "tasks", "document": "symbol"}
    terms = [Term(field_of[name], value.lower()) for name, value in filters.items() if value]
    if not terms:
        return None
    return And(terms) if len(terms) > 1 else terms[0]


def open_searcher(ix: whoosh_index.Index) -> Searcher:
    """A BM25F searcher. Opening one reads every segment's structures (tens of ms on a large
    index), so callers keep one per thread and index version rather than one per question."""
    return ix.searcher(weighting=scoring.BM25F())


def search(
    searcher: Searcher, query: KeywordQuery, limit: int, filters: dict[str, str] | None = None
) -> list[tuple[str, float]]:
    """(passage_id, BM25F score), best first."""
    total = searcher.doc_count()

    def share(field: str, token: str) -> float:
        frequency = searcher.doc_frequency(field, token)
        # Small indexes are fast anyway: there, only "absent" (0) matters.
        return frequency / total if total >= COMMON_MIN_PASSAGES else float(frequency > 0) * 1e-9

    whoosh_query = to_whoosh(query, searcher.schema, share)
    if whoosh_query is None:
        return []
    results = searcher.search(whoosh_query, limit=limit, filter=filter_query(filters or {}))
    return [(hit["passage_id"], float(hit.score)) for hit in results]


def suggest_spelling(searcher: Searcher, words: Sequence[str]) -> dict[str, str]:
    """Misspelled word → best known word, for words the index has never seen."""
    out: dict[str, str] = {}
    corrector = None  # built only when a word is unknown
    for word in words:
        lowered = word.lower()
        if len(lowered) < 4 or not lowered.isalpha() or searcher.doc_frequency("words", lowered):
            continue
        corrector = corrector or searcher.corrector("words")
        # One edit for short words, two for long ones: "twelth" → "twelfth", not "bake" → "name".
        suggestions = corrector.suggest(lowered, limit=1, maxdist=1 if len(lowered) <= 6 else 2)
        if suggestions and suggestions[0] != lowered:
            out[word] = suggestions[0]
    return out
