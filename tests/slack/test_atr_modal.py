"""`/atr` alone opens the form; its `view_submission` is checked field by field, stored, confirmed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from atr.store import AtrStore
from bot.blocks import escape
from tests.slack.signing import load_payload

CURRENT = datetime.now(UTC).year
YEAR = CURRENT - 1
GOOD = {
    "office": "GB",
    "type": "TM",
    "year": str(YEAR),
    "url": "https://www.ipo.gov.uk/atr/tm?y=1&lang=en",
    "note": None,
}


def submission(user: str = "U0DELEGGB", metadata: str | None = None, **fields: str | None) -> dict:
    """The captured view_submission with the form's fields set (type: the selected option's value)."""
    payload = load_payload("view_submission_atr_submit.json")
    payload["user"]["id"] = user
    values = payload["view"]["state"]["values"]
    for name, value in (GOOD | fields).items():
        if name == "type":
            values["type"]["value"]["selected_option"] = (
                None
                if value is None
                else {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
            )
        else:
            values[name]["value"]["value"] = value
    if metadata is not None:
        payload["view"]["private_metadata"] = metadata
    return payload


def opened_view(call) -> dict:  # type: ignore[no-untyped-def]
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def stored(bot) -> list:  # type: ignore[no-untyped-def]
    return AtrStore(bot.settings.data_dir).current()


def test_atr_alone_opens_the_form(atr_bot):
    fields = load_payload("command_atr.json", atr_bot.fake.hooks_url)
    response = atr_bot.command(fields)
    assert response.status == 200 and response.body == b"" and response.elapsed < 1

    [call] = atr_bot.fake.wait_for("views.open")
    assert call.params["trigger_id"] == fields["trigger_id"]
    view = opened_view(call)
    assert view["type"] == "modal" and view["callback_id"] == "atr_submit"
    assert json.loads(view["private_metadata"]) == {"channel": "C0ATRSUBS"}
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert list(blocks) == ["office", "type", "year", "url", "note"]
    assert all(b["type"] == "input" for b in blocks.values())
    assert blocks["office"]["element"]["initial_value"] == "GB"  # the delegate's only office
    assert [o["value"] for o in blocks["type"]["element"]["options"]] == ["PI", "TM", "ID"]
    assert blocks["type"]["element"]["type"] == "static_select"
    assert blocks["year"]["element"]["initial_value"] == str(YEAR)  # last year: the year of the activities
    assert blocks["note"]["optional"] is True and blocks["note"]["element"]["multiline"] is True
    assert "optional" not in blocks["url"]


def test_the_form_has_no_office_filled_in_for_the_secretariat(atr_bot):
    atr_bot.command(load_payload("command_atr.json", atr_bot.fake.hooks_url) | {"user_id": "U0SECRET"})
    [call] = atr_bot.fake.wait_for("views.open")
    office = opened_view(call)["blocks"][0]
    assert "initial_value" not in office["element"]


def test_a_form_that_cannot_be_opened_is_reported(atr_bot):
    atr_bot.fake.fail("views.open", 200, error="expired_trigger_id")
    atr_bot.command(load_payload("command_atr.json", atr_bot.fake.hooks_url))
    [call] = atr_bot.fake.wait_for("response_url")
    assert "something went wrong" in call.params["text"]


BAD_FIELDS = [
    ({"office": "UK"}, "office", "did you mean GB?"),
    ({"office": "ZZ"}, "office", "'ZZ' is not a WIPO ST.3 office code"),
    ({"office": ""}, "office", "Office is missing"),
    ({"type": None}, "type", "Choose the IP right"),
    ({"type": "XX"}, "type", "'XX' is not an IP right"),
    ({"year": "24"}, "year", "'24' is not a year"),
    ({"year": "２０２４"}, "year", "is not a year"),
    ({"year": str(CURRENT + 1)}, "year", "is in the future"),
    ({"year": "1999"}, "year", "before 2000"),
    ({"url": ""}, "url", "The link is missing"),
    ({"url": "\thttps://x.org"}, "url", "tabs"),
    ({"url": "https://x.org/\nreport"}, "url", "line breaks"),
    ({"url": "https://x.org/re port"}, "url", "spaces"),
    ({"url": "https://x.org/\u200breport"}, "url", "invisible"),
    ({"url": "https://a@b.org"}, "url", "user name"),
    ({"url": "javascript:alert(1)"}, "url", "'javascript:'"),
    ({"url": "file:///etc/passwd"}, "url", "'file:'"),
    ({"url": "http://x.org"}, "url", "'http:'"),
    ({"url": "https://" + "a" * 10_000 + ".org"}, "url", "at most 2,048"),
    ({"url": "https://wіpo.int/atr"}, "url", "look-alike"),
    ({"url": "https://localhost/x"}, "url", "no valid host"),
    ({"url": "www.wipo.int/atr"}, "url", "no scheme"),
    ({"note": "n" * 501}, "note", "at most 500"),
]


@pytest.mark.parametrize("fields, block, message", BAD_FIELDS, ids=[f"{b}-{m[:18]}" for _, b, m in BAD_FIELDS])
def test_a_bad_field_keeps_the_form_open_with_its_message(atr_bot, fields, block, message):
    response = atr_bot.action(submission(**fields))
    assert response.status == 200
    body = response.json()
    assert body["response_action"] == "errors" and list(body["errors"]) == [block]
    assert message in body["errors"][block]
    assert stored(atr_bot) == []
    assert atr_bot.fake.calls_to("chat.postEphemeral") == [] and atr_bot.fake.calls_to("chat.postMessage") == []


def test_every_bad_field_is_shown_at_once(atr_bot):
    response = atr_bot.action(submission(office="UK", type="copyright", year="3000", url="javascript:x"))
    assert set(response.json()["errors"]) == {"office", "type", "year", "url"}
    assert stored(atr_bot) == []


def test_a_good_form_closes_and_the_confirmation_is_private(atr_bot):
    response = atr_bot.action(submission(note="simplified\ntemplate"))
    assert response.status == 200 and response.body == b""  # an empty 200 closes the form

    call = atr_bot.fake.wait_for("chat.postEphemeral", 2)[0]  # then a follow-up on reading the link
    assert (call.params["channel"], call.params["user"]) == ("C0ATRSUBS", "U0DELEGGB")
    shown = json.dumps(call.blocks, ensure_ascii=False)
    for fact in [
        "GB (United Kingdom)",
        "Trademark Information (TM)",
        str(YEAR),
        escape(GOOD["url"]),
        "simplified template",
    ]:
        assert fact in shown, fact
    [row] = stored(atr_bot)
    assert (row.office, row.ip_type, row.year, row.url, row.note) == (
        "GB",
        "TM",
        YEAR,
        GOOD["url"],
        "simplified template",
    )
    assert (row.team_id, row.user_id) == ("T0CWSTEAM", "U0DELEGGB")


def test_a_resubmitted_form_shows_the_link_it_replaced(atr_bot):
    atr_bot.action(submission(url="https://www.ipo.gov.uk/first"))
    atr_bot.fake.wait_for("chat.postEphemeral", 2)  # the confirmation and the follow-up on reading the link
    atr_bot.action(submission(url="https://www.ipo.gov.uk/second"))
    second = atr_bot.fake.wait_for("chat.postEphemeral", 4)[2]
    assert "*Replaced:* <https://www.ipo.gov.uk/first|https://www.ipo.gov.uk/first>" in json.dumps(second.blocks)
    assert len(AtrStore(atr_bot.settings.data_dir).history("GB", "TM", YEAR)) == 2


def test_another_office_is_refused_on_the_office_field(atr_bot):
    response = atr_bot.action(submission(office="FR"))
    assert response.json() == {
        "response_action": "errors",
        "errors": {"office": "You can submit ATRs for GB only, not for FR."},
    }
    assert stored(atr_bot) == []


def test_a_stranger_is_told_on_the_form_how_to_get_access(atr_bot):
    response = atr_bot.action(submission(user="U0STRANGER"))
    message = response.json()["errors"]["office"]
    assert "not registered as an ATR delegate" in message and "To get access" in message
    assert stored(atr_bot) == []


def test_a_group_member_submits_through_the_form(atr_bot):
    atr_bot.action(submission(user="U0GROUPIE", office="FR"))
    atr_bot.fake.wait_for("chat.postEphemeral", 2)
    assert [(s.office, s.user_id) for s in stored(atr_bot)] == [("FR", "U0GROUPIE")]


def test_without_a_channel_the_confirmation_is_a_direct_message(atr_bot):
    atr_bot.action(submission(metadata="{}"))
    call = atr_bot.fake.wait_for("chat.postMessage", 2)[0]  # the follow-up on reading the link is a DM too
    assert call.params["channel"] == "U0DELEGGB" and "ipo.gov.uk" in call.params["text"]
    assert atr_bot.fake.calls_to("chat.postEphemeral") == []


def test_where_the_bot_may_not_post_the_confirmation_is_a_direct_message(atr_bot):
    atr_bot.fake.fail("chat.postEphemeral", 200, error="not_in_channel")
    atr_bot.action(submission())
    call = atr_bot.fake.wait_for("chat.postMessage")[0]
    assert call.params["channel"] == "U0DELEGGB" and "ipo.gov.uk" in call.params["text"]
    atr_bot.fake.wait_for("chat.postEphemeral", 2)  # the refused try, then the follow-up on reading the link


def test_a_failure_before_storing_is_shown_on_the_form(atr_bot, monkeypatch, caplog):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(AtrStore, "submit", broken)
    body = atr_bot.action(submission()).json()
    assert body["response_action"] == "update"
    assert "something went wrong" in json.dumps(body["view"])
    assert "OSError: disk full" in caplog.text
