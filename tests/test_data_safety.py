"""A reindex never loses or silently changes what is indexed (issue 12): removals are guarded, a broken manifest
fails its build, unreadable and corrupt files keep their last good version, and a no-op run writes no build.

Real folders under tmp_path, real builds (the real model, its vectors remembered across tests: MemoEmbedder).
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from config.settings import DEFAULT_CONFIG, Settings, load_settings
from cws.cli import cli
from index.build import PreviousBuild, plan_build
from index.layout import complete_builds, live_name
from index.removals import RemovalRefused, SourceFailed
from index.runner import format_summary, run_build
from index.sources import indexed_documents
from index.store import PassageStore
from jobs import runtime, tasks

QUIET = lambda _label, _total: lambda _n: None
SYMBOL_DOC = "001_92626e8d6b5d7826.txt"  # WO/GA/58/9 in the manifest


def settings_for(tmp_path: Path, **index: object) -> Settings:
    """A data directory of its own; sources only from the source list (no CWS_CORPUS_DIRS)."""
    config = tmp_path / "cws.yaml"
    lines = [f"data_dir: {tmp_path / 'data'}", "jobs:", "  maintainers_channel: C0MAINTAIN"]
    if index:
        lines += ["index:"] + [f"  {key}: {value}" for key, value in index.items()]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_settings(config, environ={})


def build(settings: Settings, embedder, paths=(), **kwargs):  # type: ignore[no-untyped-def]
    return run_build(settings, paths, embedder=embedder, progress=QUIET, **kwargs)


@pytest.fixture()
def indexed(tmp_path, corpus_copy, memo_embedder):  # type: ignore[no-untyped-def]
    """The sample corpus, added with `cws index PATH` semantics and built."""
    settings = settings_for(tmp_path)
    summary = build(settings, memo_embedder, [corpus_copy])
    assert summary.switched and len(summary.added) > 5
    return settings, corpus_copy.resolve()


@pytest.fixture()
def cli_env(indexed, monkeypatch, memo_embedder):  # type: ignore[no-untyped-def]
    """`cws` through CliRunner on the same data directory, with the remembering model."""
    monkeypatch.setattr("index.runner.embedder_for", lambda *_a, **_k: memo_embedder)
    settings, _ = indexed
    return {"CWS_CONFIG": str(settings.config_path)}


def user_docs(settings: Settings) -> dict[str, object]:
    return {d.doc_id: d for d in indexed_documents(settings) if not d.doc_id.startswith("record:")}


class Recorder:
    """Stands in for the jobs' Slack poster: what the nightly job posts to the maintainers' channel."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str]] = []

    def post(self, channel: str, text: str, blocks: list[dict] | None = None) -> str:
        self.posts.append((channel, text))
        return "1.0"


@pytest.fixture()
def nightly(indexed):  # type: ignore[no-untyped-def]
    settings, _ = indexed
    recorder = Recorder()
    runtime.install(runtime.Runtime(settings, recorder))
    yield recorder
    runtime.install(None)  # type: ignore[arg-type]


@pytest.fixture()
def make_unreadable(monkeypatch):  # type: ignore[no-untyped-def]
    """chmod 000; for root, whom permissions do not stop, also the PermissionError anyone else would get,
    raised where the scan reads a file or lists a folder."""
    denied: set[Path] = set()
    if os.geteuid() == 0:
        real_read_bytes, real_scandir = Path.read_bytes, os.scandir

        def read_bytes(self: Path) -> bytes:
            if self.resolve() in denied:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real_read_bytes(self)

        def scandir(path="."):  # type: ignore[no-untyped-def]
            if Path(path).resolve() in denied:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
        monkeypatch.setattr(os, "scandir", scandir)

    def make(path: Path) -> None:
        path.chmod(0)
        denied.add(path.resolve())

    yield make
    for path in denied:
        path.chmod(0o755 if path.is_dir() else 0o644)


# -- the removal guard ------------------------------------------------------------------------------------------------


def test_the_setting_is_documented_with_its_default(tmp_path):
    assert settings_for(tmp_path).index.max_removed_fraction == 0.2
    assert "max_removed_fraction: 0.2" in DEFAULT_CONFIG.read_text(encoding="utf-8")


def test_a_missing_source_is_refused_naming_it_and_the_live_index_stays(indexed, memo_embedder):
    settings, corpus = indexed
    before = live_name(settings.index_root)
    corpus.rename(corpus.with_name("moved"))
    with pytest.raises(RemovalRefused) as refused:
        build(settings, memo_embedder)
    message = str(refused.value)
    assert f"{corpus} does not exist" in message and "all 5 of its documents" in message
    assert "--allow-removals" in message
    assert live_name(settings.index_root) == before and len(user_docs(settings)) == 5


def test_an_emptied_source_is_refused_even_when_it_is_a_small_share(tmp_path, corpus_copy, memo_embedder):
    settings = settings_for(tmp_path)
    small = tmp_path / "small"
    small.mkdir()
    (small / "note.md").write_text("# Note\n\nThe pangolin working group met in Oslo.\n", encoding="utf-8")
    build(settings, memo_embedder, [corpus_copy, small])
    (small / "note.md").unlink()
    with pytest.raises(RemovalRefused, match=f"{small.resolve()} has no documents left that can be indexed"):
        build(settings, memo_embedder)  # 1 of 6 documents: under 20 %, but all of that source's


def test_removing_more_than_the_fraction_is_refused_and_allow_removals_overrides(indexed, memo_embedder):
    settings, corpus = indexed
    for path in sorted(corpus.glob("00[34]_*.txt")):
        path.unlink()
    with pytest.raises(RemovalRefused, match=r"remove 2 of the 5 indexed documents \(more than .* 20%"):
        build(settings, memo_embedder)
    summary = build(settings, memo_embedder, allow_removals=True)
    assert len(summary.removed) == 2 and len(user_docs(settings)) == 3


def test_removals_within_the_fraction_go_through(indexed, memo_embedder):
    settings, corpus = indexed
    next(corpus.glob("003_*.txt")).unlink()
    assert len(build(settings, memo_embedder).removed) == 1  # 1 of 5 is not more than 20 %


def test_a_higher_fraction_can_be_configured(tmp_path, corpus_copy, memo_embedder):
    settings = settings_for(tmp_path, max_removed_fraction=0.5)
    build(settings, memo_embedder, [corpus_copy])
    for path in sorted(corpus_copy.glob("00[34]_*.txt")):
        path.unlink()
    assert len(build(settings, memo_embedder).removed) == 2


def test_cws_index_refuses_with_exit_code_1_and_allow_removals_overrides(indexed, cli_env):
    settings, corpus = indexed
    shutil.rmtree(corpus)
    refused = CliRunner().invoke(cli, ["index"], env=cli_env)
    assert refused.exit_code == 1 and f"{corpus} does not exist" in refused.output
    allowed = CliRunner().invoke(cli, ["index", "--allow-removals", "--json"], env=cli_env)
    assert allowed.exit_code == 0, allowed.output
    assert not user_docs(settings)


def test_the_nightly_job_posts_the_refusal_to_the_maintainers(indexed, nightly):
    settings, corpus = indexed
    before = live_name(settings.index_root)
    shutil.rmtree(corpus)
    result = tasks.reindex()
    assert result.startswith("reindex: failed")
    [(channel, text)] = nightly.posts
    assert channel == "C0MAINTAIN"
    assert "refusing to reindex" in text and f"{corpus} does not exist" in text
    assert live_name(settings.index_root) == before


def test_the_guard_ignores_the_built_in_records():
    """Records come with the project; one dropped by a new version is not the user's document."""
    previous = PreviousBuild(fingerprints={"record:task:1": "a", "corpus/a.txt": "b"})
    assert plan_build({}, previous).removed == ["corpus/a.txt", "record:task:1"]
    from index.removals import check_removals

    check_removals(["record:task:1"], {"record:task:1": None, "corpus/a.txt": "/c"}, [], set(), 0.0)
    with pytest.raises(RemovalRefused):
        check_removals(["corpus/a.txt"], {"record:task:1": None, "corpus/a.txt": "/c"}, [], set(), 0.0)


# -- manifest.yaml -----------------------------------------------------------------------------------------------------


def test_an_invalid_manifest_fails_the_build_and_keeps_the_metadata(indexed, cli_env):
    settings, corpus = indexed
    before = live_name(settings.index_root)
    manifest = corpus / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("symbol: WO/GA/58/9", "symbl: WO/GA/58/9"))
    result = CliRunner().invoke(cli, ["index"], env=cli_env)
    assert result.exit_code == 1
    assert f"{manifest}: documents[1] (file '{SYMBOL_DOC}'): unknown field 'symbl'" in result.output
    assert live_name(settings.index_root) == before
    assert user_docs(settings)[f"corpus/{SYMBOL_DOC}"].symbol == "WO/GA/58/9"


def test_the_nightly_job_posts_an_invalid_manifest(indexed, nightly):
    _, corpus = indexed
    manifest = corpus / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("    year: 2025", "    year: soon"))
    assert tasks.reindex().startswith("reindex: failed")
    [(_, text)] = nightly.posts
    assert f"{manifest}: documents[1] (file '{SYMBOL_DOC}'): field 'year'" in text


def test_manifest_entries_for_missing_files_are_warned(indexed, memo_embedder):
    settings, corpus = indexed
    manifest = corpus / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "  - file: 009_missing.txt\n    title: Gone\n")
    summary = build(settings, memo_embedder)
    warning = f"{manifest}: the entry for '009_missing.txt' names a file that does not exist"
    assert summary.warnings == [warning]
    assert f"  warning: {warning}" in format_summary(summary).splitlines()


def test_a_broken_manifest_fails_even_a_first_build(tmp_path, memo_embedder):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (folder / "manifest.yaml").write_text("documents:\n  - file: a.md\n    colour: red\n", encoding="utf-8")
    settings = settings_for(tmp_path)
    with pytest.raises(SourceFailed, match=r"documents\[0\] \(file 'a.md'\): unknown field 'colour'"):
        build(settings, memo_embedder, [folder])
    assert live_name(settings.index_root) is None


# -- unreadable and corrupt files --------------------------------------------------------------------------------------


def test_an_unreadable_file_keeps_its_last_good_version_and_is_reported(indexed, memo_embedder, make_unreadable):
    settings, corpus = indexed
    target = next(corpus.glob("002_*.txt"))
    passages = user_docs(settings)[f"corpus/{target.name}"].passages
    make_unreadable(target)
    summary = build(settings, memo_embedder)
    assert summary.removed == [] and summary.kept_previous == [f"corpus/{target.name}"]
    line = f"  kept the last good version of {target}: cannot read file: Permission denied"
    assert line in format_summary(summary).splitlines()
    assert user_docs(settings)[f"corpus/{target.name}"].passages == passages


def test_an_unreadable_folder_keeps_its_documents(tmp_path, corpus_copy, memo_embedder, make_unreadable):
    settings = settings_for(tmp_path)
    sub = corpus_copy / "annexes"
    sub.mkdir()
    (sub / "annex.md").write_text("# Annex\n\nThe okapi annex lists every pilot office.\n", encoding="utf-8")
    build(settings, memo_embedder, [corpus_copy])
    make_unreadable(sub)
    summary = build(settings, memo_embedder)
    assert summary.removed == [] and summary.kept_previous == ["corpus/annexes/annex.md"]
    assert "corpus/annexes/annex.md" in user_docs(settings)
    assert f"  skipped {sub}: cannot read folder: Permission denied" in format_summary(summary)


def test_a_corrupt_file_keeps_its_last_good_version_and_is_reported(indexed, memo_embedder):
    settings, corpus = indexed
    target = next(corpus.glob("002_*.txt"))
    target.write_bytes(b"\x00\x01\x02" * 100)
    summary = build(settings, memo_embedder)
    assert summary.kept_previous == [f"corpus/{target.name}"]
    lines = format_summary(summary).splitlines()
    assert any(line.startswith(f"  kept the last good version of {target}: ") for line in lines)
    assert f"corpus/{target.name}" in user_docs(settings)


def test_a_full_build_keeps_what_cannot_be_read(indexed, memo_embedder, make_unreadable):
    settings, corpus = indexed
    target = next(corpus.glob("002_*.txt"))
    make_unreadable(target)
    summary = build(settings, memo_embedder, full=True)
    assert summary.switched and summary.kept_previous == [f"corpus/{target.name}"]
    assert f"corpus/{target.name}" in user_docs(settings)


# -- no-op runs --------------------------------------------------------------------------------------------------------


def test_runs_with_skipped_files_write_no_new_build(indexed, memo_embedder, make_unreadable):
    settings, corpus = indexed
    next(corpus.glob("002_*.txt")).write_bytes(b"\x00\x01\x02" * 100)  # known, now corrupt: kept
    (corpus / "new-but-broken.docx").write_bytes(b"PK\x03\x04 not a zip")  # never indexed: skipped
    (corpus / "picture.png").write_bytes(b"\x89PNG")  # unsupported: skipped
    make_unreadable(next(corpus.glob("003_*.txt")))  # known, now unreadable: kept
    live, builds = live_name(settings.index_root), complete_builds(settings.index_root)
    for _ in range(3):
        summary = build(settings, memo_embedder)
        assert not summary.switched and summary.version == live and len(summary.skipped) == 4
    assert complete_builds(settings.index_root) == builds
    assert PassageStore(complete_builds(settings.index_root)[-1]).count() == summary.passages
