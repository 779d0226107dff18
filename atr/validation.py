"""Checks every field of an ATR submission; each failure names its field and the fix.

The URL is checked for whitespace and control characters *before* parsing, because
Python's URL parser silently drops tabs and newlines ("\\thttps://x" would pass).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import idna

from atr.errors import InvalidSubmission
from atr.offices import normalize_office

MAX_URL_LENGTH = 2048
MAX_NOTE_LENGTH = 500
IP_TYPES = {"PI": "patent", "TM": "trademark", "ID": "industrial design"}
_TYPE_WORDS = {
    "pi": "PI", "patent": "PI", "patents": "PI", "atr/pi": "PI",
    "tm": "TM", "trademark": "TM", "trademarks": "TM", "trade mark": "TM", "atr/tm": "TM",
    "id": "ID", "design": "ID", "designs": "ID", "industrial design": "ID", "industrial designs": "ID", "atr/id": "ID",
}
# Scripts whose letters look alike; mixing them in one label is the homoglyph trick
# ("wіpo" with a Cyrillic і). Japanese legitimately mixes CJK and Hiragana.
_CONFUSABLE = {"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"}
_SLACK_LINK = re.compile(r"^<([^<>|]+)(?:\|[^<>]*)?>$")


@dataclass(frozen=True)
class Submission:
    office: str
    ip_type: str  # PI, TM or ID
    year: int
    url: str
    note: str = ""


def normalize_type(raw: str) -> str:
    key = " ".join((raw or "").lower().split())
    if key.upper() in IP_TYPES:
        return key.upper()
    if key in _TYPE_WORDS:
        return _TYPE_WORDS[key]
    raise InvalidSubmission("type", f"'{raw}' is not an IP right: use PI (patent), TM (trademark) or ID (industrial design).")


def normalize_year(raw: str | int, current_year: int, first_year: int) -> int:
    text = str(raw).strip()
    if not re.fullmatch(r"[0-9]{4}", text):
        raise InvalidSubmission("year", f"'{text}' is not a year: give the four-digit year of the activities, e.g. {current_year - 1}.")
    year = int(text)
    if year > current_year:
        raise InvalidSubmission("year", f"{year} is in the future: the reporting year is the year of the activities, at most {current_year}.")
    if year < first_year:
        raise InvalidSubmission("year", f"{year} is before {first_year}, the first reporting year accepted.")
    return year


def _scripts(label: str) -> set[str]:
    """Unicode scripts of the letters in a domain label (by character name prefix)."""
    found = set()
    for char in label:
        if char.isalpha():
            name = unicodedata.name(char, "")
            found.add(name.split(" ")[0] if name else "UNKNOWN")
    return found


def _ascii_host(host: str) -> str:
    try:
        host.encode("ascii")
        return host.lower()
    except UnicodeEncodeError:
        pass
    for label in host.split("."):
        scripts = _scripts(label) & _CONFUSABLE
        if len(scripts) > 1:
            raise InvalidSubmission(
                "url",
                f"The domain label '{label}' mixes {' and '.join(sorted(s.title() for s in scripts))} letters, "
                "which is how look-alike (homoglyph) addresses are made; type the address with one alphabet.",
            )
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidSubmission("url", f"'{host}' is not a valid international domain name ({exc}).") from exc


def normalize_url(raw: str, allow_http: bool = False) -> str:
    text = (raw or "").strip(" ")  # only spaces around: Slack may add them; tabs/newlines are refused below
    match = _SLACK_LINK.match(text)
    if match:
        text = match.group(1)
    if not text:
        raise InvalidSubmission("url", "The link is missing: give the https:// address of the report.")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidSubmission("url", f"The link is {len(text):,} characters long; at most {MAX_URL_LENGTH:,} are accepted.")
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise InvalidSubmission("url", "The link contains spaces, tabs, line breaks or invisible control characters.")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if allow_http else ("https",)
    if scheme not in allowed:
        shown = f"'{scheme}:'" if scheme else "no scheme"
        raise InvalidSubmission("url", f"The link has {shown}; only {' or '.join(a + '://' for a in allowed)} links are accepted.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidSubmission("url", "The link contains a user name or password before '@'; remove it.")
    host = parts.hostname or ""
    if not host or "." not in host.strip("."):
        raise InvalidSubmission("url", "The link has no valid host name (e.g. https://www.example.org/report).")
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidSubmission("url", "The link has an invalid port number.") from exc
    netloc = _ascii_host(host) + (f":{port}" if port else "")
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def normalize_note(raw: str | None) -> str:
    note = " ".join((raw or "").split())
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidSubmission("note", f"The note is {len(note)} characters long; at most {MAX_NOTE_LENGTH} are accepted.")
    return note


def validate(
    office: str, ip_type: str, year: str | int, url: str, note: str | None,
    *, current_year: int, first_year: int, allow_http: bool = False,
) -> Submission:
    """All fields at once; raises InvalidSubmission for the first bad field."""
    return Submission(
        office=normalize_office(office),
        ip_type=normalize_type(ip_type),
        year=normalize_year(year, current_year, first_year),
        url=normalize_url(url, allow_http),
        note=normalize_note(note),
    )


def field_errors(
    office: str, ip_type: str, year: str, url: str, note: str | None,
    *, current_year: int, first_year: int, allow_http: bool = False,
) -> dict[str, str]:
    """Every bad field with its message (for a Slack modal, which shows errors per field)."""
    checks = {
        "office": lambda: normalize_office(office),
        "type": lambda: normalize_type(ip_type),
        "year": lambda: normalize_year(year, current_year, first_year),
        "url": lambda: normalize_url(url, allow_http),
        "note": lambda: normalize_note(note),
    }
    errors = {}
    for name, check in checks.items():
        try:
            check()
        except InvalidSubmission as exc:
            errors[name] = str(exc)
    return errors
