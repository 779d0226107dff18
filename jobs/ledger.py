"""Exactly-once bookkeeping for scheduled posts (reminders, digests, nudges).

Every post has a key, e.g. "reminder:atr-2025:7:C0123". Before it is posted it is recorded in SQLite as
*sending*, with its owner (pid and process start time); once Slack has it, as *sent* with the message's ts.
The primary key makes taking a key atomic across threads and processes, so two runs never post one key.

A post can reach Slack without its owner learning so: the process is killed between recording and posting
or between posting and recording, or Slack stores the message but answers after the client gave up. Such a
post is *unconfirmed*: state 'unconfirmed', or 'sending' whose owner is no longer running. Whoever meets it
next takes it to *verify*: every post carries its key in Slack message metadata, so the channel is read back
from when it was first taken and the post is sent again only if it is not there (jobs.posting.send_once).
A post Slack refused outright (nothing was delivered) is *failed* and is simply posted again. A reminder
whose moment is past the grace window is recorded as *missed* instead of being posted late.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from config.database import PerOperationStore, utc_now

migrations = Migrations("job_posts")

SENDING, SENT, FAILED, MISSED, UNCONFIRMED = "sending", "sent", "failed", "missed", "unconfirmed"
LEGACY_CLAIMED = "claimed"  # written before owners were recorded: its owner is unknown, so it is unconfirmed
# What taking a key tells its caller to do.
POST, VERIFY, BUSY, DONE = "post", "verify", "busy", "done"


@migrations()
def create_posts(db: sqlite_utils.Database) -> None:
    db.table("job_posts").create(
        {
            "key": str,
            "kind": str,
            "subject": str,
            "channel": str,
            "scheduled_for": str,
            "state": str,
            "claimed_at": str,
            "finished_at": str,
            "detail": str,
            "attempts": int,
        },
        pk="key",
        not_null={"kind", "state", "claimed_at"},
    )
    db.table("job_posts").create_index(["kind", "state"])


@migrations()
def add_owner(db: sqlite_utils.Database) -> None:
    db.table("job_posts").add_column("owner", str)


def _start_time(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot), or None if it is not running (gone, or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return None if fields[0] in ("Z", "X") else fields[19]  # state; field 22: start time


def this_process() -> str:
    """pid plus start time: a pid reused by a later process is not mistaken for the owner."""
    return f"{os.getpid()}:{_start_time(os.getpid())}"


def is_alive(owner: str | None) -> bool:
    """Whether `owner` still runs. The data directory is local (SQLite), so its processes share this machine."""
    pid, _, started = (owner or "").partition(":")
    return pid.isdigit() and _start_time(int(pid)) == started


@dataclass(frozen=True)
class Take:
    """What taking a key decided: POST it now, VERIFY it (look in the channel since `since`, then post only if
    it is not there), BUSY (a live process is posting it), DONE (`state` says how it ended), or MISSED."""

    action: str
    since: str = ""  # when the attempt that may have reached Slack was taken (ISO, UTC)
    state: str | None = None


def decide(row: dict[str, Any] | None, may_post: bool) -> Take:
    """The decision for a key in `row`'s state, without writing anything (shared by the dry run)."""
    if row is None or row["state"] == FAILED:
        return Take(POST if may_post else MISSED, state=None if row is None else FAILED)
    state = row["state"]
    if state == SENDING and is_alive(row["owner"]):
        return Take(BUSY, state=state)
    if state in (SENDING, UNCONFIRMED, LEGACY_CLAIMED):
        return Take(VERIFY, since=row["claimed_at"], state=state)
    return Take(DONE, state=state)


_COLUMNS = "state, attempts, owner, claimed_at"


class Ledger(PerOperationStore):
    migrations = migrations
    dry_run = False

    def _row(self, conn: Any, key: str) -> dict[str, Any] | None:
        row = conn.execute(f"select {_COLUMNS} from job_posts where key = ?", (key,)).fetchone()
        return dict(zip(("state", "attempts", "owner", "claimed_at"), row)) if row else None

    def take(self, key: str, kind: str, subject: str, channel: str, scheduled_for: str, may_post: bool = True) -> Take:
        """Decide and record, atomically, what this caller does with `key` (see `Take`).

        A new or failed key becomes 'sending' with this process as owner (or 'missed' when `may_post` is
        false); an unconfirmed one becomes 'sending' too, keeping the time it was first taken so the channel
        is searched from then."""
        with self._db() as db:
            conn = db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = self._row(conn, key)
                take = decide(row, may_post)
                now, me = utc_now(), this_process()
                if row is None:
                    state = SENDING if take.action == POST else MISSED
                    conn.execute(
                        "insert into job_posts (key, kind, subject, channel, scheduled_for, state, claimed_at, "
                        "attempts, owner) values (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                        (key, kind, subject, channel, scheduled_for, state, now, me if state == SENDING else None),
                    )
                    take = Take(take.action, since=now)
                elif take.action == POST:
                    conn.execute(
                        "update job_posts set state = ?, claimed_at = ?, attempts = ?, owner = ? where key = ?",
                        (SENDING, now, row["attempts"] + 1, me, key),
                    )
                    take = Take(POST, since=now, state=row["state"])
                elif take.action == MISSED:
                    conn.execute(
                        "update job_posts set state = ?, finished_at = ?, owner = null where key = ?",
                        (MISSED, now, key),
                    )
                elif take.action == VERIFY:
                    conn.execute(
                        "update job_posts set state = ?, attempts = ?, owner = ? where key = ?",
                        (SENDING, row["attempts"] + 1, me, key),
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return take

    def would(self, key: str, may_post: bool = True) -> Take:
        """What `take` would decide now, recording nothing."""
        with self._db() as db:
            return decide(self._row(db.conn, key), may_post)

    def claim(self, key: str, kind: str, subject: str, channel: str, scheduled_for: str, state: str = SENDING) -> bool:
        """True if this caller now owns `key` (it was new, or its last attempt failed): at most once, no
        verification. `state='missed'` records a new key as missed instead. Kept for callers that post
        through a plain poster (the delegates' DMs); scheduled channel posts use `take` and `send_once`."""
        state = SENDING if state == LEGACY_CLAIMED else state
        with self._db() as db:
            conn = db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = self._row(conn, key)
                owner = this_process() if state == SENDING else None
                if row is None:
                    conn.execute(
                        "insert into job_posts (key, kind, subject, channel, scheduled_for, state, claimed_at, "
                        "attempts, owner) values (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                        (key, kind, subject, channel, scheduled_for, state, utc_now(), owner),
                    )
                    owned = True
                elif row["state"] == FAILED and state == SENDING:
                    conn.execute(
                        "update job_posts set state = ?, claimed_at = ?, attempts = ?, owner = ? where key = ?",
                        (SENDING, utc_now(), row["attempts"] + 1, owner, key),
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
        """How the attempt ended ('sent' with the ts, 'failed', 'unconfirmed', 'missed'); the owner lets go."""
        with self._db() as db, db.conn:
            db.conn.execute(
                "update job_posts set state = ?, finished_at = ?, detail = ?, owner = null where key = ?",
                (state, utc_now(), detail[:2000], key),
            )

    def state(self, key: str) -> str | None:
        with self._db() as db:
            row = db.execute("select state from job_posts where key = ?", [key]).fetchone()
        return row[0] if row else None

    def rows(self, kind: str | None = None) -> list[dict]:
        with self._db() as db:
            where, params = ("kind = ?", [kind]) if kind else (None, [])
            return list(db.table("job_posts").rows_where(where, params, order_by="claimed_at, key"))


class DryRunLedger:
    """The ledger as a dry run sees it: it reads what was done, and records nothing, so a later run with a
    token still posts what the dry run only printed."""

    dry_run = True

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def take(self, key: str, kind: str, subject: str, channel: str, scheduled_for: str, may_post: bool = True) -> Take:
        return self.ledger.would(key, may_post)

    def would(self, key: str, may_post: bool = True) -> Take:
        return self.ledger.would(key, may_post)

    def claim(self, key: str, kind: str, subject: str, channel: str, scheduled_for: str, state: str = SENDING) -> bool:
        return self.ledger.state(key) in (None, FAILED)

    def finish(self, key: str, state: str, detail: str = "") -> None:
        """Nothing is recorded in a dry run."""

    def state(self, key: str) -> str | None:
        return self.ledger.state(key)

    def rows(self, kind: str | None = None) -> list[dict]:
        return self.ledger.rows(kind)
