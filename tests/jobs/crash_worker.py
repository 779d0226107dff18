"""A zygote for the kill -9 tests: imports the jobs code once, then forks a fresh child for each run.

Starting `cws` costs about a second of imports; forking this process costs milliseconds, so the tests can
kill dozens of real processes with SIGKILL and rerun them. The zygote holds no database connection and no
thread, so each child starts as a new process would. Protocol (JSON lines): it prints {"ready": pid}; for
each job read from stdin ({"config", "api_url", "at", "kill_at"}) it prints {"pid": child} at once and
{"pid": child, "exit": code} when the child has ended (-9: killed). A child writes only to stderr.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from datetime import datetime

import slack_sdk.http_retry.builtin_handlers  # noqa: F401 - preloaded for the children
from slack_sdk import WebClient  # noqa: F401

from config.settings import load_settings
from jobs import runtime, tasks


def _run(job: dict) -> None:
    if job.get("kill_at"):
        os.environ["CWS_TEST_KILL_AT"] = job["kill_at"]  # jobs.posting.crash_point
    settings = load_settings(job["config"], environ={})
    environ = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": job["api_url"]}
    rt = runtime.Runtime.from_settings(settings, environ=environ)
    runtime.install(rt)
    print(tasks.reminders(datetime.fromisoformat(job["at"])), file=sys.stderr, flush=True)


def main() -> None:
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _run(job)
            except BaseException:
                traceback.print_exc()
                code = 1
            os._exit(code)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"pid": pid, "exit": os.waitstatus_to_exitcode(status)}), flush=True)


if __name__ == "__main__":
    main()
