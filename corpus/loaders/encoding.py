"""Read a file as text, refusing binaries and guessing the legacy encoding.

Corpus files come from Word exports and web downloads: mostly UTF-8 (often
with a BOM), sometimes Windows-1252. Anything else is rejected with a clear
reason rather than decoded into mojibake.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from corpus.loaders.errors import UnreadableDocument

_SNIFF = 8192
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}
_MAX_CONTROL_RATIO = 0.05


def read_bytes(path: Path) -> bytes:
    """Return the file's bytes; missing, unreadable or empty files raise."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableDocument("file not found", path) from None
    except IsADirectoryError:
        raise UnreadableDocument("not a regular file", path) from None
    except PermissionError:
        raise UnreadableDocument("permission denied", path) from None
    except OSError as exc:
        raise UnreadableDocument(f"cannot read file: {exc.strerror or exc}", path) from None
    if not data.strip():
        raise UnreadableDocument("empty file", path)
    return data


def _control_ratio(text: str) -> float:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    return controls / max(len(text), 1)


def check_not_binary(data: bytes, path: Path | None = None) -> None:
    """Raise when the bytes look like a binary file (NULs or many controls)."""
    head = data[:_SNIFF]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # UTF-16 text legitimately contains NUL bytes
    if b"\x00" in head:
        raise UnreadableDocument("binary file (not text)", path)
    controls = sum(1 for b in head if b < 32 and chr(b) not in _ALLOWED_CONTROLS)
    if controls / len(head) > _MAX_CONTROL_RATIO:
        raise UnreadableDocument("binary file (not text)", path)


def decode_text(data: bytes, path: Path | None = None) -> str:
    """Decode UTF-8 (BOM allowed) or UTF-16 with BOM, else clean cp1252."""
    check_not_binary(data, path)
    text: str | None = None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableDocument("not UTF-8 text", path) from None
    else:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        raise UnreadableDocument("not UTF-8 text", path)
    if _control_ratio(text[:_SNIFF]) > _MAX_CONTROL_RATIO:
        raise UnreadableDocument("binary file (not text)", path)
    if not text.strip():
        raise UnreadableDocument("empty file", path)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path) -> str:
    """Read `path` as text with the checks above."""
    return decode_text(read_bytes(path), path)
