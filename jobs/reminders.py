"""Deadline reminders: each (deadline, days before, channel) posted at most once, ever.

A reminder is due at `remind_at` local time on its day. The job posts every reminder
that is due and not yet recorded; one due longer ago than the grace window (the
process was down) is recorded as missed and reported once instead of being sent late.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from jobs.deadlines import Deadline
from jobs.ledger import Ledger
from jobs.posting import POST_ERRORS, Poster

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
    skipped: int = 0

    def summary(self) -> str:
        return f"{len(self.sent)} sent, {len(self.missed)} missed, {len(self.failed)} failed, {self.skipped} already done"


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
    ledger: Ledger,
    poster: Poster,
    zone: ZoneInfo,
    remind_at: time,
    grace: timedelta,
    default_channel: str,
    missing_note: Callable[[Deadline], str] | None = None,
    on_sent: Callable[[DueReminder], None] | None = None,
) -> RunReport:
    report = RunReport()
    for reminder in due_reminders(deadlines, now, remind_at, zone, default_channel):
        scheduled = reminder.at.isoformat()
        if now - reminder.at > grace:
            if ledger.claim(reminder.key, "reminder", reminder.deadline.id, reminder.channel, scheduled, state="missed"):
                log.warning("reminder %s was due at %s, beyond the grace window: recorded as missed", reminder.key, scheduled)
                report.missed.append(reminder.key)
            else:
                report.skipped += 1
            continue
        if not ledger.claim(reminder.key, "reminder", reminder.deadline.id, reminder.channel, scheduled):
            report.skipped += 1
            continue
        note = missing_note(reminder.deadline) if missing_note else ""
        try:
            ts = poster.post(reminder.channel, reminder_text(reminder, note))
        except POST_ERRORS as exc:  # Slack refused or was unreachable: nothing was delivered, retry next run
            log.exception("posting reminder %s failed", reminder.key)
            ledger.finish(reminder.key, "failed", repr(exc))
            report.failed.append(reminder.key)
            continue
        ledger.finish(reminder.key, "sent", ts)
        report.sent.append(reminder.key)
        log.info("sent reminder %s to %s", reminder.key, reminder.channel)
        if on_sent:
            on_sent(reminder)
    if report.missed:
        _report_missed(report, ledger, poster, default_channel, now)
    return report


def _report_missed(report: RunReport, ledger: Ledger, poster: Poster, channel: str, now: datetime) -> None:
    key = f"missed-report:{now.date().isoformat()}:{','.join(report.missed)}"
    if not ledger.claim(key, "missed-report", "", channel, now.isoformat()):
        return
    lines = "\n".join(f"• {k.split(':')[1]} ({k.split(':')[2]} days before)" for k in report.missed)
    try:
        ts = poster.post(channel, f":warning: These reminders were missed while CWS Assistant was not running:\n{lines}")
        ledger.finish(key, "sent", ts)
    except POST_ERRORS as exc:  # reported in the log; the reminders stay recorded as missed
        log.exception("posting the missed-reminders report failed")
        ledger.finish(key, "failed", repr(exc))
