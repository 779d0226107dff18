"""Answers the bot gave and the 👍 / 👎 votes on them, for maintainers to export.

Every posted answer is stored under an id that its buttons carry, so a vote (or a
"Share in channel" click, possibly much later and after a restart) can find the
question, answer and sources it is about. A vote copies them, so an export row stands
on its own. One vote per user and answer: voting again changes it.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import asdict
from datetime import UTC, datetime

from sqlite_utils import Migrations

from answering.engine import Answer, Source
from config.database import PerOperationStore

MIGRATIONS = Migrations("feedback")
EXPORT_FIELDS = ["voted_at", "user_id", "vote", "question", "answer", "sources", "answer_id", "channel"]


@MIGRATIONS()
def m001_answers_and_votes(db) -> None:
    db.table("slack_answers").create(
        {
            "answer_id": str,
            "question": str,
            "answer": str,
            "found": int,
            "sources": str,
            "index_version": str,
            "channel": str,
            "user_id": str,
            "asked_at": str,
        },
        pk="answer_id",
    )
    db.table("feedback").create(
        {
            "answer_id": str,
            "user_id": str,
            "vote": str,
            "question": str,
            "answer": str,
            "sources": str,
            "voted_at": str,
        },
        pk=("answer_id", "user_id"),
    )
    db.table("feedback").create_index(["voted_at"])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedbackStore(PerOperationStore):
    migrations = MIGRATIONS

    def record_answer(self, answer: Answer, channel: str | None, user_id: str | None, max_sources: int) -> str:
        """Store an answer about to be posted; returns the id its buttons will carry."""
        answer_id = uuid.uuid4().hex
        sources = [asdict(s) for s in answer.sources[:max_sources]]
        with self._db() as db:
            db.table("slack_answers").insert(
                {
                    "answer_id": answer_id,
                    "question": answer.question,
                    "answer": answer.text,
                    "found": int(answer.found),
                    "sources": json.dumps(sources, ensure_ascii=False),
                    "index_version": answer.index_version,
                    "channel": channel,
                    "user_id": user_id,
                    "asked_at": _now(),
                }
            )
        return answer_id

    def load_answer(self, answer_id: str) -> Answer | None:
        with self._db() as db:
            rows = list(db.table("slack_answers").rows_where("answer_id = ?", [answer_id]))
        if not rows:
            return None
        row = rows[0]
        sources = [Source(**s) for s in json.loads(row["sources"])]
        return Answer(row["question"], row["answer"], bool(row["found"]), sources, index_version=row["index_version"])

    def vote(self, answer_id: str, user_id: str, vote: str) -> bool:
        """Record `vote` ("up" or "down"); False when the answer is unknown."""
        with self._db() as db:
            rows = list(db.table("slack_answers").rows_where("answer_id = ?", [answer_id]))
            if not rows or vote not in {"up", "down"}:
                return False
            row = rows[0]
            db.table("feedback").upsert(
                {
                    "answer_id": answer_id,
                    "user_id": user_id,
                    "vote": vote,
                    "question": row["question"],
                    "answer": row["answer"],
                    "sources": row["sources"],
                    "voted_at": _now(),
                },
                pk=("answer_id", "user_id"),
            )
        return True

    def rows(self) -> list[dict]:
        """Every vote, oldest first, with its sources as a list of {citation, title, url}."""
        query = (
            "SELECT f.voted_at, f.user_id, f.vote, f.question, f.answer, f.sources, f.answer_id, a.channel "
            "FROM feedback f LEFT JOIN slack_answers a ON a.answer_id = f.answer_id ORDER BY f.voted_at, f.rowid"
        )
        with self._db() as db:
            found = db.execute(query).fetchall()
        out = []
        for values in found:
            row = dict(zip(EXPORT_FIELDS, values, strict=True))
            row["sources"] = [
                {"citation": s["citation"], "title": s["title"], "url": s["url"]} for s in json.loads(row["sources"])
            ]
            out.append(row)
        return out


def _cell(value: object) -> object:
    """Users type the questions: keep a spreadsheet from running one as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export(rows: list[dict], fmt: str) -> str:
    """`rows` as CSV (sources as "citation; citation") or as a JSON array."""
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = row | {"sources": "; ".join(s["citation"] for s in row["sources"])}
        writer.writerow({k: _cell(v) for k, v in flat.items()})
    return buffer.getvalue()
