"""`@CWS Assistant question` in a channel: answered in a thread under the question.

A mention inside a thread is a follow-up: the thread's first question gives it context.
"""

from __future__ import annotations

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.answers import Answerer, ChannelReply, Question, from_bot, question_text


def handle(event: dict, context: BoltContext, client: WebClient) -> None:
    if from_bot(event):
        return
    answerer: Answerer = context["answerer"]
    channel, ts = event["channel"], event["ts"]
    reply = ChannelReply(client, channel, ts, event.get("thread_ts") or ts, answerer.slack.working_reaction)
    text = question_text(event.get("text", ""), context.bot_user_id)
    if not text:
        answerer.help(reply)
        return
    answerer.ask(Question(text, event.get("user"), channel, ts=ts, thread_ts=event.get("thread_ts")), reply)
