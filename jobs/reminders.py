"""Deadline reminders: each (deadline, days before, channel) posted exactly once, ever.

A reminder is due at `remind_at` local time on its day. The job posts every reminder that is due and not
yet recorded (jobs.posting.send_once: a crash or a lost reply is resolved by looking in the channel, never
by guessing); one due longer ago than the grace window (the process was down) is recorded as missed and
reported once instead of being sent late.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jobs.deadlines import Deadline
from jobs.ledger import BUSY, FAILED, MISSED, SENT, UNCONFIRMED
from jobs.posting import CONFIRMED, UNCHECKED, PlainPoster, send_once

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueReminder:
    deadline: Deadline
    offset: int  # days before the deadline
    channel: str
    at: datetime  # when it was due, aware

    @property
    def key(self) -> str:
        return f"reminder:{self.deadline.id}:{self.offset}:{self.channel}"


@dataclass
class RunReport:
    sent: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)  # posted by an earlier attempt that did not record it
    unconfirmed: list[str] = field(default_factory=list)  # Slack may have them: the next run looks first
    unchecked: list[str] = field(default_factory=list)  # may have been posted; the channel cannot be read back
    busy: list[str] = field(default_factory=list)  # another live process is posting them
    skipped: int = 0
    dry_run: bool = False

    def add(self, outcome: str, key: str) -> None:
        lists = {
            SENT: self.sent,
            MISSED: self.missed,
            FAILED: self.failed,
            CONFIRMED: self.confirmed,
            UNCONFIRMED: self.unconfirmed,
            UNCHECKED: self.unchecked,
            BUSY: self.busy,
        }
        if outcome in lists:
            lists[outcome].append(key)
        else:
            self.skipped += 1

    def summary(self) -> str:
        if self.dry_run:
            text = (
                f"dry run (no SLACK_BOT_TOKEN), nothing posted or recorded: {len(self.sent)} to send, "
                f"{len(self.missed)} to record as missed, {self.skipped} already done"
            )
        else:
            text = (
                f"{len(self.sent)} sent, {len(self.missed)} missed, {len(self.failed)} failed, "
                f"{self.skipped} already done"
            )
        extra = [
            (self.confirmed, "found already posted"),
            (self.unconfirmed, "unconfirmed (looked for on the next run)"),
            (self.unchecked, "unconfirmed and not checkable (see the log)"),
            (self.busy, "being posted by another process"),
        ]
        return text + "".join(f", {len(keys)} {what}" for keys, what in extra if keys)


def due_reminders(
    deadlines: list[Deadline], now: datetime, remind_at: time, zone: ZoneInfo, default_channel: str
) -> list[DueReminder]:
    """Every reminder whose moment has come by `now` (aware), oldest first."""
    due = []
    for deadline in deadlines:
        for offset, day in deadline.reminder_dates():
            at = datetime.combine(day, remind_at, tzinfo=zone)
            if at <= now:
                due.append(DueReminder(deadline, offset, deadline.channel or default_channel, at))
    return sorted(due, key=lambda r: (r.at, r.key))


def reminder_text(reminder: DueReminder, missing_note: str = "") -> str:
    d = reminder.deadline
    when = "today" if reminder.offset == 0 else "tomorrow" if reminder.offset == 1 else f"in {reminder.offset} days"
    text = f":alarm_clock: *{d.title}* is due {when}, on {d.due:%B} {d.due.day}, {d.due.year}."
    if d.link:
        text += f" <{d.link}|Details>"
    return text + (f"\n{missing_note}" if missing_note else "")


def run_reminders(
    deadlines: list[Deadline],
    now: datetime,
    *,
    ledger: Any,  # Ledger, or DryRunLedger in a dry run
    poster: PlainPoster,
    zone: ZoneInfo,
    remind_at: time,
    grace: timedelta,
    default_channel: str,
    missing_note: Callable[[Deadline], str] | None = None,
    on_sent: Callable[[DueReminder], None] | None = None,
) -> RunReport:
    """Post every due reminder exactly once (jobs.posting.send_once); one due longer ago than `grace` and never
    posted is recorded as missed and reported once. `on_sent` follows a reminder this run posted or found posted."""
    report = RunReport(dry_run=ledger.dry_run)
    for reminder in due_reminders(deadlines, now, remind_at, zone, default_channel):
        outcome = send_once(
            ledger,
            poster,
            key=reminder.key,
            kind="reminder",
            subject=reminder.deadline.id,
            channel=reminder.channel,
            scheduled_for=reminder.at.isoformat(),
            may_post=now - reminder.at <= grace,
            text=lambda r=reminder: reminder_text(r, missing_note(r.deadline) if missing_note else ""),  # type: ignore[misc]
        )
        report.add(outcome, reminder.key)
        if outcome == MISSED:
            log.warning(
                "reminder %s was due at %s, beyond the grace window: recorded as missed",
                reminder.key,
                reminder.at.isoformat(),
            )
        elif outcome in (SENT, CONFIRMED):
            log.info("reminder %s is in %s (%s)", reminder.key, reminder.channel, outcome)
            if on_sent:
                on_sent(reminder)
    if report.missed:
        lines = "\n".join(f"• {k.split(':')[1]} ({k.split(':')[2]} days before)" for k in report.missed)
        _report(
            ledger,
            poster,
            "missed-report",
            report.missed,
            default_channel,
            now,
            f":warning: These reminders were missed while CWS Assistant was not running:\n{lines}",
        )
    if report.unchecked:
        lines = "\n".join(
            f"• {k.split(':')[1]} ({k.split(':')[2]} days before, in <#{k.split(':')[3]}>)" for k in report.unchecked
        )
        _report(
            ledger,
            poster,
            "unchecked-report",
            report.unchecked,
            default_channel,
            now,
            ":warning: CWS Assistant cannot tell whether these reminders were posted: it cannot read their "
            "channel back (it needs the channels:history or groups:history scope and to be in the channel). "
            f"They are not posted again until it can check; please look for them:\n{lines}",
        )
    return report


def _report(
    ledger: Any, poster: PlainPoster, kind: str, keys: list[str], channel: str, now: datetime, text: str
) -> None:
    """Tell the secretariat's channel, once a day for a given set of reminders."""
    key = f"{kind}:{now.date().isoformat()}:{','.join(keys)}"
    outcome = send_once(
        ledger,
        poster,
        key=key,
        kind=kind,
        subject="",
        channel=channel,
        scheduled_for=now.isoformat(),
        text=lambda: text,
    )
    if outcome in (FAILED, UNCONFIRMED, UNCHECKED):  # in the log too; the reminders stay recorded as they are
        log.error("posting the %s to %s: %s", kind, channel, outcome)
