"""A question → the terms keyword search should use.

Question words ("how many", "what does") carry no topic, so they are dropped here,
at query time only; the index keeps every word. Acronyms are expanded from the
glossary (and expansions contracted) because documents spell names out where users
abbreviate, and the other way round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from corpus.entities import extract_entities, id_tokens
from corpus.model import Entities
from index.keyword import KeywordQuery

QUESTION_STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are as at be been before being
    between both but by can could did do does doing done during each few for from had has
    have having he her here hers him his how i if in into is it its itself just me more
    most much my no nor not now of off on once only or other our out over own same she
    should so some such than that the their them then there these they this those through
    to too under until up very was we were what when where which while who whom whose why
    will with would you your many tell give know please show find list describe explain
    mean means meant say said
    """.split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*|\d[\d,.]*")


@dataclass(frozen=True)
class AnalysedQuestion:
    text: str
    words: tuple[str, ...]  # content words, as typed
    expansions: tuple[str, ...]  # words added from the glossary
    entities: Entities

    def keyword_query(self) -> KeywordQuery:
        return KeywordQuery(words=self.words, expansions=self.expansions, ids=tuple(id_tokens(self.entities)))


@lru_cache(maxsize=1)
def _glossary() -> tuple[dict[str, list[str]], dict[str, str]]:
    """acronym → expansions, and lower-cased expansion → acronym."""
    from corpus.records import load_glossary

    acronyms = {k.upper(): v for k, v in load_glossary().items()}
    contractions = {e.lower(): a for a, expansions in acronyms.items() for e in expansions}
    return acronyms, contractions


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w.lower().strip("'’") not in QUESTION_STOPWORDS]


def analyse(question: str) -> AnalysedQuestion:
    words = content_words(question)
    acronyms, contractions = _glossary()
    expansions: list[str] = []
    for word in words:
        if word.isupper() and len(word) >= 2:  # "CASE" is an acronym; "in that case" is not
            for expansion in acronyms.get(word.strip(".,"), []):
                expansions += content_words(expansion)
    lowered = question.lower()
    for phrase, acronym in contractions.items():
        if len(phrase) > 6 and phrase in lowered:
            expansions.append(acronym)
    return AnalysedQuestion(
        text=question,
        words=tuple(words),
        expansions=tuple(dict.fromkeys(e for e in expansions if e not in words)),
        entities=extract_entities(question),
    )
