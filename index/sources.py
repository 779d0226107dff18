"""The indexed sources: the folders and single files every build reads, and where each came from.

Every build (`cws index`, the nightly job, the first `cws ask`) indexes the union of `corpus_dirs` (from
`CWS_CORPUS_DIRS`, else the configuration file) and the sources added with `cws sources add` or `cws index PATH`,
so neither an environment variable nor a new folder can silently replace what a user indexed before.

The added sources live in SQLite (table `index_sources` in the data directory's cws.db, through
`PerOperationStore`) rather than a JSON file: `cws sources add` may run while a serving process's nightly job
reads the list, and SQLite already gives this project atomic, durable writes with concurrent readers, migrations
and one connection per operation. A removed source keeps its row, marked removed, so the next build knows that
its documents leave on purpose (see index.removals).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

from config.database import PerOperationStore, utc_now
from config.errors import CwsError
from config.settings import Settings
from corpus.loaders import SUPPORTED_SUFFIXES
from index.build import Provenance, has_provenance, read_provenance
from index.layout import read_info
from index.store import PassageStore
from index.validate import live_build

ENVIRONMENT = "environment"
CONFIGURATION = "configuration"
ADDED = "added with cws sources add"
ADDED_BY_INDEX = "added with cws index"
CARRIED_OVER = "carried over from the index built before sources were recorded"
_HOW = {"sources add": ADDED, "index": ADDED_BY_INDEX, "carried over": CARRIED_OVER}

migrations = Migrations("index_sources")


@migrations()
def create_sources(db: sqlite_utils.Database) -> None:
    db.table("index_sources").create(
        {"path": str, "added_by": str, "added_at": str, "removed_at": str}, pk="path", not_null={"added_by", "added_at"}
    )


class SourceError(CwsError):
    """A source cannot be added or removed; the message says why."""


@dataclass(frozen=True)
class IndexedSource:
    """One source of every build, with each place it is listed in (a folder may be in the environment and added)."""

    path: Path
    origins: tuple[str, ...]
    added_at: str | None = None

    @property
    def kind(self) -> str:
        return "folder" if self.path.is_dir() else "file" if self.path.is_file() else "missing"

    @property
    def removable(self) -> bool:
        return any(o not in (ENVIRONMENT, CONFIGURATION) for o in self.origins)


def normalise(path: Path | str) -> Path:
    """The one spelling a source is stored and compared under."""
    return Path(path).expanduser().resolve()


class SourceList(PerOperationStore):
    """The sources added by hand, in the data directory."""

    migrations = migrations

    def add(self, path: Path, how: str) -> bool:
        """List `path` (again, if it was removed); True if it was not listed before. One statement: atomic."""
        with self._db() as db, db.conn:
            cursor = db.execute(
                "insert into index_sources (path, added_by, added_at, removed_at) values (?, ?, ?, null) "
                "on conflict (path) do update set added_by = excluded.added_by, added_at = excluded.added_at, "
                "removed_at = null where index_sources.removed_at is not null",
                [str(path), how, utc_now()],
            )
            return cursor.rowcount > 0

    def remove(self, path: Path) -> bool:
        """Take `path` off the list, remembering that it was; False if it was not listed."""
        with self._db() as db, db.conn:
            cursor = db.execute(
                "update index_sources set removed_at = ? where path = ? and removed_at is null",
                [utc_now(), str(path)],
            )
            return cursor.rowcount > 0

    def listed(self) -> list[tuple[Path, str, str]]:
        """(path, how it was added, when), oldest first."""
        with self._db() as db:
            rows = db.execute(
                "select path, added_by, added_at from index_sources where removed_at is null order by added_at, path"
            ).fetchall()
        return [(Path(p), how, at) for p, how, at in rows]

    def removed(self) -> frozenset[str]:
        """Sources taken off the list with `cws sources remove`: their documents may leave the index."""
        with self._db() as db:
            rows = db.execute("select path from index_sources where removed_at is not null").fetchall()
        return frozenset(r[0] for r in rows)

    def ever_used(self) -> bool:
        with self._db() as db:
            return db.execute("select count(*) from index_sources").fetchone()[0] > 0


def _carry_over_legacy(settings: Settings, store: SourceList) -> None:
    """A data directory indexed before sources were recorded: its live build's folders become listed sources,
    so the first build of this version does not drop the documents `cws index PATH` put there."""
    live = live_build(settings.index_root)
    if live is None or store.ever_used() or has_provenance(live):
        return
    for folder in read_info(live).get("sources", []):
        if Path(folder).exists():
            store.add(normalise(folder), "carried over")


def resolve_sources(settings: Settings) -> list[IndexedSource]:
    """Every source of the next build, in order: `corpus_dirs` (environment or configuration), then the added."""
    store = SourceList(settings.data_dir)
    _carry_over_legacy(settings, store)
    found: dict[Path, tuple[list[str], str | None]] = {}
    for folder in settings.corpus_dirs:
        found.setdefault(normalise(folder), ([], None))[0].append(settings.corpus_dirs_origin)
    for path, how, added_at in store.listed():
        origins, _ = found.get(path, ([], None))
        found[path] = (origins + [_HOW.get(how, how)], added_at)
    return [IndexedSource(path, tuple(origins), added_at) for path, (origins, added_at) in found.items()]


def _id_prefix(path: Path) -> str:
    """What the ids of a source's documents start with (corpus.ingest): the folder's name, or the file's id."""
    return f"{path.name}/" if path.is_dir() else f"{path.parent.name}/{path.name}"


def add_source(settings: Settings, path: Path | str, how: str = "sources add") -> tuple[IndexedSource, bool]:
    """Add a folder or a single document to the sources; (the source, whether it is new).

    Refused: what does not exist, a file that is not a document, and a path inside (or around) a listed folder,
    which would index the same files twice under two names.
    """
    path = normalise(path)
    if not path.exists():
        raise SourceError(f"{path} does not exist")
    if path.is_file() and path.suffix.lower() not in SUPPORTED_SUFFIXES:
        kinds = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise SourceError(f"{path} is not a document that can be indexed ({kinds})")
    if not (path.is_file() or path.is_dir()):
        raise SourceError(f"{path} is neither a folder nor a file")
    for source in resolve_sources(settings):
        if source.path == path:
            continue
        if path.is_relative_to(source.path):
            raise SourceError(f"{path} is inside {source.path}, which is already indexed ({', '.join(source.origins)})")
        if source.path.is_relative_to(path):
            raise SourceError(
                f"{source.path} ({', '.join(source.origins)}) is inside {path}; "
                f"remove it first ('cws sources remove {source.path}') so its documents are not indexed twice"
            )
        mine, theirs = _id_prefix(path), _id_prefix(source.path)
        if mine.startswith(theirs) or theirs.startswith(mine):
            raise SourceError(
                f"{path} would give its documents the same ids as {source.path} ({', '.join(source.origins)}): "
                "a document's id is its folder's name plus its path inside it, so rename one of the two folders"
            )
    is_new = SourceList(settings.data_dir).add(path, how)
    listed = next(s for s in resolve_sources(settings) if s.path == path)
    return listed, is_new


def remove_source(settings: Settings, path: Path | str) -> IndexedSource:
    """Take an added source off the list. One that comes from CWS_CORPUS_DIRS or the configuration file can only
    be removed there; if it is also listed there, it stays indexed and the message says so."""
    path = normalise(path)
    listed = {s.path: s for s in resolve_sources(settings)}
    source = listed.get(path)
    if source is None:
        known = ", ".join(str(p) for p in listed) or "none"
        raise SourceError(f"{path} is not an indexed source (sources: {known})")
    if not source.removable:
        where = "CWS_CORPUS_DIRS" if ENVIRONMENT in source.origins else f"corpus_dirs in {settings.config_path}"
        raise SourceError(f"{path} comes from the {source.origins[0]} ({where}); remove it there")
    SourceList(settings.data_dir).remove(path)
    return source


@dataclass(frozen=True)
class IndexedDocument:
    """One document of the live index, as `cws docs` lists it."""

    doc_id: str
    symbol: str | None
    title: str
    passages: int
    source: str | None
    indexed_at: str


def indexed_documents(settings: Settings) -> list[IndexedDocument]:
    """The documents of the live index, by doc id; empty when there is no index yet."""
    live = live_build(settings.index_root)
    if live is None:
        return []
    provenance = read_provenance(live)
    rows = PassageStore(live).query(
        "select d.doc_id, d.symbol, d.title, count(p.row) from documents d "
        "left join passages p on p.doc_id = d.doc_id group by d.doc_id order by d.doc_id"
    )
    unknown = Provenance(None, "")
    return [
        IndexedDocument(
            doc_id, symbol, title, n, provenance.get(doc_id, unknown).source, provenance.get(doc_id, unknown).indexed_at
        )
        for doc_id, symbol, title, n in rows
    ]


def source_documents(settings: Settings) -> dict[str, int]:
    """How many documents of the live index came from each source."""
    counts: dict[str, int] = {}
    for document in indexed_documents(settings):
        if document.source:
            counts[document.source] = counts.get(document.source, 0) + 1
    return counts
