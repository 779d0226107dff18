"""Tests for the .docx loader, on Word files generated with python-docx."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from corpus.loaders import UnreadableDocument, load_document
from corpus.model import Block


def add_numbering(paragraph, num_id: int, ilvl: int = 0) -> None:
    """Give a paragraph direct Word numbering (w:numPr), as Word itself does."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id


def merge_vertically(table, col: int, top: int, bottom: int) -> None:
    table.cell(top, col).merge(table.cell(bottom, col))


@pytest.fixture
def report(tmp_path: Path) -> Path:
    """A CWS-like report: auto-numbered paragraphs, continuations, a table, an annex."""
    d = docx.Document()
    d.core_properties.title = "Report of the ICT Strategy Task Force"
    d.add_heading("SUMMARY", level=1)
    d.add_paragraph("The Task Force prepared a final proposal.", style="List Number")
    d.add_heading("BACKGROUND", level=1)
    d.add_paragraph("At its sixth session, the CWS created Task No. 58 to:", style="List Number")
    d.add_paragraph("“Prepare a proposal for a roadmap.”")
    d.add_paragraph("to review the Recommendations in Group 1;", style="List Bullet")
    d.add_paragraph("to prioritize Recommendations.", style="List Bullet")
    direct = d.add_paragraph("The CWS also established the Task Force on July 26 and27, 2023.")
    add_numbering(direct, num_id=5)
    d.add_heading("Progress Evaluation", level=2)
    d.add_paragraph("Further detail is provided in the table below:", style="List Number")
    table = d.add_table(rows=4, cols=3)
    for r, row in enumerate(
        [("ATR Type", "2022", "2023"), ("Patent", "17", "22"), ("Trademark", "18", "23"), ("Total", "35", "45")]
    ):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    d.add_paragraph("(*: the most recent reports)")
    d.add_paragraph("The CWS is invited to:", style="List Number")
    sub = d.add_paragraph("(a) note the content of this document; and")
    add_numbering(sub, num_id=5, ilvl=1)
    d.add_paragraph("[Annex follows]")
    d.add_heading("INTRODUCTION", level=1)
    d.add_paragraph("1.\u00a0This report aims to implement the decision.")
    d.add_paragraph("2. As WIPO Standards are implemented in various systems.")
    d.add_paragraph("[End of document]")
    path = tmp_path / "report.docx"
    d.save(str(path))
    return path


def paragraphs(path: Path) -> list[Block]:
    return [b for b in load_document(path).blocks if b.kind == "paragraph"]


def test_title_from_core_properties(report: Path) -> None:
    assert load_document(report).title == "Report of the ICT Strategy Task Force"


def test_headings_with_levels(report: Path) -> None:
    heads = [(b.text, b.level) for b in load_document(report).blocks if b.kind == "heading"]
    assert heads == [("SUMMARY", 1), ("BACKGROUND", 1), ("Progress Evaluation", 2), ("INTRODUCTION", 1)]


def test_auto_numbered_paragraphs_have_no_number(report: Path) -> None:
    paras = paragraphs(report)
    assert [p.number for p in paras[:5]] == [None] * 5
    assert paras[0].text == "The Task Force prepared a final proposal."


def test_unnumbered_and_bullet_paragraphs_continue_the_current_one(report: Path) -> None:
    assert paragraphs(report)[1].text == (
        "At its sixth session, the CWS created Task No. 58 to:\n"
        "“Prepare a proposal for a roadmap.”\n"
        "· to review the Recommendations in Group 1;\n"
        "· to prioritize Recommendations."
    )


def test_direct_numbering_starts_paragraph_and_text_is_cleaned(report: Path) -> None:
    assert paragraphs(report)[2].text == "The CWS also established the Task Force on July 26 and 27, 2023."


def test_table_read_in_order(report: Path) -> None:
    blocks = load_document(report).blocks
    i = next(k for k, b in enumerate(blocks) if b.kind == "table")
    assert blocks[i - 1].text.startswith("Further detail is provided in the table below:")
    table = blocks[i].table
    assert table.header == ("ATR Type", "2022", "2023")
    assert table.rows == (("Patent", "17", "22"), ("Trademark", "18", "23"), ("Total", "35", "45"))


def test_note_after_table_joins_paragraph_before_it(report: Path) -> None:
    assert paragraphs(report)[3].text.endswith("table below:\n(*: the most recent reports)")


def test_sub_level_item_continues_paragraph(report: Path) -> None:
    assert paragraphs(report)[4].text == "The CWS is invited to:\n(a) note the content of this document; and"


def test_annex_break_and_printed_numbers(report: Path) -> None:
    blocks = load_document(report).blocks
    assert Block(kind="break", text="Annex") in blocks
    paras = paragraphs(report)
    assert [(p.number, p.text) for p in paras[-2:]] == [
        ("1", "This report aims to implement the decision."),
        ("2", "As WIPO Standards are implemented in various systems."),
    ]
    assert not any("End of document" in b.text for b in blocks)


def test_plain_document_paragraphs_stand_alone(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("First paragraph.")
    d.add_paragraph("Second paragraph.")
    path = tmp_path / "plain.docx"
    d.save(str(path))
    doc = load_document(path)
    assert [b.text for b in doc.blocks] == ["First paragraph.", "Second paragraph."]
    assert doc.title is None


def test_title_style_paragraph_is_heading_and_fallback_title(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("Technical Advice", level=0)  # level 0 = "Title" style
    d.add_paragraph("Text.")
    path = tmp_path / "titled.docx"
    d.save(str(path))
    doc = load_document(path)
    assert doc.blocks[0] == Block(kind="heading", text="Technical Advice", level=1)
    assert doc.title == "Technical Advice"


def test_bold_short_paragraph_is_heading(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph().add_run("Relevant Actions for 2024").bold = True
    d.add_paragraph("The Task Force agreed to focus on the proposal.")
    path = tmp_path / "bold.docx"
    d.save(str(path))
    assert load_document(path).blocks[0] == Block(kind="heading", text="Relevant Actions for 2024", level=2)


def _merged_table_doc(tmp_path: Path) -> Path:
    d = docx.Document()
    table = d.add_table(rows=4, cols=3)
    for r, row in enumerate([("Office", "2022", "2023"), ("EPO", "10", "11"), ("", "12", "13"), ("JPO", "5", "")]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    merge_vertically(table, 0, 1, 2)
    table.cell(3, 1).merge(table.cell(3, 2))
    path = tmp_path / "merged.docx"
    d.save(str(path))
    return path


def test_vertical_merge_repeats_text(tmp_path: Path) -> None:
    [block] = load_document(_merged_table_doc(tmp_path)).blocks
    assert block.table.rows[0][0] == "EPO" and block.table.rows[1][0] == "EPO"


def test_horizontal_merge_fills_first_column_only(tmp_path: Path) -> None:
    [block] = load_document(_merged_table_doc(tmp_path)).blocks
    assert block.table.rows[2] == ("JPO", "5", "")
    assert all(len(row) == 3 for row in block.table.rows)


def test_single_cell_layout_table_becomes_paragraph(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_table(rows=1, cols=1).cell(0, 0).text = "Boxed note."
    path = tmp_path / "box.docx"
    d.save(str(path))
    assert load_document(path).blocks == (Block(kind="paragraph", text="Boxed note."),)


def test_heading_via_outline_level(tmp_path: Path) -> None:
    d = docx.Document()
    p = d.add_paragraph("Outlined heading")
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "1")
    p._p.get_or_add_pPr().append(outline)
    d.add_paragraph("Body text.")
    path = tmp_path / "outline.docx"
    d.save(str(path))
    assert load_document(path).blocks[0] == Block(kind="heading", text="Outlined heading", level=2)


@pytest.mark.parametrize(
    ("content", "reason_start"),
    [
        (b"this is not a zip file at all", "corrupt .docx"),
        (b"PK\x03\x04" + b"\x00" * 50, "corrupt .docx"),
    ],
)
def test_corrupt_docx_raises(tmp_path: Path, content: bytes, reason_start: str) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument) as info:
        load_document(path)
    assert info.value.reason.startswith(reason_start)


def test_truncated_docx_raises(tmp_path: Path, report: Path) -> None:
    path = tmp_path / "truncated.docx"
    path.write_bytes(report.read_bytes()[:2000])
    with pytest.raises(UnreadableDocument, match="corrupt .docx"):
        load_document(path)


def test_docx_without_text_raises(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    with pytest.raises(UnreadableDocument, match="no text content"):
        load_document(path)
