"""Structured CWS facts shipped as YAML and indexed like documents.

Sessions, tasks, Task Forces and standards are small, stable facts that users ask about
directly ("What is Task No. 24?", "When was the twelfth session held?"). Shipping them
as records answers those questions on a fresh clone with no documents, and the glossary
lets a question written with an acronym find text that spells the name out.

Each YAML entry names its `source`; facts recalled rather than read from a CWS document
sit in a `recalled:` block (or the entry carries `confidence: recalled`), and that is
reflected in the record's `DocumentMeta.source`. Files are validated on load (a pydantic
model per kind) so a broken edit fails loudly with the file, entry and field instead of
indexing half a fact.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from config.errors import CwsError
from config.schema import first_error, first_problem, problem
from corpus.entities import ordinal_word
from corpus.model import Block, DocumentMeta, LoadedDocument

RECORDS_DIR = Path(__file__).resolve().parent
_META_KEYS = ("source", "confidence", "recalled")
_CWS = "Committee on WIPO Standards"


class RecordError(CwsError):
    """A records YAML file is missing, malformed, or lacks a required field."""


def _text(value: Any) -> str:
    """Text, or a number written bare in the YAML (`tasks: [24, 58]`), with its whitespace collapsed."""
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise PydanticCustomError("text", "must be non-empty text")
    return " ".join(str(value).split())


def _whole(value: Any) -> int:
    """An int as YAML reads it: "24" and true are not numbers of sessions or tasks."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("whole_number", "must be a whole number")
    return value


Text = Annotated[str, BeforeValidator(_text)]
Whole = Annotated[int, BeforeValidator(_whole)]


class _Fields(BaseModel):
    """An entry's facts, direct and recalled merged; a field nothing reads is a typo, so it is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _Recalled(BaseModel):
    """The `recalled:` block: facts not read from a CWS document, with their own source."""

    model_config = ConfigDict(extra="allow", frozen=True)

    confidence: Literal["recalled"]
    source: Text


class _Provenance(BaseModel):
    """Where an entry's facts come from; the facts themselves are checked by the model of their kind."""

    model_config = ConfigDict(extra="allow", frozen=True)

    source: Text
    confidence: Literal["recalled"] | None = None
    recalled: _Recalled | None = None


class _Session(_Fields):
    """An entry of sessions.yaml."""

    number: Whole
    symbol: Text
    resumed: StrictBool = False
    year: Whole | None = None
    dates: Text | None = None
    place: Text | None = None
    chair: Text | None = None
    report: Text | None = None
    notes: Text | None = None


class _Step(_Fields):
    """One `history:` item of a task: a description proposed or adopted at a session."""

    session: Text
    description: Text
    source: Text
    proposed: StrictBool = False


class _Task(_Fields):
    """An entry of tasks.yaml; a task with neither a description nor an owner would be a bare number."""

    number: Whole
    description: Text | None = None
    task_force: Text | None = None
    responsible: Text | None = None
    standards: list[Text] = []
    created: Text | None = None
    revised: Text | None = None
    history: list[_Step] = []
    status: Text | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _says_what_it_is(self) -> _Task:
        if not (self.description or self.task_force or self.responsible):
            raise PydanticCustomError("task_empty", "needs at least one of 'description', 'task_force', 'responsible'")
        return self


class _TaskForce(_Fields):
    """An entry of task_forces.yaml."""

    name: Text
    aliases: list[Text] = []
    tasks: list[Text] = []
    standards: list[Text] = []
    leaders: list[Text] = []
    established: Text | None = None  # kept for curators; not part of the record's text
    notes: Text | None = None


class _Standard(_Fields):
    """An entry of standards.yaml."""

    number: Text
    title: Text
    status: Text | None = None
    notes: Text | None = None
    topics: list[Text] = []


class _GlossaryEntry(_Fields):
    """An entry of glossary.yaml; an acronym without an expansion expands nothing."""

    acronym: Text
    expansions: Annotated[list[Text], Field(min_length=1)]


F = TypeVar("F", bound=_Fields)


@dataclass(frozen=True)
class _Entry(Generic[F]):
    """One validated YAML entry, and where it came from for errors."""

    path: Path
    index: int
    label: str
    facts: F
    source: str

    def fail(self, message: str) -> RecordError:
        return RecordError(f"{self.path}: entry {self.index} ({self.label}): {message}")


@dataclass(frozen=True)
class _Kind(Generic[F]):
    file: str
    key: str
    label_field: str
    fields: type[F]
    build: Callable[[F], tuple[str, str, str, dict[str, Any]]]  # doc_id, title, text, meta


def _read_entries(path: Path, key: str, label_field: str, fields: type[F]) -> list[_Entry[F]]:
    """Parse `path`, check the envelope, the provenance and the facts of every entry."""
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
        try:
            provenance = _Provenance.model_validate(raw)
        except ValidationError as exc:
            raise RecordError(f"{where}: {first_problem(exc)}") from exc
        source = provenance.source + (" (recalled)" if provenance.confidence else "")
        facts = {k: v for k, v in raw.items() if k not in _META_KEYS}
        recalled = dict(provenance.recalled.model_extra or {}) if provenance.recalled else {}
        clash = sorted(set(recalled) & set(facts))
        if clash:
            raise RecordError(f"{where}: field '{clash[0]}' given both directly and under 'recalled'")
        if provenance.recalled:
            note = f"recalled, not read from a CWS document ({', '.join(recalled)})"
            source += f"; {note}: {provenance.recalled.source}"
        try:
            validated = fields.model_validate(facts | recalled)
        except ValidationError as exc:
            error = first_error(exc)
            if error["loc"] and error["loc"][0] in recalled:  # name the field where the YAML has it
                error["loc"] = ("recalled", *error["loc"])
            raise RecordError(f"{where}: {problem(error)}") from exc
        entries.append(_Entry(path, index, label, validated, source))
    return entries


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _at(symbol: str) -> str:
    """ "CWS/6" -> "the sixth session (CWS/6)": the wording users search for."""
    m = re.fullmatch(r"CWS/(\d{1,2})(BIS)?", symbol)
    if not m:
        return symbol
    return f"the {'resumed ' if m.group(2) else ''}{ordinal_word(int(m.group(1)))} session ({symbol})"


def _session(s: _Session) -> tuple[str, str, str, dict[str, Any]]:
    symbol, year, dates, place, chair, report, notes = s.symbol, s.year, s.dates, s.place, s.chair, s.report, s.notes
    ordinal = ("resumed " if s.resumed else "") + f"{ordinal_word(s.number)} session"
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


def _task(t: _Task) -> tuple[str, str, str, dict[str, Any]]:
    number, description, task_force, responsible = t.number, t.description, t.task_force, t.responsible
    name = f"Task No. {number}"
    standards, created, revised, status, notes = t.standards, t.created, t.revised, t.status, t.notes
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
    for step in t.history:
        if step.proposed:
            proposal = f"the Task Force proposed a new description of {name}: “{step.description.rstrip('.')}”."
            parts.append(f"At {_at(step.session)} {proposal}")
    if status:
        parts.append(_sentence(f"Status: {status}"))
    if notes:
        parts.append(_sentence(notes))
    topics = [name] + ([task_force] if task_force else []) + standards
    return f"record:task:{number}", name, " ".join(parts), {"topics": tuple(topics)}


def _task_force(tf: _TaskForce) -> tuple[str, str, str, dict[str, Any]]:
    name, aliases, leaders, standards = tf.name, tf.aliases, tf.leaders, tf.standards
    tasks = [f"Task No. {t}" for t in tf.tasks]
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
    if notes := tf.notes:
        parts.append(_sentence(notes))
    topics = tuple([name, *tasks, *standards])
    return f"record:task-force:{name}", name, " ".join(parts), {"topics": topics}


def _standard(s: _Standard) -> tuple[str, str, str, dict[str, Any]]:
    number, title, status, notes, topics = s.number, s.title, s.status, s.notes, s.topics
    parts = [f"WIPO Standard {number}: {title}."]
    if notes:
        parts.append(_sentence(notes))
    if status and "adopt" not in (notes or "").lower():  # notes already tell the adoption story
        parts.append(_sentence(f"Status: {status}"))
    if topics:
        parts.append(f"Topics: {', '.join(topics)}.")
    return f"record:standard:{number}", f"WIPO Standard {number}", " ".join(parts), {"topics": tuple(topics)}


_KINDS: tuple[_Kind[Any], ...] = (
    _Kind("sessions.yaml", "sessions", "symbol", _Session, _session),
    _Kind("tasks.yaml", "tasks", "number", _Task, _task),
    _Kind("task_forces.yaml", "task_forces", "name", _TaskForce, _task_force),
    _Kind("standards.yaml", "standards", "number", _Standard, _standard),
)


def load_records(directory: Path | str | None = None) -> list[tuple[DocumentMeta, LoadedDocument]]:
    """Every record as a one-paragraph document; raises RecordError on any invalid entry."""
    root = Path(directory) if directory is not None else RECORDS_DIR
    records: list[tuple[DocumentMeta, LoadedDocument]] = []
    seen: dict[str, str] = {}
    for kind in _KINDS:
        path = root / kind.file
        for entry in _read_entries(path, kind.key, kind.label_field, kind.fields):
            doc_id, title, text, extra = kind.build(entry.facts)
            if doc_id in seen:
                raise entry.fail(f"duplicate record {doc_id} (also in {seen[doc_id]})")
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
    for entry in _read_entries(root / "glossary.yaml", "glossary", "acronym", _GlossaryEntry):
        acronym = entry.facts.acronym
        if acronym in glossary:
            raise entry.fail(f"duplicate acronym {acronym}")
        glossary[acronym] = list(entry.facts.expansions)
    return glossary
