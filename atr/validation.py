"""Checks every field of an ATR submission; each failure names its field and the fix.

The URL is checked for whitespace and control characters *before* parsing, because
Python's URL parser silently drops tabs and newlines ("\\thttps://x" would pass).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

import idna

from atr.errors import InvalidSubmission
from atr.offices import escaped, normalize_office, quoted

MAX_URL_LENGTH = 2048
MAX_NOTE_LENGTH = 500
IP_TYPES = {"PI": "patent", "TM": "trademark", "ID": "industrial design"}
_TYPE_WORDS = {
    "pi": "PI",
    "patent": "PI",
    "patents": "PI",
    "atr/pi": "PI",
    "tm": "TM",
    "trademark": "TM",
    "trademarks": "TM",
    "trade mark": "TM",
    "atr/tm": "TM",
    "id": "ID",
    "design": "ID",
    "designs": "ID",
    "industrial design": "ID",
    "industrial designs": "ID",
    "atr/id": "ID",
}
# Scripts whose letters look alike; mixing them in one label is the homoglyph trick
# ("wіpo" with a Cyrillic і). Japanese legitimately mixes CJK and Hiragana.
_CONFUSABLE = {"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"}
_SLACK_LINK = re.compile(r"^<([^<>|]+)(?:\|[^<>]*)?>$")
# Characters RFC 3986 never allows unencoded in a link (space and controls are refused before).
_NOT_IN_URLS = frozenset('<>"{}|\\^`')
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_BRACKETED = re.compile(r"\[([^\[\]]*)\](?::([^:]*))?")
_PORT = re.compile(r"[0-9]{1,5}")  # ASCII digits only: int() would also read '８０'
_DEFAULT_PORTS = {"https": 443, "http": 80}
_JOINERS = {"\u200c", "\u200d"}  # zero-width (non-)joiner: needed to write Persian, Indic scripts, emoji


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
    raise InvalidSubmission(
        "type", f"{quoted(raw or '')} is not an IP right: use PI (patent), TM (trademark) or ID (industrial design)."
    )


def normalize_year(raw: str | int, current_year: int, first_year: int) -> int:
    text = str(raw).strip()
    if not re.fullmatch(r"[0-9]{4}", text):
        raise InvalidSubmission(
            "year",
            f"{quoted(text)} is not a year: give the four-digit year of the activities, e.g. {current_year - 1}.",
        )
    year = int(text)
    if year > current_year:
        raise InvalidSubmission(
            "year",
            f"{year} is in the future: the reporting year is the year of the activities, at most {current_year}.",
        )
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


def _refuse(message: str) -> InvalidSubmission:
    return InvalidSubmission("url", message)


def _check_look_alikes(ascii_host: str) -> None:
    """Refuse a label mixing look-alike scripts, whether typed in Unicode or as its A-label (xn--…):
    the A-labels are decoded first, so 'xn--wpo-jhd' is judged as the 'wіpo' it displays as."""
    for label in ascii_host.split("."):
        shown = idna.decode(label) if label.startswith("xn--") else label
        scripts = _scripts(shown) & _CONFUSABLE
        if len(scripts) > 1:
            raise _refuse(
                f"The domain label '{shown}'{f' ({label})' if shown != label else ''} mixes "
                f"{' and '.join(sorted(s.title() for s in scripts))} letters, which is how look-alike (homoglyph) "
                "addresses are made; type the address with one alphabet."
            )


def _ip_host(address: ipaddress.IPv4Address | ipaddress.IPv6Address, typed: str) -> str:
    """A public IP address as a URL host; private, loopback, reserved and IPv4-mapped addresses are refused."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        raise _refuse(
            f"The link's host {quoted(typed)} is an IPv4 address written as IPv6; "
            "give the report's domain name (or the IPv4 address itself)."
        )
    if not address.is_global:
        raise _refuse(
            f"The link's host {quoted(typed)} is a private, loopback or reserved address; "
            "give the report's public address."
        )
    return f"[{address.compressed}]" if address.version == 6 else str(address)


def _domain_host(host: str) -> str:
    """A domain name in its ASCII form: every label checked by idna (UTS 46 mapping, IDNA 2008 rules:
    letters, digits and inner hyphens, at most 63 characters a label and 253 a name, valid A-labels)."""
    try:
        ascii_host = idna.encode(host, uts46=True, std3_rules=True).decode("ascii")
        if ascii_host.endswith("."):  # the root's dot: the same host, written without it
            ascii_host = ascii_host[:-1]
        _check_look_alikes(ascii_host)
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise _refuse(
            f"The host name {quoted(host)} is not a valid domain name: {escaped(str(exc))} "
            "(each part between dots is letters, digits and inner hyphens, at most 63 characters; "
            "at most 253 in all)."
        ) from exc
    last = ascii_host.rsplit(".", 1)[-1]
    if last.isdigit() or last.startswith("0x"):  # browsers read a numeric last label as an IPv4 address
        try:
            return _ip_host(ipaddress.IPv4Address(ascii_host), host)
        except ipaddress.AddressValueError as exc:
            raise _refuse(f"The link's host {quoted(host)} is neither a domain name nor an IPv4 address.") from exc
    if "." not in ascii_host:
        raise _refuse("The link has no valid host name (e.g. https://www.example.org/report).")
    return ascii_host


def _netloc(netloc: str, scheme: str) -> str:
    """The host (and a port other than the scheme's default) in normal form, or InvalidSubmission."""
    if not netloc:
        raise _refuse("The link has no valid host name (e.g. https://www.example.org/report).")
    if "@" in netloc:
        raise _refuse("The link contains a user name or password before '@'; remove it.")
    if "%" in netloc:
        raise _refuse("The link's host name contains percent-encoded characters (%); type the host name plainly.")
    bracketed = _BRACKETED.fullmatch(netloc)
    if bracketed:
        try:
            host = _ip_host(ipaddress.IPv6Address(bracketed.group(1)), f"[{bracketed.group(1)}]")
        except ipaddress.AddressValueError as exc:
            raise _refuse(f"The link's host {quoted(bracketed.group(1))} in [ ] is not an IPv6 address.") from exc
        port = bracketed.group(2)
    elif "[" in netloc or "]" in netloc:
        raise _refuse("The link's host has unmatched or misplaced [ ]; only an IPv6 address goes in brackets.")
    else:
        host, _, port = netloc.partition(":") if netloc.count(":") == 1 else (netloc, "", None)
        if ":" in host:
            raise _refuse("The link's host has more than one ':'; an IPv6 address must be in [ ].")
        host = _domain_host(host)
    if not port:  # none, or an empty one ("x.org:")
        return host
    if not _PORT.fullmatch(port) or not 1 <= int(port) <= 65535:
        raise _refuse(f"The link has an invalid port {quoted(port)}: a port is a number from 1 to 65535.")
    return host if int(port) == _DEFAULT_PORTS[scheme] else f"{host}:{int(port)}"


def normalize_url(raw: str, allow_http: bool = False) -> str:
    """The link in normal form (lower-case scheme, ASCII host, no default port, '/' for no path), or InvalidSubmission.

    Checked on the raw text first (controls, scheme, characters never allowed raw), then parsed:
    Python's parser drops some characters silently and raises on others, so nothing reaches it unchecked.
    """
    text = (raw or "").strip(" ")  # only spaces around: Slack may add them; tabs/newlines are refused below
    match = _SLACK_LINK.match(text)
    if match:
        text = match.group(1)
    if not text:
        raise _refuse("The link is missing: give the https:// address of the report.")
    if len(text) > MAX_URL_LENGTH:
        raise _refuse(f"The link is {len(text):,} characters long; at most {MAX_URL_LENGTH:,} are accepted.")
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in text):
        raise _refuse("The link contains spaces, tabs, line breaks or invisible control characters.")
    scheme_match = _SCHEME.match(text)  # as urlsplit reads it, before anything else can be wrong
    scheme = scheme_match.group(1).lower() if scheme_match and "." not in scheme_match.group(1) else ""
    allowed = ("https", "http") if allow_http else ("https",)
    if scheme not in allowed:
        shown = f"{quoted(scheme + ':')}" if scheme else "no scheme"
        raise _refuse(f"The link has {shown}; only {' or '.join(a + '://' for a in allowed)} links are accepted.")
    unsafe = next((ch for ch in text if ch in _NOT_IN_URLS), None)
    if unsafe is not None:
        raise _refuse(
            f"The link contains '{unsafe}', which is not allowed in a link; "
            f"if it belongs there, write it percent-encoded ({quote(unsafe, safe='')})."
        )
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # unmatched [ ], characters that normalise into / ? # @ :
        raise _refuse(f"The link's host is not a valid name or address ({escaped(str(exc))}).") from exc
    netloc = _netloc(parts.netloc, scheme)
    if _BAD_ESCAPE.search(text.split("//", 1)[-1]):
        raise _refuse("The link has a '%' not followed by two hexadecimal digits; write '%' itself as %25.")
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def normalize_note(raw: str | None) -> str:
    """The note as one line: whitespace collapsed, control and invisible formatting characters removed
    (they would reach terminals, CSV files and Slack), except the joiners some scripts need."""
    words = " ".join((raw or "").split())
    kept = "".join(ch for ch in words if ch in _JOINERS or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    note = " ".join(kept.split())
    if len(note) > MAX_NOTE_LENGTH:
        raise InvalidSubmission(
            "note", f"The note is {len(note)} characters long; at most {MAX_NOTE_LENGTH} are accepted."
        )
    return note


def validate(
    office: str,
    ip_type: str,
    year: str | int,
    url: str,
    note: str | None,
    *,
    current_year: int,
    first_year: int,
    allow_http: bool = False,
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
    office: str,
    ip_type: str,
    year: str,
    url: str,
    note: str | None,
    *,
    current_year: int,
    first_year: int,
    allow_http: bool = False,
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
