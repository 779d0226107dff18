"""The `cws` command line, run in-process with click's runner against real indexes."""

import json
import os

import pytest
from click.testing import CliRunner

from cws.cli import cli


@pytest.fixture()
def env(built_settings):
    return {
        "CWS_DATA_DIR": str(built_settings.data_dir),
        "CWS_CORPUS_DIRS": os.pathsep.join(map(str, built_settings.corpus_dirs)),
    }


def run(args, env, input=None):
    return CliRunner().invoke(cli, args, env=env, input=input, catch_exceptions=False)


def test_ask_prints_answer_and_citations(env):
    result = run(["ask", "When does the ST.92 sunset period end?"], env)
    assert result.exit_code == 0
    assert "July 1, 2027" in result.output
    assert "[1] WO/GA/58/9, para." in result.output


def test_ask_json_is_one_object(env):
    result = run(["ask", "--json", "What is ST.37?"], env)
    data = json.loads(result.output)
    assert data["question"] == "What is ST.37?"
    assert data["sources"][0]["doc_id"].startswith("record:standard:ST.37")


def test_ask_reads_questions_from_stdin(env):
    result = run(["ask"], env, input="What is Task No. 24?\n\nWhen does the ST.92 sunset period end?\n")
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["question"] for line in lines] == ["What is Task No. 24?", "When does the ST.92 sunset period end?"]


def test_ask_builds_the_index_when_there_is_none(tmp_path, shared_corpus):
    env = {"CWS_DATA_DIR": str(tmp_path / "data"), "CWS_CORPUS_DIRS": str(shared_corpus)}
    result = CliRunner().invoke(
        cli, ["ask", "How many Mexican patent documents were OCRed in Japan fiscal year 2023?"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "No index yet: building it first." in result.output
    assert "10,280" in result.output


def test_index_reports_what_it_did(env):
    result = run(["index", "--json"], env)
    summary = json.loads(result.output)
    assert summary["passages_embedded"] == 0 and summary["switched"] is False


def test_status_shows_the_live_build(env):
    result = run(["status"], env)
    assert "live index:" in result.output and "all-MiniLM-L6-v2" in result.output


def test_bad_filter_is_a_clear_error(env):
    result = CliRunner().invoke(cli, ["ask", "--standard", "banana", "anything"], env=env)
    assert result.exit_code == 1
    assert "'banana' is not a valid standard" in result.output


def test_filters_typed_into_the_question_work_on_the_command_line_too(env):
    result = CliRunner().invoke(cli, ["ask", "office:Atlantis What did the office report?"], env=env)
    assert result.exit_code == 1 and "'Atlantis' is not a valid office" in result.output
    narrowed = CliRunner().invoke(cli, ["ask", "--json", "document:CWS/9/25 technical assistance"], env=env)
    data = json.loads(narrowed.output)
    assert data["question"] == "technical assistance"
    assert all(s["symbol"] == "CWS/9/25" for s in data["sources"] + data["closest"])


def test_bad_config_names_the_key(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("data_dir: d\nanswer:\n  max_chars: -3\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "status"])
    assert result.exit_code == 1 and "answer.max_chars" in result.output


def test_eval_prints_figures_per_kind(env, tmp_path):
    questions = tmp_path / "q.jsonl"
    lines = [
        {"id": "x", "q": "When does the ST.92 sunset period end?", "any": ["July 1, 2027"], "kind": "fact"},
        {
            "id": "y",
            "q": "What did the Committee decide about WIPO Standard ST.3000?",
            "expect_none": True,
            "kind": "unanswerable",
        },
    ]
    questions.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = run(["eval", str(questions)], env)
    rows = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[2:] if line.strip()[:1].isalpha()}
    assert rows["fact"][:4] == ["1/1", "1/1", "1/1", "1/1"]
    assert rows["unanswerable"][4] == "1/1"
    assert rows["overall"][4:] == ["1/1", "0/1"]
    all_modes = run(["eval", "--mode", "all", "--json", str(questions)], env)
    assert [r["mode"] for r in json.loads(all_modes.output)] == ["keyword", "vector", "hybrid"]


def test_help_lists_commands():
    result = CliRunner().invoke(cli, ["--help"])
    for command in ("index", "ask", "eval", "status"):
        assert command in result.output
