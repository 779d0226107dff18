"""Whoosh BM25F against bm25s on the same passages and questions (the measured reason
behind the note in BENCHMARKS.md). bm25s is not a dependency of the project:

    .venv/bin/pip install bm25s && .venv/bin/python -m bench.keyword_alternatives [SIZE]
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

import bm25s
import numpy as np
from whoosh.analysis import StemmingAnalyzer

from bench.questions import questions
from bench.sections import settings_for
from bench.stats import percentile
from index import keyword
from index.question import analyse
from index.version import LiveIndex


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    workdir = Path("/tmp/cws-bench")
    settings = settings_for(workdir / f"data-{size}", workdir / f"corpus-{size}")
    version = LiveIndex(settings.index_root).current()
    db = sqlite3.connect(f"file:{version.directory / 'passages.db'}?mode=ro", uri=True)
    rows = db.execute(
        "select d.title, p.heading, p.context, p.text from passages p join documents d using (doc_id) order by p.row"
    ).fetchall()
    analyzer = StemmingAnalyzer(minsize=1)
    tokens = [[t.text for t in analyzer(" ".join(r))] for r in rows]
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    asked = questions(60, seed=1)
    whoosh_ms, bm25s_ms = [], []
    searcher = version.keyword_searcher()
    for question in asked:
        started = time.perf_counter()
        keyword.search(searcher, analyse(question).keyword_query(), 50)
        whoosh_ms.append((time.perf_counter() - started) * 1000)
        query = [t.text for t in analyzer(question)]
        started = time.perf_counter()
        scores = retriever.get_scores(query)
        np.argpartition(-scores, 50)[:50]
        bm25s_ms.append((time.perf_counter() - started) * 1000)
    print(f"{len(rows):,} passages, {len(asked)} questions")
    print(f"whoosh BM25F: p50 {percentile(whoosh_ms, 50):.1f} ms, p95 {percentile(whoosh_ms, 95):.1f} ms")
    print(f"bm25s:        p50 {percentile(bm25s_ms, 50):.1f} ms, p95 {percentile(bm25s_ms, 95):.1f} ms")


if __name__ == "__main__":
    main()
