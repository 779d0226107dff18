"""The indexed sources are explicit and persistent (issue 12): `cws index PATH` adds, `cws sources` lists, adds and
removes, CWS_CORPUS_DIRS and corpus_dirs still count and say so, every build (the nightly job too) reads them all,
and `cws docs` lists what is indexed. Real folders under tmp_path, real builds and real SQLite."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from config.settings import Settings, load_settings
from cws.cli import cli
from index.runner import run_build
from index.sources import (
    ADDED,
    ADDED_BY_INDEX,
    CARRIED_OVER,
    CONFIGURATION,
    ENVIRONMENT,
    SourceError,
    SourceList,
    add_source,
    indexed_documents,
    remove_source,
    resolve_sources,
)
from index.validate import live_build
from jobs import runtime, tasks

QUIET = lambda _label, _total: lambda _n: None


def write_folder(folder: Path, **documents: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / name.replace("_md", ".md")).write_text(text, encoding="utf-8")
    return folder.resolve()


@pytest.fixture()
def folders(tmp_path: Path) -> tuple[Path, Path]:
    mine = write_folder(tmp_path / "mine", zebra_md="# Zebra\n\nThe zebra task force met in Nairobi in 2025.\n")
    other = write_folder(tmp_path / "other", okapi_md="# Okapi\n\nThe okapi pilot ends on 1 May 2026.\n")
    return mine, other


def config_for(tmp_path: Path, corpus_dirs: list[Path] | None = None) -> Path:
    config = tmp_path / "cws.yaml"
    text = f"data_dir: {tmp_path / 'data'}\njobs:\n  maintainers_channel: C0MAINTAIN\n"
    if corpus_dirs:
        text += "corpus_dirs:\n" + "".join(f"  - {d}\n" for d in corpus_dirs)
    config.write_text(text, encoding="utf-8")
    return config


@pytest.fixture()
def cws(tmp_path, monkeypatch, memo_embedder):  # type: ignore[no-untyped-def]
    """Run `cws` with a configuration of its own (and any extra environment), the remembering model."""
    monkeypatch.setattr("index.runner.embedder_for", lambda *_a, **_k: memo_embedder)
    config = config_for(tmp_path)

    def run(*args: str, env: dict[str, str] | None = None, code: int = 0):  # type: ignore[no-untyped-def]
        result = CliRunner().invoke(cli, list(args), env={"CWS_CONFIG": str(config), **(env or {})})
        assert result.exit_code == code, result.output
        return result

    run.settings = load_settings(config, environ={})  # type: ignore[attr-defined]
    return run


def doc_ids(settings: Settings) -> set[str]:
    return {d.doc_id for d in indexed_documents(settings) if not d.doc_id.startswith("record:")}


def test_index_path_adds_to_the_sources_instead_of_replacing_them(cws, folders):
    mine, other = folders
    cws("index", str(mine))
    second = json.loads(cws("index", "--json", str(other)).stdout)
    assert second["added"] == ["other/okapi.md"] and second["removed"] == []
    assert doc_ids(cws.settings) == {"mine/zebra.md", "other/okapi.md"}
    listed = cws("sources", "list").output
    assert f"{mine}  [folder, 1 in the index]  {ADDED_BY_INDEX}" in listed
    assert f"{other}  [folder, 1 in the index]  {ADDED_BY_INDEX}" in listed


def test_a_plain_reindex_uses_the_recorded_sources(cws, folders):
    mine, other = folders
    cws("sources", "add", str(mine), str(other))
    summary = json.loads(cws("index", "--json").stdout)
    assert sorted(summary["added"])[:2] == ["mine/zebra.md", "other/okapi.md"]


def test_sources_add_list_remove(cws, folders, tmp_path):
    mine, other = folders
    assert "added" in cws("sources", "add", str(mine)).output
    assert "already a source" in cws("sources", "add", str(mine)).output
    rows = json.loads(cws("sources", "list", "--json").output)
    assert [(r["path"], r["kind"], r["origin"]) for r in rows] == [(str(mine), "folder", [ADDED])]
    assert "removed" in cws("sources", "remove", str(mine)).output
    assert json.loads(cws("sources", "list", "--json").output) == []
    assert "is not an indexed source" in cws("sources", "remove", str(other), code=1).output
    assert cws("sources", "add", str(tmp_path / "typo"), code=2).exit_code == 2  # a mistyped path is not added


def test_what_cannot_be_a_source_is_refused(cws, folders, tmp_path):
    mine, _ = folders
    cws("sources", "add", str(mine))
    (tmp_path / "notes.xyz").write_text("x", encoding="utf-8")
    assert "is not a document that can be indexed" in cws("sources", "add", str(tmp_path / "notes.xyz"), code=1).output
    inner = write_folder(mine / "inner", a_md="# A\n\nText.\n")
    assert f"is inside {mine}" in cws("sources", "add", str(inner), code=1).output
    assert "is inside" in cws("sources", "add", str(tmp_path), code=1).output
    twin = write_folder(tmp_path / "elsewhere" / "mine", b_md="# B\n\nText.\n")
    assert "the same ids" in cws("sources", "add", str(twin), code=1).output


def test_a_single_file_is_a_source_with_the_manifest_beside_it(cws, tmp_path):
    folder = write_folder(tmp_path / "drafts", keep_md="# Kept draft\n\nThe quokka draft.\n", other_md="# No\n\nNo.\n")
    (folder / "manifest.yaml").write_text("documents:\n  - file: keep.md\n    symbol: CWS/99/1\n", encoding="utf-8")
    cws("index", str(folder / "keep.md"))
    [document] = [d for d in indexed_documents(cws.settings) if not d.doc_id.startswith("record:")]
    assert (document.doc_id, document.symbol) == ("drafts/keep.md", "CWS/99/1")
    assert document.source == str(folder / "keep.md")
    assert json.loads(cws("sources", "list", "--json").output)[0]["kind"] == "file"


def test_environment_and_configuration_sources_say_where_they_came_from(tmp_path, folders):
    mine, other = folders
    from_env = load_settings(config_for(tmp_path), environ={"CWS_CORPUS_DIRS": str(mine)})
    add_source(from_env, other)
    assert [(s.path, s.origins) for s in resolve_sources(from_env)] == [(mine, (ENVIRONMENT,)), (other, (ADDED,))]
    from_file = load_settings(config_for(tmp_path, [mine]), environ={})
    assert [(s.path, s.origins) for s in resolve_sources(from_file)] == [(mine, (CONFIGURATION,)), (other, (ADDED,))]
    with pytest.raises(SourceError, match=r"comes from the environment \(CWS_CORPUS_DIRS\); remove it there"):
        remove_source(from_env, mine)
    add_source(from_file, mine)  # listed in both: shown once, with both origins
    assert resolve_sources(from_file)[0].origins == (CONFIGURATION, ADDED)


def test_the_nightly_reindex_with_cws_corpus_dirs_keeps_the_users_documents(tmp_path, folders, memo_embedder):
    """The README's serve command sets CWS_CORPUS_DIRS; the nightly job used to switch the index back to it."""
    mine, other = folders
    user = load_settings(config_for(tmp_path), environ={})
    run_build(user, [mine], embedder=memo_embedder, progress=QUIET)  # `cws index mine`
    served = load_settings(config_for(tmp_path), environ={"CWS_CORPUS_DIRS": str(other)})
    runtime.install(runtime.Runtime(served, runtime.LogPoster()))
    try:
        assert tasks.reindex().startswith("reindex: Index")
    finally:
        runtime.install(None)  # type: ignore[arg-type]
    assert doc_ids(user) == {"mine/zebra.md", "other/okapi.md"}


def test_a_removed_source_leaves_the_index_without_allow_removals(cws, folders):
    mine, other = folders
    cws("index", str(mine))
    cws("index", str(other))
    assert "its 1 indexed document leaves the index" in cws("sources", "remove", str(other)).output
    summary = json.loads(cws("index", "--json").stdout)
    assert summary["removed"] == ["other/okapi.md"]
    assert doc_ids(cws.settings) == {"mine/zebra.md"}
    cws("sources", "add", str(other))  # back again: guarded like any other source
    cws("index")
    shutil.rmtree(other)
    assert "does not exist" in cws("index", code=1).output


def test_docs_lists_symbol_title_passages_source_and_time(cws, shared_corpus, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(shared_corpus, corpus)
    cws("index", str(corpus))
    listing = cws("docs").output.splitlines()
    assert listing[0].split() == ["SYMBOL", "TITLE", "PASSAGES", "SOURCE", "INDEXED", "AT"]
    row = next(line for line in listing if line.startswith("WO/GA/58/9"))
    assert "Report on the Committee on WIPO Standards" in row and f"  {corpus.resolve()}  " in row
    assert listing[-1].startswith("(and ") and "built-in records" in listing[-1]
    documents = json.loads(cws("docs", "--json").output)
    first = next(d for d in documents if d["symbol"] == "WO/GA/58/9")
    assert first["passages"] > 10 and first["indexed_at"].endswith("Z") and first["source"] == str(corpus.resolve())
    assert len(json.loads(cws("docs", "--json", "--records").output)) > len(documents)


def test_docs_keeps_the_time_a_document_was_indexed(cws, folders):
    mine, other = folders
    cws("index", str(mine))
    first = {d["doc_id"]: d["indexed_at"] for d in json.loads(cws("docs", "--json", "--records").output)}
    (mine / "zebra.md").write_text("# Zebra\n\nThe zebra task force met in Nairobi in 2026.\n", encoding="utf-8")
    live = live_build(cws.settings.index_root)
    with sqlite3.connect(live / "passages.db") as db:  # as if that build was made long ago
        db.execute("update provenance set indexed_at = '2000-01-01T00:00:00Z'")
    cws("index", str(other))
    again = {d["doc_id"]: d["indexed_at"] for d in json.loads(cws("docs", "--json", "--records").output)}
    assert again["mine/zebra.md"] >= first["mine/zebra.md"] > "2000-01-01T00:00:00Z"  # changed: indexed anew
    assert again["record:task:24"] == "2000-01-01T00:00:00Z"  # unchanged: the time it was first indexed


def test_an_index_built_before_sources_were_recorded_keeps_its_folders(tmp_path, folders, memo_embedder):
    mine, _ = folders
    settings = load_settings(config_for(tmp_path), environ={})
    run_build(settings, [mine], embedder=memo_embedder, progress=QUIET)
    live = live_build(settings.index_root)
    with sqlite3.connect(live / "passages.db") as db:  # what an older version wrote: no provenance, no source list
        db.execute("drop table provenance")
    with sqlite3.connect(settings.data_dir / "cws.db") as db:
        db.execute("delete from index_sources")
    assert [(s.path, s.origins) for s in resolve_sources(settings)] == [(mine, (CARRIED_OVER,))]
    assert SourceList(settings.data_dir).listed()[0][0] == mine
    [document] = [d for d in indexed_documents(settings) if d.doc_id == "mine/zebra.md"]
    assert document.source == str(mine)
