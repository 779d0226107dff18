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
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from corpus.ingest import ParsedDocument, Scan, Skipped, Source, Unreadable
from corpus.loaders.errors import CorpusError
from corpus.model import DocumentMeta, Passage
from index import keyword, store
from index.embedding import Embedder, encoder_record
from index.errors import BuildLocked
from index.layout import (
    BUILD_INFO,
    LOCK,
    VECTORS,
    builds_dir,
    complete_builds,
    is_complete,
    live_name,
    new_build_name,
    read_info,
    remove_partial_builds,
    switch_live,
    write_atomically,
)
from index.removals import RECORD_PREFIX, SourceFailed, check_removals
from index.validate import live_build, validate_build

log = logging.getLogger(__name__)

Progress = Callable[[str, int], Callable[[int], None]]


@dataclass
class BuildSummary:
    """What a build did, by document id: what `cws index`, the nightly job and the tests report."""

    version: str | None
    previous: str | None
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    # the same file as before, re-read and re-embedded all the same (`--full`, a model change)
    reembedded: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    kept_previous: list[str] = field(default_factory=list)  # unreadable or corrupt now: the last good version kept
    warnings: list[str] = field(default_factory=list)
    passages: int = 0
    passages_embedded: int = 0
    documents: int = 0
    seconds: float = 0.0
    switched: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "previous": self.previous,
            "added": self.added,
            "changed": self.changed,
            "reembedded": self.reembedded,
            "removed": self.removed,
            "unchanged": len(self.unchanged),
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "kept_previous": self.kept_previous,
            "warnings": self.warnings,
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


LOCK_POLL_SECONDS = 0.2


def lock_holder(root: Path) -> str:
    """Who holds the build lock, as its holder wrote it: "process 12345 (started 2026-01-03 14:02:11)"."""
    try:
        pid, _, started = (root / LOCK).read_text().strip().partition(" ")
    except OSError:
        pid, started = "", ""
    if not pid.isdigit():
        return "another process"  # between its taking the lock and writing its pid, or an older version
    return f"process {pid}" + (f" (started {started})" if started else "")


@contextmanager
def build_lock(root: Path, wait: float | None = 0.0, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the data directory's build lock, with this process's pid and start time written in the lock file so
    that a second build can say whom it waits for.

    `wait`: seconds to wait while another process holds it (0: refuse at once, None: until it is free);
    `on_wait(holder)` is called once, when waiting starts. Giving up (the time is over, or Ctrl-C while waiting)
    raises BuildLocked naming the holder.
    """
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+") as handle:
        _acquire(handle, root, wait, on_wait)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()} {datetime.now().astimezone():%Y-%m-%d %H:%M:%S}\n")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()  # a free lock names no one
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _acquire(handle: Any, root: Path, wait: float | None, on_wait: Callable[[str], None] | None) -> None:
    deadline = None if wait is None else time.monotonic() + wait
    waiting = False
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError as exc:
                if deadline is not None and time.monotonic() >= deadline:
                    if waiting:
                        raise BuildLocked(
                            f"gave up after {wait:g}s waiting for the build lock held by {lock_holder(root)}"
                        ) from exc
                    raise BuildLocked(
                        f"another build is running in {root}: the build lock is held by {lock_holder(root)}"
                    ) from exc
            if not waiting:
                waiting = True
                if on_wait is not None:
                    on_wait(lock_holder(root))
            time.sleep(LOCK_POLL_SECONDS)
    except KeyboardInterrupt:
        if not waiting:
            raise
        raise BuildLocked(f"gave up waiting for the build lock held by {lock_holder(root)}") from None


def _no_progress(_label: str, _total: int) -> Callable[[int], None]:
    return lambda _n: None


def _no_stage(_name: str) -> None:
    return None


@dataclass(frozen=True)
class BuildDocument:
    """One document of the build being assembled, parsed now or carried forward from the live build."""

    meta: DocumentMeta
    fingerprint: str
    passages: list[Passage]


# Each passage with its document, in vector-row order: what the vector, table and keyword stages all read.
IndexedPassages = list[tuple[Passage, DocumentMeta]]

PROVENANCE = "provenance"  # a table in the build's passages.db: each document's source and when it was indexed


@dataclass(frozen=True)
class Provenance:
    """Where a document of a build came from (None for the built-in records) and when this version was indexed."""

    source: str | None
    indexed_at: str


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def has_provenance(directory: Path) -> bool:
    """False for a build written before sources were recorded."""
    tables = store.PassageStore(directory).query("select name from sqlite_master where type = 'table'")
    return any(r[0] == PROVENANCE for r in tables)


def read_provenance(directory: Path) -> dict[str, Provenance]:
    """Every document of a build with its source; for a build written before sources were recorded, the source
    is the build's folder that holds the document's file, and the time is the build's."""
    if has_provenance(directory):
        rows = store.PassageStore(directory).query(f"select doc_id, source, indexed_at from {PROVENANCE}")
        return {r[0]: Provenance(r[1], r[2]) for r in rows}
    info = read_info(directory)
    roots = [Path(s) for s in info.get("sources", [])]
    found: dict[str, Provenance] = {}
    for doc_id, path in store.PassageStore(directory).query("select doc_id, path from documents"):
        owner = (
            None
            if doc_id.startswith(RECORD_PREFIX)
            else next((str(r) for r in roots if Path(path) == r or Path(path).is_relative_to(r)), None)
        )
        found[doc_id] = Provenance(owner, info.get("created", ""))
    return found


def write_provenance(
    directory: Path,
    documents: list[BuildDocument],
    sources: dict[str, Source],
    previous: PreviousBuild,
    fresh: set[str],
) -> None:
    """`fresh` documents were parsed now; the others keep the time they were indexed. Sources come from this scan,
    or from the previous build for a document kept without being read."""
    now = _now()
    rows = []
    for d in documents:
        doc_id = d.meta.doc_id
        before = previous.provenance.get(doc_id)
        if doc_id in sources:
            source = sources[doc_id].origin or None
        else:
            source = before.source if before else None
        indexed_at = now if doc_id in fresh or before is None else before.indexed_at
        rows.append({"doc_id": doc_id, "source": source, "indexed_at": indexed_at})
    db = sqlite_utils.Database(directory / store.DB_NAME)
    with db.conn:
        db.table(PROVENANCE).insert_all(rows, pk="doc_id")
    db.close()


@dataclass(eq=False)
class PreviousBuild:
    """What the live build offers for reuse (nothing, on a first or full build).

    Its vectors are offered only when it was embedded by the same model: never mix two models' vectors.
    """

    directory: Path | None = None
    fingerprints: dict[str, str] = field(default_factory=dict)  # doc_id → fingerprint
    hash_rows: dict[str, int] = field(default_factory=dict)  # content hash → vector row
    vectors: np.ndarray | None = None
    keyword_reusable: bool = False
    provenance: dict[str, Provenance] = field(default_factory=dict)  # doc_id → source, indexed at

    @classmethod
    def load(cls, directory: Path | None, model: str, dimension: int) -> PreviousBuild:
        if directory is None:
            return cls()
        info = read_info(directory)
        db = store.PassageStore(directory)
        keyword_reusable = info.get("keyword_schema") == keyword.SCHEMA_VERSION
        previous = cls(directory, db.fingerprints(), keyword_reusable=keyword_reusable)
        previous.provenance = read_provenance(directory)
        if info["model"] == {"name": model, "dimension": dimension}:
            previous.hash_rows = db.hashes()
            previous.vectors = np.load(directory / VECTORS, mmap_mode="r")
        else:
            log.warning("model changed (%s → %s): every passage will be re-embedded", info["model"], model)
        return previous

    @property
    def reusable_vectors(self) -> bool:
        return self.vectors is not None

    def for_full_build(self) -> PreviousBuild:
        """Nothing is reused (every document re-read, every passage re-embedded), but what cannot be read now
        still keeps its last good version, and removals are still checked against this build."""
        return replace(self, hash_rows={}, vectors=None, keyword_reusable=False)

    def carry_forward(self, doc_ids: list[str]) -> list[BuildDocument]:
        """The documents `doc_ids` as this build stored them, so they need not be parsed again."""
        if not doc_ids or self.directory is None:
            return []
        db = store.PassageStore(self.directory)
        rows = db.documents()
        passages: dict[str, list[Passage]] = {doc_id: [] for doc_id in doc_ids}
        for r in db.rows_for_docs(doc_ids):
            passages[r["doc_id"]].append(store.row_to_passage(r))
        return [BuildDocument(store.row_to_meta(rows[d]), rows[d]["fingerprint"], passages[d]) for d in doc_ids]


@dataclass(frozen=True)
class Plan:
    """What a build does with each document id: parse the added and changed, carry the unchanged forward."""

    added: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: list[str]
    kept: list[str] = field(default_factory=list)  # in a file or folder that cannot be read now: carried forward

    @property
    def to_parse(self) -> list[str]:
        return self.added + self.changed

    @property
    def nothing_changed(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def readable(self, parsed: dict[str, ParsedDocument]) -> Plan:
        """The plan without the documents that could not be parsed (reported as skipped instead)."""
        added, changed = [d for d in self.added if d in parsed], [d for d in self.changed if d in parsed]
        return replace(self, added=added, changed=changed)


def plan_build(sources: dict[str, Source], previous: PreviousBuild, unreadable: list[Unreadable] | None = None) -> Plan:
    """Compare fingerprints with the live build; a model change makes every known document changed.

    A known document that was not found because its file or folder cannot be read is kept, not removed.
    """
    added: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    for doc_id, source in sources.items():
        fingerprint = previous.fingerprints.get(doc_id)
        if fingerprint is None:
            added.append(doc_id)
        elif fingerprint == source.fingerprint and previous.reusable_vectors:
            unchanged.append(doc_id)
        else:
            changed.append(doc_id)
    missing = sorted(set(previous.fingerprints) - set(sources))
    kept = [d for d in missing if any(u.covers(d) for u in unreadable or ())]
    return Plan(added, changed, [d for d in missing if d not in kept], unchanged, kept)


@dataclass(frozen=True)
class Parsed:
    """The documents read, and those that could not be: a known one of these keeps its previous version."""

    documents: dict[str, ParsedDocument]
    skipped: list[Skipped]
    kept_previous: list[str]


def parse_documents(plan: Plan, sources: dict[str, Source], previous: PreviousBuild, progress: Progress) -> Parsed:
    documents: dict[str, ParsedDocument] = {}
    skipped: list[Skipped] = []
    kept_previous: list[str] = []
    tick = progress("Reading documents", len(plan.to_parse))
    for doc_id in plan.to_parse:
        source = sources[doc_id]
        try:
            documents[doc_id] = source.parse()
        except CorpusError as exc:
            skipped.append(Skipped(source.path, getattr(exc, "reason", None) or str(exc), doc_id))  # path shown once
            if doc_id in previous.fingerprints:
                kept_previous.append(doc_id)
        tick(1)
    return Parsed(documents, skipped, kept_previous)


def assemble(plan: Plan, parsed: Parsed, sources: dict[str, Source], previous: PreviousBuild) -> list[BuildDocument]:
    """Every document of the new build, carried forward or freshly parsed, in a stable order (by doc_id)."""
    documents = previous.carry_forward(plan.unchanged + plan.kept + parsed.kept_previous)
    for doc_id, document in parsed.documents.items():
        documents.append(BuildDocument(document.meta, sources[doc_id].fingerprint, document.passages))
    documents.sort(key=lambda d: d.meta.doc_id)
    return documents


@dataclass(frozen=True, eq=False)
class Vectors:
    """The new build's vector matrix and each row's content hash; only `embedded` rows went through the model."""

    matrix: np.ndarray
    hashes: list[str]
    embedded: int


def embed_passages(
    passages: IndexedPassages, embedder: Embedder, previous: PreviousBuild, progress: Progress
) -> Vectors:
    """Reuse the previous vector of every passage whose content hash it has; encode only the others."""
    hashes = [content_hash(embedder.name, p) for p, _ in passages]
    matrix = np.zeros((len(passages), embedder.dimension), dtype=np.float32)
    missing: list[int] = []
    for row, digest in enumerate(hashes):
        old_row = previous.hash_rows.get(digest)
        if old_row is not None and previous.vectors is not None:
            matrix[row] = previous.vectors[old_row]
        else:
            missing.append(row)
    if missing:
        texts = [embedding_text(passages[row][0]) for row in missing]
        matrix[missing] = embedder.encode(texts, progress=progress("Embedding passages", len(texts)))
    return Vectors(matrix, hashes, len(missing))


def write_tables(directory: Path, documents: list[BuildDocument], passages: IndexedPassages, hashes: list[str]) -> None:
    store.create(
        directory,
        (store.document_record(d.meta, d.fingerprint) for d in documents),
        (store.passage_record(row, p, hashes[row]) for row, (p, _) in enumerate(passages)),
    )


def write_keyword_index(directory: Path, passages: IndexedPassages, progress: Progress) -> None:
    """Rebuilt from every passage: BM25 weights depend on the whole collection, and analysing
    100,000 passages takes seconds, not minutes."""
    tick = progress("Keyword index", len(passages))
    keyword.write_index(directory / keyword.KEYWORD_DIR, (keyword.passage_terms(p, m) for p, m in passages), tick)


def build_info(
    name: str, embedder: Embedder, documents: int, passages: int, sources_label: list[str] | None, previous: str | None
) -> dict[str, Any]:
    """build.json: what validation checks the build against, and what a later build reads to reuse it."""
    return {
        "version": name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": {"name": embedder.name, "dimension": embedder.dimension},
        "encoder": encoder_record(embedder),  # which library wrote the new vectors (both give the same ones)
        "keyword_schema": keyword.SCHEMA_VERSION,
        "counts": {"documents": documents, "passages": passages},
        "sources": sources_label or [],
        "previous": previous,
    }


def make_live(root: Path, directory: Path, info: dict[str, Any]) -> None:
    """build.json is written last, so only a complete build can be switched to."""
    write_atomically(directory / BUILD_INFO, json.dumps(info, indent=2))
    switch_live(root, directory.name)


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


def _up_to_date(summary: BuildSummary, live: Path, started: float) -> BuildSummary:
    """The live build already holds exactly this: report it, write nothing."""
    summary.version = live.name
    db = store.PassageStore(live)
    summary.documents = len(db.fingerprints())
    summary.passages = db.count()
    summary.seconds = time.monotonic() - started
    log.info("index %s is up to date; nothing to build", live.name)
    return summary


def build_index(
    root: Path,
    scan: Scan,
    embedder: Embedder,
    keep_builds: int = 3,
    progress: Progress = _no_progress,
    sources_label: list[str] | None = None,
    after_stage: Callable[[str], None] | None = None,
    full: bool = False,
    max_removed_fraction: float = 0.2,
    allow_removals: bool = False,
    removed_on_purpose: frozenset[str] = frozenset(),
    lock_wait: float | None = 0.0,
    on_lock_wait: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Build a new version from `scan` and make it live; returns what changed.

    `full` re-parses and re-embeds everything (a document that cannot be read now still keeps its last good
    version). Unless `allow_removals`, a build that would remove more than `max_removed_fraction` of the
    documents, or all of a source's, raises RemovalRefused before anything is written; documents of the sources
    in `removed_on_purpose` may leave. A source that failed to scan (invalid manifest) raises SourceFailed.
    A run in which nothing changed writes no new build, so no-op runs never push rollback points out.
    `after_stage(name)` is a test seam: it is called after each stage so a test can
    kill the process mid-build and check that the live index survives. While another process builds, wait up to
    `lock_wait` seconds for it (None: until it is done), calling `on_lock_wait(holder)` once (`build_lock`).
    """
    started = time.monotonic()
    stage = after_stage or _no_stage
    if scan.failures:
        raise SourceFailed(
            "\n".join(f"cannot index: {failure}" for failure in scan.failures)
            + "\nNothing was indexed and the live index is unchanged; fix the manifest and run 'cws index' again."
        )
    with build_lock(root, wait=lock_wait, on_wait=on_lock_wait):
        builds_dir(root).mkdir(parents=True, exist_ok=True)
        remove_partial_builds(root, locked=True)  # folders a killed build left behind
        previous = PreviousBuild.load(live_build(root), embedder.name, embedder.dimension)
        if full:
            previous = previous.for_full_build()
        sources = {s.doc_id: s for s in scan.sources}
        plan = plan_build(sources, previous, scan.unreadable)
        if not allow_removals:
            sources_of = {doc_id: p.source for doc_id, p in previous.provenance.items()}
            check_removals(plan.removed, sources_of, scan.roots, set(removed_on_purpose), max_removed_fraction)
        summary = BuildSummary(
            version=None,
            previous=live_name(root),
            removed=plan.removed,
            unchanged=plan.unchanged,
            skipped=list(scan.skipped),
            kept_previous=list(plan.kept),
            warnings=list(scan.warnings),
        )
        if previous.directory and previous.keyword_reusable and plan.nothing_changed:
            return _up_to_date(summary, previous.directory, started)

        parsed = parse_documents(plan, sources, previous, progress)
        plan = plan.readable(parsed.documents)
        summary.added = plan.added
        # Same bytes as the live build's: re-read and re-embedded all the same (--full, a model change).
        same = {d for d in plan.changed if previous.fingerprints.get(d) == sources[d].fingerprint}
        summary.changed = [d for d in plan.changed if d not in same]
        summary.reembedded = [d for d in plan.changed if d in same]
        summary.skipped += parsed.skipped
        summary.kept_previous += parsed.kept_previous
        if previous.directory and previous.keyword_reusable and plan.nothing_changed:
            return _up_to_date(summary, previous.directory, started)  # what could not be read is no change
        stage("parsed")

        name = new_build_name()
        directory = builds_dir(root) / name
        directory.mkdir()
        documents = assemble(plan, parsed, sources, previous)
        passages: IndexedPassages = [(p, d.meta) for d in documents for p in d.passages]
        vectors = embed_passages(passages, embedder, previous, progress)
        np.save(directory / VECTORS, vectors.matrix)
        summary.passages_embedded = vectors.embedded
        stage("embedded")
        write_tables(directory, documents, passages, vectors.hashes)
        write_provenance(directory, documents, sources, previous, fresh=set(parsed.documents))
        stage("stored")
        write_keyword_index(directory, passages, progress)
        stage("keyword")

        info = build_info(name, embedder, len(documents), len(passages), sources_label, summary.previous)
        validate_build(directory, info, embedder)
        stage("validated")
        make_live(root, directory, info)
        summary.version, summary.documents, summary.passages = name, len(documents), len(passages)
        summary.switched = True
        stage("switched")
        _prune(root, keep_builds, protect={name})
        summary.seconds = time.monotonic() - started
        log.info(
            "built index %s: %d added, %d changed, %d removed, %d unchanged, %d skipped, "
            "%d passages (%d embedded) in %.1fs",
            name,
            len(summary.added),
            len(summary.changed),
            len(summary.removed),
            len(summary.unchanged),
            len(summary.skipped),
            summary.passages,
            summary.passages_embedded,
            summary.seconds,
        )
        return summary
