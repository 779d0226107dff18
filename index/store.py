"""The passage table of one build: what a search hit points at, and what a reindex reuses.

Row numbers in `passages` are the rows of the build's vector matrix, so a vector hit
maps to its passage without a lookup table on disk.

The documents table gained columns over time (`office`, `read_on`, `failing_since`, `stale`, for ATR reports
fetched from submitted links); a build written before them is read as if they were empty, so it keeps serving
and a reindex carries its documents forward without a rebuild.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from corpus.model import DocumentMeta, Entities, Passage, Table

DB_NAME = "passages.db"
# Document columns a build written by an earlier version may lack, and what they mean when absent.
LATER_DOCUMENT_COLUMNS: dict[str, Any] = {"office": None, "read_on": None, "failing_since": None, "stale": 0}


@dataclass(frozen=True)
class StoredPassage:
    """A passage as served: its own fields plus the document fields a citation needs."""

    row: int
    passage_id: str
    doc_id: str
    paragraph: str
    heading: str
    text: str
    kind: str
    context: str
    table: Table | None
    table_row: int | None
    entities: Entities
    title: str
    symbol: str | None
    session: str | None
    year: int | None
    url: str | None
    office: str | None = None
    read_on: str | None = None
    failing_since: str | None = None
    stale: bool = False

    @property
    def cited_as(self) -> str:
        return self.symbol or self.title


def copy_caveat(read_on: str | None, failing_since: str | None, stale: bool) -> str | None:
    """What a citation adds for a copy whose link fails: 'read 2026-01-03; link failing since 2026-01-05',
    called a stale copy once it is too old (the fetcher decides that, against `atr.stale_after_days`)."""
    if not failing_since:
        return None
    read = f"read {read_on}; " if read_on else ""
    return ("stale copy: " if stale else "") + f"{read}link failing since {failing_since}"


def served_paragraph(paragraph: str, heading: str, office: str | None, caveat: str | None) -> str:
    """The label a citation shows. A report of an office is cited by section ('section AI tools, para. 3'): its
    paragraphs are numbered by us, not printed, so the heading is what a reader finds in the report."""
    label = paragraph
    section = heading.rsplit(" › ", 1)[-1].strip() if office and heading else ""
    if section:
        label = f"section {section}, " + (f"para. {paragraph}" if paragraph.isdigit() else paragraph)
    return f"{label} ({caveat})" if caveat else label


def _table_json(table: Table | None) -> str | None:
    return json.dumps({"header": table.header, "rows": table.rows}) if table else None


def _table(raw: str | None) -> Table | None:
    if not raw:
        return None
    data = json.loads(raw)
    return Table(tuple(data["header"]), tuple(tuple(r) for r in data["rows"]))


def passage_record(row: int, passage: Passage, content_hash: str) -> dict[str, Any]:
    e = passage.entities
    return {
        "row": row,
        "passage_id": passage.passage_id,
        "doc_id": passage.doc_id,
        "ordinal": passage.ordinal,
        "paragraph": passage.paragraph,
        "heading": passage.heading,
        "context": passage.context,
        "text": passage.text,
        "kind": passage.kind,
        "table_json": _table_json(passage.table),
        "table_row": passage.row,
        "content_hash": content_hash,
        "standards": json.dumps(e.standards),
        "tasks": json.dumps(e.tasks),
        "sessions": json.dumps(e.sessions),
        "symbols": json.dumps(e.symbols),
        "circulars": json.dumps(e.circulars),
        "years": json.dumps(e.years),
    }


def document_record(meta: DocumentMeta, fingerprint: str) -> dict[str, Any]:
    return {
        "doc_id": meta.doc_id,
        "path": meta.path,
        "fingerprint": fingerprint,
        "title": meta.title,
        "symbol": meta.symbol,
        "session": meta.session,
        "year": meta.year,
        "language": meta.language,
        "topics": json.dumps(meta.topics),
        "url": meta.url,
        "source": meta.source,
        "office": meta.office,
        "read_on": meta.read_on,
        "failing_since": meta.failing_since,
        "stale": int(meta.stale),
    }


def create(directory: Path, documents: Iterable[dict[str, Any]], passages: Iterable[dict[str, Any]]) -> None:
    """Write a build's tables in one transaction."""
    db = sqlite_utils.Database(directory / DB_NAME)
    with db.conn:
        db.table("documents").insert_all(documents, pk="doc_id")
        table = db.table("passages")
        table.insert_all(passages, pk="row", batch_size=2000)
        table.create_index(["passage_id"], unique=True)
        table.create_index(["doc_id"])
        table.create_index(["content_hash"])
    db.close()


class PassageStore:
    """Read-only access to one build's passages; safe to share between threads."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / DB_NAME
        self._document_columns: frozenset[str] | None = None

    def document_columns(self) -> frozenset[str]:
        """The documents table's columns (a build is immutable, so read once)."""
        if self._document_columns is None:
            self._document_columns = frozenset(r[1] for r in self.query("pragma table_info(documents)"))
        return self._document_columns

    def has_document_column(self, name: str) -> bool:
        return name in self.document_columns()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
        conn.row_factory = sqlite3.Row
        return conn

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        conn = self._connect()
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def count(self) -> int:
        return int(self.query("select count(*) from passages")[0][0])

    def passage_ids(self) -> list[str]:
        return [r[0] for r in self.query("select passage_id from passages order by row")]

    def documents(self) -> dict[str, sqlite3.Row]:
        return {r["doc_id"]: r for r in self.query("select * from documents")}

    def fingerprints(self) -> dict[str, str]:
        """doc_id → fingerprint, to tell a reindex which documents changed without reading them."""
        return {r[0]: r[1] for r in self.query("select doc_id, fingerprint from documents")}

    def hashes(self) -> dict[str, int]:
        """content_hash → row, to reuse the vectors of unchanged passages."""
        return {r[0]: r[1] for r in self.query("select content_hash, row from passages")}

    def rows_for_docs(self, doc_ids: Sequence[str]) -> list[sqlite3.Row]:
        out: list[sqlite3.Row] = []
        for start in range(0, len(doc_ids), 500):
            chunk = list(doc_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            out += self.query(f"select * from passages where doc_id in ({marks}) order by row", chunk)
        return out

    def fetch(self, rows: Sequence[int]) -> list[StoredPassage]:
        """Passages by vector row, in the order asked."""
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        later = "".join(f", d.{c}" for c in LATER_DOCUMENT_COLUMNS if self.has_document_column(c))
        found = self.query(
            f"select p.*, d.title, d.symbol, d.session, d.year, d.url{later} from passages p "
            f"join documents d on d.doc_id = p.doc_id where p.row in ({marks})",
            list(rows),
        )
        by_row = {r["row"]: _stored(r) for r in found}
        return [by_row[r] for r in rows if r in by_row]

    def find_paragraph(self, doc_id: str, paragraph: str) -> StoredPassage | None:
        found = self.query("select row from passages where doc_id = ? and paragraph = ?", (doc_id, paragraph))
        return self.fetch([found[0][0]])[0] if found else None

    def filtered_rows(self, where: str, params: Sequence[Any]) -> list[int]:
        return [
            r[0]
            for r in self.query(
                f"select p.row from passages p join documents d on d.doc_id = p.doc_id where {where} order by p.row",
                params,
            )
        ]


def _entities(r: sqlite3.Row) -> Entities:
    return Entities(
        **{f: tuple(json.loads(r[f])) for f in ("standards", "tasks", "sessions", "symbols", "circulars", "years")}
    )


def _later(r: sqlite3.Row) -> dict[str, Any]:
    """The later document columns of a row, their empty values where the build predates them."""
    keys = set(r.keys())
    return {c: r[c] if c in keys else empty for c, empty in LATER_DOCUMENT_COLUMNS.items()}


def _stored(r: sqlite3.Row) -> StoredPassage:
    """A search hit: the passage read as a reindex reads it, plus the document fields of the join."""
    p = row_to_passage(r)
    later = _later(r)
    caveat = copy_caveat(later["read_on"], later["failing_since"], bool(later["stale"]))
    return StoredPassage(
        row=r["row"],
        passage_id=p.passage_id,
        doc_id=p.doc_id,
        paragraph=served_paragraph(p.paragraph, p.heading, later["office"], caveat),
        heading=p.heading,
        text=p.text,
        kind=p.kind,
        context=p.context,
        table=p.table,
        table_row=p.row,
        entities=p.entities,
        title=r["title"],
        symbol=r["symbol"],
        session=r["session"],
        year=r["year"],
        url=r["url"],
        office=later["office"],
        read_on=later["read_on"],
        failing_since=later["failing_since"],
        stale=bool(later["stale"]),
    )


def row_to_passage(r: sqlite3.Row) -> Passage:
    """Rebuild a Passage from a previous build, to carry an unchanged document forward."""
    return Passage(
        passage_id=r["passage_id"],
        doc_id=r["doc_id"],
        ordinal=r["ordinal"],
        paragraph=r["paragraph"],
        heading=r["heading"],
        text=r["text"],
        kind=r["kind"],
        table=_table(r["table_json"]),
        row=r["table_row"],
        context=r["context"],
        entities=_entities(r),
    )


def row_to_meta(r: sqlite3.Row) -> DocumentMeta:
    later = _later(r)
    return DocumentMeta(
        doc_id=r["doc_id"],
        path=r["path"],
        title=r["title"],
        symbol=r["symbol"],
        session=r["session"],
        year=r["year"],
        language=r["language"],
        topics=tuple(json.loads(r["topics"] or "[]")),
        url=r["url"],
        source=r["source"],
        office=later["office"],
        read_on=later["read_on"],
        failing_since=later["failing_since"],
        stale=bool(later["stale"]),
    )
