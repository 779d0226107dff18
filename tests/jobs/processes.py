"""Reading a child process's stderr as it comes, without ever blocking the test on a silent process."""

from __future__ import annotations

import queue
import re
import subprocess
import threading
import time


class Lines:
    """Every line `process` writes to stderr, read by a thread (so its pipe never fills up)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:  # type: ignore[union-attr]
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, pattern: str, timeout: float = 120) -> str:
        """The first line from now on matching `pattern`; AssertionError after `timeout` s or at the end."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} within {timeout:g} s in: {''.join(self.seen)[-3000:]}")
