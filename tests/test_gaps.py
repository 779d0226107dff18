"""Knowledge gaps: refusals and 👎 recorded, grouped and counted for the secretariat."""

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from answering.engine import AnswerEngine
from answering.gaps import REFUSED, THUMBS_DOWN, GapLog, question_key
from cws.cli import cli


def test_questions_differing_only_in_case_and_punctuation_are_one_gap():
    assert question_key("What is ST.3000?") == question_key("  what is   st.3000 ")


def test_gaps_are_grouped_counted_and_most_asked_first(tmp_path):
    log = GapLog(tmp_path)
    for _ in range(3):
        log.record("What is ST.3000?", REFUSED, "channel", "ST.30 record")
    log.record("what is st.3000", THUMBS_DOWN, "dm")
    log.record("Who chairs the Blockchain Task Force?", REFUSED, "cli")
    gaps = log.top(days=7)
    assert [(g.count, g.refused, g.thumbs_down) for g in gaps] == [(4, 3, 1), (1, 1, 0)]
    assert gaps[0].question == "what is st.3000" and gaps[0].channel_kinds == ("channel", "dm")
    assert log.top(days=7, now=datetime.now(UTC) + timedelta(days=8)) == []


def test_an_engine_records_its_refusals_only_when_told_where_the_question_came_from(built_settings, embedder, tmp_path):
    log = GapLog(tmp_path)
    engine = AnswerEngine(built_settings, embedder, gaps=log)
    engine.ask("What did the Committee decide about WIPO Standard ST.3000?")  # evaluation: not recorded
    assert log.top() == []
    refused = engine.ask("What did the Committee decide about WIPO Standard ST.3000?", asked_from="channel")
    answered = engine.ask("When does the ST.92 sunset period end?", asked_from="channel")
    assert not refused.found and answered.found
    [gap] = log.top()
    assert gap.question.endswith("ST.3000?") and gap.closest


def test_cws_gaps_lists_what_cws_ask_could_not_answer(built_settings):
    env = {"CWS_DATA_DIR": str(built_settings.data_dir), "CWS_CORPUS_DIRS": ""}
    runner = CliRunner()
    runner.invoke(cli, ["ask", "What did the Committee decide about WIPO Standard ST.3000?"], env=env)
    result = runner.invoke(cli, ["gaps", "--days", "1"], env=env)
    assert result.exit_code == 0 and "ST.3000" in result.output and "1 refused" in result.output
    listed = json.loads(runner.invoke(cli, ["gaps", "--json"], env=env).output)
    assert listed[0]["channel_kinds"] == ["cli"]


def test_a_gap_that_cannot_be_recorded_costs_the_record_not_the_answer(built_settings, embedder, tmp_path):
    import sqlite3

    class FullDisk(GapLog):
        def record(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise sqlite3.OperationalError("database or disk is full")

    engine = AnswerEngine(built_settings, embedder, gaps=FullDisk(tmp_path))
    answer = engine.ask("What did the Committee decide about WIPO Standard ST.3000?", asked_from="cli")
    assert not answer.found and answer.text.startswith("The CWS documents I have do not say")
