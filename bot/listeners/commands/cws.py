"""`/cws QUESTION`: an answer only the asker sees, with a "Share in channel" button.

`/cws`, `/cws help` and option-like words (`/cws --version`) show help at once; a
single word the documents know nothing about shows help too, never an error.
`/cws deadlines` lists the upcoming deadlines (as `cws deadlines` does), not a search.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltContext

from bot.atr_access import AtrAccess
from bot.blocks import help_message, text_message
from bot.home_blocks import UNREADABLE, deadlines_message
from bot.responder import Question, ResponseUrlReply, SlackResponder, question_text
from config.errors import ConfigError

log = logging.getLogger(__name__)

HELP_WORDS = {"help", "h", "?", "usage", "commands"}
DEADLINE_WORDS = {"deadlines", "deadline"}


def handle(ack: Callable[..., None], command: dict, context: BoltContext) -> None:
    text = question_text(command.get("text", ""), None)
    if not text or text.lower() in HELP_WORDS or text.startswith("-"):
        unknown = text if text.startswith("-") and text.lower() not in {"-h", "--help"} else None
        ack(**help_message(unknown=unknown))
        return
    if text.lower() in DEADLINE_WORDS:
        ack(**_deadlines(context["atr"]))
        return
    ack(**text_message(f"Looking that up in the CWS documents: {text}"))
    responder: SlackResponder = context["responder"]
    reply = ResponseUrlReply(command["response_url"], responder.slack.max_retries, replace_original=True)
    responder.ask(Question(text, command.get("user_id"), command.get("channel_id"), from_command=True), reply)


def _deadlines(access: AtrAccess) -> dict:
    """Every upcoming deadline from the configured file (read now, so edits show at once)."""
    try:
        return deadlines_message(access.deadlines(), access.today())
    except ConfigError as exc:
        log.warning("/cws deadlines: %s", exc)
        return deadlines_message(None, access.today(), problem=UNREADABLE)
