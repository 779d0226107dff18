"""Global middleware: answer a redelivered event once, and hand listeners the `SlackResponder`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltContext, BoltRequest, BoltResponse

from bot.dedupe import EventDedupe
from bot.responder import SlackResponder

log = logging.getLogger(__name__)


def skip_redelivered(dedupe: EventDedupe) -> Callable[..., BoltResponse | None]:
    """A delivery whose `event_id` was already seen gets 200 (so Slack stops retrying) and nothing else.

    Runs after bolt's signature check, so a forged request can never mark an id as seen.
    """

    def skip_redelivered_events(body: dict, request: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id")
        if isinstance(event_id, str) and not dedupe.first_time(event_id):
            retry = request.headers.get("x-slack-retry-num", ["-"])[0]
            log.info("event %s delivered again (retry %s): acknowledged, not answered again", event_id, retry)
            return BoltResponse(status=200, body="")
        next()
        return None

    return skip_redelivered_events


def attach(responder: SlackResponder) -> Callable[..., None]:
    """Listener modules stay importable without an app: they find the `SlackResponder` in the context."""

    def attach_responder(context: BoltContext, next: Callable[[], None]) -> None:
        context["responder"] = responder
        next()

    return attach_responder
