"""What a scheduled job needs, built once per process from the settings and the environment.

Job functions are referenced by name in the scheduler's persistent store, so they take
only plain arguments and find everything else here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from atr.permissions import AccessPolicy
from atr.store import AtrStore
from config.settings import Settings
from jobs.deadlines import Deadline, load_deadlines
from jobs.ledger import Ledger
from jobs.posting import Poster

log = logging.getLogger(__name__)


class LogPoster:
    """Stands in for Slack when no SLACK_BOT_TOKEN is set: jobs still run and say what they would post."""

    def post(self, channel: str, text: str, blocks: list[dict] | None = None) -> str:
        log.warning("no SLACK_BOT_TOKEN: would post to %s: %s", channel, text)
        return ""


def poster_from_env(settings: Settings, environ: Mapping[str, str] | None = None) -> Poster | LogPoster:
    from config.slack import SlackSecrets, web_client

    env = os.environ if environ is None else environ
    if not env.get("SLACK_BOT_TOKEN", "").strip():
        return LogPoster()
    secrets = SlackSecrets.for_client(env)
    return Poster(web_client(secrets, settings.slack.max_retries))


@dataclass
class Runtime:
    settings: Settings
    poster: Poster | LogPoster
    deadlines: list[Deadline] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.settings.data_dir)
        self.atr = AtrStore(self.settings.data_dir)
        jobs = self.settings.jobs
        self.zone = ZoneInfo(jobs.timezone)
        hour, minute = (int(part) for part in jobs.remind_at.split(":"))
        self.remind_at = time(hour, minute)
        self.policy = AccessPolicy.from_settings(self.settings.atr.delegates, self.settings.atr.secretariat)

    @classmethod
    def from_settings(cls, settings: Settings, environ: Mapping[str, str] | None = None) -> "Runtime":
        """Validates the deadlines file at start-up: a bad entry stops the process with its name."""
        path = settings.jobs.deadlines_file
        deadlines = load_deadlines(path) if path else []
        return cls(settings, poster_from_env(settings, environ), deadlines)

    def now(self, at: datetime | None = None) -> datetime:
        """`at` (naive = in the configured zone) or the current time, aware."""
        if at is None:
            return datetime.now(self.zone)
        return at.replace(tzinfo=self.zone) if at.tzinfo is None else at.astimezone(self.zone)

    @property
    def secretariat_channel(self) -> str:
        return self.settings.jobs.secretariat_channel or ""


_current: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("jobs runtime not installed; start jobs through 'cws jobs' or 'cws serve'")
    return _current
