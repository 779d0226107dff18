"""Answer quality on a question file (the format of shared/eval/dev2.jsonl), per kind of question.

Each line: {"id", "q", "kind", "any": [...], "all": [...], "expect_none": bool}.
- An answerable question's answer is correct when one of `any` appears in the answer text;
  it is strictly correct when every one of `all` appears too (questions needing two facts).
- recall@k: one of `any` appears in one of the first k passages retrieved.
- A question with `expect_none` should be refused ("the documents don't say"): a refusal is
  right there and wrong anywhere else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from answering.engine import AnswerEngine
from config.errors import CwsError

OVERALL = "overall"


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    expected: tuple[str, ...]  # any of these in the answer makes it correct
    required: tuple[str, ...] = ()  # all of these in the answer makes it strictly correct
    expect_none: bool = False
    kind: str = "fact"


@dataclass
class Outcome:
    question: Question
    rank: int | None  # 1-based rank of the first retrieved passage holding an expected string
    answer: str
    found: bool

    @property
    def correct(self) -> bool:
        return self.found and not self.question.expect_none and _contains(self.answer, self.question.expected)

    @property
    def strict(self) -> bool:
        required = self.question.required or self.question.expected[:1]
        return self.correct and all(_contains(self.answer, (r,)) for r in required)

    @property
    def refused_right(self) -> bool:
        return self.question.expect_none and not self.found

    @property
    def refused_wrong(self) -> bool:
        return not self.question.expect_none and not self.found


@dataclass(frozen=True)
class Figures:
    """The counts for one kind of question (or all of them)."""

    answerable: int
    unanswerable: int
    recall_at_1: int
    recall_at_5: int
    correct: int
    strict: int
    refused_right: int
    refused_wrong: int

    @classmethod
    def of(cls, outcomes: Iterable[Outcome]) -> Figures:
        items = list(outcomes)
        answerable = [o for o in items if not o.question.expect_none]
        return cls(
            answerable=len(answerable),
            unanswerable=len(items) - len(answerable),
            recall_at_1=sum(1 for o in answerable if o.rank == 1),
            recall_at_5=sum(1 for o in answerable if o.rank is not None and o.rank <= 5),
            correct=sum(1 for o in answerable if o.correct),
            strict=sum(1 for o in answerable if o.strict),
            refused_right=sum(1 for o in items if o.refused_right),
            refused_wrong=sum(1 for o in answerable if o.refused_wrong),
        )

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class Report:
    mode: str
    outcomes: list[Outcome] = field(default_factory=list)

    def _count(self, predicate: Callable[[Outcome], bool]) -> str:
        answerable = [o for o in self.outcomes if not o.question.expect_none]
        return f"{sum(1 for o in answerable if predicate(o))}/{len(answerable)}"

    @property
    def recall_at_1(self) -> str:
        return self._count(lambda o: o.rank == 1)

    @property
    def recall_at_5(self) -> str:
        return self._count(lambda o: o.rank is not None and o.rank <= 5)

    @property
    def answered(self) -> str:
        return self._count(lambda o: o.correct)

    def figures(self) -> dict[str, Figures]:
        """Figures per kind, in first-seen order, then overall."""
        kinds = list(dict.fromkeys(o.question.kind for o in self.outcomes))
        by_kind = {k: Figures.of(o for o in self.outcomes if o.question.kind == k) for k in kinds}
        return by_kind | {OVERALL: Figures.of(self.outcomes)}

    def misses(self) -> list[str]:
        lines = []
        for o in self.outcomes:
            q = o.question
            if q.expect_none and o.found:
                lines.append(f"{q.id} [{q.kind}] answered, should refuse: {q.text} -> {o.answer}")
            elif not q.expect_none and not o.strict:
                state = "refused" if not o.found else "wrong" if not o.correct else "partial"
                lines.append(f"{q.id} [{q.kind}] {state} rank={o.rank}: {q.text} -> {o.answer}")
        return lines

    def as_dict(self) -> dict:
        return {
            "mode": self.mode,
            "figures": {kind: f.as_dict() for kind, f in self.figures().items()},
            "questions": [
                {
                    "id": o.question.id,
                    "kind": o.question.kind,
                    "rank": o.rank,
                    "found": o.found,
                    "correct": o.correct,
                    "strict": o.strict,
                    "answer": o.answer,
                }
                for o in self.outcomes
            ],
        }


def _strings(raw: dict, name: str) -> tuple[str, ...]:
    value = raw.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"'{name}' must be a list of strings")
    return tuple(value)


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            expect_none = bool(raw.get("expect_none", False))
            expected = _strings(raw, "any")
            if not expected and not expect_none:
                raise KeyError("any")
            questions.append(
                Question(
                    str(raw.get("id", number)),
                    str(raw["q"]),
                    expected,
                    _strings(raw, "all"),
                    expect_none,
                    str(raw.get("kind", "fact")),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise CwsError(
                f'{path}, line {number}: expected {{"q": ..., "any": [...]}} or {{"q": ..., "expect_none": true}} '
                f"({exc})"
            ) from exc
    return questions


def _contains(text: str, expected: tuple[str, ...]) -> bool:
    lowered = " ".join(text.split()).lower()
    return any(" ".join(e.split()).lower() in lowered for e in expected)


def evaluate(engine: AnswerEngine, questions: list[Question], mode: str = "hybrid") -> Report:
    report = Report(mode)
    for question in questions:
        answer = engine.ask(question.text, mode=mode)
        rank = None
        if question.expected:
            retrieved = engine.retrieve(question.text, mode=mode, limit=5)
            rank = next((i for i, text in enumerate(retrieved, start=1) if _contains(text, question.expected)), None)
        report.outcomes.append(Outcome(question, rank, answer.text, answer.found))
    return report
