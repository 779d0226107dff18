"""`/atr submit` in Slack: the confirmation at once, then a follow-up once the link was read and its report
indexed (or why not); `/atr status` shows the links that do not work. Against an office's site on 127.0.0.1
(test-only settings atr.fetch.allow_http and allow_loopback) and the fake Slack API."""

from __future__ import annotations

import json

import pytest

from atr.fetcher import ReportFetcher
from tests.atr.conftest import JPO_2024, SITE_HOST
from tests.atr.report_server import ReportSite
from tests.slack.conftest import ATR_SETTINGS
from tests.slack.test_atr_command import YEAR, atr

LINKS = ATR_SETTINGS | {"allow_http": True, "fetch": {"allow_http": True, "allow_loopback": True, "timeout_seconds": 5}}


@pytest.fixture()
def site(monkeypatch, memo_embedder):
    from atr import guard

    monkeypatch.setattr(guard, "resolve_host", lambda host, port: ["127.0.0.1"] if host == SITE_HOST else [])
    monkeypatch.setattr("index.runner.embedder_for", lambda _settings: memo_embedder)
    server = ReportSite()
    yield server
    server.stop()


def test_the_confirmation_comes_first_then_the_report_is_read_and_indexed(start_bot, site):
    bot = start_bot(atr=LINKS)
    site.serve("/atr.html", JPO_2024)
    url = site.url("/atr.html", SITE_HOST)
    response = atr(bot, f"submit JP PI {YEAR} {url}", user="U0SECRET")
    assert response.status == 200 and response.elapsed < 1
    confirmation, follow_up = bot.fake.wait_for("response_url", 2, timeout=120)
    assert "Stored" in confirmation.text
    assert follow_up.text == (f"Read and indexed the report at {url}: 3 passages, cited as ATR/PI {YEAR}, Japan (JP).")
    assert ":page_facing_up:" in json.dumps(follow_up.blocks)

    atr(bot, f"status {YEAR}", user="U0SECRET")
    status = bot.fake.wait_for("response_url", 3)[2]
    assert "*Links read and indexed:* 1 of 1" in json.dumps(status.blocks, ensure_ascii=False)

    site.fail("/atr.html", 404)
    ReportFetcher(bot.settings).check_all()  # what the nightly job does
    atr(bot, f"status {YEAR}", user="U0SECRET")
    shown = json.dumps(bot.fake.wait_for("response_url", 4)[3].blocks, ensure_ascii=False)
    assert "*Links read and indexed:* 0 of 1" in shown
    assert f"*JP {YEAR} PI* broken since" in shown and "the link returns 404" in shown


def test_a_link_that_cannot_be_read_is_said_plainly_and_stays_stored(start_bot, site):
    bot = start_bot(atr=LINKS)
    site.serve("/login", "<html><body><form><input type=password name=p></form></body></html>")
    url = site.url("/login", SITE_HOST)
    atr(bot, f"submit GB TM {YEAR} {url}")
    _, follow_up = bot.fake.wait_for("response_url", 2, timeout=60)
    assert follow_up.text.startswith(f"Could not read the report at {url}: the page is a login form")
    assert "`/atr submit` with a corrected link replaces it" in follow_up.text
    assert ":warning:" in json.dumps(follow_up.blocks)
