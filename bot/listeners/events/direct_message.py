"""A direct message to the bot: answered in the DM (in the thread, if asked in one).

Only `message.im` is subscribed; edits, deletions and other subtypes are not questions.
"""

from __future__ import annotations

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.responder import SlackResponder, from_bot


def handle(event: dict, context: BoltContext, client: WebClient) -> None:
    if event.get("channel_type") != "im" or event.get("subtype") or from_bot(event):
        return
    responder: SlackResponder = context["responder"]
    responder.answer_event(event, client, context.bot_user_id, reply_thread_ts=event.get("thread_ts"))
