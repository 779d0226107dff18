"""Which encoder a process uses: one shared model per process, ONNX where a data directory keeps
its export, sentence-transformers otherwise (`index.embedding`, `index.onnx_encoder`)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from index.embedding import Embedder, SentenceTransformerEmbedder, packaged_model_path

if TYPE_CHECKING:
    from config.settings import Settings

_cache: dict[tuple[str, Path], Embedder] = {}
_cache_lock = threading.Lock()


def get_embedder(name: str, path: Path | None = None, batch_size: int = 64, models_dir: Path | None = None) -> Embedder:
    """One shared model per process: loading costs seconds, encoding a question milliseconds.

    With `models_dir` (beside the index) the ONNX encoder is used, exported there first if it is
    missing (once; that needs torch); without it, or when the export cannot be made,
    sentence-transformers. Both give the same vectors, so which one a process has does not matter
    to the index.
    """
    resolved = (path or packaged_model_path()).resolve()
    with _cache_lock:
        if models_dir is not None:
            onnx = _cache.get(("onnxruntime", resolved)) or _onnx_embedder(name, resolved, batch_size, models_dir)
            if onnx is not None:
                return onnx
        key = ("sentence-transformers", resolved)
        if key not in _cache:
            _cache[key] = SentenceTransformerEmbedder(name, resolved, batch_size)
        return _cache[key]


def _onnx_embedder(name: str, path: Path, batch_size: int, models_dir: Path) -> Embedder | None:
    """The ONNX encoder for this model, exporting it first if needed (called under the cache lock)."""
    from index import onnx_encoder

    directory = onnx_encoder.prepare(name, path, models_dir)
    if directory is None:
        return None
    embedder = onnx_encoder.OnnxEmbedder(name, path, directory, batch_size)
    _cache[("onnxruntime", path)] = embedder
    return embedder


def embedder_for(settings: Settings) -> Embedder:
    """The model the settings name, with its ONNX export kept in the data directory."""
    m = settings.model
    return get_embedder(m.name, m.path, m.batch_size, models_dir=settings.data_dir / "models")
