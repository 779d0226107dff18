"""👍 / 👎 under an answer: recorded with the question, answer and sources; thanked privately."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext

from bot.blocks import VOTE_ACTIONS
from bot.responder import ResponseUrlReply, SlackResponder


def handle(ack: Callable[..., None], body: dict, action: dict, context: BoltContext) -> None:
    ack()
    responder: SlackResponder = context["responder"]
    reply = ResponseUrlReply(body["response_url"], responder.slack.max_retries)
    responder.vote(action["value"], body["user"]["id"], VOTE_ACTIONS[action["action_id"]], reply)
