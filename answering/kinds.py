"""Does a text hold the kind of thing a question asks for?

`evidence(kind, text, intent)` finds the dates, numbers, offices, document symbols, ... in a
candidate answer that the question did not already contain: "in 2025" does not answer "on
what date in 2025", and "ST.26" does not answer "apart from ST.26, which standards".
"""

from __future__ import annotations

import re
from functools import lru_cache

from answering.intent import Intent

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
DAY_DATE = re.compile(rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}\b|\b\d{{1,2}}\.\d{{1,2}}\.(?:19|20)\d\d\b")
_MONTH_YEAR = re.compile(rf"\b{_MONTH}(?:\s+(?:of\s+)?((?:19|20)\d\d))?\b")
_YEAR = re.compile(r"(?<![\w/.,])((?:19|20)\d\d)(?![\w/]|[.,]\d)")
_SESSION = re.compile(
    r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
    r"fourteenth|fifteenth|\d{1,2}(?:st|nd|rd|th)|fortieth|forty-\w+)\s+session\b|\bCWS/\d+\b",
    re.I,
)
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|dozen|"
    r"half|twice|once)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?"
)
_NUMBER = re.compile(rf"(?<![\w./-])(\d[\d,.]*%?|{_NUMBER_WORD})(?![\w/]|\.\d)", re.I)
_IDENTIFIER = re.compile(
    r"\b[A-Z]+(?:[./][A-Z0-9]+)*[./]\d+(?:[./]\d+)*\b|\bST\.\s?\d+|\bTask No\. \d+|\b\d+\.\d+\.\d+\b"
)
_SYMBOL = re.compile(r"\b(?:[A-Z]{1,8}/){1,3}(?:\d{1,3}(?:\s?BIS)?/)+\d{1,3}\b|\bC\.CWS\.\d+\b")
_MONEY = re.compile(
    r"(?:CHF|USD|EUR|US\$|\$|€|£)\s?\d[\d,.]*(?:\s?(?:million|billion|thousand))?|"
    r"\b\d[\d,.]*\s?(?:million|billion|thousand)?\s?(?:Swiss francs|francs|dollars|euros|CHF|USD|EUR)\b",
    re.I,
)
_VERSION = re.compile(r"\b\d+\.\d+(?:\.\d+)+\b|\bversion\s+\d+(?:\.\d+)*\b", re.I)
_PARAGRAPH = re.compile(r"\bparagraphs?\s+(\d+)|\bparas?\.\s*(\d+)", re.I)
_STANDARD = re.compile(r"\bST\.\s?(\d{1,3}(?:/[A-Z])?)\b")
_URL = re.compile(r"https?://\S+|\bwww\.\S+|\b[\w-]+\.(?:int|org|com|net)/\S*")
_TASK = re.compile(r"\bTask No\. \d+")
_PLACE_NAME = re.compile(rf"\b(?:in|at|on)\s+(?!{_MONTH}\b|the\b|The\b)([A-Z][a-z]+(?:\s+[A-Z][a-z]+){{0,2}})")
_PLACE = re.compile(r"\b(?:website|web site|web page|wiki|Database|database|portal|platform|page)\b")
_LANGUAGE = re.compile(
    r"\b(?:English|French|Spanish|Arabic|Chinese|Russian|Japanese|Korean|German|Portuguese|Italian)\b"
)
_TITLE = re.compile(r"\b(?:Mr|Ms|Mrs|Dr|Prof|Sir|Madam)\.?\s+[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*")
_ORG_HEAD = (
    r"(?:Office|Offices|Organization|Organisation|Unit|Bureau|Agency|Institute|Ministry|Department|Division|"
    r"Task Force|Commission|Assembly|Union|Group|Committee|Centre|Center|Council|Administration|Directorate|"
    r"Authority|Service|Registry|Secretariat|Fund-in-Trust|Fund|Foundation|Association|University)"
)
_DETERMINERS = r"(?!(?:The|This|That|These|Those|Its|Their|Each|All|Any|Some|A|An|IP|CWS|WIPO)\b)"
_ORGANIZATION = re.compile(rf"\b{_DETERMINERS}(?:[A-Z][\w’'-]+\s+(?:(?:of|for|and|the|on)\s+)?){{1,6}}{_ORG_HEAD}\b")
# A particular office: "Japan Patent Office", "Brunei Intellectual Property Office", "IP Australia", "EPO"
_OFFICE = re.compile(
    rf"\b{_DETERMINERS}(?:[A-Z][\w’'-]+\s+){{1,5}}(?:Patent\s+|Property\s+|Trademark\s+|IP\s+)?Office\b|"
    r"\bIP\s+[A-Z][a-z]+\b|\b[A-Z]{1,5}(?:IPO|PO|PTO|IPA)\b"
)
_PAREN_ACRONYM = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")
_GENERIC_ACRONYMS = frozenset({"CWS", "WIPO", "IP", "IPO", "IPOS", "ST", "ICT", "XML", "API", "ATR", "ATRS", "PCT"})
_REASON = re.compile(
    r"\b(?:because|due to|owing to|as a result of|in order to|so that|given that|considering|on the basis of|"
    r"the reason|aims? to|aimed at|meant to|intended to|to ensure|to improve|to help|to assist|to allow|to enable|"
    r"led to|after noting|noting that|in light of|in response to|following)\b"
    # a purpose opening the sentence ("To reflect the opinions of …, the CWS requested …") and a
    # cause given with "as" ("as information technologies are … evolving")
    r"|^\W*To [a-z]+\b|\bas (?:[a-z]+ ){1,3}(?:is|are|was|were|has|have) (?:\w+ly (?:and \w+ly )?)?\w+(?:ing|ed)\b",
    re.I,
)
_DEFINITION_VERBS = (
    r"(?:(?:is|are|was|were) (?:a|an|the)|means|refers to|reads|stands for|covers|concerns|specifies|relates to)"
)


@lru_cache(maxsize=1)
def countries() -> re.Pattern[str]:
    """Country names and the adjectives made from them ("Egypt", "Egyptian"), from pycountry."""
    import pycountry

    names: set[str] = set()
    for country in pycountry.countries:
        for attribute in ("name", "common_name"):
            value = getattr(country, attribute, None)
            if value and "," not in value:
                names.add(value.split(" (")[0])
    stems = sorted({n if len(n) < 6 else n[: max(5, len(n) - 2)] for n in names}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")[a-z]*\b")


def _novel(found: list[str], intent: Intent, question: str) -> list[str]:
    asked = {v.lower() for v in intent.asked_values} | {e.lower() for e in intent.excluded + intent.identifiers}
    lowered_question = question.lower()
    return [f for f in found if f.lower() not in asked and f.lower() not in lowered_question]


def evidence(kind: str, text: str, intent: Intent, question: str) -> list[str]:
    """The things in `text` of the asked kind that the question did not already contain."""
    if kind == "date":
        found = [m.group(0) for m in DAY_DATE.finditer(text)] + [m.group(0) for m in _MONTH_YEAR.finditer(text)]
        found += [m.group(1) for m in _YEAR.finditer(text)] + [m.group(0) for m in _SESSION.finditer(text)]
        return _novel(found, intent, question)
    if kind == "year":
        return _novel([m.group(1) for m in _YEAR.finditer(text)], intent, question)
    if kind == "number":
        plain = _IDENTIFIER.sub(" ", _URL.sub(" ", text))
        found = [m.group(1) for m in _NUMBER.finditer(plain) if not _YEAR.fullmatch(m.group(1))]
        return _novel(found, intent, question)
    if kind == "task":
        return _novel(_TASK.findall(text), intent, question)
    if kind == "amount":
        return _novel([m.group(0) for m in _MONEY.finditer(text)], intent, question)
    if kind == "version":
        return _novel(_VERSION.findall(text), intent, question)
    if kind == "document":
        return _novel([m.group(0) for m in _SYMBOL.finditer(text)], intent, question)
    if kind == "paragraph":
        return _novel([m.group(0) for m in _PARAGRAPH.finditer(text)], intent, question)
    if kind == "standard":
        return _novel([f"ST.{m.group(1)}" for m in _STANDARD.finditer(text)], intent, question)
    if kind == "language":
        return _novel(_LANGUAGE.findall(text), intent, question)
    if kind == "place":
        names = [m.group(1) for m in _PLACE_NAME.finditer(text)]
        return [m.group(0) for m in _URL.finditer(text)] + _novel(_PLACE.findall(text) + names, intent, question)
    if kind == "person":
        return _novel(_TITLE.findall(text), intent, question) or organizations(text, intent, question)
    if kind == "organization":
        return organizations(text, intent, question)
    if kind == "office":
        return offices(text, intent, question)
    if kind == "acronym":
        return expansions(text, intent)
    if kind == "reason":
        return _REASON.findall(text)
    return []


def organizations(text: str, intent: Intent, question: str) -> list[str]:
    """Named offices, bodies and countries (not the generic "IP offices" or "CWS Members")."""
    found = [m.group(0) for m in _ORGANIZATION.finditer(text)]
    found += [m.group(0) for m in countries().finditer(text)]
    found += [a for a in _PAREN_ACRONYM.findall(text) if a.upper() not in _GENERIC_ACRONYMS]
    return _novel(found, intent, question)


def offices(text: str, intent: Intent, question: str) -> list[str]:
    """Particular offices and countries: "Egyptian IP Office", "Brunei Darussalam", "EPO"."""
    found = [m.group(0) for m in _OFFICE.finditer(text)] + [m.group(0) for m in countries().finditer(text)]
    return _novel([f for f in found if f.upper() not in _GENERIC_ACRONYMS], intent, question)


def expansions(text: str, intent: Intent) -> list[str]:
    """ "Public Access to Patent Information (PAPI)" for a question that names PAPI."""
    out = []
    for acronym in [n for n in intent.names if n.isupper()]:
        for match in re.finditer(
            rf"((?:[A-Z][\w-]*\s+(?:(?:of|to|for|and|the|on|in)\s+)*)+)\({re.escape(acronym)}\)", text
        ):
            out.append(f"{match.group(1).strip()} ({acronym})")
    return out


def defines(text: str, subjects: list[str]) -> bool:
    """Whether `text` defines one of `subjects` ("ST.37 is the standard for ...", "ST.92: ...")."""
    names = "|".join(re.escape(s) for s in subjects if s)
    if not names:
        return False
    return bool(
        re.search(
            rf"(?:{names})\s*:|(?:{names})\s*(?:\([^)]*\)\s*)?,?\s+{_DEFINITION_VERBS}\b|description of (?:{names})|"
            rf"\(as (?:Standard )?(?:{names})\)|\b(?:reads|as follows):",
            text,
            re.I,
        )
    )
