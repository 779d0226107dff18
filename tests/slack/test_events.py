"""Mentions, follow-ups in threads and direct messages, end to end over real HTTP."""

from __future__ import annotations

import json
import time

from tests.slack.conftest import unanswered
from tests.slack.signing import load_payload
from tests.waiting import wait_for

IGNORED_WINDOW = 1.0  # how long to watch for a reply to a message the bot must ignore


def _all_text(call) -> str:  # type: ignore[no-untyped-def]
    return call.text + json.dumps(call.blocks, ensure_ascii=False)


def test_mention_gets_one_threaded_answer_with_citations(bot):
    payload = load_payload("event_app_mention.json")
    response = bot.event(payload)
    assert response.status == 200

    [post] = bot.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0TASKFRC"
    assert post.params["thread_ts"] == payload["event"]["ts"]
    assert "July 1, 2027" in post.text
    assert "WO/GA/58/9, para. 10" in json.dumps(post.blocks)
    buttons = [e["action_id"] for b in post.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["vote_up", "vote_down"]

    bot.fake.wait_for("reactions.remove")
    wait_for(bot.all_answered, what="the question to be settled")
    assert len(bot.fake.calls_to("chat.postMessage")) == 1
    [added], [removed] = bot.fake.calls_to("reactions.add"), bot.fake.calls_to("reactions.remove")
    expected = {"channel": "C0TASKFRC", "timestamp": payload["event"]["ts"], "name": "hourglass_flowing_sand"}
    assert {k: added.params[k] for k in expected} == {k: removed.params[k] for k in expected} == expected
    assert added.at < post.at <= removed.at


def test_follow_up_in_thread_uses_the_threads_first_question(bot):
    first = load_payload("event_app_mention_first.json")
    assert bot.event(first).status == 200
    [answer] = bot.fake.wait_for("chat.postMessage")
    assert "ST.92" in answer.text

    follow_up = load_payload("event_app_mention_followup.json")
    assert bot.event(follow_up).status == 200
    posts = bot.fake.wait_for("chat.postMessage", 2)
    assert posts[1].params["thread_ts"] == first["event"]["ts"]
    assert "July 1, 2027" in posts[1].text
    assert "Follow-up to: _What is ST.92?_" in _all_text(posts[1])


def test_empty_mention_gets_help_in_the_thread(bot):
    payload = load_payload("event_app_mention_empty.json")
    assert bot.event(payload).status == 200
    [post] = bot.fake.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == payload["event"]["ts"]
    assert "/cws help" in _all_text(post)


def test_direct_message_is_answered_in_the_dm(bot):
    payload = load_payload("event_message_im.json")
    assert bot.event(payload).status == 200
    [post] = bot.fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "D0ALICEDM"
    assert "thread_ts" not in post.params or post.params["thread_ts"] is None
    assert "ST.37" in post.text


def test_a_thread_on_a_dm_answer_follows_up_on_its_question(bot):
    question = load_payload("event_message_im.json")
    question["event"]["text"] = "What is ST.92?"
    assert bot.event(question).status == 200
    [answer] = bot.fake.wait_for("chat.postMessage")
    bot.fake.wait_for("reactions.remove")  # the thread is remembered just after the answer is posted
    follow_up = load_payload("event_message_im.json")
    follow_up["event_id"] = "Ev0DIRECTMSG2"
    follow_up["event"] |= {
        "text": "and when does its sunset period end?",
        "ts": "1716900360.000900",
        "thread_ts": answer.response["ts"],
    }
    assert bot.event(follow_up).status == 200
    reply = bot.fake.wait_for("chat.postMessage", 2)[1]
    assert reply.params["thread_ts"] == follow_up["event"]["thread_ts"]
    assert "July 1, 2027" in reply.text


def test_messages_from_bots_and_edits_are_ignored(bot):
    for name in ["event_message_im_other_bot.json", "event_message_im_self.json", "event_message_im_edited.json"]:
        assert bot.event(load_payload(name)).status == 200
    # Deliberately a fixed wait: an ignored message leaves no trace to wait for, so watch for a stray reply.
    time.sleep(IGNORED_WINDOW)
    assert [c.method for c in bot.fake.calls] == ["auth.test"]


def test_url_verification_is_answered(bot):
    response = bot.event(load_payload("url_verification.json"))
    assert response.status == 200
    assert load_payload("url_verification.json")["challenge"] in response.body.decode()


def test_socket_mode_envelopes_are_answered_once(tmp_path, built_settings, engine, fake_slack):
    """Socket Mode hands bolt the same payloads, unsigned; a retried envelope is answered once."""
    from slack_bolt.adapter.socket_mode.internals import run_bolt_app
    from slack_sdk.socket_mode.request import SocketModeRequest

    from bot.app import create_app
    from config.slack import SlackSecrets

    secrets = SlackSecrets(bot_token="xoxb-test", app_token="xapp-test", api_url=fake_slack.api_url)
    app = create_app(built_settings.model_copy(update={"data_dir": tmp_path}), engine, secrets=secrets)
    payload = load_payload("event_app_mention.json")
    for attempt in (None, 1):
        envelope = SocketModeRequest(
            type="events_api",
            envelope_id=f"env-{attempt}",
            payload=payload,
            retry_attempt=attempt,
            retry_reason="timeout" if attempt else None,
        )
        assert run_bolt_app(app, envelope).status == 200
    [post] = fake_slack.wait_for("chat.postMessage")
    assert "July 1, 2027" in post.text
    fake_slack.wait_for("reactions.remove")
    wait_for(lambda: unanswered(tmp_path) == 0, what="the question to be settled")
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def _mention(text: str, event_id: str, ts: str) -> dict:
    payload = load_payload("event_app_mention.json")
    payload["event_id"] = event_id
    payload["event"].update(text=f"<@U0CWSBOT> {text}", ts=ts, client_msg_id=f"msg-{event_id}", blocks=[])
    return payload


def test_filters_typed_into_a_mention_narrow_the_answer(bot):
    payload = _mention("document:WO/GA/58/9 When does the ST.92 sunset period end?", "Ev0FILTER01", "1716900100.000100")
    assert bot.event(payload).status == 200
    [post] = bot.fake.wait_for("chat.postMessage")
    assert "July 1, 2027" in post.text and "WO/GA/58/9" in json.dumps(post.blocks)

    question = "document:CWS/12/25 When does the ST.92 sunset period end?"
    elsewhere = _mention(question, "Ev0FILTER02", "1716900200.000100")
    assert bot.event(elsewhere).status == 200
    posts = bot.fake.wait_for("chat.postMessage", 2)
    assert "July 1, 2027" not in posts[1].text  # that document does not say


def test_a_bad_typed_filter_is_told_plainly_without_a_traceback(bot, caplog):
    payload = _mention("office:Atlantis What did the office report?", "Ev0FILTER03", "1716900300.000100")
    assert bot.event(payload).status == 200
    [post] = bot.fake.wait_for("chat.postMessage")
    assert "'Atlantis' is not a valid office" in post.text
    assert "something went wrong" not in post.text.lower()
    assert not [r for r in caplog.records if r.exc_info]
