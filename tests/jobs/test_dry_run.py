"""Without a Slack token the jobs are a dry run: they print what they would post and record nothing as sent;
where posts go is checked at start-up; an ATR reminder with no expected offices says so."""

from __future__ import annotations

from datetime import datetime

from click.testing import CliRunner

from atr.store import AtrStore
from atr.validation import validate
from cws.cli import cli
from jobs.atr_nudges import missing_note
from jobs.ledger import Ledger


def run(job_settings, *args, token_for=None):  # type: ignore[no-untyped-def]
    env = {"CWS_CONFIG": str(job_settings.config_path)}
    if token_for is not None:
        env |= {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": token_for.api_url}
    return CliRunner().invoke(cli, ["jobs", "run", *args], env=env)


def test_reminders_without_a_token_print_and_use_nothing_up(job_settings, fake_slack):
    dry = run(job_settings, "reminders", "--at", "2026-06-29T09:10")
    assert dry.exit_code == 0, dry.output
    assert "No SLACK_BOT_TOKEN: a dry run" in dry.output
    assert (
        "would post to C0SECRET1:\n  :alarm_clock: *ATR submissions on 2025 activities* is due tomorrow" in dry.output
    )
    assert dry.output.rstrip().endswith(
        "reminders: dry run (no SLACK_BOT_TOKEN), nothing posted or recorded: "
        "1 to send, 2 to record as missed, 0 already done"
    )
    assert Ledger(job_settings.data_dir).rows() == []
    real = run(job_settings, "reminders", "--at", "2026-06-29T09:10", token_for=fake_slack)
    assert real.output.startswith("reminders: 1 sent, 2 missed"), real.output
    assert sum("due tomorrow" in c.text for c in fake_slack.posted("C0SECRET1")) == 1
    again = run(job_settings, "reminders", "--at", "2026-06-29T09:20")  # a dry run after: nothing left to do
    assert "0 to send, 0 to record as missed, 3 already done" in again.output


def test_digest_without_a_token_prints_its_channel_and_records_nothing(job_settings, fake_slack):
    dry = run(job_settings, "digest", "--at", "2026-06-10T08:00")
    assert "would post to C0SECRET1:\n  :calendar: Deadlines in the next 30 days:" in dry.output
    assert "digest: dry run (no SLACK_BOT_TOKEN), nothing posted or recorded (1 deadlines)" in dry.output
    assert "posted (" not in dry.output.replace("nothing posted", "")
    real = run(job_settings, "digest", "--at", "2026-06-10T08:00", token_for=fake_slack)
    assert real.output.strip() == "digest: posted (1 deadlines)"


def test_dry_run_nudges_record_nothing(job_settings, fake_slack, tmp_path):
    config = tmp_path / "nudging.yaml"
    config.write_text(
        job_settings.config_path.read_text().replace(
            "  grace_hours: 12\n", "  grace_hours: 12\n  nudge_delegates: true\n"
        )
    )
    store = AtrStore(job_settings.data_dir)
    store.submit(
        validate("GB", "TM", 2024, "https://gb.example.org/a", "", current_year=2026, first_year=2000), "T", "U"
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "jobs", "run", "reminders", "--at", "2026-06-29T09:10"])
    assert "would post to U0GBDELEG:" in result.output, result.output
    assert Ledger(job_settings.data_dir).rows() == []


def _config_without_channel(job_settings, tmp_path, deadlines: bool = True):  # type: ignore[no-untyped-def]
    text = job_settings.config_path.read_text().replace("  secretariat_channel: C0SECRET1\n", "")
    if not deadlines:
        text = "\n".join(line for line in text.splitlines() if "deadlines_file" not in line) + "\n"
    config = tmp_path / "no-channel.yaml"
    config.write_text(text)
    return config


def test_a_missing_channel_stops_start_up_naming_the_key(job_settings, tmp_path, fake_slack):
    config = _config_without_channel(job_settings, tmp_path)
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake_slack.api_url}
    for command in (["jobs", "run", "digest"], ["jobs", "run", "reminders"], ["jobs", "start"]):
        result = CliRunner().invoke(cli, ["--config", str(config), *command], env=env)
        assert result.exit_code == 1, (command, result.output)
        assert "jobs.secretariat_channel is not set" in result.output
        assert "deadline 'atr-2025' (no channel of its own)" in result.output  # cws-14-documents has its own
    assert fake_slack.posted() == []
    listing = CliRunner().invoke(cli, ["--config", str(config), "deadlines"])
    assert listing.exit_code == 0 and "secretariat_channel" not in listing.output  # listing needs no channel


def test_without_deadlines_or_channel_the_digest_says_why_it_posts_nothing(job_settings, tmp_path, fake_slack):
    config = _config_without_channel(job_settings, tmp_path, deadlines=False)
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake_slack.api_url}
    result = CliRunner().invoke(cli, ["--config", str(config), "jobs", "run", "digest"], env=env)
    assert result.output.strip() == "digest: not posted: jobs.secretariat_channel is not set"
    assert fake_slack.calls_to("chat.postMessage") == [] and Ledger(job_settings.data_dir).rows() == []


def test_no_expected_offices_is_not_everyone_submitted(tmp_path):
    store = AtrStore(tmp_path / "data")
    note = missing_note(store, 2025, [])
    assert "Every expected office" not in note
    assert "no expected offices are configured (atr.expected_offices) and none submitted for 2024" in note
    store.submit(
        validate("GB", "TM", 2025, "https://gb.example.org/a", "", current_year=2026, first_year=2000), "T", "U"
    )
    assert "Submitted so far: GB." in missing_note(store, 2025, [])
    assert missing_note(store, 2025, ["GB"]).startswith("Not yet submitted for 2025:")  # configured: as before


def test_the_atr_reminder_itself_says_none_are_configured(installed, fake_slack):
    from jobs import tasks

    tasks.reminders(datetime(2026, 6, 23, 9, 5))
    text = next(c.text for c in fake_slack.posted("C0SECRET1") if "due in 7 days" in c.text)
    assert "no expected offices are configured" in text and "Every expected office" not in text
