"""Incremental, versioned index builds.

Each build goes into a new directory, reusing what the live build already has:
unchanged documents are not parsed, unchanged passages keep their vectors (matched by
content hash); the keyword fields are rebuilt, which takes seconds. The
new build is validated and only then made live; older builds are kept for rollback.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from corpus.ingest import ParsedDocument, Scan, Skipped, Source
from corpus.loaders.errors import CorpusError
from corpus.model import DocumentMeta, Passage
from index.errors import BuildLocked
from index import keyword, store
from index.embedding import Embedder
from index.layout import (
    BUILD_INFO,
    LOCK,
    VECTORS,
    builds_dir,
    complete_builds,
    is_complete,
    live_build,
    live_name,
    new_build_name,
    read_info,
    switch_live,
    write_atomically,
)
from index.validate import validate_build

log = logging.getLogger(__name__)

Progress = Callable[[str, int], Callable[[int], None]]


@dataclass
class BuildSummary:
    version: str | None
    previous: str | None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    kept_previous: list[str] = field(default_factory=list)
    passages: int = 0
    passages_embedded: int = 0
    documents: int = 0
    seconds: float = 0.0
    switched: bool = False

    def as_dict(self) -> dict:
        return {
            "version": self.version,
            "previous": self.previous,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": len(self.unchanged),
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "kept_previous": self.kept_previous,
            "documents": self.documents,
            "passages": self.passages,
            "passages_embedded": self.passages_embedded,
            "seconds": round(self.seconds, 2),
            "switched": self.switched,
        }


def embedding_text(passage: Passage | store.StoredPassage) -> str:
    """What the model sees: the heading situates a paragraph, the lead-in a table row."""
    parts = [passage.context if passage.kind == "table_row" else passage.heading, passage.text]
    return "\n".join(p for p in parts if p)


def content_hash(model: str, passage: Passage) -> str:
    return hashlib.sha256(f"{model}\x00{embedding_text(passage)}".encode()).hexdigest()


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildLocked(f"another build is running in {root}") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _no_progress(_label: str, _total: int) -> Callable[[int], None]:
    return lambda _n: None


class _Previous:
    """What the live build offers for reuse (nothing, on a first build)."""

    def __init__(self, directory: Path | None, model: str, dimension: int) -> None:
        self.directory = directory
        self.documents: dict[str, object] = {}
        self.hash_rows: dict[str, int] = {}
        self.vectors: np.ndarray | None = None
        self.reusable_vectors = False
        self.keyword_reusable = False
        if directory is None:
            return
        info = read_info(directory)
        passages = store.PassageStore(directory)
        self.documents = passages.documents()
        self.store = passages
        same_model = info["model"] == {"name": model, "dimension": dimension}
        if same_model:
            self.hash_rows = passages.hashes()
            self.vectors = np.load(directory / VECTORS, mmap_mode="r")
            self.reusable_vectors = True
        else:
            log.warning("model changed (%s → %s): every passage will be re-embedded", info["model"], model)
        self.keyword_reusable = info.get("keyword_schema") == keyword.SCHEMA_VERSION


def _prune(root: Path, keep: int, protect: set[str]) -> None:
    """Remove failed partial builds and all but the newest `keep` complete ones."""
    folder = builds_dir(root)
    for path in folder.iterdir():
        if path.is_dir() and not is_complete(path) and path.name not in protect:
            shutil.rmtree(path, ignore_errors=True)
    complete = complete_builds(root)
    for path in complete[: max(0, len(complete) - keep)]:
        if path.name not in protect:
            shutil.rmtree(path, ignore_errors=True)


def build_index(
    root: Path,
    scan: Scan,
    embedder: Embedder,
    keep_builds: int = 3,
    progress: Progress = _no_progress,
    sources_label: list[str] | None = None,
    after_stage: Callable[[str], None] | None = None,
    full: bool = False,
) -> BuildSummary:
    """Build a new version from `scan` and make it live; returns what changed.

    `full` ignores the live build (re-parse and re-embed everything).
    `after_stage(name)` is a test seam: it is called after each stage so a test can
    kill the process mid-build and check that the live index survives.
    """
    started = time.monotonic()
    stage = after_stage or (lambda _name: None)
    with build_lock(root):
        builds_dir(root).mkdir(parents=True, exist_ok=True)
        previous_dir = None if full else live_build(root)
        previous = _Previous(previous_dir, embedder.name, embedder.dimension)
        summary = BuildSummary(version=None, previous=live_name(root), skipped=list(scan.skipped))
        by_id: dict[str, Source] = {s.doc_id: s for s in scan.sources}
        for doc_id, source in by_id.items():
            old = previous.documents.get(doc_id)
            if old is None:
                summary.added.append(doc_id)
            elif old["fingerprint"] == source.fingerprint and previous.reusable_vectors:  # type: ignore[index]
                summary.unchanged.append(doc_id)
            else:
                summary.changed.append(doc_id)
        summary.removed = sorted(set(previous.documents) - set(by_id))
        if previous_dir and previous.keyword_reusable and not (summary.added or summary.changed or summary.removed):
            summary.version = previous_dir.name
            summary.documents = len(previous.documents)
            summary.passages = previous.store.count()
            summary.seconds = time.monotonic() - started
            log.info("index %s is up to date; nothing to build", previous_dir.name)
            return summary

        parsed: dict[str, ParsedDocument] = {}
        to_parse = summary.added + summary.changed
        tick = progress("Reading documents", len(to_parse))
        for doc_id in to_parse:
            source = by_id[doc_id]
            try:
                parsed[doc_id] = source.parse()
            except CorpusError as exc:
                summary.skipped.append(Skipped(source.path, str(exc)))
                if doc_id in previous.documents:
                    summary.kept_previous.append(doc_id)
            tick(1)
        summary.added = [d for d in summary.added if d in parsed]
        summary.changed = [d for d in summary.changed if d in parsed]
        stage("parsed")

        name = new_build_name()
        directory = builds_dir(root) / name
        directory.mkdir()
        # Assemble documents in a stable order: carried-forward ones from the previous build.
        carried = summary.unchanged + summary.kept_previous
        documents: list[tuple[DocumentMeta, str, list[Passage]]] = []
        if carried:
            old_rows: dict[str, list] = {}
            for r in previous.store.rows_for_docs(carried):
                old_rows.setdefault(r["doc_id"], []).append(r)
            for doc_id in carried:
                doc_row = previous.documents[doc_id]
                meta = store.row_to_meta(doc_row)  # type: ignore[arg-type]
                passages = [store.row_to_passage(r) for r in old_rows.get(doc_id, [])]
                documents.append((meta, doc_row["fingerprint"], passages))  # type: ignore[index]
        for doc_id in summary.added + summary.changed:
            documents.append((parsed[doc_id].meta, by_id[doc_id].fingerprint, parsed[doc_id].passages))
        documents.sort(key=lambda item: item[0].doc_id)

        passages_flat: list[tuple[Passage, DocumentMeta]] = [(p, m) for m, _, ps in documents for p in ps]
        hashes = [content_hash(embedder.name, p) for p, _ in passages_flat]
        vectors = np.zeros((len(passages_flat), embedder.dimension), dtype=np.float32)
        missing: list[int] = []
        for row, digest in enumerate(hashes):
            old_row = previous.hash_rows.get(digest)
            if old_row is not None and previous.vectors is not None:
                vectors[row] = previous.vectors[old_row]
            else:
                missing.append(row)
        if missing:
            texts = [embedding_text(passages_flat[row][0]) for row in missing]
            vectors[missing] = embedder.encode(texts, progress=progress("Embedding passages", len(texts)))
        summary.passages_embedded = len(missing)
        np.save(directory / VECTORS, vectors)
        stage("embedded")

        store.create(
            directory,
            (store.document_record(m, fp) for m, fp, _ in documents),
            (store.passage_record(row, p, hashes[row]) for row, (p, _) in enumerate(passages_flat)),
        )
        stage("stored")

        # The keyword fields are rebuilt from every passage: BM25 weights depend on the
        # whole collection, and analysing 100,000 passages takes seconds, not minutes.
        tick = progress("Keyword index", len(passages_flat))
        keyword.write_index(directory / keyword.KEYWORD_DIR, (keyword.passage_terms(p, m) for p, m in passages_flat), tick)
        stage("keyword")

        summary.documents = len(documents)
        summary.passages = len(passages_flat)
        summary.version = name
        info = {
            "version": name,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "model": {"name": embedder.name, "dimension": embedder.dimension},
            "keyword_schema": keyword.SCHEMA_VERSION,
            "counts": {"documents": len(documents), "passages": len(passages_flat)},
            "sources": sources_label or [],
            "previous": summary.previous,
        }
        validate_build(directory, info, embedder)
        stage("validated")
        write_atomically(directory / BUILD_INFO, json.dumps(info, indent=2))
        switch_live(root, name)
        summary.switched = True
        stage("switched")
        _prune(root, keep_builds, protect={name})
        summary.seconds = time.monotonic() - started
        log.info(
            "built index %s: %d added, %d changed, %d removed, %d unchanged, %d skipped, "
            "%d passages (%d embedded) in %.1fs",
            name, len(summary.added), len(summary.changed), len(summary.removed),
            len(summary.unchanged), len(summary.skipped), summary.passages,
            summary.passages_embedded, summary.seconds,
        )
        return summary
