"""`/atr submit | status | list | help`, signed and sent to the running bot, against the fake Slack API."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from atr.store import AtrStore
from atr.validation import Submission
from bot.atr_access import SORRY
from bot.blocks import escape
from bot.listeners.commands.atr import parse_submit
from bot.usergroups import UserGroups
from tests.slack.signing import load_payload

CURRENT = datetime.now(UTC).year  # the bot's clock: jobs.timezone is UTC in the tests
YEAR = CURRENT - 1  # the reporting year of this year's ATRs
GB_URL = f"https://www.ipo.gov.uk/atr/{YEAR}?part=tm&lang=en"


def atr(bot, text: str, user: str = "U0DELEGGB"):  # type: ignore[no-untyped-def]
    fields = load_payload("command_atr.json", bot.fake.hooks_url) | {"text": text, "user_id": user}
    return bot.command(fields)


def stored(bot) -> list:  # type: ignore[no-untyped-def]
    return AtrStore(bot.settings.data_dir).current()


def seed(bot, office: str, ip_type: str, year: int, url: str) -> None:  # type: ignore[no-untyped-def]
    AtrStore(bot.settings.data_dir).submit(Submission(office, ip_type, year, url), "T0CWSTEAM", "U0SECRET")


def body_text(response) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(response.json(), ensure_ascii=False)


# --- bad input: its own message at once, nothing stored -------------------------------------

BAD = [
    # office
    (f"UK TM {YEAR} https://x.org/atr", "did you mean GB?"),
    (f"EU TM {YEAR} https://x.org/atr", "did you mean EM?"),
    (f"ZZ TM {YEAR} https://x.org/atr", "'ZZ' is not a WIPO ST.3 office code"),
    (f"GBR TM {YEAR} https://x.org/atr", "not a two-letter WIPO ST.3 office code"),
    (f"G1 TM {YEAR} https://x.org/atr", "not a two-letter"),
    # IP right
    (f"GB copyright {YEAR} https://x.org/atr", "'copyright' is not an IP right"),
    (f"GB utility-model {YEAR} https://x.org/atr", "is not an IP right"),
    # year
    ("GB TM 24 https://x.org/atr", "'24' is not a year"),
    ("GB TM twenty https://x.org/atr", "is not a year"),
    (f"GB TM {CURRENT + 1} https://x.org/atr", f"{CURRENT + 1} is in the future"),
    ("GB TM 1999 https://x.org/atr", "1999 is before 2000"),
    # hostile links
    (f"GB TM {YEAR} javascript:alert(1)", "'javascript:'"),
    (f"GB TM {YEAR} <javascript:alert(1)|the report>", "'javascript:'"),
    (f"GB TM {YEAR} file:///etc/passwd", "'file:'"),
    (f"GB TM {YEAR} ftp://x.org/atr", "'ftp:'"),
    (f"GB TM {YEAR} http://x.org/atr", "'http:'"),
    (f"GB TM {YEAR} data:text/html,<script>alert(1)</script>", "'data:'"),
    (f"GB TM {YEAR} https://user:pw@x.org/atr", "user name or password"),
    (f"GB TM {YEAR} https://www.wipo.int@evil.example/atr", "user name or password"),
    (f"GB TM {YEAR} https://wіpo.int/atr", "look-alike"),  # Cyrillic і
    (f"GB TM {YEAR} https://раураl.com/atr", "look-alike"),
    (f"GB TM {YEAR} https://x.org/\u200breport", "invisible control characters"),
    (f"GB TM {YEAR} \thttps://x.org/atr", "tabs"),
    (f"GB TM {YEAR} https://x.org/\nreport", "line breaks"),
    (f"GB TM {YEAR} https://localhost/atr", "no valid host"),
    (f"GB TM {YEAR} https:///atr", "no valid host"),
    (f"GB TM {YEAR} www.wipo.int/atr", "no scheme"),
    (f"GB TM {YEAR} https://x.org:99999/atr", "invalid port"),
    (f"GB TM {YEAR} https://x.org/" + "a" * 3000, "at most 2,048"),
    # note
    (f"GB TM {YEAR} https://x.org/atr " + "n" * 501, "at most 500"),
    # missing words
    ("GB TM", "missing YEAR, URL"),
    ("", "missing OFFICE, TYPE, YEAR, URL"),
]


@pytest.mark.parametrize("text, message", BAD, ids=[f"{i}-{m[:20]}" for i, (_, m) in enumerate(BAD)])
def test_bad_input_gets_its_own_message_and_nothing_is_stored(atr_bot, text, message):
    response = atr(atr_bot, "submit " + text)
    assert response.status == 200 and response.elapsed < 1
    assert message in response.json()["text"]
    assert "Nothing was stored" in response.json()["text"]
    assert stored(atr_bot) == []
    assert atr_bot.fake.calls_to("response_url") == []  # answered in the ack; no work was started


def test_every_bad_field_is_named_at_once(atr_bot):
    response = atr(atr_bot, "submit UK copyright 3000 javascript:x")
    text = response.json()["text"]
    for message in ["did you mean GB?", "not an IP right", "3000 is in the future", "'javascript:'"]:
        assert message in text
    assert stored(atr_bot) == []


def test_echoed_input_cannot_ping_or_link(atr_bot):
    response = atr(atr_bot, f"submit <!channel> TM {YEAR} https://x.org/atr")
    raw = response.body.decode()
    assert "<!channel>" not in raw and "&lt;!channel&gt;" in raw
    response = atr(atr_bot, f"submit @here TM {YEAR} https://x.org/atr")
    assert "@here" not in response.body.decode()  # defanged with a zero-width space
    assert stored(atr_bot) == []


# --- storing ---------------------------------------------------------------------------------


def test_good_submission_is_confirmed_only_after_it_is_committed(atr_bot):
    seen_when_confirmed: list = []
    atr_bot.fake.on("response_url", lambda call: seen_when_confirmed.append(stored(atr_bot)))
    # Slack sends "&" as "&amp;" in command text
    response = atr(atr_bot, f"submit gb trademark {YEAR} {escape(GB_URL)} simplified   template")
    assert response.status == 200 and response.body == b""  # nothing to say until it is stored

    call, follow_up = atr_bot.fake.wait_for("response_url", 2)  # the confirmation, then reading the link
    [row] = seen_when_confirmed[0]  # the row existed when the confirmation arrived
    assert (row.office, row.ip_type, row.year, row.url) == ("GB", "TM", YEAR, GB_URL)
    assert (row.team_id, row.user_id, row.note, row.version) == ("T0CWSTEAM", "U0DELEGGB", "simplified template", 1)

    assert call.params["response_type"] == "ephemeral"
    shown = json.dumps(call.blocks, ensure_ascii=False)
    for fact in [
        "GB (United Kingdom)",
        "Trademark Information (TM)",
        f"*Reporting year:* {YEAR}",
        escape(GB_URL),
        "simplified template",
        "<@U0DELEGGB>",
        "Version 1",
    ]:
        assert fact in shown, fact
    assert "Replaced" not in shown
    # The tests look up no host names: the link cannot be read, and the follow-up says so; the link stays stored.
    assert follow_up.text.startswith(f"Could not read the report at {escape(GB_URL)}: the host name www.ipo.gov.uk")
    assert "The link is stored as submitted" in follow_up.text and len(stored(atr_bot)) == 1


def test_a_slack_formatted_link_is_stored_without_its_label(atr_bot):
    atr(atr_bot, f"submit GB PI {YEAR} <https://www.ipo.gov.uk/atr-pi|our annual report> as sent")
    atr_bot.fake.wait_for("response_url", 2)  # the confirmation and the follow-up on reading the link
    [row] = stored(atr_bot)
    assert (row.url, row.note) == ("https://www.ipo.gov.uk/atr-pi", "as sent")


def test_a_link_of_the_longest_accepted_length_is_shown_whole(atr_bot):
    url = "https://www.ipo.gov.uk/" + "a" * (2048 - 23)
    atr(atr_bot, f"submit GB PI {YEAR} {url}")
    call = atr_bot.fake.wait_for("response_url", 2)[0]
    assert f"*Link:* {url}" in [b["text"]["text"] for b in call.blocks if b["type"] == "section"]
    assert [s.url for s in stored(atr_bot)] == [url]


def test_two_word_ip_rights_are_understood(atr_bot):
    atr(atr_bot, f"submit GB industrial design {YEAR} https://www.ipo.gov.uk/atr-id", user="U0SECRET")
    atr_bot.fake.wait_for("response_url", 2)
    assert [s.ip_type for s in stored(atr_bot)] == ["ID"]


def test_resubmission_replaces_the_link_and_keeps_the_history(atr_bot):
    atr(atr_bot, f"submit GB TM {YEAR} https://www.ipo.gov.uk/atr/first")
    atr_bot.fake.wait_for("response_url", 2)  # the confirmation and the follow-up on reading the link
    atr(atr_bot, f"submit GB TM {YEAR} https://www.ipo.gov.uk/atr/second corrected link")
    second = atr_bot.fake.wait_for("response_url", 4)[2]

    shown = json.dumps(second.blocks)
    assert "https://www.ipo.gov.uk/atr/second" in shown
    assert "*Replaced:* <https://www.ipo.gov.uk/atr/first|https://www.ipo.gov.uk/atr/first>" in shown
    assert "Version 2" in shown
    [row] = stored(atr_bot)
    assert (row.url, row.version, row.note) == ("https://www.ipo.gov.uk/atr/second", 2, "corrected link")
    history = AtrStore(atr_bot.settings.data_dir).history("GB", "TM", YEAR)
    assert [(h["old_url"], h["new_url"]) for h in history] == [
        (None, "https://www.ipo.gov.uk/atr/first"),
        ("https://www.ipo.gov.uk/atr/first", "https://www.ipo.gov.uk/atr/second"),
    ]
    assert {(h["team_id"], h["user_id"]) for h in history} == {("T0CWSTEAM", "U0DELEGGB")}


# --- permissions -----------------------------------------------------------------------------


def test_a_delegate_submits_for_their_own_office_only(atr_bot):
    atr(atr_bot, f"submit FR TM {YEAR} https://www.inpi.fr/atr")
    [call] = atr_bot.fake.wait_for("response_url")
    assert "Nothing was stored. You can submit ATRs for GB only, not for FR." in call.params["text"]
    assert stored(atr_bot) == []


def test_a_stranger_is_told_how_to_get_access(atr_bot):
    atr(atr_bot, f"submit GB TM {YEAR} https://www.ipo.gov.uk/atr", user="U0STRANGER")
    [call] = atr_bot.fake.wait_for("response_url")
    assert "not registered as an ATR delegate" in call.params["text"]
    assert "ask the CWS Secretariat to add your Slack user" in call.params["text"]
    assert stored(atr_bot) == []


def test_the_secretariat_submits_for_any_office(atr_bot):
    atr(atr_bot, f"submit JP PI {YEAR} https://www.jpo.go.jp/atr", user="U0SECRET")
    atr_bot.fake.wait_for("response_url", 2)
    assert [(s.office, s.user_id) for s in stored(atr_bot)] == [("JP", "U0SECRET")]


def test_user_group_membership_grants_delegate_rights(atr_bot):
    atr(atr_bot, f"submit FR PI {YEAR} https://www.inpi.fr/atr-pi", user="U0GROUPIE")
    atr_bot.fake.wait_for("response_url", 2)  # each: the confirmation and the follow-up on reading the link
    atr(atr_bot, f"submit FR TM {YEAR} https://www.inpi.fr/atr-tm", user="U0GROUPIE")
    atr_bot.fake.wait_for("response_url", 4)

    assert [(s.office, s.ip_type, s.user_id) for s in stored(atr_bot)] == [
        ("FR", "PI", "U0GROUPIE"),
        ("FR", "TM", "U0GROUPIE"),
    ]
    [lookup] = atr_bot.fake.calls_to("usergroups.users.list")  # the second request used the cache
    assert lookup.params["usergroup"] == "S0FRDELEG"


def test_a_failed_group_lookup_counts_as_not_a_member(atr_bot, caplog):
    atr_bot.fake.fail("usergroups.users.list", 200, error="missing_scope")
    with caplog.at_level(logging.WARNING, logger="bot.usergroups"):
        atr(atr_bot, f"submit FR PI {YEAR} https://www.inpi.fr/atr-pi", user="U0GROUPIE")
        [call] = atr_bot.fake.wait_for("response_url")
    assert "not registered as an ATR delegate" in call.params["text"]
    assert "S0FRDELEG (missing_scope)" in caplog.text
    assert stored(atr_bot) == []


def test_without_configured_groups_no_group_is_looked_up(start_bot):
    bot = start_bot(atr={"delegates": {"U0DELEGGB": ["GB"]}, "secretariat": ["U0SECRET"]})
    atr(bot, f"submit GB TM {YEAR} https://www.ipo.gov.uk/atr")
    atr(bot, f"submit GB TM {YEAR} https://www.ipo.gov.uk/atr", user="U0STRANGER")
    bot.fake.wait_for("response_url", 3)  # the confirmation, its follow-up, the stranger's refusal
    assert bot.fake.calls_to("usergroups.users.list") == []


class _Client:
    """Just usergroups.users.list, counted (the cache's timing is the point here, not HTTP)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def usergroups_users_list(self, usergroup: str) -> dict:
        self.calls.append(usergroup)
        return {"ok": True, "users": ["U0GROUPIE"]}


def test_group_members_are_cached_for_five_minutes():
    now = [0.0]
    groups, client = UserGroups({"S0FRDELEG", "S0SECRET"}, clock=lambda: now[0]), _Client()
    assert groups.of("U0GROUPIE", client) == {"S0FRDELEG", "S0SECRET"}
    assert groups.of("U0OTHER", client) == set()
    now[0] = 299.0
    groups.of("U0GROUPIE", client)
    assert sorted(client.calls) == ["S0FRDELEG", "S0SECRET"]  # one call per group so far
    now[0] = 301.0
    groups.of("U0GROUPIE", client)
    assert len(client.calls) == 4
    assert UserGroups(set()).of("U0GROUPIE", client) == set() and len(client.calls) == 4


def test_a_failure_is_logged_and_the_user_told(atr_bot, monkeypatch, caplog):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(AtrStore, "submit", broken)
    atr(atr_bot, f"submit GB TM {YEAR} https://www.ipo.gov.uk/atr")
    [call] = atr_bot.fake.wait_for("response_url")
    assert call.params["text"] == escape(SORRY)
    assert "ATR request failed" in caplog.text and "OSError: disk full" in caplog.text  # with its traceback


# --- status, chart, list, help ---------------------------------------------------------------


def _seed_year(bot) -> None:  # type: ignore[no-untyped-def]
    seed(bot, "GB", "PI", YEAR, "https://www.ipo.gov.uk/atr-pi")
    seed(bot, "GB", "TM", YEAR, "https://www.ipo.gov.uk/atr-tm")
    seed(bot, "FR", "PI", YEAR, "https://www.inpi.fr/atr-pi")
    seed(bot, "JP", "ID", YEAR - 1, "https://www.jpo.go.jp/atr-id")


def test_the_secretariat_sees_the_coverage_with_counts(atr_bot):
    _seed_year(atr_bot)
    response = atr(atr_bot, f"status {YEAR}", user="U0SECRET")
    assert response.status == 200
    [call] = atr_bot.fake.wait_for("response_url")
    shown = "\n".join(b["text"]["text"] for b in call.blocks if b["type"] == "section")
    assert f"reports on {YEAR} activities" in shown
    table = shown.split("```")[1]
    lines = table.splitlines()
    assert lines[1].split() == ["Office", "PI", "TM", "ID"]
    assert lines[2].split() == ["FR", "✓", "·", "·"]
    assert lines[3].split() == ["GB", "✓", "✓", "·"]
    assert lines[4].split() == ["JP", "·", "·", "·"]  # expected: it reported the year before
    assert lines[5].startswith("Total") and lines[5].split()[1:4] == ["2", "1", "0"]
    assert (
        "*Patent Information:* 2 · *Trademark Information:* 1 · *Industrial Designs Information:* 0"
        " — 3 ATRs from 2 offices"
    ) in shown
    # expected: the offices that reported the year before
    assert "Not yet submitted by expected offices — PI: JP · TM: JP · ID: JP" in json.dumps(
        call.blocks, ensure_ascii=False
    )


def test_status_defaults_to_this_years_reports(atr_bot):
    atr(atr_bot, "status", user="U0SECRET")
    [call] = atr_bot.fake.wait_for("response_url")
    assert f"reports on {YEAR} activities" in json.dumps(call.blocks)


def test_a_delegate_cannot_see_the_status(atr_bot):
    atr(atr_bot, "status")
    [call] = atr_bot.fake.wait_for("response_url")
    assert "Only the CWS Secretariat can see the ATR status." in call.params["text"]


def test_status_rejects_a_bad_year_at_once(atr_bot):
    response = atr(atr_bot, f"status {CURRENT + 1}", user="U0SECRET")
    assert "in the future" in response.json()["text"]
    assert "did not understand" in body_text(atr(atr_bot, "status soon", user="U0SECRET"))


def test_status_chart_is_uploaded_to_the_channel(atr_bot):
    _seed_year(atr_bot)
    atr(atr_bot, f"status {YEAR} chart", user="U0SECRET")
    [complete] = atr_bot.fake.wait_for("files.completeUploadExternal")
    [get_url] = atr_bot.fake.calls_to("files.getUploadURLExternal")
    [upload] = atr_bot.fake.calls_to("file_upload")
    assert get_url.params["filename"] == f"atr-coverage-{YEAR}.png"
    assert upload.path == "/upload/v1/CwEfGhIjKlMnOpQrStUvWxYz"
    assert upload.body.startswith(b"\x89PNG\r\n\x1a\n") and int(get_url.params["length"]) == len(upload.body)
    assert complete.params["channel_id"] == "C0ATRSUBS"
    assert json.loads(complete.params["files"])[0] == {
        "id": "F0ATRCHART",
        "title": f"ATR coverage, reports on {YEAR} activities",
    }
    assert "<@U0SECRET>" in complete.params["initial_comment"]
    assert f"reports on {YEAR} activities" in json.dumps(atr_bot.fake.calls_to("response_url")[0].blocks)


def test_a_chart_where_the_bot_is_not_a_member_says_how_to_fix_it(atr_bot):
    atr_bot.fake.fail("files.completeUploadExternal", 200, error="not_in_channel")
    atr(atr_bot, "status chart", user="U0SECRET")
    status, hint = atr_bot.fake.wait_for("response_url", 2)
    assert "/invite @CWS Assistant" in hint.params["text"] and "not_in_channel" in hint.params["text"]


def test_a_delegate_gets_no_chart(atr_bot):
    atr(atr_bot, "status chart")
    [call] = atr_bot.fake.wait_for("response_url")
    assert "Only the CWS Secretariat" in call.params["text"]  # refused, and the request ends there: no chart can follow
    assert atr_bot.fake.calls_to("files.getUploadURLExternal") == []


def test_list_shows_an_offices_links_over_the_years(atr_bot):
    seed(atr_bot, "GB", "PI", YEAR - 1, "https://www.ipo.gov.uk/old-pi")
    seed(atr_bot, "GB", "TM", YEAR, "https://www.ipo.gov.uk/new-tm")
    seed(atr_bot, "FR", "PI", YEAR, "https://www.inpi.fr/atr-pi")
    for text in ["list GB", "list gb", "list"]:  # a GB delegate's own office by default
        atr(atr_bot, text)
    calls = atr_bot.fake.wait_for("response_url", 3)
    for call in calls:
        shown = json.dumps(call.blocks)
        assert "ATR links of GB (United Kingdom)" in shown
        assert shown.index(f"*{YEAR}*") < shown.index(f"*{YEAR - 1}*")  # newest first
        assert "https://www.ipo.gov.uk/new-tm" in shown and "https://www.ipo.gov.uk/old-pi" in shown
        assert "inpi.fr" not in shown


def test_list_is_for_delegates_and_the_secretariat(atr_bot):
    atr(atr_bot, "list GB", user="U0STRANGER")
    [call] = atr_bot.fake.wait_for("response_url")
    assert "Only ATR delegates and the CWS Secretariat" in call.params["text"]
    assert "UK" in atr(atr_bot, "list UK").json()["text"]  # a bad code is answered at once


def test_help_and_unknown_words(atr_bot):
    for text in ["help", "HELP", "--help"]:
        body = body_text(atr(atr_bot, text))
        assert "/atr submit OFFICE TYPE YEAR URL [note]" in body and "/atr status [YEAR] [chart]" in body
    body = body_text(atr(atr_bot, "frobnicate GB"))
    assert "did not understand `frobnicate GB`" in body and "/atr list [OFFICE]" in body
    assert [c.method for c in atr_bot.fake.calls] == ["auth.test"]


@pytest.mark.parametrize(
    "text, fields",
    [
        (
            "GB TM 2024 https://x.org/a",
            {"office": "GB", "ip_type": "TM", "year": "2024", "url": "https://x.org/a", "note": ""},
        ),
        (
            "GB  TM 2024  <https://x.org/a|my report>  the note ",
            {"office": "GB", "ip_type": "TM", "year": "2024", "url": "<https://x.org/a|my report>", "note": "the note"},
        ),
        (
            "FR trade mark 2024 https://x.org",
            {"office": "FR", "ip_type": "trade mark", "year": "2024", "url": "https://x.org", "note": ""},
        ),
    ],
)
def test_parse_submit(text, fields):
    assert parse_submit(text) == fields
