"""The test suite stays in its temporary directories whatever the user's shell exports (issue 12), and it refuses
to run, rather than skip half its tests, without the sample corpus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, SHARED

# Tests that write a data directory (reminders, job_posts, cws.db, scheduler.db) through the CLI and a subprocess.
WRITERS = [
    "tests/jobs/test_job_commands.py::test_run_reminders_at_twice_sends_once",
    "tests/jobs/test_scheduler.py::test_only_one_process_schedules",
]


def _pytest(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def _files(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")}


def test_inside_a_test_no_user_variable_is_left(tmp_path_factory):
    assert not [name for name in os.environ if name.startswith(("CWS_", "SLACK_"))]
    assert Path(os.environ["HOME"]).is_relative_to(tmp_path_factory.getbasetemp())
    assert Path(os.environ["XDG_DATA_HOME"]).is_relative_to(os.environ["HOME"])


def test_the_suite_writes_nothing_where_the_users_variables_point(tmp_path):
    """Run tests that write data with a user's variables exported: nothing may appear where those point."""
    user = tmp_path / "user"
    data, home, xdg = user / "data", user / "home", user / "xdg"
    for folder in (data, home, xdg):
        folder.mkdir(parents=True)
    config = user / "cws.yaml"
    config.write_text(f"data_dir: {user / 'config-data'}\n", encoding="utf-8")
    before = _files(user)
    env = {
        **os.environ,
        "CWS_DATA_DIR": str(data),
        "CWS_CONFIG": str(config),
        "CWS_CORPUS_DIRS": str(user),
        "CWS_SHARED_DIR": str(SHARED),  # the suite's own variable: where the sample corpus is
        "SLACK_BOT_TOKEN": "xoxb-the-users-real-token",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "HOME": str(home),
        "XDG_DATA_HOME": str(xdg),
    }
    result = _pytest(WRITERS, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert _files(user) == before


def test_without_the_sample_corpus_the_run_stops_loudly(tmp_path):
    env = {**os.environ, "CWS_SHARED_DIR": str(tmp_path / "no-shared")}
    result = _pytest(["tests/test_layers.py::test_every_package_is_in_a_layer"], env)
    assert result.returncode == 4, result.stdout + result.stderr
    missing = tmp_path / "no-shared" / "corpus"
    assert f"the sample corpus is missing: {missing} is not a folder" in result.stdout + result.stderr
    assert "passed" not in result.stdout
