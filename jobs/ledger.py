"""Exactly-once bookkeeping for scheduled posts (reminders, digests, nudges).

Every post has a key, e.g. "reminder:atr-2025:7:C0123". A post is *claimed* in SQLite
(the primary key makes the claim atomic across threads and processes) before it is
sent, and marked *sent* after. So a reminder goes out at most once, ever: a rerun, a
restart, a second process or a `--at` in the past finds the key and stops. A post that
Slack refused (nothing was delivered) is marked *failed* and may be claimed again; one
that was claimed by a process that then died stays claimed and is reported, never
re-sent, because it may have been delivered.
"""

from __future__ import annotations


import sqlite_utils
from sqlite_utils import Migrations

from config.database import PerOperationStore, utc_now

migrations = Migrations("job_posts")


@migrations()
def create_posts(db: sqlite_utils.Database) -> None:
    db["job_posts"].create(
        {
            "key": str, "kind": str, "subject": str, "channel": str, "scheduled_for": str,
            "state": str, "claimed_at": str, "finished_at": str, "detail": str, "attempts": int,
        },
        pk="key",
        not_null={"kind", "state", "claimed_at"},
    )
    db["job_posts"].create_index(["kind", "state"])


class Ledger(PerOperationStore):
    migrations = migrations

    def claim(self, key: str, kind: str, subject: str, channel: str, scheduled_for: str, state: str = "claimed") -> bool:
        """True if this caller now owns `key` (it was new, or its last attempt failed)."""
        with self._db() as db:
            conn = db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute("select state, attempts from job_posts where key = ?", (key,)).fetchone()
                if row is None:
                    conn.execute(
                        "insert into job_posts (key, kind, subject, channel, scheduled_for, state, claimed_at, attempts) "
                        "values (?, ?, ?, ?, ?, ?, ?, 1)",
                        (key, kind, subject, channel, scheduled_for, state, utc_now()),
                    )
                    owned = True
                elif row[0] == "failed" and state == "claimed":
                    conn.execute(
                        "update job_posts set state = 'claimed', claimed_at = ?, attempts = ? where key = ?",
                        (utc_now(), row[1] + 1, key),
                    )
                    owned = True
                else:
                    owned = False
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return owned

    def finish(self, key: str, state: str, detail: str = "") -> None:
        with self._db() as db:
            with db.conn:
                db.conn.execute(
                    "update job_posts set state = ?, finished_at = ?, detail = ? where key = ?",
                    (state, utc_now(), detail[:2000], key),
                )

    def state(self, key: str) -> str | None:
        with self._db() as db:
            row = db.execute("select state from job_posts where key = ?", [key]).fetchone()
        return row[0] if row else None

    def rows(self, kind: str | None = None) -> list[dict]:
        with self._db() as db:
            where, params = ("kind = ?", [kind]) if kind else (None, [])
            return list(db["job_posts"].rows_where(where, params, order_by="claimed_at, key"))
