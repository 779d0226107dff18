"""kill -9 at every point of posting a reminder, then run again: each reminder is in its channel exactly once.

Real processes: a zygote (tests/jobs/crash_worker.py) imports the jobs code once and forks one child per run,
which runs the reminders job against the fake Slack API on 127.0.0.1 and its own SQLite ledger. A child is
killed with SIGKILL either at a named point (CWS_TEST_KILL_AT, jobs.posting.crash_point) or by the fake
Slack while its post is in flight (stored by Slack, or not), or after a random delay; then the job runs
again, until a run completes. Ten reminders per scenario, each in its own channel.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from itertools import cycle, repeat
from pathlib import Path

import pytest

from jobs.ledger import Ledger
from tests.waiting import wait_for

REPO = Path(__file__).resolve().parents[2]
CWS = Path(sys.executable).parent / "cws"
REMINDERS = 10
AT = "2026-06-30T09:05"


def key_of(call) -> str | None:  # type: ignore[no-untyped-def]
    metadata = call.params.get("metadata")
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    return ((metadata or {}).get("event_payload") or {}).get("key")


class Zygote:
    """The forking worker: `run(job)` forks a child for the job and returns its exit code (-9: killed)."""

    def __init__(self, log: Path) -> None:
        self._log = open(log, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.jobs.crash_worker"],
            cwd=REPO,
            env=dict(os.environ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        assert "ready" in json.loads(self.process.stdout.readline())
        self.current: int | None = None

    def run(self, job: dict, kill_after: float | None = None) -> int:
        self.current = None
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        self.current = json.loads(self.process.stdout.readline())["pid"]
        if kill_after is not None:
            time.sleep(kill_after)
            try:
                os.kill(self.current, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return json.loads(self.process.stdout.readline())["exit"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self._log.close()


class InFlightKiller:
    """A fake Slack hook: kills the posting child while its chat.postMessage is in flight (once per reminder,
    that is per channel); Slack then stores the post ('stored') or does not ('lost', answered 500 to nobody)."""

    def __init__(self, fake, zygote: Zygote) -> None:  # type: ignore[no-untyped-def]
        self.fake, self.zygote = fake, zygote
        self.mode: str | None = None
        self.killed: set[str] = set()
        self.last: str | None = None

    def __call__(self, call) -> None:  # type: ignore[no-untyped-def]
        channel = call.params.get("channel")
        if self.mode is None or channel in self.killed:
            return
        self.killed.add(channel)
        self.last = channel
        os.kill(wait_for(lambda: self.zygote.current, what="the child's pid"), signal.SIGKILL)
        if self.mode == "lost":
            self.fake.fail("chat.postMessage", 500)  # applies to this very call: hooks run first


def _scenario(tmp_path: Path, name: str, number: int) -> tuple[Path, Path, list[str], list[str]]:
    """A data directory and configuration with REMINDERS reminders due at AT, each to its own channel."""
    folder = tmp_path / name
    folder.mkdir()
    channels = [f"C0K{number}R{i:02d}" for i in range(REMINDERS)]
    deadlines = folder / "deadlines.yaml"
    deadlines.write_text(
        "deadlines:\n"
        + "".join(
            f"  - {{id: d{i:02d}, title: Deadline {i}, due: 2026-07-01, remind_days_before: [1], channel: {c}}}\n"
            for i, c in enumerate(channels)
        )
    )
    config = folder / "cws.yaml"
    config.write_text(
        f"data_dir: {folder / 'data'}\njobs:\n  deadlines_file: {deadlines}\n  secretariat_channel: C0SECRET1\n"
    )
    keys = [f"reminder:d{i:02d}:1:{c}" for i, c in enumerate(channels)]
    return config, folder / "data", keys, channels


@pytest.fixture()
def zygote(tmp_path):
    worker = Zygote(tmp_path / "zygote.log")
    yield worker
    worker.close()


def test_kill_9_anywhere_loses_and_duplicates_no_reminder(tmp_path, fake_slack, zygote):
    killer = InFlightKiller(fake_slack, zygote)
    fake_slack.on("chat.postMessage", killer)
    rng = random.Random(15)
    scenarios = {  # name → (kill points, one per run; None: no seam), in-flight mode, random kill delay
        "claimed": (repeat("claimed"), None, False),  # recorded as sending, not yet posted
        "in flight, stored": (repeat(None), "stored", False),  # Slack has it; the reply never arrives
        "in flight, lost": (repeat(None), "lost", False),  # Slack does not have it
        "posted": (repeat("posted"), None, False),  # Slack answered; not yet recorded as sent
        "recovering": (
            cycle(["claimed", "recovering", "claimed", "checked", "claimed", "posted", "recorded"]),
            None,
            False,
        ),  # killed again while a crashed post is being looked for and re-posted
        "random": (repeat(None), None, True),
    }
    kills: Counter[str] = Counter()
    for number, (name, (points, mode, random_kill)) in enumerate(scenarios.items()):
        config, data_dir, keys, channels = _scenario(tmp_path, name.replace(" ", "-"), number)
        killer.mode = mode
        for run in range(60):
            job = {"config": str(config), "api_url": fake_slack.api_url, "at": AT, "kill_at": next(points)}
            code = zygote.run(job, kill_after=rng.uniform(0.03, 0.15) if random_kill else None)
            assert code in (0, -signal.SIGKILL), f"{name}: run {run} failed (exit {code}); see {tmp_path}/zygote.log"
            if code == -signal.SIGKILL:
                kills[name] += 1
                if killer.last:  # the fake has recorded the call it was answering when the child died
                    last = killer.last
                    wait_for(
                        lambda: any(c.params.get("channel") == last for c in fake_slack.calls),
                        what="the in-flight post",
                    )
                    killer.last = None
            elif all(row["state"] == "sent" for row in Ledger(data_dir).rows("reminder")):
                break
        killer.mode = None
        posted = Counter(c.params["channel"] for c in fake_slack.posted())  # one channel per reminder
        states = {row["key"]: row["state"] for row in Ledger(data_dir).rows("reminder")}
        assert {c: posted[c] for c in channels} == dict.fromkeys(channels, 1), f"{name}: posts per reminder"
        assert states == dict.fromkeys(keys, "sent"), name
    print(f"kill -9 runs: {sum(kills.values())} ({dict(kills)})")
    assert sum(kills.values()) >= 60
    assert all(kills[name] >= 5 for name in scenarios if name != "random"), kills


def test_the_cli_killed_after_recording_posts_on_the_next_run(tmp_path, fake_slack):
    """The seam in a real `cws jobs run reminders`: killed between recording and posting, the reminder
    is neither lost (it was, for good) nor sent twice."""
    config, _data, _keys, channels = _scenario(tmp_path, "cli", 9)
    env = {**os.environ, "CWS_CONFIG": str(config), "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": fake_slack.api_url}
    command = [str(CWS), "jobs", "run", "reminders", "--at", AT]
    killed = subprocess.run(
        command, env={**env, "CWS_TEST_KILL_AT": "claimed:3"}, capture_output=True, text=True, timeout=60
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("reminders: 8 sent, 0 missed, 0 failed, 2 already done"), again.stdout
    posted = Counter(c.params["channel"] for c in fake_slack.posted())
    assert {c: posted[c] for c in channels} == dict.fromkeys(channels, 1)
