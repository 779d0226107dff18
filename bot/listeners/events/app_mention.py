"""`@CWS Assistant question` in a channel: answered in a thread under the question.

A mention inside a thread is a follow-up: the thread's first question gives it context.
"""

from __future__ import annotations

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.responder import SlackResponder, from_bot


def handle(event: dict, context: BoltContext, client: WebClient) -> None:
    if from_bot(event):
        return
    responder: SlackResponder = context["responder"]
    responder.answer_event(event, client, context.bot_user_id, reply_thread_ts=event.get("thread_ts") or event["ts"])
