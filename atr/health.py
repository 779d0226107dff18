"""Link health as people read it: which current ATR links are broken or failing, since when, and why.

One place words it for `cws atr status`, `/atr status`, the reminders to an office's delegates ("your 2024 TM
link returns 404") and the secretariat's digest, so they all say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from atr.links import LinkRecord, LinkStore
from atr.store import AtrStore, StoredSubmission


@dataclass(frozen=True)
class LinkProblem:
    """A current link whose last check failed."""

    record: LinkRecord
    stale: bool  # the kept copy is older than atr.stale_after_days

    @property
    def label(self) -> str:
        r = self.record
        return f"{r.office} {r.year} {r.ip_type}"

    def sentence(self, subject: str | None = None) -> str:
        """'your 2024 TM link returns 404' (subject 'your 2024 TM link'), or 'JP 2024 TM link: the server fails'."""
        r = self.record
        subject = subject or f"the {r.year} {r.ip_type} link of {r.office}"
        reason = r.reason or "cannot be read"
        return subject + reason[len("the link") :] if reason.startswith("the link ") else f"{subject}: {reason}"

    def state(self) -> str:
        """'broken since 2026-01-04', or 'failing since 2026-01-04; the copy read 2026-01-03 is still indexed'
        (with ' (stale)' once it is older than atr.stale_after_days)."""
        r = self.record
        if r.state == "broken":
            return f"broken since {r.failing_since}"
        stale = " (stale)" if self.stale else ""
        return f"failing since {r.failing_since}; the copy read {r.read_on} is still indexed{stale}"

    def line(self) -> str:
        return f"{self.label}: {self.state()}: {self.record.reason}"


@dataclass(frozen=True)
class Health:
    """The health of the current links of a year (or of all years)."""

    problems: list[LinkProblem]
    unread: list[StoredSubmission]  # submitted, never checked yet
    indexed: int  # links whose report was read and is indexed
    total: int


def _current_records(links: LinkStore, submissions: list[StoredSubmission]) -> dict[tuple, LinkRecord]:
    """Records that are about the link now submitted (a replaced link's record is not, until re-checked)."""
    urls = {(s.office, s.ip_type, s.year): s.url for s in submissions}
    return {r.key: r for r in links.all() if urls.get(r.key) == r.url}


def link_health(
    store: AtrStore,
    links: LinkStore,
    today: date,
    stale_after_days: int,
    year: int | None = None,
    office: str | None = None,
) -> Health:
    submissions = store.current(year=year, office=office)
    records = _current_records(links, submissions)
    problems, unread, indexed = [], [], 0
    for s in submissions:
        record = records.get((s.office, s.ip_type, s.year))
        if record is None:
            unread.append(s)
        elif record.state == "indexed":
            indexed += 1
        else:
            problems.append(LinkProblem(record, record.is_stale(today, stale_after_days)))
    return Health(problems, unread, indexed, len(submissions))


def new_breakages(store: AtrStore, links: LinkStore, today: date, stale_after_days: int) -> list[LinkProblem]:
    """Current links that failed since the secretariat's digest last listed breakages."""
    health = link_health(store, links, today, stale_after_days)
    return [p for p in health.problems if p.record.reported_at is None]


def health_lines(health: Health) -> list[str]:
    """The link-health part of a status report, one line each."""
    if not health.total:
        return []
    lines = [f"Links read and indexed: {health.indexed} of {health.total}"]
    lines += [f"  {p.line()}" for p in health.problems]
    if health.unread:
        lines.append("  not read yet: " + ", ".join(f"{s.office} {s.year} {s.ip_type}" for s in health.unread))
    return lines
