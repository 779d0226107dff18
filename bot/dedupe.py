"""Answer each Slack event once, even when Slack delivers it again.

Slack redelivers an event it thinks we missed (`X-Slack-Retry-Num`, or a Socket Mode
`retry_attempt`), always with the same `event_id`. Ids are kept in SQLite rather than in
memory so a redelivery that arrives after a restart is still recognised. Slack's last
retry comes within minutes, so a day of ids is plenty; older rows are pruned and the
table is capped, which keeps it small for good.

Every event is checked here before Slack gets its acknowledgement. Each check opens and
closes its own connection; were that close the database's last, SQLite would copy the
WAL into the database file and remove it (more disk syncs) on every event, doubling the
check's cost. So the store also holds one idle connection for its life, which keeps the
WAL in place for every per-operation connection of the process.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from sqlite_utils import Migrations

from config.database import PerOperationStore

TABLE = "slack_seen_events"
MIGRATIONS = Migrations("slack_events")


@MIGRATIONS()
def m001_seen_events(db) -> None:  # type: ignore[no-untyped-def]
    db[TABLE].create({"event_id": str, "seen_at": float}, pk="event_id")
    db[TABLE].create_index(["seen_at"])


class EventDedupe(PerOperationStore):
    migrations = MIGRATIONS

    def __init__(self, data_dir: Path, keep_seconds: float = 86_400, max_rows: int = 10_000) -> None:
        super().__init__(data_dir)
        self.keep_seconds = keep_seconds
        self.max_rows = max_rows
        self._inserts = itertools.count(1)

    def first_time(self, event_id: str) -> bool:
        """Record `event_id`; True only for the first delivery (atomic across threads and processes)."""
        now = time.time()
        with self._db() as db, db.conn:
            inserted = db.execute(
                "INSERT OR IGNORE INTO slack_seen_events (event_id, seen_at) VALUES (?, ?)", [event_id, now]
            ).rowcount == 1
            if inserted:
                db.execute("DELETE FROM slack_seen_events WHERE seen_at < ?", [now - self.keep_seconds])
                if next(self._inserts) % 100 == 0:
                    db.execute(
                        "DELETE FROM slack_seen_events WHERE event_id IN "
                        "(SELECT event_id FROM slack_seen_events ORDER BY seen_at DESC LIMIT -1 OFFSET ?)",
                        [self.max_rows],
                    )
        return inserted

    def count(self) -> int:
        with self._db() as db:
            return db[TABLE].count
