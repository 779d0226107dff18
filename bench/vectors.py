"""Stand-in passage vectors for the large latency runs: exact cosine costs the same on any
unit vectors, and embedding 100,000 passages with the real model takes about an hour here."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np


class RandomUnitEmbedder:
    """Deterministic random unit vectors, under the real model's name so the index is served
    by the real model (which then encodes every question and answer sentence for real)."""

    def __init__(self, name: str, dimension: int) -> None:
        self.name = name
        self.dimension = dimension

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
            vector = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
            out[row] = vector / np.linalg.norm(vector)
        if progress:
            progress(len(texts))
        return out
