"""Block Kit rendering: escaping, defanging, links and Slack's limits."""

from __future__ import annotations

import json
import re

import pytest

from answering.engine import Answer, Source
from bot.blocks import (
    MAX_BLOCKS,
    MAX_SECTION_CHARS,
    answer_message,
    escape,
    help_message,
    safe_url,
    text_message,
    truncate,
)


def source(n: int = 1, **changes) -> Source:  # type: ignore[no-untyped-def]
    fields = dict(
        doc_id=f"doc{n}",
        title="Report of the twelfth session",
        symbol="CWS/12/25",
        paragraph="10",
        citation="CWS/12/25, para. 10",
        text="The Committee adopted ST.92.",
        snippet="The Committee adopted **ST.92**.",
        score=0.5,
        url="https://www.wipo.int/meetings/en/doc_details.jsp?doc_id=1&x=2",
    )
    return Source(**(fields | changes))


def answer(
    text: str = "The sunset period ends on July 1, 2027.", sources: list[Source] | None = None, **changes
) -> Answer:  # type: ignore[no-untyped-def]
    return Answer(
        **(dict(question="q", text=text, found=True, sources=[source()] if sources is None else sources) | changes)
    )


def rendered(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False)


def texts(message: dict) -> list[str]:
    """Every mrkdwn/plain text Slack will parse, and the fallback."""
    found = [message["text"]]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message["blocks"])
    return found


HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S123>",
    "<!subteam^S123|@task-force>",
    "<@U123>",
    "<@U123|bob>",
    "<#C123>",
    "<https://evil.example|ST.26>",
    "<!date^1392734382^{date}|x>",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_escape_defangs_mentions_and_links(hostile):
    out = escape(f"before {hostile} after")
    assert "<" not in out and ">" not in out
    assert out.startswith("before &lt;") and out.endswith("&gt; after")


@pytest.mark.parametrize("broadcast", ["@channel", "@here", "@everyone", "@Channel"])
def test_bare_broadcasts_are_defanged(broadcast):
    assert broadcast not in escape(f"ping {broadcast} now")


def test_ampersand_is_escaped_once():
    assert escape("R&D <b> & more") == "R&amp;D &lt;b&gt; &amp; more"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_hostile_text_survives_in_any_part_of_an_answer(hostile):
    evil = source(
        title=f"Title {hostile}",
        citation=f"CWS/12/25 {hostile}",
        snippet=f"**ST.92** {hostile}",
        text=hostile,
        url=f"https://x.example/{hostile}",
    )
    message = answer_message(
        answer(text=f"Answer {hostile}", sources=[evil], did_you_mean=f"meant {hostile}"),
        answer_id="abc",
        follow_up_to=f"earlier {hostile}",
        shareable=True,
    )
    for text in texts(message):
        # Our own link syntax (around an encoded http(s) URL) and quote marks are the only <, > allowed.
        stripped = re.sub(r"(?m)<https?://[^<>|\s]+\|[^<>]*>|^>", "", text)
        assert "<" not in stripped and ">" not in stripped, text


def test_citation_is_linked_when_the_url_is_safe():
    message = answer_message(answer())
    block = message["blocks"][1]["text"]["text"]
    assert block.startswith(
        "*<https://www.wipo.int/meetings/en/doc_details.jsp?doc_id=1&amp;x=2|CWS/12/25, para. 10>* — Report"
    )
    assert "\n>The Committee adopted *ST.92*." in block  # the snippet's matched word in Slack bold, quoted


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "ftp://x.example/a", "https:///nohost", "", None]
)
def test_unsafe_urls_are_not_linked(url):
    assert safe_url(url) is None
    message = answer_message(answer(sources=[source(url=url)]))
    assert "<" not in message["blocks"][1]["text"]["text"]


def test_url_cannot_break_out_of_the_link():
    url = safe_url('https://x.example/a b|c>d<e"f')
    assert url is not None and not set(url) & set(' |<>"')


def test_records_without_a_symbol_show_the_citation_alone():
    record = source(symbol=None, title="WIPO Standard ST.92", citation="WIPO Standard ST.92, para. 1", url=None)
    message = answer_message(answer(sources=[record]))
    assert message["blocks"][1]["text"]["text"].startswith("*WIPO Standard ST.92, para. 1*\n>")


def test_sources_are_capped_by_max_sources():
    message = answer_message(answer(sources=[source(n) for n in range(10)]), max_sources=3, answer_id="a")
    assert [b["type"] for b in message["blocks"]] == ["section", "section", "section", "section", "actions"]


def test_huge_answers_stay_within_slack_limits():
    huge_text = "The Committee & its <members> agreed. " * 500
    sources = [
        source(n, title="T & <t> " * 300, snippet="**word** & " * 2000, citation="C & " * 100) for n in range(200)
    ]
    message = answer_message(
        answer(text=huge_text, sources=sources, did_you_mean="x & " * 2000),
        answer_id="a" * 32,
        max_sources=500,
        shareable=True,
        follow_up_to="y " * 3000,
    )
    blocks = message["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"  # the buttons are never the ones cut
    assert len(message["text"]) <= 3000
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_CHARS
        for element in block.get("elements", []):
            assert len(element["text"] if isinstance(element["text"], str) else element["text"]["text"]) <= 3000
    assert not re.search(r"&[a-z]{0,4}…", rendered(message))  # no entity cut in half


def test_truncate_never_splits_an_entity():
    assert truncate("a" * 10, 20) == "a" * 10
    assert truncate("ab &amp; cd", 6) == "ab …"
    assert len(truncate("x" * 5000, 3000)) == 3000


def test_nothing_found_says_so_without_sources_or_buttons():
    message = answer_message(
        answer(text="I could not find anything relevant.", found=False, sources=[source()]), answer_id="a"
    )
    assert [b["type"] for b in message["blocks"]] == ["section"]


def test_help_lists_every_way_to_ask():
    text = rendered(help_message())
    for expected in ["@CWS Assistant", "direct message", "/cws", "/cws help", "Share in channel", "👍", "ST.26"]:
        assert expected in text


def test_text_messages_are_escaped():
    assert "<!here>" not in rendered(text_message("<!here> hi"))
