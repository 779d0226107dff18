"""A damaged live build is skipped and the newest whole build serves (issue 15 §1, §7).

Real builds on disk (two of the sample corpus, the second after a document changed), each
test damaging a copy of them in one way and opening it as `cws ask`, `cws status`, `cws serve`
and a serving process do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cws.cli import cli
from index.build import build_lock
from index.errors import BuildDamaged, IndexMissing, NoUsableIndex
from index.layout import LOCK, builds_dir, complete_builds, live_name, remove_partial_builds, switch_live
from index.question import analyse
from index.runner import run_build
from index.search import HybridSearcher
from index.validate import check_build, serving_build
from index.version import IndexVersion, LiveIndex
from tests.conftest import make_settings

CWS = Path(sys.executable).parent / "cws"
QUIET = lambda _label, _total: lambda _n: None
QUESTION = "When does the ST.92 sunset period end?"


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory, shared_corpus, embedder) -> Path:
    """A workspace (corpus/ and data/) with two real builds; the second, live one after a document changed."""
    root = tmp_path_factory.mktemp("two-builds")
    corpus = root / "corpus"
    shutil.copytree(shared_corpus, corpus)
    for path in [corpus, *corpus.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    settings = make_settings(root / "data", [corpus])
    run_build(settings, embedder=embedder, progress=QUIET)
    changed = sorted(corpus.glob("*.txt"))[0]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n\nA paragraph added so that a second build is made.\n",
        encoding="utf-8",
    )
    assert run_build(settings, embedder=embedder, progress=QUIET).switched
    return root


class Workspace:
    def __init__(self, root: Path) -> None:
        self.settings = make_settings(root / "data", [root / "corpus"])
        self.root = self.settings.index_root
        self.previous, self.live = [p.name for p in complete_builds(self.root)]
        assert live_name(self.root) == self.live

    @property
    def live_dir(self) -> Path:
        return builds_dir(self.root) / self.live

    @property
    def env(self) -> dict[str, str]:
        return {"CWS_DATA_DIR": str(self.settings.data_dir), "CWS_CORPUS_DIRS": str(self.settings.corpus_dirs[0])}


@pytest.fixture()
def ws(two_builds, tmp_path) -> Workspace:
    shutil.copytree(two_builds, tmp_path / "ws")
    return Workspace(tmp_path / "ws")


# -- the kinds of damage --------------------------------------------------------------------------------------------


def _truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _save_vectors(build: Path, change: Callable[[np.ndarray], np.ndarray]) -> None:
    vectors = np.load(build / "vectors.npy")
    np.save(build / "vectors.npy", change(vectors))


def _nan(vectors: np.ndarray) -> np.ndarray:
    vectors[len(vectors) // 2, 7] = np.nan
    return vectors


def _drop_passage_row(build: Path) -> None:
    with sqlite3.connect(build / "passages.db") as conn:
        conn.execute("delete from passages where row = (select max(row) from passages)")


def _edit_info(build: Path, change: Callable[[dict], object]) -> None:
    info = json.loads((build / "build.json").read_text())
    change(info)
    (build / "build.json").write_text(json.dumps(info))


# (id, damage to the live build, words the reason must contain)
DAMAGE: list[tuple[str, Callable[[Path], None], str]] = [
    ("vectors missing", lambda b: (b / "vectors.npy").unlink(), "vectors.npy is missing"),
    ("vectors truncated", lambda b: _truncate(b / "vectors.npy"), "vectors.npy is cut short"),
    ("vectors empty", lambda b: _truncate(b / "vectors.npy", 0), "vectors.npy is cut short"),
    ("vectors one row short", lambda b: _save_vectors(b, lambda v: v[:-1]), "expected float32"),
    ("vectors wrong dimension", lambda b: _save_vectors(b, lambda v: v[:, :100]), "expected float32"),
    ("vectors float64", lambda b: _save_vectors(b, lambda v: v.astype(np.float64)), "expected float32"),
    ("vectors with NaN", lambda b: _save_vectors(b, _nan), "NaN or infinite"),
    ("vectors with infinity", lambda b: _save_vectors(b, lambda v: v * np.float32(np.inf)), "NaN or infinite"),
    ("passages.db missing", lambda b: (b / "passages.db").unlink(), "passages.db is missing"),
    ("passages.db truncated", lambda b: _truncate(b / "passages.db"), "passages.db is truncated"),
    ("passages.db empty", lambda b: _truncate(b / "passages.db", 0), "not an SQLite database"),
    ("passages.db overwritten", lambda b: (b / "passages.db").write_bytes(b"\0" * 4096), "not an SQLite database"),
    ("passages.db row missing", _drop_passage_row, "passages.db holds"),
    (
        "keyword count file missing",
        lambda b: (b / "keyword/passages.json").unlink(),
        "keyword/passages.json is missing",
    ),
    ("keyword words truncated", lambda b: _truncate(b / "keyword/words.json"), "keyword/words.json is cut short"),
    (
        "keyword vocabulary missing",
        lambda b: (b / "keyword/body/vocab.index.json").unlink(),
        "keyword/body/vocab.index.json is missing",
    ),
    (
        "keyword vocabulary truncated",
        lambda b: _truncate(b / "keyword/pairs/vocab.index.json"),
        "keyword/pairs/vocab.index.json is cut short",
    ),
    (
        "keyword scores truncated",
        lambda b: _truncate(b / "keyword/body/data.csc.index.npy"),
        "keyword/body/data.csc.index.npy is cut short",
    ),
    ("keyword field missing", lambda b: shutil.rmtree(b / "keyword/body"), "keyword/body/ is missing"),
    ("keyword folder missing", lambda b: shutil.rmtree(b / "keyword"), "keyword/ is missing"),
    ("build.json not JSON", lambda b: (b / "build.json").write_text('{"version": '), "build.json is not valid JSON"),
    ("build.json empty", lambda b: (b / "build.json").write_text(""), "build.json is not valid JSON"),
    ("build.json without counts", lambda b: _edit_info(b, lambda i: i.pop("counts")), "'counts'"),
    ("build.json wrong count", lambda b: _edit_info(b, lambda i: i["counts"].update(passages=5)), "build.json says 5"),
    ("build.json missing", lambda b: (b / "build.json").unlink(), "build.json is missing"),
    ("build folder missing", lambda b: shutil.rmtree(b), "does not exist"),
]


def _damage_pointer(ws: Workspace) -> None:
    (ws.root / "CURRENT").write_text("20990101T000000.000000000-gone\n")


@pytest.mark.parametrize("damage, reason", [pytest.param(d, r, id=i) for i, d, r in DAMAGE])
def test_each_kind_of_damage_to_the_live_build_falls_back_to_the_previous_one(ws, embedder, caplog, damage, reason):
    damage(ws.live_dir)
    live = LiveIndex(ws.root)
    version = live.current()
    assert version.name == ws.previous
    health = live.health()
    assert health.status == "degraded" and health.serving == ws.previous
    assert ws.live in health.reason and reason in health.reason, health.reason
    assert f"skipped index build {ws.live}" in caplog.text
    hits = HybridSearcher(embedder).search(version, analyse(QUESTION), limit=5).hits
    assert any("2027" in hit.passage.text for hit in hits)
    assert serving_build(ws.root)[0].name == ws.previous  # what `cws status` and a reindex see, too
    status = CliRunner().invoke(cli, ["status"], env=ws.env)
    assert status.exit_code == 0, status.output
    assert f"status: degraded: build {ws.live}" in status.output and reason in status.output
    assert f"live index: {ws.previous}" in status.output
    asked = CliRunner().invoke(cli, ["ask", "--mode", "keyword", QUESTION], env=ws.env)
    assert asked.exit_code == 0 and asked.exception is None, asked.output


def test_current_naming_a_missing_build_falls_back(ws):
    _damage_pointer(ws)
    live = LiveIndex(ws.root)
    assert live.current().name == ws.live  # the newest whole build
    health = live.health()
    assert health.status == "degraded" and "20990101T000000.000000000-gone" in health.reason
    assert "does not exist" in health.reason


def test_lost_current_pointer_serves_the_newest_build(ws):
    (ws.root / "CURRENT").unlink()
    live = LiveIndex(ws.root)
    assert live.exists()
    assert live.current().name == ws.live
    assert "pointer to the live build is missing" in live.health().reason


def test_a_whole_index_reports_ok_in_the_healthz_format(ws):
    health = LiveIndex(ws.root).health()
    version = IndexVersion(ws.live_dir)
    assert health.status == "ok" and health.reason is None
    assert health.as_dict() == {
        "status": "ok",
        "index_version": ws.live,
        "documents": version.document_count,
        "passages": version.passage_count,
    }


def test_degraded_health_names_the_skipped_build(ws):
    (ws.live_dir / "vectors.npy").unlink()
    body = LiveIndex(ws.root).health().as_dict()
    assert body["status"] == "degraded" and body["index_version"] == ws.previous
    assert body["skipped"] == [{"build": ws.live, "reason": "vectors.npy is missing"}]
    assert body["reason"] == f"build {ws.live}: vectors.npy is missing; serving {ws.previous}"


def test_no_good_build_is_unavailable(ws):
    for name in (ws.live, ws.previous):
        (builds_dir(ws.root) / name / "vectors.npy").unlink()
    live = LiveIndex(ws.root)
    with pytest.raises(NoUsableIndex, match="no usable index") as info:
        live.current()
    assert ws.live in str(info.value) and ws.previous in str(info.value) and "run 'cws index'" in str(info.value)
    health = live.health()
    assert health.status == "unavailable" and not health.available
    assert health.as_dict() == {"status": "unavailable", "error": str(info.value)}


def test_no_index_at_all_is_still_index_missing(tmp_path):
    with pytest.raises(IndexMissing):
        LiveIndex(tmp_path / "index").current()
    assert LiveIndex(tmp_path / "index").health().status == "unavailable"


# -- a serving process ----------------------------------------------------------------------------------------------


def _damaged_copy_goes_live(ws: Workspace, name: str, damage: Callable[[Path], None]) -> None:
    """As a new build going live would: a copy of the live build under a newer name, damaged, switched to."""
    shutil.copytree(ws.live_dir, builds_dir(ws.root) / name)
    damage(builds_dir(ws.root) / name)
    switch_live(ws.root, name)


def test_a_serving_process_keeps_its_build_when_the_next_one_is_broken(ws, embedder):
    live = LiveIndex(ws.root)
    assert live.current().name == ws.live and live.health().status == "ok"
    broken = "20990101T000000.000000000-bad1"
    _damaged_copy_goes_live(ws, broken, lambda b: _save_vectors(b, _nan))
    version = live.current()
    assert version.name == ws.live  # the build already in memory, not reloaded
    health = live.health()
    assert health.status == "degraded" and broken in health.reason and "NaN" in health.reason
    assert HybridSearcher(embedder).search(version, analyse(QUESTION), limit=5).hits
    # The next good build is picked up as before, and the index is healthy again.
    good = "20990101T000000.000000000-good"
    shutil.copytree(ws.live_dir, builds_dir(ws.root) / good)
    switch_live(ws.root, good)
    assert live.current().name == good and live.health().status == "ok"


def test_damage_to_the_loaded_build_while_serving_falls_back(ws):
    live = LiveIndex(ws.root)
    assert live.current().name == ws.live
    (ws.live_dir / "passages.db").unlink()  # its passages are read per question: every answer would fail
    assert live.current().name == ws.previous
    assert "passages.db is missing" in live.health().reason


def test_a_reindex_after_damage_builds_from_the_good_build(ws, embedder):
    (ws.live_dir / "vectors.npy").unlink()
    summary = run_build(ws.settings, embedder=embedder, progress=QUIET)
    assert summary.switched and summary.passages_embedded < 5  # reused the previous build's vectors
    live = LiveIndex(ws.root)
    assert live.current().name == summary.version and live.health().status == "ok"


# -- the command line, as a user runs it ----------------------------------------------------------------------------


def _environ(ws: Workspace) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CWS_", "SLACK_"))}
    return {**clean, **ws.env}


def test_cws_ask_answers_from_the_previous_build_when_vectors_are_deleted(ws):
    """The reproduction of issue 15 §1: rm the live vectors.npy, then ask."""
    (ws.live_dir / "vectors.npy").unlink()
    result = subprocess.run([str(CWS), "ask", QUESTION], env=_environ(ws), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "2027" in result.stdout
    assert "Traceback" not in result.stderr
    assert f"skipped index build {ws.live}: vectors.npy is missing; serving {ws.previous}" in result.stderr


def test_cws_ask_with_no_good_build_says_so_in_one_line(ws):
    (builds_dir(ws.root) / ws.live / "passages.db").unlink()
    _truncate(builds_dir(ws.root) / ws.previous / "vectors.npy")
    result = subprocess.run([str(CWS), "ask", QUESTION], env=_environ(ws), capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: no usable index in ") and "run 'cws index'" in line
    assert f"{ws.live}: passages.db is missing" in line and f"{ws.previous}: vectors.npy is cut short" in line


def test_cws_serve_starts_on_the_previous_build(ws, fake_slack):
    from tests.jobs.test_serve_jobs import _wait_for_line

    (ws.live_dir / "keyword" / "words.json").unlink()
    env = {
        **_environ(ws),
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": fake_slack.api_url,
    }
    process = subprocess.Popen(
        [str(CWS), "serve", "--http", "--port", "0", "--no-jobs"], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        line, seen = _wait_for_line(process, r"Listening on")
        assert any(f"skipped index build {ws.live}: keyword/words.json is missing" in s for s in seen), seen
        url = re.search(r"Listening on (\S+?)/slack/events", line).group(1)
        with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
            assert response.status == 200
            assert json.loads(response.read())["index_version"] == ws.previous
    finally:
        process.terminate()
        process.wait(timeout=30)


# -- partial builds left by a kill (issue 15 §7) ---------------------------------------------------------------------


class Killed(Exception):
    """Stands in for SIGKILL at a stage: the build stops there, nothing cleans up after it."""


def _kill_at(stage: str) -> Callable[[str], None]:
    def after(name: str) -> None:
        if name == stage:
            raise Killed(stage)

    return after


def _partials(root: Path) -> list[str]:
    return sorted(p.name for p in builds_dir(root).iterdir() if p.is_dir() and not (p / "build.json").exists())


def test_a_kill_right_after_a_switch_leaves_partial_builds_that_start_up_removes(ws, embedder):
    corpus = ws.settings.corpus_dirs[0]
    (corpus / "two.md").write_text("# Two\n\nA document whose build is killed right after it went live.\n")
    with pytest.raises(Killed):
        run_build(ws.settings, embedder=embedder, progress=QUIET, after_stage=_kill_at("switched"))
    (corpus / "one.md").write_text("# One\n\nA document whose build is killed midway.\n")
    with pytest.raises(Killed):
        run_build(ws.settings, embedder=embedder, progress=QUIET, after_stage=_kill_at("embedded"))
    [partial] = _partials(ws.root)
    switched = live_name(ws.root)
    assert switched not in (ws.live, partial)
    live = LiveIndex(ws.root)
    assert live.current().name == switched  # start-up: the first open in a process
    assert _partials(ws.root) == []
    assert {p.name for p in complete_builds(ws.root)} == {ws.previous, ws.live, switched}


def test_partial_builds_are_left_alone_while_a_build_holds_the_lock(ws):
    partial = builds_dir(ws.root) / "20990101T000000.000000000-wip0"
    partial.mkdir()
    (partial / "vectors.npy").write_bytes(b"being written")
    with build_lock(ws.root):  # another build is writing it
        assert remove_partial_builds(ws.root) == []
        LiveIndex(ws.root).current()
    assert partial.is_dir()
    assert remove_partial_builds(ws.root) == [partial.name]
    assert not partial.exists() and not any(p.name.startswith(".removing") for p in builds_dir(ws.root).iterdir())


def test_the_live_build_is_never_removed_even_when_incomplete(ws):
    (ws.live_dir / "build.json").unlink()
    (ws.root / f".CURRENT.{os.getpid()}.tmp").write_text("half a switch")
    assert remove_partial_builds(ws.root) == []
    assert ws.live_dir.is_dir()
    assert not (ws.root / f".CURRENT.{os.getpid()}.tmp").exists()
    assert (ws.root / LOCK).exists()


def test_check_build_accepts_a_whole_build_and_names_the_first_problem(ws):
    assert check_build(ws.live_dir)["counts"]["passages"] > 100
    (ws.live_dir / "vectors.npy").unlink()
    with pytest.raises(BuildDamaged, match="vectors.npy is missing") as info:
        check_build(ws.live_dir)
    assert info.value.build == ws.live


def test_a_build_removes_what_an_interrupted_build_left(ws, embedder):
    corpus = ws.settings.corpus_dirs[0]
    (corpus / "one.md").write_text("# One\n\nA document whose build is killed midway.\n")
    with pytest.raises(Killed):
        run_build(ws.settings, embedder=embedder, progress=QUIET, after_stage=_kill_at("embedded"))
    assert len(_partials(ws.root)) == 1
    run_build(ws.settings, embedder=embedder, progress=QUIET)
    assert _partials(ws.root) == []
