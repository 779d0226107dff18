"""The App Home tab: upcoming deadlines and the coverage of this year's ATRs, published on opening.

Only the Home tab is drawn (the event also fires for the Messages tab). A failure is left
to bolt's listener error handler, which logs it with its traceback: there is no message
to answer, and the tab keeps its last published content.
"""

from __future__ import annotations

import logging

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.atr_access import AtrAccess
from bot.home_blocks import UNREADABLE, home_view
from config.errors import ConfigError

log = logging.getLogger(__name__)


def handle(event: dict, client: WebClient, context: BoltContext) -> None:
    if event.get("tab") != "home" or not event.get("user"):
        return
    access: AtrAccess = context["atr"]
    days = access.jobs.digest_days
    deadlines, problem = None, None
    try:
        deadlines = access.deadlines(days)
    except ConfigError as exc:
        log.warning("App Home: %s", exc)
        problem = UNREADABLE
    view = home_view(deadlines, access.today(), days, access.coverage(access.reporting_year), problem)
    client.views_publish(user_id=event["user"], view=view)
