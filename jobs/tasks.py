"""The scheduled jobs: plain functions, callable by the scheduler, the CLI and tests.

Each takes the moment it runs for (`at`, default now) and returns a one-line summary.
"""

from __future__ import annotations

import logging
import time
import traceback
from datetime import datetime, timedelta

from config.errors import CwsError
from jobs import runtime
from jobs.atr_nudges import missing_note, nudge_delegates
from jobs.deadlines import upcoming
from jobs.posting import POST_ERRORS
from jobs.reminders import DueReminder, run_reminders

log = logging.getLogger(__name__)


def reminders(at: datetime | None = None) -> str:
    rt = runtime.current()
    now = rt.now(at)
    configured = rt.settings.atr.expected_offices

    def note(deadline) -> str:  # type: ignore[no-untyped-def]
        return missing_note(rt.atr, deadline.atr_year, configured) if deadline.atr_year else ""

    def nudge(reminder: DueReminder) -> None:
        d = reminder.deadline
        if d.atr_year and rt.settings.jobs.nudge_delegates:
            nudge_delegates(
                store=rt.atr, year=d.atr_year, configured=configured, policy=rt.policy, ledger=rt.ledger,
                poster=rt.poster, reminder_key=reminder.key, deadline_title=d.title,  # type: ignore[arg-type]
            )

    report = run_reminders(
        rt.deadlines, now, ledger=rt.ledger, poster=rt.poster, zone=rt.zone,  # type: ignore[arg-type]
        remind_at=rt.remind_at, grace=timedelta(hours=rt.settings.jobs.grace_hours),
        default_channel=rt.secretariat_channel, missing_note=note, on_sent=nudge,
    )
    log.info("reminders at %s: %s", now.isoformat(), report.summary())
    return f"reminders: {report.summary()}"


def digest(at: datetime | None = None) -> str:
    rt = runtime.current()
    now = rt.now(at)
    channel = rt.secretariat_channel
    key = f"digest:{now.date().isoformat()}:{channel}"
    if not rt.ledger.claim(key, "digest", now.date().isoformat(), channel, now.isoformat()):
        return "digest: already posted today"
    soon = upcoming(rt.deadlines, now.date(), rt.settings.jobs.digest_days)
    if soon:
        lines = [f"• {d.due:%a %d %b %Y} — {d.title} ({d.days_left(now.date())} days)" for d in soon]
        text = f":calendar: Deadlines in the next {rt.settings.jobs.digest_days} days:\n" + "\n".join(lines)
    else:
        text = f":calendar: No deadlines in the next {rt.settings.jobs.digest_days} days."
    try:
        rt.ledger.finish(key, "sent", rt.poster.post(channel, text))
    except POST_ERRORS as exc:
        rt.ledger.finish(key, "failed", repr(exc))
        log.exception("posting the digest failed")
        return "digest: failed, will retry"
    return f"digest: posted ({len(soon)} deadlines)"


def reindex(at: datetime | None = None) -> str:
    """Incremental build; the serving bot switches to it on its next question."""
    from index.runner import format_summary, run_build

    rt = runtime.current()
    channel = rt.settings.jobs.maintainers_channel
    started = time.monotonic()
    try:
        summary = run_build(rt.settings, progress=lambda _l, _t: (lambda _n: None))
    except Exception as exc:  # noqa: BLE001 - the job's boundary: the old index keeps serving; say why
        log.exception("nightly reindex failed; the previous index keeps serving")
        # A refused removal or a broken manifest is for the maintainers to act on: its message, as written.
        if isinstance(exc, CwsError):
            detail = str(exc)
        else:
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if channel:
            _post_quietly(channel, f":x: Reindex failed after {time.monotonic() - started:.0f}s; the previous index keeps serving.\n```{detail[:2500]}```")
        return f"reindex: failed: {detail}"
    text = format_summary(summary)
    if channel:
        _post_quietly(channel, f":books: Nightly reindex\n```{text[:2800]}```")
    return "reindex: " + text.splitlines()[0]


def _post_quietly(channel: str, text: str) -> None:
    try:
        runtime.current().poster.post(channel, text)
    except POST_ERRORS:
        log.exception("posting to the maintainers' channel failed")


JOBS = {"reindex": reindex, "reminders": reminders, "digest": digest}
