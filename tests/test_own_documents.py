"""A user's own folder of Word, PDF and HTML documents, indexed and asked, end to end."""

import docx
import pytest
from fpdf import FPDF

from answering.engine import AnswerEngine
from index.runner import run_build
from tests.conftest import make_settings


def write_docx(path):
    document = docx.Document()
    document.add_heading("Report of the Zebra Task Force", level=1)
    document.add_paragraph("1. The Zebra Task Force met in Geneva on March 3, 2025 to discuss WIPO Standard ST.97.")
    document.add_paragraph("2. The Task Force agreed that the ST.97 pilot will end on October 15, 2026.")
    table = document.add_table(rows=3, cols=3)
    for row, cells in enumerate(
        [("Office", "2024 pilots", "2025 pilots"), ("Zebra Office", "4", "9"), ("Okapi Office", "2", "7")]
    ):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    document.save(path)


def write_pdf(path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "CWS/99/7\nPROPOSAL ON QUOKKA DATA\n")
    pdf.multi_cell(0, 6, "1. The International Bureau proposes that quokka data be exchanged in JSON from 2027.\n")
    pdf.multi_cell(0, 6, "2. Offices are invited to comment on the quokka proposal by Circular C.CWS.299.\n")
    pdf.output(str(path))


def write_html(path):
    path.write_text(
        "<html><head><title>Narwhal workshop</title></head><body><h1>Narwhal workshop</h1>"
        "<p>The narwhal workshop on data cleaning will be held online on May 5, 2026.</p></body></html>",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def own_engine(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("my-docs")
    write_docx(folder / "zebra.docx")
    write_pdf(folder / "quokka.pdf")
    write_html(folder / "narwhal.html")
    settings = make_settings(tmp_path_factory.mktemp("data"), [folder])
    summary = run_build(settings, embedder=embedder, progress=lambda _l, _t: lambda _n: None)
    assert not summary.skipped, summary.skipped
    return AnswerEngine(settings, embedder)


def test_word_paragraph_keeps_its_number(own_engine):
    answer = own_engine.ask("When will the ST.97 pilot end?")
    assert "October 15, 2026" in answer.text
    assert answer.sources[0].citation.endswith("para. 2")


def test_word_table_cell(own_engine):
    answer = own_engine.ask("How many 2025 pilots did the Okapi Office run?")
    assert answer.text.endswith(": 7")


def test_pdf_paragraph_and_symbol(own_engine):
    answer = own_engine.ask("From when should quokka data be exchanged in JSON?")
    assert "2027" in answer.text
    assert answer.sources[0].symbol == "CWS/99/7"


def test_html_title_and_text(own_engine):
    answer = own_engine.ask("When is the narwhal workshop?")
    assert "May 5, 2026" in answer.text
    assert answer.sources[0].title == "Narwhal workshop"
