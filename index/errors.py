"""What can go wrong with an index or a search; each message says what to do about it."""

from config.errors import CwsError


class IndexMissing(CwsError):
    """No live index exists yet in the data directory."""


class IndexOutdated(CwsError):
    """The live index was written by an older version whose keyword format this one cannot read."""


class IndexCorrupt(CwsError):
    """A build failed validation; the live index is left as it was."""


class ModelMismatch(CwsError):
    """The live index was embedded with a different model than the one configured."""


class BuildLocked(CwsError):
    """Another process is building an index in the same data directory."""


class InvalidFilter(CwsError):
    """A search filter (session, year, standard, task, document) is malformed."""


class BuildDamaged(IndexCorrupt):
    """One build's files are missing, truncated or disagree with each other; it is skipped, never served."""

    def __init__(self, build: str, reason: str) -> None:
        super().__init__(f"index build {build} is damaged: {reason}")
        self.build = build
        self.reason = reason


class NoUsableIndex(CwsError):
    """Builds exist but none of them can be served (each one's reason is in the message)."""


class RollbackRefused(CwsError):
    """`cws rollback` was asked for a build that is unknown, incomplete, damaged or cannot serve."""
