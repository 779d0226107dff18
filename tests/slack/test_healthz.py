"""/healthz and the maintainers' channel when the live build is damaged (issue 15 §1, the bot's part).

A copy of the session's real build goes live under a newer name and is then damaged, as a
bad build or a bad disk would leave it; the previous (whole) build serves. /healthz says
"degraded" with the reason (200: questions are answered), 503 when no build can serve, and
the maintainers' channel hears of each change once, however often /healthz is probed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from answering.engine import AnswerEngine
from index.layout import builds_dir, live_name, switch_live
from tests.slack.signing import get, load_payload
from tests.waiting import wait_for

BROKEN = "20991231T000000.000000000-bad1"
GOOD = "20991231T000000.000000001-good"
MAINTAINERS = "C0MAINTAIN"


@pytest.fixture()
def index_copy(tmp_path, built_settings):  # type: ignore[no-untyped-def]
    """Settings whose index is a copy of the session's, with a second (newer) build live, still whole."""
    settings = built_settings.model_copy(update={"data_dir": tmp_path / "index-data"})
    shutil.copytree(built_settings.index_root, settings.index_root)
    _goes_live(settings.index_root, BROKEN)
    return settings


def _goes_live(root: Path, name: str, like: str | None = None) -> None:
    """A copy of build `like` (else the live one) goes live as `name`, as a new build would."""
    shutil.copytree(builds_dir(root) / (like or live_name(root)), builds_dir(root) / name)  # type: ignore[operator]
    switch_live(root, name)


def _maintainer_posts(bot) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.text for c in bot.fake.calls_to("chat.postMessage") if c.params.get("channel") == MAINTAINERS]


def test_a_damaged_live_build_is_reported_degraded_and_posted_once(start_bot, index_copy, embedder):
    previous = min(p.name for p in builds_dir(index_copy.index_root).iterdir())
    (builds_dir(index_copy.index_root) / BROKEN / "vectors.npy").unlink()
    bot = start_bot(bot_engine=AnswerEngine(index_copy, embedder), jobs={"maintainers_channel": MAINTAINERS})

    for _ in range(3):
        response = get(bot.url + "/healthz")
        assert response.status == 200
        body = response.json()
        assert body["status"] == "degraded" and body["index_version"] == previous
        assert body["reason"] == f"build {BROKEN}: vectors.npy is missing; serving {previous}"
        assert body["skipped"] == [{"build": BROKEN, "reason": "vectors.npy is missing"}]

    assert bot.event(load_payload("event_app_mention.json")).status == 200  # still answered, from the previous build
    answers = [c for c in bot.fake.wait_for("chat.postMessage", 2) if c.params["channel"] != MAINTAINERS]
    assert "July 1, 2027" in answers[0].text
    wait_for(bot.all_answered, what="the question to be settled")
    [posted] = _maintainer_posts(bot)
    assert "older index build" in posted and f"build {BROKEN}: vectors.npy is missing" in posted

    _goes_live(index_copy.index_root, GOOD, like=previous)  # a good build: healthy again, and said once
    assert get(bot.url + "/healthz").json()["status"] == "ok"
    assert get(bot.url + "/healthz").status == 200
    wait_for(lambda: len(_maintainer_posts(bot)) == 2, what="the recovery to be posted")
    assert "healthy again" in _maintainer_posts(bot)[1] and GOOD in _maintainer_posts(bot)[1]


def test_no_usable_build_is_503_and_posted_once(start_bot, index_copy, embedder):
    for build in builds_dir(index_copy.index_root).iterdir():
        (build / "passages.db").unlink()
    bot = start_bot(bot_engine=AnswerEngine(index_copy, embedder), jobs={"maintainers_channel": MAINTAINERS})
    for _ in range(2):
        response = get(bot.url + "/healthz")
        assert response.status == 503
        body = response.json()
        assert body["status"] == "unavailable" and "no usable index" in body["error"]
    wait_for(lambda: _maintainer_posts(bot), what="the maintainers to be told")
    [posted] = _maintainer_posts(bot)
    assert "cannot answer questions" in posted and "passages.db is missing" in posted


def test_without_a_maintainers_channel_nothing_is_posted(start_bot, index_copy, embedder):
    (builds_dir(index_copy.index_root) / BROKEN / "vectors.npy").unlink()
    bot = start_bot(bot_engine=AnswerEngine(index_copy, embedder))
    assert get(bot.url + "/healthz").json()["status"] == "degraded"
    assert bot.fake.calls_to("chat.postMessage") == []
