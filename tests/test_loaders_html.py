"""Tests for the HTML loader, on HTML strings written at test time."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.loaders import UnreadableDocument, load_document
from corpus.loaders.html import parse_html
from corpus.model import Block, Table

PAGE = """<!DOCTYPE html>
<html><head><title>CWS Standards page</title>
<style>p { color: red }</style><script>var x = "hidden script";</script></head>
<body>
<header><p>Site banner</p></header>
<nav><ul><li>Home</li><li>Menu</li></ul></nav>
<main>
  <h1>Committee on WIPO Standards</h1>
  <p>The CWS   held its twelfth
     session in <b>September 2024</b>.</p>
  <h2>Recommendations</h2>
  <ul>
    <li>First recommendation</li>
    <li>Second recommendation<ul><li>Nested item</li></ul></li>
  </ul>
  <blockquote><p>Quoted task description.</p></blockquote>
  <dl><dt>ST.26</dt><dd>Sequence listings in XML</dd></dl>
  <p>12. A paragraph with a printed number.</p>
  <p>Line one<br>line two</p>
  <table>
    <thead><tr><th>ATR Type</th><th>2022</th><th>2023</th></tr></thead>
    <tbody>
      <tr><td>Patent Information</td><td>17</td><td>22</td></tr>
      <tr><td>Total</td><td colspan="2">53</td></tr>
    </tbody>
  </table>
  <div>Loose text in a div.</div>
  <p>[Annex follows]</p>
  <h3>Annex heading</h3>
</main>
<footer><p>Copyright notice</p></footer>
</body></html>
"""


@pytest.fixture
def doc():
    return parse_html(PAGE)


def texts(doc) -> list[str]:
    return [b.text for b in doc.blocks if b.kind != "table"]


def test_title_from_title_tag(doc) -> None:
    assert doc.title == "CWS Standards page"


def test_title_falls_back_to_h1() -> None:
    assert parse_html("<html><body><h1>Main heading</h1><p>Text.</p></body></html>").title == "Main heading"


@pytest.mark.parametrize(
    ("text", "level"), [("Committee on WIPO Standards", 1), ("Recommendations", 2), ("Annex heading", 3)]
)
def test_headings_with_levels(doc, text: str, level: int) -> None:
    assert Block(kind="heading", text=text, level=level) in doc.blocks


@pytest.mark.parametrize("hidden", ["hidden script", "color: red", "Site banner", "Home", "Menu", "Copyright notice"])
def test_ignored_elements(doc, hidden: str) -> None:
    assert not any(hidden in t for t in texts(doc))


def test_whitespace_collapsed(doc) -> None:
    assert "The CWS held its twelfth session in September 2024." in texts(doc)


@pytest.mark.parametrize(
    "text",
    [
        "First recommendation",
        "Second recommendation",
        "Nested item",
        "Quoted task description.",
        "ST.26",
        "Sequence listings in XML",
        "Loose text in a div.",
    ],
)
def test_block_elements_become_paragraphs(doc, text: str) -> None:
    assert Block(kind="paragraph", text=text) in doc.blocks


def test_printed_number(doc) -> None:
    assert Block(kind="paragraph", text="A paragraph with a printed number.", number="12") in doc.blocks


def test_br_keeps_line_break(doc) -> None:
    assert "Line one\nline two" in texts(doc)


def test_table_with_th_header_and_colspan(doc) -> None:
    [table] = [b.table for b in doc.blocks if b.kind == "table"]
    assert table == Table(
        header=("ATR Type", "2022", "2023"),
        rows=(("Patent Information", "17", "22"), ("Total", "53", "")),
    )


def test_annex_marker_becomes_break(doc) -> None:
    assert Block(kind="break", text="Annex") in doc.blocks


def test_document_order(doc) -> None:
    kinds = [b.kind for b in doc.blocks]
    assert kinds[0] == "heading" and kinds[-2:] == ["break", "heading"]
    assert kinds.index("table") < texts(doc).index("Loose text in a div.") + 1


def test_table_without_th_uses_first_row_as_header() -> None:
    doc = parse_html("<table><tr><td>A</td><td>B</td></tr><tr><td>1</td><td>2</td></tr></table>")
    assert doc.blocks == (Block(kind="table", table=Table(("A", "B"), (("1", "2"),))),)


def test_rowspan_repeats_down() -> None:
    doc = parse_html(
        "<table><tr><th>Office</th><th>Year</th></tr>"
        "<tr><td rowspan='2'>EPO</td><td>2022</td></tr><tr><td>2023</td></tr></table>"
    )
    assert doc.blocks[0].table.rows == (("EPO", "2022"), ("EPO", "2023"))


def test_single_column_layout_table_is_text() -> None:
    doc = parse_html("<table><tr><td><p>Boxed paragraph.</p></td></tr><tr><td>Second box.</td></tr></table>")
    assert doc.blocks == (
        Block(kind="paragraph", text="Boxed paragraph."),
        Block(kind="paragraph", text="Second box."),
    )


def test_nested_table_rows_not_mixed_into_outer_table() -> None:
    doc = parse_html(
        "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td>"
        "<td><table><tr><td>x</td><td>y</td></tr></table></td></tr></table>"
    )
    table = doc.blocks[0].table
    assert table.header == ("A", "B") and len(table.rows) == 1


@pytest.mark.parametrize("suffix", [".html", ".htm"])
def test_load_file_with_declared_charset(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"page{suffix}"
    html = (
        '<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head>'
        "<body><p>Na\xefve text.</p></body></html>"
    )
    path.write_bytes(html.encode("cp1252"))
    doc = load_document(path)
    assert doc.title == "Café"
    assert doc.blocks == (Block(kind="paragraph", text="Naïve text."),)


def test_html_with_only_scripts_raises(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>x()</script></head><body><nav>Menu</nav></body></html>", encoding="utf-8")
    with pytest.raises(UnreadableDocument, match="no text content"):
        load_document(path)
