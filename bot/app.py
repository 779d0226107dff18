"""The Slack app: bolt `App` with our middleware and listeners; the same for HTTP and Socket Mode."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient

from bot.atr_access import AtrAccess, attach_atr
from bot.dedupe import EventDedupe
from bot.feedback import FeedbackStore
from bot.listeners import register_listeners
from bot.middleware import attach, skip_redelivered
from bot.pending import PendingQuestions
from bot.responder import SlackResponder
from config.slack import SlackSecrets, web_client
from bot.threads import ThreadContext
from config.settings import Settings
from answering.engine import AnswerEngine


class _ClientFromSameToken(logging.Filter):
    """Our client carries SLACK_BOT_TOKEN; bolt also finds it in the environment and warns."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def create_app(
    settings: Settings, engine: AnswerEngine, client: WebClient | None = None, *, secrets: SlackSecrets | None = None
) -> App:
    """Build the app; calls Slack's auth.test once to learn the bot's own user id."""
    secrets = secrets or SlackSecrets.from_env("http")
    threads = settings.slack.listener_threads
    logger = logging.getLogger("bot.bolt")
    if not logger.filters:
        logger.addFilter(_ClientFromSameToken())
    app = App(
        logger=logger,
        client=client or web_client(secrets, settings.slack.max_retries),
        signing_secret=secrets.signing_secret,
        process_before_response=False,  # ack first; listeners run after the response is sent
        listener_executor=ThreadPoolExecutor(max_workers=threads, thread_name_prefix="cws-listener"),
        name="cws-assistant",
    )
    responder = SlackResponder(
        engine, settings, FeedbackStore(settings.data_dir), ThreadContext(settings.data_dir), PendingQuestions(settings.data_dir)
    )
    responder.resume(app.client)  # questions a crashed or stopped process acknowledged but never answered
    app.use(skip_redelivered(EventDedupe(settings.data_dir)))
    app.use(attach(responder))
    app.use(attach_atr(AtrAccess(settings)))  # /atr, the App Home tab and /cws deadlines
    register_listeners(app)
    return app
