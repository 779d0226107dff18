"""Answering in the background: search, post, record.

Listeners only read the payload, `ack()` and hand the work to `SlackResponder`. Its answer
pool (`BackgroundWork`, sized by `slack.answer_threads`) does the search; its posting pool
(`slack.post_threads`) makes every Slack call: the ⏳ reaction, the post, votes and shares.
Slack therefore gets its acknowledgement at once however long a search takes, listener
threads never wait behind a search, and a slow Slack (a second per call) delays posts, never
the searches of the questions behind them.

What cannot be saved (a full disk: the pending-question journal, the thread's first
question, the answer its buttons name) is logged as an error and the question is answered
all the same; the answer says what will not work because of it.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from answering.engine import AnswerEngine
from answering.gaps import THUMBS_DOWN
from bot.background import BackgroundWork, Tell
from bot.blocks import answer_message, context, help_message, text_message, unescape
from bot.feedback import FeedbackStore
from bot.pending import MAX_ATTEMPTS, PendingQuestions
from bot.threads import ThreadContext, with_context
from config.settings import Settings
from config.slack import retry_handlers

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong while answering. It has been logged for the maintainers; please try again later."
VOTE_THANKS = {
    "up": "Thanks! Your 👍 has been recorded.",
    "down": "Thanks! Your 👎 has been recorded; it helps us improve.",
}
GONE = "Sorry, I no longer have that answer. Please ask again."
VOTE_NOT_SAVED = "Sorry, your vote could not be recorded: I cannot save anything right now. Please try again later."
STORAGE_FAILING = "⚠️ I could not save everything about this question (my storage is failing; this is logged)"
NO_VOTES = "👍 / 👎 are off for this answer"
NO_FOLLOW_UPS = "follow-ups in this thread will not know this question"
T = TypeVar("T")


class SlackPostFailed(SlackClientError):
    """Slack refused a message sent to a response_url."""


class Reply(Protocol):
    """Where an answer goes, and how the user sees that one is on its way."""

    ephemeral: bool

    def working(self) -> None: ...
    def post(self, message: dict) -> str | None: ...  # ts of a new top-level message, else None
    def done(self) -> None: ...


@dataclass
class ChannelReply:
    """Post with chat.postMessage (in a thread if `thread_ts`); a reaction on the question meanwhile."""

    client: WebClient
    channel: str
    question_ts: str
    thread_ts: str | None
    reaction: str
    ephemeral: bool = False

    def working(self) -> None:
        self._react(self.client.reactions_add)

    def describe(self) -> dict:
        """What `reply_from` needs to rebuild this reply in a later process."""
        return {
            "kind": "channel",
            "channel": self.channel,
            "question_ts": self.question_ts,
            "thread_ts": self.thread_ts,
            "reaction": self.reaction,
        }

    def post(self, message: dict) -> str | None:
        response = self.client.chat_postMessage(
            channel=self.channel, thread_ts=self.thread_ts, unfurl_links=False, unfurl_media=False, **message
        )
        return None if self.thread_ts else response.get("ts")

    def done(self) -> None:
        self._react(self.client.reactions_remove)

    def _react(self, method: Callable[..., object]) -> None:
        try:
            method(channel=self.channel, timestamp=self.question_ts, name=self.reaction)
        except SlackApiError as exc:  # the indicator is a courtesy: never fail an answer over it
            log.warning("could not change reaction :%s: (%s)", self.reaction, exc.response.get("error"))
        except (SlackClientError, OSError) as exc:
            log.warning("could not change reaction :%s: (%s)", self.reaction, exc)


@dataclass
class ResponseUrlReply:
    """Post through a slash command's or a button's response_url, which works in any conversation."""

    url: str
    max_retries: int
    response_type: str = "ephemeral"
    replace_original: bool = False
    ephemeral: bool = True

    def working(self) -> None:
        """The slash command's ack already said "Looking that up…"."""

    def describe(self) -> dict:
        return {
            "kind": "response_url",
            "url": self.url,
            "response_type": self.response_type,
            "replace_original": self.replace_original,
        }

    def post(self, message: dict) -> str | None:
        self.send(message | {"response_type": self.response_type, "replace_original": self.replace_original})
        return None

    def send(self, payload: dict) -> None:
        client = WebhookClient(self.url, timeout=15, retry_handlers=retry_handlers(self.max_retries))
        response = client.send_dict(payload)
        if response.status_code != 200:
            raise SlackPostFailed(f"response_url answered {response.status_code}: {response.body[:200]}")

    def done(self) -> None:
        """Nothing to tidy up."""


def reply_from(described: dict, client: WebClient, max_retries: int) -> ChannelReply | ResponseUrlReply:
    """The reply a `describe()` call recorded, for a question picked up after a restart."""
    fields = {k: v for k, v in described.items() if k != "kind"}
    if described["kind"] == "channel":
        return ChannelReply(client, **fields)
    return ResponseUrlReply(max_retries=max_retries, **fields)


@dataclass(frozen=True)
class Question:
    text: str
    user_id: str | None
    channel: str | None
    ts: str | None = None  # the message that asked, if any (not for /cws)
    thread_ts: str | None = None  # the thread it was asked in, whose first question is its context
    from_command: bool = False

    @property
    def thread_key(self) -> str | None:
        """The thread later follow-ups will name: the one asked in, or the one this question starts."""
        return self.thread_ts or self.ts

    @property
    def asked_from(self) -> str:
        """Where it was asked, as knowledge gaps record it: a /cws command, a DM or a channel."""
        if self.from_command:
            return "command"
        return "dm" if (self.channel or "").startswith("D") else "channel"


def from_bot(event: dict) -> bool:
    """Messages from bots (this one included) are never questions."""
    return bool(event.get("bot_id") or event.get("subtype") == "bot_message" or event.get("bot_profile"))


def question_text(text: str, bot_user_id: str | None) -> str:
    """What the user asked: Slack's escaping undone, mentions of the bot removed."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text)
    return " ".join(unescape(text).split())


def _telling(reply: Reply) -> Tell:
    """How the background boundary tells the user through `reply`."""
    return lambda message: reply.post(text_message(message))


@dataclass
class Unsaved:
    """What could not be saved while answering one question, as the consequences the user will notice."""

    consequences: list[str] = field(default_factory=list)

    def notice(self) -> dict | None:
        """The context block the answer carries when something was not saved."""
        if not self.consequences:
            return None
        return context(f"{STORAGE_FAILING}: {' and '.join(self.consequences)}.")


def saved(what: str, save: Callable[[], T], unsaved: Unsaved | None = None, consequence: str | None = None) -> T | None:
    """`save()`'s result, or None when the database cannot be written (logged; `consequence` noted in `unsaved`).

    A full disk must not cost the answer: the search needs no writes, so the bot answers and says what it lost.
    """
    try:
        return save()
    except sqlite3.Error as exc:
        log.error("could not save %s: %s", what, exc)
        if unsaved is not None and consequence:
            unsaved.consequences.append(consequence)
        return None


class _GapsThatNeverFail:
    """The engine's gap log, whose write failing (a full disk) is logged instead of failing the answer."""

    def __init__(self, gaps: object) -> None:
        self._gaps = gaps

    def record(self, *args: object, **kwargs: object) -> None:
        saved("a knowledge gap", lambda: self._gaps.record(*args, **kwargs))  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._gaps, name)


class SlackResponder:
    """What the listeners need to answer people, attached to every request's context as `context["responder"]`."""

    def __init__(
        self,
        engine: AnswerEngine,
        settings: Settings,
        feedback: FeedbackStore,
        threads: ThreadContext,
        pending: PendingQuestions,
        on_answered: Callable[[], object] | None = None,
    ) -> None:
        self.engine = engine
        if getattr(engine, "gaps", None) is not None and not isinstance(engine.gaps, _GapsThatNeverFail):
            engine.gaps = _GapsThatNeverFail(engine.gaps)  # type: ignore[assignment]
        self.slack = settings.slack
        self.feedback = feedback
        self.threads = threads
        self.pending = pending
        self.on_answered = on_answered  # e.g. the index health check, cheap enough after every answer
        self.background = BackgroundWork("cws-answer", self.slack.answer_threads, SORRY, "failed to answer on Slack")
        self.posting = BackgroundWork("cws-post", self.slack.post_threads, SORRY, "failed to answer on Slack")

    def _later(self, work: Callable[[], object], reply: Reply, settle: Callable[[], None] | None = None) -> Future:
        """Run `work` (Slack calls) on the posting threads; a failure is told in `reply`; then `settle()`."""
        return self.posting.submit(work, _telling(reply), settle)

    def answer_event(
        self, event: dict, client: WebClient, bot_user_id: str | None, reply_thread_ts: str | None
    ) -> None:
        """A message to the bot (a mention or a DM): its question answered, or help when it asks nothing."""
        channel, ts = event["channel"], event["ts"]
        reply = ChannelReply(client, channel, ts, reply_thread_ts, self.slack.working_reaction)
        text = question_text(event.get("text") or "", bot_user_id)
        if not text:
            self.help(reply)
            return
        self.ask(Question(text, event.get("user"), channel, ts=ts, thread_ts=event.get("thread_ts")), reply)

    def ask(self, question: Question, reply: ChannelReply | ResponseUrlReply, pending_id: str | None = None) -> Future:
        """Search on the answer threads, post on the posting threads; the question is kept on disk until answered.

        When the journal cannot be written the question is answered all the same (a restart before
        then would lose it, as it always did before the journal).
        """
        if pending_id is None:
            pending_id = saved(
                "a question in the pending journal", partial(self.pending.add, question, reply.describe())
            )
        working = self.posting.submit(reply.working, _telling(reply))  # ⏳ at once, while the search waits its turn
        return self.background.submit_then(
            lambda: self._compose(question, reply),
            self.posting,
            partial(self._deliver, question, reply, working),
            partial(self._sorry, reply, working),
            partial(self._settle, pending_id),
        )

    @staticmethod
    def _sorry(reply: Reply, working: Future, message: str) -> None:
        """How the boundary tells the user an answer failed: after the ⏳ went on, and taking it off."""
        working.result()
        try:
            reply.post(text_message(message))
        finally:
            reply.done()

    def _settle(self, pending_id: str | None) -> None:
        if pending_id is not None:
            saved(
                "that a pending question was answered (a restart would answer it again)",
                lambda: self.pending.done(pending_id),
            )
        if self.on_answered is not None:
            self.on_answered()

    def resume(self, client: WebClient) -> int:
        """Answer the questions a previous process acknowledged and died before answering."""
        orphans = self.pending.take_orphans()
        for item in orphans:
            reply = reply_from(item.reply, client, self.slack.max_retries)
            if item.attempts > MAX_ATTEMPTS:  # answering it has already failed this often: stop trying
                log.error("giving up on a question after %d attempts: %r", item.attempts - 1, item.question["text"])
                self._later(partial(reply.post, text_message(SORRY)), reply, partial(self._settle, item.id))
                continue
            log.info("answering a question a previous process left unanswered: %r", item.question["text"])
            self.ask(Question(**item.question), reply, pending_id=item.id)
        return len(orphans)

    def _compose(self, question: Question, reply: Reply) -> dict:
        """The search and what is saved with it (answer pool): the message to post, nothing sent yet."""
        unsaved = Unsaved()
        earlier = None
        if question.channel and question.thread_ts:
            earlier = saved(
                "(reading) a thread's first question",
                partial(self.threads.first_question, question.channel, question.thread_ts),
            )
        if question.channel and question.thread_key:
            saved(
                "a thread's first question",
                partial(self.threads.remember, question.channel, question.thread_key, question.text),
                unsaved,
                NO_FOLLOW_UPS,
            )
        combined = with_context(earlier, question.text)
        answer = self.engine.ask(combined or question.text, asked_from=question.asked_from)
        if question.from_command and not answer.found and len(question.text.split()) == 1:
            return help_message(unknown=question.text)  # "/cws foo": help, not an error
        answer_id = None
        if answer.found:
            answer_id = saved(
                "an answer for its buttons",
                partial(
                    self.feedback.record_answer,
                    answer,
                    question.channel,
                    question.user_id,
                    self.slack.max_sources,
                ),
                unsaved,
                NO_VOTES,
            )
        message = answer_message(
            answer,
            answer_id=answer_id,
            max_sources=self.slack.max_sources,
            shareable=reply.ephemeral,
            follow_up_to=earlier if combined else None,
        )
        if notice := unsaved.notice():
            message["blocks"].insert(1, notice)
        return message

    def _deliver(self, question: Question, reply: Reply, working: Future, message: dict) -> None:
        """The Slack calls (posting pool): the answer once its ⏳ is on, then the ⏳ off (on failure: `_sorry`)."""
        working.result()  # queued before this, so already running or done: the reaction goes on before it comes off
        posted_ts = reply.post(message)
        reply.done()
        if posted_ts and question.channel:
            # A top-level answer (in a DM): a thread started on it follows up on this question too.
            remember = partial(self.threads.remember, question.channel, posted_ts, question.text)
            saved("a thread's first question", remember)

    def help(self, reply: Reply) -> Future:
        return self._later(lambda: reply.post(help_message()), reply)

    def share(self, answer_id: str, user_id: str, reply: ResponseUrlReply) -> Future:
        def work() -> None:
            answer = self.feedback.load_answer(answer_id)
            if answer is None:
                reply.post(text_message(GONE))
                return
            message = answer_message(answer, answer_id=answer_id, max_sources=self.slack.max_sources, shared_by=user_id)
            reply.send(message | {"response_type": "in_channel", "replace_original": False})
            reply.send({"delete_original": True})

        return self._later(work, reply)

    def vote(self, answer_id: str, user_id: str, vote: str, reply: Reply) -> Future:
        def work() -> None:
            recorded = saved("a vote", lambda: self.feedback.vote(answer_id, user_id, vote))
            if recorded is None:
                reply.post(text_message(VOTE_NOT_SAVED))
                return
            if recorded and vote == "down" and self.engine.gaps is not None:
                # A 👎 is a knowledge gap too: the secretariat sees it beside the refusals.
                answer = self.feedback.load_answer(answer_id)
                if answer is not None:
                    closest = answer.sources[0].citation if answer.sources else ""
                    self.engine.gaps.record(answer.question, THUMBS_DOWN, "slack", closest, answer.text)
            reply.post(text_message(VOTE_THANKS[vote] if recorded else GONE))

        return self._later(work, reply)
