"""Follow-ups in a thread: the thread's first question gives the later ones their subject.

A reply in a thread that mentions the bot is read together with the first question the
bot answered there, so "and when does its sunset period end?" after "What is ST.92?" is
about ST.92. The first question is kept in SQLite (not fetched back from Slack), so the
bot needs no `channels:history` scope and still knows the thread after a restart.
"""

from __future__ import annotations

import time

from sqlite_utils import Migrations

from config.database import PerOperationStore
from corpus.entities import extract_entities

MIGRATIONS = Migrations("slack_threads")
KEEP_SECONDS = 90 * 86_400


@MIGRATIONS()
def m001_threads(db) -> None:
    db.table("slack_threads").create(
        {"channel": str, "thread_ts": str, "question": str, "created_at": float}, pk=("channel", "thread_ts")
    )
    db.table("slack_threads").create_index(["created_at"])


def names_its_subject(question: str) -> bool:
    """Whether a question names a standard, task, session or document (years do not count)."""
    entities = extract_entities(question)
    return bool(set(entities.all_ids()) - set(entities.years))


def with_context(first_question: str | None, follow_up: str) -> str | None:
    """The question to search for a follow-up, or None when it stands on its own."""
    if not first_question or names_its_subject(follow_up):
        return None
    return f"{first_question} {follow_up}"


class ThreadContext(PerOperationStore):
    migrations = MIGRATIONS

    def remember(self, channel: str, thread_ts: str, question: str) -> None:
        """Keep the thread's first question; later ones do not replace it."""
        now = time.time()
        with self._db() as db, db.conn:
            db.execute(
                "INSERT OR IGNORE INTO slack_threads (channel, thread_ts, question, created_at) VALUES (?, ?, ?, ?)",
                [channel, thread_ts, question, now],
            )
            db.execute("DELETE FROM slack_threads WHERE created_at < ?", [now - KEEP_SECONDS])

    def first_question(self, channel: str, thread_ts: str) -> str | None:
        with self._db() as db:
            rows = db.execute(
                "SELECT question FROM slack_threads WHERE channel = ? AND thread_ts = ?", [channel, thread_ts]
            ).fetchall()
        return rows[0][0] if rows else None
