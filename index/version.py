"""One opened build, and the live index that follows the CURRENT pointer.

A serving process holds a `LiveIndex`; every search asks it for the current
`IndexVersion`, which costs one small file read and one stat. When a build switches the
pointer the next search opens the new version; searches already running keep the old one.

Every build is checked as it is opened (`index.validate`): a damaged one is skipped with a
logged error and the newest whole build serves instead, so a bad file costs a fallback,
never every answer. `LiveIndex.health()` says whether that happened and why.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from config.errors import CwsError
from index import keyword
from index.errors import BuildDamaged, IndexMissing, IndexOutdated, NoUsableIndex
from index.layout import builds_dir, complete_builds, is_complete, live_name, read_info, remove_partial_builds
from index.store import DB_NAME, PassageStore
from index.validate import (
    SkippedBuild,
    check_passages,
    check_vectors,
    first_good,
    is_outdated,
    load_keyword,
    load_vectors,
    read_checked_info,
)

log = logging.getLogger(__name__)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def unusable(root: Path, skipped: list[SkippedBuild]) -> CwsError:
    """No build can serve: the error that says why in one line (each build and its reason) and what to do."""
    builds = [s for s in skipped if s.name != "CURRENT"]
    if not builds:
        return IndexMissing(f"no index has been built yet in {root}; run 'cws index'")
    if all(s.outdated for s in builds):
        return IndexOutdated(builds[0].reason)
    reasons = "; ".join(f"build {s}" for s in skipped)
    return NoUsableIndex(f"no usable index in {root}: {reasons}; run 'cws index' to build a new one")


def describe_skipped(skipped: tuple[SkippedBuild, ...] | list[SkippedBuild], serving: str) -> str:
    """The one-line reason a degraded index gives: which builds were passed over, why, and which one serves."""
    parts = [s.reason if s.name == "CURRENT" else f"build {s}" for s in skipped]
    return "; ".join(parts) + f"; serving {serving}"


class IndexVersion:
    """An immutable, fully loaded build, checked as it loads; raises BuildDamaged or IndexOutdated."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.name = directory.name
        self.info: dict[str, Any] = read_checked_info(directory)
        if is_outdated(self.info):
            raise IndexOutdated(
                f"the live index {self.name} was built by an older version of CWS Assistant "
                f"(keyword format {self.info.get('keyword_schema')}, this version reads {keyword.SCHEMA_VERSION}); "
                "run 'cws index' to rebuild it"
            )
        # The passage table is read per question, not held in memory: remember how it looked,
        # so damage to it while serving is noticed (`intact`) instead of failing every question.
        self._stamp = _stamp(directory / DB_NAME)
        rows = check_passages(directory, self.info)
        self.vectors: np.ndarray = load_vectors(directory)
        check_vectors(self.name, self.vectors, rows, self.dimension)
        self.keyword = load_keyword(directory, rows)
        self.store = PassageStore(directory)
        try:
            self.passage_ids: list[str] = self.store.passage_ids()
        except sqlite3.Error as exc:
            raise BuildDamaged(self.name, f"{DB_NAME} cannot be read ({exc})") from exc
        self.row_of: dict[str, int] = {pid: row for row, pid in enumerate(self.passage_ids)}

    def intact(self) -> bool:
        """The passage table on disk is still the one this version was opened with."""
        return self._stamp is not None and _stamp(self.directory / DB_NAME) == self._stamp

    @property
    def model(self) -> str:
        return self.info["model"]["name"]

    @property
    def dimension(self) -> int:
        return int(self.info["model"]["dimension"])

    @property
    def document_count(self) -> int:
        return int(self.info["counts"]["documents"])

    @property
    def passage_count(self) -> int:
        return len(self.passage_ids)


@dataclass(frozen=True)
class IndexHealth:
    """What /healthz and `cws status` report: ok, degraded (serving a fallback) or unavailable."""

    status: str  # "ok", "degraded" or "unavailable"
    reason: str | None = None  # why degraded or unavailable, in one line
    serving: str | None = None  # the build answering questions
    live: str | None = None  # the build CURRENT names
    documents: int | None = None
    passages: int | None = None
    skipped: tuple[SkippedBuild, ...] = ()

    @property
    def available(self) -> bool:
        return self.status != "unavailable"

    def as_dict(self) -> dict[str, Any]:
        """The /healthz body: today's fields when ok, plus the reason and the skipped builds when not."""
        if not self.available:
            return {"status": self.status, "error": self.reason}
        body: dict[str, Any] = {
            "status": self.status,
            "index_version": self.serving,
            "documents": self.documents,
            "passages": self.passages,
        }
        if self.status == "degraded":
            body["reason"] = self.reason
            body["skipped"] = [{"build": s.name, "reason": s.reason} for s in self.skipped]
        return body


class LiveIndex:
    """Follows the live pointer of an index root, falling back past damaged builds; thread-safe."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._version: IndexVersion | None = None
        self._pointer: str | None = None  # what CURRENT said when _version was chosen
        self._skipped: tuple[SkippedBuild, ...] = ()
        self._cleaned = False

    def exists(self) -> bool:
        """An index has been built here (even if CURRENT was lost since: a whole build can still serve)."""
        return live_name(self.root) is not None or bool(complete_builds(self.root))

    def outdated(self) -> bool:
        """True when the build CURRENT names is in a keyword format this version cannot read."""
        name = live_name(self.root)
        build = builds_dir(self.root) / name if name else None
        if build is None or not is_complete(build):
            return False
        try:
            return is_outdated(read_info(build))
        except (OSError, ValueError):
            return False  # unreadable build.json: damage, reported when the index is opened

    def current(self) -> IndexVersion:
        """The version to search: CURRENT's build if whole, else the newest whole one (logged, see `health`)."""
        pointer = live_name(self.root)
        version = self._version
        if version is not None and self._pointer == pointer and version.intact():
            return version
        with self._lock:
            version = self._version
            if version is None or self._pointer != pointer or not version.intact():
                version = self._choose(pointer)
            return version

    def _choose(self, pointer: str | None) -> IndexVersion:
        if not self._cleaned:  # first open in this process: its start-up
            self._cleaned = True
            remove_partial_builds(self.root)
        loaded = self._version

        def open_build(directory: Path) -> IndexVersion:
            if loaded is not None and loaded.name == directory.name and loaded.intact():
                return loaded  # already checked and in memory
            return IndexVersion(directory)

        version, skipped = first_good(self.root, open_build)
        if version is None:
            self._version, self._skipped = None, tuple(skipped)
            raise unusable(self.root, skipped)
        for s in skipped:
            log.error("skipped index build %s: %s; serving %s instead", s.name, s.reason, version.name)
        if loaded is not None and loaded.name != version.name:
            log.info("switched to index version %s (was %s)", version.name, loaded.name)
        self._version, self._pointer, self._skipped = version, pointer, tuple(skipped)
        return version

    def health(self) -> IndexHealth:
        """ok, degraded (a damaged build was skipped; `reason` names it) or unavailable (no build can serve).

        Cheap after the first call (one file read and one stat), so /healthz may call it on every probe.
        """
        try:
            version = self.current()
        except CwsError as exc:
            return IndexHealth("unavailable", str(exc), live=live_name(self.root), skipped=self._skipped)
        skipped = self._skipped
        reason = describe_skipped(skipped, version.name) if skipped else None
        return IndexHealth(
            "degraded" if skipped else "ok",
            reason,
            version.name,
            self._pointer,
            version.document_count,
            version.passage_count,
            skipped,
        )
