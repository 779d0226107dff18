"""`/cws`, "Share in channel" and the 👍 / 👎 buttons, end to end over real HTTP."""

from __future__ import annotations

import json

from click.testing import CliRunner

from bot.feedback import FeedbackStore
from cws.cli import cli
from tests.slack.signing import load_payload


def _command(bot, text: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    fields = load_payload("command_cws.json", bot.fake.hooks_url)
    if text is not None:
        fields["text"] = text
    return fields


def _ask_privately(bot) -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    """Ask with /cws; the ephemeral answer and the answer id its buttons carry."""
    response = bot.command(_command(bot))
    assert response.status == 200
    [answer] = bot.fake.wait_for("response_url")
    [answer_id] = {e["value"] for b in answer.blocks if b["type"] == "actions" for e in b["elements"]}
    return answer.params, answer_id


def test_slash_command_answers_privately_with_a_share_button(bot):
    response = bot.command(_command(bot))
    assert response.status == 200
    assert "Looking that up" in response.json()["text"]  # the immediate ack, only the asker sees it

    [call] = bot.fake.wait_for("response_url")
    assert call.path.startswith("/hooks/commands/T0CWSTEAM/")
    assert call.params["response_type"] == "ephemeral"
    assert call.params["replace_original"] is True
    assert "July 1, 2027" in call.params["text"]
    buttons = [e["action_id"] for b in call.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["vote_up", "vote_down", "share_answer"]
    assert bot.fake.calls_to("chat.postMessage") == []  # nothing public until shared


def test_slash_help_lists_what_the_bot_does(bot):
    for text in ["help", "", "  HELP  ", "--help"]:
        response = bot.command(_command(bot, text))
        assert response.status == 200
        body = json.dumps(response.json(), ensure_ascii=False)
        assert "/cws help" in body and "Share in channel" in body and "direct message" in body
    assert [c.method for c in bot.fake.calls] == ["auth.test"]


def test_slash_with_unknown_words_shows_help_not_an_error(bot):
    response = bot.command(_command(bot, "--frobnicate"))
    assert response.status == 200
    assert "did not understand" in response.body.decode()

    assert bot.command(_command(bot, "xyzzy")).status == 200
    [call] = bot.fake.wait_for("response_url")
    assert "did not understand" in json.dumps(call.blocks) and "/cws help" in json.dumps(call.blocks)


def test_echoed_question_cannot_ping_or_link(bot):
    response = bot.command(_command(bot, "<!channel> <@U0BOB> <https://evil.example|click> & ST.92?"))
    body = response.body.decode()
    assert "<!channel>" not in body and "<@U0BOB>" not in body and "<https://evil" not in body
    assert "&lt;!channel&gt;" in json.loads(body)["text"]
    bot.fake.wait_for("response_url")


def test_share_in_channel_posts_the_answer_for_everyone(bot):
    _, answer_id = _ask_privately(bot)
    click = load_payload("action_share.json", bot.fake.hooks_url, ANSWER_ID=answer_id)
    response = bot.action(click)
    assert response.status == 200 and response.elapsed < 1

    shared, deleted = bot.fake.wait_for("response_url", 3)[1:]
    assert shared.path.startswith("/hooks/actions/")
    assert shared.params["response_type"] == "in_channel"
    assert "July 1, 2027" in shared.params["text"]
    assert "Shared by <@U0ALICE>" in json.dumps(shared.blocks)
    assert "share_answer" not in json.dumps(shared.blocks)
    assert deleted.params == {"delete_original": True}


def test_votes_are_recorded_and_exported(bot, monkeypatch):
    _, answer_id = _ask_privately(bot)
    bot.action(load_payload("action_vote_down.json", bot.fake.hooks_url, ANSWER_ID=answer_id))
    bot.fake.wait_for("response_url", 2)
    response = bot.action(load_payload("action_vote_up.json", bot.fake.hooks_url, ANSWER_ID=answer_id))
    assert response.status == 200
    thanks = bot.fake.wait_for("response_url", 3)[2]
    assert thanks.params["response_type"] == "ephemeral" and "👍" in thanks.params["text"]

    [row] = FeedbackStore(bot.settings.data_dir).rows()  # voting again changed the vote
    assert row["vote"] == "up" and row["user_id"] == "U0ALICE"
    assert row["question"] == "When does the ST.92 sunset period end?"
    assert "July 1, 2027" in row["answer"]
    assert row["sources"][0]["citation"] == "WO/GA/58/9, para. 10"
    assert row["voted_at"].endswith("+00:00")

    monkeypatch.setenv("CWS_DATA_DIR", str(bot.settings.data_dir))
    monkeypatch.delenv("CWS_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["feedback", "export", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["answer_id"] == answer_id
    result = CliRunner().invoke(cli, ["feedback", "export", "--format", "csv"])
    header, line = result.output.splitlines()
    assert header == "voted_at,user_id,vote,question,answer,sources,answer_id,channel"
    assert "U0ALICE,up,When does the ST.92 sunset period end?" in line and "WO/GA/58/9, para. 10" in line


def test_button_on_a_forgotten_answer_says_so(bot):
    bot.action(load_payload("action_vote_up.json", bot.fake.hooks_url, ANSWER_ID="0" * 32))
    [call] = bot.fake.wait_for("response_url")
    assert "no longer have that answer" in call.params["text"]  # said after the vote was looked up and refused
    assert FeedbackStore(bot.settings.data_dir).rows() == []


def test_a_refusal_shows_the_closest_passages_and_is_recorded_as_a_gap(bot):
    from answering.gaps import GapLog

    question = "What did the Committee decide about WIPO Standard ST.3000?"
    assert bot.command(_command(bot, question)).status == 200
    [call] = bot.fake.wait_for("response_url")
    body = json.dumps(call.blocks, ensure_ascii=False)
    assert call.params["text"].startswith("The CWS documents I have do not say")
    assert "Closest passages, not an answer" in body
    assert not [b for b in call.blocks if b["type"] == "actions"]  # nothing to vote on or share
    [gap] = GapLog(bot.settings.data_dir).top()
    assert gap.question == question and gap.refused == 1 and gap.channel_kinds == ("command",)


def test_a_thumbs_down_is_recorded_as_a_gap(bot):
    from answering.gaps import GapLog

    _, answer_id = _ask_privately(bot)
    bot.action(load_payload("action_vote_down.json", bot.fake.hooks_url, ANSWER_ID=answer_id))
    bot.fake.wait_for("response_url", 2)
    [gap] = GapLog(bot.settings.data_dir).top()
    assert gap.question == "When does the ST.92 sunset period end?" and gap.thumbs_down == 1
    assert gap.closest == "WO/GA/58/9, para. 10"
