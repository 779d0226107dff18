"""What a question asks for: the kind of answer, and the names an answer must be about.

Two things decide whether a sentence answers a question, beyond sharing its words:
- the kind of thing asked for (a date for "when", a number for "how many", an office for
  "which offices", a document symbol for "in which document"), which must appear in the
  answer and must not be merely repeated from the question ("in 2025" does not answer
  "on what date in 2025");
- the names that pin the question to its subject: identifiers (ST.25, CWS/9/25, Task
  No. 58), numbered labels (Recommendation 3, paragraph 105) and proper names (Brunei
  Darussalam, Nice Classification). An answer about another subject ("Vienna" for
  "Nice", "Recommendation 6" for "Recommendation 7") is not an answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from corpus.entities import extract_entities
from index.question import QUESTION_STOPWORDS

Kind = str  # one of the KINDS below, or "" when the question does not ask for a kind of thing
KINDS = (
    "task",
    "amount",
    "version",
    "date",
    "year",
    "number",
    "person",
    "office",
    "organization",
    "place",
    "document",
    "paragraph",
    "language",
    "standard",
    "acronym",
    "definition",
    "reason",
)

# Words that open a question or glue it together, never the subject's name even when capitalised.
_NOT_NAMES = QUESTION_STOPWORDS | {
    "apart",
    "besides",
    "according",
    "under",
    "regarding",
    "concerning",
    "in",
    "on",
    "at",
    "for",
    "if",
    "once",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "its",
    "their",
    "were",
}
_COUNT = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|other|\d+)"
_LABEL = re.compile(
    r"\b(Recommendations?|Tables?|Annex(?:es)?|Articles?|Rules?|Sections?|Parts?|Phases?|Options?|"
    r"[Pp]aragraphs?|[Pp]aras?\.?|Actions?|Chapters?|Figures?|Items?)\s+((?:\d+|[IVX]+|[a-z]\))(?:\s*\([a-z]\))?)"
)
_CAPITALISED = re.compile(r"\b(?:[A-Z][A-Za-z’'-]*[a-z][A-Za-z’'-]*|[A-Z]{2,}s?)\b(?![./]\w)")
_EXCEPT = re.compile(
    r"^\s*(?:apart from|besides|other than|except(?: for)?|aside from)\s+(.+?),\s*"
    r"(?=(?:which|what|who|when|where|how|in which|did|does|do|is|are|was|were)\b)",
    re.I,
)


@dataclass(frozen=True)
class Intent:
    kind: Kind
    names: tuple[str, ...] = ()  # proper names the answer must be about, as written in the question
    labels: tuple[str, ...] = ()  # numbered labels: "Recommendation 3", "paragraph 105"
    identifiers: tuple[str, ...] = ()  # ST.26, CWS/9/25, Task No. 58 (not years)
    years: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # "Apart from ST.26 and ST.27, which ..." → ST.26, ST.27
    asked_values: tuple[str, ...] = ()  # numbers and dates the question itself contains
    aliases: tuple[tuple[str, str], ...] = ()  # (name, another spelling): ("DAS", "Digital Access Service")

    def pattern(self, name: str) -> re.Pattern[str]:
        return name_pattern(name, tuple(a for n, a in self.aliases if n == name))


@lru_cache(maxsize=4096)
def name_pattern(name: str, aliases: tuple[str, ...] = ()) -> re.Pattern[str]:
    """A name as it may be written: "Egyptian" finds "Egypt", "UN" finds "United Nations",
    "DAS" its glossary expansion "Digital Access Service"."""
    spelled = "".join(rf"|\b{re.escape(a)}\b" for a in aliases)
    if re.fullmatch(r"[A-Z]{2,6}s?", name):
        letters = name.rstrip("s")
        initials = r"\s+(?:(?:of|the|and|for|to|on|in)\s+)*".join(rf"{ch}[a-z]+" for ch in letters)
        return re.compile(rf"\b{re.escape(letters)}(?:s|ed|ing)?\b|\b{initials}\b{spelled}", re.I if aliases else 0)
    office = re.fullmatch(r"([A-Z][a-z]+)\b.*\bOffice", name)
    if office:  # "Japan Patent Office": Japan (or Japanese), then Office within a few words
        first = office.group(1)
        root = first if len(first) <= 5 else first[: max(5, len(first) - 3)]
        return re.compile(rf"\b{re.escape(root)}\w*(?:\W+\w+){{0,3}}?\W+Office\b{spelled}", re.I)
    if " " in name or re.search(r"\d", name):  # labels and identifiers: exactly, whole
        return re.compile(r"\b" + r"\s+".join(re.escape(p) for p in name.split()) + r"(?![\w/]|\.\d)", re.I)
    root = name if len(name) <= 5 else name[: max(5, len(name) - 3)]
    return re.compile(rf"\b{re.escape(root)}\w*", re.I)


def answer_kind(question: str) -> Kind:
    """The kind of thing the question asks for, from its wording."""
    q = " ".join(question.lower().replace("’", "'").split())
    q = re.sub(r"^(?:and|so|ok|okay|hi|hey|also|then)[,\s]+", "", q)
    if re.search(r"\b(?:which|what) paragraph\b|\bparagraph (?:number|no)\b|\bin which para", q):
        return "paragraph"
    if re.search(r"\b(?:which|what) year\b|\bin what year\b|\bwhich years\b", q):
        return "year"
    if re.match(r"when\b|by when\b|until when\b", q) or re.search(
        r"\b(?:which|what|on what|on which) (?:date|dates|day|days|deadline)\b|\bwhat dates?\b"
        r"|\bthe (?:deadline|date)\b",
        q,
    ):
        return "date"
    if re.search(
        r"\bhow much\b.*\b(?:spen[dt]|cost|budget|fund|paid|pay|price|charge|fee)|"
        r"\b(?:cost|budget|price|fee|amount of money)\b",
        q,
    ):
        return "amount"
    if re.search(r"\bhow (?:many|much)\b|\bnumber of\b|\bwhat (?:percentage|share|proportion)\b|\bhow often\b", q):
        return "number"
    if re.search(
        r"\b(?:which|what) (?:document|documents|circular|circulars)\b|\bdocument symbol\b|"
        r"\bin which (?:document|report)\b|\bsymbol of\b",
        q,
    ):
        return "document"
    if re.search(r"\b(?:which|what) (?:language|languages)\b|\bin what language\b", q):
        return "language"
    if re.search(r"\b(?:which|what) (?:earlier |previous |new |later |current )?(?:version|release)\b", q):
        return "version"
    if re.search(r"\b(?:which|what) task\b(?! force)|\bthe task number\b|\bnumber of the task\b", q):
        return "task"
    if re.search(r"\bfull name\b|\bstand(?:s)? for\b|\bacronym\b|\babbreviation\b", q):
        return "acronym"
    if re.search(rf"\b(?:which|what)(?: {_COUNT})? (?:wipo )?standards?\b", q) and not re.search(
        r"\bstandards? (?:body|bodies)\b", q
    ):
        return "standard"
    if re.search(
        rf"\b(?:which|what)(?: {_COUNT})? (?:ip |national |regional |member )?(?:offices?|countr(?:y|ies)|"
        r"ipos?|states?|nations?|members?|delegations?)\b",
        q,
    ):
        return "office"
    if re.search(
        rf"\b(?:which|what)(?: {_COUNT})? (?:organi[sz]ations?|bod(?:y|ies)|agenc(?:y|ies)|institutions?|"
        r"entit(?:y|ies)|task forces?|working groups?|groups?|united nations body|un body)\b",
        q,
    ):
        return "organization"
    if re.match(r"who\b|whom\b|whose\b", q) or re.search(r"\b(?:chaired|led|elected|headed) by whom\b", q):
        return "person"
    if (
        re.match(r"where\b", q)
        or re.search(r"\b(?:where|which (?:website|web page|page|link|url))\b", q)
        or re.search(r"\b(?:the )?(?:link|url|website|web page) (?:to|for|of)\b", q)
    ):
        return "place"
    if re.match(r"(?:[^,?]{1,40},\s*)?why\b", q) or re.search(
        r"\bwhat (?:led|caused|prompted)\b|\bfor what reason\b|\band (?:if not,? )?why\b", q
    ):
        return "reason"
    if re.match(r"(?:what|who)(?:'s| is| are| was| were)\s+(?:an?\s+|the\s+)?\S+(?:\s+\S+){0,4}\s*\??$", q) or re.match(
        r"(?:define|describe|explain)\b|what (?:does|do|did) \S+(?: \S+){0,4} (?:mean|stand for|cover|concern|ask for|"
        r"ask|require|say|involve|specify|provide for|do|deal with)\b",
        q,
    ):
        return "definition"
    return ""


_OFFICE_PHRASE = re.compile(
    r"\b(?:[A-Z][a-z]+\s+){1,3}(?:Patent\s+|Trademark\s+|IP\s+|Intellectual\s+Property\s+)?Office\b"
)


def _offices(question: str, is_common: Callable[[str], bool]) -> tuple[str, ...]:
    """Particular offices named in the question ("Japan Patent Office", "Egyptian IP Office")."""
    found = []
    for match in _OFFICE_PHRASE.finditer(question):
        words = match.group(0).split()
        first = words[0]
        if first.lower() in _NOT_NAMES or is_common(first):
            continue
        found.append(match.group(0))
    return tuple(found)


def _labels(question: str) -> tuple[str, ...]:
    found = []
    for match in _LABEL.finditer(question):
        word = match.group(1).rstrip("s.").capitalize()
        word = {"Para": "Paragraph", "Annexe": "Annex", "Recommendation": "Recommendation"}.get(word, word)
        found.append(f"{word} {match.group(2)}")
    return tuple(dict.fromkeys(found))


def _names(question: str, is_common: Callable[[str], bool]) -> tuple[str, ...]:
    """Capitalised words that name the subject. Left out: question and glue words ("Which",
    "Under"), a capital that only opens the sentence ("Combien", "Were") unless a capitalised
    word follows it ("Brunei Darussalam"), and words the corpus uses everywhere (WIPO, Committee)."""
    words = []
    for match in _CAPITALISED.finditer(question):
        word = re.sub(r"[’']s$", "", match.group(0)).strip("’'-")
        if re.search(r"-[a-z]", word):  # "Word-file", "Cloud-based": a compound of common words, not a name
            continue
        lowered = word.lower()
        if lowered in _NOT_NAMES or lowered.rstrip("s") in _NOT_NAMES or is_common(word):
            continue
        opens_sentence = match.start() == 0 or bool(re.search(r"[.?!:;¿¡]\s*$|^\W*$", question[: match.start()]))
        if opens_sentence and not word.isupper() and not question[match.end() :].lstrip()[:1].isupper():
            continue
        words.append(word)
    return tuple(dict.fromkeys(words))


def read_intent(
    question: str, is_common: Callable[[str], bool] = lambda _w: False, aliases: tuple[tuple[str, str], ...] = ()
) -> Intent:
    """The intent of an (English, or bridged into English) question; `aliases` are (name,
    expansion) pairs from the glossary."""
    entities = extract_entities(question)
    excluded: tuple[str, ...] = ()
    apart = _EXCEPT.match(question)
    if apart:
        excluded = extract_entities(apart.group(1)).all_ids() or tuple(
            w for w in re.findall(r"[A-Z]\w+", apart.group(1))
        )
    # Standards are numbered up to three digits; a longer number ("ST.3000") is still asked about.
    standards = entities.standards + tuple(
        f"ST.{n}" for n in re.findall(r"(?<![A-Za-z0-9])ST\.?\s?(\d{4,})\b", question, re.I)
    )
    identifiers = tuple(i for i in standards + entities.tasks + entities.symbols + entities.circulars)
    identifiers += tuple(s for s in entities.sessions if not any(sym.startswith(s + "/") for sym in entities.symbols))
    asked_values = tuple(re.findall(r"\b\d[\d,.]*\b", question))
    return Intent(
        kind=answer_kind(question),
        names=_names(question, is_common) + _offices(question, is_common),
        labels=_labels(question),
        identifiers=tuple(i for i in identifiers if i not in excluded),
        years=entities.years,
        excluded=tuple(excluded),
        asked_values=asked_values,
        aliases=tuple((name, expansion) for expansion, name in aliases),
    )
