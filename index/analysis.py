"""Text analysis that defines the keyword index's tokens.

Whatever these functions return is what a build stores and what a question is looked up
by, so this module is part of the index format: a change here needs a new
`keyword.SCHEMA_VERSION` (and so a rebuild). Answer code that wants word stems for other
purposes (highlighting, sentence scoring) uses `stem` from here too, but never changes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from whoosh.analysis import LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.lang.porter import stem as porter_stem


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Porter stem of a lower-cased word (Whoosh's stemmer, as the index uses it)."""
    return porter_stem(word.lower())


# Whoosh's StemmingAnalyzer without its stemming stage: the unstemmed words feed the
# spelling vocabulary ("did you mean" must suggest real words, not stems).
_WORDS = RegexTokenizer() | LowercaseFilter() | StopFilter(minsize=1)


def words_of(text: str) -> list[str]:
    """Lower-cased words without stopwords, identifiers like "st.92" kept whole."""
    return [token.text for token in _WORDS(text)]


def stems_of(text: str) -> list[str]:
    return [stem(word) for word in words_of(text)]


def pairs_of(stems: Sequence[str]) -> list[str]:
    """Adjacent stems joined ("sunset_period"): phrase matching by term lookup."""
    return [f"{a}_{b}" for a, b in zip(stems, stems[1:])]


def pair_tokens(words: Iterable[str]) -> list[str]:
    """The word pairs of words typed together (a question's adjacent words)."""
    return pairs_of(stems_of(" ".join(words)))
