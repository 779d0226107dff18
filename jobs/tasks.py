"""The scheduled jobs: plain functions, callable by the scheduler, the CLI and tests.

Each takes the moment it runs for (`at`, default now) and returns a one-line summary; the reindex returns
the build summary `cws index` prints, so `cws jobs run reindex` shows the same.
The nightly reindex first re-checks every current ATR link (conditional requests), so the build
indexes what changed; reminders and the digest say which links do not work.
"""

from __future__ import annotations

import logging
import time
import traceback
from datetime import datetime, timedelta
from pathlib import Path

from atr.health import LinkProblem, link_health, new_breakages
from atr.links import LinkStore
from config.errors import CwsError
from jobs import runtime
from jobs.atr_nudges import missing_note, nudge_delegates
from jobs.deadlines import upcoming
from jobs.posting import POST_ERRORS, send_once
from jobs.reminders import DueReminder, run_reminders

log = logging.getLogger(__name__)


def reminders(at: datetime | None = None) -> str:
    rt = runtime.current()
    now = rt.now(at)
    configured = rt.settings.atr.expected_offices

    def note(deadline) -> str:
        if not deadline.atr_year:
            return ""
        return missing_note(rt.atr, deadline.atr_year, configured, _link_problems(now, deadline.atr_year))

    def nudge(reminder: DueReminder) -> None:
        d = reminder.deadline
        if d.atr_year and rt.settings.jobs.nudge_delegates:
            nudge_delegates(
                store=rt.atr,
                year=d.atr_year,
                configured=configured,
                policy=rt.policy,
                ledger=rt.ledger,  # type: ignore[arg-type]  # the dry run's DryRunLedger has the same methods
                poster=rt.poster,  # type: ignore[arg-type]
                reminder_key=reminder.key,
                deadline_title=d.title,
                problems=_link_problems(now, d.atr_year),
            )

    report = run_reminders(
        rt.deadlines,
        now,
        ledger=rt.ledger,
        poster=rt.poster,
        zone=rt.zone,
        remind_at=rt.remind_at,
        grace=timedelta(hours=rt.settings.jobs.grace_hours),
        default_channel=rt.secretariat_channel,
        missing_note=note,
        on_sent=nudge,
    )
    log.info("reminders at %s: %s", now.isoformat(), report.summary())
    return f"reminders: {report.summary()}"


def _link_problems(now: datetime, year: int | None = None) -> list[LinkProblem]:
    rt = runtime.current()
    links = LinkStore(rt.settings.data_dir)
    return link_health(rt.atr, links, now.date(), rt.settings.atr.stale_after_days, year=year).problems


def _breakage_lines(breakages: list[LinkProblem]) -> str:
    lines = [f"• {p.label}: {p.record.reason} (since {p.record.failing_since}) {p.record.url}" for p in breakages]
    return ":warning: ATR links that stopped working:\n" + "\n".join(lines)


def digest(at: datetime | None = None) -> str:
    rt = runtime.current()
    now = rt.now(at)
    channel = rt.secretariat_channel
    if not channel:  # with a deadlines file this stops start-up (runtime.check_channels); without, nothing is due
        return "digest: not posted: jobs.secretariat_channel is not set"
    key = f"digest:{now.date().isoformat()}:{channel}"
    if rt.ledger.would(key).action in ("busy", "done"):
        return "digest: already posted today"
    soon = upcoming(rt.deadlines, now.date(), rt.settings.jobs.digest_days)
    if soon:
        lines = [f"• {d.due:%a %d %b %Y} — {d.title} ({d.days_left(now.date())} days)" for d in soon]
        text = f":calendar: Deadlines in the next {rt.settings.jobs.digest_days} days:\n" + "\n".join(lines)
    else:
        text = f":calendar: No deadlines in the next {rt.settings.jobs.digest_days} days."
    links = LinkStore(rt.settings.data_dir)
    breakages = new_breakages(rt.atr, links, now.date(), rt.settings.atr.stale_after_days)
    if breakages:
        text += "\n" + _breakage_lines(breakages)
    text += _gap_lines(rt.settings.data_dir)
    outcome = send_once(
        rt.ledger,
        rt.poster,
        key=key,
        kind="digest",
        subject=now.date().isoformat(),
        channel=channel,
        scheduled_for=now.isoformat(),
        text=lambda: text,
    )
    if outcome in ("busy", "done"):
        return "digest: already posted today"
    if outcome not in ("sent", "confirmed"):  # failed, or Slack may have it: the next run looks, then posts
        return f"digest: {outcome}, will retry"
    if rt.dry_run:  # printed, not posted: nothing recorded, the breakages stay new for the real digest
        return f"digest: dry run (no SLACK_BOT_TOKEN), nothing posted or recorded ({len(soon)} deadlines" + (
            f", {len(breakages)} broken links)" if breakages else ")"
        )
    links.mark_reported([p.record.key for p in breakages], now.isoformat())  # listed once: new breakages only
    return f"digest: posted ({len(soon)} deadlines" + (f", {len(breakages)} broken links)" if breakages else ")")


GAP_DAYS = 7
GAPS_IN_DIGEST = 5


def _gap_lines(data_dir: Path) -> str:
    """The week's most asked questions the assistant could not answer (or that got a 👎), so the
    secretariat can add the documents that are missing; empty when there are none."""
    from answering.gaps import GapLog

    gaps = GapLog(data_dir).top(days=GAP_DAYS, limit=GAPS_IN_DIGEST)
    if not gaps:
        return ""
    lines = [f"• {g.question} ({g.count}×" + (f", closest: {g.closest}" if g.closest else "") + ")" for g in gaps]
    return (
        f"\n:grey_question: Questions not answered in the last {GAP_DAYS} days (`cws gaps` lists all):\n"
        + "\n".join(lines)
    )


def recheck_links() -> str | None:
    """Re-check every current ATR link (conditional requests) before the build indexes what changed; one line
    for the summary. Never fails the reindex: a link that fails is a state, and anything else is logged."""
    from atr.fetcher import ReportFetcher

    try:
        checks = ReportFetcher(runtime.current().settings).check_all()
    except Exception as exc:
        log.exception("re-checking the ATR links failed")
        return f"ATR links: not re-checked ({type(exc).__name__}: {exc})"
    if not checks:
        return None
    counts = {o: sum(c.outcome == o for c in checks) for o in ("unchanged", "read", "failed")}
    line = (
        f"ATR links: {len(checks)} checked — {counts['unchanged']} unchanged, {counts['read']} read, "
        f"{counts['failed']} not working"
    )
    failed = [
        f"{c.submission.office} {c.submission.year} {c.submission.ip_type} ({c.record.reason})"
        for c in checks
        if c.outcome == "failed"
    ]
    return line + (": " + "; ".join(failed) if failed else "")


def reindex(at: datetime | None = None) -> str:
    """Re-check the ATR links, then the incremental build; the serving bot switches to it on its next question."""
    from index.runner import format_summary, run_build

    rt = runtime.current()
    channel = rt.settings.jobs.maintainers_channel
    started = time.monotonic()
    links = recheck_links()
    try:
        summary = run_build(rt.settings, progress=lambda _l, _t: lambda _n: None)
    except Exception as exc:
        log.exception("nightly reindex failed; the previous index keeps serving")
        # A refused removal or a broken manifest is for the maintainers to act on: its message, as written.
        if isinstance(exc, CwsError):
            detail = str(exc)
        else:
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if channel:
            _post_quietly(
                channel,
                f":x: Reindex failed after {time.monotonic() - started:.0f}s; the previous index keeps serving."
                f"\n```{detail[:2500]}```",
            )
        return f"reindex: failed: {detail}"
    text = format_summary(summary) + (f"\n{links}" if links else "")
    if channel:
        _post_quietly(channel, f":books: Nightly reindex\n```{text[:2800]}```")
    return "reindex: " + text  # the whole summary, as `cws index` prints it (`cws jobs run reindex` shows it)


def _post_quietly(channel: str, text: str) -> None:
    try:
        runtime.current().poster.post(channel, text)
    except POST_ERRORS:
        log.exception("posting to the maintainers' channel failed")


JOBS = {"reindex": reindex, "reminders": reminders, "digest": digest}
