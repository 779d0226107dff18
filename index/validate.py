"""Checks a finished build before it may go live: counts agree, vectors are sane, search works."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import IndexCorrupt
from index import keyword
from index.embedding import Embedder
from index.layout import VECTORS
from index.store import PassageStore


def validate_build(directory: Path, info: dict[str, Any], embedder: Embedder) -> None:
    """Raise IndexCorrupt naming the first problem found."""
    passages = PassageStore(directory)
    count = passages.count()
    vectors = np.load(directory / VECTORS, mmap_mode="r")
    keywords = keyword.KeywordIndex(directory / keyword.KEYWORD_DIR)
    keyword_count = keywords.passage_count
    problems = []
    if count != info["counts"]["passages"]:
        problems.append(f"passage table has {count} rows, expected {info['counts']['passages']}")
    if vectors.shape != (count, embedder.dimension):
        problems.append(f"vector matrix is {vectors.shape}, expected ({count}, {embedder.dimension})")
    if keyword_count != count:
        problems.append(f"keyword index has {keyword_count} passages, expected {count}")
    if count and not np.all(np.isfinite(vectors[: min(count, 1000)])):
        problems.append("vector matrix contains non-finite values")
    if problems:
        raise IndexCorrupt(f"build {directory.name} failed validation: " + "; ".join(problems))
    if count:
        _smoke_query(directory, passages, vectors, keywords)


def _smoke_query(directory: Path, passages: PassageStore, vectors: np.ndarray, keywords: keyword.KeywordIndex) -> None:
    """A passage must find itself by its own words and by its own vector."""
    middle = passages.count() // 2
    sample = passages.fetch([middle])[0]
    words = tuple(dict.fromkeys(re.findall(r"[A-Za-z]{4,}", sample.text))) or tuple(sample.text.split()[:8])
    found = [row for row, _ in keywords.search(keyword.KeywordQuery(words=words), limit=5000)]
    if middle not in found:
        raise IndexCorrupt(f"build {directory.name} failed its smoke query: keyword search missed {sample.passage_id}")
    scores = np.asarray(vectors) @ np.asarray(vectors[middle])
    if float(scores[middle]) < float(scores.max()) - 1e-4:
        raise IndexCorrupt(f"build {directory.name} failed its smoke query: vector search missed row {middle}")
