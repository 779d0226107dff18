"""Retrieval and answer quality on a question file (the format of shared/eval/dev.jsonl)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from answering.engine import AnswerEngine
from config.errors import CwsError


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    expected: tuple[str, ...]


@dataclass
class Outcome:
    question: Question
    rank: int | None  # 1-based rank of the first source holding an expected string
    answer: str
    answered: bool


@dataclass
class Report:
    mode: str
    outcomes: list[Outcome] = field(default_factory=list)

    def _count(self, predicate) -> str:  # type: ignore[no-untyped-def]
        return f"{sum(1 for o in self.outcomes if predicate(o))}/{len(self.outcomes)}"

    @property
    def recall_at_1(self) -> str:
        return self._count(lambda o: o.rank == 1)

    @property
    def recall_at_5(self) -> str:
        return self._count(lambda o: o.rank is not None and o.rank <= 5)

    @property
    def answered(self) -> str:
        return self._count(lambda o: o.answered)

    def misses(self) -> list[str]:
        return [
            f"{o.question.id} rank={o.rank} answered={o.answered}: {o.question.text} -> {o.answer}"
            for o in self.outcomes
            if not o.answered or o.rank != 1
        ]

    def as_dict(self) -> dict:
        return {
            "mode": self.mode,
            "recall@1": self.recall_at_1,
            "recall@5": self.recall_at_5,
            "answers": self.answered,
            "questions": [
                {"id": o.question.id, "rank": o.rank, "answered": o.answered, "answer": o.answer}
                for o in self.outcomes
            ],
        }


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            expected = raw["any"]
            questions.append(Question(str(raw.get("id", number)), raw["q"], tuple(expected)))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise CwsError(f"{path}, line {number}: expected {{\"q\": ..., \"any\": [...]}} ({exc})") from exc
    return questions


def _contains(text: str, expected: tuple[str, ...]) -> bool:
    lowered = " ".join(text.split()).lower()
    return any(" ".join(e.split()).lower() in lowered for e in expected)


def evaluate(engine: AnswerEngine, questions: list[Question], mode: str = "hybrid") -> Report:
    report = Report(mode)
    for question in questions:
        answer = engine.ask(question.text, mode=mode)
        retrieved = engine.retrieve(question.text, mode=mode, limit=5)
        rank = next((i for i, text in enumerate(retrieved, start=1) if _contains(text, question.expected)), None)
        report.outcomes.append(Outcome(question, rank, answer.text, _contains(answer.text, question.expected)))
    return report
