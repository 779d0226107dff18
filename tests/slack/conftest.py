"""The bot under test: its real HTTP server on 127.0.0.1, talking to a fake Slack Web API."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from answering.engine import AnswerEngine
from answering.gaps import GapLog
from bot.app import create_app
from bot.http_server import EVENTS_PATH, HttpServer
from config.database import connected
from config.slack import SlackSecrets
from tests.slack.fake_slack import FakeSlack
from tests.slack.signing import FORM, JSON, SIGNING_SECRET, Response, action_body, command_body, event_body, send_signed


def unanswered(data_dir: Path) -> int:
    """Questions the bot acknowledged and has not settled yet (answered, or told the user it failed)."""
    with connected(data_dir) as db:
        return db["slack_pending"].count


_stamp_lock = threading.Lock()
_last_stamp = [0]


def fresh_timestamp() -> int:
    """A signing timestamp no earlier request of the session used.

    Slack never sends the same signed bytes twice (every command and click has its own
    trigger_id), and the bot refuses a second copy as a replay. Tests reuse one captured
    payload, so each is signed a second later than the last instead (within Slack's 5 minutes).
    """
    with _stamp_lock:
        _last_stamp[0] = max(int(time.time()), _last_stamp[0] + 1)
        return _last_stamp[0]


@dataclass
class RunningBot:
    url: str
    settings: object
    fake: FakeSlack

    @property
    def events_url(self) -> str:
        return self.url + EVENTS_PATH

    def event(self, payload: dict, extra_headers: dict | None = None, **signing: object) -> Response:
        return send_signed(self.events_url, event_body(payload), JSON, extra_headers, **signing)

    def command(self, fields: dict) -> Response:
        return send_signed(self.events_url, command_body(fields), FORM, timestamp=fresh_timestamp())

    def action(self, payload: dict) -> Response:
        return send_signed(self.events_url, action_body(payload), FORM, timestamp=fresh_timestamp())

    def all_answered(self) -> bool:
        """Every question taken is settled: the work that answers it has ended, nothing more will be posted for it."""
        return unanswered(self.settings.data_dir) == 0


class SlowEngine:
    """The real engine, but every search takes `seconds` (until `release` is set)."""

    def __init__(self, engine, seconds: float) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.seconds = seconds
        self.release = threading.Event()
        self.live = engine.live
        self.gaps = engine.gaps

    def ask(self, question: str, filters: dict | None = None, mode: str = "hybrid", asked_from: str | None = None):  # type: ignore[no-untyped-def]
        self.release.wait(self.seconds)
        return self.engine.ask(question, filters, mode, asked_from)


@pytest.fixture()
def start_bot(tmp_path, built_settings, engine, fake_slack):  # type: ignore[no-untyped-def]
    """start_bot(engine=..., atr={...}, jobs={...}, **slack_settings) → RunningBot; stopped after the test."""
    servers: list[HttpServer] = []

    def start(bot_engine=None, data_dir=None, atr=None, jobs=None, **slack_overrides):  # type: ignore[no-untyped-def]
        settings = built_settings.model_copy(
            update={
                "data_dir": data_dir or tmp_path / "bot-data",
                "slack": built_settings.slack.model_copy(update=slack_overrides),
                "atr": built_settings.atr.model_validate(built_settings.atr.model_dump() | (atr or {})),
                "jobs": built_settings.jobs.model_validate(built_settings.jobs.model_dump() | (jobs or {})),
            }
        )
        # The shared index, with refusals recorded in this bot's own data directory.
        bot_engine = bot_engine or AnswerEngine(built_settings, engine.embedder, gaps=GapLog(settings.data_dir))
        secrets = SlackSecrets(bot_token="xoxb-test-token", signing_secret=SIGNING_SECRET, api_url=fake_slack.api_url)
        app = create_app(settings, bot_engine, secrets=secrets)
        server = HttpServer(app, bot_engine, "127.0.0.1", 0, settings.slack.listener_threads).start()
        servers.append(server)
        return RunningBot(server.url, settings, fake_slack)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture()
def bot(start_bot) -> RunningBot:  # type: ignore[no-untyped-def]
    return start_bot()


# ATR: a GB delegate, a user group of FR delegates (whose canned members include U0GROUPIE)
# and the secretariat.
ATR_SETTINGS = {"delegates": {"U0DELEGGB": ["GB"], "S0FRDELEG": ["FR"]}, "secretariat": ["U0SECRET"]}


@pytest.fixture()
def atr_bot(start_bot) -> RunningBot:  # type: ignore[no-untyped-def]
    return start_bot(atr=ATR_SETTINGS)
