"""Structured CWS facts shipped as YAML and indexed like documents.

Sessions, tasks, Task Forces and standards are small, stable facts that users ask about
directly ("What is Task No. 24?", "When was the twelfth session held?"). Shipping them
as records answers those questions on a fresh clone with no documents, and the glossary
lets a question written with an acronym find text that spells the name out.

Each YAML entry names its `source`; facts recalled rather than read from a CWS document
sit in a `recalled:` block (or the entry carries `confidence: recalled`), and that is
reflected in the record's `DocumentMeta.source`. Files are validated on load so a broken
edit fails loudly with the file, entry and field instead of indexing half a fact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from corpus.entities import ordinal_word
from corpus.model import Block, DocumentMeta, LoadedDocument
from config.errors import CwsError

RECORDS_DIR = Path(__file__).resolve().parent
_META_KEYS = ("source", "confidence", "recalled")
_CWS = "Committee on WIPO Standards"


class RecordError(CwsError):
    """A records YAML file is missing, malformed, or lacks a required field."""


@dataclass(frozen=True)
class _Entry:
    """One YAML entry, with recalled facts merged in, and where it came from for errors."""

    path: Path
    index: int
    label: str
    facts: dict[str, Any]
    source: str

    def _fail(self, message: str) -> RecordError:
        return RecordError(f"{self.path}: entry {self.index} ({self.label}): {message}")

    def text(self, name: str, required: bool = False) -> str | None:
        value = self.facts.get(name)
        if value is None:
            if required:
                raise self._fail(f"missing required field '{name}'")
            return None
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise self._fail(f"field '{name}' must be non-empty text")
        return " ".join(str(value).split())

    def integer(self, name: str, required: bool = False) -> int | None:
        value = self.facts.get(name)
        if value is None:
            if required:
                raise self._fail(f"missing required field '{name}'")
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(f"field '{name}' must be a whole number")
        return value

    def items(self, name: str) -> list[Any]:
        value = self.facts.get(name, [])
        if not isinstance(value, list):
            raise self._fail(f"field '{name}' must be a list")
        return value

    def texts(self, name: str) -> list[str]:
        values = self.items(name)
        if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
            raise self._fail(f"field '{name}' must be a list of text values")
        return [" ".join(str(v).split()) for v in values]


@dataclass(frozen=True)
class _Kind:
    file: str
    key: str
    label_field: str
    build: Callable[[_Entry], tuple[str, str, str, dict[str, Any]]]  # doc_id, title, text, meta


def _read_entries(path: Path, key: str, label_field: str) -> list[_Entry]:
    """Parse `path`, check the envelope and the provenance fields of every entry."""
    if not path.is_file():
        raise RecordError(f"{path}: records file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RecordError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise RecordError(f"{path}: expected a top-level '{key}:' list")
    entries = []
    for index, raw in enumerate(data[key], start=1):
        if not isinstance(raw, dict):
            raise RecordError(f"{path}: entry {index}: expected a mapping of fields")
        label = str(raw.get(label_field, f"#{index}"))
        where = f"{path}: entry {index} ({label})"
        if not isinstance(raw.get(label_field), str | int):
            raise RecordError(f"{where}: missing required field '{label_field}'")
        if not isinstance(raw.get("source"), str) or not raw["source"].strip():
            raise RecordError(f"{where}: missing required field 'source'")
        if raw.get("confidence") not in (None, "recalled"):
            raise RecordError(f"{where}: field 'confidence' must be 'recalled'")
        source = " ".join(raw["source"].split())
        if raw.get("confidence") == "recalled":
            source += " (recalled)"
        facts = {k: v for k, v in raw.items() if k not in _META_KEYS}
        recalled = raw.get("recalled")
        if recalled is not None:
            if not isinstance(recalled, dict):
                raise RecordError(f"{where}: field 'recalled' must be a mapping")
            for field in ("confidence", "source"):
                if field not in recalled:
                    raise RecordError(f"{where}: missing required field 'recalled.{field}'")
            if recalled["confidence"] != "recalled":
                raise RecordError(f"{where}: field 'recalled.confidence' must be 'recalled'")
            extra = {k: v for k, v in recalled.items() if k not in _META_KEYS}
            clash = sorted(set(extra) & set(facts))
            if clash:
                raise RecordError(f"{where}: field '{clash[0]}' given both directly and under 'recalled'")
            facts |= extra
            recalled_source = " ".join(str(recalled["source"]).split())
            source += f"; recalled, not read from a CWS document ({', '.join(extra)}): {recalled_source}"
        entries.append(_Entry(path, index, label, facts, source))
    return entries


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _at(symbol: str) -> str:
    """"CWS/6" -> "the sixth session (CWS/6)": the wording users search for."""
    m = re.fullmatch(r"CWS/(\d{1,2})(BIS)?", symbol)
    if not m:
        return symbol
    return f"the {'resumed ' if m.group(2) else ''}{ordinal_word(int(m.group(1)))} session ({symbol})"


def _session(e: _Entry) -> tuple[str, str, str, dict[str, Any]]:
    number = e.integer("number", required=True)
    symbol = e.text("symbol", required=True)
    assert number is not None and symbol is not None
    ordinal = ("resumed " if e.facts.get("resumed") else "") + f"{ordinal_word(number)} session"
    year, dates, place = e.integer("year"), e.text("dates"), e.text("place")
    chair, report, notes = e.text("chair"), e.text("report"), e.text("notes")
    if dates or year:
        held = f" in {place}" if place else ""
        held += f" from {dates}" if dates else f" in {year}"
        main = f"The {ordinal} of the {_CWS} ({symbol}) was held{held}"
    else:
        main = f"{symbol} is the {ordinal} of the {_CWS} (CWS)"
    main += f", chaired by {chair}." if chair else "."
    parts = [main]
    if report:
        parts.append(f"The report of the {ordinal} is document {report}.")
    if notes:
        parts.append(_sentence(notes))
    title = f"CWS session {symbol} ({ordinal})"
    return f"record:session:{symbol}", title, " ".join(parts), {"session": symbol, "year": year}


def _task(e: _Entry) -> tuple[str, str, str, dict[str, Any]]:
    number = e.integer("number", required=True)
    name = f"Task No. {number}"
    description, task_force = e.text("description"), e.text("task_force")
    responsible, status, notes = e.text("responsible"), e.text("status"), e.text("notes")
    if not (description or task_force or responsible):
        raise e._fail("needs at least one of 'description', 'task_force', 'responsible'")
    standards = e.texts("standards")
    created, revised = e.text("created"), e.text("revised")
    parts = []
    if description:
        as_revised = f", as revised at {_at(revised)}," if revised else ""
        quote = description.rstrip(".")
        parts.append(f"The description of {name} of the {_CWS} (CWS){as_revised} reads: “{quote}”.")
    who = [f"was created at {_at(created)}"] if created else []
    who += [f"is handled by the {task_force}"] if task_force else []
    who += [f"is carried out by the {responsible}"] if responsible and not task_force else []
    if standards:
        who.append(f"concerns WIPO Standard{'s' if len(standards) > 1 else ''} {_join(standards)}")
    if who:
        parts.append(f"{name} {_join(who)}.")
    for i, step in enumerate(e.items("history"), start=1):
        for field in ("session", "description", "source"):
            if not isinstance(step, dict) or not step.get(field):
                raise e._fail(f"history item {i}: missing required field '{field}'")
        if step.get("proposed"):
            wording = " ".join(str(step["description"]).split()).rstrip(".")
            proposal = f"the Task Force proposed a new description of {name}: “{wording}”."
            parts.append(f"At {_at(str(step['session']))} {proposal}")
    if status:
        parts.append(_sentence(f"Status: {status}"))
    if notes:
        parts.append(_sentence(notes))
    topics = [name] + ([task_force] if task_force else []) + standards
    return f"record:task:{number}", name, " ".join(parts), {"topics": tuple(topics)}


def _task_force(e: _Entry) -> tuple[str, str, str, dict[str, Any]]:
    name = e.text("name", required=True)
    assert name is not None
    aliases, leaders, standards = e.texts("aliases"), e.texts("leaders"), e.texts("standards")
    tasks = [f"Task No. {t}" for t in e.texts("tasks")]
    main = f"The {name}"
    if aliases:
        main += f" (also called the {_join(aliases)})"
    main += f" is a Task Force of the {_CWS} (CWS)"
    if tasks:
        main += f" working on {_join(tasks)}"
    if standards:
        main += f" and WIPO Standard{'s' if len(standards) > 1 else ''} {_join(standards)}"
    if leaders:
        main += f"; it is {'co-led' if len(leaders) > 1 else 'led'} by the {_join(leaders)}"
    parts = [main + "."]
    if notes := e.text("notes"):
        parts.append(_sentence(notes))
    topics = tuple([name, *tasks, *standards])
    return f"record:task-force:{name}", name, " ".join(parts), {"topics": topics}


def _standard(e: _Entry) -> tuple[str, str, str, dict[str, Any]]:
    number = e.text("number", required=True)
    title = e.text("title", required=True)
    assert number is not None
    status, notes, topics = e.text("status"), e.text("notes"), e.texts("topics")
    parts = [f"WIPO Standard {number}: {title}."]
    if notes:
        parts.append(_sentence(notes))
    if status and "adopt" not in (notes or "").lower():  # notes already tell the adoption story
        parts.append(_sentence(f"Status: {status}"))
    if topics:
        parts.append(f"Topics: {', '.join(topics)}.")
    return f"record:standard:{number}", f"WIPO Standard {number}", " ".join(parts), {"topics": tuple(topics)}


_KINDS = (
    _Kind("sessions.yaml", "sessions", "symbol", _session),
    _Kind("tasks.yaml", "tasks", "number", _task),
    _Kind("task_forces.yaml", "task_forces", "name", _task_force),
    _Kind("standards.yaml", "standards", "number", _standard),
)


def load_records(directory: Path | str | None = None) -> list[tuple[DocumentMeta, LoadedDocument]]:
    """Every record as a one-paragraph document; raises RecordError on any invalid entry."""
    root = Path(directory) if directory is not None else RECORDS_DIR
    records: list[tuple[DocumentMeta, LoadedDocument]] = []
    seen: dict[str, str] = {}
    for kind in _KINDS:
        path = root / kind.file
        for entry in _read_entries(path, kind.key, kind.label_field):
            doc_id, title, text, extra = kind.build(entry)
            if doc_id in seen:
                raise entry._fail(f"duplicate record {doc_id} (also in {seen[doc_id]})")
            seen[doc_id] = f"{path}: entry {entry.index}"
            meta = DocumentMeta(
                doc_id=doc_id,
                path=str(path),
                title=title,
                session=extra.get("session"),
                year=extra.get("year"),
                language="en",
                topics=extra.get("topics", ()),
                source=entry.source,
            )
            records.append((meta, LoadedDocument(blocks=(Block("paragraph", text),), title=title)))
    return records


def load_glossary(directory: Path | str | None = None) -> dict[str, list[str]]:
    """Acronym -> expansions (most usual first), for query expansion in both directions."""
    root = Path(directory) if directory is not None else RECORDS_DIR
    glossary: dict[str, list[str]] = {}
    for entry in _read_entries(root / "glossary.yaml", "glossary", "acronym"):
        acronym = entry.text("acronym", required=True)
        expansions = entry.texts("expansions")
        if not expansions:
            raise entry._fail("missing required field 'expansions'")
        assert acronym is not None
        if acronym in glossary:
            raise entry._fail(f"duplicate acronym {acronym}")
        glossary[acronym] = expansions
    return glossary
