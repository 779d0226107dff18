"""ATR field validation: each bad value gets its own message and nothing else happens."""

import pytest

from atr.errors import InvalidSubmission
from atr.offices import normalize_office
from atr.validation import field_errors, normalize_type, normalize_url, normalize_year, validate


@pytest.mark.parametrize(
    "raw, code",
    [
        ("GB", "GB"),
        ("gb", "GB"),
        (" fr ", "FR"),
        ("EP", "EP"),
        ("wo", "WO"),
        ("EM", "EM"),
        ("EA", "EA"),
        ("AP", "AP"),
        ("OA", "OA"),
        ("GC", "GC"),
        ("XN", "XN"),
        ("XU", "XU"),
        ("XV", "XV"),
        ("BX", "BX"),
        ("QZ", "QZ"),
        ("IB", "IB"),
        ("JP", "JP"),
        ("kr", "KR"),
        ("BN", "BN"),
    ],
)
def test_good_office_codes(raw, code):
    assert normalize_office(raw) == code


@pytest.mark.parametrize(
    "raw, message",
    [
        ("UK", "did you mean GB?"),
        ("uk", "did you mean GB?"),
        ("EU", "did you mean EM?"),
        ("ZZ", "not a WIPO ST.3 office code"),
        ("XX", "not a WIPO ST.3 office code"),
        ("GBR", "two-letter"),
        ("G1", "two-letter"),
        ("", "missing"),
        ("EPO", "did you mean EP?"),
    ],
)
def test_bad_office_codes(raw, message):
    with pytest.raises(InvalidSubmission, match=message) as info:
        normalize_office(raw)
    assert info.value.field == "office"


@pytest.mark.parametrize(
    "raw, code",
    [
        ("PI", "PI"),
        ("tm", "TM"),
        ("ID", "ID"),
        ("patent", "PI"),
        ("Trademark", "TM"),
        ("design", "ID"),
        ("industrial design", "ID"),
        ("ATR/TM", "TM"),
    ],
)
def test_types(raw, code):
    assert normalize_type(raw) == code


@pytest.mark.parametrize("raw", ["XX", "copyright", "", "P I"])
def test_bad_types(raw):
    with pytest.raises(InvalidSubmission, match="not an IP right"):
        normalize_type(raw)


@pytest.mark.parametrize(
    "raw, message",
    [
        ("24", "not a year"),
        ("20245", "not a year"),
        ("２０２４", "not a year"),
        ("2027", "in the future"),
        ("1990", "before 2000"),
        ("two", "not a year"),
    ],
)
def test_bad_years(raw, message):
    with pytest.raises(InvalidSubmission, match=message):
        normalize_year(raw, current_year=2026, first_year=2000)


def test_good_year():
    assert normalize_year("2026", current_year=2026, first_year=2000) == 2026


@pytest.mark.parametrize(
    "raw, normal",
    [
        ("https://www.wipo.int/atr/2024", "https://www.wipo.int/atr/2024"),
        ("<https://www.ipo.gov.uk/report>", "https://www.ipo.gov.uk/report"),
        ("<https://www.ipo.gov.uk/report|Annual report>", "https://www.ipo.gov.uk/report"),
        ("HTTPS://WWW.JPO.GO.JP", "https://www.jpo.go.jp/"),
        ("https://bücher.de/atr", "https://xn--bcher-kva.de/atr"),
        ("https://例え.jp/atr", "https://xn--r8jz45g.jp/atr"),
    ],
)
def test_good_urls(raw, normal):
    assert normalize_url(raw) == normal


HOSTILE = [
    ("\thttps://x.org", "tabs"),
    ("https://x.org/\nreport", "line breaks"),
    ("https://x.org/re port", "spaces"),
    ("https://x.org/\u200breport", "invisible"),
    ("https://a@b.org", "user name"),
    ("https://user:pw@b.org/x", "user name"),
    ("javascript:alert(1)", "'javascript:'"),
    ("file:///etc/passwd", "'file:'"),
    ("ftp://x.org/a", "'ftp:'"),
    ("http://x.org", "'http:'"),
    ("https://" + "a" * 10_000 + ".org", "at most 2,048"),
    ("https://wіpo.int/atr", "look-alike"),  # Cyrillic і
    ("https://раураl.com", "look-alike"),  # Cyrillic р, у, а with Latin l
    ("https:///path-only", "no valid host"),
    ("https://localhost/x", "no valid host"),
    ("www.wipo.int/atr", "no scheme"),
    ("", "missing"),
]


@pytest.mark.parametrize("raw, message", HOSTILE)
def test_hostile_urls_each_get_their_own_message(raw, message):
    with pytest.raises(InvalidSubmission, match=message) as info:
        normalize_url(raw)
    assert info.value.field == "url"


def test_plain_http_only_when_configured():
    assert normalize_url("http://x.org/a", allow_http=True) == "http://x.org/a"


def test_field_errors_reports_every_bad_field():
    errors = field_errors("UK", "copyright", "3000", "javascript:x", "", current_year=2026, first_year=2000)
    assert set(errors) == {"office", "type", "year", "url"}


def test_validate_returns_normalised_submission():
    s = validate(
        "gb",
        "trademark",
        "2024",
        "<https://ipo.gov.uk/atr|x>",
        "  simplified   template ",
        current_year=2026,
        first_year=2000,
    )
    assert (s.office, s.ip_type, s.year, s.url, s.note) == (
        "GB",
        "TM",
        2024,
        "https://ipo.gov.uk/atr",
        "simplified template",
    )
