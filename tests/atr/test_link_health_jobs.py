"""The scheduled jobs and link health: the nightly reindex re-checks every link (unchanged: one conditional
request, nothing re-embedded); the digest lists new breakages once; the ATR reminder tells an office's delegates
"your 2024 TM link returns 404"."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from atr.followup import read_and_index
from atr.store import AtrStore
from atr.validation import Submission
from index.layout import live_name
from jobs import runtime, tasks
from jobs.deadlines import load_deadlines
from tests.atr.conftest import JPO_2024, SITE_HOST

GB_TM = (
    "<html><head><title>UKIPO ATR 2024</title></head><body><h1>Trade marks</h1><h2>Online filing</h2>"
    "<p>In 2024 the UKIPO replaced its trade mark filing service with a new digital service.</p></body></html>"
)


class Posts:
    """Stands in for Slack: what each job posted, by channel."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def post(self, channel: str, text: str, blocks: list[dict] | None = None) -> str:
        self.sent.append((channel, text))
        return f"{len(self.sent)}.0"

    def to(self, channel: str) -> list[str]:
        return [text for c, text in self.sent if c == channel]


@pytest.fixture()
def jobs_runtime(link_settings, site, memo_model, tmp_path):
    deadlines = tmp_path / "deadlines.yaml"
    deadlines.write_text(
        "deadlines:\n  - {id: atr-2024, title: ATRs on 2024 activities, due: 2026-06-30, remind_days_before: [7]}\n"
    )
    settings = link_settings.model_copy(deep=True)
    settings.jobs.secretariat_channel = "C0SECRET1"
    settings.jobs.maintainers_channel = "C0MAINTAIN"
    settings.jobs.nudge_delegates = True
    settings.atr.delegates = {"U0GBDELEG": ["GB"], "U0JPDELEG": ["JP"]}
    posts = Posts()
    rt = runtime.Runtime(settings, posts, load_deadlines(deadlines))  # type: ignore[arg-type]
    runtime.install(rt)
    store = AtrStore(settings.data_dir)
    site.serve("/jp.html", JPO_2024)
    site.serve("/gb.html", GB_TM)
    for office, ip_type, path in (("JP", "PI", "/jp.html"), ("GB", "TM", "/gb.html")):
        store.submit(Submission(office, ip_type, 2024, site.url(path, SITE_HOST)), "T", "U")
    yield rt, posts
    runtime.install(None)  # type: ignore[arg-type]


def test_the_nightly_reindex_reads_new_links_then_costs_one_conditional_request_each(jobs_runtime, site):
    rt, posts = jobs_runtime
    first = tasks.reindex()
    assert first.startswith("reindex: Index") and "is live" in first
    assert "ATR links: 2 checked — 0 unchanged, 2 read, 0 not working" in posts.to("C0MAINTAIN")[-1]
    built = live_name(rt.settings.index_root)
    requests = len(site.requests)

    second = tasks.reindex()
    assert "unchanged (nothing to do)" in second and live_name(rt.settings.index_root) == built
    assert "ATR links: 2 checked — 2 unchanged, 0 read, 0 not working" in posts.to("C0MAINTAIN")[-1]
    assert [(r.path, r.status) for r in site.requests[requests:]] == [("/gb.html", 304), ("/jp.html", 304)]
    assert all(r.headers.get("If-None-Match") for r in site.requests[requests:])


def test_breakages_reach_the_digest_once_and_the_delegates_reminder(jobs_runtime, site):
    rt, posts = jobs_runtime
    tasks.reindex()
    site.fail("/gb.html", 404)
    tasks.reindex()
    assert "1 not working: GB 2024 TM (the link returns 404)" in posts.to("C0MAINTAIN")[-1]

    assert tasks.digest(datetime(2026, 6, 10, 8, 0)) == "digest: posted (1 deadlines, 1 broken links)"
    today = date.today().isoformat()
    digest = posts.to("C0SECRET1")[-1]
    assert ":warning: ATR links that stopped working:" in digest
    assert f"• GB 2024 TM: the link returns 404 (since {today}) {site.url('/gb.html', SITE_HOST)}" in digest
    assert tasks.digest(datetime(2026, 6, 11, 8, 0)) == "digest: posted (1 deadlines)"  # listed once
    assert "stopped working" not in posts.to("C0SECRET1")[-1]

    tasks.reminders(datetime(2026, 6, 23, 9, 5))
    reminder = next(t for t in posts.to("C0SECRET1") if "due in 7 days" in t)
    assert "Submitted links that do not work (2024):\n• GB TM returns 404" in reminder
    [nudge] = posts.to("U0GBDELEG")
    assert "your 2024 TM link returns 404" in nudge and "a corrected link replaces the old one" in nudge
    assert posts.to("U0JPDELEG") == []  # nothing missing, its link works: no message


def test_a_fixed_link_is_a_new_breakage_again_only_when_it_breaks_again(jobs_runtime, site):
    rt, posts = jobs_runtime
    store = AtrStore(rt.settings.data_dir)
    [gb] = store.current(office="GB")
    site.fail("/gb.html", 503)
    read_and_index(rt.settings, gb)
    assert "1 broken links" in tasks.digest(datetime(2026, 6, 10, 8, 0))
    site.serve("/gb.html", GB_TM)
    assert read_and_index(rt.settings, gb).text.startswith("Read and indexed")
    site.fail("/gb.html", 503)
    read_and_index(rt.settings, gb)
    assert "1 broken links" in tasks.digest(datetime(2026, 6, 11, 8, 0))
    assert "the server fails (503; is the site down?)" in posts.to("C0SECRET1")[-1]
