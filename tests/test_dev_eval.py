"""Regression: answer quality on the question sets, pinned to the figures measured (README).

dev.jsonl and dev2.jsonl are the shared development sets; tests/data/answers.jsonl was written
for this project about other facts of the sample corpus (and never tuned on), and
tests/data/paraphrase.jsonl holds questions worded unlike the documents.
"""

from pathlib import Path

import pytest

from answering.evaluate import OVERALL, evaluate, load_questions
from tests.conftest import DEV_QUESTIONS

DATA = Path(__file__).parent / "data"
DEV2_QUESTIONS = DEV_QUESTIONS.with_name("dev2.jsonl")


@pytest.mark.parametrize(
    "path, correct, recall_at_5, refused_right",
    [
        (DEV_QUESTIONS, 15, 16, 0),
        (DEV2_QUESTIONS, 32, 43, 6),
        (DATA / "answers.jsonl", 54, 56, 11),
        (DATA / "paraphrase.jsonl", 10, 12, 0),
    ],
    ids=["dev", "dev2", "own", "paraphrase"],
)
def test_hybrid_meets_the_pinned_figures(engine, path, correct, recall_at_5, refused_right):
    report = evaluate(engine, load_questions(path), "hybrid")
    overall = report.figures()[OVERALL]
    assert overall.correct >= correct, report.misses()
    assert overall.recall_at_5 >= recall_at_5, report.misses()
    assert overall.refused_right >= refused_right, report.misses()
    assert overall.refused_wrong == 0, report.misses()
    assert all(len(o.answer) <= engine.settings.answer.max_chars for o in report.outcomes if o.found)


def test_keyword_and_vector_alone_are_measured(engine):
    questions = load_questions(DEV_QUESTIONS)
    keyword = evaluate(engine, questions, "keyword").figures()[OVERALL]
    vector = evaluate(engine, questions, "vector").figures()[OVERALL]
    assert keyword.recall_at_5 == 16
    assert vector.recall_at_5 >= 13
