"""The installed `cws` console script, run as a new user would run it (catches packaging slips)."""

import json
import os
import subprocess
import sys
from pathlib import Path

CWS = Path(sys.executable).parent / "cws"


def test_console_script_answers_with_a_fresh_data_dir(tmp_path, shared_corpus):
    env = {**os.environ, "CWS_DATA_DIR": str(tmp_path / "data"), "CWS_CORPUS_DIRS": str(shared_corpus)}
    env.pop("CWS_CONFIG", None)
    result = subprocess.run(
        [str(CWS), "ask", "--json", "When does the ST.92 sunset period end?"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "July 1, 2027" in json.loads(result.stdout)["answer"]
    assert "No index yet: building it first." in result.stderr


def test_console_script_help_lists_every_command():
    result = subprocess.run([str(CWS), "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for command in ("ask", "index", "eval", "status", "atr"):
        assert command in result.stdout
