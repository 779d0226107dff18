"""What a build may remove: a reindex must never silently empty the index.

To a build, a folder that was unmounted, mistyped, emptied or dropped from `CWS_CORPUS_DIRS` looks exactly like
the deliberate deletion of every document in it. So a build that would remove more than
`index.max_removed_fraction` of the indexed documents, or every document of one source, is refused, naming the
sources, unless removals are allowed (`cws index --allow-removals`) or the source was taken off the list with
`cws sources remove` (its documents then leave on purpose). The built-in records are not the user's documents
and are never counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from config.errors import CwsError
from corpus.ingest import RootScan

RECORD_PREFIX = "record:"
UNKNOWN_SOURCE = "(source not recorded)"


class RemovalRefused(CwsError):
    """A reindex would remove too many documents, or all of a source's; nothing was changed."""


class SourceFailed(CwsError):
    """A source could not be read as a whole (an invalid manifest.yaml); nothing was changed."""


def _why(source: str, roots: Mapping[str, RootScan]) -> str:
    root = roots.get(source)
    if root is None:
        return "is no longer an indexed source"
    if root.state == "missing":
        return "does not exist (moved, unmounted or mistyped?)"
    if root.state == "empty":
        return "has no documents left that can be indexed"
    return "is indexed"


def check_removals(
    removed: Iterable[str],
    sources_of: Mapping[str, str | None],
    roots: Iterable[RootScan],
    removed_on_purpose: set[str],
    max_fraction: float,
) -> None:
    """Raise RemovalRefused when `removed` (doc ids of the live build) is more than `max_fraction` of the live
    build's documents, or all the documents of a source. `sources_of` maps every live document to its source."""
    user_docs = [d for d in sources_of if not d.startswith(RECORD_PREFIX)]
    if not user_docs:
        return
    counted = [d for d in removed if not d.startswith(RECORD_PREFIX) and sources_of.get(d) not in removed_on_purpose]
    if not counted:
        return
    per_source = Counter(sources_of.get(d) or UNKNOWN_SOURCE for d in counted)
    totals = Counter(sources_of.get(d) or UNKNOWN_SOURCE for d in user_docs)
    emptied = [s for s, n in per_source.items() if n == totals[s]]
    too_many = len(counted) > max_fraction * len(user_docs)
    if not emptied and not too_many:
        return
    by_path = {r.path: r for r in roots}
    lines = []
    for source, n in sorted(per_source.items()):
        what = f"all {n} of its documents" if n == totals[source] else f"{n} of its {totals[source]} documents"
        lines.append(f"  {source} {_why(source, by_path)}: {what} would be removed")
    reason = (
        f"more than index.max_removed_fraction = {max_fraction:.0%} of them"
        if too_many
        else "every document of " + ("a source" if len(emptied) == 1 else "several sources")
    )
    raise RemovalRefused(
        f"refusing to reindex: it would remove {len(counted)} of the {len(user_docs)} indexed documents ({reason}):\n"
        + "\n".join(lines)
        + "\nNothing was changed; the live index keeps serving. If the removal is intended, run "
        "'cws index --allow-removals' (or 'cws sources remove PATH' for a source you no longer want indexed)."
    )
