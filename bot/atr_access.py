"""What the `/atr`, App Home and deadline listeners need, built once from the settings.

`AtrAccess` holds the ATR store, the access policy (read from `atr:` once, when the app
is created), the user-group cache, the configured clock (`jobs.timezone`) and a small
`BackgroundWork` pool for work that must not hold up Slack's acknowledgement; a failure
there is logged with its traceback and the user is told. Reading a submitted link (a
fetch of up to `atr.fetch.timeout_seconds`, then a rebuild of the index) has a pool of
its own, one link at a time, so `/atr` commands never wait behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from atr.followup import FollowUp, read_and_index
from atr.health import Health, link_health
from atr.links import LinkStore
from atr.permissions import AccessPolicy
from atr.report import TYPES, Coverage, coverage
from atr.store import AtrStore, StoredSubmission
from atr.validation import Submission, field_errors, normalize_year, validate
from bot.background import BackgroundWork
from bot.usergroups import UserGroups
from config.settings import Settings
from jobs.atr_nudges import expected_offices
from jobs.deadlines import Deadline, load_deadlines, upcoming

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong with that request. It has been logged for the maintainers; please try again later. "
    "A link is stored only when you see a confirmation (`/atr list OFFICE` shows what is stored)."
)
READING_SORRY = (
    "Your link is stored. Reading the report failed unexpectedly; this has been logged for the maintainers, "
    "and the link is read again tonight."
)
RETRY_HINT = "it is read again every night, and `/atr submit` with a corrected link replaces it."


def policy_from(settings: Settings) -> AccessPolicy:
    """Delegates (user or group id → offices) and the secretariat, as configured under `atr:`."""
    return AccessPolicy.from_settings(settings.atr.delegates, settings.atr.secretariat)


@dataclass
class PrivateReply:
    """A message only `user_id` sees: ephemeral in `channel`, else (no channel, or not allowed there) a DM."""

    client: WebClient
    channel: str | None
    user_id: str

    def post(self, message: dict) -> None:
        if self.channel:
            try:
                self.client.chat_postEphemeral(channel=self.channel, user=self.user_id, **message)
                return
            except SlackApiError as exc:  # e.g. not_in_channel: the bot was never invited there
                log.info(
                    "could not post privately in %s (%s): sending a direct message",
                    self.channel,
                    exc.response.get("error"),
                )
        self.client.chat_postMessage(channel=self.user_id, unfurl_links=False, unfurl_media=False, **message)


class AtrAccess:
    def __init__(self, settings: Settings, *, workers: int = 4) -> None:
        self.atr = settings.atr
        self.jobs = settings.jobs
        self.max_retries = settings.slack.max_retries
        self.zone = ZoneInfo(settings.jobs.timezone)
        self.store = AtrStore(settings.data_dir)
        self.policy = policy_from(settings)
        self.groups = UserGroups(self.policy.group_ids)
        self.background = BackgroundWork("cws-atr", workers, SORRY, "ATR request failed")
        self.settings = settings
        self.links = LinkStore(settings.data_dir)
        self.reading = BackgroundWork("cws-atr-links", 1, READING_SORRY, "reading a submitted ATR link failed")

    # --- time: "this year" is the configured zone's ---------------------------------------

    def today(self) -> date:
        return datetime.now(self.zone).date()

    @property
    def current_year(self) -> int:
        return self.today().year

    @property
    def reporting_year(self) -> int:
        """The year whose activities this year's ATRs report on."""
        return self.current_year - 1

    def year(self, raw: str) -> int:
        """A reporting year typed by a user, checked like a submission's (InvalidSubmission)."""
        return normalize_year(raw, self.current_year, self.atr.first_year)

    # --- validation and permissions --------------------------------------------------------

    def _rules(self) -> dict[str, Any]:
        """What a submission is checked against: the years open now and whether http is allowed."""
        return {"current_year": self.current_year, "first_year": self.atr.first_year, "allow_http": self.atr.allow_http}

    def field_errors(self, office: str, ip_type: str, year: str, url: str, note: str) -> dict[str, str]:
        return field_errors(office, ip_type, year, url, note, **self._rules())

    def validate(self, office: str, ip_type: str, year: str, url: str, note: str) -> Submission:
        return validate(office, ip_type, year, url, note, **self._rules())

    def group_ids(self, user_id: str, client: WebClient) -> set[str]:
        return self.groups.of(user_id, client)

    def check_submit(self, user_id: str, office: str, client: WebClient) -> None:
        """NotAllowed unless `user_id` is the secretariat or a delegate of `office` (directly or by group)."""
        self.policy.check_submit(user_id, office, self.group_ids(user_id, client))

    def check_secretariat(self, user_id: str, client: WebClient, action: str) -> None:
        self.policy.check_secretariat(user_id, self.group_ids(user_id, client), action)

    def role(self, user_id: str, client: WebClient) -> tuple[bool, set[str]]:
        """(is secretariat, offices delegated to the user)."""
        groups = self.group_ids(user_id, client)
        return self.policy.is_secretariat(user_id, groups), self.policy.offices_for(user_id, groups)

    # --- reports --------------------------------------------------------------------------

    def coverage(self, year: int) -> Coverage:
        expected = expected_offices(self.store, year, self.atr.expected_offices)
        return coverage(self.store.current(year), year, expected)

    def counts_by_year(self) -> dict[int, dict[str, int]]:
        """ATRs per reporting year and IP right, over every year in the database."""
        counts: dict[int, dict[str, int]] = {}
        for s in self.store.current():
            counts.setdefault(s.year, dict.fromkeys(TYPES, 0))[s.ip_type] += 1
        return dict(sorted(counts.items()))

    def link_health(self, year: int) -> Health:
        """Which of the year's current links were read and which do not work (`/atr status`)."""
        return link_health(self.store, self.links, self.today(), self.atr.stale_after_days, year=year)

    def read_later(
        self, stored: StoredSubmission, report: Callable[[FollowUp], object], tell: Callable[[str], object]
    ) -> Future:
        """After the confirmation: read the link just stored, index its report, and `report` what happened
        ("34 passages", or why not); `tell` reaches the user if that fails unexpectedly."""
        return self.reading.submit(lambda: report(read_and_index(self.settings, stored, retry_hint=RETRY_HINT)), tell)

    def deadlines(self, days: int | None = None) -> list[Deadline] | None:
        """Upcoming deadlines (within `days`), None when no deadlines file is configured.

        The file is read on each request, so an edit shows at once; ConfigError if it is broken.
        """
        path = self.jobs.deadlines_file
        if path is None:
            return None
        return upcoming(load_deadlines(path), self.today(), days)


def attach_atr(access: AtrAccess) -> Callable[..., None]:
    """Listeners find `AtrAccess` in the context, as they find the `SlackResponder`."""

    def attach_atr_access(context: BoltContext, next: Callable[[], None]) -> None:
        context["atr"] = access
        next()

    return attach_atr_access
