"""The `/atr` form submitted: problems shown on their fields; else stored, closed, confirmed privately.

Everything up to the commit happens before the acknowledgement, because Slack shows a
field error (a bad code, an office the user may not submit for) only in the response to
the submission itself. The confirmation follows once the form has closed: ephemeral in
the channel the form was opened from, or a direct message; then, the same way, whether
the link's report was read and indexed.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext
from slack_sdk import WebClient

from atr.errors import NotAllowed
from bot.atr_access import AtrAccess, PrivateReply
from bot.atr_blocks import channel_of, confirmation, follow_up_message, form_values, problem_modal
from bot.blocks import text_message

CHOOSE_TYPE = "Choose the IP right: patent, trademark or industrial design."


def handle(ack: Callable[..., None], body: dict, view: dict, client: WebClient, context: BoltContext) -> None:
    access: AtrAccess = context["atr"]
    user_id = body["user"]["id"]
    team_id = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
    reply = PrivateReply(client, channel_of(view), user_id)
    closed = False

    def tell(message: str) -> None:
        if closed:
            reply.post(text_message(message))
        else:
            ack(response_action="update", view=problem_modal(message))

    def work() -> None:
        nonlocal closed
        fields = form_values(view)
        errors = access.field_errors(**fields)
        if not fields["ip_type"]:
            errors["type"] = CHOOSE_TYPE
        if errors:
            ack(response_action="errors", errors=errors)  # the form stays open, each message on its field
            return
        submission = access.validate(**fields)
        try:
            access.check_submit(user_id, submission.office, client)
        except NotAllowed as exc:
            ack(response_action="errors", errors={"office": str(exc)})
            return
        stored = access.store.submit(submission, team_id, user_id)  # committed when it returns
        ack()
        closed = True
        reply.post(confirmation(stored))
        access.read_later(stored, lambda follow: reply.post(follow_up_message(follow)), tell)

    access.background.run(work, tell)
