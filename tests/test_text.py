"""Sentence splitting, answer units, question intent and shortening, on constructed text."""

import pytest

from answering.candidates import referenced_paragraphs
from answering.intent import answer_kind, read_intent
from answering.kinds import evidence
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


def test_highlight_marks_stemmed_matches():
    assert highlight("Periods ending soon", set(stems("period end"))) == "**Periods** **ending** soon"


@pytest.mark.parametrize(
    "question, kind",
    [
        ("When was CWS/12 held?", "date"),
        ("On what date will the workshop be held?", "date"),
        ("How many ATRs were received?", "number"),
        ("How much did WIPO spend on the project?", "amount"),
        ("Who chaired the session?", "person"),
        ("Which offices submitted ATRs?", "office"),
        ("Which three offices took part?", "office"),
        ("Which United Nations body issued the recommendations?", "organization"),
        ("In which document was the draft reproduced?", "document"),
        ("In which paragraph is the decision recorded?", "paragraph"),
        ("In which language should offices share their strategy?", "language"),
        ("Which two WIPO Standards did the requests concern?", "standard"),
        ("What is its full name?", "acronym"),
        ("Which version of the validator will be launched?", "version"),
        ("Where is the complete list available?", "place"),
        ("Why were no trainings held?", "reason"),
        ("What is ST.37?", "definition"),
        ("What does Task No. 24 ask for?", "definition"),
        ("What did the Committee decide about ST.93?", ""),
    ],
)
def test_the_kind_of_answer_asked_for(question, kind):
    assert answer_kind(question) == kind


def test_intent_reads_names_labels_identifiers_and_exclusions():
    intent = read_intent(
        "Apart from ST.26 and ST.27, which WIPO Standards did the Brunei Darussalam office discuss "
        "under Recommendation 3 at its twelfth session?"
    )
    assert intent.kind == "standard"
    assert intent.excluded == ("ST.26", "ST.27")
    assert "CWS/12" in intent.identifiers and "ST.26" not in intent.identifiers
    assert intent.labels == ("Recommendation 3",)
    assert {"Brunei", "Darussalam"} <= set(intent.names)
    assert "Which" not in intent.names and "Apart" not in intent.names


def test_an_unknown_long_standard_number_is_still_asked_about():
    assert read_intent("What is WIPO Standard ST.3000?").identifiers == ("ST.3000",)


@pytest.mark.parametrize(
    "name, text, found",
    [
        ("Egyptian", "Training for the Egypt office", True),
        ("Egypt", "the Egyptian IP Office", True),
        ("UN", "the United Nations system", True),
        ("Recommendation 3", "Recommendation 3: IP offices", True),
        ("Recommendation 3", "Recommendation 30 and Recommendation 13", False),
        ("Japan Patent Office", "the Japan Patent Office (JPO)", True),
        (
            "Japan Patent Office",
            "For the Japan Fiscal year of 2023, documents from the Philippines patent office",
            False,
        ),
        ("Vienna", "the Nice Classification", False),
    ],
)
def test_names_are_found_as_people_write_them(name, text, found):
    assert bool(read_intent("x").pattern(name).search(text)) is found


@pytest.mark.parametrize(
    "kind, question, text, found",
    [
        ("date", "On what date in 2025 will it be held?", "It will be held in 2025.", []),
        ("date", "When was it held?", "It was held on July 5, 2021.", ["July 5", "July", "2021"]),
        ("number", "How many offices?", "Fifty-one IPOs were participating.", ["Fifty-one"]),
        ("number", "How many offices took part in 2021?", "In 2021 offices took part (see CWS/9/25).", []),
        ("document", "In which document?", "It was reproduced in document CWS/11/18.", ["CWS/11/18"]),
        ("standard", "Apart from ST.26, which standards?", "They shared plans on ST.26 and ST.90.", ["ST.90"]),
        ("office", "Which offices took part?", "A training took place with three Offices.", []),
        (
            "office",
            "Which office?",
            "jointly with the Brunei Intellectual Property Office",
            ["Brunei Intellectual Property Office"],
        ),
        ("amount", "How much did it cost?", "Thirty-five IPOs received the software.", []),
    ],
)
def test_evidence_of_the_kind_asked_for_is_new_to_the_question(kind, question, text, found):
    intent = read_intent(question)
    got = evidence(kind, text, intent, question)
    assert all(f in got for f in found) and (bool(got) is bool(found))


def test_referenced_paragraphs():
    assert referenced_paragraphs("as referred to in paragraph 16 above") == ["16"]
    assert referenced_paragraphs("as referred to in paragraphs 16 and 17 above") == ["16", "17"]
    assert referenced_paragraphs("see paragraph 190 of document WO/GA/40/19") == []


@pytest.mark.parametrize(
    "question, focus",
    [
        ("Which analysis and assessment services are listed under the program?", {"analysi", "assess", "servic"}),
        ("What new working group did the committee set up?", {"new", "work", "group"}),
        ("When does the ST.92 sunset period end?", set()),  # not a "which/what X" question
        ("What is ST.37?", set()),
    ],
)
def test_the_words_naming_what_is_asked_for(question, focus):
    from answering.candidates import focus_stems

    assert focus_stems(question) == focus


def test_a_compound_of_common_words_is_not_a_name_the_answer_must_hold():
    assert read_intent("Which group builds a shared Word-file converter?").names == ()
    assert read_intent("Which offices offer Cloud-based filing?").names == ()
    assert read_intent("What did Hewlett-Packard report?").names == ("Hewlett-Packard",)  # a name stays one


@pytest.mark.parametrize(
    "text, identifier, another",
    [
        ("The twelfth session of the CWS (CWS/12) was held in Geneva in 2024.", "CWS/13", True),
        ("CWS/13 is the thirteenth session of the Committee.", "CWS/13", False),
        ("The Committee adopted ST.92 and revised ST.26.", "ST.92", False),
        ("The Committee revised ST.26.", "ST.92", True),
        ("The Committee met in Geneva.", "CWS/13", False),  # names none: its context may situate it
        ("Task No. 58 was revised.", "Task No. 24", True),
    ],
)
def test_a_unit_naming_another_session_standard_or_task_is_about_that_one(text, identifier, another):
    from answering.candidates import names_another

    assert names_another(text, identifier) is another


@pytest.mark.parametrize(
    "text, is_reason",
    [
        ("To reflect the opinions of a wider group, the CWS requested a new survey.", True),
        ("As information technologies are continuously and rapidly evolving, they should be reviewed.", True),
        ("The CWS approved ST.26 as proposed in paragraph 16.", False),
        ("The Task Force met twice in 2024.", False),
    ],
)
def test_a_reason_given_by_purpose_or_cause(text, is_reason):
    assert bool(evidence("reason", text, read_intent("Why?"), "Why?")) is is_reason


def test_why_after_an_opening_phrase_asks_for_a_reason():
    assert answer_kind("In 2020, why was the poll sent to every office?") == "reason"
