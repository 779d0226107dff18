"""Versioned, incremental builds on real keyword indexes, real SQLite and the real model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from answering.engine import AnswerEngine
from corpus.ingest import ParsedDocument, Source
from corpus.loaders.errors import UnreadableDocument
from corpus.model import DocumentMeta, Passage
from index.build import (
    Plan,
    PreviousBuild,
    assemble,
    build_lock,
    content_hash,
    embed_passages,
    parse_documents,
    plan_build,
)
from index.errors import BuildLocked, ModelMismatch
from index.layout import complete_builds, live_name, read_info
from index.runner import run_build
from index.validate import live_build
from tests.conftest import REPO, make_settings

QUIET = lambda _label, _total: lambda _n: None


@pytest.fixture(scope="module")
def base_build(tmp_path_factory, shared_corpus, embedder):
    """A built index of a copy of the sample corpus, copied afresh by each test."""
    root = tmp_path_factory.mktemp("base")
    corpus = root / "corpus"
    shutil.copytree(shared_corpus, corpus)
    for path in [corpus, *corpus.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    settings = make_settings(root / "data", [corpus])
    summary = run_build(settings, embedder=embedder, progress=QUIET)
    return root, summary


@pytest.fixture()
def workspace(base_build, tmp_path, embedder):
    root, _ = base_build
    shutil.copytree(root, tmp_path / "ws")
    corpus, data = tmp_path / "ws" / "corpus", tmp_path / "ws" / "data"
    return make_settings(data, [corpus]), corpus


def build(settings, embedder, **kwargs):
    return run_build(settings, embedder=embedder, progress=QUIET, **kwargs)


def test_first_build_embeds_everything(base_build):
    _, summary = base_build
    assert summary.switched
    assert summary.passages_embedded == summary.passages > 100
    assert not summary.skipped
    assert any(doc.startswith("record:") for doc in summary.added)


def test_unchanged_reindex_does_no_work(workspace, embedder):
    settings, _ = workspace
    before = live_name(settings.index_root)
    summary = build(settings, embedder)
    assert summary.passages_embedded == 0
    assert not summary.switched
    assert live_name(settings.index_root) == before


def test_changed_document_reembeds_only_new_passages(workspace, embedder):
    settings, corpus = workspace
    target = next(corpus.glob("002_*.txt"))
    target.write_text(
        target.read_text(encoding="utf-8") + "\tThe zebra committee met on Mars in 2031.\n", encoding="utf-8"
    )
    before = live_name(settings.index_root)
    summary = build(settings, embedder)
    assert summary.changed == ["corpus/" + target.name]
    assert summary.passages_embedded == 1
    assert summary.switched and summary.previous == before
    assert len(complete_builds(settings.index_root)) == 2  # the previous build is kept for rollback
    answer = AnswerEngine(settings, embedder).ask("Where did the zebra committee meet?")
    assert "Mars" in answer.text


def test_removed_document_disappears(workspace, embedder):
    settings, corpus = workspace
    removed = next(corpus.glob("003_*.txt"))
    removed.unlink()
    summary = build(settings, embedder)
    assert summary.removed == ["corpus/" + removed.name]
    assert summary.passages_embedded == 0
    engine = AnswerEngine(settings, embedder)
    answer = engine.ask("Which industrial design collections joined the Global Design Database in 2021?")
    assert all(s.doc_id != "corpus/" + removed.name for s in answer.sources)


def test_corrupt_and_binary_files_are_skipped_and_reported(workspace, embedder):
    settings, corpus = workspace
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 this is not a real zip")
    (corpus / "image.pdf").write_bytes(b"%PDF-1.4\x00\x01\x02 garbage")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (corpus / "empty.md").write_text("")
    summary = build(settings, embedder)
    reasons = {Path(s.path).name: s.reason for s in summary.skipped}
    assert set(reasons) == {"broken.docx", "image.pdf", "binary.txt", "empty.md"}
    assert "binary" in reasons["binary.txt"] and "empty" in reasons["empty.md"]
    assert "corrupt" in reasons["broken.docx"]
    assert AnswerEngine(settings, embedder).ask("When does the ST.92 sunset period end?").found


def test_previously_indexed_document_that_breaks_keeps_its_old_version(workspace, embedder):
    settings, corpus = workspace
    target = next(corpus.glob("002_*.txt"))
    target.write_bytes(b"\x00\x01\x02" * 100)
    summary = build(settings, embedder)
    assert summary.kept_previous == ["corpus/" + target.name]
    answer = AnswerEngine(settings, embedder).ask(
        "How many Mexican patent documents were OCRed in Japan fiscal year 2023?"
    )
    assert any(s.doc_id == "corpus/" + target.name for s in answer.sources)


def test_serving_engine_picks_up_a_new_build_without_restart(workspace, embedder):
    settings, corpus = workspace
    engine = AnswerEngine(settings, embedder)
    first = engine.ask("What colour is the CWS mascot?")
    (corpus / "mascot.md").write_text("# Mascot\n\nThe CWS mascot is a turquoise pangolin named Stan.\n")
    build(settings, embedder)
    second = engine.ask("What colour is the CWS mascot?")
    assert "turquoise" not in first.text and "turquoise" in second.text
    assert second.index_version != first.index_version


def test_old_builds_are_pruned(workspace, embedder):
    settings, corpus = workspace
    for n in range(4):
        (corpus / f"note{n}.md").write_text(f"# Note {n}\n\nNote number {n} mentions ST.26.\n")
        build(settings, embedder)
    kept = complete_builds(settings.index_root)
    assert len(kept) == settings.index.keep_builds
    assert live_build(settings.index_root) == kept[-1]


class RenamedModel:
    """The real model under another identity, as if the configured model had changed."""

    def __init__(self, embedder):
        self._embedder = embedder
        self.name = "another-model"
        self.dimension = embedder.dimension

    def encode(self, texts, progress=None):
        return self._embedder.encode(texts, progress)

    def encode_one(self, text):
        return self._embedder.encode_one(text)


def test_model_change_means_full_reembed_never_mixed(workspace, embedder):
    settings, _ = workspace
    other = RenamedModel(embedder)
    summary = build(settings, other)
    assert summary.passages_embedded == summary.passages
    assert read_info(live_build(settings.index_root))["model"]["name"] == "another-model"
    with pytest.raises(ModelMismatch):
        AnswerEngine(settings, embedder).ask("What is ST.37?")


def test_full_rebuild_reembeds(workspace, embedder):
    settings, _ = workspace
    summary = build(settings, embedder, full=True)
    assert summary.passages_embedded == summary.passages and summary.switched


def test_stages_are_reported_in_order(workspace, embedder):
    settings, corpus = workspace
    (corpus / "stages.md").write_text("# Stages\n\nA build reports each of its stages to the test seam.\n")
    stages: list[str] = []
    summary = build(settings, embedder, after_stage=stages.append)
    assert stages == ["parsed", "embedded", "stored", "keyword", "validated", "switched"]
    assert summary.added == ["corpus/stages.md"] and summary.passages_embedded == 1


def test_a_second_concurrent_build_is_refused(workspace, embedder):
    settings, _ = workspace
    with build_lock(settings.index_root), pytest.raises(BuildLocked):
        build(settings, embedder, full=True)


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    from tests.conftest import make_settings
    from index.runner import run_build
    from pathlib import Path
    settings = make_settings(Path({data!r}), [Path({corpus!r})])
    def stage(name):
        if name == {stage!r}:
            os.kill(os.getpid(), signal.SIGKILL)
    run_build(settings, progress=lambda l, t: (lambda n: None), after_stage=stage, full=True)
    """
)


@pytest.mark.parametrize("stage", ["embedded", "keyword", "validated"])
def test_build_killed_midway_leaves_previous_index_answering(workspace, embedder, stage):
    settings, corpus = workspace
    before = live_name(settings.index_root)
    script = KILLER.format(repo=str(REPO), data=str(settings.data_dir), corpus=str(corpus), stage=stage)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=300)
    assert process.returncode == -9, process.stderr.decode()[-2000:]
    assert live_name(settings.index_root) == before
    engine = AnswerEngine(settings, embedder)
    assert "July 1, 2027" in engine.ask("When does the ST.92 sunset period end?").text
    # The next build cleans up the debris and succeeds.
    summary = build(settings, embedder, full=True)
    assert summary.switched
    leftovers = [p for p in (settings.index_root / "builds").iterdir() if not (p / "build.json").exists()]
    assert leftovers == []
    assert json.loads((live_build(settings.index_root) / "build.json").read_text())["counts"]["passages"] > 100


# -- the stages alone, without the model or a build on disk ----------------------------------------------------------


def source(doc_id: str, fingerprint: str, text: str | None = "Some text.") -> Source:
    """A document to index; `text=None` makes it unreadable."""

    def parse() -> ParsedDocument:
        if text is None:
            raise UnreadableDocument("binary file", doc_id)
        meta = DocumentMeta(doc_id=doc_id, path=doc_id, title=doc_id)
        return ParsedDocument(meta, [Passage(f"{doc_id}#1", doc_id, 0, "1", "", text)])

    return Source(doc_id, doc_id, fingerprint, parse)


def test_plan_compares_fingerprints_and_a_model_change_makes_every_known_document_changed():
    sources = {"a": source("a", "1"), "b": source("b", "new"), "d": source("d", "4")}
    previous = PreviousBuild(fingerprints={"a": "1", "b": "2", "c": "3"}, vectors=np.zeros((3, 4), dtype=np.float32))
    assert plan_build(sources, previous) == Plan(added=["d"], changed=["b"], removed=["c"], unchanged=["a"])
    other_model = PreviousBuild(fingerprints=previous.fingerprints)
    assert plan_build(sources, other_model) == Plan(added=["d"], changed=["a", "b"], removed=["c"], unchanged=[])
    assert plan_build({"a": source("a", "1")}, previous).nothing_changed is False
    assert plan_build({"a": source("a", "1"), "b": source("b", "2"), "c": source("c", "3")}, previous).nothing_changed


def test_an_unreadable_document_is_skipped_and_a_known_one_keeps_its_previous_version():
    sources = {"new": source("new", "1", text=None), "old": source("old", "2", text=None), "ok": source("ok", "3")}
    previous = PreviousBuild(fingerprints={"old": "was"})
    plan = plan_build(sources, previous)
    parsed = parse_documents(plan, sources, previous, QUIET)
    assert list(parsed.documents) == ["ok"]
    assert [s.path for s in parsed.skipped] == ["new", "old"]
    assert parsed.kept_previous == ["old"]
    assert plan.readable(parsed.documents) == Plan(added=["ok"], changed=[], removed=[], unchanged=[])


def test_assemble_orders_documents_by_id_with_their_fingerprints():
    sources = {"b": source("b", "fb"), "a": source("a", "fa")}
    previous = PreviousBuild()
    plan = plan_build(sources, previous)
    documents = assemble(plan, parse_documents(plan, sources, previous, QUIET), sources, previous)
    summary = [(d.meta.doc_id, d.fingerprint, d.passages[0].passage_id) for d in documents]
    assert summary == [("a", "fa", "a#1"), ("b", "fb", "b#1")]


class CountingModel:
    """Encodes each text as a distinct unit vector, and remembers what it was asked to encode."""

    name = "counting-model"
    dimension = 4

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts, progress=None):
        self.encoded += texts
        return np.eye(self.dimension, dtype=np.float32)[: len(texts)]


def test_embedding_reuses_vectors_by_content_hash_and_encodes_only_the_rest():
    meta = DocumentMeta(doc_id="d", path="d", title="d")
    kept = Passage("d#1", "d", 0, "1", "Heading", "Kept text.")
    new = Passage("d#2", "d", 1, "2", "Heading", "New text.")
    model = CountingModel()
    old_vector = np.full((1, 4), 0.5, dtype=np.float32)
    previous = PreviousBuild(hash_rows={content_hash(model.name, kept): 0}, vectors=old_vector)
    vectors = embed_passages([(kept, meta), (new, meta)], model, previous, QUIET)
    assert model.encoded == ["Heading\nNew text."]
    assert vectors.embedded == 1
    assert vectors.hashes == [content_hash(model.name, kept), content_hash(model.name, new)]
    np.testing.assert_array_equal(vectors.matrix, np.vstack([old_vector, np.eye(4, dtype=np.float32)[:1]]))
