"""Scoring every unit of the best passages as an answer to the question.

A unit (a sentence, a list item, a table cell; see `answering.units`) scores on:
- meaning: its cosine with the question (its own embedding for the most promising units);
- the question's words it holds, each weighted by its rarity in the corpus (IDF), words in
  its context (heading, row, column, the rest of its paragraph) counting at a discount, and
  the question's word pairs found side by side;
- whether it holds the kind of thing asked for, new to the question (`answering.kinds`);
- whether it is about the question's subject: the names, numbered labels and identifiers the
  question gives must be in the unit or its context ("Recommendation 7", not 6);
- a little for the rank of its passage.
It loses for repeating the question without adding to it, for only pointing elsewhere ("as
referred to in paragraph 16 above"), for naming the subject only as one item of a long list
(a mention, not a statement about it), and for coming from the assistant's own records
rather than a CWS document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from answering.intent import KINDS, Intent
from answering.kinds import defines, evidence
from answering.sentences import stems
from answering.units import Unit
from corpus.entities import extract_entities
from index.analysis import stem
from index.embedding import Embedder
from index.question import QUESTION_STOPWORDS, AnalysedQuestion

UNITS_ENCODED = 6  # units whose own embedding is computed per question (encoding is most of an answer's cost)
ENCODED_CHARS = 400
NOVELTY = 0.2  # a unit with less of its own than this only repeats the question
# Fillers of chat ("what did they actually change? just reordering?") say how it is asked, not what.
_FILLERS = ("actually", "just", "really", "basically", "exactly", "anyway", "please", "thanks", "ok", "okay")
_FUNCTION_STEMS = {stem(w) for w in (*QUESTION_STOPWORDS, *_FILLERS)}
_POINTER = re.compile(r"\b(?:as )?(?:referred to|described|set out|proposed) in paragraphs? \d+", re.I)
_SITUATING = re.compile(
    r"(?i:sessions?|(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|\d{1,2}(?:st|nd|rd|th))|(?:19|20)\d\d|CWS(?:/\d+)*|[A-Z]+(?:/[\w]+)+)"
)
# Kinds whose answer is a definite thing (a date, an office, a number): finding one is strong evidence.
STRICT_KINDS = frozenset(KINDS) - {"definition", "reason"}


@dataclass(frozen=True)
class Terms:
    """What an answer should contain: question stems weighted by rarity, word pairs, glossary
    phrases, and the stems that only situate the question (a session, a year) which a unit's
    context satisfies as well as the unit itself."""

    weights: dict[str, float]
    pairs: tuple[tuple[str, str], ...]
    stands_for: tuple[tuple[str, str], ...]
    situating: frozenset[str] = frozenset()

    @property
    def keys(self) -> set[str]:
        return set(self.weights)


FOCUS_WEIGHT = 3.0  # set on one dev question (a list asked for by its kind); neutral on every other set
_FOCUS = re.compile(
    r"^\W*(?:which|what)\s+((?:[\w'’-]+\s+){1,5}?)(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|should)\b",
    re.I,
)


def focus_stems(question: str) -> set[str]:
    """The words naming what is asked for ("Which analysis and assessment services are listed…"):
    an answer must hold those, where the rest of the question may sit in its context."""
    match = _FOCUS.match(question)
    if not match:
        return set()
    return {s for s in stems(match.group(1)) if s not in _FUNCTION_STEMS}


def question_terms(question: AnalysedQuestion, idf: Callable[[str], float]) -> Terms:
    weights: dict[str, float] = {}
    for word in question.words:
        for s in stems(word):
            # A lone letter is a possessive's "s" ("WIPO's") or an initial, not a word asked about.
            if s not in _FUNCTION_STEMS and not (len(s) == 1 and s.isalpha()):
                weights[s] = idf(s)
    for s in focus_stems(question.text):
        if s in weights:
            weights[s] *= FOCUS_WEIGHT
    # Two capitalised words side by side ("Sequence Validator", "Task Force") name the subject,
    # which `naming` weighs; a pair of ordinary words ("functionally equivalent") is what is asked.
    pairs = tuple((stem(a), stem(b)) for a, b in question.phrases if not (a[:1].isupper() and b[:1].isupper()))
    situating = frozenset(stem(w) for w in question.words if _SITUATING.fullmatch(w))
    return Terms(weights, pairs, question.stands_for, situating)


@dataclass
class Candidate:
    unit: Unit
    score: float
    found: list[str] = field(default_factory=list)  # what the unit holds of the kind asked for
    named: float = 1.0  # share of the question's names, labels and identifiers found with it
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.unit.text

    @property
    def hit(self):
        return self.unit.hit


def passage_ids(unit: Unit) -> set[str]:
    """What the passage's document is, beyond its words: its identifiers, session, symbol, and
    for an office's report the office's country ("Japan" for JP), so "the Japan Patent Office"
    is found in a report that only ever says "JPO" or "the Office"."""
    passage = unit.hit.passage
    ids = set(passage.entities.all_ids()) | {passage.session or "", passage.symbol or ""}
    office = getattr(passage, "office", None)
    if office:
        ids |= {office, office_country(office)}
    return {i for i in ids if i}


def named_by_document(name: str, unit: Unit, intent: Intent) -> bool:
    """Whether what the unit's document is (`passage_ids`) names `name`: an identifier, the
    session, or the country of the office whose report it is ("Japan Patent Office")."""
    ids = passage_ids(unit)
    if name in ids:
        return True
    word = name.split()[0] if name.endswith("Office") else name
    return " " not in word and any(intent.pattern(word).search(i) for i in ids if i[:1].isalpha())


@lru_cache(maxsize=512)
def office_country(code: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or (country.name if country else code)


@lru_cache(maxsize=4096)
def _identifiers_by_family(text: str) -> dict[str, frozenset[str]]:
    found = extract_entities(text)
    return {
        "session": frozenset(found.sessions),
        "standard": frozenset(found.standards),
        "task": frozenset(found.tasks),
    }


def names_another(text: str, identifier: str) -> bool:
    """Whether `text` names a session, standard or task of the same family, and not `identifier`
    ("The twelfth session … was held …" asked about the thirteenth): it is about that other one,
    whatever its paragraph or document also mentions."""
    family = next((f for f, ids in _identifiers_by_family(identifier).items() if identifier in ids), None)
    if family is None:  # a document symbol, a label: not one of a family whose members exclude each other
        return False
    named = _identifiers_by_family(text)[family]
    return bool(named) and identifier not in named


def required_names(intent: Intent) -> list[str]:
    return list(dict.fromkeys(intent.identifiers + intent.labels + intent.names))


def naming(unit: Unit, intent: Intent) -> float:
    """Share of the question's names (and years) found in the unit (fully) or its context (mostly)."""
    # A year situates a question like a session does; with a session named, it adds nothing.
    sessions = [i for i in intent.identifiers if re.fullmatch(r"CWS/\d+\w*", i)]
    names = required_names(intent) + ([] if sessions else [y for y in intent.years if y not in intent.excluded])
    if not names:
        return 1.0
    total = 0.0
    for name in names:
        pattern = intent.pattern(name)
        situating = name not in intent.names  # identifiers, labels and years situate a whole passage
        if pattern.search(unit.text):
            total += 1.0
        elif names_another(unit.body, name):
            continue
        elif named_by_document(name, unit, intent):
            total += 0.8
        elif pattern.search(unit.context):
            total += 0.8 if situating else 0.5
    return total / len(names)


def _coverage(text_stems: set[str], context_stems: set[str], terms: Terms, body: str, context: str) -> float:
    """Share of the question's weight the unit holds: its own words fully, its context's at a
    discount (fully for words that only situate the question), a glossary phrase for its acronym."""
    total = sum(terms.weights.values()) or 1.0
    credit = dict.fromkeys(terms.weights, 0.0)
    for s, w in terms.weights.items():
        if s in text_stems:
            credit[s] = w
        elif s in context_stems:
            credit[s] = (1.0 if s in terms.situating else 0.5) * w
    for expansion, word in terms.stands_for:
        share = 1.0 if expansion.lower() in body.lower() else 0.5 if expansion.lower() in context.lower() else 0.0
        for s in stems(word):
            if s in credit:
                credit[s] = max(credit[s], share * terms.weights[s])
    return min(1.0, sum(credit.values()) / total)


def points_only(text: str) -> bool:
    """A sentence that ends by pointing elsewhere ("approve the new description as referred to in
    paragraph 16 above"): the paragraph it points to may be the answer. One whose pointer only
    sets a condition ("If the CWS approves it as proposed in paragraph 16 above, the Task Force
    will decide on review procedures") says something of its own after it."""
    match = _POINTER.search(text)
    return match is not None and len(text[match.end() :].split()) < 8


def _bigrams(text_stems: list[str]) -> set[tuple[str, str]]:
    """Adjacent content stems ("collect the information" gives ("collect", "inform"))."""
    content = [s for s in text_stems if s not in _FUNCTION_STEMS]
    return set(zip(content, content[1:]))


def _pairs(body: set[tuple[str, str]], context: set[tuple[str, str]], terms: Terms) -> float:
    """Share of the question's word pairs found side by side, weighted by their words' rarity;
    a pair in the unit's context counts half (fully if it only situates: "twelfth session")."""
    if not terms.pairs:
        return 0.0
    total = found = 0.0
    for pair in terms.pairs:
        weight = terms.weights.get(pair[0], 1.0) + terms.weights.get(pair[1], 1.0)
        total += weight
        if pair in body:
            found += weight
        elif pair in context:
            found += weight * (1.0 if set(pair) <= terms.situating else 0.5)
    return found / total


def _novelty(text_stems: list[str], terms: Terms) -> float:
    content = {s for s in text_stems if s not in _FUNCTION_STEMS}
    return len(content - terms.keys) / max(1, len(content))


_LIST_ITEM = r"[A-Z0-9][\w’'-]*(?:\s+(?:(?:of|for|to|the|on|in)\s+)?\(?[A-Z0-9][\w’'-]*\)?){0,6}"
_NAME_LIST = re.compile(rf"(?:{_LIST_ITEM},\s+){{2,}}(?:and\s+)?{_LIST_ITEM}(?:,?\s+and\s+{_LIST_ITEM})?")


def listed_only(unit: Unit, intent: Intent) -> bool:
    """The question's subject appears in the unit only as one name in a list of four or more
    names ("3D, API, Blockchain, Design Representation, ..."): a mention, not a statement."""
    names = [n for n in intent.names if len(n) > 2]
    if not names or intent.kind in {"office", "organization", "standard", "acronym"}:
        return False
    present = [n for n in names if intent.pattern(n).search(unit.body)]
    if not present:
        return False
    return any(
        all(intent.pattern(n).search(m.group(0)) for n in present) and len(re.split(r",|\band\b", m.group(0))) >= 4
        for m in _NAME_LIST.finditer(unit.body)
    )


def score_units(
    units: list[Unit],
    terms: Terms,
    intent: Intent,
    question: str,
    query_vector: np.ndarray,
    embedder: Embedder,
    recalled: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """Every unit as a candidate answer, best first; `recalled` are the doc ids of records whose
    facts were recalled rather than read from a CWS document."""
    if not units:
        return []

    def score(unit: Unit, meaning: float) -> Candidate:
        body_stems = stems(unit.body)
        context_stems = set(stems(unit.context))
        coverage = _coverage(set(body_stems), context_stems, terms, unit.body, unit.context)
        pairs = _pairs(_bigrams(body_stems), _bigrams(stems(unit.context)), terms)
        found = evidence(intent.kind, unit.body, intent, question) if intent.kind else []
        kind_bonus = 0.0
        if intent.kind == "definition":
            subjects = list(intent.identifiers + intent.labels) + ([" ".join(intent.names)] if intent.names else [])
            kind_bonus = 0.25 if defines(unit.body, subjects + list(intent.names)) else 0.0
        elif found:
            kind_bonus = 0.15 if intent.kind in STRICT_KINDS else 0.08
        named = naming(unit, intent)
        value = 0.40 * meaning + 0.35 * coverage + 0.12 * pairs + 0.06 / (1 + unit.rank) + kind_bonus
        value *= 0.65 + 0.35 * named
        if not found and _novelty(stems(unit.value) if unit.value else body_stems, terms) < NOVELTY:
            value *= 0.6
        if points_only(unit.body):
            value *= 0.75
        if listed_only(unit, intent):
            value *= 0.5
        if unit.hit.passage.kind == "record":
            value *= 0.7 if unit.hit.passage.doc_id in recalled else 0.85
        if len(unit.body) < 20 and unit.kind != "cell":
            value *= 0.7
        parts = {"meaning": meaning, "coverage": coverage, "pairs": pairs, "kind": kind_bonus, "named": named}
        return Candidate(unit, value, found, named, parts)

    # First pass with the passage's cosine standing in for each unit's meaning; only the most
    # promising units are then encoded.
    rough = sorted(((score(u, u.hit.cosine).score, i) for i, u in enumerate(units)), reverse=True)
    shortlist = [units[i] for _, i in rough[:UNITS_ENCODED]]
    # A unit's first few hundred characters carry its meaning; longer texts only cost time.
    cosines = embedder.encode_cached([u.text[:ENCODED_CHARS] for u in shortlist]) @ query_vector
    candidates = []
    for unit, cosine in zip(shortlist, cosines):
        # A table cell says little on its own; its row (the passage) carries the meaning.
        meaning = max(float(cosine), unit.hit.cosine) if unit.kind == "cell" else float(cosine)
        candidates.append(score(unit, meaning))
    candidates += [score(units[i], units[i].hit.cosine * 0.9) for _, i in rough[UNITS_ENCODED:]]
    candidates.sort(key=lambda c: -c.score)
    return candidates


def referenced_paragraphs(text: str) -> list[str]:
    """Paragraph numbers a sentence points to: 'as referred to in paragraph 16 above' → ['16']."""
    found: list[str] = []
    for match in re.finditer(r"paragraphs? (\d+)(?:\s*(?:and|to|,)\s*(\d+))?\s+(?:above|below)", text, re.I):
        found += [g for g in match.groups() if g]
    return found
