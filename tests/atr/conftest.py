"""An office's site on 127.0.0.1 reached by a test name, and settings that allow it (test-only switches)."""

from __future__ import annotations

import pytest

from tests.atr.report_server import ReportSite

SITE_HOST = "reports.jpo.test"  # passes the submission checks; resolved to 127.0.0.1 by the test resolver only

JPO_2024 = """<!DOCTYPE html>
<html><head><title>JPO Annual Technical Report 2024 (Patent Information)</title></head>
<body>
<nav>Home | About | Contact</nav>
<h1>Annual Technical Report 2024 on Patent Information Activities</h1>
<h2>1. Main developments</h2>
<p>The office moved its patent examination systems to a government cloud platform in 2024.</p>
<h2>2. Use of AI tools</h2>
<p>Among its AI tools, the Japan Patent Office introduced in 2024 an AI-based prior art search tool that suggests
the closest prior art documents to patent examiners, and began using AI to assign F-term classification codes to
incoming applications.</p>
<h2>3. Machine translation</h2>
<p>The JPO extended neural machine translation of Chinese and Korean patent documents into Japanese.</p>
</body></html>
"""

JPO_2024_REVISED = JPO_2024.replace(
    "began using AI to assign F-term classification codes",
    "piloted a generative AI assistant that drafts search reports, and began using AI to assign F-term codes",
)


@pytest.fixture()
def site():
    server = ReportSite()
    yield server
    server.stop()


@pytest.fixture()
def link_settings(tmp_path, shared_corpus, site, monkeypatch):
    """Settings for the whole path: the sample corpus, http and loopback allowed (test-only), the test name
    resolved to 127.0.0.1 by the one resolver the guard uses."""
    from atr import guard
    from config.settings import load_settings

    monkeypatch.setattr(guard, "resolve_host", lambda host, port: ["127.0.0.1"] if host == SITE_HOST else [])
    config = tmp_path / "cws.yaml"
    config.write_text(
        f"data_dir: {tmp_path / 'data'}\n"
        f"corpus_dirs: [{shared_corpus}]\n"
        "atr:\n"
        "  allow_http: true\n"
        "  stale_after_days: 10\n"
        "  fetch:\n"
        "    allow_http: true\n"
        "    allow_loopback: true\n"
        "    timeout_seconds: 5\n"
        "    max_megabytes: 1\n"
    )
    return load_settings(config, environ={})


@pytest.fixture()
def memo_model(monkeypatch, memo_embedder, embedder):
    """Every build and engine of these tests uses the session's model (no export per data directory); builds
    through the memo, which encodes the sample corpus once per session."""
    monkeypatch.setattr("index.runner.embedder_for", lambda _settings: memo_embedder)
    monkeypatch.setattr("answering.engine.embedder_for", lambda _settings: embedder)
    return memo_embedder
