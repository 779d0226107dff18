"""The App Home tab (deadlines, this year's ATR coverage) and `/cws deadlines`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from atr.store import AtrStore
from atr.validation import Submission
from tests.slack.conftest import ATR_SETTINGS
from tests.slack.signing import load_payload

TODAY = datetime.now(UTC).date()  # the bot's clock: jobs.timezone is UTC in the tests
YEAR = TODAY.year - 1


def deadlines_file(tmp_path: Path) -> Path:
    def entry(id_: str, title: str, due: date, link: str | None = None) -> str:
        return f'  - id: {id_}\n    title: "{title}"\n    due: {due:%Y-%m-%d}\n' + (
            f"    link: {link}\n" if link else ""
        )

    path = tmp_path / "deadlines.yaml"
    path.write_text(
        "deadlines:\n"
        + "".join(
            [
                entry(
                    f"atr-{YEAR}",
                    f"ATR submissions on {YEAR} activities",
                    TODAY + timedelta(days=10),
                    "https://www3.wipo.int/confluence/display/ATR/Browse+by+Year",
                ),
                entry("cws-docs", "Working documents <for> CWS/14 & @channel", TODAY + timedelta(days=1)),
                entry("far-away", "Something much later", TODAY + timedelta(days=200)),
                entry("gone", "Already past", TODAY - timedelta(days=1)),
            ]
        ),
        encoding="utf-8",
    )
    return path


def home_event(user: str = "U0ALICE", tab: str = "home", event_id: str = "Ev0HOMEOPEN1") -> dict:
    payload = load_payload("event_app_home_opened.json")
    payload["event"] |= {"user": user, "tab": tab}
    return payload | {"event_id": event_id}


def published_text(call) -> str:  # type: ignore[no-untyped-def]
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_the_home_tab_shows_upcoming_deadlines_and_the_coverage(start_bot, tmp_path):
    bot = start_bot(atr=ATR_SETTINGS, jobs={"deadlines_file": deadlines_file(tmp_path), "digest_days": 30})
    store = AtrStore(bot.settings.data_dir)
    store.submit(Submission("GB", "PI", YEAR, "https://www.ipo.gov.uk/atr-pi"), "T0CWSTEAM", "U0DELEGGB")
    store.submit(Submission("GB", "TM", YEAR, "https://www.ipo.gov.uk/atr-tm"), "T0CWSTEAM", "U0DELEGGB")
    store.submit(Submission("FR", "ID", YEAR, "https://www.inpi.fr/atr-id"), "T0CWSTEAM", "U0SECRET")

    response = bot.event(home_event())
    assert response.status == 200 and response.elapsed < 1
    [call] = bot.fake.wait_for("views.publish")
    assert call.params["user_id"] == "U0ALICE"
    shown = published_text(call)

    assert "Upcoming deadlines (next 30 days)" in shown
    tomorrow = f"*{TODAY + timedelta(days=1):%Y-%m-%d}* (tomorrow)"
    assert f"{tomorrow} — Working documents &lt;for&gt; CWS/14 &amp; @\u200bchannel" in shown  # escaped, defanged
    assert f"(in 10 days) — ATR submissions on {YEAR} activities" in shown
    assert shown.index("CWS/14") < shown.index(f"ATR submissions on {YEAR}")  # soonest first
    assert "<https://www3.wipo.int/confluence/display/ATR/Browse+by+Year|" in shown
    assert "Something much later" not in shown and "Already past" not in shown

    assert f"ATR coverage: reports on {YEAR} activities" in shown
    assert f"The ATRs sent in {YEAR + 1} report on the activities of {YEAR}" in shown
    assert "```" in shown and "GB" in shown and "FR" in shown
    assert (
        "*Patent Information:* 1 · *Trademark Information:* 1 · *Industrial Designs Information:* 1"
        " — 3 ATRs from 2 offices"
    ) in shown


def test_without_a_deadlines_file_the_home_tab_says_how_to_configure_one(bot):
    bot.event(home_event())
    shown = published_text(bot.fake.wait_for("views.publish")[0])
    assert "jobs.deadlines_file" in shown and "config/deadlines.example.yaml" in shown
    assert "0 ATRs from 0 offices" in shown


def test_only_the_home_tab_is_drawn(bot):
    bot.event(home_event(user="U0BOB", tab="messages", event_id="Ev0HOMEMSGS1"))
    bot.event(home_event(user="U0ALICE"))
    bot.fake.wait_for("views.publish")
    assert [c.params["user_id"] for c in bot.fake.calls_to("views.publish")] == ["U0ALICE"]


def cws(bot, text: str):  # type: ignore[no-untyped-def]
    return bot.command(load_payload("command_cws.json", bot.fake.hooks_url) | {"text": text})


def test_cws_deadlines_lists_every_upcoming_deadline(start_bot, tmp_path):
    bot = start_bot(jobs={"deadlines_file": deadlines_file(tmp_path)})
    for text in ["deadlines", "Deadline"]:
        response = cws(bot, text)
        assert response.status == 200
        shown = json.dumps(response.json(), ensure_ascii=False)
        assert "*Upcoming deadlines*" in shown
        assert shown.index("CWS/14") < shown.index(f"ATR submissions on {YEAR}") < shown.index("Something much later")
        assert "Already past" not in shown
        assert "@channel" not in shown  # defanged
    assert bot.fake.calls_to("response_url") == []  # answered at once: not a search


def test_cws_deadlines_without_a_file_says_how_to_configure_one(bot):
    assert "jobs.deadlines_file" in json.dumps(cws(bot, "deadlines").json())


def test_cws_deadlines_with_a_broken_file_says_so(start_bot, tmp_path, caplog):
    broken = tmp_path / "broken.yaml"
    broken.write_text("deadlines:\n  - id: BAD ID\n    title: x\n    due: soon\n", encoding="utf-8")
    bot = start_bot(jobs={"deadlines_file": broken})
    assert "could not be read" in json.dumps(cws(bot, "deadlines").json())
    assert "broken.yaml" in caplog.text  # the maintainers see which file and entry


def test_cws_help_mentions_deadlines_and_atr(bot):
    shown = json.dumps(cws(bot, "help").json())
    assert "/cws deadlines" in shown and "/atr" in shown
