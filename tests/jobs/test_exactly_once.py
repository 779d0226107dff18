"""Posts whose outcome is unknown are looked for in the channel before they are posted again; Slack's
spacing of a second per channel holds across processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from config.database import connected
from jobs import tasks
from jobs.posting import Poster
from tests.jobs.test_kill_reminders import key_of
from tests.waiting import wait_for

AT = datetime(2026, 6, 23, 9, 5)  # the 7-days-before ATR reminder is due (the 30-days one is long missed)
KEY = "reminder:atr-2025:7:C0SECRET1"


def copies(fake, key: str = KEY) -> int:  # type: ignore[no-untyped-def]
    return sum(key_of(c) == key for c in fake.posted())


def impatient(fake, timeout: int = 1) -> Poster:  # type: ignore[no-untyped-def]
    client = WebClient(
        token="xoxb-test",
        base_url=fake.api_url,
        timeout=timeout,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    return Poster(client, min_interval=1.0)


def test_posts_carry_their_key_as_metadata(installed, fake_slack):
    tasks.reminders(AT)
    [post] = [c for c in fake_slack.posted("C0SECRET1") if "due in 7 days" in c.text]
    assert post.params["metadata"] == {"event_type": "cws_reminder", "event_payload": {"key": KEY}}
    missed = next(c for c in fake_slack.posted("C0SECRET1") if "were missed" in c.text)
    assert missed.params["metadata"]["event_type"] == "cws_missed_report"


def test_a_reply_after_the_client_timeout_is_not_posted_again(installed, fake_slack):
    """Slack stores the post but answers after the client gave up: it was posted again on the next run."""
    installed.poster = impatient(fake_slack)
    fake_slack.slow("chat.postMessage", 2.5)  # the reminder; the missed-reminders report after it is answered at once
    first = tasks.reminders(AT)
    assert "1 unconfirmed (looked for on the next run)" in first and first.startswith("reminders: 0 sent, 1 missed")
    assert copies(fake_slack) == 1
    second = tasks.reminders(AT)
    assert second == "reminders: 0 sent, 0 missed, 0 failed, 1 already done, 1 found already posted"
    history = fake_slack.calls_to("conversations.history")[-1]
    assert history.params["channel"] == "C0SECRET1" and history.params["include_all_metadata"] in ("1", "true")
    assert "0 sent" in tasks.reminders(AT) and copies(fake_slack) == 1
    assert installed.ledger.state(KEY) == "sent"


def test_a_500_is_looked_for_then_posted_once(installed, fake_slack):
    fake_slack.fail("chat.postMessage", 500)  # Slack may or may not have stored it: here it has not
    assert "1 unconfirmed" in tasks.reminders(AT)
    assert copies(fake_slack) == 0
    assert tasks.reminders(AT).startswith("reminders: 1 sent")
    assert copies(fake_slack) == 1 and len(fake_slack.calls_to("conversations.history")) == 1


def test_a_refusal_is_simply_posted_again(installed, fake_slack):
    fake_slack.fail("chat.postMessage", 200, error="not_in_channel")  # certainly not delivered
    assert "1 failed" in tasks.reminders(AT)
    assert tasks.reminders(AT).startswith("reminders: 1 sent")
    assert copies(fake_slack) == 1 and fake_slack.calls_to("conversations.history") == []


def test_without_the_history_scope_an_unconfirmed_post_is_reported_not_repeated(installed, fake_slack):
    installed.poster = impatient(fake_slack)
    fake_slack.slow("chat.postMessage", 2.5)
    tasks.reminders(AT)
    fake_slack.fail("conversations.history", 200, times=2, error="missing_scope")
    second = tasks.reminders(AT)
    assert "1 unconfirmed and not checkable (see the log)" in second
    report = [c.text for c in fake_slack.posted("C0SECRET1") if "cannot tell whether" in c.text]
    assert len(report) == 1 and "channels:history" in report[0] and "atr-2025 (7 days before" in report[0]
    tasks.reminders(AT)  # the same day: reported once
    assert sum("cannot tell whether" in c.text for c in fake_slack.posted()) == 1
    assert "1 found already posted" in tasks.reminders(AT)  # the scope granted: checked, not re-posted
    assert copies(fake_slack) == 1


def test_a_post_being_sent_by_a_live_process_is_left_to_it(installed, fake_slack):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stat = open(f"/proc/{sleeper.pid}/stat").read().rsplit(")", 1)[1].split()
        with connected(installed.settings.data_dir) as db, db.conn:
            db.conn.execute(
                "insert into job_posts (key, kind, subject, channel, scheduled_for, state, claimed_at, "
                "attempts, owner) values (?, 'reminder', 'atr-2025', 'C0SECRET1', '', 'sending', ?, 1, ?)",
                (KEY, datetime.now().astimezone().isoformat(timespec="seconds"), f"{sleeper.pid}:{stat[19]}"),
            )
        assert "1 being posted by another process" in tasks.reminders(AT)
        assert copies(fake_slack) == 0
    finally:
        sleeper.kill()
        sleeper.wait()
    assert tasks.reminders(AT).startswith("reminders: 1 sent")  # its owner died before posting: looked for, posted
    assert copies(fake_slack) == 1


def test_a_claim_left_by_the_old_code_is_resolved(installed, fake_slack):
    """Rows the old code left 'claimed' (crashed before posting) were never sent and never reported."""
    with connected(installed.settings.data_dir) as db, db.conn:
        db.conn.execute(
            "insert into job_posts (key, kind, subject, channel, scheduled_for, state, claimed_at, attempts) "
            "values (?, 'reminder', 'atr-2025', 'C0SECRET1', '', 'claimed', ?, 1)",
            (KEY, datetime.now().astimezone().isoformat(timespec="seconds")),
        )
    assert tasks.reminders(AT).startswith("reminders: 1 sent")
    assert copies(fake_slack) == 1


def test_an_unconfirmed_reminder_past_its_grace_is_missed_not_posted_late(installed, fake_slack):
    fake_slack.fail("chat.postMessage", 500)
    tasks.reminders(datetime(2026, 6, 29, 9, 5))  # the 1-day reminder: unconfirmed, not stored
    late = tasks.reminders(datetime(2026, 6, 30, 9, 30))  # 24.5 h later, beyond 12 h of grace
    assert late == "reminders: 0 sent, 1 missed, 0 failed, 2 already done"
    assert copies(fake_slack, "reminder:atr-2025:1:C0SECRET1") == 0
    assert installed.ledger.state("reminder:atr-2025:1:C0SECRET1") == "missed"


def test_jobs_client_retries_only_what_certainly_did_not_reach_slack(job_settings, fake_slack):
    from jobs.runtime import jobs_client

    client = jobs_client(job_settings, {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake_slack.api_url})
    fake_slack.fail("chat.postMessage", 500)
    poster = Poster(client, min_interval=0)
    try:
        poster.post("C0SECRET1", "hello", key="k")
    except Exception:
        pass
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # not retried: Slack may have stored it


SPACING_SCRIPT = """
import sys, time
from pathlib import Path
from config.settings import load_settings
from jobs.runtime import poster_from_env
settings = load_settings(sys.argv[1], environ={})
poster = poster_from_env(settings, {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": sys.argv[2]})
Path(sys.argv[3] + "-" + sys.argv[4]).touch()  # ready
while not Path(sys.argv[3]).exists():
    time.sleep(0.01)
for n in range(3):
    poster.post("C0SECRET1", f"{sys.argv[4]} {n}")
"""


def test_two_posting_processes_keep_a_second_between_posts_to_a_channel(job_settings, fake_slack, tmp_path):
    go = tmp_path / "go"
    env = dict(os.environ)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SPACING_SCRIPT, str(job_settings.config_path), fake_slack.api_url, str(go), name],
            env=env,
        )
        for name in ("a", "b")
    ]
    wait_for(lambda: all(Path(f"{go}-{name}").exists() for name in ("a", "b")), timeout=60, what="both to be ready")
    go.touch()  # both post at once
    assert [p.wait(timeout=60) for p in processes] == [0, 0]
    stamps = sorted(c.at for c in fake_slack.posted("C0SECRET1"))
    assert len(stamps) == 6
    gaps = [round(b - a, 2) for a, b in zip(stamps, stamps[1:])]
    assert min(gaps) >= 0.95, gaps


def test_find_by_key_or_by_the_same_bot_text(fake_slack):
    poster = impatient(fake_slack, timeout=5)
    since = time.time() - 1
    tagged = poster.post("C0SECRET1", "tagged", key="reminder:a:1:C0SECRET1", kind="reminder")
    untagged = poster.post("C0SECRET1", "no metadata came back")
    assert poster.find("C0SECRET1", "reminder:a:1:C0SECRET1", since) == tagged
    assert poster.find("C0SECRET1", "reminder:b:1:C0SECRET1", since) is None
    assert poster.find("C0SECRET1", "reminder:b:1:C0SECRET1", since, text="no metadata came back") == untagged
    assert poster.find("C0SECRET1", "reminder:a:1:C0SECRET1", time.time() + 60) is None  # only since `since`
