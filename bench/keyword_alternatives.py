"""Whoosh BM25F against the project's bm25s fields on the same passages and questions:
the measured reason for ranking with bm25s (README, "Keyword ranking"). It builds the
Whoosh index the project used before (heading and body BM25F, word pairs, identifiers,
terms in over 20 % of passages left out of the query) from the benchmark index's own
passages, then times both and compares their top 10.

    .venv/bin/python -m bench.keyword_alternatives [SIZE]     (after `python -m bench` built SIZE)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.query import Or, Term

from bench.questions import questions
from bench.sections import settings_for
from bench.stats import percentile
from index import keyword, store
from index.question import analyse
from index.version import LiveIndex

COMMON_SHARE = 0.2
BOOSTS = {"heading": 1.2, "body": 1.0, "pairs": 1.5, "ids": 2.5}


def whoosh_index_of(folder: Path, database: Path) -> whoosh_index.Index:
    if whoosh_index.exists_in(str(folder)):
        return whoosh_index.open_dir(str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    stemmed = StemmingAnalyzer(minsize=1)
    schema = Schema(
        row=ID(stored=True),
        heading=TEXT(analyzer=stemmed),
        body=TEXT(analyzer=stemmed),
        pairs=KEYWORD(scorable=True),
        ids=KEYWORD(lowercase=True, commas=True, scorable=True),
    )
    ix = whoosh_index.create_in(str(folder), schema)
    passages = store.PassageStore(database.parent)
    documents = {doc_id: store.row_to_meta(r) for doc_id, r in passages.documents().items()}
    writer = ix.writer(limitmb=256)
    started = time.perf_counter()
    for r in passages.rows_for_docs(sorted(documents)):
        passage, meta = store.row_to_passage(r), documents[r["doc_id"]]
        terms = keyword.passage_terms(passage, meta)
        writer.add_document(
            row=str(r["row"]),
            heading=f"{meta.title}\n{passage.heading}\n{passage.context}",
            body=passage.text,
            pairs=" ".join(terms.pairs),
            ids=",".join(terms.ids),
        )
    writer.commit()
    print(f"built the Whoosh index in {time.perf_counter() - started:.0f}s")
    return ix


def whoosh_search(searcher, query: keyword.KeywordQuery, limit: int, prune: bool = True) -> list[int]:  # type: ignore[no-untyped-def]
    """The old query; `prune=False` keeps common terms (slower, but the plain BM25F ranking)."""
    total = searcher.doc_count()
    limit_share = COMMON_SHARE if prune else 1.0
    clauses = []
    for field, tokens in query.field_tokens().items():
        shares = {t: searcher.doc_frequency(field, t) / total for t in tokens}
        kept = [t for t in tokens if 0 < shares[t] <= limit_share]
        if not kept and field == "body":
            kept = sorted((t for t in tokens if shares[t] > 0), key=shares.get)[:2]
        clauses += [Term(field, t, boost=BOOSTS[field]) for t in kept]
    if not clauses:
        return []
    return [int(hit["row"]) for hit in searcher.search(Or(clauses), limit=limit)]


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    workdir = Path("/tmp/cws-bench")
    settings = settings_for(workdir / f"data-{size}", workdir / f"corpus-{size}")
    version = LiveIndex(settings.index_root).current()
    ix = whoosh_index_of(workdir / f"whoosh-{size}", version.directory / "passages.db")
    searcher = ix.searcher(weighting=scoring.BM25F())
    asked = [analyse(q).keyword_query() for q in questions(60, seed=1)]
    timings: dict[str, list[float]] = {
        "Whoosh BM25F, common terms left out (as served)": [],
        "Whoosh BM25F, every term": [],
        "bm25s fields": [],
    }
    overlap: dict[str, list[float]] = {"as served": [], "every term": []}
    for query in asked:
        rankings = []
        for label, search in zip(
            timings,
            (
                lambda q: whoosh_search(searcher, q, 50),
                lambda q: whoosh_search(searcher, q, 50, prune=False),
                lambda q: [row for row, _ in version.keyword.search(q, 50)],
            ),
        ):
            started = time.perf_counter()
            rankings.append(search(query))
            timings[label].append((time.perf_counter() - started) * 1000)
        for label, whoosh_rows in zip(overlap, rankings[:2]):
            if whoosh_rows:
                overlap[label].append(len(set(whoosh_rows[:10]) & set(rankings[2][:10])) / len(whoosh_rows[:10]))
    print(f"{version.passage_count:,} passages, {len(asked)} questions")
    for label, ms in timings.items():
        print(f"{label}: p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms")
    for label, shares in overlap.items():
        print(f"top-10 shared with Whoosh {label}: median {percentile(shares, 50):.2f}, lowest {min(shares):.2f}")


if __name__ == "__main__":
    main()
