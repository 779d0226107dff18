"""Jobs run against a real SQLite ledger and the fake Slack Web API on 127.0.0.1."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from jobs import runtime
from jobs.posting import Poster

DEADLINES = """
deadlines:
  - id: atr-2025
    title: ATR submissions on 2025 activities
    due: 2026-06-30
    remind_days_before: [30, 7, 1]
  - id: cws-14-documents
    title: Working documents for CWS/14
    due: 2026-09-01
    remind_days_before: [3]
    channel: C0MAINTAIN
"""


@pytest.fixture(autouse=True)
def _close_connections(tmp_path):
    """Close the test thread's SQLite connections to this test's data directories when it ends.
    config.database keeps one per thread and file for the life of the process (cheap for a server); in a
    test session each test's data directory would otherwise hold three file descriptors to the end, and
    a long run reaches select()'s limit of 1024 (tests/test_ask_prompt.py)."""
    yield
    from config import database

    connections = getattr(database._local, "connections", None) or {}
    for path in [p for p in connections if tmp_path in p.parents]:
        connections.pop(path).close()


@pytest.fixture()
def job_settings(tmp_path):
    deadlines = tmp_path / "deadlines.yaml"
    deadlines.write_text(DEADLINES)
    config = tmp_path / "cws.yaml"
    config.write_text(
        f"data_dir: {tmp_path / 'data'}\n"
        "jobs:\n"
        "  timezone: Europe/Zurich\n"
        f"  deadlines_file: {deadlines}\n"
        "  secretariat_channel: C0SECRET1\n"
        "  maintainers_channel: C0MAINTAIN\n"
        "  grace_hours: 12\n"
        "atr:\n"
        "  delegates: {U0GBDELEG: [GB], U0FRDELEG: [FR]}\n"
        "  secretariat: [U0SECRETA]\n"
    )
    from config.settings import load_settings

    return load_settings(config, environ={})


@pytest.fixture()
def installed(job_settings, fake_slack):
    """The jobs runtime with a real WebClient pointed at the fake Slack API."""
    client = WebClient(
        token="xoxb-test", base_url=fake_slack.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)]
    )
    rt = runtime.Runtime.from_settings(job_settings, environ={})
    rt.poster = Poster(client, min_interval=1.0)
    runtime.install(rt)
    yield rt
    runtime.install(None)  # type: ignore[arg-type]
