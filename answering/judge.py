"""Whether the documents answer the question at all, and with which unit.

A similarity threshold cannot tell an answer from a confident invention (invented answers
scored cosine 0.57-0.71, correct ones as low as 0.36), so the engine refuses on evidence:
- a name the question is about (an identifier such as ST.25, a numbered label such as
  Recommendation 7, a proper name such as Brunei or Nice) that no passage considered
  mentions, or that no answer mentions together with the rest of the question;
- no answer holding the kind of thing asked for (no date for "on what date", no office
  named for "which offices"), new to the question;
- the subject named only as one item of a long list, for a question about what it did;
- only the assistant's own recalled records, and no CWS document, saying it;
- a unit naming the subject but holding little of the rest of the question, while other units
  hold much more of it without the name (two facts the documents keep apart);
- nothing close in words or meaning.
The first candidate, best first, that passes every check is the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from answering.bridge import is_english_word
from answering.candidates import Candidate, listed_only, named_by_document, names_another
from answering.compose import NEIGHBOUR_KINDS
from answering.intent import Intent
from answering.kinds import DAY_DATE, countries, evidence
from answering.units import Unit, neighbours

CONSIDERED = 12  # candidates examined, best first
SCORE_WINDOW = 0.75  # a candidate scoring under this share of the best is not an answer
# See `_first_passing`. Share: 0.55 to 0.8 refuse the same questions; 0.9 starts refusing answerable ones.
APART_WIDEST, APART_SHARE = 0.6, 0.7
MIN_COVERAGE = 0.45  # share of the question's words; below it and below `min_meaning`, nothing is relevant
_EXPLICIT_DATE = re.compile(r"\b(?:what|which|on what|on which) (?:date|dates|day|days)\b|\bexact date\b", re.I)
# "When will … be held?": the year of the document that mentions it does not answer what is to come.
_FUTURE = re.compile(r"\b(?:will|shall|going to|next|upcoming|planned)\b", re.I)
KIND_MISSING = {
    "task": "names the task",
    "amount": "gives an amount of money",
    "version": "gives the version",
    "date": "gives a date for this",
    "year": "gives the year",
    "number": "gives that number",
    "document": "names the document",
    "paragraph": "gives the paragraph",
    "standard": "names such a standard",
    "language": "names the language",
    "office": "names the offices or countries",
    "organization": "names them",
    "person": "names who",
    "acronym": "spells that name out",
}


@dataclass(frozen=True)
class Verdict:
    best: Candidate | None
    reason: str = ""  # for a refusal: what the documents lack, "none of them mentions ST.25"
    recalled: Candidate | None = None  # a recalled record that speaks to it (not a CWS document)


def required_names(intent: Intent, corpus_has: Callable[[str], bool]) -> list[str]:
    """The names an answer must mention: identifiers, labels, and proper names that the corpus
    uses or that are plainly names (a country; a word in no English dictionary)."""
    names = list(intent.identifiers + intent.labels)
    for name in intent.names:
        if (
            corpus_has(name)
            or any(corpus_has(w) for w in re.findall(r"[A-Za-z]+", name) if len(w) > 3)
            or (not name.isupper() and (countries().fullmatch(name) or not is_english_word(name)))
        ):
            names.append(name)
    return list(dict.fromkeys(names))


def _mentions(candidate: Candidate, name: str, intent: Intent) -> bool:
    unit = candidate.unit
    pattern = intent.pattern(name)
    if pattern.search(unit.body):
        return True
    if names_another(unit.body, name):  # about another session, standard or task than the one asked
        return False
    return named_by_document(name, unit, intent) or bool(pattern.search(unit.context))


def _holds_kind(candidate: Candidate, units: list[Unit], intent: Intent, question: str, lenient: bool = False) -> bool:
    kind = intent.kind
    if kind == "date" and _EXPLICIT_DATE.search(question):
        texts = [candidate.unit.body] + [u.body for u in neighbours(candidate.unit, units) if u is not None]
        return any(DAY_DATE.search(t) for t in texts)
    if candidate.found:
        return True
    if kind in NEIGHBOUR_KINDS:
        for other in neighbours(candidate.unit, units):
            if other is not None and evidence(kind, other.body, intent, question):
                return True
    if kind == "date" and lenient:  # "when": the session or year of the document it comes from will do
        passage = candidate.unit.hit.passage
        return passage.kind != "record" and bool(passage.session or passage.year)
    return False


def judge(
    candidates: list[Candidate],
    units: list[Unit],
    intent: Intent,
    question: str,
    recalled: frozenset[str],
    corpus_has: Callable[[str], bool],
    min_meaning: float = 0.30,
) -> Verdict:
    """The best candidate that answers, or a refusal with its reason. `min_meaning` is the
    cosine (`answer.min_similarity`) under which, sharing few words too, nothing is relevant."""
    if not candidates:
        return Verdict(None, "nothing in them matches the question")
    names = required_names(intent, corpus_has)
    documents = [c for c in candidates if c.unit.hit.passage.doc_id not in recalled]
    # A recalled record is shown beside a refusal only when it is about the question's subject.
    from_records = next(
        (
            c
            for c in candidates
            if c.unit.hit.passage.doc_id in recalled and names and all(_mentions(c, n, intent) for n in names)
        ),
        None,
    )
    missing = [n for n in names if not any(_mentions(c, n, intent) for c in documents)]
    if missing:
        return Verdict(None, f"none of them mentions {_listing(missing)}", from_records)
    verdict = _first_passing(documents, units, intent, question, names, min_meaning, lenient=False)
    if (
        verdict.best is None
        and intent.kind == "date"
        and not _EXPLICIT_DATE.search(question)
        and not _FUTURE.search(question)
    ):
        verdict = _first_passing(documents, units, intent, question, names, min_meaning, lenient=True)
    return verdict if verdict.best else Verdict(None, verdict.reason, from_records)


def _first_passing(
    documents: list[Candidate],
    units: list[Unit],
    intent: Intent,
    question: str,
    names: list[str],
    min_meaning: float,
    lenient: bool,
) -> Verdict:
    """The best candidate that passes every check; else the reason the best one failed."""
    top = documents[0] if documents else None
    reasons: list[str] = []
    # The most of the question any unit holds: a unit naming the subject but holding little of
    # the rest, while others hold much more without the name, joins two facts the documents keep apart.
    widest = max((c.parts.get("coverage", 0.0) for c in documents[:CONSIDERED]), default=0.0)
    for candidate in documents[:CONSIDERED]:
        if top is None or candidate.score < SCORE_WINDOW * top.score:
            break
        if candidate is not top and candidate.parts["coverage"] < SCORE_WINDOW * top.parts["coverage"]:
            continue  # a stand-in for the best candidate must be about as much about the question
        lacking = [n for n in names if not _mentions(candidate, n, intent)]
        if lacking:
            reasons.append(f"none of them mentions {_listing(lacking)} together with the rest of the question")
            continue
        if names and widest >= APART_WIDEST and candidate.parts["coverage"] < APART_SHARE * widest:
            reasons.append(f"none of them mentions {_listing(names)} together with the rest of the question")
            continue
        if intent.kind in KIND_MISSING and not _holds_kind(candidate, units, intent, question, lenient):
            reasons.append(f"none of them {KIND_MISSING[intent.kind]}")
            continue
        if listed_only(candidate.unit, intent):
            reasons.append(f"they only list {_listing(list(intent.names))} among others")
            continue
        parts = candidate.parts
        if parts.get("meaning", 0.0) < min_meaning and parts.get("coverage", 0.0) < MIN_COVERAGE and not names:
            reasons.append("nothing in them is close to the question")
            continue
        return Verdict(candidate)
    return Verdict(None, reasons[0] if reasons else "nothing in them is close to the question")


def _listing(items: list[str]) -> str:
    quoted = list(dict.fromkeys(items))
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def refusal_text(verdict: Verdict) -> str:
    text = f"The CWS documents I have do not say: {verdict.reason}."
    if verdict.recalled is not None:
        text += (
            " The assistant's own records (recalled from WIPO's public pages, not from a CWS document) say: "
            f"{verdict.recalled.unit.body}"
        )
    return text + " The closest passages are listed below; they are not an answer."
