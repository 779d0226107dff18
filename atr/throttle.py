"""At most one request a second to any one host: the link checker must never look like an attack on an office's site.

Process-wide (the nightly re-check, `/atr submit` follow-ups and `cws atr fetch` in a serving process share it);
a caller reserves the next free slot for the host under a lock and sleeps outside it, so threads queue fairly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class HostThrottle:
    def __init__(
        self,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}  # host → earliest moment of its next request

    def wait(self, host: str) -> float:
        """Block until a request to `host` is allowed; returns the seconds waited."""
        key = host.lower().rstrip(".")
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(key, now))
            self._next[key] = start + self.interval
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return delay


THROTTLE = HostThrottle()
