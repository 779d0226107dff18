"""Corpus manifest: valid entries load; invalid ones are rejected naming file, entry and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.ingest import scan
from corpus.manifest import MANIFEST_NAME, ManifestEntry, ManifestError, read_manifest


def _write(folder: Path, documents: str) -> Path:
    path = folder / MANIFEST_NAME
    path.write_text("documents:\n" + documents, encoding="utf-8")
    return path


def test_valid_manifest_loads(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "  - file: ' a.txt '\n"
        "    symbol: ' CWS/12/25 '\n"
        "    title: Technical advice\n"
        "    session: CWS/12\n"
        "    year: 2024\n"
        "    language: en\n"
        "    topics: [ATR, Task No. 24]\n"
        "    url: https://www.wipo.int/cws/\n"
        "  - file: b.txt\n"
        "    topics:\n",
    )
    entries = read_manifest(tmp_path)
    assert entries["a.txt"] == ManifestEntry(
        file="a.txt", symbol="CWS/12/25", title="Technical advice", session="CWS/12", year=2024,
        language="en", topics=("ATR", "Task No. 24"), url="https://www.wipo.int/cws/",
    )  # fmt: skip
    assert entries["b.txt"] == ManifestEntry(file="b.txt")


def test_absent_manifest_is_empty(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) == {}


def test_entry_is_frozen(tmp_path: Path) -> None:
    _write(tmp_path, "  - file: a.txt\n")
    with pytest.raises(ValueError):
        read_manifest(tmp_path)["a.txt"].title = "changed"  # type: ignore[misc]


def test_fingerprint_input_is_stable() -> None:
    """`scan_folder` fingerprints an entry's JSON dump: every field, sorted, topics as a list."""
    entry = ManifestEntry(file="a.txt", year=2024, topics=("ATR",))
    assert json.dumps(entry.model_dump(), sort_keys=True) == (
        '{"file": "a.txt", "language": null, "session": null, "symbol": null, "title": null, '
        '"topics": ["ATR"], "url": null, "year": 2024}'
    )


X = "documents[0] (file 'x.txt')"


@pytest.mark.parametrize(
    "documents, message",
    [
        ("  - file: a.txt\n  - file: x.txt\n    symbl: X\n", "documents[1] (file 'x.txt'): unknown field 'symbl'"),
        ("  - fiel: x.txt\n", "documents[0]: unknown field 'fiel'"),
        ("  - title: T\n", "documents[0]: missing required field 'file'"),
        ("  - file: '  '\n", "documents[0]: field 'file' should have at least 1 character"),
        ("  - file: 7\n", "documents[0]: field 'file' should be a valid string"),
        ("  - file: x.txt\n    year: '2024'\n", f"{X}: field 'year' should be a valid integer"),
        ("  - file: x.txt\n    year: 24\n", f"{X}: field 'year' should be greater than or equal to 1900"),
        ("  - file: x.txt\n    year: true\n", f"{X}: field 'year' should be a valid integer"),
        ("  - file: x.txt\n    title: [a]\n", f"{X}: field 'title' should be a valid string"),
        ("  - file: x.txt\n    topics: [ATR, 24]\n", f"{X}: field 'topics[1]' should be a valid string"),
        ("  - file: x.txt\n    topics: ATR\n", f"{X}: field 'topics' must be a list"),
        ("  - x.txt\n", "documents[0] must be a mapping"),
    ],
)
def test_invalid_entries_name_file_entry_and_field(tmp_path: Path, documents: str, message: str) -> None:
    path = _write(tmp_path, documents)
    with pytest.raises(ManifestError) as info:
        read_manifest(tmp_path)
    assert str(info.value) == f"{path}: {message}"


def test_wrong_envelope(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text("- file: x.txt\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="expected a top-level 'documents' list"):
        read_manifest(tmp_path)


def test_invalid_manifest_fails_its_folder(tmp_path: Path) -> None:
    """A broken manifest fails the folder (nothing of it is scanned) instead of indexing it without its metadata."""
    _write(tmp_path, "  - file: a.txt\n    colour: red\n")
    (tmp_path / "a.txt").write_text("Some text.\n", encoding="utf-8")
    found = scan([tmp_path], include_records=False)
    assert found.sources == []
    assert len(found.failures) == 1 and "documents[0] (file 'a.txt'): unknown field 'colour'" in found.failures[0]
    assert [r.state for r in found.roots] == ["failed"]


def test_entries_for_missing_files_are_reported(tmp_path: Path) -> None:
    _write(tmp_path, "  - file: a.txt\n  - file: gone.txt\n")
    (tmp_path / "a.txt").write_text("Some text.\n", encoding="utf-8")
    found = scan([tmp_path], include_records=False)
    assert [Path(s.path).name for s in found.sources] == ["a.txt"]
    assert found.warnings == [f"{tmp_path / MANIFEST_NAME}: the entry for 'gone.txt' names a file that does not exist"]
