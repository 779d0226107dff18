"""The bot's SQLite state: event ids, threads' first questions, answers and votes."""

from __future__ import annotations

import json
import threading

from answering.engine import Answer, Source
from bot.dedupe import EventDedupe
from bot.feedback import FeedbackStore, export
from bot.threads import ThreadContext, names_its_subject, with_context

SOURCE = Source("d", "Title", "CWS/12/25", "10", "CWS/12/25, para. 10", "text", "**snippet**", 0.5, None)


def test_event_ids_are_seen_once_and_survive_a_restart(tmp_path):
    dedupe = EventDedupe(tmp_path)
    assert dedupe.first_time("Ev1") is True
    assert dedupe.first_time("Ev1") is False
    assert EventDedupe(tmp_path).first_time("Ev1") is False  # a new process, same database
    assert dedupe.first_time("Ev2") is True


def test_event_ids_race_to_exactly_one_winner(tmp_path):
    dedupe = EventDedupe(tmp_path)
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def deliver() -> None:
        barrier.wait()
        results.append(dedupe.first_time("EvRace"))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_the_event_table_stays_bounded(tmp_path):
    dedupe = EventDedupe(tmp_path, max_rows=50)
    for n in range(300):
        dedupe.first_time(f"Ev{n}")
    assert dedupe.count() <= 150
    aged = EventDedupe(tmp_path, keep_seconds=0)
    aged.first_time("EvLast")
    assert aged.count() <= 1


def test_a_thread_keeps_its_first_question(tmp_path):
    threads = ThreadContext(tmp_path)
    threads.remember("C1", "100.1", "What is ST.92?")
    threads.remember("C1", "100.1", "and its sunset period?")
    assert threads.first_question("C1", "100.1") == "What is ST.92?"
    assert threads.first_question("C1", "999.9") is None
    assert ThreadContext(tmp_path).first_question("C1", "100.1") == "What is ST.92?"


def test_follow_ups_borrow_the_subject_only_when_they_name_none():
    assert with_context("What is ST.92?", "and when does its sunset period end?") == (
        "What is ST.92? and when does its sunset period end?"
    )
    assert with_context("What is ST.92?", "What about ST.26?") is None
    assert with_context(None, "and then?") is None
    assert names_its_subject("What did CWS/12 decide?") and not names_its_subject("what happened in 2024?")


def test_votes_keep_question_answer_and_sources(tmp_path):
    store = FeedbackStore(tmp_path)
    answer = Answer('=HYPERLINK("http://x")', "The answer.", True, [SOURCE], index_version="v1")
    answer_id = store.record_answer(answer, "C1", "U1", max_sources=3)
    assert store.load_answer(answer_id) == answer
    assert store.vote(answer_id, "U2", "down") is True
    assert store.vote("unknown", "U2", "up") is False
    [row] = store.rows()
    assert (row["user_id"], row["vote"], row["channel"]) == ("U2", "down", "C1")
    assert row["sources"] == [{"citation": "CWS/12/25, para. 10", "title": "Title", "url": None}]

    assert json.loads(export(store.rows(), "json"))[0]["question"] == answer.question
    csv_text = export(store.rows(), "csv")
    assert "'=HYPERLINK" in csv_text  # a spreadsheet shows it, never runs it
