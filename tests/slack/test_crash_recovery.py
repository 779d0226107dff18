"""A question acknowledged by a bot that is then killed is answered by the next one.

Real `cws serve --http` processes, a signed event, the fake Slack Web API on 127.0.0.1
holding the first bot inside its work until it is killed with SIGKILL.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.jobs.test_serve_jobs import _wait_for_line
from tests.slack.conftest import unanswered
from tests.slack.signing import JSON, SIGNING_SECRET, event_body, load_payload, send_signed
from tests.waiting import wait_for

CWS = Path(sys.executable).parent / "cws"


def _serve(env: dict) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [str(CWS), "serve", "--http", "--port", "0", "--no-jobs"], env=env, stderr=subprocess.PIPE, text=True
    )
    line, _ = _wait_for_line(process, r"Listening on")
    return process, re.search(r"Listening on (\S+)", line).group(1)


def test_a_question_acknowledged_before_a_crash_is_answered_after_the_restart(built_settings, fake_slack, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(built_settings.index_root, data_dir / "index")
    env = {
        **os.environ,
        "CWS_DATA_DIR": str(data_dir),
        "CWS_CORPUS_DIRS": os.pathsep.join(map(str, built_settings.corpus_dirs)),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
    }
    working, release = threading.Event(), threading.Event()

    def hold(_call: object) -> None:  # the first bot is stuck mid-answer, in its "working" reaction
        working.set()
        release.wait(60)

    fake_slack.on("reactions.add", hold)
    payload = load_payload("event_app_mention.json")
    first, events_url = _serve(env)
    second = None
    try:
        assert send_signed(events_url, event_body(payload), JSON).status == 200  # acknowledged
        assert working.wait(60)
        assert unanswered(data_dir) == 1
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        release.set()
        assert fake_slack.calls_to("chat.postMessage") == []  # it died before answering

        second, _ = _serve(env)
        [answer] = fake_slack.wait_for("chat.postMessage", timeout=60)
        assert answer.params["channel"] == payload["event"]["channel"]
        assert answer.params["thread_ts"] == payload["event"]["ts"]
        assert "2027" in answer.text  # the sample mention asks about the ST.92 sunset period
        fake_slack.wait_for("reactions.remove", timeout=30)
        # The journal lets go of the question just after the reaction is removed, on the answer thread.
        wait_for(lambda: unanswered(data_dir) == 0, timeout=10, what="the answered question to leave the journal")
        assert len(fake_slack.calls_to("chat.postMessage")) == 1
    finally:
        release.set()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
