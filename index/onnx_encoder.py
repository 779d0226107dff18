"""The packaged model as ONNX: questions encoded with onnxruntime and tokenizers, no torch.

Importing torch and sentence-transformers takes ~6 s, so a `cws ask` that loads them cannot
answer in a second and a half. The model is exported once (torch is needed for that only),
kept in the data directory beside the index as <models_dir>/<name>-<dimension>/ with
model.onnx, tokenizer.json and encoder.json, and reused after. The exported graph is the
model followed by sentence-transformers' mean pooling and L2 normalisation, and the tokenizer
truncates at the model's max_seq_length as sentence-transformers does, so the vectors are the
same (cosine ≥ 0.9999; tests/test_onnx_encoder.py) and indexes built by either encoder serve
questions encoded by the other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from index.embedding import Embedder, cpu_count, model_dimension

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the export changes, so older exports are made again
OPSET = 17
MODEL = "model.onnx"
TOKENIZER = "tokenizer.json"
INFO = "encoder.json"
# Files of the packaged model whose content decides the vectors (the weights are large: their size stands in).
SOURCE_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "sentence_bert_config.json",
    "modules.json",
    "1_Pooling/config.json",
)
WEIGHTS = ("model.safetensors", "pytorch_model.bin")
PLAIN_MODULES = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling"]
NORMALIZE = "sentence_transformers.models.Normalize"


def export_dir(models_dir: Path, name: str, dimension: int) -> Path:
    """Where the export for this model name and dimension lives."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "model"
    return models_dir / f"{safe}-{dimension}"


def source_fingerprint(path: Path) -> str:
    """What identifies the packaged model: its small files' content and its weights' size."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    for relative in SOURCE_FILES:
        file = path / relative
        digest.update(relative.encode() + b"\x00" + (file.read_bytes() if file.is_file() else b"-"))
    for relative in WEIGHTS:
        file = path / relative
        digest.update(f"{relative}:{file.stat().st_size if file.is_file() else -1}".encode())
    return digest.hexdigest()


def supported(path: Path) -> bool:
    """Only a plain transformer + mean pooling (+ normalise) model is exported; anything else stays on torch."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    types = [m.get("type") for m in modules]
    if types[:2] != PLAIN_MODULES or any(t != NORMALIZE for t in types[2:]):
        return False
    modes = {k: v for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    return list(modes) == ["pooling_mode_mean_tokens"]


def read_info(directory: Path) -> dict[str, Any] | None:
    try:
        info = json.loads((directory / INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def is_current(directory: Path, name: str, dimension: int, fingerprint: str) -> bool:
    """An export that is whole and made from this very model by this version of the exporter."""
    info = read_info(directory)
    return (
        info is not None
        and info.get("format") == FORMAT
        and info.get("name") == name
        and info.get("dimension") == dimension
        and info.get("fingerprint") == fingerprint
        and (directory / MODEL).is_file()
        and (directory / TOKENIZER).is_file()
    )


def prepare(name: str, path: Path, models_dir: Path) -> Path | None:
    """The export's folder, made now if missing or stale; None when this model cannot be exported here."""
    dimension = model_dimension(path)
    if dimension is None or not supported(path):
        log.info("%s is not a plain mean-pooled model: encoding with sentence-transformers", name)
        return None
    directory = export_dir(models_dir, name, dimension)
    fingerprint = source_fingerprint(path)
    if is_current(directory, name, dimension, fingerprint):
        return directory
    try:
        export(name, path, directory, dimension, fingerprint)
    except Exception as exc:  # torch or onnx missing, an exporter change, a full disk: the reference still works
        log.warning("could not export %s to ONNX (%s); encoding with sentence-transformers", name, exc)
        return None
    return directory


def export(name: str, path: Path, directory: Path, dimension: int, fingerprint: str) -> None:
    """Export the model with torch, check it against torch, and publish it with one rename.

    Two processes may export at once (a build and a first question on a fresh data directory):
    each writes its own temporary folder, the first rename wins, the other's copy is dropped.
    """
    started = time.perf_counter()
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    work.chmod(0o755)  # mkdtemp's 0700 would survive the rename
    try:
        info = _export_into(name, path, work, dimension, fingerprint)
        (work / INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
        _publish(work, directory, name, dimension, fingerprint)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("exported %s to %s in %.1f s", name, directory, time.perf_counter() - started)


def _publish(work: Path, directory: Path, name: str, dimension: int, fingerprint: str) -> None:
    if directory.exists():
        if is_current(directory, name, dimension, fingerprint):
            return  # another process got there first
        stale = directory.with_name(f".{directory.name}.stale-{os.getpid()}")
        os.rename(directory, stale)
        shutil.rmtree(stale, ignore_errors=True)
    try:
        os.rename(work, directory)
    except OSError:
        if not is_current(directory, name, dimension, fingerprint):
            raise


def _export_into(name: str, path: Path, work: Path, dimension: int, fingerprint: str) -> dict[str, Any]:
    import onnxruntime
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    settings = json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))
    max_length = int(settings.get("max_seq_length") or 512)
    tokenizer = Tokenizer.from_file(str(path / TOKENIZER))
    pad_id = tokenizer.token_to_id("[PAD]") or 0
    tokenizer.enable_truncation(max_length=max_length)  # sentence-transformers' max_seq_length, not the file's 128
    tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")  # to the longest text of the batch
    tokenizer.save(str(work / TOKENIZER))

    # Eager attention: the traced graph then takes the attention mask as an input for every
    # batch (the SDPA path decides at trace time whether a mask is needed).
    model = AutoModel.from_pretrained(str(path), local_files_only=True, attn_implementation="eager").eval()
    config = model.config
    if int(config.hidden_size) != dimension:
        raise ValueError(f"hidden size {config.hidden_size} is not the pooled dimension {dimension}")
    pooled = _mean_pooled(model)
    # A padded example, so the trace keeps the mask's effect.
    sample = tokenizer.encode_batch(["ST.92 sunset period", "The Committee on WIPO Standards agreed to the plan."])
    inputs = _arrays(sample)
    names = list(inputs)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and legacy-exporter notices: the check below is what counts
        torch.onnx.export(
            pooled,
            tuple(torch.from_numpy(inputs[n]) for n in names),
            str(work / MODEL),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    # Not fused with onnxruntime's BERT optimiser: measured no faster here (batches 0.9x, questions
    # 4.4 against 4.5 ms), and onnxruntime's own graph optimisations run when the session opens.
    _check(pooled, work, names)
    return {
        "format": FORMAT,
        "name": name,
        "dimension": dimension,
        "max_seq_length": max_length,
        "fingerprint": fingerprint,
        "source": str(path),
        "opset": OPSET,
        "exported_with": {"torch": torch.__version__, "onnxruntime": onnxruntime.__version__},
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _check(pooled: Any, work: Path, names: list[str]) -> None:
    """The export must give torch's vectors, padding and truncation included, or it is not used."""
    import torch
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(work / TOKENIZER))
    texts = ["What is ST.37?", "", "The Committee noted the report. " * 60, "Le Comité a adopté la norme ST.92."]
    inputs = _arrays(tokenizer.encode_batch(texts))
    session = _session(work / MODEL, 1)
    got = session.run(None, {i.name: inputs[i.name] for i in session.get_inputs()})[0]
    with torch.no_grad():
        expected = pooled(*(torch.from_numpy(inputs[n]) for n in names)).numpy()
    cosine = float(np.min(np.sum(got * expected, axis=1)))
    if cosine < 0.99999:
        raise ValueError(f"exported model differs from torch (cosine {cosine:.6f})")


def _arrays(encodings: list[Any]) -> dict[str, np.ndarray]:
    return {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }


def _session(model: Path, threads: int) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only
    return onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def _mean_pooled(model: Any) -> Any:
    """The transformer followed by sentence-transformers' Pooling (mean over real tokens) and Normalize."""
    import torch  # here, not at module level: only an export needs it

    class MeanPooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            tokens = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            mask = attention_mask.unsqueeze(-1).to(tokens.last_hidden_state.dtype)
            summed = (tokens.last_hidden_state * mask).sum(1)
            mean = summed / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    return MeanPooled(model).eval()


class OnnxEmbedder(Embedder):
    """The exported model on onnxruntime: the same vectors as sentence-transformers without torch.

    One session per thread count: a 1-thread session for questions (made at once) and an
    every-core session for builds (made on the first large input). Each has its own lock, so a
    question asked during a reindex no longer waits for the build's batch.
    """

    def __init__(self, name: str, path: Path, directory: Path, batch_size: int = 64) -> None:
        super().__init__(name, path, batch_size)
        from tokenizers import Tokenizer

        info = read_info(directory) or {}
        self.directory = directory
        self.dimension = int(info["dimension"])
        self.build_threads = cpu_count()
        self._tokenizer = Tokenizer.from_file(str(directory / TOKENIZER))
        self._sessions: dict[int, Any] = {}
        self._session_locks: dict[int, threading.Lock] = {}
        self._sessions_lock = threading.Lock()
        self._inputs = [i.name for i in self._session(1).get_inputs()]
        import onnxruntime

        self._version = onnxruntime.__version__
        log.info("loaded embedding model %s (%d dimensions) from %s with onnxruntime", name, self.dimension, directory)

    @property
    def encoder(self) -> dict[str, Any]:
        return {"library": "onnxruntime", "version": self._version, "export": self.directory.name}

    def _session(self, threads: int) -> Any:
        with self._sessions_lock:
            if threads not in self._sessions:
                self._sessions[threads] = _session(self.directory / MODEL, threads)
                self._session_locks[threads] = threading.Lock()
            return self._sessions[threads]

    def _batch_lock(self, threads: int) -> threading.Lock:
        self._session(threads)
        return self._session_locks[threads]

    def _encode_batch(self, texts: list[str], threads: int) -> np.ndarray:
        inputs = _arrays(self._tokenizer.encode_batch(texts))
        return self._session(threads).run(None, {n: inputs[n] for n in self._inputs})[0]
