"""Shared fixtures: the sample corpus beside the repository, the real model, real indexes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CWS_SHARED_DIR", REPO.parent / "shared"))
SHARED_CORPUS = SHARED / "corpus"
DEV_QUESTIONS = SHARED / "eval" / "dev.jsonl"


MISSING_CORPUS = (
    "the sample corpus is missing: {path} is not a folder. More than half of the tests need it; they are not "
    "skipped, so a run without it cannot pass. Put the shared folder beside the repository or set CWS_SHARED_DIR."
)
# What a user's shell may carry that would point a test at real data or a real Slack workspace.
USER_VARIABLES = ("CWS_", "SLACK_")
HOME_VARIABLES = {
    "XDG_DATA_HOME": ".local/share",
    "XDG_CONFIG_HOME": ".config",
    "XDG_STATE_HOME": ".local/state",
    "XDG_CACHE_HOME": ".cache",
}


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop the whole run, loudly, without the sample corpus: CI must not go green with half the suite skipped."""
    if not SHARED_CORPUS.is_dir():
        pytest.exit(MISSING_CORPUS.format(path=SHARED_CORPUS), returncode=pytest.ExitCode.USAGE_ERROR)


def _isolate(mp: pytest.MonkeyPatch, home: Path) -> None:
    """No CWS_* or SLACK_* variable of the user's shell, and a home (and XDG folders) of the test's own."""
    for name in list(os.environ):
        if name.startswith(USER_VARIABLES):
            mp.delenv(name)
    mp.setenv("HOME", str(home))
    for name, below in HOME_VARIABLES.items():
        mp.setenv(name, str(home / below))


@pytest.fixture(scope="session", autouse=True)
def _isolated_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same for session- and module-scoped fixtures, which are set up before any test's own fixtures."""
    with pytest.MonkeyPatch.context() as mp:
        _isolate(mp, tmp_path_factory.mktemp("session-home"))
        yield


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's data directory, configuration or Slack workspace, whatever CWS_*
    variables are exported: each test starts with none of them and a home of its own (what `cws` defaults to)."""
    _isolate(monkeypatch, tmp_path_factory.mktemp("home"))


def _no_lookup(host: str, port: int) -> list[str]:
    import socket

    raise socket.gaierror(f"tests look up no host names ({host}); map a test name to 127.0.0.1 instead")


@pytest.fixture(autouse=True)
def no_network_beyond_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Submitting an ATR link makes the assistant read it (atr.guard): in tests no host name reaches a real
    resolver, so a submitted https://www.ipo.gov.uk/... is never requested. The link-checking tests map their own
    names to a local server on 127.0.0.1 (tests/atr/report_server.py)."""
    from atr import guard

    monkeypatch.setattr(guard, "resolve_host", _no_lookup)


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def embedder():
    from index.encoders import get_embedder

    return get_embedder("all-MiniLM-L6-v2")


class MemoEmbedder:
    """The real model, remembering every text it has encoded, so the many small builds of the data-safety tests
    embed the built-in records once per session instead of once per test. Same name, dimension and vectors."""

    def __init__(self, embedder) -> None:  # type: ignore[no-untyped-def]
        self._embedder = embedder
        self.name, self.dimension = embedder.name, embedder.dimension
        self._memo: dict[str, object] = {}

    def encode(self, texts, progress=None):  # type: ignore[no-untyped-def]
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            self._memo.update(zip(missing, self._embedder.encode(missing)))
        if progress:
            progress(len(texts))
        return np.vstack([self._memo[t] for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def encode_one(self, text):  # type: ignore[no-untyped-def]
        return self.encode([text])[0]


@pytest.fixture(scope="session")
def memo_embedder(embedder) -> MemoEmbedder:  # type: ignore[no-untyped-def]
    return MemoEmbedder(embedder)


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
    run_build(settings, embedder=embedder, progress=lambda _l, _t: lambda _n: None)
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


@pytest.fixture()
def fake_slack():
    """The fake Slack Web API on 127.0.0.1 (tests/slack/fake_slack.py), for the bot's and the jobs' tests."""
    from tests.slack.fake_slack import FakeSlack

    fake = FakeSlack().start()
    yield fake
    fake.stop()
