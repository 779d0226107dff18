"""What `cws index` and `cws jobs run reindex` say (issue 13): the files added, changed, removed and skipped by name
(a few, then a count), `--full` as re-embedded, and a second concurrent build waiting for the first, saying whose
lock it waits for.

Real folders under tmp_path and real builds (the real model, its vectors remembered across tests: MemoEmbedder).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from config.settings import Settings, load_settings
from corpus.ingest import Skipped
from cws.cli import cli
from index.build import BuildSummary, build_lock, lock_holder
from index.errors import BuildLocked
from index.layout import LOCK
from index.runner import format_summary, name_some, run_build
from jobs import runtime

QUIET = lambda _label, _total: lambda _n: None
REPO = Path(__file__).resolve().parents[1]


def settings_for(tmp_path: Path) -> Settings:
    config = tmp_path / "cws.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\n", encoding="utf-8")
    return load_settings(config, environ={})


def write_notes(folder: Path, count: int, start: int = 0) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for n in range(start, start + count):
        name = f"note{n:02d}.md"
        (folder / name).write_text(f"# Note {n}\n\nNote {n} says the zebra task force met {n} times.\n")
        names.append(name)
    return names


@pytest.fixture()
def notes(tmp_path, monkeypatch, memo_embedder):  # type: ignore[no-untyped-def]
    """Five notes added as a source (not built yet), `cws` using the remembering model."""
    monkeypatch.setattr("index.runner.embedder_for", lambda *_a, **_k: memo_embedder)
    settings = settings_for(tmp_path)
    folder = tmp_path / "notes"
    write_notes(folder, 5)
    return settings, folder


def cws(settings: Settings, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env={"CWS_CONFIG": str(settings.config_path)})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_names_a_few_files_then_counts_the_rest_and_the_records() -> None:
    assert name_some(["f/a.docx", "f/b.pdf", "f/c.txt"] + [f"f/{n}.md" for n in range(12)]) == (
        "f/a.docx, f/b.pdf, f/c.txt and 12 more"
    )
    assert name_some(["f/a.docx", "record:task:24", "record:task:58"]) == "f/a.docx (and 2 built-in records)"
    assert name_some(["record:task:24"]) == "1 built-in record"


def test_the_first_build_names_what_it_added(notes) -> None:  # type: ignore[no-untyped-def]
    settings, folder = notes
    out = cws(settings, "index", str(folder))
    lines = out.splitlines()
    assert lines[0].endswith(" is live")
    assert lines[1].startswith("  documents: ") and " added, 0 changed, 0 removed, 0 unchanged, 0 skipped" in lines[1]
    assert lines[2].startswith("  added: notes/note00.md, notes/note01.md, notes/note02.md and 2 more (and ")
    assert lines[2].endswith(" built-in records)")


def test_an_update_names_the_added_changed_removed_and_skipped_files(notes) -> None:  # type: ignore[no-untyped-def]
    settings, folder = notes
    cws(settings, "index", str(folder))
    (folder / "note01.md").write_text("# Note 1\n\nNote 1 now says the zebra task force met on Mars.\n")
    (folder / "note02.md").unlink()
    write_notes(folder, 1, start=7)
    (folder / "broken.docx").write_bytes(b"this is not a Word file")
    (folder / "empty.txt").write_bytes(b"")
    out = cws(settings, "index")
    assert "  documents: 1 added, 1 changed, 1 removed, " in out
    assert "\n  added: notes/note07.md\n" in out
    assert "\n  changed: notes/note01.md\n" in out
    assert "\n  removed: notes/note02.md\n" in out
    assert f"\n  skipped {folder / 'broken.docx'}: corrupt .docx" in out
    assert f"\n  skipped {folder / 'empty.txt'}: empty file\n" in out  # the file named once


def test_many_skipped_files_are_listed_a_few_then_counted() -> None:
    summary = BuildSummary(
        version="v1",
        previous=None,
        switched=True,
        skipped=[Skipped(f"/docs/bad{n}.bin", "unsupported file type '.bin'") for n in range(9)],
    )
    lines = format_summary(summary).splitlines()
    assert lines[-6:] == [f"  skipped /docs/bad{n}.bin: unsupported file type '.bin'" for n in range(5)] + [
        "  and 4 more skipped or kept ('cws index --json' lists every one)"
    ]


def test_full_is_reported_as_re_embedded_not_as_added_or_changed(notes) -> None:  # type: ignore[no-untyped-def]
    settings, folder = notes
    cws(settings, "index", str(folder))
    out = cws(settings, "index", "--full")
    assert "  documents: " in out and " re-embedded, 0 added, 0 changed, 0 removed, 0 unchanged" in out
    assert "\n  re-embedded: notes/note00.md, notes/note01.md, notes/note02.md and 2 more (and " in out
    assert "\n  added:" not in out and "\n  changed:" not in out


def test_jobs_run_reindex_prints_the_summary_cws_index_prints(notes, monkeypatch):  # type: ignore[no-untyped-def]
    import index.runner

    settings, folder = notes
    cws(settings, "index", str(folder))
    summaries: list[BuildSummary] = []
    real = index.runner.run_build
    monkeypatch.setattr(index.runner, "run_build", lambda *a, **k: summaries.append(real(*a, **k)) or summaries[-1])

    write_notes(folder, 1, start=8)
    from_index = cws(settings, "index")
    write_notes(folder, 1, start=9)
    try:
        from_job = cws(settings, "jobs", "run", "reindex")
    finally:
        runtime.install(None)  # type: ignore[arg-type]
    assert from_index == format_summary(summaries[0]) + "\n"
    assert from_job == "reindex: " + format_summary(summaries[1]) + "\n"
    assert "\n  added: notes/note08.md\n" in from_index and "\n  added: notes/note09.md\n" in from_job


def test_the_lock_file_names_its_holder_while_held(tmp_path: Path) -> None:
    root = tmp_path / "index"
    with build_lock(root):
        pid, started = (root / LOCK).read_text().split(" ", 1)
        assert int(pid) == os.getpid()
        assert lock_holder(root) == f"process {os.getpid()} (started {started.strip()})"
    assert (root / LOCK).read_text() == ""
    assert lock_holder(root) == "another process"


def test_a_second_build_waits_for_the_lock_saying_whose_it_is(tmp_path: Path) -> None:
    root = tmp_path / "index"
    told: list[str] = []
    entered = threading.Event()
    with build_lock(root):

        def second() -> None:
            with build_lock(root, wait=None, on_wait=told.append):
                entered.set()

        waiter = threading.Thread(target=second)
        waiter.start()
        time.sleep(1.0)
        assert not entered.is_set()
    waiter.join(timeout=10)
    assert entered.is_set()
    assert len(told) == 1 and told[0].startswith(f"process {os.getpid()} (started ")


def test_waiting_gives_up_after_the_timeout_naming_the_holder(tmp_path: Path) -> None:
    root = tmp_path / "index"
    told: list[str] = []
    with build_lock(root):
        started = time.monotonic()
        gave_up = rf"gave up after 0.5s waiting for the build lock held by process {os.getpid()} \(started "
        with pytest.raises(BuildLocked, match=gave_up), build_lock(root, wait=0.5, on_wait=told.append):
            pass
        assert 0.4 < time.monotonic() - started < 5
        # the default: refuse at once, as `cws rollback` does
        with pytest.raises(BuildLocked, match=f"another build is running in {root}"), build_lock(root):
            pass
    assert len(told) == 1


HOLD = """
import sys, time
from pathlib import Path
from index.build import build_lock
with build_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def _holder(root: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root)], cwd=REPO, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def _ctrl_c_interrupts() -> None:
    """A shell that starts pytest in the background ignores SIGINT, and children inherit that: undo it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cws_process(settings: Settings, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CWS_CONFIG": str(settings.config_path)}
    # preexec_fn only resets one signal's disposition in the child, which takes no lock another thread could hold
    return subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "cws"), *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_ctrl_c_interrupts,
    )


def test_cws_index_waits_for_another_process_then_builds(notes, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings, folder = notes
    run_build(settings, [folder], progress=QUIET)
    holder = _holder(settings.index_root)
    try:
        second = _cws_process(settings, "index")
        assert second.stderr is not None
        line = second.stderr.readline()
        assert line.startswith(f"waiting for the build lock held by process {holder.pid} (started ")
        assert line.endswith("; Ctrl-C to give up\n")
        time.sleep(1)
        assert second.poll() is None  # still waiting
    finally:
        holder.communicate("done\n", timeout=30)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert "unchanged (nothing to do)" in out
    assert "waiting for the build lock" not in err  # said once


def test_cws_index_gives_up_on_ctrl_c_or_its_timeout(notes) -> None:  # type: ignore[no-untyped-def]
    settings, folder = notes
    settings.index_root.mkdir(parents=True)
    holder = _holder(settings.index_root)
    interrupted = _cws_process(settings, "index", str(folder))
    try:
        assert interrupted.stderr is not None and interrupted.stderr.readline().startswith("waiting for")
        interrupted.send_signal(signal.SIGINT)
        _, err = interrupted.communicate(timeout=60)
        assert interrupted.returncode == 1
        assert err.startswith(f"Error: gave up waiting for the build lock held by process {holder.pid} (started ")
        assert err.count("\n") == 1 and "Traceback" not in err

        timed = CliRunner().invoke(cli, ["index", "--wait", "0.3"], env={"CWS_CONFIG": str(settings.config_path)})
        assert timed.exit_code == 1
        assert f"gave up after 0.3s waiting for the build lock held by process {holder.pid} (started " in timed.output
    finally:
        if interrupted.poll() is None:
            interrupted.kill()
            interrupted.communicate()
        holder.communicate("done\n", timeout=30)
