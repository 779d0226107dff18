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
