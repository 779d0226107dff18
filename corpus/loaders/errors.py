"""Errors raised while reading corpus files.

Loaders promise callers a single failure type, so an indexing run can skip a
bad file, log one human reason, and carry on with the rest of the corpus.
"""

from __future__ import annotations

from pathlib import Path

from config.errors import CwsError


class CorpusError(CwsError):
    """Base class for every corpus-building error."""


class UnreadableDocument(CorpusError):
    """A file could not be turned into blocks; `reason` says why, briefly.

    `reason` is short and human ("empty file", "corrupt .docx: ..."), so it
    can be shown as-is in logs or a status report.
    """

    def __init__(self, reason: str, path: Path | str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = Path(path) if path is not None else None

    def __str__(self) -> str:
        return f"{self.path.name}: {self.reason}" if self.path else self.reason
