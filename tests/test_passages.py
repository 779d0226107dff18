"""Passages follow the documents' own paragraphs, numbers, parts and tables."""

import pytest

from corpus.ingest import scan


@pytest.fixture(scope="module")
def parsed(shared_corpus):
    result = scan([shared_corpus], include_records=False)
    return {s.doc_id.split("/")[-1][:3]: s.parse() for s in result.sources}


def by_paragraph(document, label):
    return next(p for p in document.passages if p.paragraph == label)


def test_unnumbered_paragraphs_are_numbered_in_order(parsed):
    cws_12_25 = parsed["002"]
    assert cws_12_25.meta.symbol == "CWS/12/25"
    assert "Japan Fund-in-Trust" in by_paragraph(cws_12_25, "10").text
    assert "Brunei" in by_paragraph(cws_12_25, "11").text
    assert max(int(p.paragraph) for p in cws_12_25.passages if p.paragraph.isdigit()) == 15


def test_cross_references_match_our_numbering(parsed):
    # "approve the continuation of ATRs collection as referred to in paragraph 8 above"
    assert "continue the ATR collection" in by_paragraph(parsed["000"], "8").text
    # "the proposed new description of Task No. 58 as referred to in paragraph 16 above"
    assert "Facilitate the implementation" in by_paragraph(parsed["004"], "16").text


def test_printed_numbers_in_an_annex_are_kept_and_prefixed(parsed):
    report = parsed["001"]
    annexed = by_paragraph(report, "Annex, para. 10")
    assert "Japan Fund-in-Trust" in annexed.text
    assert annexed.text.startswith("Under WIPO")  # the printed "10. " is not part of the text


def test_glued_numbers_are_repaired(parsed):
    assert "July 26 and 27, 2023" in by_paragraph(parsed["002"], "11").text


def test_headings_are_carried(parsed):
    assert by_paragraph(parsed["002"], "10").heading.startswith("TECHNICAL ASSISTANCE FOR BUILDING")


def test_table_rows_are_passages_with_the_whole_table(parsed):
    rows = [p for p in parsed["000"].passages if p.kind == "table_row"]
    patent = next(p for p in rows if p.text.startswith("ATR Type: Patent Information"))
    assert patent.paragraph == "Table 1, row 2"
    assert patent.table.header == ("ATR Type", "2021 activites", "2022 activites", "2023 activities")
    assert patent.table.rows[patent.row] == ("Patent Information", "17", "17", "22")
    assert "table below" in patent.context


def test_entities_are_attached_to_passages(parsed):
    paragraph = by_paragraph(parsed["000"], "5")
    assert {"C.CWS.182", "C.CWS.183", "C.CWS.184"} <= set(paragraph.entities.circulars)


def test_manifest_metadata_is_used(parsed):
    meta = parsed["004"].meta
    assert (meta.symbol, meta.session, meta.year) == ("CWS/12/22", "CWS/12", 2024)
    assert "Task No. 58" in meta.topics


def test_passage_ids_are_unique(parsed):
    ids = [p.passage_id for d in parsed.values() for p in d.passages]
    assert len(ids) == len(set(ids))
