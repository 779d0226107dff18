"""`cws serve` when it cannot start (issue 13): a port in use, Slack out of reach; one line, exit 1, no traceback.

Run as a user runs it: the `cws` executable in a subprocess, its own data directory,
nothing reachable outside 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from slack_sdk import WebClient

from bot.app import TokenRefused, identify

CWS = Path(sys.executable).parent / "cws"


def _environ(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CWS_", "SLACK_"))}
    return clean | {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret"} | extra


def _closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_port_in_use_is_one_line_at_once(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = subprocess.run(
            [str(CWS), "serve", "--http", "--port", str(port), "--no-jobs"],
            env=_environ(CWS_DATA_DIR=str(tmp_path / "data")),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        (
            f"Error: cannot listen on 127.0.0.1:{port}: the port is already in use (another 'cws serve'?); "
            "stop it or choose another with --port"
        )
    ]
    assert time.monotonic() - started < 15  # said before the index and the model are loaded
    assert not (tmp_path / "data" / "index").exists()  # nothing was built for a server that cannot listen


def test_slack_out_of_reach_is_retried_then_one_line(tmp_path, built_settings):
    data = tmp_path / "data"
    shutil.copytree(built_settings.index_root, data / "index")
    config = tmp_path / "cws.yaml"
    config.write_text(
        yaml.safe_dump({"data_dir": str(data), "slack": {"connect_attempts": 3, "connect_backoff_seconds": 0.2}})
    )
    api = f"http://127.0.0.1:{_closed_port()}/api/"
    result = subprocess.run(
        [str(CWS), "serve", "--http", "--port", "0", "--no-jobs"],
        env=_environ(CWS_CONFIG=str(config), SLACK_API_URL=api),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    retries = [line for line in lines if "cannot reach Slack" in line and "trying again" in line]
    assert len(retries) == 2 and "trying again in 0.2 s (attempt 1 of 3)" in retries[0]
    assert "trying again in 0.4 s (attempt 2 of 3)" in retries[1]
    assert re.fullmatch(
        rf"Error: cannot reach Slack at {re.escape(api)} \(\[Errno 111\] Connection refused\) "
        r"after 3 attempts over [01] s; check the network \(a proxy\?\) and SLACK_API_URL",
        lines[-1],
    )


def test_slack_answering_after_a_few_failures_is_waited_for(fake_slack):
    fake_slack.fail("auth.test", 503, times=2)
    client = WebClient(token="xoxb-test", base_url=fake_slack.api_url)
    me = identify(client, attempts=3, backoff=0.05, api_url=fake_slack.api_url)
    assert me["user_id"] == "U0CWSBOT"
    assert [c.status for c in fake_slack.calls_to("auth.test")] == [503, 503, 200]


def test_a_refused_token_is_not_retried(fake_slack):
    fake_slack.fail("auth.test", 200, error="invalid_auth")
    client = WebClient(token="xoxb-wrong", base_url=fake_slack.api_url)
    with pytest.raises(TokenRefused, match="Slack did not accept SLACK_BOT_TOKEN: invalid_auth"):
        identify(client, attempts=5, backoff=10, api_url=fake_slack.api_url)
    assert len(fake_slack.calls_to("auth.test")) == 1
