"""Hostile ATR input (issue 15 §5), through the validator the slash command and the form use.

Each row is an input and its expected outcome: accepted and stored as the normal form
given, or refused with a message on that field mentioning the words given. `/atr submit`
calls `validate`, the form calls `field_errors` then `validate` (bot/atr_access.py), and
`cws atr submit` does the same, so these tables are what all three accept.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from atr.errors import InvalidSubmission
from atr.report import export
from atr.store import AtrStore
from atr.validation import Submission, field_errors, normalize_note, validate
from cws.cli import cli

RULES = {"current_year": 2026, "first_year": 2000}
GOOD = {"office": "GB", "ip_type": "TM", "year": "2024", "url": "https://www.ipo.gov.uk/atr", "note": ""}


def ok(normal: str) -> tuple[str, str]:
    return ("ok", normal)


def refused(words: str) -> tuple[str, str]:
    return ("refused", words)


NO_HOST = refused("no valid host name")
INVALID_HOST = refused("not a valid name or address")
CONTROL = refused("spaces, tabs, line breaks or invisible control characters")
NOT_DOMAIN = refused("is not a valid domain name")
NOT_PUBLIC = refused("private, loopback or reserved address")
NEITHER = refused("neither a domain name nor an IPv4 address")
BAD_PORT = refused("invalid port")
USER = refused("user name or password")
LOOK_ALIKE = refused("look-alike (homoglyph)")
PERCENT_HOST = refused("percent-encoded characters")
BAD_ESCAPE = refused("'%' not followed by two hexadecimal digits")


def unsafe(char: str) -> tuple[str, str]:
    return refused(f"contains '{char}', which is not allowed in a link")


LABEL_63 = "a" * 63
URLS: list[tuple[str, tuple[str, str]]] = [
    # Accepted, in their normal form.
    ("https://www.wipo.int/atr/2024", ok("https://www.wipo.int/atr/2024")),
    ("https://www.wipo.int", ok("https://www.wipo.int/")),
    ("HTTPS://WWW.JPO.GO.JP", ok("https://www.jpo.go.jp/")),
    ("  https://www.dpma.de/atr-2024.pdf  ", ok("https://www.dpma.de/atr-2024.pdf")),
    ("<https://www.ipo.gov.uk/report>", ok("https://www.ipo.gov.uk/report")),
    ("<https://www.ipo.gov.uk/report|Annual report>", ok("https://www.ipo.gov.uk/report")),
    ("https://www.wipo.int/a?b=1&c=2#top", ok("https://www.wipo.int/a?b=1&c=2#top")),
    ("https://x.org/a;b=c/(d)/e'f", ok("https://x.org/a;b=c/(d)/e'f")),
    ("https://x.org/a-b_c~d.e", ok("https://x.org/a-b_c~d.e")),
    ("https://x.org/a/../b", ok("https://x.org/a/../b")),
    ("https://x.org/a%20b%E2%9C%93", ok("https://x.org/a%20b%E2%9C%93")),
    ("https://a.b.c.d.e.example.org/", ok("https://a.b.c.d.e.example.org/")),
    ("https://1and1.com/", ok("https://1and1.com/")),
    (f"https://{LABEL_63}.org/", ok(f"https://{LABEL_63}.org/")),
    ("https://sub-domain.example-office.org/", ok("https://sub-domain.example-office.org/")),
    ("https://bücher.de/atr", ok("https://xn--bcher-kva.de/atr")),
    ("https://münchen.de/atr", ok("https://xn--mnchen-3ya.de/atr")),
    ("https://例え.jp/atr", ok("https://xn--r8jz45g.jp/atr")),
    ("https://例え.テスト/", ok("https://xn--r8jz45g.xn--zckzah/")),
    ("https://кпо.рф/atr", ok("https://xn--j1aic.xn--p1ai/atr")),  # all Cyrillic: one script
    ("https://ελλάδα.gr/", ok("https://xn--hxakic4aa.gr/")),  # all Greek
    ("https://faß.de/", ok("https://xn--fa-hia.de/")),  # IDNA 2008: ß is kept, not turned into ss
    ("https://xn--bcher-kva.de/", ok("https://xn--bcher-kva.de/")),
    ("https://XN--BCHER-KVA.DE/x", ok("https://xn--bcher-kva.de/x")),
    ("https://ｗｗｗ．ｗｉｐｏ．ｉｎｔ/atr", ok("https://www.wipo.int/atr")),  # full-width, mapped by UTS 46
    ("https://bücher.de/ä?q=ü#ü", ok("https://xn--bcher-kva.de/ä?q=ü#ü")),
    ("https://wipo.int./atr", ok("https://wipo.int/atr")),  # the root's dot
    ("https://x.org:443/a", ok("https://x.org/a")),  # the default port
    ("https://x.org:/a", ok("https://x.org/a")),  # an empty port
    ("https://x.org:8443/a", ok("https://x.org:8443/a")),
    ("https://x.org:65535/", ok("https://x.org:65535/")),
    ("https://x.org:00080/", ok("https://x.org:80/")),
    ("https://8.8.8.8/atr", ok("https://8.8.8.8/atr")),
    ("https://[2606:4700:4700::1111]/atr", ok("https://[2606:4700:4700::1111]/atr")),
    ("https://[2606:4700:4700:0:0:0:0:ABCD]:8443/atr", ok("https://[2606:4700:4700::abcd]:8443/atr")),
    # Hosts that crashed the parser.
    ("https://[/atr", INVALID_HOST),
    ("https://[::1/atr", INVALID_HOST),
    ("https://[www.example.org]/", INVALID_HOST),
    ("https://]example.org/", INVALID_HOST),
    ("https://x.org]/", INVALID_HOST),
    ("https://[not-an-ip]/", INVALID_HOST),
    ("https://[::1]x/", refused("unmatched or misplaced [ ]")),
    ("https://x.org＃/", INVALID_HOST),  # normalises into '#'
    # Percent-encoded hosts, user info.
    ("https://www.wipo.int%40evil.example/", PERCENT_HOST),
    ("https://www%2ewipo.int/", PERCENT_HOST),
    ("https://%77ipo.int/", PERCENT_HOST),
    ("https://[fe80::1%25eth0]/", PERCENT_HOST),
    ("https://a@b.org", USER),
    ("https://user:pw@b.org/x", USER),
    ("https://www.wipo.int@evil.com/", USER),
    ("https://@x.org/", USER),
    ("https://x.org\\@evil.com/", unsafe("\\")),
    ("https://evil.com\\.wipo.int/", unsafe("\\")),
    # Labels: dots, hyphens, lengths, characters.
    ("https://.wipo.int/", NOT_DOMAIN),
    ("https://a..b.org/", NOT_DOMAIN),
    ("https://wipo.int../atr", NOT_DOMAIN),
    ("https://-wipo.int/", refused("must not start or end with a hyphen")),
    ("https://wipo-.int/", refused("must not start or end with a hyphen")),
    ("https://wipo.-int/", refused("must not start or end with a hyphen")),
    ("https://wipo.int-/", refused("must not start or end with a hyphen")),
    ("https://wi--po.int/", refused("hyphens in 3rd and 4th position")),
    (f"https://a{LABEL_63}.org/", refused("Label too long")),
    ("https://" + ".".join([LABEL_63] * 4) + ".org/", refused("Domain too long")),
    ("https://a_b.org/", NOT_DOMAIN),
    ("https://exa$mple.org/", NOT_DOMAIN),
    ("https://x,org/", NOT_DOMAIN),
    ("https://x.org*/", NOT_DOMAIN),
    ("https://x.org!/", NOT_DOMAIN),
    ("https://localhost/x", NO_HOST),
    ("https://intranet/", NO_HOST),
    ("https:///path-only", NO_HOST),
    ("https:/www.wipo.int", NO_HOST),
    ("https:www.wipo.int", NO_HOST),
    # A-labels: invalid ones, and look-alikes hidden in them.
    ("https://xn--.org/", refused("Malformed A-label")),
    ("https://xn--zz-invalid-.com/", refused("A-label must not end with a hyphen")),
    ("https://xn--bcher-kva-.de/", refused("A-label must not end with a hyphen")),
    ("https://xn--a.org/", NOT_DOMAIN),
    ("https://xn--ls8h.la/", NOT_DOMAIN),  # an emoji domain: not IDNA 2008
    ("https://xn--wpo-jhd.int/atr", LOOK_ALIKE),  # "wіpo" with a Cyrillic і
    ("https://XN--WPO-JHD.INT/atr", LOOK_ALIKE),
    ("https://xn--pypal-4ve.com/", LOOK_ALIKE),  # "pаypal" with a Cyrillic а
    ("https://xn--wip-czc.int/", LOOK_ALIKE),  # "wipο" with a Greek ο
    ("https://wіpo.int/atr", LOOK_ALIKE),
    ("https://раураl.com", LOOK_ALIKE),
    ("https://wipο.int/", LOOK_ALIKE),
    ("https://www.wіpo.int/atr", LOOK_ALIKE),
    # IP addresses.
    ("https://[::ffff:127.0.0.1]/atr", refused("IPv4 address written as IPv6")),
    ("https://[::ffff:8.8.8.8]/", refused("IPv4 address written as IPv6")),
    ("https://[::1]/", NOT_PUBLIC),
    ("https://[2001:db8::1]/", NOT_PUBLIC),
    ("https://[fe80::1]/", NOT_PUBLIC),
    ("https://127.0.0.1/", NOT_PUBLIC),
    ("https://10.0.0.1/", NOT_PUBLIC),
    ("https://192.168.1.1/", NOT_PUBLIC),
    ("https://169.254.169.254/latest", NOT_PUBLIC),
    ("https://0.0.0.0/", NOT_PUBLIC),
    ("https://127.1/", NEITHER),
    ("https://0x7f.0.0.1/", NEITHER),
    ("https://2130706433/", NEITHER),
    ("https://01.02.03.04/", NEITHER),
    ("https://1.2.3/", NEITHER),
    ("https://999.1.1.1/", NEITHER),
    # Ports.
    ("https://x.org:0/", BAD_PORT),
    ("https://x.org:65536/", BAD_PORT),
    ("https://x.org:99999/", BAD_PORT),
    ("https://x.org:123456/", BAD_PORT),
    ("https://x.org:８０/", BAD_PORT),
    ("https://x.org:+80/", BAD_PORT),
    ("https://x.org:-1/", BAD_PORT),
    ("https://x.org:a/", BAD_PORT),
    ("https://x.org:80:80/", refused("more than one ':'")),
    # Characters never allowed raw in a link.
    ("https://x.org/<script>", unsafe("<")),
    ("https://x.org/a>b", unsafe(">")),
    ('https://x.org/"q"', unsafe('"')),
    ("https://x.org/a|b", unsafe("|")),
    ("https://x.org/{}", unsafe("{")),
    ("https://x.org/a}", unsafe("}")),
    ("https://x.org/a\\b", unsafe("\\")),
    ("https://x.org/^", unsafe("^")),
    ("https://x.org/`", unsafe("`")),
    ("https://x.org/?q=<", unsafe("<")),
    ("https://x.org/#{", unsafe("{")),
    ("https://x.org/%zz", BAD_ESCAPE),
    ("https://x.org/%", BAD_ESCAPE),
    ("https://x.org/a?b=%4", BAD_ESCAPE),
    # Whitespace, control and invisible characters.
    ("\thttps://x.org", CONTROL),
    ("https://x.org/\nreport", CONTROL),
    ("https://x.org/re port", CONTROL),
    ("https://x.org/\u200breport", CONTROL),
    ("https://x.org/\x00", CONTROL),
    ("https://x.org/\x1b[31m", CONTROL),
    ("https://x.org/\x7f", CONTROL),
    ("https://x.org/\x9b", CONTROL),
    ("https://x.org/\u202egpj.exe", CONTROL),
    ("https://x.org/\ufeff", CONTROL),
    ("https://x.org/\u2028", CONTROL),
    ("https://\u00a0x.org/", CONTROL),
    ("https://x.org/\ud800", CONTROL),
    # Schemes and shapes.
    ("javascript:alert(1)", refused("'javascript:'")),
    ("JavaScript:alert(1)", refused("'javascript:'")),
    ("file:///etc/passwd", refused("'file:'")),
    ("ftp://x.org/a", refused("'ftp:'")),
    ("http://x.org", refused("'http:'")),
    ("data:text/html,hi", refused("'data:'")),
    ("hxxps://x.org", refused("'hxxps:'")),
    ("www.wipo.int/atr", refused("no scheme")),
    ("//www.wipo.int/x", refused("no scheme")),
    ("www.wipo.int:443/atr", refused("no scheme")),
    ("", refused("missing")),
    ("   ", refused("missing")),
    ("https://" + "a" * 10_000 + ".org", refused("at most 2,048")),
]


@pytest.mark.parametrize("url, outcome", URLS, ids=[f"{n:03d}" for n in range(len(URLS))])
def test_hostile_url(url, outcome):
    kind, expected = outcome
    fields = {**GOOD, "url": url}
    if kind == "ok":
        assert field_errors(**fields, **RULES) == {}
        assert validate(**fields, **RULES).url == expected
        return
    errors = field_errors(**fields, **RULES)
    assert list(errors) == ["url"], errors
    assert expected in errors["url"], errors["url"]
    assert all(ch.isprintable() for ch in errors["url"]), "a message never carries raw control characters"
    with pytest.raises(InvalidSubmission) as info:
        validate(**fields, **RULES)
    assert info.value.field == "url" and str(info.value) == errors["url"]


OFFICES: list[tuple[str, tuple[str, str]]] = [
    ("GB", ok("GB")),
    ("gb", ok("GB")),
    (" fr ", ok("FR")),
    ("Ep", ok("EP")),
    ("wo", ok("WO")),
    ("em", ok("EM")),
    ("xn", ok("XN")),
    ("kp", ok("KP")),
    ("ee", ok("EE")),
    ("GB\n", ok("GB")),  # Slack may end the field with a line break
    ("\u00a0JP\u00a0", ok("JP")),
    ("ß", refused("use the letters A-Z only")),  # would be upper-cased to SS, South Sudan
    ("ﬁ", refused("use the letters A-Z only")),  # would be FI, Finland
    ("ﬆ", refused("use the letters A-Z only")),  # would be ST, São Tomé
    ("ıd", refused("use the letters A-Z only")),  # dotless ı: would be ID, Indonesia
    ("ſe", refused("use the letters A-Z only")),  # long s: would be SE, Sweden
    ("Ｇｂ", refused("use the letters A-Z only")),  # full-width
    ("ЕР", refused("use the letters A-Z only")),  # Cyrillic look-alike of EP
    ("ΕΡ", refused("use the letters A-Z only")),  # Greek look-alike of EP
    ("ǅ", refused("use the letters A-Z only")),
    ("\u212aR", refused("use the letters A-Z only")),  # Kelvin sign K
    ("ÖÖ", refused("use the letters A-Z only")),
    ("G\u200bB", refused("use the letters A-Z only")),
    ("G\x00B", refused("use the letters A-Z only")),
    ("\x1b[31mGB", refused("use the letters A-Z only")),
    ("G B", refused("use the letters A-Z only")),
    ("G-B", refused("use the letters A-Z only")),
    ("=GB", refused("use the letters A-Z only")),
    ("<GB>", refused("use the letters A-Z only")),
    ("G1", refused("two-letter")),
    ("12", refused("two-letter")),
    ("GBR", refused("two-letter")),
    ("G", refused("two-letter")),
    ("UK", refused("did you mean GB?")),
    ("uk", refused("did you mean GB?")),
    ("EU", refused("did you mean EM?")),
    ("EPO", refused("did you mean EP?")),
    ("oapi", refused("did you mean OA?")),
    ("WIPO", refused("did you mean WO?")),
    ("ZZ", refused("not a WIPO ST.3 office code")),
    ("XX", refused("not a WIPO ST.3 office code")),
    ("AA", refused("not a WIPO ST.3 office code")),
    ("", refused("missing")),
    ("   ", refused("missing")),
]


@pytest.mark.parametrize("office, outcome", OFFICES, ids=[f"{n:03d}" for n in range(len(OFFICES))])
def test_hostile_office_code(office, outcome):
    kind, expected = outcome
    fields = {**GOOD, "office": office}
    if kind == "ok":
        assert field_errors(**fields, **RULES) == {}
        assert validate(**fields, **RULES).office == expected
        return
    errors = field_errors(**fields, **RULES)
    assert list(errors) == ["office"] and expected in errors["office"], errors
    assert all(ch.isprintable() for ch in errors["office"])
    with pytest.raises(InvalidSubmission, match="office|Office|ST.3"):
        validate(**fields, **RULES)


def test_the_tables_are_big_enough():
    assert len(URLS) >= 100 and len(OFFICES) >= 30


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("simplified \x00template", "simplified template"),
        ("\x1b[31mred\x1b[0m text", "[31mred[0m text"),
        ("bell\x07 and\x08 backspace", "bell and backspace"),
        ("one\nline\r\nbreaks\tand tabs", "one line breaks and tabs"),
        ("right\u202eto left", "rightto left"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("c1 \x9b2J control", "c1 2J control"),
        ("lone \ud800 surrogate", "lone surrogate"),
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        ),  # ZWNJ kept
        ('=HYPERLINK("http://evil")', '=HYPERLINK("http://evil")'),  # text: neutralised only in CSV
    ],
)
def test_notes_lose_control_characters(raw, clean):
    assert normalize_note(raw) == clean
    assert validate(**{**GOOD, "note": raw}, **RULES).note == clean


def test_type_and_year_messages_quote_input_safely():
    errors = field_errors(**{**GOOD, "ip_type": "TM\x1b[2J", "year": "20\x0024"}, **RULES)
    assert set(errors) == {"type", "year"}
    assert "\\x1b[2J" in errors["type"] and "\\x00" in errors["year"]
    assert all(ch.isprintable() for message in errors.values() for ch in message)


# A note as an older version could have stored it, and the CSV cell it must become.
FORMULAS = [
    ("AT", "=1+1", "'=1+1"),
    ("BE", "+SUM(A1)", "'+SUM(A1)"),
    ("CH", "-2+3", "'-2+3"),
    ("DE", "@cmd", "'@cmd"),
    ("DK", "\tTAB", "TAB"),  # the control character goes, and with it the formula lead
    ("ES", "\rCR", "CR"),
    ("FI", "＝1+1", "'＝1+1"),
    ("FR", '=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
    ("GB", "esc \x1b[2J nul \x00 c1 \x9b end", "esc [2J nul  c1  end"),
    ("JP", "an ordinary note", "an ordinary note"),
]


@pytest.fixture()
def hostile_store(tmp_path):
    """Rows stored without today's input cleaning: notes with formulas and raw control bytes."""
    store = AtrStore(tmp_path)
    for office, note, _ in FORMULAS:
        store.submit(Submission(office, "PI", 2024, f"https://{office.lower()}.example.org/atr", note), "T", "U")
    return store


def test_csv_export_neutralises_formulas_and_drops_control_bytes(hostile_store):
    text = export(hostile_store.current(2024), "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["office"]: row["note"] for row in rows} == {office: cell for office, _, cell in FORMULAS}
    assert not any(ch in text for ch in "\x00\x1b\x9b\t")
    assert all(not cell.startswith(("=", "+", "-", "@", "＝")) for row in rows for cell in row.values())
    assert rows[0]["url"] == "https://at.example.org/atr" and rows[0]["year"] == "2024"


def test_json_export_carries_no_control_bytes(hostile_store):
    text = export(hostile_store.current(2024), "json")
    assert not any(ch in text for ch in "\x00\x1b\x9b")
    notes = {row["office"]: row["note"] for row in json.loads(text)}
    assert notes["GB"] == "esc [2J nul  c1  end"
    assert notes["AT"] == "=1+1"  # JSON is data, not a spreadsheet: kept as written


def test_cws_atr_export_writes_no_raw_control_bytes_to_the_terminal(hostile_store, tmp_path):
    env = {"CWS_DATA_DIR": str(tmp_path), "CWS_CORPUS_DIRS": ""}
    for fmt in ("csv", "json"):
        result = CliRunner().invoke(cli, ["atr", "export", "--year", "2024", "--format", fmt], env=env)
        assert result.exit_code == 0, result.output
        assert "gb.example.org" in result.output
        assert not any(ch in result.output for ch in "\x00\x1b\x9b"), repr(result.output)


def test_no_input_crashes_the_validator():
    """Whatever the fields hold, the answer is a submission or InvalidSubmission: never another exception."""
    junk = ["\ud800", "\x00", "[", "]", "%", "@", ":", "xn--", "\u0301", "\U0001f4a9", "a" * 5000, "..", "::"]
    for value in junk:
        for field in ("office", "ip_type", "year", "url", "note"):
            fields = {**GOOD, field: value}
            errors = field_errors(**fields, **RULES)
            assert all(ch.isprintable() for message in errors.values() for ch in message)
            if not errors:
                validate(**fields, **RULES)
