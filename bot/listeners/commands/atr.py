"""`/atr`: submit an ATR link (form or one line), list an office's links, the secretariat's status.

Input is checked before the acknowledgement, so a bad field is answered at once and
nothing is stored. Permissions (which may need a user-group lookup), storing and the
confirmation happen after it, in `AtrAccess`'s background pool; replies go to the
command's response_url, so only the submitter sees them, in any conversation. After the
confirmation, the link is read and a follow-up says whether its report was indexed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from atr.errors import InvalidSubmission, NotAllowed
from atr.offices import normalize_office
from atr.permissions import HOW_TO_GET_ACCESS
from atr.report import Coverage
from bot.atr_access import AtrAccess
from bot.atr_blocks import (
    USAGE,
    confirmation,
    follow_up_message,
    help_message,
    list_message,
    rejected,
    status_message,
    submit_modal,
)
from bot.atr_chart import render
from bot.blocks import text_message, unescape, user_mention
from bot.responder import ResponseUrlReply

HELP_WORDS = {"help", "h", "?", "usage", "commands", "-h", "--help"}
_TOKEN = re.compile(r"<[^<>]*>|[^ ]+")  # a Slack-formatted <link|label> stays one token
_TWO_WORD_TYPES = {("industrial", "design"), ("industrial", "designs"), ("trade", "mark"), ("trade", "marks")}
CHART_NOT_POSTED = (
    "I could not post the chart in this conversation ({error}). Invite me with `/invite @CWS Assistant` "
    "or use `/atr status {year} chart` in a channel I am in."
)


def parse_submit(text: str) -> dict[str, str] | str:
    """`OFFICE TYPE YEAR URL [note]` → the fields; a usage message naming what is missing.

    Words are separated by spaces only: a tab or line break inside the link is the
    link's problem, reported as such, not silently taken as a separator.
    """
    tokens = [(m.group(), m.end()) for m in _TOKEN.finditer(text)]
    if len(tokens) >= 3 and (tokens[1][0].lower(), tokens[2][0].lower()) in _TWO_WORD_TYPES:
        tokens[1:3] = [(f"{tokens[1][0]} {tokens[2][0]}", tokens[2][1])]
    names = ["OFFICE", "TYPE", "YEAR", "URL"]
    if len(tokens) < len(names):
        missing = ", ".join(names[len(tokens) :])
        return f"Nothing was stored: missing {missing}. Usage: `{USAGE}` (`/atr help` shows an example)."
    (office, _), (ip_type, _), (year, _), (url, url_end) = tokens[:4]
    return {"office": office, "ip_type": ip_type, "year": year, "url": url, "note": text[url_end:].strip()}


def handle(ack: Callable[..., None], command: dict, client: WebClient, context: BoltContext) -> None:
    access: AtrAccess = context["atr"]
    text = unescape(command.get("text", "")).strip()
    verb, rest = (text.split(None, 1) + ["", ""])[:2]
    request = _Request(ack, access, command, client, ResponseUrlReply(command["response_url"], access.max_retries))
    verbs = {"submit": request.submit, "status": request.status, "list": request.list_links}
    if not text:
        ack()
        access.background.run(request.open_form, request.tell)
    elif verb.lower() in verbs:
        verbs[verb.lower()](rest)
    elif verb.lower() in HELP_WORDS:
        ack(**help_message(access.reporting_year))
    else:
        ack(**help_message(access.reporting_year, unknown=text))


@dataclass
class _Request:
    ack: Callable[..., None]
    access: AtrAccess
    command: dict
    client: WebClient
    reply: ResponseUrlReply

    @property
    def user_id(self) -> str:
        return self.command["user_id"]

    def tell(self, message: str) -> None:
        self.reply.post(text_message(message))

    def open_form(self) -> None:
        """The form, its office filled in for a delegate of exactly one office (no API call needed)."""
        offices = self.access.policy.offices_for(self.user_id)
        office = next(iter(offices)) if len(offices) == 1 else None
        view = submit_modal(self.access.reporting_year, self.command.get("channel_id"), office)
        self.client.views_open(trigger_id=self.command["trigger_id"], view=view)

    def submit(self, rest: str) -> None:
        fields = parse_submit(rest)
        if isinstance(fields, str):
            self.ack(**text_message(fields))
            return
        errors = self.access.field_errors(**fields)
        if errors:
            self.ack(**rejected(errors))
            return
        submission = self.access.validate(**fields)
        self.ack()

        def work() -> None:
            try:
                self.access.check_submit(self.user_id, submission.office, self.client)
            except NotAllowed as exc:
                self.tell(f"Nothing was stored. {exc}")
                return
            stored = self.access.store.submit(submission, self.command.get("team_id", ""), self.user_id)  # committed
            self.reply.post(confirmation(stored))
            self.access.read_later(stored, lambda follow: self.reply.post(follow_up_message(follow)), self.tell)

        self.access.background.submit(work, self.tell)

    def status(self, rest: str) -> None:
        words = rest.split()
        chart = any(w.lower() == "chart" for w in words)
        others = [w for w in words if w.lower() != "chart"]
        if len(others) > 1 or (others and not others[0].isdigit()):
            self.ack(**help_message(self.access.reporting_year, unknown=f"status {rest}"))
            return
        try:
            year = self.access.year(others[0]) if others else self.access.reporting_year
        except InvalidSubmission as exc:
            self.ack(**text_message(str(exc)))
            return
        self.ack()

        def work() -> None:
            try:
                self.access.check_secretariat(self.user_id, self.client, "see the ATR status")
            except NotAllowed as exc:
                self.tell(str(exc))
                return
            cov = self.access.coverage(year)
            self.reply.post(status_message(cov, self.access.link_health(year)))
            if chart:
                self.post_chart(cov)

        self.access.background.submit(work, self.tell)

    def post_chart(self, cov: Coverage) -> None:
        png = render(self.access.counts_by_year(), cov)
        try:
            self.client.files_upload_v2(
                channel=self.command.get("channel_id"),
                file=png,
                filename=f"atr-coverage-{cov.year}.png",
                title=f"ATR coverage, reports on {cov.year} activities",
                initial_comment=f"ATRs per reporting year by IP right, and {cov.year} by office "
                f"(requested by {user_mention(self.user_id) or 'the secretariat'}).",
            )
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error not in {"not_in_channel", "channel_not_found", "is_archived"}:
                raise
            self.tell(CHART_NOT_POSTED.format(error=error, year=cov.year))

    def list_links(self, rest: str) -> None:
        words = rest.split()
        if len(words) > 1:
            self.ack(**help_message(self.access.reporting_year, unknown=f"list {rest}"))
            return
        try:
            office = normalize_office(words[0]) if words else None
        except InvalidSubmission as exc:
            self.ack(**text_message(str(exc)))
            return
        self.ack()

        def work() -> None:
            secretariat, offices = self.access.role(self.user_id, self.client)
            if not secretariat and not offices:
                self.tell(f"Only ATR delegates and the CWS Secretariat can list ATR links. {HOW_TO_GET_ACCESS}")
                return
            chosen = [office] if office else sorted(offices)
            if not chosen:
                known = sorted({s.office for s in self.access.store.current()})
                self.tell(
                    "Name an office, e.g. `/atr list GB`."
                    + (f" Offices with links: {', '.join(known)}." if known else "")
                )
                return
            for code in chosen:
                self.reply.post(list_message(code, self.access.store.current(office=code)))

        self.access.background.submit(work, self.tell)
