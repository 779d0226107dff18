"""Sentence splitting, shortening and highlighting used to compose answers."""

import pytest

from answering.candidates import expected_type, fit, referenced_paragraphs
from answering.sentences import highlight, split_sentences, stems


@pytest.mark.parametrize(
    "text, count",
    [
        ("Task No. 58 was revised. Mr. Cristiano chaired it.", 2),
        ("It adopted ST.92 and C.CWS.182 was issued. Then it closed.", 2),
        ("See paragraph 5 of document CWS/9/25.) Next.", 2),
        ("The Task Force noted:\n· first item;\n· second item.", 3),
        ("He said “yes.” Then left.", 2),
        ("No boundary here", 1),
    ],
)
def test_split_sentences(text, count):
    assert len(split_sentences(text)) == count


def test_fit_keeps_short_text():
    assert fit("Short answer.", {"short"}, 300) == "Short answer."


def test_fit_keeps_the_part_with_the_question_words():
    text = "Background words " * 30 + "the sunset period ends on July 1, 2027."
    shortened = fit(text, {"sunset", "period"}, 80)
    assert len(shortened) <= 80 and "sunset period" in shortened and shortened.startswith("…")


def test_highlight_marks_stemmed_matches():
    assert highlight("Periods ending soon", set(stems("period end"))) == "**Periods** **ending** soon"


@pytest.mark.parametrize(
    "question, kind",
    [
        ("When was CWS/12 held?", "date"),
        ("How many ATRs were received?", "number"),
        ("Who chaired the session?", "name"),
        ("What is ST.37?", "definition"),
        ("What does Task No. 24 ask for?", "definition"),
        ("Which standards were revised?", None),
    ],
)
def test_expected_answer_type(question, kind):
    assert expected_type(question) == kind


def test_referenced_paragraphs():
    assert referenced_paragraphs("as referred to in paragraph 16 above") == ["16"]
    assert referenced_paragraphs("as referred to in paragraphs 16 and 17 above") == ["16", "17"]
    assert referenced_paragraphs("see paragraph 190 of document WO/GA/40/19") == []
