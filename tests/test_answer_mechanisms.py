"""Each answer mechanism proven on text written for it, not only on the dev questions.

A Word document with a table of long cells, a number table whose years name both columns and
rows, a list of offices, a decision whose paragraph is cited in the next sentence, and facts
the documents leave out (a date never given, a country never named).
"""

import docx
import pytest

from answering.bridge import documents_words
from answering.engine import AnswerEngine
from index.runner import run_build
from tests.conftest import make_settings


def write_report(path):
    document = docx.Document()
    document.add_heading("Report of the Heron Task Force on open data", level=1)
    document.add_paragraph("The Heron Task Force prepared the following recommendations on open data.")
    table = document.add_table(rows=3, cols=2)
    rows = [
        ("Recommendations", "Recommended Actions"),
        (
            "Recommendation 1:\nOffices should publish their data openly.",
            "(a) Offices should publish bibliographic data every week.\n"
            "(b) Offices should provide bulk downloads in the JSON format.",
        ),
        (
            "Recommendation 2:\nOffices should train their staff in data handling.",
            "(a) Offices are encouraged to run two data workshops each year.\n"
            "(b) Offices should share their training material in Spanish where possible.",
        ),
    ]
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    document.add_paragraph("Visits to the open data pages are shown in the table below.")
    visits = document.add_table(rows=3, cols=3)
    for r, cells in enumerate(
        [("Page", "2020 visits", "2021 visits"), ("2020 page", "41", "12"), ("2021 page", "N/A", "77")]
    ):
        for c, text in enumerate(cells):
            visits.cell(r, c).text = text
    document.add_paragraph(
        "Following requests, the following open data trainings were held in 2022:\n"
        "· Training on bulk data for examiners, Chilean IP Office, May 3, 2022;\n"
        "· Training on data licensing for examiners, Norwegian IP Office, June 7, 2022; and\n"
        "· Training on data quality for examiners, Kenyan IP Office, July 12, 2022."
    )
    document.add_paragraph(
        "The Heron Task Force agreed to close its pilot on open data in 2026. (See paragraph 42 of document CWS/20/5.)"
    )
    document.add_paragraph(
        "The pilot was meant to make the weekly publication of bibliographic data faster and cheaper."
    )
    document.add_paragraph(
        "The Secretariat will conduct an annual review of the open data pages with the Task Forces, "
        "with a view to proposing the pages that should be retired."
    )
    document.save(path)


@pytest.fixture(scope="module")
def heron(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("heron-docs")
    write_report(folder / "heron.docx")
    settings = make_settings(tmp_path_factory.mktemp("data"), [folder])
    run_build(settings, embedder=embedder, progress=lambda _l, _t: lambda _n: None)
    return AnswerEngine(settings, embedder)


def test_a_long_cell_answers_with_the_action_asked_for(heron):
    answer = heron.ask(
        "According to the recommended actions of Recommendation 2, in which language should offices "
        "share their training material?"
    )
    assert answer.found and "Spanish" in answer.text
    assert answer.text.startswith("Recommendation 2 — Recommended Actions: (b)")


def test_the_numbered_label_picks_the_row(heron):
    answer = heron.ask("Under Recommendation 1, in which format should offices provide bulk downloads?")
    assert "JSON" in answer.text and "Recommendation 1" in answer.text


def test_a_year_that_names_a_column_beats_the_same_year_in_a_row_label(heron):
    answer = heron.ask("How many 2021 visits did the 2020 page have?")
    assert answer.found and "12" in answer.text and "77" not in answer.text


def test_the_list_item_naming_the_office_asked_about_wins(heron):
    answer = heron.ask("When was the open data training for the Norwegian IP Office?")
    assert "June 7, 2022" in answer.text and "Chilean" not in answer.text


def test_the_cited_paragraph_in_the_next_sentence_is_part_of_the_answer(heron):
    answer = heron.ask("In which paragraph of CWS/20/5 is the decision to close the pilot recorded?")
    assert "paragraph 42" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "On what date in 2026 will the pilot on open data be closed?",  # only the year is given
        "When did the Danish IP Office receive open data training?",  # Denmark is never named
        "What did Recommendation 7 ask offices to do?",  # there are two recommendations
        "Which offices attended the Heron Task Force meetings?",  # no office is named as attending
        "How much did the open data pilot cost?",  # no amount is given
    ],
)
def test_what_the_documents_do_not_say_is_refused(heron, question):
    answer = heron.ask(question)
    assert not answer.found, answer.text
    assert answer.text.startswith("The CWS documents I have do not say") and answer.closest
    assert answer.sources == []


def test_a_paraphrase_with_few_shared_words_is_answered(heron):
    answer = heron.ask("What was the pilot supposed to speed up?")
    assert "weekly publication" in answer.text


def test_a_spanish_question_reaches_the_english_text(heron):
    answer = heron.ask("¿En qué idioma deben compartir las oficinas su material de formación según la Recomendación 2?")
    assert "Spanish" in answer.text


def test_everyday_words_reach_the_documents_words(heron):
    answer = heron.ask("Once a year, what will the secretariat go through with the working groups?")
    assert "annual review" in answer.text


def test_everyday_words_add_the_documents_words_and_keep_the_question():
    known = {"task", "forces", "annual", "cws", "committee"}
    question = "What will the secretariat go through with the working groups once a year?"
    assert documents_words(question, lambda w: w.lower() in known) == f"{question} Task Forces annual"
    assert documents_words("Who paid for the trip?", lambda w: w.lower() in known) == "Who paid for the trip?"
    # only words the question lacks: "CWS" is there already
    assert documents_words("Is the CWS the standards body?", lambda w: w.lower() in known).endswith("body? Committee")


def test_names_an_answer_must_hold_come_from_the_question_not_the_added_words(heron):
    # "working groups" adds "Task Forces" to the search, not to the names the answer must be about
    prepared = heron.prepare("Which working group prepared recommendations on open data?", heron.live.current())
    assert "Task" not in " ".join(prepared.intent.names) and "Task Force" in prepared.analysed.text


def test_slack_shorthand_is_understood(heron):
    answer = heron.ask("wat format r bulk downloads in under rec 1??")
    assert "JSON" in answer.text


def test_an_office_report_is_about_its_office_even_where_its_text_only_says_the_office(tmp_path, embedder):
    """An ATR of the Japan Patent Office that calls itself "JPO" answers a question naming it."""
    folder = tmp_path / "atr-JP-PI-2024"
    folder.mkdir()
    (folder / "report.md").write_text(
        "# Patent information activities in 2024\n\nThe JPO introduced an AI tool that classifies patent applications "
        "by technology field.\n",
        encoding="utf-8",
    )
    (folder / "manifest.yaml").write_text(
        "documents:\n  - file: report.md\n    symbol: ATR/PI 2024, Japan (JP)\n    office: JP\n    year: 2024\n",
        encoding="utf-8",
    )
    settings = make_settings(tmp_path / "data", [folder])
    run_build(settings, embedder=embedder, progress=lambda _l, _t: lambda _n: None)
    answer = AnswerEngine(settings, embedder).ask("What AI tool did the Japan Patent Office introduce in 2024?")
    assert answer.found and "classifies patent applications" in answer.text
    assert answer.sources[0].citation.startswith("ATR/PI 2024, Japan (JP)")


def test_a_name_from_one_fact_and_a_subject_from_another_is_refused(heron):
    # The Kenyan office had data quality training; weekly bulk downloads are Recommendation 1's: joining them
    # would be an invention (answered with the Kenyan bullet before this check).
    answer = heron.ask("What did the Kenyan IP Office publish every week as bulk downloads?")
    assert not answer.found, answer.text
