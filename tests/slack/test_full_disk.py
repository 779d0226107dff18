"""A database that cannot be written (a full disk) costs records, never questions (issue 15 §6).

Every SQLite connection the running bot opens refuses writes, as SQLite itself does on a
read-only or full database (`PRAGMA query_only`: each INSERT, UPDATE or DELETE raises
sqlite3.OperationalError); reads still work, as they do on a full disk. The last test fills a
real disk: `cws serve` on a tmpfs written full (ENOSPC, "database or disk is full"). Before,
a mention got 500 (Slack retried, the question was lost) and `/cws` 404.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import config.database
from atr.store import AtrStore
from bot.atr_access import SORRY as ATR_SORRY
from bot.feedback import FeedbackStore
from bot.responder import NO_FOLLOW_UPS, NO_VOTES, STORAGE_FAILING, VOTE_NOT_SAVED
from tests.slack.conftest import ATR_SETTINGS
from tests.slack.signing import FORM, JSON, SIGNING_SECRET, command_body, event_body, load_payload, send_signed

MENTION = load_payload("event_app_mention.json")
QUESTION = "When does the ST.92 sunset period end?"


@pytest.fixture()
def disk_full(monkeypatch):  # type: ignore[no-untyped-def]
    """Call it once the bot is running, before its first request: from then on every connection its threads
    open refuses writes (connections are kept per thread, so one opened earlier would still write)."""
    original = config.database.open_database

    def refusing_writes(data_dir, *migrations):  # type: ignore[no-untyped-def]
        db = original(data_dir, *migrations)
        db.execute("PRAGMA query_only = ON")
        return db

    def fill() -> None:
        monkeypatch.setattr(config.database, "open_database", refusing_writes)

    return fill


def _texts(calls) -> str:  # type: ignore[no-untyped-def]
    return json.dumps([c.params for c in calls], ensure_ascii=False)


def test_the_refusal_is_real():
    """What the bot meets: SQLite's own error, on every write."""
    conn = sqlite3.connect(":memory:")
    conn.execute("create table t (a)")
    conn.execute("PRAGMA query_only = ON")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("insert into t values (1)")


def test_a_mention_is_acknowledged_and_answered_and_the_user_told_what_was_not_saved(bot, disk_full, caplog):
    disk_full()
    with caplog.at_level(logging.ERROR):
        response = bot.event(MENTION)
        assert response.status == 200 and response.elapsed < 3
        [posted] = bot.fake.wait_for("chat.postMessage")
        bot.fake.wait_for("reactions.remove")
    assert "July 1, 2027" in posted.text
    shown = json.dumps(posted.blocks, ensure_ascii=False)
    assert STORAGE_FAILING in shown and NO_VOTES in shown and NO_FOLLOW_UPS in shown
    assert "vote_up" not in shown  # buttons naming an answer that was never saved would only fail
    logged = [(r.name, r.getMessage()) for r in caplog.records]
    assert any(name == "bot.dedupe" and "checking for duplicates in memory" in m for name, m in logged), logged
    assert any(name == "bot.responder" and "could not save" in m for name, m in logged), logged


def test_a_redelivery_during_the_outage_is_still_answered_once(bot, disk_full):
    disk_full()
    assert bot.event(MENTION).status == 200
    assert bot.event(MENTION, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}).status == 200
    bot.fake.wait_for("reactions.remove")
    assert len(bot.fake.calls_to("chat.postMessage")) == 1


def test_cws_is_answered(bot, disk_full):
    disk_full()
    response = bot.command(load_payload("command_cws.json", bot.fake.hooks_url))
    assert response.status == 200 and "Looking that up" in response.body.decode()
    [answer] = bot.fake.wait_for("response_url")
    assert "July 1, 2027" in answer.text
    assert STORAGE_FAILING in _texts([answer])


def test_a_refusal_is_answered_though_its_gap_cannot_be_recorded(bot, disk_full, caplog):
    disk_full()
    fields = load_payload("command_cws.json", bot.fake.hooks_url) | {"text": "What is the airspeed of a swallow?"}
    with caplog.at_level(logging.ERROR, logger="bot.responder"):
        assert bot.command(fields).status == 200
        [answer] = bot.fake.wait_for("response_url")
    assert "went wrong" not in answer.text
    assert "could not save a knowledge gap" in caplog.text


def test_a_vote_that_cannot_be_saved_is_said_so(bot, engine, disk_full):
    # An answer saved while the disk had room (by this thread: the bot's threads open their connections later).
    answer_id = FeedbackStore(bot.settings.data_dir).record_answer(engine.ask(QUESTION), "C0TASKFRC", "U0ALICE", 3)
    disk_full()
    vote = load_payload("action_vote_up.json", bot.fake.hooks_url, ANSWER_ID=answer_id)
    assert bot.action(vote).status == 200
    [told] = bot.fake.wait_for("response_url")
    assert told.text == VOTE_NOT_SAVED


def test_an_atr_submission_still_says_try_again_later_and_stores_nothing(start_bot, disk_full):
    bot = start_bot(atr=ATR_SETTINGS)
    disk_full()
    fields = load_payload("command_atr.json", bot.fake.hooks_url) | {
        "text": "submit GB TM 2024 https://www.ipo.gov.uk/atr/2024-trademarks"
    }
    assert bot.command(fields).status == 200
    [told] = bot.fake.wait_for("response_url")
    assert told.text == ATR_SORRY
    assert AtrStore(bot.settings.data_dir).current() == []


# --- a real full disk: `cws serve` on a tmpfs filled to the last byte ------------------------------------------------


def _can_mount_in_a_namespace() -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run([unshare, "-Urm", "mount", "-t", "tmpfs", "tmpfs", "/tmp"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_in_a_namespace(), reason="needs unshare and unprivileged user namespaces")
def test_a_really_full_disk_still_answers(tmp_path, built_settings, fake_slack):
    mount = tmp_path / "disk"
    mount.mkdir()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CWS_", "SLACK_"))} | {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
    }
    driver = subprocess.Popen(
        [
            "unshare",
            "-Urm",
            sys.executable,
            str(Path(__file__).with_name("full_disk_serve.py")),
            str(mount),
            str(built_settings.index_root),
            str(log),
        ],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert driver.stdout is not None
        url = driver.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), log.read_text()
        events = url + "/slack/events"
        mention = send_signed(events, event_body(MENTION), JSON)
        assert mention.status == 200 and mention.elapsed < 3
        [posted] = fake_slack.wait_for("chat.postMessage", timeout=60)
        assert "July 1, 2027" in posted.text and NO_VOTES in json.dumps(posted.blocks, ensure_ascii=False)
        fields = load_payload("command_cws.json", fake_slack.hooks_url)
        command = send_signed(events, command_body(fields), FORM)
        assert command.status == 200
        [answer] = fake_slack.wait_for("response_url", timeout=60)
        assert "July 1, 2027" in answer.text and STORAGE_FAILING in _texts([answer])
    finally:
        driver.communicate("", timeout=60)
    logged = log.read_text()
    assert "database or disk is full" in logged and "Traceback" not in logged, logged
