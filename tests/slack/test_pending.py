"""The pending-question journal on a real SQLite file: who may take a question, and how often."""

from __future__ import annotations

import subprocess
import sys

from bot.pending import MAX_ATTEMPTS, PendingQuestions, is_alive, this_process
from bot.responder import ChannelReply, Question, ResponseUrlReply, reply_from
from config.database import connected


def _dead_owner() -> str:
    child = subprocess.Popen(
        [sys.executable, "-c", "import bot.pending as p; print(p.this_process())"], stdout=subprocess.PIPE, text=True
    )
    owner = child.communicate()[0].strip()
    assert not is_alive(owner)
    return owner


def test_this_process_is_alive_and_a_reused_pid_is_not_the_owner():
    assert is_alive(this_process())
    pid = this_process().split(":")[0]
    assert not is_alive(f"{pid}:1")  # same pid, another start time
    assert not is_alive("garbage")


def test_only_questions_of_dead_processes_are_taken(tmp_path):
    pending = PendingQuestions(tmp_path)
    mine = pending.add(Question("asked here", "U1", "C1", ts="1.0"), {"kind": "channel"})
    orphan = pending.add(Question("asked before a crash", "U2", "C1", ts="2.0"), {"kind": "channel"})
    with connected(tmp_path) as db, db.conn:
        db.execute("UPDATE slack_pending SET owner = ? WHERE id = ?", [_dead_owner(), orphan])
    [taken] = pending.take_orphans()
    assert (taken.id, taken.question["text"], taken.attempts) == (orphan, "asked before a crash", 2)
    assert pending.take_orphans() == []  # now owned by this live process
    pending.done(mine)
    pending.done(orphan)
    with connected(tmp_path) as db:
        assert db["slack_pending"].count == 0


def test_attempts_count_up_across_restarts(tmp_path):
    pending = PendingQuestions(tmp_path)
    question_id = pending.add(Question("crashes the bot", "U1", "C1"), {"kind": "channel"})
    for expected in range(2, MAX_ATTEMPTS + 2):
        with connected(tmp_path) as db, db.conn:
            db.execute("UPDATE slack_pending SET owner = ?", [_dead_owner()])
        [taken] = PendingQuestions(tmp_path).take_orphans()
        assert (taken.id, taken.attempts) == (question_id, expected)


def test_replies_are_rebuilt_from_their_description():
    channel = ChannelReply(client=None, channel="C1", question_ts="1.0", thread_ts="1.0", reaction="eyes")  # type: ignore[arg-type]
    rebuilt = reply_from(channel.describe(), client="client", max_retries=2)  # type: ignore[arg-type]
    assert rebuilt == ChannelReply("client", "C1", "1.0", "1.0", "eyes")  # type: ignore[arg-type]
    url = ResponseUrlReply("https://hooks.example/1", 2, replace_original=True)
    assert reply_from(url.describe(), client=None, max_retries=2) == url  # type: ignore[arg-type]
