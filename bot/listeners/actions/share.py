""" "Share in channel" under a /cws answer: post it for everyone, remove the private copy."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext

from bot.responder import ResponseUrlReply, SlackResponder


def handle(ack: Callable[..., None], body: dict, action: dict, context: BoltContext) -> None:
    ack()
    responder: SlackResponder = context["responder"]
    reply = ResponseUrlReply(body["response_url"], responder.slack.max_retries)
    responder.share(action["value"], body["user"]["id"], reply)
