"""WIPO ST.3 office codes: ISO 3166-1 alpha-2 states (pycountry) plus organisation codes.

ST.3 follows ISO 3166-1 for states; the intergovernmental organisations' codes are
ST.3's own and are written here.
"""

from __future__ import annotations

import re

import pycountry

from atr.errors import InvalidSubmission

ORGANISATIONS: dict[str, str] = {
    "AP": "African Regional Intellectual Property Organization (ARIPO)",
    "BX": "Benelux Office for Intellectual Property (BOIP)",
    "EA": "Eurasian Patent Organization (EAPO)",
    "EM": "European Union Intellectual Property Office (EUIPO)",
    "EP": "European Patent Office (EPO)",
    "GC": "Patent Office of the Cooperation Council for the Arab States of the Gulf (GCC Patent Office)",
    "IB": "International Bureau of WIPO",
    "OA": "African Intellectual Property Organization (OAPI)",
    "QZ": "Community Plant Variety Office (European Union) (CPVO)",
    "WO": "World Intellectual Property Organization (WIPO)",
    "XN": "Nordic Patent Institute (NPI)",
    "XU": "International Union for the Protection of New Varieties of Plants (UPOV)",
    "XV": "Visegrad Patent Institute (VPI)",
}
_ASCII_LETTERS = re.compile(r"[A-Za-z]+")
# Codes people type that are not ST.3 codes, with the code they most likely mean.
LIKELY_MEANT = {"UK": "GB", "EU": "EM", "EL": "GR", "OAPI": "OA", "EPO": "EP", "WIPO": "WO", "KO": "KR", "JA": "JP"}


def office_name(code: str) -> str:
    if code in ORGANISATIONS:
        return ORGANISATIONS[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def is_office(code: str) -> bool:
    return code in ORGANISATIONS or pycountry.countries.get(alpha_2=code) is not None


def escaped(text: str) -> str:
    """`text` with control and invisible characters written as escapes (\\x1b), so a message that quotes
    user input never carries raw control bytes to a terminal or to Slack."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def quoted(raw: str, limit: int = 40) -> str:
    """User text quoted back in a message: escaped, and shortened when long."""
    text = escaped(raw)
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def normalize_office(raw: str) -> str:
    """'gb' → 'GB'; 'UK' → error 'did you mean GB?'; anything else not in ST.3 → error.

    Only the ASCII letters A-Z are accepted, checked before upper-casing: Python upper-cases
    'ß' to 'SS' (South Sudan) and 'ﬁ' to 'FI' (Finland), which would store an office nobody typed.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidSubmission("office", "Office is missing: give the office's two-letter WIPO ST.3 code, e.g. GB.")
    if not _ASCII_LETTERS.fullmatch(text):
        raise InvalidSubmission(
            "office",
            f"{quoted(text)} is not a two-letter WIPO ST.3 office code (e.g. GB, EP, WO): use the letters A-Z only.",
        )
    code = text.upper()
    if code in LIKELY_MEANT:
        raise InvalidSubmission("office", f"{quoted(text)} is not a WIPO ST.3 code; did you mean {LIKELY_MEANT[code]}?")
    if len(code) != 2:
        raise InvalidSubmission(
            "office", f"{quoted(text)} is not a two-letter WIPO ST.3 office code (e.g. GB, EP, WO)."
        )
    if not is_office(code):
        raise InvalidSubmission("office", f"'{code}' is not a WIPO ST.3 office code.")
    return code
