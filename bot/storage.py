"""The bot's handle on the application database: one SQLite connection per thread.

Listeners and background answers run on many threads, and a sqlite3 connection may only
be used by the thread that opened it; WAL and the busy timeout (`config.database`) let
those connections write side by side.
"""

from __future__ import annotations

import threading
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

from config.database import open_database


class BotDatabase:
    def __init__(self, data_dir: Path, *migrations: Migrations) -> None:
        self.data_dir = data_dir
        self._local = threading.local()
        self._local.db = open_database(data_dir, *migrations)  # migrations applied once, here

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_database(self.data_dir)
        return db
