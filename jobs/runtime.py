"""What a scheduled job needs, built once per process from the settings and the environment.

Job functions are referenced by name in the scheduler's persistent store, so they take
only plain arguments and find everything else here.

Without SLACK_BOT_TOKEN the jobs run as a dry run: they say what they would post (LogPoster) and record
nothing as sent (DryRunLedger), so a later run with the token still posts it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from atr.permissions import AccessPolicy
from atr.store import AtrStore
from config.errors import ConfigError
from config.settings import Settings
from jobs.deadlines import Deadline, load_deadlines
from jobs.ledger import DryRunLedger, Ledger
from jobs.posting import PlainPoster, Poster

log = logging.getLogger(__name__)
SPACING_DIR = "post-spacing"  # in the data directory: one lock file per channel, shared by every posting process


class LogPoster:
    """Stands in for Slack when no SLACK_BOT_TOKEN is set: jobs still run and say what they would post, to the
    log or, for `cws jobs run`, to `sink` (the terminal)."""

    def __init__(self, sink: Callable[[str], None] | None = None) -> None:
        self.sink = sink

    def post(self, channel: str, text: str, blocks: list[dict] | None = None) -> str:
        if self.sink is not None:
            self.sink(f"would post to {channel}:\n" + "\n".join(f"  {line}" for line in text.splitlines()))
        else:
            log.warning("no SLACK_BOT_TOKEN: would post to %s: %s", channel, text)
        return ""


def jobs_client(settings: Settings, environ: Mapping[str, str]) -> WebClient:
    """A client for jobs' posts. Only what certainly did not reach Slack is retried here: a 429, or a
    connection that was never made. A 5xx or a dropped reply may hide a stored message, and re-sending it
    blindly would post it twice; send_once looks in the channel first instead."""
    from urllib.error import URLError

    from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

    from config.slack import SlackSecrets

    secrets = SlackSecrets.for_client(environ)
    retries = settings.slack.max_retries
    return WebClient(
        token=secrets.bot_token,
        base_url=secrets.api_url,
        timeout=15,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ConnectionErrorRetryHandler(max_retry_count=retries, error_types=[URLError]),
        ],
    )


def poster_from_env(settings: Settings, environ: Mapping[str, str] | None = None) -> Poster | LogPoster:
    env = os.environ if environ is None else environ
    if not env.get("SLACK_BOT_TOKEN", "").strip():
        return LogPoster()
    return Poster(jobs_client(settings, env), spacing_dir=settings.data_dir / SPACING_DIR)


def check_channels(settings: Settings, deadlines: list[Deadline]) -> None:
    """Where reminders and the digest go is known at start-up, not found missing when they are due."""
    if settings.jobs.secretariat_channel or not settings.jobs.deadlines_file:
        return
    homeless = [d.id for d in deadlines if not d.channel]
    named = ", ".join(repr(i) for i in homeless[:3]) + (" ..." if len(homeless) > 3 else "")
    also = (
        f", and so do the reminders of deadline{'s' if len(homeless) > 1 else ''} {named} "
        f"(no channel of {'their' if len(homeless) > 1 else 'its'} own)"
        if homeless
        else ""
    )
    raise ConfigError(
        f"jobs.secretariat_channel is not set, but jobs.deadlines_file is ({settings.jobs.deadlines_file}): the "
        f"digest posts to jobs.secretariat_channel{also}. Set it to a Slack channel id such as C0123ABCD "
        "(with the bot in that channel)."
    )


@dataclass
class Runtime:
    settings: Settings
    poster: PlainPoster
    deadlines: list[Deadline] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ledger = Ledger(self.settings.data_dir)
        self.atr = AtrStore(self.settings.data_dir)
        jobs = self.settings.jobs
        self.zone = ZoneInfo(jobs.timezone)
        hour, minute = (int(part) for part in jobs.remind_at.split(":"))
        self.remind_at = time(hour, minute)
        self.policy = AccessPolicy.from_settings(self.settings.atr.delegates, self.settings.atr.secretariat)

    @property
    def dry_run(self) -> bool:
        """No token: posts are printed or logged, not sent."""
        return isinstance(self.poster, LogPoster)

    @property
    def ledger(self) -> Ledger | DryRunLedger:
        """The send-once ledger; in a dry run it reads what was done and records nothing."""
        return DryRunLedger(self._ledger) if self.dry_run else self._ledger

    @classmethod
    def from_settings(cls, settings: Settings, environ: Mapping[str, str] | None = None, check: bool = True) -> Runtime:
        """Validates the deadlines file and (with `check`) where posts go at start-up: a bad entry or a missing
        channel stops the process with the key named."""
        path = settings.jobs.deadlines_file
        deadlines = load_deadlines(path) if path else []
        if check:
            check_channels(settings, deadlines)
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
