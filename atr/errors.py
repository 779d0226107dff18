"""ATR errors; each message names the problem so the submitter can fix it."""

from config.errors import CwsError


class AtrError(CwsError):
    """Base for ATR problems a user can act on."""


class InvalidSubmission(AtrError):
    """A field of a submission is wrong; `field` names it (office, type, year, url, note)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(AtrError):
    """The user may not do this (submit for that office, see status, export)."""
