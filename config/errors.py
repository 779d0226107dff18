"""The base of every error a user can act on.

Each layer defines its own specific exceptions beside the code that raises them (index
errors in `index.errors`, ATR errors in `atr.errors`, ...), all derived from `CwsError`,
so the command line and the Slack bot turn any of them into a message at one boundary.
"""


class CwsError(Exception):
    """Base for every error a user can act on."""


class ConfigError(CwsError):
    """The configuration file or an environment override is invalid."""
