"""The ONNX encoder: same vectors as sentence-transformers, exported once, and no torch on the CLI's hot paths."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer

from corpus.ingest import scan
from index import onnx_encoder
from index.build import build_index, embedding_text
from index.embedding import SMALL_INPUT, packaged_model_path
from index.encoders import get_embedder
from index.layout import read_info
from index.onnx_encoder import OnnxEmbedder
from index.validate import live_build
from tests.conftest import make_settings

NAME = "all-MiniLM-L6-v2"
QUIET = lambda _label, _total: lambda _n: None
HEAVY = ("torch", "sentence_transformers", "transformers", "matplotlib", "slack_bolt")


@pytest.fixture(scope="session")
def export_dir(tmp_path_factory) -> Path:
    directory = onnx_encoder.prepare(NAME, packaged_model_path(), tmp_path_factory.mktemp("models"))
    assert directory is not None
    return directory


@pytest.fixture(scope="session")
def onnx(export_dir) -> OnnxEmbedder:
    return OnnxEmbedder(NAME, packaged_model_path(), export_dir)


def varied_texts(corpus: Path) -> list[str]:
    """100 texts: questions, identifiers, other languages and scripts, edge cases, passages of every length."""
    made = [
        "",
        "   ",
        "ST.92",
        "What is ST.37?",
        "When does the ST.92 sunset period end?",
        "Task No. 24",
        "CWS/12/25, para. 10",
        "C.CWS.182",
        "Which IP offices submitted their ATR for 2023?",
        "Le Comité a adopté la norme ST.92.",
        "¿Cuándo termina el período de transición de ST.26?",
        "知的財産 標準 ST.96",
        "Ünïcödé ça va — «quotes» and emoji 📄✅",
        "ALL CAPS QUESTION ABOUT WIPO STANDARDS",
        "line one\nline two\tafter a tab",
        "x" * 300,
        "https://www.wipo.int/cws/en/ and e-mail cws@wipo.int",
        "Column: Office; Column: Year; Column: Type\nJP; 2023; PI",
        "ST.26 " * 400,  # far past 256 tokens
        "The Committee noted the report. " * 80,
    ]
    passages = [embedding_text(p) for s in scan([corpus]).sources for p in s.parse().passages]
    passages.sort(key=len)
    step = max(1, len(passages) // 60)
    picked = passages[::step][:60]
    rng = random.Random(13)
    long = [" ".join(rng.sample(passages, 8)) for _ in range(20)]  # several passages together: over 256 tokens
    return (made + picked + long)[:100]


def test_vectors_match_sentence_transformers(onnx, embedder, shared_corpus):
    """Cosine ≥ 0.9999 on 100 varied texts, in mixed batches (padding) and one by one, long texts included."""
    texts = varied_texts(shared_corpus)
    assert len(texts) == 100
    untruncated = Tokenizer.from_file(str(packaged_model_path() / "tokenizer.json"))
    untruncated.no_truncation()
    untruncated.no_padding()
    long = [t for t in texts if len(untruncated.encode(t).ids) > 256]
    assert len(long) >= 20
    # Cut at sentence-transformers' max_seq_length (256), not at the tokenizer file's 128 or the model's 512.
    assert {len(onnx._tokenizer.encode(t).ids) for t in long} == {256}
    reference = embedder.encode(texts)
    batched = onnx.encode(texts)
    cosine = np.sum(reference * batched, axis=1)
    assert cosine.min() >= 0.9999, texts[int(cosine.argmin())][:80]
    single = np.vstack([onnx.encode_one(t) for t in texts[::5]])
    assert np.sum(reference[::5] * single, axis=1).min() >= 0.9999
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_text_past_the_limit_is_cut_as_sentence_transformers_cuts_it(onnx, embedder):
    head = "The Committee on WIPO Standards agreed to the revision of ST.26. " * 30
    a, b = onnx.encode([head, head + "Nothing after the limit counts at all."])
    assert np.dot(a, b) > 0.999999
    assert np.dot(a, embedder.encode_one(head)) >= 0.9999


def test_export_is_kept_with_its_description_and_reused(export_dir, monkeypatch):
    assert export_dir.name == f"{NAME}-384"
    assert sorted(p.name for p in export_dir.iterdir()) == ["encoder.json", "model.onnx", "tokenizer.json"]
    info = json.loads((export_dir / "encoder.json").read_text())
    assert info["name"] == NAME and info["dimension"] == 384 and info["max_seq_length"] == 256
    assert not [p for p in export_dir.parent.iterdir() if p.name.startswith(".")]  # no temporary folder left

    def no_export(*_args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_encoder, "export", no_export)
    assert onnx_encoder.prepare(NAME, packaged_model_path(), export_dir.parent) == export_dir


def test_a_stale_export_is_made_again(export_dir, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(export_dir, models / export_dir.name)
    info_path = models / export_dir.name / "encoder.json"
    info = json.loads(info_path.read_text())
    info_path.write_text(json.dumps({**info, "fingerprint": "another model"}))
    assert onnx_encoder.prepare(NAME, packaged_model_path(), models) == models / export_dir.name
    assert json.loads(info_path.read_text())["fingerprint"] == info["fingerprint"]
    assert [p.name for p in models.iterdir()] == [export_dir.name]


def test_a_model_that_is_not_plain_mean_pooling_stays_on_sentence_transformers(tmp_path):
    model = tmp_path / "model"
    shutil.copytree(packaged_model_path(), model)
    pooling = json.loads((model / "1_Pooling" / "config.json").read_text())
    (model / "1_Pooling" / "config.json").write_text(json.dumps({**pooling, "pooling_mode_cls_token": True}))
    assert onnx_encoder.prepare(NAME, model, tmp_path / "models") is None
    assert not (tmp_path / "models").exists()


def test_get_embedder_uses_onnx_beside_the_index_and_keeps_one_per_process(export_dir):
    first = get_embedder(NAME, models_dir=export_dir.parent)
    assert isinstance(first, OnnxEmbedder) and first.encoder["library"] == "onnxruntime"
    assert get_embedder(NAME, models_dir=export_dir.parent) is first
    assert get_embedder(NAME).encoder["library"] == "sentence-transformers"  # without models_dir: the reference


def test_questions_use_one_thread_and_builds_every_core(export_dir):
    fresh = OnnxEmbedder(NAME, packaged_model_path(), export_dir)
    fresh.encode(["When does the ST.92 sunset period end?"])
    assert list(fresh._sessions) == [1]
    fresh.encode([f"passage number {i} about WIPO standards" for i in range(SMALL_INPUT)])
    assert sorted(fresh._sessions) == sorted({1, fresh.build_threads})


def test_progress_is_reported_per_batch_and_order_is_kept(onnx):
    seen: list[int] = []
    texts = [f"text {i} " * (i % 7 + 1) for i in range(onnx.batch_size + 5)]
    vectors = onnx.encode(texts, progress=seen.append)
    assert seen == [onnx.batch_size, 5]
    assert np.allclose(vectors[3], onnx.encode_one(texts[3]), atol=1e-5)


def test_encoding_from_many_threads_gives_the_same_vectors(onnx):
    text = "The Committee adopted ST.92."
    expected = onnx.encode_one(text)
    results: list[np.ndarray] = []
    threads = [threading.Thread(target=lambda: results.append(onnx.encode_one(text))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(np.allclose(r, expected, atol=1e-5) for r in results)


def test_cached_encoding_remembers_sentences(onnx):
    first = onnx.encode_cached(["A sentence worth remembering.", "Another one."])
    again = onnx.encode_cached(["Another one.", "A sentence worth remembering."])
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[1], first[0])


def test_build_json_records_the_encoder(onnx, built_settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text("CWS/99/1\n\nThe Committee adopted ST.99 at its ninety-ninth session.\n")
    root = tmp_path / "index"
    build_index(root, scan([corpus], include_records=False), onnx, progress=QUIET)
    assert read_info(live_build(root))["encoder"]["library"] == "onnxruntime"
    assert read_info(live_build(built_settings.index_root))["encoder"]["library"] == "sentence-transformers"


def _ran_without(args: list[str], env: dict[str, str]) -> tuple[str, list[str]]:
    """Run a `cws` command in a new process; its output and which heavy modules it imported."""
    script = (
        "import sys\n"
        "from cws.cli import cli\n"
        "code = 0\n"
        "try:\n"
        f"    cli({args!r}, prog_name='cws')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        f"print('HEAVY', [m for m in {HEAVY!r} if m in sys.modules])\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    heavy = eval(result.stdout.rsplit("HEAVY", 1)[1])
    return result.stdout, heavy


def test_cli_commands_do_not_import_torch(built_settings, export_dir, tmp_path):
    """`cws ask` on an indexed corpus with its export, status, atr and jobs list: none imports torch and company."""
    data = tmp_path / "data"
    shutil.copytree(built_settings.index_root, data / "index", symlinks=True)
    shutil.copytree(export_dir, data / "models" / export_dir.name)
    settings = make_settings(data, list(built_settings.corpus_dirs))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CWS_", "SLACK_"))},
        "CWS_DATA_DIR": str(settings.data_dir),
        "CWS_CORPUS_DIRS": os.pathsep.join(map(str, settings.corpus_dirs)),
    }
    out, heavy = _ran_without(["ask", "When does the ST.92 sunset period end?"], env)
    assert "ST.92" in out and heavy == []
    for command in (["status"], ["atr", "status"], ["jobs", "list"]):
        assert _ran_without(command, env)[1] == [], command
