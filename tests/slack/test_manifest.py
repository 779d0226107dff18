"""The Slack app manifest, the listeners the bot registers and what the bot sends must agree, both ways.

Commands and events: the manifest's and the registered ones are the same sets. Actions and
views are not listed in a manifest, so they are checked against what the bot itself sends:
every button's action_id and every view's callback_id has a listener, and every listener
answers something the bot sends; interactivity is on exactly when there are any.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from answering.engine import Answer, Source
from bot.atr_blocks import submit_modal
from bot.blocks import answer_message
from bot.http_server import EVENTS_PATH
from bot.listeners import register_listeners
from tests.slack.signing import load_payload

MANIFEST = Path(__file__).resolve().parents[2] / "config" / "slack-app-manifest.yaml"
LEAST_PRIVILEGE = {
    "app_mentions:read",
    "chat:write",
    "commands",
    "im:history",
    "reactions:write",
    "usergroups:read",  # only to resolve the user groups named in atr.delegates / atr.secretariat
    "files:write",  # /atr status YEAR chart
    "channels:history",
    "groups:history",  # scheduled posts: look for an unconfirmed one before posting it again
}


class Recorder:
    """Stands in for bolt's App to see what `register_listeners` registers."""

    def __init__(self) -> None:
        self.commands: set[str] = set()
        self.events: set[str] = set()
        self.actions: set[str] = set()
        self.views: set[str] = set()

    def _record(self, into: set[str], name: str):  # type: ignore[no-untyped-def]
        into.add(name)
        return lambda callback: callback

    def command(self, name: str):  # type: ignore[no-untyped-def]
        return self._record(self.commands, name)

    def event(self, name: str):  # type: ignore[no-untyped-def]
        return self._record(self.events, name)

    def action(self, name: str):  # type: ignore[no-untyped-def]
        return self._record(self.actions, name)

    def view(self, name: str):  # type: ignore[no-untyped-def]
        return self._record(self.views, name)


def sent_action_ids() -> set[str]:
    """action_ids of every button the bot can send (an answer with all its buttons)."""
    source = Source("d", "Title", "CWS/12/25", "10", "CWS/12/25, para. 10", "text", "text", 1.0, None)
    message = answer_message(Answer("q", "a", True, [source]), answer_id="0" * 32, shareable=True)
    return {e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]}


def sent_view_callback_ids() -> set[str]:
    """callback_ids of every view the bot opens whose submission comes back to it."""
    return {submit_modal(2025)["callback_id"]}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registered() -> Recorder:
    recorder = Recorder()
    register_listeners(recorder)  # type: ignore[arg-type]
    return recorder


def test_slash_commands_agree(manifest, registered):
    assert {c["command"] for c in manifest["features"]["slash_commands"]} == registered.commands


def test_events_agree(manifest, registered):
    # message.im, message.channels ... all arrive as bolt's "message" event
    assert {e.split(".")[0] for e in manifest["settings"]["event_subscriptions"]["bot_events"]} == registered.events


def test_every_button_sent_has_a_listener_and_every_action_listener_a_button(registered):
    assert sent_action_ids() == registered.actions


def test_every_view_opened_has_a_listener_and_every_view_listener_a_view(registered):
    assert sent_view_callback_ids() == registered.views


def test_interactivity_is_on_exactly_when_there_are_buttons_or_views(manifest, registered):
    assert manifest["settings"]["interactivity"]["is_enabled"] is bool(registered.actions or registered.views)


def test_the_home_tab_is_on_exactly_when_it_is_drawn(manifest, registered):
    assert manifest["features"]["app_home"]["home_tab_enabled"] is ("app_home_opened" in registered.events)


def test_scopes_are_least_privilege(manifest):
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == LEAST_PRIVILEGE
    assert "user" not in manifest["oauth_config"]["scopes"]


def test_every_request_url_is_the_bots_events_path(manifest):
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls += [
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
    ]
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls)
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True  # DMs need the messages tab


def test_every_manifest_command_and_event_is_handled_by_the_real_app(bot, manifest):
    """Bolt answers 404 to what no listener matches: each manifest entry must get 200."""
    for entry in manifest["features"]["slash_commands"]:
        fields = load_payload("command_cws.json", bot.fake.hooks_url) | {"command": entry["command"], "text": "help"}
        assert bot.command(fields).status == 200, entry
    samples = {
        "app_mention": "event_app_mention.json",
        "message.im": "event_message_im.json",
        "app_home_opened": "event_app_home_opened.json",
    }
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        assert bot.event(load_payload(samples[event])).status == 200, event
    bot.fake.wait_for("chat.postMessage", 2)
    bot.fake.wait_for("views.publish")
    view = load_payload("view_submission_atr_submit.json")
    view["user"]["id"] = "U0STRANGER"  # refused on the form: answered, nothing stored
    assert bot.action(view).status == 200
    unhandled = load_payload("event_message_im.json")
    unhandled["event"] = {"type": "reaction_added", "user": "U0ALICE", "reaction": "tada", "event_ts": "1.2"}
    assert bot.event(unhandled | {"event_id": "Ev0UNHANDLED"}).status == 404  # the premise of this test
