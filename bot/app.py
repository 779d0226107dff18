"""The Slack app: bolt `App` with our middleware and listeners; the same for HTTP and Socket Mode.

Start-up asks Slack who the bot is (auth.test) once, retrying with backoff when Slack cannot
be reached, and that answer serves every request: the bot's user id, and the workspace and
app whose requests are served (`slack.team_id`, `slack.app_id` when configured).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped, warning_token_skipped
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from answering.engine import AnswerEngine
from bot.atr_access import AtrAccess, attach_atr
from bot.dedupe import EventDedupe
from bot.feedback import FeedbackStore
from bot.health import HealthWatch
from bot.inbound import Origin
from bot.listeners import register_listeners
from bot.middleware import attach, skip_redelivered
from bot.pending import PendingQuestions
from bot.responder import SlackResponder
from bot.threads import ThreadContext
from config.errors import CwsError
from config.settings import Settings, SlackSettings
from config.slack import SlackSecrets, web_client

log = logging.getLogger(__name__)


class SlackUnreachable(CwsError):
    """Slack's Web API did not answer at start-up, however often it was tried."""


class TokenRefused(CwsError):
    """Slack answered, and refused SLACK_BOT_TOKEN."""


class _ClientFromSameToken(logging.Filter):
    """Our client and our authorize function carry SLACK_BOT_TOKEN; bolt also finds it elsewhere and warns."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in {warning_client_prioritized_and_token_skipped(), warning_token_skipped()}


class CwsApp(App):
    """bolt's App plus what the HTTP server needs to check a request before bolt parses it."""

    def __init__(self, *, signing_secret: str, slack: SlackSettings, health: HealthWatch, **kwargs: Any) -> None:
        # The HTTP server verifies signatures itself, before anything is parsed (bot.inbound), and hands bolt the
        # body as checked; Socket Mode needs no signatures.
        super().__init__(request_verification_enabled=False, **kwargs)
        self.signing_secret = signing_secret
        self.slack_settings = slack
        self.health = health


def identify(client: WebClient, attempts: int, backoff: float, api_url: str) -> SlackResponse:
    """Slack's auth.test for the bot token, tried `attempts` times, waiting `backoff`, 2x, 4x... in between.

    SlackUnreachable when Slack never answered (network, DNS, proxy, a 5xx or 429 each time);
    TokenRefused at once when it answered no (a wrong or revoked token).
    """
    once = WebClient(token=client.token, base_url=client.base_url, timeout=10, retry_handlers=[])  # only ours count
    started, wait = time.monotonic(), backoff
    for attempt in range(1, attempts + 1):
        try:
            return once.auth_test()
        except SlackApiError as exc:
            if exc.response.status_code < 500 and exc.response.status_code != 429:
                raise TokenRefused(f"Slack did not accept SLACK_BOT_TOKEN: {exc.response.get('error')}") from exc
            problem = f"Slack answered HTTP {exc.response.status_code}"
        except OSError as exc:  # refused, reset, timed out, no route, name not resolved (URLError is an OSError)
            problem = _reason(exc)
        if attempt == attempts:
            raise SlackUnreachable(
                f"cannot reach Slack at {api_url} ({problem}) after {attempts} attempt{'s' if attempts > 1 else ''} "
                f"over {time.monotonic() - started:.0f} s; check the network (a proxy?) and SLACK_API_URL"
            )
        log.warning(
            "cannot reach Slack at %s (%s); trying again in %g s (attempt %d of %d)",
            api_url,
            problem,
            wait,
            attempt,
            attempts,
        )
        time.sleep(wait)
        wait *= 2
    raise AssertionError("unreachable")  # the loop returns or raises


def _reason(exc: OSError) -> str:
    reason = getattr(exc, "reason", None)  # urllib's URLError wraps the socket error
    return str(reason if isinstance(reason, (str, OSError)) else exc) or type(exc).__name__


def authorize_from(me: SlackResponse, token: str):
    """bolt's authorize function: every request is this one bot's, as auth.test said at start-up."""

    def authorize(user_id: str | None = None, **_: object) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=me.get("enterprise_id"),
            team_id=me.get("team_id"),
            bot_id=me.get("bot_id"),
            bot_user_id=me.get("user_id"),
            bot_token=token,
            user_id=user_id,
        )

    return authorize


def origin_from(slack: SlackSettings, me: SlackResponse) -> Origin:
    """The configured workspace and app, else the bot token's own (auth.test; the app only when Slack names it)."""
    own_team = me.get("enterprise_id") if me.get("is_enterprise_install") else me.get("team_id")
    origin = Origin(slack.team_id or own_team, slack.app_id or me.get("app_id"))
    log.info("serving requests from workspace %s, app %s", origin.team_id or "(any)", origin.app_id or "(not checked)")
    return origin


def create_app(
    settings: Settings, engine: AnswerEngine, client: WebClient | None = None, *, secrets: SlackSecrets | None = None
) -> CwsApp:
    """Build the app; calls Slack's auth.test once (retried while Slack cannot be reached) to learn who it is."""
    secrets = secrets or SlackSecrets.from_env("http")
    slack = settings.slack
    client = client or web_client(secrets, slack.max_retries)
    me = identify(client, slack.connect_attempts, slack.connect_backoff_seconds, secrets.api_url)
    logger = logging.getLogger("bot.bolt")
    if not logger.filters:
        logger.addFilter(_ClientFromSameToken())
    data = settings.data_dir
    responder = SlackResponder(engine, settings, FeedbackStore(data), ThreadContext(data), PendingQuestions(data))
    channel = settings.jobs.maintainers_channel
    post = None
    if channel:

        def post(text: str) -> None:
            responder.posting.submit(lambda: client.chat_postMessage(channel=channel, text=text), lambda _: None)

    health = HealthWatch(engine.live, post)
    responder.on_answered = health.check
    app = CwsApp(
        signing_secret=secrets.signing_secret,
        slack=slack,
        health=health,
        logger=logger,
        client=client,
        authorize=authorize_from(me, secrets.bot_token),
        process_before_response=False,  # ack first; listeners run after the response is sent
        listener_executor=ThreadPoolExecutor(max_workers=slack.listener_threads, thread_name_prefix="cws-listener"),
        name="cws-assistant",
    )
    health.check()  # a damaged build skipped at start-up is posted now
    responder.resume(app.client)  # questions a crashed or stopped process acknowledged but never answered
    app.use(origin_from(slack, me).middleware())
    app.use(skip_redelivered(EventDedupe(settings.data_dir)))
    app.use(attach(responder))
    app.use(attach_atr(AtrAccess(settings)))  # /atr, the App Home tab and /cws deadlines
    register_listeners(app)
    return app
