"""`cws jobs` and `cws deadlines` from the command line, and the nightly reindex job."""

import threading

from click.testing import CliRunner

from answering.engine import AnswerEngine
from cws.cli import cli
from index.layout import live_name
from jobs import runtime, tasks
from tests.conftest import make_settings


def env_for(job_settings, fake_slack):
    return {
        "CWS_CONFIG": str(job_settings.config_path),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": fake_slack.api_url,
    }


def test_run_reminders_at_twice_sends_once(job_settings, fake_slack):
    env = env_for(job_settings, fake_slack)
    first = CliRunner().invoke(cli, ["jobs", "run", "reminders", "--at", "2026-06-29T09:10"], env=env)
    second = CliRunner().invoke(cli, ["jobs", "run", "reminders", "--at", "2026-06-29T09:10"], env=env)
    assert first.exit_code == 0, first.output
    assert first.output.startswith("reminders: 1 sent")
    assert second.output.startswith("reminders: 0 sent")
    posted = [c for c in fake_slack.calls_to("chat.postMessage", ok_only=True) if "due tomorrow" in c.text]
    assert len(posted) == 1 and posted[0].headers.get("Authorization") == "Bearer xoxb-test"


def test_bad_at_is_refused(job_settings, fake_slack):
    result = CliRunner().invoke(
        cli, ["jobs", "run", "reminders", "--at", "tomorrow"], env=env_for(job_settings, fake_slack)
    )
    assert result.exit_code == 2 and "not an ISO-8601 time" in result.output


def test_jobs_list_shows_next_runs(job_settings, fake_slack):
    result = CliRunner().invoke(cli, ["jobs", "list"], env=env_for(job_settings, fake_slack))
    assert [line.split()[0] for line in result.output.splitlines()] == ["reindex", "reminders", "digest"]
    assert "next:" in result.output


def test_deadlines_command(job_settings, fake_slack):
    import time_machine

    with time_machine.travel("2026-06-01 12:00 +0000"):
        result = CliRunner().invoke(cli, ["deadlines"], env=env_for(job_settings, fake_slack))
        soon = CliRunner().invoke(cli, ["deadlines", "--days", "40"], env=env_for(job_settings, fake_slack))
    assert result.output.splitlines()[0].startswith("2026-06-30    29 days  ATR submissions on 2025 activities")
    assert len(result.output.splitlines()) == 2 and len(soon.output.splitlines()) == 1


def test_invalid_deadlines_stop_start_up(tmp_path, job_settings):
    bad = tmp_path / "bad.yaml"
    bad.write_text("deadlines:\n  - {id: x, title: T, due: someday}\n")
    config = tmp_path / "bad-config.yaml"
    config.write_text(job_settings.config_path.read_text().replace(str(job_settings.jobs.deadlines_file), str(bad)))
    result = CliRunner().invoke(cli, ["--config", str(config), "jobs", "list"])
    assert result.exit_code == 1 and "deadline 'x': field 'due' must be a date" in result.output


def _reindex_settings(tmp_path, corpus, embedder, **model):
    settings = make_settings(tmp_path / "data", [corpus])
    if model:
        settings = settings.model_copy(update={"model": settings.model.model_copy(update=model)})
    rt = runtime.Runtime(settings, runtime.LogPoster())
    runtime.install(rt)
    return settings


def test_failed_reindex_leaves_the_old_index_answering(tmp_path, corpus_copy, embedder):
    from index.runner import run_build

    settings = _reindex_settings(tmp_path, corpus_copy, embedder)
    run_build(settings, embedder=embedder, progress=lambda _l, _t: lambda _n: None)
    before = live_name(settings.index_root)
    (corpus_copy / "new.md").write_text("# New\n\nSomething new about ST.26.\n")
    broken = _reindex_settings(tmp_path, corpus_copy, embedder, path=tmp_path / "no-such-model")
    result = tasks.reindex()
    assert result.startswith("reindex: failed")
    assert live_name(broken.index_root) == before
    assert "July 1, 2027" in AnswerEngine(settings, embedder).ask("When does the ST.92 sunset period end?").text


def test_reindex_while_questions_keep_coming(tmp_path, corpus_copy, embedder):
    from index.runner import run_build

    settings = _reindex_settings(tmp_path, corpus_copy, embedder)
    run_build(settings, embedder=embedder, progress=lambda _l, _t: lambda _n: None)
    engine = AnswerEngine(settings, embedder)
    stop, failures, versions = threading.Event(), [], set()

    def keep_asking():
        while not stop.is_set():
            try:
                answer = engine.ask("When does the ST.92 sunset period end?")
                versions.add(answer.index_version)
                if "July 1, 2027" not in answer.text:
                    failures.append(answer.text)
            except Exception as exc:
                failures.append(repr(exc))

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        for n in range(3):
            (corpus_copy / f"note{n}.md").write_text(f"# Note {n}\n\nNote {n} about the sunset of ST.92 in 2027.\n")
            assert "is live" in tasks.reindex()
    finally:
        stop.set()
        asker.join(timeout=60)
    assert failures == []
    assert len(versions) >= 2  # answers came from more than one build while serving
