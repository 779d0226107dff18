"""One opened build, and the live index that follows the CURRENT pointer.

A serving process holds a `LiveIndex`; every search asks it for the current
`IndexVersion`, which costs one small file read. When a build switches the pointer
the next search opens the new version; searches already running keep the old one.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np
from index.errors import IndexMissing, IndexOutdated
from index import keyword
from index.layout import VECTORS, builds_dir, live_build, live_name, read_info
from index.store import PassageStore

log = logging.getLogger(__name__)


def is_outdated(info: dict[str, Any]) -> bool:
    return info.get("keyword_schema") != keyword.SCHEMA_VERSION


class IndexVersion:
    """An immutable, fully loaded build."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.name = directory.name
        self.info: dict[str, Any] = read_info(directory)
        if is_outdated(self.info):
            raise IndexOutdated(
                f"the live index {self.name} was built by an older version of CWS Assistant "
                f"(keyword format {self.info.get('keyword_schema')}, this version reads {keyword.SCHEMA_VERSION}); "
                "run 'cws index' to rebuild it"
            )
        self.store = PassageStore(directory)
        self.vectors: np.ndarray = np.load(directory / VECTORS)
        self.keyword = keyword.KeywordIndex(directory / keyword.KEYWORD_DIR)
        self.passage_ids: list[str] = self.store.passage_ids()
        self.row_of: dict[str, int] = {pid: row for row, pid in enumerate(self.passage_ids)}

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


class LiveIndex:
    """Follows the live pointer of an index root; thread-safe."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._version: IndexVersion | None = None

    def exists(self) -> bool:
        return live_name(self.root) is not None

    def outdated(self) -> bool:
        """True when the live build is in a keyword format this version cannot read."""
        build = live_build(self.root)
        return build is not None and is_outdated(read_info(build))

    def current(self) -> IndexVersion:
        name = live_name(self.root)
        if name is None:
            raise IndexMissing(f"no index has been built yet in {self.root}; run 'cws index'")
        version = self._version
        if version is not None and version.name == name:
            return version
        with self._lock:
            if self._version is None or self._version.name != name:
                loaded = IndexVersion(builds_dir(self.root) / name)
                if self._version is not None:
                    log.info("switched to index version %s (was %s)", name, self._version.name)
                self._version = loaded
            return self._version
