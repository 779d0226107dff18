"""Global middleware: each Slack request handled once, and listeners handed the `SlackResponder`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltContext, BoltRequest, BoltResponse

from bot.dedupe import EventDedupe
from bot.responder import SlackResponder

log = logging.getLogger(__name__)

REQUEST_KEY = "request_key"  # set by the HTTP server (`inbound.request_key`): names one signed request


def skip_redelivered(dedupe: EventDedupe) -> Callable[..., BoltResponse | None]:
    """A request seen before gets 200 (so Slack stops retrying) and nothing else.

    Events are known by their `event_id`, which Slack keeps when it redelivers one. Slash
    commands and clicks have none, and Slack never sends one twice, so the same signed bytes
    arriving again within the 5 minutes a signature is valid are a replay: known by the
    server's key of the signed request, they store no second ATR submission and ask nothing
    twice. Runs after the signature check, so a forged request can never mark anything as seen.
    """

    def skip_redelivered_events(
        body: dict, request: BoltRequest, context: BoltContext, next: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id")
        if isinstance(event_id, str) and body.get("type") == "event_callback":
            if not dedupe.first_time(event_id):
                retry = request.headers.get("x-slack-retry-num", ["-"])[0]
                log.info("event %s delivered again (retry %s): acknowledged, not answered again", event_id, retry)
                return BoltResponse(status=200, body="")
        elif isinstance(key := context.get(REQUEST_KEY), str) and not dedupe.first_time(key):
            log.warning(
                "a signed %s request arrived a second time (a replay): acknowledged, not handled again",
                body.get("command") or body.get("type") or "Slack",
            )
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
