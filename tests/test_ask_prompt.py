"""`cws ask` without a question: a prompt at a terminal, JSON lines when piped."""

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

CWS = str(Path(sys.executable).with_name("cws"))


def _env(settings) -> dict[str, str]:
    return {**os.environ, "CWS_DATA_DIR": str(settings.data_dir), "CWS_CORPUS_DIRS": "", "NO_COLOR": "1"}


def _read_until(fd: int, needle: bytes, timeout: float = 120) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    poller = select.poll()  # not select(): it cannot watch a descriptor numbered over 1023
    poller.register(fd, select.POLLIN)
    while needle not in seen:
        assert time.monotonic() < deadline, f"waited {timeout}s for {needle!r}; got {seen[-500:]!r}"
        if poller.poll(500):
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen


def test_a_terminal_gets_a_prompt_with_readable_answers_and_history(built_settings):
    main, secondary = pty.openpty()
    process = subprocess.Popen(
        [CWS, "ask"], stdin=secondary, stdout=secondary, stderr=secondary, env=_env(built_settings), close_fds=True
    )
    os.close(secondary)
    try:
        _read_until(main, b"cws> ")
        os.write(main, b"When does the ST.92 sunset period end?\n")
        output = _read_until(main, b"cws> ")
        assert b"July 1, 2027" in output and b"Sources:" in output and b'"answer"' not in output
        os.write(main, b"\x04")  # Ctrl-D leaves
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        os.close(main)
    history = (built_settings.data_dir / "ask_history").read_text(encoding="utf-8")
    assert "When does the ST.92 sunset period end?" in history


def test_piped_questions_get_one_json_object_per_line(built_settings):
    result = subprocess.run(
        [CWS, "ask"],
        input="What is ST.37?\n\nWhat is Task No. 24?\n",
        capture_output=True,
        text=True,
        env=_env(built_settings),
        timeout=300,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == ["What is ST.37?", "What is Task No. 24?"]
    assert all(set(line) >= {"answer", "found", "sources", "closest"} for line in lines)
