"""A direct message to the bot: answered in the DM (in the thread, if asked in one).

Only `message.im` is subscribed; edits, deletions and other subtypes are not questions.
"""

from __future__ import annotations

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.answers import Answerer, ChannelReply, Question, from_bot, question_text


def handle(event: dict, context: BoltContext, client: WebClient) -> None:
    if event.get("channel_type") != "im" or event.get("subtype") or from_bot(event):
        return
    answerer: Answerer = context["answerer"]
    channel, ts, thread_ts = event["channel"], event["ts"], event.get("thread_ts")
    reply = ChannelReply(client, channel, ts, thread_ts, answerer.slack.working_reaction)
    text = question_text(event.get("text", ""), context.bot_user_id)
    if not text:
        answerer.help(reply)
        return
    answerer.ask(Question(text, event.get("user"), channel, ts=ts, thread_ts=thread_ts), reply)
