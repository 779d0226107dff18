"""Posting to Slack from jobs: at least a second between posts to one channel, and each keyed post exactly once.

Slack's rate limit for chat.postMessage is about one message per second per channel. Posts to a channel are
spaced here, across processes too: with a spacing folder, each channel has a lock file holding the time of
its last post, and a poster holds the lock from the wait to the end of its post. The WebClient's retry handler
honours `Retry-After` for any 429 that still happens.

`send_once` posts under a ledger key (jobs.ledger) and tags the message with Slack message metadata
(`{"event_type": "cws_reminder", "event_payload": {"key": ...}}`), so a post whose outcome is unknown (a
crash, a reply after the client's time-out) is looked for in the channel (conversations.history, which needs
channels:history / groups:history) before it is posted again.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.error import URLError

from slack_sdk.errors import SlackApiError, SlackClientError

from jobs.ledger import BUSY, DONE, FAILED, MISSED, POST, SENT, UNCONFIRMED, VERIFY

log = logging.getLogger(__name__)

# What a failed post raises once the client's own retries are spent.
POST_ERRORS = (SlackApiError, SlackClientError, OSError)
# How far before the moment a key was taken the channel is searched: Slack's clock and ours may differ.
CLOCK_SKEW_SECONDS = 600
# What send_once reports, beyond the ledger's states: found already posted, or the channel could not be read.
CONFIRMED, UNCHECKED = "confirmed", "unchecked"
# Test seam: CWS_TEST_KILL_AT=<point>[:<n>] kills this process with SIGKILL the n-th time it reaches <point>, so
# tests can show what a crash exactly there does (tests/jobs/test_kill_reminders.py). Unset, it costs a lookup.
KILL_AT_VARIABLE = "CWS_TEST_KILL_AT"
_reached: dict[str, int] = {}


def crash_point(name: str) -> None:
    spec = os.environ.get(KILL_AT_VARIABLE)
    if not spec:
        return
    point, _, nth = spec.partition(":")
    if point != name:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def event_type(kind: str) -> str:
    """The metadata event type of a job's post: cws_reminder, cws_digest, cws_missed_report ..."""
    return "cws_" + re.sub(r"[^a-z0-9]+", "_", kind.lower())


def may_have_been_delivered(exc: BaseException) -> bool:
    """Whether Slack may have stored the message although the call failed: only an answer saying no (ok:false,
    a 4xx such as 429) or a connection that was never made means it certainly did not."""
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        return status >= 500
    if isinstance(exc, URLError) and not hasattr(exc, "code"):
        return not isinstance(exc.reason, (ConnectionRefusedError, socket.gaierror))
    if isinstance(exc, SlackClientError):
        return False  # the client refused to build the request: nothing was sent
    return True  # a time-out or a connection dropped after the request went out


class Poster:
    def __init__(
        self,
        client: Any,  # slack_sdk.WebClient
        min_interval: float = 1.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        spacing_dir: Path | None = None,
    ) -> None:
        """`spacing_dir`: keep the spacing across processes too (a lock file per channel there)."""
        self.client = client
        self.min_interval = min_interval
        self.spacing_dir = spacing_dir
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def _wait(self, last: float) -> None:
        # At most one interval: a clock set back, or a time written before a reboot, never stalls posting.
        wait = min(self.min_interval, last + self.min_interval - self._clock())
        if wait > 0:
            self._sleep(wait)

    @contextmanager
    def _spaced(self, channel: str) -> Iterator[None]:
        """Hold the channel from the wait to the end of the post, then record when it ended."""
        with self._lock:
            if self.spacing_dir is None:
                self._wait(self._last.get(channel, -1e9))
                try:
                    yield
                finally:
                    self._last[channel] = self._clock()
                return
            self.spacing_dir.mkdir(parents=True, exist_ok=True)
            path = self.spacing_dir / (re.sub(r"[^A-Za-z0-9_-]", "_", channel) + ".last")
            with open(path, "a+") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)  # released by the kernel if this process dies
                try:
                    handle.seek(0)
                    try:
                        last = float(handle.read().strip() or "-1e9")
                    except ValueError:
                        last = -1e9
                    self._wait(last)
                    yield
                finally:
                    handle.seek(0)
                    handle.truncate()
                    handle.write(repr(self._clock()))
                    handle.flush()
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def post(
        self, channel: str, text: str, blocks: list[dict] | None = None, *, key: str | None = None, kind: str = "post"
    ) -> str:
        """Post and return the message timestamp; raises slack_sdk errors after retries. With `key`, the
        message carries it as metadata, so `find` can tell later whether it reached the channel."""
        metadata = {"event_type": event_type(kind), "event_payload": {"key": key}} if key else None
        with self._spaced(channel):
            response = self.client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, unfurl_links=False, metadata=metadata
            )
        return str(response.get("ts", ""))

    def find(self, channel: str, key: str, since: float, text: str | None = None) -> str | None:
        """The ts of the message tagged with `key` in `channel` since `since` (Unix time), or None. A bot
        message with exactly `text` counts too, in case a workspace returns no metadata.

        Reads the channel with conversations.history (channels:history, groups:history for private
        channels); raises POST_ERRORS when it cannot (e.g. `missing_scope`, `not_in_channel`)."""
        cursor = None
        while True:
            response = self.client.conversations_history(
                channel=channel, oldest=f"{since:.6f}", include_all_metadata=True, limit=200, cursor=cursor
            )
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                tagged = str(metadata.get("event_type", "")).startswith("cws_") and payload.get("key") == key
                same = text is not None and message.get("bot_id") and message.get("text") == text
                if tagged or same:
                    return str(message.get("ts", ""))
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return None


class PlainPoster(Protocol):
    """Anything with `post(channel, text)`: Poster, the dry run's LogPoster, or a test's recorder."""

    def post(self, channel: str, text: str, blocks: list[dict] | None = None) -> str: ...


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def send_once(
    ledger: Any,  # jobs.ledger.Ledger, or DryRunLedger in a dry run
    poster: PlainPoster,
    *,
    key: str,
    kind: str,
    subject: str,
    channel: str,
    scheduled_for: str,
    text: Callable[[], str],
    may_post: bool = True,
) -> str:
    """Post `text()` to `channel` under `key` exactly once; what happened: SENT, CONFIRMED (an earlier attempt
    had posted it), FAILED (Slack refused; the next run posts it), UNCONFIRMED (Slack may have it; the next
    run looks), UNCHECKED (it may have been posted and the channel cannot be read: reported, not re-posted),
    MISSED (not posted and `may_post` is false: past its grace window), BUSY or DONE.

    A poster without `find` (a test's recorder) cannot verify, so an unconfirmed post stays unconfirmed."""
    decided = ledger.would(key, may_post)
    if decided.action in (BUSY, DONE):
        return decided.action
    body = text() if decided.action in (POST, VERIFY) else ""
    take = ledger.take(key, kind, subject, channel, scheduled_for, may_post)
    if take.action in (BUSY, DONE, MISSED):
        return take.action
    if take.action == VERIFY:
        crash_point("recovering")
        find = getattr(poster, "find", None)
        if find is None:
            ledger.finish(key, UNCONFIRMED, "this poster cannot read the channel back")
            return UNCONFIRMED
        try:
            ts = find(channel, key, _epoch(take.since) - CLOCK_SKEW_SECONDS, text=body)
        except POST_ERRORS as exc:
            log.error(
                "cannot tell whether %s reached %s: reading the channel back failed (%r); it needs the "
                "channels:history scope (groups:history for a private channel) and the bot in the channel. "
                "It is not posted again until it can be checked.",
                key,
                channel,
                exc,
            )
            ledger.finish(key, UNCONFIRMED, f"could not read {channel} back: {exc!r}")
            return UNCHECKED
        if ts:
            log.warning(
                "%s was posted to %s (ts %s) by an attempt that did not record it: recorded now", key, channel, ts
            )
            ledger.finish(key, SENT, ts)
            crash_point("recorded")
            return CONFIRMED
        crash_point("checked")
        if not may_post:
            log.warning("%s was not posted and its moment is past the grace window: recorded as missed", key)
            ledger.finish(key, MISSED, "not found in the channel; past the grace window")
            return MISSED
    else:
        crash_point("claimed")
    return _post(ledger, poster, key, kind, channel, body)


def _post(ledger: Any, poster: PlainPoster, key: str, kind: str, channel: str, body: str) -> str:
    try:
        if isinstance(poster, Poster):
            ts = poster.post(channel, body, key=key, kind=kind)
        else:
            ts = poster.post(channel, body)
    except POST_ERRORS as exc:
        if may_have_been_delivered(exc):
            log.warning(
                "posting %s to %s: no answer (%r); Slack may have it, so the next run looks in the "
                "channel before posting it again",
                key,
                channel,
                exc,
            )
            ledger.finish(key, UNCONFIRMED, repr(exc))
            return UNCONFIRMED
        log.error("posting %s to %s failed (%r); the next run tries again", key, channel, exc)
        ledger.finish(key, FAILED, repr(exc))
        return FAILED
    except BaseException as exc:
        ledger.finish(key, UNCONFIRMED, repr(exc))
        raise
    crash_point("posted")
    ledger.finish(key, SENT, ts)
    crash_point("recorded")
    return SENT
