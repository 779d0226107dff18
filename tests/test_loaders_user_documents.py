"""Documents as people write them (issue 13): a Word document's title is its first heading, not its symbol; a symbol
in a Markdown `#` or HTML `<h1>` heading is found; Word paragraphs without numbers are numbered in order; `.markdown`
files are read. Each file goes through the scan and parse a build uses (corpus.ingest)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from corpus.ingest import ParsedDocument, scan


def parse_one(path: Path) -> ParsedDocument:
    found = scan([path], include_records=False)
    assert found.skipped == [] and len(found.sources) == 1, found.skipped
    return found.sources[0].parse()


def user_word_document(path: Path, core_title: str = "") -> Path:
    """Cover lines as WIPO documents have them (symbol, original, date), a heading, then prose with a typed list."""
    d = docx.Document()
    d.core_properties.title = core_title
    d.add_paragraph("CWS/13/7")
    d.add_paragraph("ORIGINAL: ENGLISH")
    d.add_paragraph("DATE: MAY 2, 2025")
    d.add_heading("Report on the XML4IP Task Force", level=1)
    d.add_paragraph("The Task Force met four times in 2024.")
    d.add_paragraph("It agreed on the following:")
    d.add_paragraph("1. a new version of the ST.96 schema;")
    d.add_paragraph("2. a plan for ST.97.")
    d.add_heading("Next steps", level=2)
    d.add_paragraph("The Task Force will report at the fourteenth session.")
    d.add_paragraph("The CWS is invited to note this report.")
    d.save(str(path))
    return path


@pytest.mark.parametrize("core_title", ["", "CWS/13/7", "Microsoft Word - cws_13_7.docx"])
def test_a_word_documents_title_is_its_first_heading_not_its_symbol(tmp_path: Path, core_title: str) -> None:
    meta = parse_one(user_word_document(tmp_path / "report.docx", core_title)).meta
    assert meta.title == "Report on the XML4IP Task Force"
    assert meta.symbol == "CWS/13/7" and meta.session == "CWS/13" and meta.year == 2025


def test_a_real_title_property_still_names_a_word_document(tmp_path: Path) -> None:
    path = user_word_document(tmp_path / "report.docx", "XML4IP Task Force report to CWS/13")
    assert parse_one(path).meta.title == "XML4IP Task Force report to CWS/13"


def test_unnumbered_word_paragraphs_are_numbered_in_order(tmp_path: Path) -> None:
    passages = parse_one(user_word_document(tmp_path / "report.docx")).passages
    assert [(p.paragraph, p.text) for p in passages] == [
        ("1", "The Task Force met four times in 2024."),
        ("2", "It agreed on the following:"),
        ("3", "1. a new version of the ST.96 schema;"),
        ("4", "2. a plan for ST.97."),
        ("5", "The Task Force will report at the fourteenth session."),
        ("6", "The CWS is invited to note this report."),
    ]


def test_word_list_items_in_prose_do_not_swallow_the_paragraphs_after_them(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("Meeting notes", level=1)
    d.add_paragraph("The group met in March.")
    d.add_paragraph("The agenda was adopted.", style="List Number")
    d.add_paragraph("The minutes were approved.")
    d.add_heading("Next meeting", level=1)
    d.add_paragraph("The group meets again in June.")
    d.add_paragraph("Delegates register by May.")
    d.save(str(tmp_path / "notes.docx"))
    passages = parse_one(tmp_path / "notes.docx").passages
    assert [p.paragraph for p in passages] == ["1", "2", "3", "4", "5"]
    assert passages[2].text == "The minutes were approved." and passages[4].text == "Delegates register by May."


@pytest.mark.parametrize(
    "heading",
    [
        "# CWS/13/7: Report on the XML4IP Task Force",
        "# Report on the XML4IP Task Force (CWS/13/7)",
        "# CWS/13/7 – Report on the XML4IP Task Force",
    ],
)
def test_a_symbol_in_a_markdown_heading_is_found(tmp_path: Path, heading: str) -> None:
    path = tmp_path / "report.md"
    path.write_text(f"{heading}\n\nThe Task Force met four times in 2024.\n", encoding="utf-8")
    meta = parse_one(path).meta
    assert (meta.symbol, meta.session, meta.title) == ("CWS/13/7", "CWS/13", "Report on the XML4IP Task Force")


def test_a_symbol_in_an_html_h1_is_found(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(
        "<html><body><h1>WO/GA/58/9 – Report on the CWS</h1><p>The Assembly took note.</p></body></html>",
        encoding="utf-8",
    )
    meta = parse_one(path).meta
    assert (meta.symbol, meta.title) == ("WO/GA/58/9", "Report on the CWS")


def test_a_session_in_a_heading_is_not_taken_for_a_symbol(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes from CWS/12\n\nThe session adopted ST.92.\n", encoding="utf-8")
    meta = parse_one(path).meta
    assert meta.symbol is None and meta.title == "Notes from CWS/12"


def test_markdown_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "notes.markdown"
    path.write_text("# Zebra notes\n\nThe zebra task force met on Mars.\n", encoding="utf-8")
    parsed = parse_one(path)
    assert parsed.meta.title == "Zebra notes"
    assert [p.text for p in parsed.passages] == ["The zebra task force met on Mars."]


def test_a_cws_word_document_keeps_its_numbers_however_many_sub_items_follow(tmp_path: Path) -> None:
    """Numbered paragraphs with more typed sub-items and quotes than numbers: still a numbered document."""
    d = docx.Document()
    d.add_heading("DECISIONS", level=1)
    d.add_paragraph("The CWS noted the report.", style="List Number")
    d.add_paragraph("The CWS is invited to:", style="List Number")
    for item in ("(a) note the content;", "(b) approve the plan;", "(c) request the Secretariat to report."):
        d.add_paragraph(item)
    d.add_paragraph("“Prepare a proposal for a roadmap.”")
    d.add_paragraph("The CWS agreed to continue the task.", style="List Number")
    d.save(str(tmp_path / "decisions.docx"))
    passages = parse_one(tmp_path / "decisions.docx").passages
    assert [p.paragraph for p in passages] == ["1", "2", "3"]
    assert "(c) request the Secretariat to report." in passages[1].text
    assert passages[2].text == "The CWS agreed to continue the task."
