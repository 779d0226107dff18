"""Two `cws serve` processes on one data directory: both answer, only one schedules."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CWS = Path(sys.executable).parent / "cws"


def _wait_for_line(process, pattern, timeout=120):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        if re.search(pattern, line):
            return line, seen
    raise AssertionError(f"no line matching {pattern!r} in: {''.join(seen)[-3000:]}")


def test_second_server_answers_but_does_not_schedule(built_settings, fake_slack, tmp_path):
    env = {
        **os.environ,
        "CWS_DATA_DIR": str(built_settings.data_dir),
        "CWS_CORPUS_DIRS": os.pathsep.join(map(str, built_settings.corpus_dirs)),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": fake_slack.api_url,
    }
    command = [str(CWS), "serve", "--http", "--port", "0"]
    first = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    second = None
    try:
        _, seen = _wait_for_line(first, r"Listening on")
        assert any("Scheduled jobs running in this process." in line for line in seen)
        second = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        listening, seen = _wait_for_line(second, r"Listening on")
        assert any("Another process schedules the jobs" in line for line in seen)
        url = re.search(r"\(health: (\S+)\)", listening).group(1)
        health = json.loads(urllib.request.urlopen(url, timeout=10).read())
        assert health["status"] == "ok"
    finally:
        for process in (first, second):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
