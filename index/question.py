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
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "during",
        "each",
        "few",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "much",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "many",
        "tell",
        "give",
        "know",
        "please",
        "show",
        "find",
        "list",
        "describe",
        "explain",
        "mean",
        "means",
        "meant",
        "say",
        "said",
    ]
)
# Dotted and slashed identifiers ("ST.92", "C.CWS.182", "CWS/12/25") stay one word, as the
# keyword analyser indexes them.
_WORD = re.compile(r"[A-Za-z]+(?:[./][A-Za-z0-9]+)+|[A-Za-z][A-Za-z0-9'’\-]*|\d[\d,.]*\d|\d")


@dataclass(frozen=True)
class AnalysedQuestion:
    text: str
    words: tuple[str, ...]  # content words, as typed
    expansions: tuple[str, ...]  # glossary phrases ("Digital Access Service") or acronyms to look for too
    entities: Entities
    phrases: tuple[tuple[str, str], ...] = ()  # content words adjacent in the question
    stands_for: tuple[tuple[str, str], ...] = ()  # (expansion, question word it expands)

    def keyword_query(self) -> KeywordQuery:
        return KeywordQuery(
            words=self.words,
            expansions=self.expansions,
            ids=tuple(id_tokens(self.entities)),
            phrases=self.phrases,
        )


@lru_cache(maxsize=1)
def _glossary() -> tuple[dict[str, list[str]], dict[str, str]]:
    """acronym → expansions, and lower-cased expansion → acronym."""
    from corpus.records import load_glossary

    acronyms = {k.upper(): v for k, v in load_glossary().items()}
    contractions = {e.lower(): a for a, expansions in acronyms.items() for e in expansions}
    return acronyms, contractions


def glossary_acronyms() -> set[str]:
    """The acronyms the glossary knows ("IPO", "DAS", "ICT")."""
    return set(_glossary()[0])


def is_content(word: str) -> bool:
    return word.lower().strip("'’") not in QUESTION_STOPWORDS


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if is_content(w)]


def adjacent_pairs(text: str) -> list[tuple[str, str]]:
    tokens = _WORD.findall(text)
    return [(a, b) for a, b in zip(tokens, tokens[1:]) if is_content(a) and is_content(b)]


def analyse(question: str) -> AnalysedQuestion:
    words = content_words(question)
    acronyms, contractions = _glossary()
    expansions: dict[str, str] = {}  # phrase or acronym to look for → the question word it stands for
    for word in words:
        if word.isupper() and len(word) >= 2:  # "CASE" is an acronym; "in that case" is not
            key = word.strip(".,")
            key = key if key in acronyms else key.rstrip("s")  # "IPOs" → "IPO"
            for expansion in acronyms.get(key, []):
                expansions.setdefault(expansion, word)
    lowered = question.lower()
    for phrase, acronym in contractions.items():
        if len(phrase) > 6 and phrase in lowered:
            expansions.setdefault(acronym, phrase)
    return AnalysedQuestion(
        text=question,
        words=tuple(words),
        expansions=tuple(expansions),
        entities=extract_entities(question),
        phrases=tuple(dict.fromkeys(adjacent_pairs(question))),
        stands_for=tuple(expansions.items()),
    )
