"""Regression: answer quality on the question sets, pinned to the figures measured (README).

dev.jsonl and dev2.jsonl are the shared development sets; tests/data/answers.jsonl was written
for this project about other facts of the sample corpus (and never tuned on), and
tests/data/paraphrase.jsonl holds questions worded unlike the documents, and
tests/data/everyday.jsonl questions in everyday words about other facts, written after the
everyday-words lexicon (answering/lexicon/synonyms.yaml) and never tuned on, except that its
one wrong refusal ("a shared Word-file converter" taken for a name) led to the rule that a
hyphenated compound of common words is not a name.
"""

from pathlib import Path

import pytest

from answering.evaluate import OVERALL, evaluate, load_questions
from tests.conftest import DEV_QUESTIONS

DATA = Path(__file__).parent / "data"
DEV2_QUESTIONS = DEV_QUESTIONS.with_name("dev2.jsonl")


@pytest.mark.parametrize(
    "path, correct, recall_at_5, refused_right, refused_wrong",
    [
        (DEV_QUESTIONS, 15, 16, 0, 0),
        (DEV2_QUESTIONS, 39, 45, 6, 0),
        (DATA / "answers.jsonl", 55, 56, 13, 0),
        (DATA / "paraphrase.jsonl", 11, 12, 0, 0),
        (DATA / "everyday.jsonl", 8, 9, 0, 0),
    ],
    ids=["dev", "dev2", "own", "paraphrase", "everyday"],
)
def test_hybrid_meets_the_pinned_figures(engine, path, correct, recall_at_5, refused_right, refused_wrong):
    report = evaluate(engine, load_questions(path), "hybrid")
    overall = report.figures()[OVERALL]
    assert overall.correct >= correct, report.misses()
    assert overall.recall_at_5 >= recall_at_5, report.misses()
    assert overall.refused_right >= refused_right, report.misses()
    assert overall.refused_wrong <= refused_wrong, report.misses()
    assert all(len(o.answer) <= engine.settings.answer.max_chars for o in report.outcomes if o.found)


def test_keyword_and_vector_alone_are_measured(engine):
    questions = load_questions(DEV_QUESTIONS)
    keyword = evaluate(engine, questions, "keyword").figures()[OVERALL]
    vector = evaluate(engine, questions, "vector").figures()[OVERALL]
    assert keyword.recall_at_5 == 16
    assert vector.recall_at_5 >= 13
