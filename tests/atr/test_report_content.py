"""What a link may return, and what the submitter is told: the report read (HTML, PDF, Word), or why not.

Also: a build written before documents had an office still opens, answers, and is carried forward by a reindex.
"""

from __future__ import annotations

import io
import sqlite3

import docx
import pytest
from fpdf import FPDF

from atr.content import ContentRefused, kind_of, read_report
from atr.followup import read_and_index
from atr.links import LinkStore
from atr.store import AtrStore
from atr.validation import Submission
from tests.atr.conftest import JPO_2024, SITE_HOST


def pdf_bytes(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    document.add_heading("Use of AI tools", level=1)
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "content_type, body, kind",
    [
        ("text/html; charset=utf-8", b"<html><body><p>x</p></body></html>", "html"),
        ("application/octet-stream", b"\xef\xbb\xbf<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        (None, b"%PDF-1.7 ...", "pdf"),
        ("text/html", b"%PDF-1.4 mislabelled", "pdf"),  # the file's own bytes win
    ],
)
def test_kinds_by_type_and_magic_bytes(content_type, body, kind):
    assert kind_of(content_type, body) == kind


def test_word_documents_are_recognised_and_other_zips_are_not():
    assert kind_of("application/octet-stream", docx_bytes("x")) == "docx"
    other = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("data.csv", "a,b")
    with pytest.raises(ContentRefused, match="ZIP archive"):
        kind_of("application/zip", other.getvalue())


@pytest.mark.parametrize(
    "content_type, body, reason",
    [
        (
            "image/png",
            b"\x89PNG\r\n\x1a\n....",
            "the link returns image/png, not an HTML page, a PDF or a Word document",
        ),
        ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "old-format Word document (.doc)"),
        ("application/pdf", b"<html>not a pdf</html>", "the link says it returns a PDF, but the file is not one"),
        (
            "text/html",
            b"<html><body><form><input name=u><input type='password' name=p></form></body></html>",
            "the page is a login form",
        ),
        ("text/html", b"   ", "the link returns an empty file"),
        ("text/html", b"<html><body><script>app()</script></body></html>", "the page has no text to index"),
        ("application/pdf", b"%PDF-1.4 garbage", "the PDF cannot be read"),
    ],
)
def test_what_is_refused_is_named(content_type, body, reason):
    with pytest.raises(ContentRefused) as refused:
        read_report(content_type, body)
    assert reason in refused.value.reason


def test_pdf_and_word_reports_are_read_by_the_corpus_loaders():
    assert read_report("application/pdf", pdf_bytes("The JPO introduced an AI search tool in 2024.")).passages >= 1
    word = read_report(None, docx_bytes("The JPO introduced an AI search tool in 2024."))
    assert word.kind == "docx" and word.passages == 1


def submit(settings, url: str, office: str = "JP", ip_type: str = "PI"):  # type: ignore[no-untyped-def]
    return AtrStore(settings.data_dir).submit(Submission(office, ip_type, 2024, url), "T", "U")


@pytest.mark.parametrize(
    "path, serve, told",
    [
        ("/gone.html", None, "the link returns 404"),
        (
            "/login.html",
            {"body": "<html><body><form><input type=password></form></body></html>"},
            "the page is a login form",
        ),
        (
            "/huge.pdf",
            {"body": b"%PDF-1.4 " + b"0" * 1_100_000, "content_type": "application/pdf"},
            "the file is over 1 MB",
        ),
        (
            "/logo.png",
            {"body": b"\x89PNG\r\n\x1a\n" + b"0" * 100, "content_type": "image/png"},
            "the link returns image/png",
        ),
    ],
)
def test_the_follow_up_says_why_a_report_was_not_read_and_nothing_submitted_changes(
    link_settings, site, path, serve, told
):
    if serve:
        site.serve(path, **serve)
    url = site.url(path, SITE_HOST)
    stored = submit(link_settings, url)
    follow = read_and_index(link_settings, stored)
    assert follow.text.startswith(f"Could not read the report at {url}: {told}")
    assert "The link is stored as submitted" in follow.text and follow.indexed is None
    [current] = AtrStore(link_settings.data_dir).current()
    assert (current.url, current.version) == (url, 1)
    link = LinkStore(link_settings.data_dir).get(("JP", "PI", 2024))
    assert link.state == "broken" and told in link.reason and link.failing_since
    assert LinkStore(link_settings.data_dir).checks(("JP", "PI", 2024))[-1]["outcome"] == "failed"


def test_a_refused_address_is_a_reason_too(link_settings, site, monkeypatch):
    from atr import guard

    monkeypatch.setattr(guard, "resolve_host", lambda host, port: ["10.20.30.40"])
    stored = submit(link_settings, "https://intranet.example.org/atr")
    follow = read_and_index(link_settings, stored)
    assert "resolves to 10.20.30.40, a private address; only public addresses are fetched" in follow.text


def test_a_pdf_report_is_indexed_in_its_own_source(link_settings, site, memo_model):
    site.serve(
        "/atr.pdf",
        pdf_bytes("Use of AI tools\n\nThe office introduced an AI-based search tool in 2024."),
        content_type="application/pdf",
    )
    follow = read_and_index(link_settings, submit(link_settings, site.url("/atr.pdf", SITE_HOST), "GB", "TM"))
    assert follow.text.startswith("Read and indexed the report at")
    assert "ATR/TM 2024, United Kingdom (GB)" in follow.text
    assert follow.check.record.folder.endswith("atr-GB-TM-2024-pdf") and follow.indexed


def test_a_build_from_before_the_office_column_still_serves_and_is_carried_forward(link_settings, site, memo_model):
    from answering.engine import AnswerEngine
    from index.runner import run_build
    from index.validate import live_build

    run_build(link_settings, progress=lambda _l, _t: lambda _n: None)
    with sqlite3.connect(live_build(link_settings.index_root) / "passages.db") as db:
        for column in ("office", "read_on", "failing_since", "stale"):  # as the previous version wrote it
            db.execute(f"alter table documents drop column {column}")
    engine = AnswerEngine(link_settings)
    assert engine.ask("When does the ST.92 sunset period end?").found
    assert engine.ask("When does the ST.92 sunset period end?", {"office": "JP"}).sources == []
    site.serve("/pi.html", JPO_2024)
    follow = read_and_index(link_settings, submit(link_settings, site.url("/pi.html", SITE_HOST)))
    assert follow.text.startswith("Read and indexed") and follow.indexed == 3
    answer = AnswerEngine(link_settings).ask("What AI tools did the Japan Patent Office introduce?", {"office": "JP"})
    assert answer.sources and answer.sources[0].citation.startswith("ATR/PI 2024, Japan (JP), section")
