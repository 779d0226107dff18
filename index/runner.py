"""Runs a build of every indexed source for the CLI, the nightly job and `cws ask` on a fresh data directory."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

from tqdm import tqdm

from config.settings import Settings
from corpus.ingest import scan
from index.build import BuildSummary, build_index
from index.embedding import Embedder, encoder_record
from index.encoders import embedder_for
from index.removals import RECORD_PREFIX
from index.sources import SourceList, add_source, resolve_sources

NAMED = 3  # files named per line of the summary before "and N more"
LISTED = 5  # skipped files listed with their reasons before "and N more skipped"


def tqdm_progress(label: str, total: int) -> Callable[[int], None]:
    """A progress bar on stderr at a terminal; nothing when there is nothing to do, or in a log or a pipe."""
    if total == 0:
        return lambda _n: None
    bar = tqdm(total=total, desc=label, unit="item", file=sys.stderr, leave=False, dynamic_ncols=True, disable=None)

    def tick(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return tick


def run_build(
    settings: Settings,
    paths: Sequence[Path] = (),
    embedder: Embedder | None = None,
    progress: Callable[[str, int], Callable[[int], None]] = tqdm_progress,
    after_stage: Callable[[str], None] | None = None,
    full: bool = False,
    allow_removals: bool = False,
    lock_wait: float | None = 0.0,
    on_lock_wait: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Build from every indexed source (index.sources); `paths` are added to the sources first, as `cws index
    PATH` does, never instead of them. Removals beyond `index.max_removed_fraction` need `allow_removals`.
    While another process builds, wait up to `lock_wait` seconds (None: until it is done; `build_lock`)."""
    _quiet_bm25s()
    for path in paths:
        add_source(settings, path, how="index")
    sources = resolve_sources(settings)
    model = embedder or cast(Embedder, _Deferred(lambda: embedder_for(settings)))
    return build_index(
        settings.index_root,
        scan([s.path for s in sources]),
        model,
        keep_builds=settings.index.keep_builds,
        progress=progress,
        sources_label=[str(s.path) for s in sources],
        after_stage=after_stage,
        full=full,
        max_removed_fraction=settings.index.max_removed_fraction,
        allow_removals=allow_removals,
        removed_on_purpose=SourceList(settings.data_dir).removed(),
        lock_wait=lock_wait,
        on_lock_wait=on_lock_wait,
    )


class _Deferred:
    """The configured model, loaded when the build first uses it, which is once it holds the build lock: a build
    that has to wait says so at once instead of after loading (or first exporting) the model."""

    def __init__(self, load: Callable[[], Embedder]) -> None:
        self._load = load
        self._model: Embedder | None = None

    def _loaded(self) -> Embedder:
        if self._model is None:
            self._model = self._load()
        return self._model

    @property
    def encoder(self) -> dict[str, Any]:
        return encoder_record(self._loaded())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loaded(), name)


def _quiet_bm25s() -> None:
    """bm25s sets its own logger to DEBUG when imported, which is after index.keyword quietened it (it is imported
    lazily), so every build printed four "Building index from tokens" lines: quieten it once it is imported."""
    import bm25s  # noqa: F401 - imported for its logger; every build writes a keyword index with it

    logging.getLogger("bm25s").setLevel(logging.WARNING)


def name_some(doc_ids: Sequence[str], few: int = NAMED) -> str:
    """ "a.docx, b.pdf, c.txt and 12 more": the files by name, the built-in records only counted."""
    files = [d for d in doc_ids if not d.startswith(RECORD_PREFIX)]
    records = len(doc_ids) - len(files)
    text = ", ".join(files[:few]) + (f" and {len(files) - few} more" if len(files) > few else "")
    if records:
        counted = f"{records} built-in record{'s' if records != 1 else ''}"
        text = f"{text} (and {counted})" if text else counted
    return text


def format_summary(summary: BuildSummary) -> str:
    """What `cws index`, `cws jobs run reindex` and the nightly post print: counts, then the files by name."""
    counts = [f"{len(summary.reembedded)} re-embedded"] if summary.reembedded else []
    counts += [
        f"{len(summary.added)} added",
        f"{len(summary.changed)} changed",
        f"{len(summary.removed)} removed",
        f"{len(summary.unchanged)} unchanged",
        f"{len(summary.skipped)} skipped",
    ]
    lines = [
        f"Index {summary.version or '(none)'}"
        + (" is live" if summary.switched else " unchanged (nothing to do)" if summary.version else ""),
        f"  documents: {', '.join(counts)}",
    ]
    for label, doc_ids in (
        ("re-embedded", summary.reembedded),
        ("added", summary.added),
        ("changed", summary.changed),
        ("removed", summary.removed),
    ):
        if doc_ids:
            lines.append(f"  {label}: {name_some(doc_ids)}")
    lines += [
        f"  passages: {summary.passages} in index, {summary.passages_embedded} embedded",
        f"  time: {summary.seconds:.1f}s",
    ]
    kept = set(summary.kept_previous)
    problems: list[str] = []
    for skipped in summary.skipped:
        if skipped.doc_id in kept:
            problems.append(f"  kept the last good version of {skipped.path}: {skipped.reason}")
            kept.discard(skipped.doc_id)
        else:
            problems.append(f"  skipped {skipped.path}: {skipped.reason}")
    for doc_id in summary.kept_previous:
        if doc_id in kept:
            problems.append(f"  kept the last good version of {doc_id} (its folder cannot be read)")
    lines += problems[:LISTED]
    if len(problems) > LISTED:
        lines.append(f"  and {len(problems) - LISTED} more skipped or kept ('cws index --json' lists every one)")
    for warning in summary.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)
