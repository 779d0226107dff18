"""Tests for the PDF loader, on PDFs generated with fpdf2."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from corpus.loaders import UnreadableDocument, load_document
from corpus.loaders.pdf import rebuild_paragraphs
from corpus.model import Block

LONG = (
    "The International Bureau provided technical advice to assist IPOs and users to utilize WIPO "
    "Standards through emails and online conferences, including the implementation of WIPO Standards "
    "ST.27, ST.61 and ST.87, which are related to legal status data."
)


class _Report(FPDF):
    """Pages carry a running head "CWS/12/25" and, from page 2, "page N"."""

    def header(self) -> None:
        self.set_font("Helvetica", size=9)
        self.cell(0, 5, "CWS/12/25", align="R", new_x="LMARGIN", new_y="NEXT")
        if self.page_no() > 1:
            self.cell(0, 5, f"page {self.page_no()}", align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", size=11)


def _para(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pdf = _Report()
    pdf.set_title("Technical advice and assistance in 2023")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    _heading(pdf, "INTRODUCTION")
    for n in range(1, 15):
        if n == 6:
            _heading(pdf, "TRAINING AND TECHNICAL ADVICE")
        if n == 11:
            _heading(pdf, "IP DATA EXCHANGE")
        _para(pdf, f"{n}. Paragraph {n} says: {LONG} {LONG}")
    _para(pdf, "15. The CWS is invited to:")
    _para(pdf, "(a) note the content of this document; and")
    pdf.ln(2)
    _para(pdf, "[End of document]")
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def blocks(report: Path) -> tuple[Block, ...]:
    return load_document(report).blocks


def test_fixture_has_several_pages(report: Path) -> None:
    from pypdf import PdfReader

    assert len(PdfReader(str(report)).pages) >= 3


def test_title_from_metadata(report: Path) -> None:
    assert load_document(report).title == "Technical advice and assistance in 2023"


def test_numbered_paragraphs_keep_their_numbers(blocks: tuple[Block, ...]) -> None:
    numbers = [b.number for b in blocks if b.kind == "paragraph"]
    assert numbers == [str(n) for n in range(1, 16)]


@pytest.mark.parametrize("n", [1, 7, 14])
def test_wrapped_lines_are_joined(blocks: tuple[Block, ...], n: int) -> None:
    para = next(b for b in blocks if b.number == str(n))
    assert para.text == f"Paragraph {n} says: {LONG} {LONG}"


def test_headings_detected(blocks: tuple[Block, ...]) -> None:
    heads = [b.text for b in blocks if b.kind == "heading"]
    assert heads == ["INTRODUCTION", "TRAINING AND TECHNICAL ADVICE", "IP DATA EXCHANGE"]


def test_headings_are_in_place(blocks: tuple[Block, ...]) -> None:
    texts = [b.number or b.text for b in blocks]
    assert texts.index("TRAINING AND TECHNICAL ADVICE") == texts.index("5") + 1
    assert texts.index("IP DATA EXCHANGE") == texts.index("11") - 1


@pytest.mark.parametrize("furniture", ["CWS/12/25", "page 2", "page 3"])
def test_page_headers_dropped(blocks: tuple[Block, ...], furniture: str) -> None:
    assert not any(furniture in b.text.split("\n") or b.text == furniture for b in blocks)
    assert not any(b.text.startswith(furniture) or b.text.endswith(furniture) for b in blocks)


def test_enumeration_continues_paragraph(blocks: tuple[Block, ...]) -> None:
    last = [b for b in blocks if b.kind == "paragraph"][-1]
    assert last.text == "The CWS is invited to:\n(a) note the content of this document; and"


def test_end_marker_dropped(blocks: tuple[Block, ...]) -> None:
    assert not any("End of document" in b.text for b in blocks)


def test_unnumbered_paragraphs_split_after_short_sentence_end() -> None:
    full = "x" * 80
    lines = [f"{full} one", "two ends here.", f"{full} three", "four ends too.", ""]
    assert [b.text for b in rebuild_paragraphs(lines)] == [
        f"{full} one two ends here.",
        f"{full} three four ends too.",
    ]


def test_number_mid_sentence_is_not_a_new_paragraph() -> None:
    lines = ["As reported in paragraph", "12. above, the work continues.", ""]
    [block] = rebuild_paragraphs(lines)
    assert block.number is None and block.text == "As reported in paragraph 12. above, the work continues."


def test_hyphenated_line_end_is_rejoined() -> None:
    [block] = rebuild_paragraphs(["The infor-", "mation is here."])
    assert block.text == "The information is here."


def _blank_pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 50, 50)  # drawing only, no text: like a scanned page
    pdf.output(str(path))
    return path


def test_pdf_without_text_raises(tmp_path: Path) -> None:
    with pytest.raises(UnreadableDocument) as info:
        load_document(_blank_pdf(tmp_path / "scan.pdf"))
    assert info.value.reason == "PDF has no extractable text (scanned?)"


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4\nthis is garbage\n%%EOF", b"not a pdf at all", b"%PDF-1.7\n" + bytes(range(256)) * 4],
)
def test_corrupt_pdf_raises(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument) as info:
        load_document(path)
    assert info.value.reason.startswith(("corrupt .pdf", "PDF has no extractable text"))


def test_truncated_pdf_raises(tmp_path: Path, report: Path) -> None:
    path = tmp_path / "truncated.pdf"
    path.write_bytes(report.read_bytes()[:1500])
    with pytest.raises(UnreadableDocument):
        load_document(path)


def test_encrypted_pdf_raises(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 10, "Secret text.")
    pdf.set_encryption(owner_password="owner", user_password="user")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    with pytest.raises(UnreadableDocument, match="encrypted"):
        load_document(path)
