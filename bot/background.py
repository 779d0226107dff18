"""Work done after Slack's acknowledgement, and the bot's one error boundary around it.

Slack wants its acknowledgement within 3 seconds, so listeners `ack()` and hand the slow
part (a search, a permission lookup, every Slack call) to a `BackgroundWork` pool. Work
that must stay in the listener's thread (a form submission, whose acknowledgement is
the answer) goes through the same boundary with `run`. Work in two stages, a search and
then its Slack calls, goes through `submit_then`, so each stage runs on the pool sized for
it and a slow Slack never holds up a search. Any failure is logged with its traceback and
the user is told, never left waiting in silence. A `CwsError` (a mistake the user can make,
such as a filter that names no office, or a state they should know of, such as no usable
index) is told in its own words and logged in one line, without a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from slack_sdk.errors import SlackClientError

from config.errors import CwsError

log = logging.getLogger(__name__)

Tell = Callable[[str], object]  # shows the user a plain-text message
T = TypeVar("T")


class BackgroundWork:
    """A thread pool and the error boundary of the work it runs.

    `name` prefixes its threads' names (seen in logs and tracebacks); `sorry` is what the user is
    told when work fails; `failure` is the line logged with the traceback.
    """

    def __init__(self, name: str, threads: int, sorry: str, failure: str) -> None:
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self.sorry = sorry
        self.failure = failure

    def submit(self, work: Callable[[], object], tell: Tell, settle: Callable[[], None] | None = None) -> Future:
        """Run `work` in the pool; `settle()` once it has ended, done or failed (not on a crash)."""
        return self.pool.submit(self.run, work, tell, settle)

    def run(self, work: Callable[[], object], tell: Tell, settle: Callable[[], None] | None = None) -> None:
        """Run `work` here and now, inside the boundary."""
        try:
            work()
        except Exception as exc:  # the one error boundary: any failure is logged and the user told
            self._tell(tell, self._failed(exc))
        if settle:
            settle()

    def submit_then(
        self,
        work: Callable[[], T],
        then: BackgroundWork,
        deliver: Callable[[T], object],
        tell: Tell,
        settle: Callable[[], None] | None = None,
    ) -> Future:
        """`work()` in this pool, then `deliver(its result)` in `then`'s; `settle()` once, after either ends.

        A failure of `work` is logged here and told from `then`'s threads, as every Slack call is;
        a failure of `deliver` is `then`'s to log and tell.
        """

        def first() -> None:
            try:
                result = work()
            except Exception as exc:  # the same boundary, for the first stage
                then.pool.submit(self._tell_and_settle, tell, settle, self._failed(exc))
                return
            then.submit(lambda: deliver(result), tell, settle)

        return self.pool.submit(first)

    def _failed(self, exc: Exception) -> str:
        """Log a failure as it deserves (called in its `except`) and say what the user is told: a
        `CwsError` in its own words and one log line, anything else with `sorry` and its traceback."""
        if isinstance(exc, CwsError):  # what the user can mend or should know
            log.info("%s: %s", self.failure, exc)
            return str(exc)
        log.exception(self.failure)
        return self.sorry

    def _tell_and_settle(self, tell: Tell, settle: Callable[[], None] | None, message: str) -> None:
        self._tell(tell, message)
        if settle:
            settle()

    def _tell(self, tell: Tell, message: str) -> None:
        try:
            tell(message)
        except (SlackClientError, OSError):
            log.exception("could not tell the user after: %s", self.failure)
