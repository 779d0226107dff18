"""Shared fixtures: the sample corpus beside the repository, the real model, real indexes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CWS_SHARED_DIR", REPO.parent / "shared"))
SHARED_CORPUS = SHARED / "corpus"
DEV_QUESTIONS = SHARED / "eval" / "dev.jsonl"


def _require_shared() -> None:
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"sample corpus not found at {SHARED_CORPUS} (set CWS_SHARED_DIR)")


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    _require_shared()
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def embedder():
    from index.embedding import get_embedder

    return get_embedder("all-MiniLM-L6-v2")


def make_settings(data_dir: Path, corpus_dirs: list[Path]):
    from config.settings import load_settings

    return load_settings(
        environ={"CWS_DATA_DIR": str(data_dir), "CWS_CORPUS_DIRS": os.pathsep.join(map(str, corpus_dirs))}
    )


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory, shared_corpus, embedder):
    """One real index of the sample corpus, built once for the read-only tests."""
    from index.runner import run_build

    settings = make_settings(tmp_path_factory.mktemp("data"), [shared_corpus])
    run_build(settings, embedder=embedder, progress=lambda _l, _t: (lambda _n: None))
    return settings


@pytest.fixture(scope="session")
def engine(built_settings, embedder):
    from answering.engine import AnswerEngine

    return AnswerEngine(built_settings, embedder)


@pytest.fixture()
def corpus_copy(tmp_path, shared_corpus) -> Path:
    """A writable copy of the sample corpus, for tests that change documents."""
    target = tmp_path / "corpus"
    shutil.copytree(shared_corpus, target)
    for path in target.iterdir():
        path.chmod(0o644)
    target.chmod(0o755)
    return target
