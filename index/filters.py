"""Search filters: from the spellings people type to the passages they allow.

One place both reads a filter ("st26", "twelfth session", "task 24") and turns it into
the SQL that selects passage rows, so the accepted filters and their meaning cannot
drift apart between the front ends and the index.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from corpus.entities import normalize_session, normalize_standard, normalize_task
from index.errors import InvalidFilter
from index.store import PassageStore

NAMES = ("session", "year", "standard", "task", "document", "office")
# A filter typed into a question, as Slack users (who have no options) narrow one: "office:JP year:2024 …".
_TYPED = re.compile(rf"(?<!\S)({'|'.join(NAMES)}):(?:\"([^\"]+)\"|(\S+))(?!\S)", re.I)


def _year(raw: str) -> str | None:
    return raw if raw.isdigit() and len(raw) == 4 else None


def _office(raw: str) -> str | None:
    """An office's WIPO ST.3 code: 'jp' → 'JP', or a country's name ('Japan') → its code."""
    if re.fullmatch(r"[A-Za-z]{2}", raw):
        return raw.upper()
    import pycountry  # its database is read on first use: only when a name is typed

    try:
        return pycountry.countries.lookup(raw).alpha_2
    except LookupError:
        return None


_NORMALIZE = {
    "standard": normalize_standard,
    "task": normalize_task,
    "session": normalize_session,
    "year": _year,
    "document": lambda raw: raw,
    "office": _office,
}

# Each filter: a SQL condition on passages `p` joined with documents `d`, and its parameters.
_SQL = {
    "session": ("d.session = ?", lambda v: [v]),
    "year": ("d.year = ?", lambda v: [int(v)]),
    "document": ("(d.symbol = ? collate nocase or d.doc_id = ?)", lambda v: [v, v]),
    "standard": ("p.standards like ?", lambda v: [f'%"{v}"%']),
    "task": ("(p.tasks like ? or d.topics like ?)", lambda v: [f'%"{v}"%', f'%"{v}"%']),
    "office": ("d.office = ?", lambda v: [v]),
}
# Filters on document columns that a build written by an earlier version may lack (index.store): such a build
# has no document of that kind, so the filter allows nothing rather than failing the question.
_COLUMN = {"office": "office"}


def split_filters(question: str) -> tuple[str, dict[str, str]]:
    """The filters typed into a question ("office:JP", "year:2024", "session:\"twelfth session\"")
    and the question without them; a typed value is read as the option's would be."""
    typed: dict[str, str] = {}

    def take(match: re.Match[str]) -> str:
        typed[match.group(1).lower()] = match.group(2) or match.group(3)
        return " "

    return " ".join(_TYPED.sub(take, question).split()), typed


@dataclass(frozen=True)
class Filters:
    """Normalised filters; empty when the question is not narrowed."""

    values: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, raw: Mapping[str, str | int | None] | None) -> Filters:
        """Accept any spelling a user types; InvalidFilter names a filter or value that is junk."""
        out: dict[str, str] = {}
        for name, value in (raw or {}).items():
            if value in (None, ""):
                continue
            if name not in _NORMALIZE:
                raise InvalidFilter(f"unknown filter '{name}' (use {', '.join(NAMES[:-1])} or {NAMES[-1]})")
            text = str(value).strip()
            normal = _NORMALIZE[name](text)
            if not normal:
                raise InvalidFilter(f"'{text}' is not a valid {name}")
            out[name] = normal
        return cls(tuple(out.items()))

    def __bool__(self) -> bool:
        return bool(self.values)

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)

    def rows(self, store: PassageStore) -> np.ndarray | None:
        """Vector rows of the passages the filters allow; None when there are no filters."""
        if not self.values:
            return None
        clauses: list[str] = []
        params: list[object] = []
        for name, value in self.values:
            if name in _COLUMN and not store.has_document_column(_COLUMN[name]):
                return np.zeros(0, dtype=np.int64)
            clause, bind = _SQL[name]
            clauses.append(clause)
            params += bind(value)
        return np.asarray(store.filtered_rows(" and ".join(clauses), params), dtype=np.int64)
