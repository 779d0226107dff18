"""ATR submissions in SQLite: one current link per (office, type, year), every change kept.

A resubmission replaces the current link and writes the old and new values to the
history table in the same transaction; nothing is ever deleted by a submission. The
transaction is committed (WAL, synchronous=FULL) before the caller confirms anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils
from sqlite_utils import Migrations

from atr.validation import Submission
from config.database import PerOperationStore, utc_now

migrations = Migrations("atr")


@migrations()
def create_tables(db: sqlite_utils.Database) -> None:
    db.table("atr_submissions").create(
        {
            "office": str,
            "ip_type": str,
            "year": int,
            "url": str,
            "note": str,
            "team_id": str,
            "user_id": str,
            "submitted_at": str,
            "version": int,
        },
        pk=("office", "ip_type", "year"),
    )
    db.table("atr_history").create(
        {
            "id": int,
            "office": str,
            "ip_type": str,
            "year": int,
            "old_url": str,
            "new_url": str,
            "old_note": str,
            "new_note": str,
            "team_id": str,
            "user_id": str,
            "changed_at": str,
        },
        pk="id",
        not_null={"office", "ip_type", "year", "new_url", "changed_at"},
    )
    db.table("atr_history").create_index(["office", "ip_type", "year"])


@dataclass(frozen=True)
class StoredSubmission:
    office: str
    ip_type: str
    year: int
    url: str
    note: str
    team_id: str
    user_id: str
    submitted_at: str
    version: int  # 1 for a first submission, then 2, 3... for each resubmission
    previous_url: str | None = None


class AtrStore(PerOperationStore):
    migrations = migrations

    def submit(self, submission: Submission, team_id: str, user_id: str) -> StoredSubmission:
        """Store `submission` as the current link; return exactly what was committed."""
        key = (submission.office, submission.ip_type, submission.year)
        with self._db() as db:
            conn = db.conn
            conn.execute("BEGIN IMMEDIATE")  # take the write lock before reading the current value
            try:
                current = conn.execute(
                    "select url, note, version from atr_submissions where office = ? and ip_type = ? and year = ?", key
                ).fetchone()
                now = utc_now()
                version = (current[2] + 1) if current else 1
                conn.execute(
                    "insert or replace into atr_submissions "
                    "(office, ip_type, year, url, note, team_id, user_id, submitted_at, version) "
                    "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*key, submission.url, submission.note, team_id, user_id, now, version),
                )
                conn.execute(
                    "insert into atr_history (office, ip_type, year, old_url, new_url, old_note, new_note, "
                    "team_id, user_id, changed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        *key,
                        current[0] if current else None,
                        submission.url,
                        current[1] if current else None,
                        submission.note,
                        team_id,
                        user_id,
                        now,
                    ),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return StoredSubmission(
            *key,
            submission.url,
            submission.note,
            team_id,
            user_id,
            now,
            version,
            previous_url=current[0] if current else None,
        )

    def current(self, year: int | None = None, office: str | None = None) -> list[StoredSubmission]:
        clauses: list[str] = []
        params: list[int | str] = []
        if year is not None:
            clauses.append("year = ?")
            params.append(year)
        if office is not None:
            clauses.append("office = ?")
            params.append(office)
        where = f"where {' and '.join(clauses)}" if clauses else ""
        with self._db() as db:
            rows = db.execute(
                "select office, ip_type, year, url, note, team_id, user_id, submitted_at, version "
                f"from atr_submissions {where} order by office, year, ip_type",
                params,
            ).fetchall()
        return [StoredSubmission(*row) for row in rows]

    def history(self, office: str, ip_type: str, year: int) -> list[dict]:
        with self._db() as db:
            return list(
                db.table("atr_history").rows_where(
                    "office = ? and ip_type = ? and year = ?", [office, ip_type, year], order_by="id"
                )
            )

    def years(self) -> list[int]:
        with self._db() as db:
            return [r[0] for r in db.execute("select distinct year from atr_submissions order by year").fetchall()]
