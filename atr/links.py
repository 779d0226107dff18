"""Link health in SQLite: what was last read from each current ATR link, and every check with its outcome.

One row per (office, type, year) in `atr_links`, beside the submissions (`atr_submissions`) but never touching
them: a failed or refused fetch changes the link's health, never what was submitted. `atr_link_checks` keeps
every check (date, outcome, HTTP status, reason), so a breakage can be dated and reported.

States: `indexed` (the last check read the report or found it unchanged), `failing` (the last check failed; the
last good copy stays indexed), `broken` (the last check failed and there is no copy: never read, or the server
said the report is gone).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Literal

import sqlite_utils
from sqlite_utils import Migrations

from config.database import PerOperationStore

migrations = Migrations("atr_links")
State = Literal["indexed", "failing", "broken"]
Key = tuple[str, str, int]  # office, ip_type, year


@migrations()
def create_tables(db: sqlite_utils.Database) -> None:
    db.table("atr_links").create(
        {
            "office": str,
            "ip_type": str,
            "year": int,
            "url": str,
            "state": str,
            "reason": str,
            "http_status": int,
            "final_url": str,
            "content_type": str,
            "kind": str,
            "content_hash": str,
            "etag": str,
            "last_modified": str,
            "fetched_at": str,
            "checked_at": str,
            "confirmed_at": str,
            "failing_since": str,
            "folder": str,
            "title": str,
            "passages": int,
            "reported_at": str,
        },
        pk=("office", "ip_type", "year"),
        not_null={"url", "state", "checked_at"},
    )
    db.table("atr_link_checks").create(
        {
            "id": int,
            "office": str,
            "ip_type": str,
            "year": int,
            "url": str,
            "checked_at": str,
            "outcome": str,
            "http_status": int,
            "reason": str,
        },
        pk="id",
        not_null={"office", "ip_type", "year", "url", "checked_at", "outcome"},
    )
    db.table("atr_link_checks").create_index(["office", "ip_type", "year"])


@dataclass(frozen=True)
class LinkRecord:
    office: str
    ip_type: str
    year: int
    url: str  # the submitted link this record is about
    state: State
    checked_at: str  # last check, UTC ISO
    reason: str | None = None  # why the last check failed
    http_status: int | None = None
    final_url: str | None = None  # after redirects
    content_type: str | None = None
    kind: str | None = None  # html, pdf, docx
    content_hash: str | None = None  # sha256 of the stored copy
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: str | None = None  # when the stored copy was downloaded
    confirmed_at: str | None = None  # last check that read the report or found it unchanged
    failing_since: str | None = None  # first failed check of the current run of failures
    folder: str | None = None  # the report's folder (an index source) in the data directory
    title: str | None = None
    passages: int | None = None
    reported_at: str | None = None  # when the secretariat's digest listed this breakage

    @property
    def key(self) -> Key:
        return self.office, self.ip_type, self.year

    @property
    def has_copy(self) -> bool:
        return self.folder is not None

    @property
    def read_on(self) -> str | None:
        """The day the report was last read or confirmed unchanged."""
        return self.confirmed_at[:10] if self.confirmed_at else None

    def is_stale(self, today: date, stale_after_days: int) -> bool:
        """A kept copy whose link has been failing and that was last read more than `stale_after_days` ago."""
        if self.state != "failing" or not self.confirmed_at:
            return False
        return (today - date.fromisoformat(self.confirmed_at[:10])).days > stale_after_days

    def changed(self, **values: object) -> LinkRecord:
        return replace(self, **values)  # type: ignore[arg-type]


_COLUMNS = [f.name for f in fields(LinkRecord)]


class LinkStore(PerOperationStore):
    migrations = migrations

    def get(self, key: Key) -> LinkRecord | None:
        with self._db() as db:
            row = db.execute(
                f"select {', '.join(_COLUMNS)} from atr_links where office = ? and ip_type = ? and year = ?", list(key)
            ).fetchone()
        return LinkRecord(*row) if row else None

    def all(self, year: int | None = None, office: str | None = None) -> list[LinkRecord]:
        clauses, params = [], []
        for column, value in (("year", year), ("office", office)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f"where {' and '.join(clauses)}" if clauses else ""
        with self._db() as db:
            rows = db.execute(
                f"select {', '.join(_COLUMNS)} from atr_links {where} order by office, year, ip_type", params
            ).fetchall()
        return [LinkRecord(*row) for row in rows]

    def save(self, record: LinkRecord, outcome: str) -> None:
        """Store the link's state and log the check, in one transaction."""
        with self._db() as db, db.conn:
            db.table("atr_links").insert(asdict(record), pk=("office", "ip_type", "year"), replace=True)
            db.table("atr_link_checks").insert(
                {
                    "office": record.office,
                    "ip_type": record.ip_type,
                    "year": record.year,
                    "url": record.url,
                    "checked_at": record.checked_at,
                    "outcome": outcome,
                    "http_status": record.http_status,
                    "reason": record.reason,
                }
            )

    def checks(self, key: Key) -> list[dict]:
        with self._db() as db:
            return list(
                db.table("atr_link_checks").rows_where(
                    "office = ? and ip_type = ? and year = ?", list(key), order_by="id"
                )
            )

    def unreported_breakages(self) -> list[LinkRecord]:
        """Failing or broken links the secretariat's digest has not listed yet."""
        return [r for r in self.all() if r.state != "indexed" and r.reported_at is None]

    def mark_reported(self, keys: list[Key], at: str) -> None:
        with self._db() as db, db.conn:
            for key in keys:
                db.execute(
                    "update atr_links set reported_at = ? where office = ? and ip_type = ? and year = ? "
                    "and state != 'indexed'",
                    [at, *key],
                )
