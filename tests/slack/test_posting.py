"""A slow Slack delays posts, never searches (issue 15 §7): answers are posted from their own threads.

The fake Slack API takes a second over every call, as a struggling Slack does. Before, the
answer threads made the Slack calls too (⏳ on, the post, ⏳ off: three seconds), so with one
answer thread the second question's search started three seconds after the first one's.
"""

from __future__ import annotations

import threading
import time

from tests.slack.signing import load_payload
from tests.waiting import wait_for

SLOW = 1.0
SLACK_METHODS = ["reactions.add", "chat.postMessage", "reactions.remove"]


class TimedEngine:
    """The real engine, noting when each search starts and ends."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.live = engine.live
        self.gaps = engine.gaps
        self.searches: list[tuple[str, float, float]] = []
        self._lock = threading.Lock()

    def ask(
        self,
        question: str,
        filters: dict | None = None,
        mode: str = "hybrid",  # type: ignore[no-untyped-def]
        asked_from: str | None = None,
    ):
        started = time.monotonic()
        answer = self.engine.ask(question, filters, mode, asked_from)
        with self._lock:
            self.searches.append((question, started, time.monotonic()))
        return answer


def _mention(number: int, question: str) -> dict:
    payload = load_payload("event_app_mention.json")
    payload["event_id"] = f"Ev0SLOWSLACK{number}"
    payload["event"]["ts"] = payload["event"]["event_ts"] = f"171690000{number}.000100"
    payload["event"]["text"] = f"<@U0CWSBOT> {question}"
    return payload


def test_searches_do_not_wait_behind_a_slow_slack(start_bot, engine):
    timed = TimedEngine(engine)
    bot = start_bot(bot_engine=timed, answer_threads=1)
    for method in SLACK_METHODS:
        bot.fake.on(method, lambda _call: time.sleep(SLOW))
    questions = ["When does the ST.92 sunset period end?", "What is Task No. 24?"]
    sent = time.monotonic()
    for number, question in enumerate(questions):
        response = bot.event(_mention(number, question))
        assert response.status == 200 and response.elapsed < 1
    wait_for(lambda: len(timed.searches) == 2, timeout=30, what="both searches")
    (_, start1, end1), (_, start2, _) = sorted(timed.searches, key=lambda s: s[1])
    assert start1 - sent < SLOW / 2, "the first search waited for Slack"
    assert start2 - end1 < SLOW / 2, f"the second search started {start2 - end1:.2f} s after the first ended"

    posts = bot.fake.wait_for("chat.postMessage", 2, timeout=30)
    assert {p.params["thread_ts"] for p in posts} == {"1716900000.000100", "1716900001.000100"}
    wait_for(bot.all_answered, timeout=30, what="both questions to be settled")
    # Each question's ⏳ still goes on before its answer and comes off after it.
    for number in range(2):
        ts = f"171690000{number}.000100"
        at = {c.method: c.at for c in bot.fake.calls if ts in (c.params.get("timestamp"), c.params.get("thread_ts"))}
        assert at["reactions.add"] <= at["chat.postMessage"] <= at["reactions.remove"], at
