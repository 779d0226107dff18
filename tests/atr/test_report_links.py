"""The whole path against an office's site on 127.0.0.1: submit → fetch → index → ask → an answer citing the
report; a change → re-indexed; unchanged → one conditional request, no re-embedding; 404 → a broken link
reported and the report dropped; server down → the last copy kept, marked, then called stale; a replaced link
drops the old report. Through the command line, as the secretariat uses it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from click.testing import CliRunner

from atr.fetcher import ReportFetcher
from atr.followup import rebuild
from atr.links import LinkStore
from atr.store import AtrStore
from cws.cli import cli
from index.layout import live_name
from index.sources import indexed_documents, resolve_sources
from tests.atr.conftest import JPO_2024, JPO_2024_REVISED, SITE_HOST

QUESTION = "What did the Japan Patent Office report about AI tools in its 2024 patent ATR?"
DOC = "atr-JP-PI-2024-html/report.html"


def cws(settings, *args):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        cli, ["--config", str(settings.config_path), *args], env={"CWS_CORPUS_DIRS": ""}, catch_exceptions=False
    )
    assert "Traceback" not in result.output
    return result


def ask(settings, *args):  # type: ignore[no-untyped-def]
    result = cws(settings, "ask", "--json", *args, QUESTION)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_submit_reads_indexes_and_the_answer_cites_the_report(link_settings, site, memo_model):
    site.serve("/atr/2024/pi.html", JPO_2024)
    url = site.url("/atr/2024/pi.html", SITE_HOST)
    submitted = cws(link_settings, "atr", "submit", "JP", "PI", "2024", url)
    assert submitted.exit_code == 0, submitted.output
    assert "Stored — the ATR on 2024 activities (version 1)" in submitted.output
    assert f"Read and indexed the report at {url}: 3 passages, cited as ATR/PI 2024, Japan (JP)." in submitted.output

    answer = ask(link_settings)
    assert "AI-based prior art search tool" in answer["answer"]
    first = answer["sources"][0]
    assert first["citation"] == "ATR/PI 2024, Japan (JP), section 2. Use of AI tools, para. 2"
    assert first["url"] == url and first["doc_id"] == DOC

    narrowed = ask(link_settings, "--office", "jp", "--year", "2024")
    assert narrowed["sources"] and {s["doc_id"] for s in narrowed["sources"]} == {DOC}
    other = ask(link_settings, "--office", "GB")
    assert other["found"] is False and other["sources"] == []
    assert any(s.path.name == "atr-JP-PI-2024-html" for s in resolve_sources(link_settings))

    link = LinkStore(link_settings.data_dir).get(("JP", "PI", 2024))
    assert (link.state, link.http_status, link.kind, link.final_url) == ("indexed", 200, "html", url)
    assert link.etag and link.content_hash and link.fetched_at and link.passages == 3


def test_unchanged_costs_one_conditional_request_and_a_change_is_reindexed(link_settings, site, memo_model):
    site.serve("/pi.html", JPO_2024)
    cws(link_settings, "atr", "submit", "JP", "PI", "2024", site.url("/pi.html", SITE_HOST))
    before = live_name(link_settings.index_root)

    again = cws(link_settings, "atr", "fetch", "--office", "JP")
    assert "2024  JP  PI  unchanged" in again.output and "Nothing changed: the index stays as it is." in again.output
    last = site.requests_for("/pi.html")[-1]
    assert last.status == 304 and last.headers["If-None-Match"]
    assert live_name(link_settings.index_root) == before  # no build, nothing re-embedded

    site.serve("/pi.html", JPO_2024_REVISED)
    changed = cws(link_settings, "atr", "fetch", "--year", "2024")
    assert "2024  JP  PI  read: 3 passages" in changed.output and "1 changed" in changed.output
    assert "generative AI assistant" in json.dumps(ask(link_settings, "--office", "JP"))
    assert [c["outcome"] for c in LinkStore(link_settings.data_dir).checks(("JP", "PI", 2024))] == [
        "read",
        "unchanged",
        "read",
    ]


def test_a_404_is_a_broken_link_reported_and_the_report_leaves_the_index(link_settings, site, memo_model):
    site.serve("/pi.html", JPO_2024)
    cws(link_settings, "atr", "submit", "JP", "PI", "2024", site.url("/pi.html", SITE_HOST))
    site.fail("/pi.html", 404)
    fetched = cws(link_settings, "atr", "fetch")
    today = date.today().isoformat()
    assert f"2024  JP  PI  broken since {today}: the link returns 404" in fetched.output
    assert DOC not in {d.doc_id for d in indexed_documents(link_settings)}
    status = cws(link_settings, "atr", "status", "--year", "2024")
    assert f"JP 2024 PI: broken since {today}: the link returns 404" in status.output
    assert "Links read and indexed: 0 of 1" in status.output
    assert [s.url for s in AtrStore(link_settings.data_dir).current()] == [site.url("/pi.html", SITE_HOST)]


def test_a_site_that_is_down_keeps_the_last_copy_marked_then_stale(link_settings, site, memo_model):
    site.serve("/pi.html", JPO_2024)
    cws(link_settings, "atr", "submit", "JP", "PI", "2024", site.url("/pi.html", SITE_HOST))
    read_on = date.today().isoformat()
    site.stop()
    down = cws(link_settings, "atr", "fetch")
    assert f"failing since {read_on}: the server {SITE_HOST} refuses connections" in down.output
    assert f"the copy read {read_on} stays indexed" in down.output
    answer = ask(link_settings)
    assert "AI-based prior art search tool" in answer["answer"]
    assert answer["sources"][0]["citation"].endswith(f"(read {read_on}; link failing since {read_on})")

    later = ReportFetcher(link_settings, today=lambda: date.today() + timedelta(days=11))  # past stale_after_days
    [check] = later.check_all()
    assert check.index_changed and check.record.state == "failing"
    rebuild(link_settings)
    cited = ask(link_settings)["sources"][0]["citation"]
    assert cited.endswith(f"(stale copy: read {read_on}; link failing since {read_on})")
    status = cws(link_settings, "atr", "status", "--year", "2024")
    assert "is still indexed" in status.output


def test_a_replaced_link_drops_the_old_report(link_settings, site, memo_model):
    site.serve("/old.html", JPO_2024)
    site.serve("/new.html", JPO_2024_REVISED.replace("Use of AI tools", "Artificial intelligence"))
    cws(link_settings, "atr", "submit", "JP", "PI", "2024", site.url("/old.html", SITE_HOST))
    replaced = cws(link_settings, "atr", "submit", "JP", "PI", "2024", site.url("/new.html", SITE_HOST))
    assert "replaced: " in replaced.output and "Read and indexed" in replaced.output
    answer = ask(link_settings, "--office", "JP")
    assert all(
        "Artificial intelligence" in s["citation"] or "Use of AI" not in s["citation"] for s in answer["sources"]
    )
    assert {s["url"] for s in answer["sources"]} == {site.url("/new.html", SITE_HOST)}
