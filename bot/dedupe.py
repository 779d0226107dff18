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

When the database cannot be written (a full disk, a read-only file), ids are kept in memory
instead, with an error logged: the event is still acknowledged and answered once (by this
process), rather than failing with 500 so that Slack retries a question nobody answers.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from pathlib import Path

from sqlite_utils import Migrations

from config.database import PerOperationStore

log = logging.getLogger(__name__)

TABLE = "slack_seen_events"
MIGRATIONS = Migrations("slack_events")


@MIGRATIONS()
def m001_seen_events(db) -> None:
    db.table(TABLE).create({"event_id": str, "seen_at": float}, pk="event_id")
    db.table(TABLE).create_index(["seen_at"])


class EventDedupe(PerOperationStore):
    migrations = MIGRATIONS

    def __init__(self, data_dir: Path, keep_seconds: float = 86_400, max_rows: int = 10_000) -> None:
        super().__init__(data_dir)
        self.keep_seconds = keep_seconds
        self.max_rows = max_rows
        self._inserts = itertools.count(1)
        self._lock = threading.Lock()
        self._in_memory: OrderedDict[str, float] = OrderedDict()  # ids seen while the database could not be written
        self._failing = False

    def first_time(self, event_id: str) -> bool:
        """Record `event_id`; True only for the first delivery (atomic across threads and processes).

        Ids seen while the database failed are remembered here too, so a redelivery is recognised
        even once the database works again.
        """
        with self._lock:
            if event_id in self._in_memory:
                return False
        try:
            inserted = self._record(event_id)
        except sqlite3.Error as exc:
            return self._remember(event_id, exc)
        if self._failing:
            self._failing = False
            log.warning("the duplicate check can write to %s again", self.data_dir)
        return inserted

    def _remember(self, event_id: str, exc: sqlite3.Error) -> bool:
        """The fallback while the database cannot be written: this process's memory, bounded like the table."""
        if not self._failing:
            self._failing = True  # logged once per outage, not once per event
            log.error(
                "cannot record Slack deliveries in %s (%s): checking for duplicates in memory until it can",
                self.data_dir,
                exc,
            )
        with self._lock:
            if event_id in self._in_memory:
                return False
            self._in_memory[event_id] = time.time()
            while len(self._in_memory) > self.max_rows:
                self._in_memory.popitem(last=False)
            return True

    def _record(self, event_id: str) -> bool:
        now = time.time()
        with self._db() as db, db.conn:
            inserted = (
                db.execute(
                    "INSERT OR IGNORE INTO slack_seen_events (event_id, seen_at) VALUES (?, ?)", [event_id, now]
                ).rowcount
                == 1
            )
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
            return db.table(TABLE).count
