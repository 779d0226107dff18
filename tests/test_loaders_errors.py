"""Every unreadable input must surface as UnreadableDocument with a short reason."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from corpus.loaders import SUPPORTED_SUFFIXES, CorpusError, UnreadableDocument, load_document
from corpus.loaders.encoding import decode_text

ALL_SUFFIXES = sorted(SUPPORTED_SUFFIXES)


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def reason_for(path: Path) -> str:
    with pytest.raises(UnreadableDocument) as info:
        load_document(path)
    return info.value.reason


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".markdown", ".docx", ".pdf", ".html", ".htm"} == SUPPORTED_SUFFIXES


def test_error_hierarchy_and_message(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.txt", b"")
    with pytest.raises(CorpusError) as info:
        load_document(path)
    assert isinstance(info.value, UnreadableDocument)
    assert info.value.path == path
    assert str(info.value) == "empty.txt: empty file"


@pytest.mark.parametrize("suffix", ALL_SUFFIXES)
def test_empty_file(tmp_path: Path, suffix: str) -> None:
    assert reason_for(write(tmp_path, f"empty{suffix}", b"")) == "empty file"


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".htm"])
@pytest.mark.parametrize("content", [b"   \n\t\n  ", b"\xef\xbb\xbf\n\n", "\u00a0\n".encode()])
def test_whitespace_only_text_is_empty(tmp_path: Path, suffix: str, content: bytes) -> None:
    assert reason_for(write(tmp_path, f"blank{suffix}", content)) == "empty file"


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".htm"])
@pytest.mark.parametrize(
    "content",
    [b"\x7fELF\x02\x01\x01\x00\x00\x00" * 20, b"GIF89a\x01\x00\x01\x00\x00\xff\x00,", b"text\x00with\x00nuls"],
)
def test_binary_text_files(tmp_path: Path, suffix: str, content: bytes) -> None:
    assert reason_for(write(tmp_path, f"bin{suffix}", content)) == "binary file (not text)"


def test_many_control_characters_is_binary(tmp_path: Path) -> None:
    content = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 5 + b"some text"
    assert reason_for(write(tmp_path, "ctl.txt", content)) == "binary file (not text)"


@pytest.mark.parametrize("suffix", ALL_SUFFIXES)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_bytes_never_escape(tmp_path: Path, suffix: str, seed: int) -> None:
    content = random.Random(seed).randbytes(4096)
    reason = reason_for(write(tmp_path, f"random{suffix}", content))
    assert reason and len(reason) < 250


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
@pytest.mark.parametrize("content", [b"just some text, not a package", b"PK\x05\x06" + b"\x00" * 18])
def test_text_masquerading_as_binary_format(tmp_path: Path, suffix: str, content: bytes) -> None:
    reason = reason_for(write(tmp_path, f"fake{suffix}", content))
    assert reason.startswith((f"corrupt {suffix}", "PDF has no extractable text"))


def test_not_utf8(tmp_path: Path) -> None:
    # 0x81 and 0x8d are undefined in cp1252 and invalid in UTF-8.
    assert reason_for(write(tmp_path, "bad.txt", b"caf\x81 \x8d text")) == "not UTF-8 text"


def test_cp1252_fallback(tmp_path: Path) -> None:
    content = "\tCaf\xe9 \u201cquoted\u201d text.\n\tNext.\n".encode("cp1252")
    doc = load_document(write(tmp_path, "legacy.txt", content))
    assert doc.blocks[0].text == "Café “quoted” text."


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_encodings(tmp_path: Path, encoding: str) -> None:
    doc = load_document(write(tmp_path, "bom.txt", "\tFirst.\n\tSecond.\n".encode(encoding)))
    assert [b.text for b in doc.blocks] == ["First.", "Second."]


def test_crlf_line_endings() -> None:
    assert decode_text(b"\tOne.\r\n\tTwo.\r\n") == "\tOne.\n\tTwo.\n"


@pytest.mark.parametrize("name", ["notes.xyz", "report.doc", "scan.PNG", "README"])
def test_unsupported_suffix(tmp_path: Path, name: str) -> None:
    reason = reason_for(write(tmp_path, name, b"some text"))
    assert reason.startswith("unsupported file type")
    assert Path(name).suffix.lower() in reason or "(no suffix)" in reason


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path, "UPPER.TXT", b"\tOne.\n\tTwo.\n"))
    assert len(doc.blocks) == 2


def test_missing_file(tmp_path: Path) -> None:
    assert reason_for(tmp_path / "missing.txt") == "file not found"


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    assert reason_for(tmp_path / "folder.txt") == "not a regular file"


def test_markdown_with_only_rules_has_no_text(tmp_path: Path) -> None:
    assert reason_for(write(tmp_path, "rules.md", b"---\n\n***\n")) == "no text content"


def test_text_with_only_end_marker_has_no_text(tmp_path: Path) -> None:
    assert reason_for(write(tmp_path, "end.txt", b"[End of document]\n")) == "no text content"
