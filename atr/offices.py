"""WIPO ST.3 office codes: ISO 3166-1 alpha-2 states (pycountry) plus organisation codes.

ST.3 follows ISO 3166-1 for states; the intergovernmental organisations' codes are
ST.3's own and are written here.
"""

from __future__ import annotations

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


def normalize_office(raw: str) -> str:
    """'gb' → 'GB'; 'UK' → error 'did you mean GB?'; anything else not in ST.3 → error."""
    code = (raw or "").strip().upper()
    if not code:
        raise InvalidSubmission("office", "Office is missing: give the office's two-letter WIPO ST.3 code, e.g. GB.")
    if code in LIKELY_MEANT:
        meant = LIKELY_MEANT[code]
        raise InvalidSubmission("office", f"'{raw.strip()}' is not a WIPO ST.3 code; did you mean {meant}?")
    if len(code) != 2 or not code.isalpha():
        raise InvalidSubmission("office", f"'{raw.strip()}' is not a two-letter WIPO ST.3 office code (e.g. GB, EP, WO).")
    if not is_office(code):
        raise InvalidSubmission("office", f"'{code}' is not a WIPO ST.3 office code.")
    return code
