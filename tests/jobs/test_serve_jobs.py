"""Two `cws serve` processes on one data directory: both answer, only one schedules, the other takes over."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.jobs.processes import Lines

CWS = Path(sys.executable).parent / "cws"


def _wait_for_line(process, pattern, timeout=120):  # type: ignore[no-untyped-def]
    """The first stderr line matching `pattern`, and the lines read so far (used by other tests too; it blocks
    while the process is silent, so this file's own tests read through tests.jobs.processes.Lines)."""
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


def test_second_server_answers_stands_by_and_takes_over(built_settings, fake_slack, tmp_path):
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
        first_lines = Lines(first)
        first_lines.wait_for(r"Listening on")
        assert any("Scheduled jobs running in this process." in line for line in first_lines.seen)
        second = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        second_lines = Lines(second)
        listening = second_lines.wait_for(r"Listening on")
        assert any("Another process schedules the jobs" in line for line in second_lines.seen)
        url = re.search(r"\(health: (\S+)\)", listening).group(1)
        health = json.loads(urllib.request.urlopen(url, timeout=10).read())
        assert health["status"] == "ok"
        # The scheduling server dies without a word: the standby takes over the schedule within a minute.
        first.kill()
        first.wait(timeout=30)
        killed = time.monotonic()
        second_lines.wait_for(r"this process took over the scheduled jobs", timeout=60)
        assert time.monotonic() - killed < 60
    finally:
        for process in (first, second):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
