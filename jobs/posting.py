"""Posting to Slack from jobs: at least a second between posts to one channel.

Slack's rate limit for chat.postMessage is about one message per second per channel;
spacing posts here avoids the 429s, and the WebClient's retry handler honours
`Retry-After` for any that still happen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError

# What a failed post raises once the client's own retries are spent.
POST_ERRORS = (SlackApiError, SlackClientError, OSError)


class Poster:
    def __init__(
        self,
        client: Any,  # slack_sdk.WebClient
        min_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def post(self, channel: str, text: str, blocks: list[dict] | None = None) -> str:
        """Post and return the message timestamp; raises slack_sdk errors after retries."""
        with self._lock:
            wait = self._last.get(channel, -1e9) + self.min_interval - self._clock()
            if wait > 0:
                self._sleep(wait)
            try:
                response = self.client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False)
            finally:
                self._last[channel] = self._clock()
        return str(response.get("ts", ""))
