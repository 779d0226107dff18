"""Questions acknowledged but not yet answered, kept in SQLite until their answer is posted.

Slack has its acknowledgement before the answer is worked out, so a crash or a restart in
between would otherwise drop the question: the user saw the bot take it and hears nothing.
Each question is written here before the work starts and removed once it is answered (or
the user is told it failed). A starting bot answers the questions whose process is gone,
at most `MAX_ATTEMPTS` times each, so a question that crashes the bot cannot loop.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlite_utils import Migrations

from config.database import PerOperationStore, utc_now

MIGRATIONS = Migrations("slack_pending")
MAX_ATTEMPTS = 3


@MIGRATIONS()
def m001_pending(db) -> None:
    db.table("slack_pending").create(
        {"id": str, "question": str, "reply": str, "owner": str, "attempts": int, "received_at": str}, pk="id"
    )


def _start_time(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot), or None if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # field 22: after the command name, which may hold spaces


def this_process() -> str:
    """pid plus start time: a pid reused by a later process is not mistaken for the owner."""
    return f"{os.getpid()}:{_start_time(os.getpid())}"


def is_alive(owner: str) -> bool:
    pid, _, started = owner.partition(":")
    return pid.isdigit() and _start_time(int(pid)) == started


@dataclass(frozen=True)
class Pending:
    id: str
    question: dict
    reply: dict
    attempts: int


class PendingQuestions(PerOperationStore):
    migrations = MIGRATIONS

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir)
        self.owner = this_process()

    def add(self, question: object, reply: dict) -> str:
        """Record a question before it is worked on; returns its id."""
        pending_id = uuid.uuid4().hex
        with self._db() as db:
            db.table("slack_pending").insert(
                {
                    "id": pending_id,
                    "question": json.dumps(asdict(question)),  # type: ignore[call-overload]
                    "reply": json.dumps(reply),
                    "owner": self.owner,
                    "attempts": 1,
                    "received_at": utc_now(),
                }
            )
        return pending_id

    def done(self, pending_id: str) -> None:
        with self._db() as db, db.conn:
            db.execute("DELETE FROM slack_pending WHERE id = ?", [pending_id])

    def take_orphans(self) -> list[Pending]:
        """Claim the questions of processes that died; each claim counts as an attempt."""
        taken: list[Pending] = []
        with self._db() as db, db.conn:
            db.execute("BEGIN IMMEDIATE")  # two bots starting together do not both take a question
            for row in db.execute("SELECT id, question, reply, owner, attempts FROM slack_pending").fetchall():
                pending_id, question, reply, owner, attempts = row
                if is_alive(owner):
                    continue
                db.execute(
                    "UPDATE slack_pending SET owner = ?, attempts = ? WHERE id = ?",
                    [self.owner, attempts + 1, pending_id],
                )
                taken.append(Pending(pending_id, json.loads(question), json.loads(reply), attempts + 1))
        return taken
