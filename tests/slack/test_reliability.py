"""Signatures, redelivery, rate limits, failures and slow searches, end to end over real HTTP."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.slack.conftest import SlowEngine
from tests.slack.signing import JSON, event_body, get, load_payload, post, send_signed, signed_headers
from tests.waiting import wait_for

# How long to watch for a call that must not come, where nothing marks that it never will:
# a request refused before any listener ran, a redelivery deduplicated as it arrived.
QUIET = 0.5


@pytest.mark.parametrize(
    "forge", ["wrong secret", "stale timestamp", "missing signature", "missing timestamp", "tampered body"]
)
def test_unverified_requests_get_401_and_do_nothing(bot, forge):
    body = event_body(load_payload("event_app_mention.json"))
    if forge == "wrong secret":
        headers = signed_headers(body, JSON, secret="not-the-signing-secret")
    elif forge == "stale timestamp":
        headers = signed_headers(body, JSON, timestamp=int(time.time()) - 5 * 60 - 10)
    else:
        headers = signed_headers(body, JSON)
        if forge == "missing signature":
            del headers["X-Slack-Signature"]
        elif forge == "missing timestamp":
            del headers["X-Slack-Request-Timestamp"]
        else:
            body = body.replace(b"ST.92", b"ST.26")
    response = post(bot.events_url, body, headers)
    assert response.status == 401
    time.sleep(QUIET)  # deliberately a fixed wait (see QUIET)
    assert [c.method for c in bot.fake.calls] == ["auth.test"]
    # A forged copy must not use up the event id either: the genuine delivery is answered.
    assert bot.event(load_payload("event_app_mention.json")).status == 200
    bot.fake.wait_for("chat.postMessage")


def test_a_redelivered_event_is_acknowledged_and_answered_once(bot):
    payload = load_payload("event_app_mention.json")
    assert bot.event(payload).status == 200
    retry = bot.event(payload, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status == 200
    bot.fake.wait_for("reactions.remove")
    wait_for(bot.all_answered, what="every question taken to be settled")  # a second one would be pending by now
    assert len(bot.fake.calls_to("chat.postMessage")) == 1
    assert len(bot.fake.calls_to("reactions.add")) == 1


def test_simultaneous_duplicates_are_answered_once(bot):
    payload = load_payload("event_message_im.json")
    with ThreadPoolExecutor(4) as pool:
        statuses = list(
            pool.map(lambda n: bot.event(payload, {"X-Slack-Retry-Num": str(n)} if n else None).status, range(4))
        )
    assert statuses == [200] * 4
    bot.fake.wait_for("reactions.remove")
    wait_for(bot.all_answered, what="every question taken to be settled")
    assert len(bot.fake.calls_to("chat.postMessage")) == 1


def test_redelivery_after_a_restart_is_still_recognised(start_bot, tmp_path):
    payload = load_payload("event_app_mention.json")
    first = start_bot(data_dir=tmp_path / "shared-data")
    assert first.event(payload).status == 200
    first.fake.wait_for("reactions.remove")
    second = start_bot(data_dir=tmp_path / "shared-data")  # a new process, same database
    assert second.event(payload, {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "timeout"}).status == 200
    time.sleep(QUIET)  # deliberately a fixed wait (see QUIET)
    assert len(second.fake.calls_to("chat.postMessage")) == 1


def test_rate_limited_post_is_retried_after_retry_after(bot):
    bot.fake.fail("chat.postMessage", 429, times=1, retry_after=1)
    assert bot.event(load_payload("event_app_mention.json")).status == 200
    limited, posted = bot.fake.wait_for("chat.postMessage", 2, ok_only=False)
    assert limited.status == 429 and posted.status == 200
    assert posted.at - limited.at >= 1.0
    assert "July 1, 2027" in posted.text
    wait_for(bot.all_answered, what="the question to be settled")
    assert len(bot.fake.calls_to("chat.postMessage")) == 2


def test_server_errors_are_retried(bot):
    bot.fake.fail("chat.postMessage", 500, times=2)
    assert bot.event(load_payload("event_app_mention.json")).status == 200
    calls = bot.fake.wait_for("chat.postMessage", 3, ok_only=False)
    assert [c.status for c in calls] == [500, 500, 200]
    assert "July 1, 2027" in calls[-1].text


def test_a_failure_to_answer_is_logged_and_the_user_told(start_bot, caplog):
    bot = start_bot(max_retries=1)
    bot.fake.fail("chat.postMessage", 500, times=2)  # the answer and its one retry both fail
    with caplog.at_level(logging.ERROR, logger="bot.background"):
        assert bot.event(load_payload("event_app_mention.json")).status == 200
        calls = bot.fake.wait_for("chat.postMessage", 3, ok_only=False)
        bot.fake.wait_for("reactions.remove")
    assert [c.status for c in calls] == [500, 500, 200]
    assert "something went wrong" in calls[-1].text
    assert calls[-1].params["thread_ts"] == load_payload("event_app_mention.json")["event"]["ts"]
    [record] = [r for r in caplog.records if r.getMessage() == "failed to answer on Slack"]
    assert record.exc_info is not None  # the traceback is in the log


def test_ack_is_immediate_however_long_the_search(start_bot, engine):
    slow = SlowEngine(engine, seconds=5)
    bot = start_bot(bot_engine=slow)
    try:
        started = time.monotonic()
        response = bot.event(load_payload("event_app_mention.json"))
        assert response.status == 200 and response.elapsed < 1
        bot.fake.wait_for("reactions.add")  # the working indicator shows while the search runs
        assert bot.fake.calls_to("chat.postMessage") == []
        [posted] = bot.fake.wait_for("chat.postMessage", timeout=20)
        assert posted.at - started >= 4.9
        assert "July 1, 2027" in posted.text
    finally:
        slow.release.set()


def test_many_questions_at_once_do_not_wait_behind_slow_searches(start_bot, engine):
    slow = SlowEngine(engine, seconds=30)
    bot = start_bot(bot_engine=slow)
    fields = load_payload("command_cws.json", bot.fake.hooks_url)
    mention = load_payload("event_app_mention.json")
    requests = [lambda: bot.command(fields)] * 20 + [
        lambda n=n: bot.event(mention | {"event_id": f"Ev0BURST{n:05d}"}) for n in range(10)
    ]
    try:
        with ThreadPoolExecutor(len(requests)) as pool:
            responses = list(pool.map(lambda send: send(), requests))
        assert [r.status for r in responses] == [200] * len(requests)
        assert max(r.elapsed for r in responses) < 1, [round(r.elapsed, 2) for r in responses]
    finally:
        slow.release.set()  # let the searches finish now
    bot.fake.wait_for("response_url", 20)
    bot.fake.wait_for("chat.postMessage", 10)


def test_healthz_reports_the_live_index(bot, engine):
    response = get(bot.url + "/healthz")
    assert response.status == 200
    live = engine.live.current()
    assert response.json() == {
        "status": "ok",
        "index_version": live.name,
        "documents": live.document_count,
        "passages": live.passage_count,
    }
    assert get(bot.url + "/nope").status == 404
    assert get(bot.events_url).status == 404


def test_healthz_without_an_index_is_503(start_bot, tmp_path, built_settings, embedder):
    from answering.engine import AnswerEngine

    empty = AnswerEngine(built_settings.model_copy(update={"data_dir": tmp_path / "empty"}), embedder)
    bot = start_bot(bot_engine=empty)
    response = get(bot.url + "/healthz")
    assert response.status == 503 and response.json()["status"] == "unavailable"
    assert json.loads(send_signed(bot.events_url, b'{"type": "url_verification", "challenge": "c"}', JSON).body)
