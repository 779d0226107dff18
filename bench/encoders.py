"""onnxruntime against sentence-transformers on the same texts: which one should encode what.

    python -m bench.encoders                 # 1,500 passages, 15 rounds, 60 questions
    python -m bench.encoders --passages 600 --rounds 9

Batches of passages on every core (as builds encode) and single questions on one thread (as
`cws ask` does), with the two encoders taking turns in short rounds: on a shared machine the
speed drifts within minutes, and a ratio of two runs taken side by side stays meaningful when
the absolute rates do not. Prints each encoder's median rate and the median of the per-round
ratios, and the two encoders' lowest cosine on the texts (their vectors must be interchangeable).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.questions import questions
from bench.stats import percentile, spread
from bench.synthetic import write_corpus
from corpus.ingest import scan
from index.build import embedding_text
from index.encoders import get_embedder

NAME = "all-MiniLM-L6-v2"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.encoders", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passages", type=int, default=1500, help="synthetic passages encoded per round")
    parser.add_argument("--rounds", type=int, default=15, help="rounds (each encoder once per round)")
    parser.add_argument("--questions", type=int, default=60, help="questions encoded one at a time per encoder")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "cws-bench")
    args = parser.parse_args()
    import torch

    args.workdir.mkdir(parents=True, exist_ok=True)
    onnx = get_embedder(NAME, models_dir=args.workdir / "models")
    reference = get_embedder(NAME)  # sentence-transformers
    folder = Path(tempfile.mkdtemp(prefix="encoders-", dir=args.workdir))
    try:
        write_corpus(folder, args.passages, seed=3)
        texts = [embedding_text(p) for s in scan([folder], include_records=False).sources for p in s.parse().passages]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    chunk = 4 * onnx.batch_size  # a round = the passages in chunks, the two encoders alternating per chunk
    rates: dict[str, list[float]] = {"onnxruntime": [], "sentence-transformers": []}
    ratios: list[float] = []
    lowest = 1.0
    for _ in range(args.rounds):
        spent = {"onnxruntime": 0.0, "sentence-transformers": 0.0}
        for start in range(0, len(texts), chunk):
            part = texts[start : start + chunk]
            started = time.perf_counter()
            a = onnx.encode(part)
            spent["onnxruntime"] += time.perf_counter() - started
            torch.set_num_threads(reference.build_threads)
            started = time.perf_counter()
            b = reference._model.encode(
                part,
                batch_size=reference.batch_size,
                normalize_embeddings=True,  # type: ignore[attr-defined]
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            spent["sentence-transformers"] += time.perf_counter() - started
            lowest = min(lowest, float(np.min(np.sum(a * b, axis=1))))
        for library, seconds in spent.items():
            rates[library].append(len(texts) / seconds)
        ratios.append(spent["sentence-transformers"] / spent["onnxruntime"])
    latency: dict[str, list[float]] = {"onnxruntime": [], "sentence-transformers": []}
    for question in questions(args.questions, seed=7):
        for library, embedder in (("onnxruntime", onnx), ("sentence-transformers", reference)):
            started = time.perf_counter()
            embedder.encode([question])  # one thread, as for a question
            latency[library].append((time.perf_counter() - started) * 1000)
    print(
        f"{len(texts):,} passages x {args.rounds} rounds, batches of {onnx.batch_size} on {onnx.build_threads} threads"
    )
    for library in rates:
        print(
            f"    {library:22} {spread(rates[library])} passages/s   question p50 "
            f"{statistics.median(latency[library]):.1f} / p95 {percentile(latency[library], 95):.1f} ms (one thread)"
        )
    print(
        f"    onnxruntime / sentence-transformers, paired by round: median {statistics.median(ratios):.2f} "
        f"({min(ratios):.2f}–{max(ratios):.2f})"
    )
    print(f"    lowest cosine between the two encoders' vectors: {lowest:.6f}")


if __name__ == "__main__":
    main()
