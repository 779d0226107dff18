"""Block Kit messages: the answer, its citations, the buttons, help; escaped and within limits.

Everything shown here is either typed by a user or read from a document, so all of it
goes through `escape`: Slack only turns `<...>` into mentions and links, and `&lt;` is
just text. Bare "@here" is defanged too, and text objects are `verbatim` so Slack does not
auto-link names. Slack rejects a message over its limits (50 blocks, 3,000 characters of
section text, 75 of button text), so every piece is cut to fit whatever the corpus returns.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from answering.engine import Answer, Source

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_FALLBACK_CHARS = 3000
MAX_CONTEXT_CHARS = 3000

SHARE_ACTION = "share_answer"
VOTE_UP_ACTION = "vote_up"
VOTE_DOWN_ACTION = "vote_down"
VOTE_ACTIONS = {VOTE_UP_ACTION: "up", VOTE_DOWN_ACTION: "down"}

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_PARTIAL_ENTITY = re.compile(r"&[a-z#0-9]{0,5}$")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")

HELP_TEXT = """\
*CWS Assistant* answers questions about the Committee on WIPO Standards from its session \
reports, task descriptions, Annual Technical Reports and WIPO standards, with citations \
("CWS/12/25, para. 10").

*Ask in a channel:* mention me, e.g. `@CWS Assistant When does the ST.92 sunset period end?` \
I answer in a thread. To follow up, reply in that thread and mention me again: \
`@CWS Assistant and which session adopted it?` (I read it together with the thread's first question).
*Ask privately:* send me a direct message, e.g. `What is ST.37?`
*Slash command:* `/cws What is Task No. 24?` shows the answer only to you, with a \
*Share in channel* button. `/cws deadlines` lists the upcoming deadlines. `/cws help` shows this message.
*ATR links:* `/atr` submits your office's Annual Technical Report links; `/atr help` for more.
*Feedback:* press 👍 or 👎 under an answer; maintainers read these to improve answers.

*Tips:* name a standard (ST.26), a task (Task No. 24), a session (CWS/12 or \
"twelfth session") or a document symbol (CWS/12/25). To narrow a question, type filters \
before it: `office:JP year:2024 What did the office report about AI tools?` \
(also `session:`, `standard:`, `task:`, `document:`)."""


def escape(text: str) -> str:
    """Make `text` inert in mrkdwn: no mentions, broadcasts or links can come out of it."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub("@\u200b\\1", text)


def unescape(text: str) -> str:
    """Slack sends message text with &, <, > escaped; the engine wants what the user typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def truncate(text: str, limit: int) -> str:
    """Cut escaped text to `limit` characters without splitting an `&amp;` entity."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]) + "…"


def safe_url(url: str | None) -> str | None:
    """An http(s) URL that cannot break out of `<url|label>`, or None."""
    if not url:
        return None
    url = url.strip()
    if urlsplit(url).scheme.lower() not in {"http", "https"} or not urlsplit(url).netloc:
        return None
    url = quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")  # encodes space, |, <, >, quotes, controls
    return url.replace("&", "&amp;")


def user_mention(user_id: str | None) -> str | None:
    """A mention of a Slack user id we were given by Slack itself, never of arbitrary text."""
    return f"<@{user_id}>" if user_id and _USER_ID.match(user_id) else None


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def section(text: str) -> dict:
    return {"type": "section", "text": mrkdwn(truncate(text, MAX_SECTION_CHARS))}


def context(text: str) -> dict:
    return {"type": "context", "elements": [mrkdwn(truncate(text, MAX_CONTEXT_CHARS))]}


def citation(source: Source) -> str:
    """ "CWS/12/25, para. 10 — title", the citation linked where the document has a URL."""
    label = escape(source.citation)
    url = safe_url(source.url)
    cited = f"<{url}|{label}>" if url else label
    return f"*{cited}*" + (f" — {escape(source.title)}" if source.symbol and source.title else "")


def _source_block(source: Source) -> dict:
    head = citation(source)
    snippet = _BOLD.sub(r"*\1*", escape(" ".join(source.snippet.split())))
    room = MAX_SECTION_CHARS - len(head) - 3
    return section(f"{head}\n>{truncate(snippet, room)}" if room > 20 else head)


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75], "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
    }
    return button | ({"style": style} if style else {})


def answer_message(
    answer: Answer,
    *,
    answer_id: str | None = None,
    max_sources: int = 3,
    shareable: bool = False,
    follow_up_to: str | None = None,
    shared_by: str | None = None,
) -> dict:
    """`text` (notification fallback) and `blocks` for an answer, ready for chat.postMessage."""
    blocks = [section(escape(answer.text))]
    notes = []
    if follow_up_to:
        notes.append(f"Follow-up to: _{escape(follow_up_to)}_")
    if answer.did_you_mean:
        notes.append(f"Showing results for: _{escape(answer.did_you_mean)}_")
    if mention := user_mention(shared_by):
        notes.append(f"Shared by {mention}")
    if notes:
        blocks.append(context("  ·  ".join(notes)))
    buttons = []
    if answer.found and answer_id:
        buttons = [
            _button("👍 Helpful", VOTE_UP_ACTION, answer_id),
            _button("👎 Not helpful", VOTE_DOWN_ACTION, answer_id),
        ]
        if shareable:
            buttons.append(_button("Share in channel", SHARE_ACTION, answer_id, "primary"))
    listed = answer.sources if answer.found else answer.closest
    if listed and max_sources:
        if not answer.found:
            blocks.append(context("Closest passages, not an answer:"))
        room = MAX_BLOCKS - len(blocks) - (1 if buttons else 0)
        blocks += [_source_block(s) for s in listed[: max(0, min(max_sources, room))]]
    if buttons:
        blocks.append({"type": "actions", "block_id": "answer_actions", "elements": buttons})
    return {"text": truncate(escape(answer.text), MAX_FALLBACK_CHARS), "blocks": blocks}


def help_message(unknown: str | None = None) -> dict:
    """Everything the bot does, with examples; `unknown` is words we could not use."""
    blocks = []
    if unknown:
        blocks.append(context(f"I did not understand `{escape(truncate(unknown, 200))}`, so here is what I can do."))
    blocks.append(section(HELP_TEXT))
    return {"text": "CWS Assistant: mention me, DM me, or use /cws QUESTION. /cws help for more.", "blocks": blocks}


def text_message(text: str) -> dict:
    """A short plain message (progress, thanks, errors), escaped all the same."""
    return {"text": truncate(escape(text), MAX_FALLBACK_CHARS), "blocks": [section(escape(text))]}
