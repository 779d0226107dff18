"""What a fetched ATR is: an HTML page, a PDF or a Word document, read by the project's own loaders.

A link may return anything (an image, a login page, a ZIP archive); only the three kinds the indexer reads are
accepted, judged by the file's own first bytes where they are conclusive and by the declared content type
otherwise, and the file is read here, before it is stored, so a copy that cannot be indexed never replaces a
good one.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from atr.errors import AtrError
from corpus.loaders import load_document
from corpus.loaders.errors import UnreadableDocument
from corpus.model import DocumentMeta, LoadedDocument
from corpus.passages import build_passages

SUFFIXES = {"html": ".html", "pdf": ".pdf", "docx": ".docx"}
LABELS = {"html": "page", "pdf": "PDF", "docx": "Word document"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_PDF_TYPES = {"application/pdf", "application/x-pdf"}
_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_PASSWORD_FIELD = re.compile(rb"<input\b[^>]*\btype\s*=\s*[\"']?password\b", re.I)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats (.doc)


class ContentRefused(AtrError):
    """The link answered, but not with a report that can be indexed; `reason` says what it is instead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReadReport:
    kind: str  # html, pdf or docx
    document: LoadedDocument
    passages: int

    @property
    def suffix(self) -> str:
        return SUFFIXES[self.kind]


def _is_docx(body: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def kind_of(content_type: str | None, body: bytes) -> str:
    """'html', 'pdf' or 'docx'; ContentRefused naming what the file is otherwise."""
    media = (content_type or "").split(";")[0].strip().lower()
    if body.startswith(b"%PDF-"):
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        if _is_docx(body):
            return "docx"
        raise ContentRefused("the link returns a ZIP archive, not an HTML page, a PDF or a Word document")
    if body.startswith(_OLE):
        raise ContentRefused(
            "the file is an old-format Word document (.doc); only .docx, PDF and HTML are read "
            "(ask the office to link a PDF or .docx)"
        )
    if media in _PDF_TYPES or media == _DOCX_TYPE:  # e.g. an error page sent in place of the file
        said = "a PDF" if media in _PDF_TYPES else "a Word document"
        raise ContentRefused(f"the link says it returns {said}, but the file is not one (damaged or mislabelled)")
    head = body[:4096].lstrip(b"\xef\xbb\xbf")
    if b"\x00" not in head and (media in _HTML_TYPES or _HTML_START.match(head)):
        return "html"
    shown = media or "a file of unknown type"
    raise ContentRefused(f"the link returns {shown}, not an HTML page, a PDF or a Word document")


def read_report(content_type: str | None, body: bytes) -> ReadReport:
    """The fetched file read as the indexer will read it; ContentRefused when it is not a report we can index."""
    if not body.strip():
        raise ContentRefused("the link returns an empty file")
    kind = kind_of(content_type, body)
    if kind == "html" and _PASSWORD_FIELD.search(body):
        raise ContentRefused("the page is a login form (the report must be readable without signing in)")
    with tempfile.TemporaryDirectory(prefix="cws-atr-") as folder:
        path = Path(folder) / f"report{SUFFIXES[kind]}"
        path.write_bytes(body)
        try:
            document = load_document(path)
        except UnreadableDocument as exc:
            what = (
                "has no text to index (a scanned image?)"
                if "no text" in exc.reason
                else f"cannot be read ({exc.reason})"
            )
            raise ContentRefused(f"the {LABELS[kind]} {what}") from exc
    passages = build_passages(DocumentMeta(doc_id="atr", path=str(path), title=""), document)
    if not passages:
        raise ContentRefused(f"the {LABELS[kind]} has no text to index")
    return ReadReport(kind, document, len(passages))
