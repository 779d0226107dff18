"""Knowledge gaps: the questions the assistant could not answer, or answered badly.

Every refusal ("the documents don't say") and every 👎 is recorded with the question, the
time, where it was asked (channel, DM, /cws, command line) and the closest passage, so the
secretariat can see which documents are missing: `cws gaps` lists them grouped and counted,
and the weekly digest carries the top ones. Evaluation runs record nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils
from sqlite_utils import Migrations

from config.database import PerOperationStore, utc_now

migrations = Migrations("answer_gaps")
REFUSED = "refused"
THUMBS_DOWN = "thumbs down"


@migrations()
def create_table(db: sqlite_utils.Database) -> None:
    db.table("answer_gaps").create(
        {
            "id": int,
            "asked_at": str,
            "question": str,
            "key": str,
            "channel_kind": str,
            "why": str,
            "closest": str,
            "answer": str,
        },
        pk="id",
        not_null={"asked_at", "question", "key", "why"},
    )
    db.table("answer_gaps").create_index(["asked_at"])


def question_key(question: str) -> str:
    """Questions that differ only in case, spacing and punctuation count as one."""
    return " ".join(re.sub(r"[^\w/.]+", " ", question.lower()).split()).strip(" .")


@dataclass(frozen=True)
class Gap:
    question: str  # as most recently asked
    count: int
    refused: int
    thumbs_down: int
    last_asked: str
    channel_kinds: tuple[str, ...]
    closest: str  # citation of the closest passage, if any


class GapLog(PerOperationStore):
    """Refusals and 👎 in the application database (`answer_gaps`)."""

    migrations = migrations

    def record(self, question: str, why: str, channel_kind: str, closest: str = "", answer: str = "") -> None:
        with self._db() as db:
            db.table("answer_gaps").insert(
                {
                    "asked_at": utc_now(),
                    "question": question[:1000],
                    "key": question_key(question)[:1000],
                    "channel_kind": channel_kind,
                    "why": why,
                    "closest": closest,
                    "answer": answer[:1000],
                }
            )

    def top(self, days: int = 7, limit: int = 20, now: datetime | None = None) -> list[Gap]:
        """The most frequent gaps of the last `days` days, most often asked first."""
        since = ((now or datetime.now(UTC)) - timedelta(days=days)).isoformat(timespec="seconds")
        with self._db() as db:
            rows = list(
                db.query(
                    "select key, count(*) as n, sum(why = ?) as refused, sum(why = ?) as down, max(asked_at) as last, "
                    "group_concat(distinct channel_kind) as kinds from answer_gaps where asked_at >= ? "
                    "group by key order by n desc, last desc limit ?",
                    [REFUSED, THUMBS_DOWN, since, limit],
                )
            )
            gaps = []
            for row in rows:
                latest = next(
                    db.query(
                        "select question, closest from answer_gaps where key = ? order by asked_at desc limit 1",
                        [row["key"]],
                    )
                )
                gaps.append(
                    Gap(
                        latest["question"],
                        row["n"],
                        row["refused"] or 0,
                        row["down"] or 0,
                        row["last"],
                        tuple(sorted((row["kinds"] or "").split(","))),
                        latest["closest"] or "",
                    )
                )
            return gaps
