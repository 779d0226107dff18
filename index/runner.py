"""Runs a build of every indexed source for the CLI, the nightly job and `cws ask` on a fresh data directory."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tqdm import tqdm

from config.settings import Settings
from corpus.ingest import scan
from index.build import BuildSummary, build_index
from index.embedding import Embedder, embedder_for
from index.sources import SourceList, add_source, resolve_sources


def tqdm_progress(label: str, total: int) -> Callable[[int], None]:
    """A progress bar on stderr; silent when stderr is not a terminal and nothing to do."""
    if total == 0:
        return lambda _n: None
    bar = tqdm(total=total, desc=label, unit="item", file=sys.stderr, leave=False, dynamic_ncols=True)

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
) -> BuildSummary:
    """Build from every indexed source (index.sources); `paths` are added to the sources first, as `cws index
    PATH` does, never instead of them. Removals beyond `index.max_removed_fraction` need `allow_removals`."""
    for path in paths:
        add_source(settings, path, how="index")
    sources = resolve_sources(settings)
    model = embedder or embedder_for(settings)
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
    )


def format_summary(summary: BuildSummary) -> str:
    lines = [
        f"Index {summary.version or '(none)'}"
        + (" is live" if summary.switched else " unchanged (nothing to do)" if summary.version else ""),
        f"  documents: {len(summary.added)} added, {len(summary.changed)} changed, "
        f"{len(summary.removed)} removed, {len(summary.unchanged)} unchanged, {len(summary.skipped)} skipped",
        f"  passages: {summary.passages} in index, {summary.passages_embedded} embedded",
        f"  time: {summary.seconds:.1f}s",
    ]
    kept = set(summary.kept_previous)
    for skipped in summary.skipped:
        if skipped.doc_id in kept:
            lines.append(f"  kept the last good version of {skipped.path}: {skipped.reason}")
            kept.discard(skipped.doc_id)
        else:
            lines.append(f"  skipped {skipped.path}: {skipped.reason}")
    for doc_id in summary.kept_previous:
        if doc_id in kept:
            lines.append(f"  kept the last good version of {doc_id} (its folder cannot be read)")
    for warning in summary.warnings:
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)
