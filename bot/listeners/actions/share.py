""""Share in channel" under a /cws answer: post it for everyone, remove the private copy."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext

from bot.answers import Answerer, ResponseUrlReply


def handle(ack: Callable[..., None], body: dict, action: dict, context: BoltContext) -> None:
    ack()
    answerer: Answerer = context["answerer"]
    reply = ResponseUrlReply(body["response_url"], answerer.slack.max_retries)
    answerer.share(action["value"], body["user"]["id"], reply)
