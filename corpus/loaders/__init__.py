"""Turn corpus files into `LoadedDocument`s, whatever their format.

`load_document` is the single entry point: it picks a loader by suffix and
guarantees that any unreadable input (missing, empty, binary, corrupt,
unsupported) surfaces as `UnreadableDocument` with a short human reason,
so a corpus build can skip the file and go on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from corpus.loaders.docx import load_docx
from corpus.loaders.errors import CorpusError, UnreadableDocument
from corpus.loaders.html import load_html
from corpus.loaders.markdown import load_markdown
from corpus.loaders.pdf import load_pdf
from corpus.loaders.text import load_text
from corpus.model import LoadedDocument

_LOADERS: dict[str, Callable[[Path], LoadedDocument]] = {
    ".txt": load_text,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".docx": load_docx,
    ".pdf": load_pdf,
    ".html": load_html,
    ".htm": load_html,
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_LOADERS)

__all__ = ["SUPPORTED_SUFFIXES", "CorpusError", "UnreadableDocument", "load_document"]


def load_document(path: Path) -> LoadedDocument:
    """Load `path` into blocks; raise UnreadableDocument if that is impossible."""
    path = Path(path)
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise UnreadableDocument(f"unsupported file type {suffix or '(no suffix)'}", path)
    if not path.exists():
        raise UnreadableDocument("file not found", path)
    if not path.is_file():
        raise UnreadableDocument("not a regular file", path)
    try:
        if path.stat().st_size == 0:
            raise UnreadableDocument("empty file", path)
        document = loader(path)
    except UnreadableDocument as exc:
        if exc.path is None:
            exc.path = path
        raise
    except RecursionError:
        raise UnreadableDocument(f"corrupt {suffix}: structure nested too deeply", path) from None
    except Exception as exc:  # any library failure on a damaged file
        detail = str(exc).strip() or type(exc).__name__
        raise UnreadableDocument(f"corrupt {suffix}: {detail[:200]}", path) from None
    if not any(b.text.strip() or b.table is not None for b in document.blocks):
        raise UnreadableDocument("no text content", path)
    return document
