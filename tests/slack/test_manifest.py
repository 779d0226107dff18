"""The Slack app manifest and the listeners the bot registers must agree, both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.http_server import EVENTS_PATH
from bot.listeners import register_listeners
from tests.slack.signing import load_payload

MANIFEST = Path(__file__).resolve().parents[2] / "config" / "slack-app-manifest.yaml"
LEAST_PRIVILEGE = {"app_mentions:read", "chat:write", "commands", "im:history", "reactions:write"}


class Recorder:
    """Stands in for bolt's App to see what `register_listeners` registers."""

    def __init__(self) -> None:
        self.commands: set[str] = set()
        self.events: set[str] = set()
        self.actions: set[str] = set()

    def _record(self, into: set[str], name: str):  # type: ignore[no-untyped-def]
        into.add(name)
        return lambda callback: callback

    def command(self, name: str):  # type: ignore[no-untyped-def]
        return self._record(self.commands, name)

    def event(self, name: str):  # type: ignore[no-untyped-def]
        return self._record(self.events, name)

    def action(self, name: str):  # type: ignore[no-untyped-def]
        return self._record(self.actions, name)


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


def test_interactivity_is_on_exactly_when_there_are_buttons(manifest, registered):
    assert manifest["settings"]["interactivity"]["is_enabled"] is bool(registered.actions)


def test_scopes_are_least_privilege(manifest):
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == LEAST_PRIVILEGE
    assert "user" not in manifest["oauth_config"]["scopes"]


def test_every_request_url_is_the_bots_events_path(manifest):
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls += [manifest["settings"]["event_subscriptions"]["request_url"], manifest["settings"]["interactivity"]["request_url"]]
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls)
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True  # DMs need the messages tab


def test_every_manifest_command_and_event_is_handled_by_the_real_app(bot, manifest):
    """Bolt answers 404 to what no listener matches: each manifest entry must get 200."""
    for entry in manifest["features"]["slash_commands"]:
        fields = load_payload("command_cws.json", bot.fake.hooks_url) | {"command": entry["command"], "text": "help"}
        assert bot.command(fields).status == 200, entry
    samples = {"app_mention": "event_app_mention.json", "message.im": "event_message_im.json"}
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        assert bot.event(load_payload(samples[event])).status == 200, event
    bot.fake.wait_for("chat.postMessage", 2)
    unhandled = load_payload("event_message_im.json")
    unhandled["event"] = {"type": "reaction_added", "user": "U0ALICE", "reaction": "tada", "event_ts": "1.2"}
    assert bot.event(unhandled | {"event_id": "Ev0UNHANDLED"}).status == 404  # the premise of this test
