"""The live index's health as the bot reports it: /healthz, and the maintainers' channel told once.

`LiveIndex.health()` says whether the build CURRENT names serves (ok), a damaged one was
skipped and an older one serves (degraded, with the reason), or none can (unavailable).
/healthz answers 200 for ok and degraded, since questions are answered, and 503 for
unavailable, so a load balancer takes the bot out only when it cannot answer. A change
for the worse is posted once to `jobs.maintainers_channel` (checked at start-up, on every
/healthz probe and after every answer: one small file read and one stat), and so is the
recovery; the same state is not posted again until it changes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from index.version import IndexHealth, LiveIndex

log = logging.getLogger(__name__)

Post = Callable[[str], object]  # posts a line to the maintainers' channel (in the background)


def http_status(health: IndexHealth) -> str:
    return "200 OK" if health.available else "503 Service Unavailable"


def describe(health: IndexHealth) -> str:
    """The line the maintainers read."""
    if health.status == "degraded":
        return (
            f":warning: CWS Assistant is answering from an older index build: {health.reason}. "
            "Run `cws index` to build a new one; `cws status` shows the builds."
        )
    if health.status == "unavailable":
        return f":rotating_light: CWS Assistant cannot answer questions: {health.reason}"
    return f":white_check_mark: CWS Assistant's index is healthy again: serving {health.serving}."


class HealthWatch:
    """Checks the live index and posts each change of its state once (if a channel is configured)."""

    def __init__(self, live: LiveIndex, post: Post | None) -> None:
        self.live = live
        self.post = post
        self._lock = threading.Lock()
        self._reported: tuple[str, str | None] | None = None  # the state last posted; None: ok (or nothing posted)

    def check(self) -> IndexHealth:
        """The health now; posted when it is a problem not yet posted, or a recovery from one."""
        health = self.live.health()
        state = None if health.status == "ok" else (health.status, health.reason)
        with self._lock:
            changed, self._reported = state != self._reported, state
        if changed:
            if state is not None:
                log.warning("index health: %s: %s", health.status, health.reason)
            if self.post is not None:
                self.post(describe(health))
        return health
