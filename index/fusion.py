"""Reciprocal rank fusion: a pure function so it can be tested without any index.

RRF (Cormack et al., 2009) adds 1 / (k + rank) over each ranked list a document
appears in. It needs no score calibration between BM25 and cosine, which is why
it is used here rather than a weighted sum of raw scores.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[Key]],
    k: int = 60,
    weights: Sequence[float] | None = None,
    limit: int | None = None,
) -> list[tuple[Key, float]]:
    """Fuse ranked lists (best first) into one list of (key, score), best first.

    Ties are broken by the order in which a key was first seen across the lists,
    earlier lists first, so the result is deterministic.
    """
    if k <= 0:
        raise ValueError("k must be positive")
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking is required")
    scores: dict[Key, float] = {}
    first_seen: dict[Key, int] = {}
    for ranking, weight in zip(rankings, weights):
        seen_here: set[Key] = set()
        for rank, key in enumerate(ranking, start=1):
            if key in seen_here:  # a duplicate within one list counts once, at its best rank
                continue
            seen_here.add(key)
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
            first_seen.setdefault(key, len(first_seen))
    fused = sorted(scores.items(), key=lambda item: (-item[1], first_seen[item[0]]))
    return fused[:limit] if limit is not None else fused
