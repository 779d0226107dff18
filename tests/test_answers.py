"""The answer engine on a real index of the sample corpus."""

import pytest

from answering.engine import AnswerEngine
from index.errors import InvalidFilter
from tests.conftest import make_settings


def test_sunset_question_gets_the_date_and_a_citation(engine):
    answer = engine.ask("When does the ST.92 sunset period end?")
    assert answer.found
    assert "July 1, 2027" in answer.text
    assert len(answer.text) <= 300
    first = answer.sources[0]
    assert first.symbol == "WO/GA/58/9" and first.citation.startswith("WO/GA/58/9, para. ")
    assert "**sunset**" in first.snippet and "**period**" in first.snippet


@pytest.mark.parametrize(
    "question, expected",
    [
        ("how many trademark ATRs were received on 2022 activities", "18"),
        ("How many patent information ATRs were received on 2023 activities?", "22"),
        ("How many ATRs were received in total on 2021 activities?", "47"),
    ],
)
def test_table_questions_get_the_rebuilt_cell(engine, question, expected):
    answer = engine.ask(question)
    assert answer.text.endswith(f": {expected}")
    assert "Table 1" in answer.sources[0].citation


def test_answer_is_never_longer_than_configured(engine):
    for question in ["What is Recommendation 10 about?", "What did the International Bureau do in 2023?"]:
        assert len(engine.ask(question).text) <= engine.settings.answer.max_chars


@pytest.mark.parametrize("question", ["What is the capital of France?", "How do I bake sourdough bread?"])
def test_off_topic_questions_say_so_plainly(engine, question):
    answer = engine.ask(question)
    assert not answer.found and answer.sources == []
    assert answer.text.startswith("The CWS documents I have do not say")
    assert "closest passages" in answer.text and answer.closest


def test_misspellings_are_corrected_and_reported(engine):
    answer = engine.ask("When was the twelth sesion held?")
    assert answer.did_you_mean == "When was the twelfth session held?"
    assert "September 16 to 19, 2024" in answer.text


def test_paraphrase_is_answered(engine):
    answer = engine.ask("Which office provided the soybean sequence data?")
    assert "BRIN" in answer.text or "National Research and Innovation Agency" in answer.text


def test_acronyms_find_spelled_out_names(engine):
    answer = engine.ask("How many IPOs took part in CASE or DAS at the end of 2023?")
    assert any("Digital Access Service" in s.text for s in answer.sources)


def test_filters_restrict_sources(engine):
    answer = engine.ask("technical assistance activities", {"document": "CWS/12/25"})
    assert answer.sources and all(s.symbol == "CWS/12/25" for s in answer.sources)
    by_year = engine.ask("technical assistance activities", {"session": "tenth session"})
    assert by_year.sources and all("2021" in s.title for s in by_year.sources)


@pytest.mark.parametrize("filters", [{"standard": "banana"}, {"year": "20x4"}, {"colour": "red"}])
def test_bad_filters_are_refused(engine, filters):
    with pytest.raises(InvalidFilter):
        engine.ask("anything", filters)


def test_json_shape(engine):
    data = engine.ask("What is ST.37?").to_json()
    assert set(data) >= {"question", "answer", "found", "sources", "closest", "did_you_mean"}
    assert set(data["sources"][0]) >= {"doc_id", "title", "symbol", "paragraph", "text", "score", "url"}


def test_fresh_clone_answers_from_records_alone(tmp_path, embedder):
    """No documents configured: the shipped records still answer the basics."""
    from index.runner import run_build

    settings = make_settings(tmp_path / "data", [])
    run_build(settings, embedder=embedder, progress=lambda _l, _t: lambda _n: None)
    engine = AnswerEngine(settings, embedder)
    assert "Annual Technical Reports" in engine.ask("What is Task No. 24?").text
    assert "authority file" in engine.ask("What is ST.37?").text.lower()
    assert engine.ask("What is ST.37?").sources[0].doc_id.startswith("record:")


@pytest.mark.parametrize(
    "question",
    [
        "Which office leads the ICT Strategy Task Force?",  # "leads" is English, not a misspelled "reads"
        "When did the CWS introduce the simplified template?",  # not "introduces"
        "What did the committee decide about ST.92 back then?",  # not "lack"
        "Was the Egyptian office trained?",  # a name is never corrected
        "Quand la période de transition de la norme ST.92 se termine-t-elle ?",  # nor a French word
    ],
)
def test_correct_words_are_not_corrected(engine, question):
    assert engine.ask(question).did_you_mean is None


def test_a_correction_searches_what_was_meant(engine):
    answer = engine.ask("When does the ST.92 sunsett period end?")
    assert answer.did_you_mean == "When does the ST.92 sunset period end?"
    assert "July 1, 2027" in answer.text


def test_filters_typed_into_the_question_narrow_it_for_every_front_end(engine):
    typed = engine.ask("document:CWS/12/25 technical assistance activities")
    assert typed.sources and all(s.symbol == "CWS/12/25" for s in typed.sources)
    assert typed.question == "technical assistance activities"
    with pytest.raises(InvalidFilter, match="'Atlantis' is not a valid office"):
        engine.ask("office:Atlantis What did the office report?")
    # an option given beside the typed filter wins
    both = engine.ask("document:CWS/12/25 technical assistance activities", {"document": "CWS/9/25"})
    assert not both.sources or all(s.symbol == "CWS/9/25" for s in both.sources)


def test_what_is_to_come_needs_a_date_not_the_year_of_the_document_that_mentions_it(engine):
    # The thirteenth session is mentioned (work is to be reviewed "at its thirteenth session"), its date is not.
    future = engine.ask("When is the thirteenth session of the CWS going to take place?")
    assert not future.found, future.text
    past = engine.ask("When did the CWS adopt ST.92?")  # the session of the report that says so answers it
    assert past.found, past.text
