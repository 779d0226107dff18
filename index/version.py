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
from whoosh.searching import Searcher

from cws.errors import IndexMissing
from index import keyword
from index.layout import VECTORS, builds_dir, live_name, read_info
from index.store import PassageStore

log = logging.getLogger(__name__)


class IndexVersion:
    """An immutable, fully loaded build."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.name = directory.name
        self.info: dict[str, Any] = read_info(directory)
        self.store = PassageStore(directory)
        self.vectors: np.ndarray = np.load(directory / VECTORS)
        self.keyword_index = keyword.open_index(directory / keyword.KEYWORD_DIR)
        self._local = threading.local()
        self.passage_ids: list[str] = self.store.passage_ids()
        self.row_of: dict[str, int] = {pid: row for row, pid in enumerate(self.passage_ids)}

    def keyword_searcher(self) -> Searcher:
        """This thread's searcher on this version (whoosh searchers are not shared between threads)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = keyword.open_searcher(self.keyword_index)
        return searcher

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
