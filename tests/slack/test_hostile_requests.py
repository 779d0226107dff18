"""Hostile requests to /slack/events (issue 15 §3): refused cleanly, in the right order, without a traceback.

An unsigned request is refused (401) before its body is even decoded; a signed one that is
not what Slack sends is refused as malformed (400); a signed one for another workspace or
app is refused; the same signed bytes sent again (a replay within the 5 minutes a signature
is valid) do nothing a second time. Every case runs against the real server and the fake
Slack API, and nothing may be logged with a traceback or at ERROR.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from urllib.parse import quote

import pytest

from atr.store import AtrStore
from bot.inbound import FOREIGN
from tests.slack.conftest import ATR_SETTINGS
from tests.slack.signing import FORM, JSON, load_payload, post, signature, signed_headers
from tests.waiting import wait_for

QUIET = 0.5  # how long to watch for a Slack call that must not come (nothing marks that it never will)
YEAR = time.gmtime().tm_year - 1
MENTION = load_payload("event_app_mention.json")


def mention(**changes: object) -> dict:
    body = json.loads(json.dumps(MENTION))
    body.update(changes)
    return body


def mention_event(**changes: object) -> dict:
    body = mention()
    body["event"].update(changes)
    return body


def form(fields: dict) -> bytes:
    return "&".join(f"{k}={quote(str(v), safe='')}" for k, v in fields.items()).encode()


def payload_form(value: object) -> bytes:
    text = value if isinstance(value, str) else json.dumps(value)
    return b"payload=" + quote(text, safe="").encode()


def unsigned(headers: dict) -> dict:
    return {"Content-Type": JSON} | headers


# Whatever handles a request: the server, our checks and middleware, bolt. (Not the background pools, where
# another test's work may still be ending: a refused request never reaches them, as `_slack_untouched` shows.)
REQUEST_PATH = ("waitress", "bot.http_server", "bot.inbound", "bot.middleware", "bot.bolt", "slack_bolt")


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if (r.exc_info or r.levelno >= logging.ERROR) and r.name.startswith(REQUEST_PATH)]
    assert not bad, [(r.name, r.threadName, r.getMessage()) for r in bad]


def _slack_untouched(bot) -> None:  # type: ignore[no-untyped-def]
    time.sleep(QUIET)  # deliberately a fixed wait (see QUIET)
    assert [c.method for c in bot.fake.calls] == ["auth.test"]


# --- unsigned: 401 before the body is looked at ---------------------------------------------------------------------

# Headers as made at the moment the test runs (`now`), not when the module was collected: signatures expire.
UNSIGNED: list[tuple[str, bytes, Callable[[str], dict]]] = [
    ("JSON list, no signature", b"[1]", lambda now: unsigned({})),
    ("form payload=x, no signature", b"payload=x", lambda now: {"Content-Type": FORM}),
    ("timestamp abc, no signature", b"{}", lambda now: unsigned({"X-Slack-Request-Timestamp": "abc"})),
    (
        "timestamp abc, signed over it",
        b"[1]",
        lambda now: unsigned({"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": signature(b"[1]", "abc")}),
    ),
    (
        "timestamp with an exponent",
        b"[1]",
        lambda now: unsigned({"X-Slack-Request-Timestamp": "1.7e9", "X-Slack-Signature": signature(b"[1]", "1.7e9")}),
    ),
    (
        "timestamp negative",
        b"{}",
        lambda now: unsigned({"X-Slack-Request-Timestamp": "-1", "X-Slack-Signature": "v0=00"}),
    ),
    (
        "timestamp in superscript digits",
        b"{}",
        lambda now: unsigned({"X-Slack-Request-Timestamp": "\u00b9\u00b2\u00b3", "X-Slack-Signature": "v0=00"}),
    ),
    (
        "timestamp of 40 digits",
        b"{}",
        lambda now: unsigned({"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": "v0=00"}),
    ),
    ("timestamp ten minutes ahead", b"{}", lambda now: signed_headers(b"{}", JSON, timestamp=int(now) + 600)),
    ("timestamp six minutes old", b"{}", lambda now: signed_headers(b"{}", JSON, timestamp=int(now) - 360)),
    (
        "signature not hex",
        b"{}",
        lambda now: unsigned({"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=zz"}),
    ),
    (
        "signature of another version",
        b"{}",
        lambda now: unsigned(
            {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": signature(b"{}", now).replace("v0=", "v1=")}
        ),
    ),
    ("signature empty", b"{}", lambda now: unsigned({"X-Slack-Request-Timestamp": now, "X-Slack-Signature": ""})),
    (
        "signature of another body",
        b'{"type": "event_callback"}',
        lambda now: unsigned({"X-Slack-Request-Timestamp": now, "X-Slack-Signature": signature(b"{}", now)}),
    ),
    (
        "signature with the wrong secret",
        b"{}",
        lambda now: signed_headers(b"{}", JSON, timestamp=int(now), secret="not-the-secret"),
    ),
    ("binary body, no signature", b"\xff\xfe\x00\x01", lambda now: {"Content-Type": "application/octet-stream"}),
    ("empty body, no signature", b"", lambda now: unsigned({})),
    ("deeply nested JSON, no signature", b"[" * 100_000, lambda now: unsigned({})),
]


@pytest.mark.parametrize(("body", "headers"), [pytest.param(b, h, id=i) for i, b, h in UNSIGNED])
def test_unsigned_requests_get_401_before_any_parsing(bot, caplog, body, headers):
    with caplog.at_level(logging.DEBUG):
        response = post(bot.events_url, body, headers(str(int(time.time()))))
        assert response.status == 401, response
        _slack_untouched(bot)
    _no_tracebacks(caplog)


def test_slacks_certificate_check_gets_200_and_does_nothing(bot, caplog):
    """`ssl_check=1`, which Slack sends to a slash command's URL: answered as bolt always did, signed or not."""
    with caplog.at_level(logging.DEBUG):
        response = post(bot.events_url, b"ssl_check=1&token=x", {"Content-Type": FORM})
        assert response.status == 200 and response.body == b""
        _slack_untouched(bot)
    _no_tracebacks(caplog)


# --- signed but not what Slack sends: 400 ---------------------------------------------------------------------------

NOWHERE = "http://127.0.0.1:9/"  # response_urls nothing answers: were a request let through, nothing leaves the host
_BLOCK_ACTIONS = load_payload("action_vote_up.json", NOWHERE)
_VIEW = load_payload("view_submission_atr_submit.json", NOWHERE)
_COMMAND = load_payload("command_cws.json", NOWHERE)


def _without(body: dict, *names: str) -> dict:
    return {k: v for k, v in body.items() if k not in names}


def _view_with_state(values: object) -> dict:
    body = json.loads(json.dumps(_VIEW))
    body["view"]["state"]["values"] = values
    return body


MALFORMED: list[tuple[str, bytes, str]] = [
    ("JSON list", b"[1]", JSON),
    ("JSON number", b"1", JSON),
    ("JSON string", b'"event_callback"', JSON),
    ("JSON null", b"null", JSON),
    ("JSON cut short", b'{"type": "event_callback", "event": {', JSON),
    ("deeply nested JSON", b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", JSON),
    ("not UTF-8", b'{"type": "event_callback", "x": "\xff"}', JSON),
    ("no type at all", b"{}", JSON),
    ("type a number", b'{"type": 5}', JSON),
    ("event_callback without event", json.dumps(_without(MENTION, "event")).encode(), JSON),
    ("event a string", json.dumps(mention(event="app_mention")).encode(), JSON),
    ("event a list", json.dumps(mention(event=[1])).encode(), JSON),
    ("event without type", json.dumps(mention(event={"channel": "C1", "ts": "1.2"})).encode(), JSON),
    ("event type a number", json.dumps(mention_event(type=7)).encode(), JSON),
    ("mention without channel", json.dumps(mention(event=_without(MENTION["event"], "channel"))).encode(), JSON),
    ("mention without ts", json.dumps(mention(event=_without(MENTION["event"], "ts"))).encode(), JSON),
    ("mention text a number", json.dumps(mention_event(text=42)).encode(), JSON),
    ("mention channel an object", json.dumps(mention_event(channel={"id": "C1"})).encode(), JSON),
    ("mention thread_ts a list", json.dumps(mention_event(thread_ts=["1.2"])).encode(), JSON),
    ("mention user an object", json.dumps(mention_event(user={"id": "U0ALICE"})).encode(), JSON),
    (
        "direct message without ts",
        json.dumps(mention(event=_without(MENTION["event"], "ts") | {"type": "message"})).encode(),
        JSON,
    ),
    ("event_callback without event_id", json.dumps(_without(MENTION, "event_id")).encode(), JSON),
    ("authorizations a string", json.dumps(mention(authorizations="T0CWSTEAM")).encode(), JSON),
    ("authorizations of numbers", json.dumps(mention(authorizations=[1])).encode(), JSON),
    ("team a number", json.dumps(mention(team=5)).encode(), JSON),
    ("enterprise a number", json.dumps(mention(enterprise=5)).encode(), JSON),
    ("user a list", json.dumps(mention(user=[])).encode(), JSON),
    ("team_id a number", json.dumps(mention(team_id=1)).encode(), JSON),
    ("url_verification without challenge", b'{"type": "url_verification"}', JSON),
    ("text/plain that is not JSON", b"hello", "text/plain"),
    ("multipart", b"--x\r\n\r\n--x--", "multipart/form-data; boundary=x"),
    ("form payload=x", b"payload=x", FORM),
    ("form payload a list", payload_form([1]), FORM),
    ("form payload empty object", payload_form({}), FORM),
    ("form payload a string", payload_form('"block_actions"'), FORM),
    ("block_actions without actions", payload_form(_without(_BLOCK_ACTIONS, "actions")), FORM),
    ("block_actions actions a string", payload_form(_BLOCK_ACTIONS | {"actions": "vote_up"}), FORM),
    ("block_actions action without action_id", payload_form(_BLOCK_ACTIONS | {"actions": [{"value": "x"}]}), FORM),
    ("block_actions action_id a number", payload_form(_BLOCK_ACTIONS | {"actions": [{"action_id": 1}]}), FORM),
    ("block_actions without user", payload_form(_without(_BLOCK_ACTIONS, "user")), FORM),
    ("block_actions user without id", payload_form(_BLOCK_ACTIONS | {"user": {"name": "x"}}), FORM),
    ("block_actions on a message without response_url", payload_form(_without(_BLOCK_ACTIONS, "response_url")), FORM),
    ("view_submission without view", payload_form(_without(_VIEW, "view")), FORM),
    ("view_submission view a string", payload_form(_VIEW | {"view": "V1"}), FORM),
    ("view_submission state values a list", payload_form(_view_with_state([1])), FORM),
    ("view_submission field state a number", payload_form(_view_with_state({"office": {"value": 5}})), FORM),
    (
        "view_submission selected option a string",
        payload_form(_view_with_state({"type": {"value": {"selected_option": "TM"}}})),
        FORM,
    ),
    ("view_submission team a string", payload_form(_VIEW | {"team": "T0CWSTEAM"}), FORM),
    ("form without command or payload", b"a=1&b=2", FORM),
    ("empty form", b"", FORM),
    ("form with a bad escape", b"command=%2Fcws&text=%ff%fe", FORM),
    ("command without response_url", form(_without(_COMMAND, "response_url")), FORM),
    ("command without user_id", form(_without(_COMMAND, "user_id")), FORM),
    ("command without trigger_id", form(_without(_COMMAND, "trigger_id")), FORM),
    ("command without team_id", form(_without(_COMMAND, "team_id")), FORM),
]


@pytest.mark.parametrize(("body", "content_type"), [pytest.param(b, c, id=i) for i, b, c in MALFORMED])
def test_signed_malformed_requests_get_400(bot, caplog, body, content_type):
    with caplog.at_level(logging.DEBUG):
        response = post(bot.events_url, body, signed_headers(body, content_type))
        assert response.status == 400, response
        _slack_untouched(bot)
    _no_tracebacks(caplog)


def test_a_question_with_the_word_payload_is_answered(bot):
    """bolt alone reads a form containing "payload" as an empty request: the body it gets is the one checked."""
    fields = load_payload("command_cws.json", bot.fake.hooks_url) | {"text": "What is the payload of ST.92?"}
    assert bot.command(fields).status == 200
    [answer] = bot.fake.wait_for("response_url")
    assert answer.text and "went wrong" not in answer.text


# --- another workspace or app ---------------------------------------------------------------------------------------


def test_an_event_from_another_workspace_is_acknowledged_and_ignored(bot, caplog):
    other = mention(
        team_id="T0OTHERWS",
        event_id="Ev0OTHERWS1",
        authorizations=[MENTION["authorizations"][0] | {"team_id": "T0OTHERWS"}],
    )
    with caplog.at_level(logging.WARNING, logger="bot.inbound"):
        response = bot.event(other)
        assert response.status == 200  # not 4xx: Slack would retry, and turn events off after many
        _slack_untouched(bot)
    assert "workspace T0OTHERWS is not T0CWSTEAM" in caplog.text
    _no_tracebacks(caplog)


def test_a_command_from_another_workspace_is_refused(bot):
    fields = load_payload("command_cws.json", bot.fake.hooks_url) | {"team_id": "T0OTHERWS"}
    response = bot.command(fields)
    assert response.status == 200 and response.json()["text"] == FOREIGN
    _slack_untouched(bot)


def test_a_click_for_another_app_is_refused_when_the_app_is_configured(start_bot):
    bot = start_bot(app_id="A0CWSAPP")
    payload = load_payload("action_vote_up.json", bot.fake.hooks_url) | {"api_app_id": "A0ELSEAPP"}
    response = bot.action(payload)
    assert response.status == 200 and response.json()["text"] == FOREIGN
    _slack_untouched(bot)
    # The app's own requests still work.
    assert bot.event(MENTION).status == 200
    bot.fake.wait_for("reactions.remove")


def test_the_configured_workspace_wins_over_the_tokens(start_bot):
    bot = start_bot(team_id="T0ELSEWHERE")
    assert bot.event(MENTION).status == 200  # from T0CWSTEAM, the token's own workspace
    _slack_untouched(bot)


def test_a_socket_mode_request_from_another_workspace_is_refused_too(tmp_path, built_settings, engine, fake_slack):
    from slack_bolt.adapter.socket_mode.internals import run_bolt_app
    from slack_sdk.socket_mode.request import SocketModeRequest

    from bot.app import create_app
    from config.slack import SlackSecrets

    secrets = SlackSecrets(bot_token="xoxb-test", app_token="xapp-test", api_url=fake_slack.api_url)
    app = create_app(built_settings.model_copy(update={"data_dir": tmp_path}), engine, secrets=secrets)
    other = mention(team_id="T0OTHERWS", authorizations=[MENTION["authorizations"][0] | {"team_id": "T0OTHERWS"}])
    envelope = SocketModeRequest(type="events_api", envelope_id="env-1", payload=other)
    assert run_bolt_app(app, envelope).status == 200
    time.sleep(QUIET)  # deliberately a fixed wait (see QUIET)
    assert [c.method for c in fake_slack.calls] == ["auth.test"]


# --- replays ---------------------------------------------------------------------------------------------------------


def test_a_replayed_atr_submission_is_stored_once(start_bot, caplog):
    bot = start_bot(atr=ATR_SETTINGS)
    url = f"https://www.ipo.gov.uk/atr/{YEAR}-trademarks"
    fields = load_payload("command_atr.json", bot.fake.hooks_url) | {"text": f"submit GB TM {YEAR} {url}"}
    body = form(fields)
    headers = signed_headers(body, FORM)  # captured once, sent again as is within the 5 minutes
    with caplog.at_level(logging.WARNING, logger="bot.middleware"):
        assert post(bot.events_url, body, headers).status == 200
        bot.fake.wait_for("response_url", 2)  # the confirmation, then the follow-up on reading the link
        replayed = post(bot.events_url, body, headers)
    assert replayed.status == 200 and replayed.body == b""
    time.sleep(QUIET)  # deliberately a fixed wait (see QUIET)
    assert len(bot.fake.calls_to("response_url")) == 2
    store = AtrStore(bot.settings.data_dir)
    assert len(store.history("GB", "TM", YEAR)) == 1
    assert [(s.url, s.version) for s in store.current(YEAR, "GB")] == [(url, 1)]
    assert "arrived a second time (a replay)" in caplog.text


def test_a_replayed_question_is_answered_once_and_a_new_one_is_not_a_replay(bot):
    fields = load_payload("command_cws.json", bot.fake.hooks_url)
    body = form(fields)
    headers = signed_headers(body, FORM)
    assert post(bot.events_url, body, headers).status == 200
    assert post(bot.events_url, body, headers).status == 200
    bot.fake.wait_for("response_url")
    wait_for(bot.all_answered, what="the question to be answered")
    time.sleep(QUIET)  # deliberately a fixed wait (see QUIET)
    assert len(bot.fake.calls_to("response_url")) == 1
    assert bot.command(fields).status == 200  # the same command typed again: signed anew, answered again
    bot.fake.wait_for("response_url", 2)
