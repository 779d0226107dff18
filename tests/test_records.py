"""Structured records: they load, cite sources, cover the sample corpus and fail loudly."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from corpus.entities import extract_entities
from corpus.model import DocumentMeta, LoadedDocument
from corpus.records import RECORDS_DIR, RecordError, load_glossary, load_records

# The sample corpus beside the repository (CWS_SHARED_DIR overrides, as in conftest.py).
SHARED = Path(os.environ.get("CWS_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SAMPLE_CORPUS = SHARED / "corpus"
RECORD_FILES = ("sessions.yaml", "tasks.yaml", "task_forces.yaml", "standards.yaml", "glossary.yaml")


@pytest.fixture(scope="module")
def records() -> dict[str, tuple[DocumentMeta, LoadedDocument]]:
    return {meta.doc_id: (meta, doc) for meta, doc in load_records()}


def _text(records: dict[str, tuple[DocumentMeta, LoadedDocument]], doc_id: str) -> str:
    return records[doc_id][1].blocks[0].text


def _squash(text: str) -> str:
    return " ".join(text.replace("“", '"').replace("”", '"').split())


@pytest.fixture(scope="module")
def sample_text() -> str:
    if not SAMPLE_CORPUS.is_dir():
        pytest.fail("sample corpus not available")
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE_CORPUS.glob("*.txt")))


# --- loading -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RECORD_FILES)
def test_every_file_is_valid_yaml(name: str) -> None:
    data = yaml.safe_load((RECORDS_DIR / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict) and len(data) == 1
    assert isinstance(next(iter(data.values())), list)


def test_records_load(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    kinds = {doc_id.split(":")[1] for doc_id in records}
    assert kinds == {"session", "task", "task-force", "standard"}
    for doc_id, (meta, doc) in records.items():
        assert meta.doc_id == doc_id and doc_id.startswith("record:")
        assert meta.path.endswith(".yaml") and Path(meta.path).is_file()
        assert meta.title and doc.title == meta.title
        assert len(doc.blocks) == 1
        block = doc.blocks[0]
        assert block.kind == "paragraph" and block.number is None and block.text.strip()


def test_every_record_has_a_source(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    for meta, _ in records.values():
        assert meta.source and meta.source.strip(), meta.doc_id


def test_recalled_facts_are_marked() -> None:
    """Any entry or block that does not cite a sample document must say it is recalled."""
    corpus_citation = re.compile(r"CWS/12/22|CWS/12/25|WO/GA/58/9|CWS/1[02] document")
    for name in RECORD_FILES:
        data = yaml.safe_load((RECORDS_DIR / name).read_text(encoding="utf-8"))
        for entry in next(iter(data.values())):
            recalled = entry.get("recalled")
            if recalled is not None:
                assert recalled["confidence"] == "recalled", (name, entry)
            if not corpus_citation.search(entry["source"]):
                assert entry.get("confidence") == "recalled", (name, entry)


def test_record_ids_and_titles(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    assert records["record:session:CWS/12"][0].title == "CWS session CWS/12 (twelfth session)"
    assert records["record:task:24"][0].title == "Task No. 24"
    assert records["record:task-force:ICT Strategy Task Force"][0].title == "ICT Strategy Task Force"
    assert records["record:standard:ST.92"][0].title == "WIPO Standard ST.92"
    assert records["record:session:CWS/12"][0].session == "CWS/12"
    assert records["record:session:CWS/12"][0].year == 2024


def test_record_text_carries_its_own_identifier(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    """The indexer extracts ids from the text, so each record must name itself."""
    for doc_id, (_, doc) in records.items():
        _, kind, key = doc_id.split(":", 2)
        entities = extract_entities(doc.blocks[0].text)
        if kind == "session":
            assert key in entities.sessions, doc_id
        elif kind == "task":
            assert f"Task No. {key}" in entities.tasks, doc_id
        elif kind == "standard":
            assert key in entities.standards, doc_id
        else:
            assert key in doc.blocks[0].text


def test_dates_written_like_cws_documents(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    for _, doc in records.values():
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{4}\b", doc.blocks[0].text)


# --- facts stated by the sample corpus ---------------------------------------------------


def test_twelfth_session(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    meta, _ = records["record:session:CWS/12"]
    text = _text(records, "record:session:CWS/12")
    assert "twelfth session of the Committee on WIPO Standards (CWS/12)" in text
    assert "September 16 to 19, 2024" in text
    assert "chaired by Mr. Michael Cristiano (Australia)" in text
    assert "WO/GA/58/9" in (meta.source or "")


def test_st92(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    meta, _ = records["record:standard:ST.92"]
    text = _text(records, "record:standard:ST.92")
    assert "data package format for the electronic exchange of priority documents" in text
    assert "CWS/12" in text and "July 1, 2027" in text and "survey" in text
    assert "WO/GA/58/9" in (meta.source or "") and "recalled" not in (meta.source or "")


def test_st93_not_adopted(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    text = _text(records, "record:standard:ST.93")
    assert "not adopted" in text and "data cleaning of names" in text


def test_task_24(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    meta, _ = records["record:task:24"]
    assert "Collect and publish Annual Technical Reports (ATRs)" in _text(records, "record:task:24")
    assert "Annual Technical Reports (ATRs) submitted in 2024" in (meta.source or "")


def test_task_58(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    meta, _ = records["record:task:58"]
    text = _text(records, "record:task:58")
    assert "Facilitate the implementation of the ICT related Recommendations" in text
    assert "ICT Strategy Task Force" in text
    assert "CWS/12/22" in (meta.source or "")


def test_ict_strategy_task_force_leaders(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    text = _text(records, "record:task-force:ICT Strategy Task Force")
    assert "co-led by the International Bureau and IP Australia" in text
    assert "Task No. 58" in text and "ICT Strategy for Standards Task Force" in text


def test_quoted_descriptions_are_verbatim(sample_text: str) -> None:
    """Task descriptions are quotations: they must appear word for word in the corpus."""
    corpus = _squash(sample_text)
    data = yaml.safe_load((RECORDS_DIR / "tasks.yaml").read_text(encoding="utf-8"))
    quoted = []
    for task in data["tasks"]:
        if task.get("description"):
            quoted.append(task["description"])
        quoted += [step["description"] for step in task.get("history", [])]
    assert len(quoted) >= 5
    for description in quoted:
        assert _squash(description).rstrip(".") in corpus, description


# --- coverage of the sample corpus -------------------------------------------------------


def test_every_identifier_in_the_corpus_has_a_record(
    sample_text: str, records: dict[str, tuple[DocumentMeta, LoadedDocument]]
) -> None:
    entities = extract_entities(sample_text)
    assert entities.standards and entities.tasks and entities.sessions
    for standard in entities.standards:
        assert f"record:standard:{standard}" in records, standard
    for task in entities.tasks:
        assert f"record:task:{task.removeprefix('Task No. ')}" in records, task
    for session in entities.sessions:
        assert f"record:session:{session}" in records, session


def test_named_standards_tasks_sessions_have_records(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    for n in (3, 9, 26, 27, 36, 37, 61, 80, 87, 90, 91, 92, 93, 96):
        assert f"record:standard:ST.{n}" in records
    for n in (24, 58):
        assert f"record:task:{n}" in records
    for n in range(6, 14):
        assert f"record:session:CWS/{n}" in records


def test_every_task_force_has_a_record(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    names = [
        "3D", "API", "Blockchain", "Design Representation", "Digital Transformation", "ICT Strategy",
        "Legal Status", "Name Standardization", "Part 7", "PAPI", "Sequence Listings", "XML4IP",
        "IP Data Exchange",
    ]  # fmt: skip
    for name in names:
        assert f"record:task-force:{name} Task Force" in records, name


def test_task_force_references_resolve(records: dict[str, tuple[DocumentMeta, LoadedDocument]]) -> None:
    """A task that names a Task Force, or a Task Force that names a task, must point at a record."""
    for doc_id, (meta, _) in records.items():
        for topic in meta.topics:
            if topic.endswith("Task Force"):
                assert f"record:task-force:{topic}" in records, (doc_id, topic)
            if topic.startswith("Task No. "):
                assert f"record:task:{topic.removeprefix('Task No. ')}" in records, (doc_id, topic)


# --- glossary ----------------------------------------------------------------------------


def test_glossary() -> None:
    glossary = load_glossary()
    assert glossary["CASE"] == ["Centralized Access to Search and Examination"]
    assert glossary["DAS"] == ["Digital Access Service"]
    for acronym in ("ATR", "ATR/PI", "ATR/TM", "ATR/ID", "IPO", "IB", "PAPI", "JIU", "ICT", "API",
                    "XML4IP", "GDD", "GBD", "POC", "LDC", "WILD", "OCR", "WIPO", "CWS", "PCT"):  # fmt: skip
        assert glossary.get(acronym), acronym
    assert "International Bureau" in glossary["IB"]
    assert all(isinstance(e, str) and e for expansions in glossary.values() for e in expansions)


# --- validation --------------------------------------------------------------------------


@pytest.fixture()
def records_copy(tmp_path: Path) -> Path:
    for name in RECORD_FILES:
        shutil.copy(RECORDS_DIR / name, tmp_path / name)
    return tmp_path


def _edit(directory: Path, name: str, key: str, index: int, change: dict[str, object], drop: str = "") -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = data[key][index]
    entry.update(change)
    entry.pop(drop, None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_copy_loads(records_copy: Path) -> None:
    assert len(load_records(records_copy)) == len(load_records())
    assert load_glossary(records_copy) == load_glossary()


def test_missing_field_names_file_entry_and_field(records_copy: Path) -> None:
    sessions = yaml.safe_load((records_copy / "sessions.yaml").read_text(encoding="utf-8"))["sessions"]
    index = next(i for i, s in enumerate(sessions) if s["symbol"] == "CWS/12")
    _edit(records_copy, "sessions.yaml", "sessions", index, {}, drop="number")
    with pytest.raises(RecordError) as err:
        load_records(records_copy)
    message = str(err.value)
    assert "sessions.yaml" in message and f"entry {index + 1} (CWS/12)" in message
    assert "'number'" in message


def test_missing_source(records_copy: Path) -> None:
    _edit(records_copy, "standards.yaml", "standards", 0, {}, drop="source")
    with pytest.raises(RecordError, match=r"standards\.yaml: entry 1 \(ST\.2\): missing required field 'source'"):
        load_records(records_copy)


def test_missing_label_field(records_copy: Path) -> None:
    _edit(records_copy, "task_forces.yaml", "task_forces", 0, {}, drop="name")
    with pytest.raises(RecordError, match=r"task_forces\.yaml: entry 1 .*'name'"):
        load_records(records_copy)


def test_missing_standard_title(records_copy: Path) -> None:
    _edit(records_copy, "standards.yaml", "standards", 0, {}, drop="title")
    with pytest.raises(RecordError, match=r"entry 1 \(ST\.2\): missing required field 'title'"):
        load_records(records_copy)


def test_recalled_block_needs_marker(records_copy: Path) -> None:
    _edit(records_copy, "sessions.yaml", "sessions", 6, {"recalled": {"dates": "x", "source": "y"}})
    with pytest.raises(RecordError, match=r"'recalled\.confidence'"):
        load_records(records_copy)


def _load(directory: Path, name: str) -> object:
    return load_glossary(directory) if name == "glossary.yaml" else load_records(directory)


def _recalled(**facts: object) -> dict[str, object]:
    return {"recalled": {"confidence": "recalled", "source": "y", **facts}}


def test_wrong_type(records_copy: Path) -> None:
    _edit(records_copy, "tasks.yaml", "tasks", 0, {"number": "twenty-four"})
    message = r"tasks\.yaml: entry 1 \(twenty-four\): field 'number' must be a whole number"
    with pytest.raises(RecordError, match=message):
        load_records(records_copy)


@pytest.mark.parametrize(
    "name, change, message",
    [
        ("sessions.yaml", {"resumed": "yes"}, r"sessions\.yaml: entry 1 \(CWS/1\): field 'resumed' should be a"),
        ("tasks.yaml", {"standards": "ST.26"}, r"tasks\.yaml: entry 1 \(24\): field 'standards' must be a list"),
        ("tasks.yaml", {"standards": ["ST.26", ""]}, r"entry 1 \(24\): field 'standards\[1\]' must be non-empty"),
        ("task_forces.yaml", {"aliases": [True]}, r"task_forces\.yaml: entry 1 \(.+\): field 'aliases\[0\]'"),
        ("standards.yaml", {"title": {"en": "x"}}, r"standards\.yaml: entry 1 \(ST\.2\): field 'title' must be"),
        ("glossary.yaml", {"expansions": []}, r"glossary\.yaml: entry 1 \(ATR\): field 'expansions' should have at"),
        ("standards.yaml", {"confidence": "high"}, r"entry 1 \(ST\.2\): field 'confidence' should be 'recalled'"),
        ("sessions.yaml", {"recalled": "from memory"}, r"entry 1 \(CWS/1\): field 'recalled' must be a mapping"),
    ],
)
def test_wrong_types_name_file_entry_and_field(
    records_copy: Path, name: str, change: dict[str, object], message: str
) -> None:
    _edit(records_copy, name, name.removesuffix(".yaml"), 0, change)
    with pytest.raises(RecordError, match=message):
        _load(records_copy, name)


@pytest.mark.parametrize("name", RECORD_FILES)
def test_unknown_field_names_file_entry_and_field(records_copy: Path, name: str) -> None:
    """A misspelt field would silently drop a fact from the record, so it is refused."""
    _edit(records_copy, name, name.removesuffix(".yaml"), 0, {"notse": "x"})
    with pytest.raises(RecordError, match=re.escape(name) + r": entry 1 \(.+\): unknown field 'notse'"):
        _load(records_copy, name)


def test_unknown_field_in_recalled_block(records_copy: Path) -> None:
    _edit(records_copy, "sessions.yaml", "sessions", 6, _recalled(pace="x"))
    with pytest.raises(RecordError, match=r"sessions\.yaml: entry 7 \(CWS/6\): unknown field 'recalled\.pace'"):
        load_records(records_copy)


def test_wrong_type_in_recalled_block(records_copy: Path) -> None:
    _edit(records_copy, "sessions.yaml", "sessions", 6, _recalled(dates=["x"]))
    with pytest.raises(RecordError, match=r"entry 7 \(CWS/6\): field 'recalled\.dates' must be non-empty text"):
        load_records(records_copy)


def test_field_given_directly_and_recalled(records_copy: Path) -> None:
    _edit(records_copy, "sessions.yaml", "sessions", 6, _recalled(number=7))
    message = r"entry 7 \(CWS/6\): field 'number' given both directly and under 'recalled'"
    with pytest.raises(RecordError, match=message):
        load_records(records_copy)


def test_recalled_source_and_marker(records_copy: Path) -> None:
    recalled = {"recalled": {"confidence": "recalled", "source": " Memory\n of it ", "place": "Geneva"}}
    _edit(records_copy, "sessions.yaml", "sessions", 6, recalled)
    _edit(records_copy, "standards.yaml", "standards", 0, {"confidence": "recalled"})
    records = {meta.doc_id: meta for meta, _ in load_records(records_copy)}
    assert (records["record:session:CWS/6"].source or "").endswith(
        "; recalled, not read from a CWS document (place): Memory of it"
    )
    assert (records["record:standard:ST.2"].source or "").endswith(" (recalled)")


def test_task_needs_a_description_or_owner(records_copy: Path) -> None:
    _edit(records_copy, "tasks.yaml", "tasks", 0, {"description": None, "task_force": None, "responsible": None})
    with pytest.raises(RecordError, match=r"entry 1 \(24\): needs at least one of 'description', 'task_force'"):
        load_records(records_copy)


def test_duplicate_record(records_copy: Path) -> None:
    _edit(records_copy, "standards.yaml", "standards", 1, {"number": "ST.2"})
    with pytest.raises(RecordError, match="duplicate record record:standard:ST.2"):
        load_records(records_copy)


def test_history_items_are_validated(records_copy: Path) -> None:
    path = records_copy / "tasks.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    task = next(t for t in data["tasks"] if t["number"] == 58)
    del task["history"][0]["source"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    message = r"tasks\.yaml: entry \d+ \(58\): missing required field 'history\[0\]\.source'"
    with pytest.raises(RecordError, match=message):
        load_records(records_copy)


def test_invalid_yaml_and_missing_file(records_copy: Path) -> None:
    (records_copy / "tasks.yaml").write_text("tasks: [\n  - number: 1\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"tasks\.yaml: invalid YAML"):
        load_records(records_copy)
    (records_copy / "tasks.yaml").unlink()
    with pytest.raises(RecordError, match=r"tasks\.yaml: records file not found"):
        load_records(records_copy)


def test_wrong_envelope(records_copy: Path) -> None:
    (records_copy / "sessions.yaml").write_text("- number: 1\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"expected a top-level 'sessions:' list"):
        load_records(records_copy)


def test_duplicate_acronym(records_copy: Path) -> None:
    _edit(records_copy, "glossary.yaml", "glossary", 1, {"acronym": "ATR"})
    with pytest.raises(RecordError, match=r"glossary\.yaml: entry 2 \(ATR\): duplicate acronym ATR"):
        load_glossary(records_copy)


def test_glossary_needs_expansions(records_copy: Path) -> None:
    _edit(records_copy, "glossary.yaml", "glossary", 0, {}, drop="expansions")
    with pytest.raises(RecordError, match=r"glossary\.yaml: entry 1 \(ATR\): missing required field 'expansions'"):
        load_glossary(records_copy)
