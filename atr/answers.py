"""Questions about ATR submissions answered from the submissions database itself.

"Which offices submitted trademark ATRs for 2024?" must reflect a link submitted a
minute ago, so it is answered from SQLite, not from an index rebuilt overnight.
Questions about years with no recorded submissions fall through to document search
(the CWS reports give counts for earlier years).
"""

from __future__ import annotations

import re

from answering.engine import Answer, Source
from atr.errors import InvalidSubmission
from atr.offices import normalize_office, office_name
from atr.report import TYPE_LABELS, TYPES
from atr.store import AtrStore, StoredSubmission

MAX_CHARS = 300
_ABOUT_ATRS = re.compile(r"\b(?:ATRs?|annual technical reports?)\b", re.I)
_ABOUT_SUBMITTING = re.compile(r"\b(?:submit\w*|sent|send|provided|filed|received|missing|not yet)\b", re.I)
_WHO = re.compile(r"\b(?:which|what|who|list)\b|\bhas\b|\bhave\b|\bdid\b", re.I)
_YEAR = re.compile(r"\b(19[6-9]\d|20\d\d)\b")
_TYPE_WORDS = {"PI": r"patent|ATR/PI|\bPI\b", "TM": r"trade ?marks?|ATR/TM|\bTM\b", "ID": r"designs?|ATR/ID|\bID\b"}
_OFFICE = re.compile(r"\b(?i:has|did|have)\s+([A-Z]{2})\b")


def _types(question: str) -> list[str]:
    found = [t for t in TYPES if re.search(_TYPE_WORDS[t], question, re.I)]
    return found or list(TYPES)


def _office(question: str) -> str | None:
    match = _OFFICE.search(question)
    if not match:
        return None
    try:
        return normalize_office(match.group(1))
    except InvalidSubmission:
        return None


def _asks_who_submitted(question: str) -> bool:
    """Whether the question asks who has (or has not) submitted ATRs."""
    return bool(_ABOUT_ATRS.search(question) and _ABOUT_SUBMITTING.search(question) and _WHO.search(question))


def _one_year(question: str) -> int | None:
    """The reporting year asked about, if the question names exactly one."""
    years = [int(y) for y in _YEAR.findall(question)]
    return years[0] if len(years) == 1 else None


def _labels(types: list[str]) -> str:
    return ", ".join(TYPE_LABELS[t] for t in types)


def _office_status(office: str, year: int, types: list[str], by_type: dict[str, list[str]]) -> str:
    """What one office has submitted for `year`, and which of the asked types are still missing."""
    done = [t for t in types if office in by_type[t]]
    missing = [t for t in types if office not in by_type[t]]
    subject = f"{office} ({office_name(office)})"
    if not done:
        return f"{subject} has not submitted an ATR on {year} activities ({_labels(missing)})."
    status = f"{subject} has submitted ATRs on {year} activities for: {_labels(done)}."
    return status + (f" Not yet: {_labels(missing)}." if missing else "")


def _offices_by_type(year: int, types: list[str], by_type: dict[str, list[str]]) -> str:
    """Every office that submitted for `year`, listed under each asked type."""
    parts = [f"{TYPE_LABELS[t]} ({len(by_type[t])}): {', '.join(by_type[t]) or 'none yet'}" for t in types]
    return f"ATRs on {year} activities were submitted by " + "; ".join(parts) + "."


def _counts_only(year: int, types: list[str], by_type: dict[str, list[str]]) -> str:
    """The short form when the lists would be too long: how many offices per type."""
    counts = ", ".join(f"{TYPE_LABELS[t]}: {len(by_type[t])} offices" for t in types)
    return f"ATRs on {year} activities so far — {counts}. The sources list each office's link."


def _source(s: StoredSubmission) -> Source:
    """A submission cited as a source: its link is the evidence."""
    return Source(
        doc_id=f"atr:{s.office}:{s.ip_type}:{s.year}",
        title=f"ATR/{s.ip_type} of {office_name(s.office)} on {s.year} activities",
        symbol=None,
        paragraph="",
        citation=f"ATR submissions, {s.office} {s.ip_type} {s.year}",
        text=f"{s.office} submitted its {TYPE_LABELS[s.ip_type]} ATR on {s.year} activities: {s.url}",
        snippet=s.url,
        score=1.0,
        url=s.url,
    )


class AtrSubmissionFacts:
    """An answer provider for `AnswerEngine`: which offices submitted ATRs, read from the ATR database.

    Returns None when the question is not for it, so document search answers it instead.
    """

    def __init__(self, store: AtrStore) -> None:
        self.store = store

    def __call__(self, question: str) -> Answer | None:
        if not _asks_who_submitted(question):
            return None
        office = _office(question)
        if re.search(r"\bhow many\b", question, re.I) and not office:
            return None  # counts are reported in CWS documents; leave them to document search
        year = _one_year(question)
        if year is None:
            return None
        submissions = self.store.current(year)
        if not submissions:
            return None
        types = _types(question)
        by_type = {t: sorted(s.office for s in submissions if s.ip_type == t) for t in types}
        text = _office_status(office, year, types, by_type) if office else _offices_by_type(year, types, by_type)
        if len(text) > MAX_CHARS:
            text = _counts_only(year, types, by_type)
        rows = [s for s in submissions if s.ip_type in types and (office is None or s.office == office)]
        return Answer(question, text, True, [_source(s) for s in rows])
