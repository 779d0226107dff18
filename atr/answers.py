"""Questions about ATR submissions answered from the submissions database itself.

"Which offices submitted trademark ATRs for 2024?" must reflect a link submitted a
minute ago, so it is answered from SQLite, not from an index rebuilt overnight.
Questions about years with no recorded submissions fall through to document search
(the CWS reports give counts for earlier years).
"""

from __future__ import annotations

import re

from atr.offices import normalize_office, office_name
from atr.report import TYPE_LABELS, TYPES
from atr.store import AtrStore
from atr.errors import InvalidSubmission
from answering.engine import Answer, Source

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


class SubmissionAnswers:
    """An answer provider for `AnswerEngine`: returns None when the question is not for it."""

    def __init__(self, store: AtrStore) -> None:
        self.store = store

    def __call__(self, question: str) -> Answer | None:
        if not (_ABOUT_ATRS.search(question) and _ABOUT_SUBMITTING.search(question) and _WHO.search(question)):
            return None
        if re.search(r"\bhow many\b", question, re.I) and not _office(question):
            return None  # counts are reported in CWS documents; leave them to document search
        years = [int(y) for y in _YEAR.findall(question)]
        if len(years) != 1:
            return None
        year = years[0]
        submissions = self.store.current(year)
        if not submissions:
            return None
        types = _types(question)
        office = _office(question)
        by_type = {t: sorted(s.office for s in submissions if s.ip_type == t) for t in types}
        if office:
            done = [TYPE_LABELS[t] for t in types if office in by_type[t]]
            missing = [TYPE_LABELS[t] for t in types if office not in by_type[t]]
            text = f"{office} ({office_name(office)}) " + (
                f"has submitted ATRs on {year} activities for: {', '.join(done)}." if done else f"has not submitted an ATR on {year} activities"
            ) + (f" Not yet: {', '.join(missing)}." if done and missing else "" if done else f" ({', '.join(missing)}).")
        else:
            parts = [f"{TYPE_LABELS[t]} ({len(by_type[t])}): {', '.join(by_type[t]) or 'none yet'}" for t in types]
            text = f"ATRs on {year} activities were submitted by " + "; ".join(parts) + "."
        if len(text) > MAX_CHARS:
            counts = ", ".join(f"{TYPE_LABELS[t]}: {len(by_type[t])} offices" for t in types)
            text = f"ATRs on {year} activities so far — {counts}. The sources list each office's link."
        rows = [s for s in submissions if s.ip_type in types and (office is None or s.office == office)]
        sources = [
            Source(
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
            for s in rows
        ]
        return Answer(question, text, True, sources)
