"""Waiting for something to happen, instead of sleeping for a while and hoping it has."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float = 10, what: str | None = None, interval: float = 0.02) -> T:
    """Poll `condition` until it returns something true, and return that.

    A test then goes on as soon as the condition holds (no fixed sleep to tune for slow
    machines), and a condition that never holds fails with `what` was awaited, not later
    with a puzzling assertion.
    """
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() >= deadline:
            awaited = what or getattr(condition, "__qualname__", repr(condition))
            raise AssertionError(f"gave up after {timeout:g} s waiting for {awaited}")
        time.sleep(interval)
    return result
