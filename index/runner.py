"""Runs a build for the CLI, the nightly job and `cws ask` on a fresh data directory."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tqdm import tqdm

from config.settings import Settings
from corpus.ingest import scan
from index.build import BuildSummary, build_index
from index.embedding import Embedder, get_embedder
from index.layout import live_build, read_info


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


def corpus_dirs_for(settings: Settings, paths: Sequence[Path] = ()) -> list[Path]:
    """Explicit paths win; else the configured folders; else the folders of the live build."""
    if paths:
        return [Path(p).expanduser().resolve() for p in paths]
    if settings.corpus_dirs:
        return list(settings.corpus_dirs)
    live = live_build(settings.index_root)
    if live is not None:
        return [Path(p) for p in read_info(live).get("sources", []) if Path(p).is_dir()]
    return []


def run_build(
    settings: Settings,
    paths: Sequence[Path] = (),
    embedder: Embedder | None = None,
    progress: Callable[[str, int], Callable[[int], None]] = tqdm_progress,
    after_stage: Callable[[str], None] | None = None,
    full: bool = False,
) -> BuildSummary:
    folders = corpus_dirs_for(settings, paths)
    m = settings.model
    model = embedder or get_embedder(m.name, m.path, m.batch_size)
    return build_index(
        settings.index_root,
        scan(folders),
        model,
        keep_builds=settings.index.keep_builds,
        progress=progress,
        sources_label=[str(f) for f in folders],
        after_stage=after_stage,
        full=full,
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
    for skipped in summary.skipped:
        lines.append(f"  skipped {skipped.path}: {skipped.reason}")
    for doc_id in summary.kept_previous:
        lines.append(f"  kept the previously indexed version of {doc_id}")
    return "\n".join(lines)
