"""Plain data types shared by loaders, passage splitting and the index.

Loaders turn a file into `Block`s (headings, paragraphs, tables, part breaks);
`corpus.passages` turns blocks plus `DocumentMeta` into citable `Passage`s.
Keeping these types free of behaviour lets every stage be tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "table", "break"]


@dataclass(frozen=True)
class Table:
    """A table rebuilt into rows and columns; `header` names the columns."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Block:
    """One structural unit of a document, in reading order.

    kind:
      heading   -- `text` is the heading, `level` its depth (1 = top)
      paragraph -- `text` is the paragraph; `number` is the paragraph number
                   *as printed* in the document ("10" for "10. The CWS..."),
                   None when the document does not print one
      table     -- `table` holds the rebuilt table
      break     -- a part boundary such as "[Annex follows]"; `text` names
                   the new part ("Annex"), so numbering can restart in it
    """

    kind: BlockKind
    text: str = ""
    number: str | None = None
    level: int = 1
    table: Table | None = None


@dataclass(frozen=True)
class LoadedDocument:
    """What a loader read: blocks plus any title found in file metadata."""

    blocks: tuple[Block, ...]
    title: str | None = None


@dataclass(frozen=True)
class Entities:
    """Normalised identifiers found in a text; every field is sorted, unique."""

    standards: tuple[str, ...] = ()  # "ST.26"
    tasks: tuple[str, ...] = ()  # "Task No. 58"
    sessions: tuple[str, ...] = ()  # "CWS/12"
    symbols: tuple[str, ...] = ()  # "CWS/12/25", "WO/GA/58/9"
    circulars: tuple[str, ...] = ()  # "C.CWS.182"
    years: tuple[str, ...] = ()  # "2024"

    def all_ids(self) -> tuple[str, ...]:
        """Every identifier, for the exact-match keyword field."""
        return self.standards + self.tasks + self.sessions + self.symbols + self.circulars + self.years


@dataclass(frozen=True)
class DocumentMeta:
    """Who a document is: from the manifest, or derived from its text."""

    doc_id: str
    path: str
    title: str
    symbol: str | None = None
    session: str | None = None
    year: int | None = None
    language: str | None = None
    topics: tuple[str, ...] = ()
    url: str | None = None
    source: str | None = None  # where the facts come from (structured records)
    office: str | None = None  # WIPO ST.3 code of the office whose report this is (ATRs), for `--office`
    # A copy read from `url` whose link now fails: when it was last read, since when the link fails, and whether
    # that is long enough ago to call the copy stale. Citations say so; all None/False for a healthy document.
    read_on: str | None = None  # YYYY-MM-DD
    failing_since: str | None = None  # YYYY-MM-DD
    stale: bool = False


PassageKind = Literal["paragraph", "table_row", "record"]


@dataclass(frozen=True)
class Passage:
    """A citable unit: one paragraph, one table row, or one structured record."""

    passage_id: str
    doc_id: str
    ordinal: int
    paragraph: str  # "10", "Annex, para. 3", "Table 1, row 2"
    heading: str
    text: str
    kind: PassageKind = "paragraph"
    table: Table | None = None  # the whole table, for table rows
    row: int | None = None  # which row of `table` this passage is
    context: str = ""  # words that situate the passage (a table's lead-in); indexed, not shown
    entities: Entities = field(default_factory=Entities)
