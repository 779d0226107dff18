"""After a submission: read the link, index the report, and say in one message what happened.

Used by `cws atr submit` and by the Slack bot after its confirmation, so both say the same thing: "Read and
indexed ... 34 passages", or why not ("the link returns 404", "the page is a login form", "the file is over
20 MB"). A dead link is reported as a state of the link; the submission is stored either way.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from atr.fetcher import LinkCheck, ReportFetcher
from atr.store import StoredSubmission
from config.errors import CwsError
from config.settings import Settings
from index.build import BuildSummary
from index.embedding import Embedder
from index.errors import BuildLocked
from index.store import PassageStore
from index.validate import live_build

log = logging.getLogger(__name__)

BUILD_ATTEMPTS = 30  # a nightly or manual build may be running: wait for it, up to about a minute
BUILD_WAIT_SECONDS = 2.0


def rebuild(settings: Settings, embedder: Embedder | None = None) -> tuple[BuildSummary | None, str | None]:
    """The incremental build of every source, now: (summary, None), or (None, why it did not happen)."""
    from index.runner import run_build  # the loaders and the model: only when a report changed

    for _ in range(BUILD_ATTEMPTS):
        try:
            return run_build(settings, embedder=embedder, progress=lambda _l, _t: lambda _n: None), None
        except BuildLocked:
            time.sleep(BUILD_WAIT_SECONDS)
        except CwsError as exc:  # e.g. a removal refused in another source: that message, as written
            log.warning("indexing after an ATR check failed: %s", exc)
            return None, str(exc)
    return None, "another build is still running; the next build (at the latest the nightly one) indexes it"


def indexed_passages(settings: Settings, folder: str | None) -> int | None:
    """How many passages of the report in `folder` the live index holds (None: not indexed)."""
    build = live_build(settings.index_root)
    if build is None or not folder:
        return None
    prefix = f"{Path(folder).name}/"
    rows = PassageStore(build).query(
        "select count(*) from passages where substr(doc_id, 1, ?) = ?", [len(prefix), prefix]
    )
    return int(rows[0][0]) or None


@dataclass(frozen=True)
class FollowUp:
    check: LinkCheck
    text: str
    indexed: int | None  # passages of the report in the live index after the build


def describe(check: LinkCheck, indexed: int | None, build_error: str | None, retry_hint: str) -> str:
    r, url = check.record, check.submission.url
    if check.outcome == "failed":
        kept = f" The copy read on {r.read_on} stays indexed." if r.state == "failing" else ""
        return f"Could not read the report at {url}: {r.reason}.{kept} The link is stored as submitted; {retry_hint}"
    if build_error:
        return f"Read the report at {url} ({r.passages} passages), but it is not indexed yet: {build_error}"
    if check.outcome == "unchanged":
        return f"The report at {url} is unchanged and stays indexed ({indexed or r.passages} passages)."
    return f"Read and indexed the report at {url}: {indexed or r.passages} passages, cited as {check.cited_as}."


def read_and_index(
    settings: Settings,
    submission: StoredSubmission,
    *,
    embedder: Embedder | None = None,
    fetcher: ReportFetcher | None = None,
    retry_hint: str = "it is checked again every night.",
) -> FollowUp:
    """Check the link just submitted, rebuild the index if its report changed, and say what happened."""
    check = (fetcher or ReportFetcher(settings)).check(submission)
    build_error = None
    folder = check.record.folder
    if check.index_changed or (folder and indexed_passages(settings, folder) is None):  # also: an earlier build failed
        _, build_error = rebuild(settings, embedder)
    indexed = indexed_passages(settings, folder)
    return FollowUp(check, describe(check, indexed, build_error, retry_hint), indexed)
