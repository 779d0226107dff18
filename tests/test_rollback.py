"""`cws builds` lists the kept builds; `cws rollback` makes an earlier one live, refusing one that cannot serve.

Real builds on disk: the two of tests/test_fallback.py's workspace (the second made after a document changed).
"""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from cws.cli import cli
from index.build import build_lock
from index.layout import builds_dir, live_name
from index.version import LiveIndex
from tests.test_fallback import QUESTION, Workspace, two_builds, ws  # noqa: F401  (fixtures)


def run(ws: Workspace, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), env=ws.env)


def test_builds_lists_each_build_newest_first_with_the_live_marker(ws):
    result = run(ws, "builds")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["BUILD", "CREATED", "DOCUMENTS", "PASSAGES", "STATE"]
    assert lines[1].startswith(f"* {ws.live} ") and lines[1].endswith("valid, serving")
    assert lines[2].startswith(f"  {ws.previous} ") and lines[2].endswith("valid")
    info = json.loads((ws.live_dir / "build.json").read_text())
    assert info["created"] in lines[1] and str(info["counts"]["passages"]) in lines[1].split()


def test_builds_shows_damaged_and_incomplete_builds_and_which_one_serves(ws):
    (ws.live_dir / "vectors.npy").unlink()
    (builds_dir(ws.root) / "20990101T000000.000000000-part").mkdir()
    states = {b["build"]: b for b in json.loads(run(ws, "builds", "--json").output)}
    assert states[ws.live]["state"] == "damaged" and states[ws.live]["problem"] == "vectors.npy is missing"
    assert states[ws.live]["live"] and not states[ws.live]["serving"]
    assert states[ws.previous]["state"] == "valid" and states[ws.previous]["serving"]
    assert states["20990101T000000.000000000-part"]["state"] == "incomplete"
    text = run(ws, "builds").output
    assert f"* {ws.live}" in text and "damaged: vectors.npy is missing" in text


def test_builds_with_no_index(tmp_path):
    result = CliRunner().invoke(cli, ["builds"], env={"CWS_DATA_DIR": str(tmp_path / "d"), "CWS_CORPUS_DIRS": ""})
    assert result.exit_code == 0 and "no builds yet" in result.output


def test_rollback_defaults_to_the_newest_valid_build_older_than_the_live_one(ws):
    live = LiveIndex(ws.root)
    assert live.current().name == ws.live
    result = run(ws, "rollback")
    assert result.exit_code == 0, result.output
    assert f"build {ws.previous} is live (was {ws.live})" in result.output
    assert live_name(ws.root) == ws.previous
    assert live.current().name == ws.previous and live.health().status == "ok"  # a serving process follows
    assert ws.live_dir.is_dir()  # nothing is deleted: rolling forward again works
    assert run(ws, "rollback", ws.live).exit_code == 0 and live_name(ws.root) == ws.live


def test_rollback_by_the_beginning_of_a_name(ws):
    result = run(ws, "rollback", ws.previous[:20])
    assert result.exit_code == 0, result.output
    assert live_name(ws.root) == ws.previous


def test_rollback_of_the_live_build_does_nothing(ws):
    result = run(ws, "rollback", ws.live)
    assert result.exit_code == 0 and "already live" in result.output
    assert live_name(ws.root) == ws.live


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda b: (b / "passages.db").unlink(), "is damaged: passages.db is missing; it cannot be made live"),
        (lambda b: (b / "build.json").unlink(), "is incomplete (an interrupted build)"),
        (lambda b: (b / "keyword" / "body" / "params.index.json").write_text("{"), "keyword/body/params.index.json"),
        (
            lambda b: (b / "build.json").write_text(
                (b / "build.json").read_text().replace('"keyword_schema": "3"', '"keyword_schema": "2"')
            ),
            "is outdated",
        ),
        (
            lambda b: (b / "build.json").write_text(
                (b / "build.json").read_text().replace("all-MiniLM-L6-v2", "another-model")
            ),
            "embedded with another-model",
        ),
    ],
)
def test_rollback_refuses_a_build_that_cannot_serve(ws, damage, message):
    damage(builds_dir(ws.root) / ws.previous)
    for args in (("rollback",), ("rollback", ws.previous)):
        result = run(ws, *args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        if args == ("rollback",):  # by default only valid builds are candidates
            assert "no valid build older than the live one" in result.output
        else:
            assert message in result.output, result.output
    assert live_name(ws.root) == ws.live


def test_rollback_refuses_what_it_does_not_know(ws):
    assert "no build named 'nope'" in run(ws, "rollback", "nope").output
    shutil.copytree(ws.live_dir, builds_dir(ws.root) / (ws.live[:8] + "T999999.000000000-twin"))
    result = run(ws, "rollback", ws.live[:8])
    assert result.exit_code == 1 and "could be any of" in result.output
    assert live_name(ws.root) == ws.live


def test_rollback_waits_for_no_build(ws):
    with build_lock(ws.root):
        result = run(ws, "rollback")
    assert result.exit_code == 1 and "another build is running" in result.output
    assert live_name(ws.root) == ws.live


def test_rollback_from_a_damaged_live_build(ws):
    (ws.live_dir / "vectors.npy").unlink()
    result = run(ws, "rollback")
    assert result.exit_code == 0, result.output
    assert live_name(ws.root) == ws.previous
    assert LiveIndex(ws.root).health().status == "ok"


def test_rollback_when_there_is_nothing_older(ws):
    (ws.root / "CURRENT").write_text(ws.previous + "\n")
    result = run(ws, "rollback")
    assert result.exit_code == 1 and f"no valid build older than the live one ({ws.previous})" in result.output
