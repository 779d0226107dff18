"""Reminders are posted at most once, ever, whatever the reruns, restarts and clocks."""

import time
from datetime import datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from atr.store import AtrStore
from atr.validation import validate
from jobs import tasks
from jobs.deadlines import load_deadlines
from jobs.reminders import due_reminders

ZURICH = ZoneInfo("Europe/Zurich")


def posts(fake, channel=None):
    return [
        c for c in fake.calls_to("chat.postMessage", ok_only=True) if channel is None or c.params["channel"] == channel
    ]


def test_same_moment_twice_sends_once(installed, fake_slack):
    at = datetime(2026, 6, 23, 9, 5)  # the 7-days-before reminder is due at 09:00
    first = tasks.reminders(at)
    second = tasks.reminders(at)
    # The 7-days-before reminder is due; the 30-days-before one (May 31) is long past the grace.
    assert first.startswith("reminders: 1 sent, 1 missed")
    assert second == "reminders: 0 sent, 0 missed, 0 failed, 2 already done"
    texts = [c.text for c in posts(fake_slack, "C0SECRET1")]
    assert sum("due in 7 days" in t for t in texts) == 1


def test_restart_and_second_process_do_not_resend(installed, job_settings, fake_slack):
    from jobs import runtime

    at = datetime(2026, 6, 29, 9, 30)
    tasks.reminders(at)
    before = len(posts(fake_slack))
    fresh = runtime.Runtime.from_settings(job_settings, environ={})  # as after a restart
    fresh.poster = installed.poster
    runtime.install(fresh)
    assert "0 sent" in tasks.reminders(at)
    assert "0 sent" in tasks.reminders(datetime(2026, 6, 29, 10, 0))
    assert len(posts(fake_slack)) == before


def test_past_at_never_resends(installed, fake_slack):
    tasks.reminders(datetime(2026, 6, 23, 9, 1))
    count = len(posts(fake_slack))
    assert "0 sent" in tasks.reminders(datetime(2026, 6, 23, 9, 0))
    assert len(posts(fake_slack)) == count


def test_downtime_within_grace_sends_once(installed, fake_slack):
    # Process down from 08:00 to 20:30: the 09:00 reminder is 11.5 h late, within 12 h of grace.
    result = tasks.reminders(datetime(2026, 6, 29, 20, 30))
    assert result.startswith("reminders: 1 sent, 2 missed")
    assert any("due tomorrow" in c.text for c in posts(fake_slack, "C0SECRET1"))


def test_downtime_beyond_grace_is_reported_missed_not_sent(installed, fake_slack):
    result = tasks.reminders(datetime(2026, 6, 30, 9, 30))  # 1-day reminder was due 24.5 h ago
    texts = [c.text for c in posts(fake_slack, "C0SECRET1")]
    assert not any("due tomorrow" in t for t in texts)
    assert any("missed" in t and "atr-2025 (1 days before)" in t for t in texts)
    assert "missed" in result
    tasks.reminders(datetime(2026, 6, 30, 9, 45))
    assert sum("missed" in c.text for c in posts(fake_slack)) == 1  # reported once


def test_atr_reminder_names_missing_offices(installed, fake_slack):
    store = AtrStore(installed.settings.data_dir)
    for office, ip_type, year in [("GB", "TM", 2024), ("GB", "PI", 2024), ("FR", "TM", 2024), ("GB", "TM", 2025)]:
        store.submit(
            validate(
                office, ip_type, year, f"https://{office.lower()}.example.org/a", "", current_year=2026, first_year=2000
            ),
            "T",
            "U",
        )
    tasks.reminders(datetime(2026, 6, 23, 9, 5))
    text = next(c.text for c in posts(fake_slack, "C0SECRET1") if "due in 7 days" in c.text)
    # Expected: the offices that submitted for 2024 (FR, GB); GB has sent its 2025 trademark ATR.
    assert "Not yet submitted for 2025:" in text
    assert "Patent Information: FR, GB" in text
    assert "Trademark Information: FR\n" in text
    assert "Industrial Designs Information: FR, GB" in text


def test_delegates_are_nudged_once_per_offset(installed, fake_slack):
    installed.settings.jobs.nudge_delegates = True
    store = AtrStore(installed.settings.data_dir)
    store.submit(
        validate("GB", "TM", 2024, "https://gb.example.org/a", "", current_year=2026, first_year=2000), "T", "U"
    )
    store.submit(
        validate("FR", "TM", 2024, "https://fr.example.org/a", "", current_year=2026, first_year=2000), "T", "U"
    )
    tasks.reminders(datetime(2026, 6, 23, 9, 5))
    tasks.reminders(datetime(2026, 6, 23, 9, 20))
    assert len(posts(fake_slack, "U0GBDELEG")) == 1  # the 7-day reminder; the missed 30-day one nudges nobody
    assert "GB (United Kingdom): Patent Information" in posts(fake_slack, "U0GBDELEG")[0].text
    tasks.reminders(datetime(2026, 6, 29, 9, 5))
    assert len(posts(fake_slack, "U0GBDELEG")) == 2
    assert len(posts(fake_slack, "U0FRDELEG")) == 2


def test_posts_to_one_channel_are_a_second_apart(installed, fake_slack):
    tasks.reminders(datetime(2026, 6, 29, 20, 0))  # the 1-day reminder, then the missed-reminders report
    tasks.digest(datetime(2026, 6, 29, 20, 1))
    stamps = [c.at for c in posts(fake_slack, "C0SECRET1")]
    assert len(stamps) == 3
    assert all(b - a >= 0.95 for a, b in zip(stamps, stamps[1:]))


def test_429_is_honoured(installed, fake_slack):
    fake_slack.fail("chat.postMessage", 429, times=1, retry_after=1)
    started = time.monotonic()
    assert "1 sent" in tasks.reminders(datetime(2026, 6, 29, 9, 5))
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")][:2] == [429, 200]


def test_dst_boundary_in_a_non_utc_zone(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("deadlines:\n  - {id: spring, title: Spring, due: 2026-03-30, remind_days_before: [1]}\n")
    deadlines = load_deadlines(path)
    # Zurich moves from UTC+1 to UTC+2 on March 29, 2026 at 02:00: 09:00 local is 07:00 UTC.
    before = datetime(2026, 3, 29, 6, 59, tzinfo=ZoneInfo("UTC")).astimezone(ZURICH)
    after = datetime(2026, 3, 29, 7, 0, tzinfo=ZoneInfo("UTC")).astimezone(ZURICH)
    assert due_reminders(deadlines, before, clock_time(9, 0), ZURICH, "C0SECRET1") == []
    [due] = due_reminders(deadlines, after, clock_time(9, 0), ZURICH, "C0SECRET1")
    assert due.at.utcoffset().total_seconds() == 7200


def test_digest_posts_once_a_day(installed, fake_slack):
    assert tasks.digest(datetime(2026, 6, 10, 8, 0)).startswith("digest: posted (1 deadlines)")
    assert tasks.digest(datetime(2026, 6, 10, 17, 0)) == "digest: already posted today"
    assert "ATR submissions on 2025 activities" in posts(fake_slack, "C0SECRET1")[0].text


def test_digest_lists_the_weeks_unanswered_questions(installed, job_settings, fake_slack):
    from answering.gaps import REFUSED, THUMBS_DOWN, GapLog

    log = GapLog(job_settings.data_dir)
    for _ in range(2):
        log.record("What is ST.3000?", REFUSED, "channel", "WO/GA/58/9, para. 8")
    log.record("Who chairs the Blockchain Task Force?", THUMBS_DOWN, "dm")
    assert tasks.digest(datetime.now()).startswith("digest: posted")
    text = posts(fake_slack, "C0SECRET1")[-1].text
    assert "Questions not answered in the last 7 days" in text
    assert "• What is ST.3000? (2×, closest: WO/GA/58/9, para. 8)" in text
    assert text.index("ST.3000") < text.index("Blockchain")
