"""Tests for the plain-text and markdown loaders (the Word-export convention first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.loaders import load_document
from corpus.loaders.markdown import parse_markdown
from corpus.loaders.normalize import clean_line, looks_like_heading, marker_block
from corpus.loaders.text import parse_text, uses_tab_convention
from corpus.model import Block
from tests.conftest import SHARED_CORPUS


def sample(prefix: str) -> Path:
    """The shared sample file starting with `prefix`; the test fails without it."""
    if not SHARED_CORPUS.is_dir():
        pytest.fail(f"shared sample corpus not found at {SHARED_CORPUS}")
    matches = sorted(SHARED_CORPUS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.fail(f"sample {prefix}_*.txt not found in {SHARED_CORPUS}")
    return matches[0]


def paragraphs(blocks) -> list[Block]:
    return [b for b in blocks if b.kind == "paragraph"]


def tables(blocks) -> list[Block]:
    return [b for b in blocks if b.kind == "table"]


def headings(blocks) -> list[str]:
    return [b.text for b in blocks if b.kind == "heading"]


# --- shared sample corpus -------------------------------------------------


@pytest.mark.parametrize(("prefix", "count"), [("000", 10), ("002", 15), ("004", 18)])
def test_sample_paragraph_counts(prefix: str, count: int) -> None:
    doc = load_document(sample(prefix))
    assert len(paragraphs(doc.blocks)) == count


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_sample_loads_without_artefacts(prefix: str) -> None:
    doc = load_document(sample(prefix))
    texts = [b.text for b in doc.blocks] + [
        cell for t in tables(doc.blocks) for row in (t.table.header, *t.table.rows) for cell in row
    ]
    for text in texts:
        assert "\t" not in text and "\u00a0" not in text and "  " not in text
        assert "[bookmark" not in text and "[footnoteRef" not in text and "[End of" not in text


@pytest.mark.parametrize("prefix", ["000", "002", "003", "004"])
def test_sample_auto_numbered_paragraphs_have_no_number(prefix: str) -> None:
    assert all(p.number is None for p in paragraphs(load_document(sample(prefix)).blocks))


@pytest.mark.parametrize(
    ("prefix", "index", "start"),
    [
        ("002", 10, "Under WIPO’s program of Global Databases"),
        ("002", 11, "Following requests, the International Bureau provided a training seminar organized on July"),
        ("002", 15, "The CWS is invited to take note"),
        ("000", 8, "Considering the increased number"),
        ("000", 9, "Additionally, the ATR can be used"),
        ("004", 16, "If the proposed set of 10 recommendations"),
        ("004", 17, "If the CWS approves"),
    ],
)
def test_sample_paragraph_positions(prefix: str, index: int, start: str) -> None:
    paras = paragraphs(load_document(sample(prefix)).blocks)
    assert paras[index - 1].text.startswith(start)


def test_002_glued_numbers_repaired() -> None:
    paras = paragraphs(load_document(sample("002")).blocks)
    assert "July 26 and 27, 2023" in paras[10].text
    assert "January 9 and 10, 2023" in paras[11].text


def test_004_quoted_task_description_is_a_continuation() -> None:
    para16 = paragraphs(load_document(sample("004")).blocks)[15]
    assert "\n“Facilitate the implementation of the ICT related Recommendations" in para16.text


def test_004_sentence_line_is_continuation_not_heading() -> None:
    doc = load_document(sample("004"))
    assert not any(h.startswith("Considering the above mandate") for h in headings(doc.blocks))
    para7 = paragraphs(doc.blocks)[6]
    assert "\nConsidering the above mandate, the Task Force reviewed" in para7.text


def test_004_bullets_and_enumerations_stay_in_their_paragraph() -> None:
    paras = paragraphs(load_document(sample("004")).blocks)
    assert paras[1].text.count("\n· to ") == 4
    assert paras[17].text.startswith("The CWS is invited to:\na) note the content")
    assert paras[17].text.endswith("paragraphs 16 and 17 above.")


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            "004",
            [
                "SUMMARY",
                "BACKGROUND",
                "PROGRESS REPORT ON TASK No. 58",
                "Objectives",
                "Relevant Actions for 2024",
                "Potential Challenges or Dependencies",
                "Progress Evaluation",
                "FUTURE WORK PLAN",
            ],
        ),
        ("000", ["SUMMARY", "BACKGROUND", "2023 ACTIVITY REPORTS", "PROPOSAL FOR CONTINUATION"]),
    ],
)
def test_sample_headings(prefix: str, expected: list[str]) -> None:
    assert headings(load_document(sample(prefix)).blocks) == expected


def test_004_heading_levels() -> None:
    levels = {b.text: b.level for b in load_document(sample("004")).blocks if b.kind == "heading"}
    assert levels["PROGRESS REPORT ON TASK No. 58"] == 1
    assert levels["Objectives"] == 2


@pytest.mark.parametrize(
    "heading",
    [
        "implementation of WIPO Standards by Offices",
        "CWS Work Program and Tasks",
        "Policies and activities relating to IP data, THE information system and information services",
        "Technical assistance and collaboration on global information systems",
        "TECHNICAL ASSISTANCE FOR BUILDING INFRASTRUCTURE IN IP INSTITUTIONS using WIPO Standards",
        "RECOMMENDATIONS ON ICT AND INTELLECTUAL PROPERTY ADMINISTRATION",
    ],
)
def test_001_headings_found(heading: str) -> None:
    assert heading in headings(load_document(sample("001")).blocks)


def test_000_first_table() -> None:
    table = tables(load_document(sample("000")).blocks)[0].table
    assert table.header == ("ATR Type", "2021 activites", "2022 activites", "2023 activities")
    assert len(table.rows) == 4
    assert ("Patent Information", "17", "17", "22") in table.rows
    assert table.rows[-1] == ("Total number of ATRs", "47", "53", "65")


def test_000_visits_table_drops_trailing_empty_row() -> None:
    table = tables(load_document(sample("000")).blocks)[1].table
    assert table.header[0] == "Period"
    assert len(table.header) == 4
    # Five data rows in the document; its sixth (all-empty) Word row is dropped.
    assert [row[0] for row in table.rows] == [
        "ATR page visit total",
        "ATR Home page",
        "2020 ATRs page",
        "2021 ATRs page",
        "2022 ATRs page",
    ]
    assert table.rows[-1] == ("2022 ATRs page", "N/A", "N/A", "230 (497)*")


def test_000_table_note_joins_introducing_paragraph() -> None:
    para7 = paragraphs(load_document(sample("000")).blocks)[6]
    assert para7.text.startswith("With regards to the number of visits")
    assert para7.text.endswith("(* : the most recent ATRs in the given period)")


def test_000_tables_follow_their_introducing_paragraphs() -> None:
    blocks = [b for b in load_document(sample("000")).blocks if b.kind in ("paragraph", "table")]
    kinds = [b.kind for b in blocks]
    assert kinds.index("table") == 6  # after paragraph 6 ("... table below:")
    assert kinds[7:9] == ["paragraph", "table"]


def test_001_recommendations_table() -> None:
    doc = load_document(sample("001"))
    [table] = [t.table for t in tables(doc.blocks)]
    assert table.header == ("Recommendations", "Recommended Actions")
    assert len(table.rows) == 10
    for i, row in enumerate(table.rows, start=1):
        assert row[0].startswith(f"Recommendation {i}:")
        assert row[1].startswith("(a) ")


def test_001_table_cells_keep_multiline_content() -> None:
    table = tables(load_document(sample("001")).blocks)[0].table
    assert table.rows[0][1].endswith("iv. exploring use of biometric identification technologies.")
    assert "\n(b) IP offices are encouraged to offer multilateral" in table.rows[5][1]
    assert "(Footnote: Such as the Global Identifier Project" in table.rows[5][1]
    assert table.rows[7][0].startswith("Recommendation 8:\nIP offices are encouraged to cooperate")


def test_001_annex_break_and_numbered_paragraphs() -> None:
    blocks = load_document(sample("001")).blocks
    breaks = [i for i, b in enumerate(blocks) if b.kind == "break"]
    assert [blocks[i].text for i in breaks] == ["Annex"]
    annex = blocks[breaks[0] + 1 :]
    numbered = [p for p in paragraphs(annex) if p.number is not None]
    assert [p.number for p in numbered] == [str(n) for n in range(1, 16)]
    assert numbered[0].text.startswith("This report aims")
    assert numbered[10].text.startswith("Following requests") and "July 26 and 27" in numbered[10].text
    assert all(p.number is None for p in paragraphs(blocks[: breaks[0]]))


def test_001_bookmark_marker_removed() -> None:
    paras = paragraphs(load_document(sample("001")).blocks)
    assert any(p.text.startswith("The Committee adopted the new WIPO Standard ST.92") for p in paras)


def test_001_orphan_line_after_heading_is_own_paragraph() -> None:
    blocks = load_document(sample("001")).blocks
    i = [b.text for b in blocks].index("RECOMMENDATIONS ON ICT AND INTELLECTUAL PROPERTY ADMINISTRATION")
    assert blocks[i + 1].kind == "paragraph"
    assert blocks[i + 1].text.startswith("At its twelfth session, the Committee on WIPO Standards")
    assert blocks[i + 2].kind == "table"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_samples_use_tab_convention(prefix: str) -> None:
    assert uses_tab_convention(sample(prefix).read_text(encoding="utf-8").split("\n"))


# --- tab convention, synthetic -------------------------------------------


def test_tab_lines_start_paragraphs() -> None:
    blocks = parse_text("INTRODUCTION\n\tFirst paragraph.\n\tSecond paragraph.\n \tThird one.\n")
    assert [b.kind for b in blocks] == ["heading", "paragraph", "paragraph", "paragraph"]
    assert [b.text for b in paragraphs(blocks)] == ["First paragraph.", "Second paragraph.", "Third one."]


@pytest.mark.parametrize(
    "line",
    [
        "“Quoted text of the task.”",
        "· to review the Recommendations",
        "(a) note the content of this document;",
        "a) note the content;",
        "i. development of automated frameworks;",
        "Considering the above mandate, the Task Force reviewed the Recommendations.",
        "and the rest of a wrapped sentence",
    ],
)
def test_continuation_lines_join_current_paragraph(line: str) -> None:
    blocks = parse_text(f"BACKGROUND\n\tThe CWS decided as follows:\n{line}\n\tNext.\n")
    assert paragraphs(blocks)[0].text == f"The CWS decided as follows:\n{line}"
    assert len(paragraphs(blocks)) == 2


def test_continuation_without_current_paragraph_is_own_paragraph() -> None:
    blocks = parse_text("SUMMARY\nThe CWS is invited to:\n(a) note this.\n\tNext paragraph.\n\tAnother.\n")
    assert paragraphs(blocks)[0].text == "The CWS is invited to:\n(a) note this."


def test_printed_numbers_are_kept() -> None:
    blocks = parse_text("INTRODUCTION\n1. First.\n2. Second\ncontinued.\n\tThird.\n\tFourth.\n")
    assert [(p.number, p.text) for p in paragraphs(blocks)] == [
        ("1", "First."),
        ("2", "Second\ncontinued."),
        (None, "Third."),
        (None, "Fourth."),
    ]


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ("[Annex follows]", "Annex"),
        ("[Annex I follows]", "Annex I"),
        ("[Annex II follows]", "Annex II"),
        ("[Appendix follows]", "Appendix"),
    ],
)
def test_annex_markers_become_breaks(marker: str, expected: str) -> None:
    blocks = parse_text(f"\tOne.\n\tTwo.\n{marker}\n\tThree.\n")
    assert Block(kind="break", text=expected) in blocks


@pytest.mark.parametrize("marker", ["[End of document]", "[End of Annex]", "[End of Annex II and of document]"])
def test_end_markers_are_dropped(marker: str) -> None:
    blocks = parse_text(f"\tOne.\n\tTwo.\n{marker}\n")
    assert [b.text for b in blocks] == ["One.", "Two."]


def test_table_detected_with_header_after_intro_paragraph() -> None:
    text = "\tIntro paragraph, see table:\n\tName\n\tValue\n\n\tAlpha\n\t1\n\n\tBeta\n\t2\n\n\tAfter.\n"
    blocks = parse_text(text)
    assert [b.kind for b in blocks] == ["paragraph", "table", "paragraph"]
    assert blocks[1].table.header == ("Name", "Value")
    assert blocks[1].table.rows == (("Alpha", "1"), ("Beta", "2"))


def test_group_with_twice_the_columns_splits_into_two_rows() -> None:
    text = "\tName\n\tValue\n\n\tAlpha\n\t1\n\tBeta\n\t2\n\n\tGamma\n\t3\n"
    [table] = tables(parse_text(text))
    assert table.table.rows == (("Alpha", "1"), ("Beta", "2"), ("Gamma", "3"))


@pytest.mark.parametrize(
    "text",
    [
        # ordinary paragraphs separated by blank lines, in pairs
        "\tThe first paragraph is a full sentence.\n\tThe second one too.\n\n"
        "\tThe third paragraph.\n\tThe fourth paragraph.\n",
        # single-cell groups are never rows
        "\tOne.\n\n\tTwo.\n\n\tThree.\n",
        "\tShort\n\n\tShort too\n\n\tAnd again\n",
    ],
)
def test_ordinary_paragraphs_are_not_tables(text: str) -> None:
    blocks = parse_text(text)
    assert not tables(blocks)
    assert len(paragraphs(blocks)) == text.count("\t")


# --- plain text without the convention ------------------------------------


def test_plain_text_paragraphs_and_headings() -> None:
    text = (
        "Annual Report\n\n"
        "This report is hard-wrapped at a fixed\nwidth, like an e-mail.\n\n"
        "1. A numbered paragraph that is\nwrapped.\n\n"
        "2. Another one.\n\n"
        "Closing words of the report, with a\nfinal sentence.\n"
    )
    blocks = parse_text(text)
    assert blocks[0] == Block(kind="heading", text="Annual Report", level=1)
    assert [(p.number, p.text) for p in paragraphs(blocks)] == [
        (None, "This report is hard-wrapped at a fixed width, like an e-mail."),
        ("1", "A numbered paragraph that is wrapped."),
        ("2", "Another one."),
        (None, "Closing words of the report, with a final sentence."),
    ]


def test_plain_text_numbered_lines_without_blank_lines() -> None:
    blocks = parse_text("1. First point.\n2. Second point\nwrapped.\n3. Third.\n")
    assert [(p.number, p.text) for p in paragraphs(blocks)] == [
        ("1", "First point."),
        ("2", "Second point wrapped."),
        ("3", "Third."),
    ]


def test_plain_text_keeps_list_items_on_their_own_lines() -> None:
    blocks = parse_text("The CWS is invited to:\n(a) note the report;\n(b) approve the plan.\n")
    assert paragraphs(blocks)[0].text == "The CWS is invited to:\n(a) note the report;\n(b) approve the plan."


def test_plain_text_sentence_is_not_heading() -> None:
    blocks = parse_text("The meeting was held in Geneva.\n\nIt ended on time.\n")
    assert not headings(blocks)


def test_plain_text_dehyphenates_wrapped_words() -> None:
    blocks = parse_text("The infor-\nmation is here.\n")
    assert paragraphs(blocks)[0].text == "The information is here."


# --- markdown -------------------------------------------------------------


MARKDOWN = """---
title: "ICT Recommendations"
---

# Report of the Task Force

Intro paragraph that is
wrapped over two lines, with **bold** and a [link](https://example.org).

## Background

1. First numbered paragraph.
2. Second numbered paragraph.

- a bullet
- another bullet

| Standard | Topic |
|----------|:------|
| ST.26 | Sequence listings |
| ST.96 | XML |

[Annex follows]

Annex text.
"""


def test_markdown_structure() -> None:
    doc = parse_markdown(MARKDOWN)
    assert doc.title == "ICT Recommendations"
    kinds = [b.kind for b in doc.blocks]
    assert kinds == [
        "heading",
        "paragraph",
        "heading",
        "paragraph",
        "paragraph",
        "paragraph",
        "table",
        "break",
        "paragraph",
    ]
    assert doc.blocks[0] == Block(kind="heading", text="Report of the Task Force", level=1)
    assert doc.blocks[2].level == 2
    assert doc.blocks[1].text == "Intro paragraph that is wrapped over two lines, with bold and a link."


def test_markdown_numbered_paragraphs() -> None:
    paras = paragraphs(parse_markdown(MARKDOWN).blocks)
    assert [(p.number, p.text) for p in paras[1:3]] == [
        ("1", "First numbered paragraph."),
        ("2", "Second numbered paragraph."),
    ]
    assert paras[3].text == "· a bullet\n· another bullet"


def test_markdown_pipe_table() -> None:
    [table] = tables(parse_markdown(MARKDOWN).blocks)
    assert table.table.header == ("Standard", "Topic")
    assert table.table.rows == (("ST.26", "Sequence listings"), ("ST.96", "XML"))


def test_markdown_title_falls_back_to_first_h1() -> None:
    assert parse_markdown("Intro\n\n# The Title\n\nText.\n").title == "The Title"


def test_markdown_setext_headings() -> None:
    blocks = parse_markdown("Main\n====\n\nSub\n---\n\nText.\n").blocks
    assert blocks[:2] == (Block(kind="heading", text="Main", level=1), Block(kind="heading", text="Sub", level=2))


def test_markdown_file_via_load_document(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    assert load_document(path).title == "ICT Recommendations"


# --- helpers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("July 26 and27, 2023", "July 26 and 27, 2023"),
        ("January 9 and10", "January 9 and 10"),
        ("from 1 to2", "from 1 to 2"),
        ("ST.26 and ST.96", "ST.26 and ST.96"),
        ("held its\u00a0twelfth  session", "held its twelfth session"),
        ("[bookmark: _Hlk191554127]Text", "Text"),
        ("projects[footnoteRef:2] that", "projects that"),
        ("noted.  [2:  Such as the Project.] ", "noted. (Footnote: Such as the Project.)"),
        ("Band1 and Rand2", "Band1 and Rand2"),
    ],
)
def test_clean_line(raw: str, clean: str) -> None:
    assert clean_line(raw) == clean


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("SUMMARY", True),
        ("Objectives", True),
        ("2023 ACTIVITY REPORTS", True),
        ("PROGRESS REPORT ON TASK No. 58", True),
        ("implementation of WIPO Standards by Offices", True),
        ("The CWS is invited to:", False),
        ("“Prepare a proposal”", False),
        ("· to review the Recommendations", False),
        ("(c) consider and approve", False),
        ("IP offices should have an ICT strategy, either as a part of business strategic planning or", False),
        ("independently, including measures for annual evaluation.", False),
        ("(*: the most recent ATRs in the given period)", False),
        ("15", False),
    ],
)
def test_looks_like_heading(line: str, expected: bool) -> None:
    assert looks_like_heading(line) is expected


def test_marker_block_ignores_ordinary_text() -> None:
    assert marker_block("The Annex follows below.") is None
    assert marker_block("[End of document]") is True


def test_marker_on_tab_line_is_still_a_marker() -> None:
    assert parse_text("\tOne.\n\tTwo.\n\t[Annex follows]\n\tThree.\n")[2] == Block(kind="break", text="Annex")


def test_table_note_after_last_cell_is_detached() -> None:
    text = "\tSee the table:\n\tName\n\tValue\n\n\tAlpha\n\t1*\n\n(*: estimated)\n\tAfter.\n"
    blocks = parse_text(text)
    assert blocks[1].table.rows == (("Alpha", "1*"),)
    assert blocks[0].text == "See the table:\n(*: estimated)"
    assert blocks[-1] == Block(kind="paragraph", text="After.")
