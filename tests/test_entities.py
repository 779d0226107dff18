"""Identifier extraction: many spellings in, one canonical form out; look-alikes stay out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpus.entities import (
    extract_entities,
    id_tokens,
    normalize_session,
    normalize_standard,
    normalize_task,
    ordinal_word,
)
from corpus.model import Entities

# The sample corpus beside the repository (CWS_SHARED_DIR overrides, as in conftest.py).
SHARED = Path(os.environ.get("CWS_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SAMPLE_CORPUS = SHARED / "corpus"

STANDARDS = [
    ("ST.26", ("ST.26",)),
    ("Standard ST.92", ("ST.92",)),
    ("WIPO Standard ST.96", ("ST.96",)),
    ("ST 96", ("ST.96",)),
    ("st96", ("ST.96",)),
    ("ST-96", ("ST.96",)),
    ("ST. 26", ("ST.26",)),
    ("St.26", ("ST.26",)),
    ("ST.3", ("ST.3",)),
    ("ST.03", ("ST.3",)),
    ("(ST.37)", ("ST.37",)),
    ("WIPO ST.37-compliant format", ("ST.37",)),
    ("ST.27, ST.61 and ST.87", ("ST.27", "ST.61", "ST.87")),
    ("ST.10/C", ("ST.10", "ST.10/C")),
    ("st.10/c", ("ST.10", "ST.10/C")),
    ("ST.27/ST.61", ("ST.27", "ST.61")),
    ("What is ST.92 about?", ("ST.92",)),
    ("ST.96.", ("ST.96",)),
    # negatives
    ("1st 2", ()),
    ("first 9", ()),
    ("best 10", ()),
    ("STATE 5", ()),
    ("St. Lucia", ()),
    ("Main St. 5", ()),
    ("the 21st 3 items", ()),
    ("ST.0", ()),
    ("FIRST 26", ()),
    ("ASTM 26", ()),
]

TASKS = [
    ("Task No. 58", ("Task No. 58",)),
    ("Task No.58", ("Task No. 58",)),
    ("task 58", ("Task No. 58",)),
    ("Task #58", ("Task No. 58",)),
    ("task no 58", ("Task No. 58",)),
    ("TASK No. 58", ("Task No. 58",)),
    ("Task N° 58", ("Task No. 58",)),
    ("Task Number 58", ("Task No. 58",)),
    ("task-58", ("Task No. 58",)),
    ("Tasks Nos. 23 and 24", ("Task No. 23", "Task No. 24")),
    ("Task Nos. 23 and 24", ("Task No. 23", "Task No. 24")),
    ("Tasks 23, 24 and 25", ("Task No. 23", "Task No. 24", "Task No. 25")),
    ("Task No. 23 and Task No. 24", ("Task No. 23", "Task No. 24")),
    # a singular keyword does not take a list
    ("Task No. 58 and 19 tasks", ("Task No. 58",)),
    ("including 19 active tasks", ()),
    ("the Task Force met twice", ()),
    ("a task of 2024", ()),
]

SESSIONS = [
    ("CWS/9", ("CWS/9",)),
    ("cws9", ("CWS/9",)),
    ("CWS-12", ("CWS/12",)),
    ("What was decided at CWS 11?", ("CWS/11",)),
    ("CWS/9/25", ("CWS/9",)),
    ("CWS/4BIS/16", ("CWS/4BIS",)),
    ("twelfth session", ("CWS/12",)),
    ("When was the 12th session held?", ("CWS/12",)),
    ("the 12 th session", ("CWS/12",)),
    ("At its ninth session in 2021", ("CWS/9",)),
    ("at its twelveth session", ("CWS/12",)),
    ("the nineth session", ("CWS/9",)),
    ("the twentieth session", ("CWS/20",)),
    ("the twenty-first session of the CWS", ("CWS/21",)),
    ("the twelfth CWS session", ("CWS/12",)),
    ("the 12th CWS?", ("CWS/12",)),
    ("Vice-Chairs for its twelfth and thirteenth sessions", ("CWS/12", "CWS/13")),
    ("its ninth, tenth and eleventh sessions", ("CWS/10", "CWS/11", "CWS/9")),
    ("the eleventh session of the CWS", ("CWS/11",)),
    (
        "following the decision of the General Assembly in October 2011, the participation "
        "at the eleventh session of the CWS of eight developing countries",
        ("CWS/11",),
    ),
    ("The Task Force will report at the thirteenth session.", ("CWS/13",)),
    ("The General Assembly noted the report. At its ninth session the CWS agreed.", ("CWS/9",)),
    # sessions of other bodies
    ("as requested by the WIPO General Assembly at its fortieth session", ()),
    ("the General Assembly to be held in 2025, as requested at its 40th session", ()),
    ("fortieth session of the WIPO General Assembly", ()),
    ("At its eleventh session, the General Assembly adopted the budget", ()),
    ("the GA, at its twelfth session, agreed", ()),
    ("The PCT Working Group at its sixteenth session agreed.", ()),
    ("the Standing Committee on the Law of Patents (SCP) at its thirty-fourth session", ()),
    ("the first session of the XML4IP Task Force", ()),
    ("the fortieth session", ()),  # no CWS session that high
    ("an information session on 3D models", ()),
    ("C.CWS.12", ()),
    ("from 63 CWS Members", ()),
]

SYMBOLS = [
    ("CWS/9/25", ("CWS/9/25",)),
    ("see document CWS/12/22.", ("CWS/12/22",)),
    ("WO/GA/58/9", ("WO/GA/58/9",)),
    ("paragraph 190 of document WO/GA/40/19)", ("WO/GA/40/19",)),
    ("CWS/6/34", ("CWS/6/34",)),
    ("SCP/34/5", ("SCP/34/5",)),
    ("PCT/WG/16/1", ("PCT/WG/16/1",)),
    ("CWS/4BIS/16", ("CWS/4BIS/16",)),
    ("cws/12/25", ("CWS/12/25",)),
    ("CWS/11/INF/2", ("CWS/11/INF/2",)),
    ("CWS/10/22 Rev.", ("CWS/10/22",)),
    ("and/or/3/4", ()),
    ("N/A", ()),
]

CIRCULARS = [
    ("C.CWS.182", ("C.CWS.182",)),
    ("C. CWS. 182", ("C.CWS.182",)),
    ("c.cws.182", ("C.CWS.182",)),
    ("circulars C.CWS.182, C.CWS.183, and C.CWS.184", ("C.CWS.182", "C.CWS.183", "C.CWS.184")),
    ("Circular C.CWS.180", ("C.CWS.180",)),
]

YEARS = [
    ("in 2024", ("2024",)),
    ("since 1978 and published since 1998", ("1978", "1998")),
    ("August 2021 – July 2022", ("2021", "2022")),
    ("2021-2022", ("2021", "2022")),
    ("July 1, 2027.", ("2027",)),
    ("16.09.2024", ("2024",)),
    ("10,280 patent documents", ()),
    ("page views: 2,817", ()),
    ("1,960 items", ()),
    ("version 3.2024", ()),
    ("WO/GA/40/19", ()),
    ("C.CWS.1999", ()),
    ("1959 and 2040", ()),
    ("FY2023", ()),
]


def _cases(field: str, cases: list[tuple[str, tuple[str, ...]]]) -> list[object]:
    return [pytest.param(field, text, expected, id=f"{field}:{text[:40]}") for text, expected in cases]


ALL_CASES = (
    _cases("standards", STANDARDS)
    + _cases("tasks", TASKS)
    + _cases("sessions", SESSIONS)
    + _cases("symbols", SYMBOLS)
    + _cases("circulars", CIRCULARS)
    + _cases("years", YEARS)
)


@pytest.mark.parametrize(("field", "text", "expected"), ALL_CASES)
def test_extract(field: str, text: str, expected: tuple[str, ...]) -> None:
    assert getattr(extract_entities(text), field) == tuple(sorted(expected))


def test_case_count_is_broad() -> None:
    assert len(ALL_CASES) >= 60


def test_fields_sorted_unique() -> None:
    e = extract_entities("ST.96 ST.3 st96 ST.26 Task 58 task 24 Task No. 58 2024 1998 2024")
    assert e.standards == ("ST.26", "ST.3", "ST.96")
    assert e.tasks == ("Task No. 24", "Task No. 58")
    assert e.years == ("1998", "2024")


def test_empty_text() -> None:
    assert extract_entities("") == Entities()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("st92", "ST.92"),
        ("ST.92", "ST.92"),
        ("ST 92", "ST.92"),
        ("92", "ST.92"),
        ("WIPO Standard ST.26", "ST.26"),
        ("ST.10/c", "ST.10/C"),
        ("ST.0", None),
        ("state", None),
        ("ST.92 and ST.93", None),
        ("", None),
    ],
)
def test_normalize_standard(raw: str, expected: str | None) -> None:
    assert normalize_standard(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("58", "Task No. 58"),
        ("task 58", "Task No. 58"),
        ("task-58", "Task No. 58"),
        ("Task No. 58", "Task No. 58"),
        ("Task #58", "Task No. 58"),
        ("Tasks 23 and 24", None),
        ("task force", None),
        ("", None),
    ],
)
def test_normalize_task(raw: str, expected: str | None) -> None:
    assert normalize_task(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", "CWS/12"),
        ("CWS/12", "CWS/12"),
        ("cws12", "CWS/12"),
        ("CWS-12", "CWS/12"),
        ("twelfth", "CWS/12"),
        ("twelfth session", "CWS/12"),
        ("the 12th session", "CWS/12"),
        ("4bis", "CWS/4BIS"),
        ("fortieth", None),
        ("CWS/12/25", None),
        ("session", None),
        ("", None),
    ],
)
def test_normalize_session(raw: str, expected: str | None) -> None:
    assert normalize_session(raw) == expected


def test_id_tokens() -> None:
    e = extract_entities("ST.26 and ST.10/C, Task No. 58, CWS/12/25, WO/GA/58/9, C.CWS.182 in 2024")
    assert id_tokens(e) == [
        "st.10",
        "st.10/c",
        "st.26",
        "task-58",
        "cws/12",
        "cws/12/25",
        "wo/ga/58/9",
        "c.cws.182",
        "2024",
    ]
    assert all(t == t.lower() and " " not in t for t in id_tokens(e))


def test_id_tokens_query_and_document_meet() -> None:
    """However a user writes an identifier, the tokens equal the document's."""
    doc = set(id_tokens(extract_entities("WIPO Standard ST.96 under Task No. 41 at the ninth session")))
    for question in ("what about st96?", "task #41", "CWS 9"):
        assert set(id_tokens(extract_entities(question))) <= doc


@pytest.mark.parametrize(
    ("n", "word"), [(1, "first"), (9, "ninth"), (12, "twelfth"), (20, "twentieth"), (21, "twenty-first")]
)
def test_ordinal_word_round_trips(n: int, word: str) -> None:
    assert ordinal_word(n) == word
    assert normalize_session(f"{word} session") == f"CWS/{n}"


# --- the real sample corpus -------------------------------------------------------------


def _sample(prefix: str) -> Entities:
    if not SAMPLE_CORPUS.is_dir():
        pytest.fail("sample corpus not available")
    files = sorted(SAMPLE_CORPUS.glob(f"{prefix}_*.txt"))
    if not files:
        pytest.fail(f"sample file {prefix}_* not available")
    return extract_entities(files[0].read_text(encoding="utf-8"))


def test_sample_002_standards_and_symbol() -> None:
    e = _sample("002")
    assert {"ST.26", "ST.27", "ST.37", "ST.61", "ST.87"} <= set(e.standards)
    assert "WO/GA/40/19" in e.symbols
    assert "CWS/40" not in e.sessions  # "its 40th session" is the General Assembly's
    assert "CWS/11" in e.sessions  # "the eleventh session of the CWS"
    assert not {"10280", "1293"} & set(e.years)


def test_sample_000_circulars_task_sessions() -> None:
    e = _sample("000")
    assert {"C.CWS.182", "C.CWS.183", "C.CWS.184"} <= set(e.circulars)
    assert e.tasks == ("Task No. 24",)
    assert {"CWS/9", "CWS/12"} <= set(e.sessions)  # "ninth session", CWS/9/25, "twelveth session"
    assert {"CWS/9/18", "CWS/9/25"} <= set(e.symbols)
    assert "2817" not in e.years and "2024" in e.years


def test_sample_001_no_general_assembly_session() -> None:
    e = _sample("001")
    assert "CWS/40" not in e.sessions
    assert {"CWS/12", "CWS/13"} <= set(e.sessions)
    assert {"ST.92", "ST.93", "ST.3", "ST.9", "ST.80", "ST.91", "ST.96"} <= set(e.standards)
    assert {"WO/GA/58/9", "CWS/12/22", "CWS/12/25"} <= set(e.symbols)


def test_sample_004_task_58_history() -> None:
    e = _sample("004")
    assert e.tasks == ("Task No. 58",)
    assert {f"CWS/{n}" for n in range(6, 13)} <= set(e.sessions)
    assert "C.CWS.180" in e.circulars


def test_sample_corpus_has_no_stray_sessions() -> None:
    if not SAMPLE_CORPUS.is_dir():
        pytest.fail("sample corpus not available")
    for path in SAMPLE_CORPUS.glob("*.txt"):
        for session in extract_entities(path.read_text(encoding="utf-8")).sessions:
            assert 1 <= int(session.split("/")[1].removesuffix("BIS")) <= 13, (path.name, session)
