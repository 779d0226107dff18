"""The application database (feedback, ATR submissions, reminders): one SQLite file.

WAL mode lets readers run while a writer commits, and the busy timeout makes two
processes writing at once wait for each other instead of failing. Each feature owns a
`sqlite_utils.Migrations` set and applies it when it opens the database.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

DB_NAME = "cws.db"
BUSY_TIMEOUT_MS = 10_000


def database_path(data_dir: Path) -> Path:
    return data_dir / DB_NAME


def open_database(data_dir: Path, *migrations: Migrations) -> sqlite_utils.Database:
    """Open (creating if needed) the database, durable and ready for concurrent writers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(database_path(data_dir))
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA synchronous = FULL")  # a confirmed write survives a crash or power loss
    for migration_set in migrations:
        migration_set.apply(db)
    return db


_local = threading.local()
KEPT_PER_THREAD = 4  # connections a thread keeps open, to different data directories, least recently used closed


@contextmanager
def connected(data_dir: Path) -> Iterator[sqlite_utils.Database]:
    """The calling thread's connection to the database, opened on first use and kept.

    A sqlite3 connection may only be used by the thread that opened it, so each thread has
    its own; WAL and the busy timeout let them (and other processes) write side by side.
    Opening one per operation instead cost a WAL checkpoint and a directory sync on every
    write, which doubled the Slack acknowledgement's p99 under load. An operation that fails
    inside a transaction leaves nothing behind: it is rolled back here.
    """
    path = database_path(data_dir)
    connections: dict[Path, sqlite_utils.Database] = getattr(_local, "connections", None) or {}
    _local.connections = connections
    db = connections.pop(path, None)
    if db is not None and not path.exists():  # the file was removed (a test's temporary folder)
        db.close()
        db = None
    if db is None:
        db = open_database(data_dir)
        while len(connections) >= KEPT_PER_THREAD:  # a process serves one data directory; tests use many
            connections.pop(next(iter(connections))).close()
    connections[path] = db  # most recently used last
    try:
        yield db
    finally:
        if db.conn.in_transaction:
            db.conn.rollback()


class PerOperationStore:
    """A store that applies its migrations once, then runs each operation on the calling
    thread's connection (`connected`), so threads and processes can share the file."""

    migrations: Migrations

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        open_database(data_dir, self.migrations).close()

    def _db(self) -> AbstractContextManager[sqlite_utils.Database]:
        return connected(self.data_dir)


def utc_now() -> str:
    """The timestamp format of every table: ISO 8601, UTC, seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")
