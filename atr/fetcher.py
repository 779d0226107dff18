"""Reads each current ATR link and keeps its report's copy (an index source) and its health up to date.

`ReportFetcher.check` handles one submitted link: a conditional request (ETag / Last-Modified) when a copy is
held, so an unchanged report costs one request and no re-embedding; a changed one replaces the copy; a replaced
link drops the old report; a link the server says is gone (404, 410) drops the copy; any other failure (site
down, time-out, a login page, a file too large) keeps the last good copy, which citations then mark with the
day it was read and, after `atr.stale_after_days`, as stale. The submission itself is never touched.

Checks of one data directory are serialised by a file lock, so the nightly re-check, a `/atr submit` follow-up
and `cws atr fetch` in another process cannot write one report folder at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import httpx

from atr import guard
from atr.content import SUFFIXES, ContentRefused, ReadReport, read_report
from atr.guard import FetchFailed, FetchPolicy, Resolver
from atr.links import LinkRecord, LinkStore
from atr.reports import (
    ReportSourceError,
    drop_report,
    folder_for,
    manifest_entry,
    read_manifest_entry,
    report_file,
    reports_root,
    store_report,
    symbol,
    write_manifest,
)
from atr.store import AtrStore, StoredSubmission
from atr.throttle import THROTTLE, HostThrottle
from config.database import utc_now
from config.settings import Settings

log = logging.getLogger(__name__)

Outcome = Literal["read", "unchanged", "failed"]
LOCK_NAME = ".lock"
GONE = {404, 410}


def status_reason(status: int) -> str:
    """A failed HTTP status as a person reads it ("the link returns 404")."""
    if status == 401:
        return "the link asks for a login (401)"
    if status == 403:
        return "the server refuses access to the link (403)"
    if status == 410:
        return "the link returns 410 (the report was removed)"
    if status == 429:
        return "the server asks us to slow down (429)"
    if status >= 500:
        return f"the server fails ({status}; is the site down?)"
    return f"the link returns {status}"


@dataclass(frozen=True)
class LinkCheck:
    """One check of one link: what happened, the link's state after it, and whether the index must be rebuilt."""

    submission: StoredSubmission
    outcome: Outcome
    record: LinkRecord
    index_changed: bool  # a report folder was written, changed or dropped

    @property
    def cited_as(self) -> str:
        s = self.submission
        return symbol(s.office, s.ip_type, s.year)

    def describe(self) -> str:
        """'read: 34 passages', 'unchanged since 2026-01-03', 'failing since 2026-01-04: the link returns 503 ...'."""
        r = self.record
        if self.outcome == "read":
            return f"read: {r.passages} passages"
        if self.outcome == "unchanged":
            return f"unchanged (read {r.read_on}): {r.passages} passages"
        if r.state == "failing":
            return f"failing since {r.failing_since}: {r.reason}; the copy read {r.read_on} stays indexed"
        return f"broken since {r.failing_since}: {r.reason}"


def _today() -> date:
    return datetime.now(UTC).date()


def _sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class ReportFetcher:
    def __init__(
        self,
        settings: Settings,
        *,
        resolver: Resolver | None = None,
        throttle: HostThrottle = THROTTLE,
        transport: httpx.BaseTransport | None = None,
        today: Callable[[], date] = _today,
    ) -> None:
        self.settings = settings
        self.policy = FetchPolicy.from_settings(settings.atr.fetch)
        self.links = LinkStore(settings.data_dir)
        self.submissions = AtrStore(settings.data_dir)
        self._resolver = resolver
        self._throttle = throttle
        self._transport = transport
        self._today = today

    # --- which links ------------------------------------------------------------------------

    def check_all(
        self, office: str | None = None, year: int | None = None, on_check: Callable[[LinkCheck], None] | None = None
    ) -> list[LinkCheck]:
        """Check every current link (of `office`, of `year`), and drop reports whose submission is gone;
        `on_check` sees each check as it ends (to print it)."""
        current = self.submissions.current(year=year, office=office)
        keys = {s_key(s) for s in self.submissions.current()}
        with self._locked():
            for record in self.links.all(year=year, office=office):
                if record.key not in keys and record.has_copy:  # no longer submitted: nothing to cite it for
                    drop_report(self.settings, Path(record.folder or ""))
                    self.links.save(
                        record.changed(folder=None, state="broken", reason="no longer submitted", checked_at=utc_now()),
                        "dropped",
                    )
        checks = []
        for submission in current:
            checks.append(self.check(submission))
            if on_check:
                on_check(checks[-1])
        return checks

    def check(self, submission: StoredSubmission) -> LinkCheck:
        """Read `submission`'s link now and update its copy and health; never raises for a dead link."""
        with self._locked():
            return self._check(submission)

    # --- one link --------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        root = reports_root(self.settings.data_dir)
        root.mkdir(parents=True, exist_ok=True)
        with open(root / LOCK_NAME, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # flock: also excludes another thread of this process
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _check(self, s: StoredSubmission) -> LinkCheck:
        record = self.links.get(s_key(s))
        dropped = False
        if record is not None and record.url != s.url:  # replaced: the old report is not the office's report now
            if record.folder:
                drop_report(self.settings, Path(record.folder))
                dropped = True
            record = None
        if record is not None and record.folder and not self._copy(record).is_file():  # deleted by hand: read anew
            drop_report(self.settings, Path(record.folder))
            record = record.changed(folder=None, etag=None, last_modified=None, content_hash=None, passages=None)
            dropped = True
        conditional = (
            {"If-None-Match": record.etag or "", "If-Modified-Since": record.last_modified or ""}
            if record is not None and record.folder
            else {}
        )
        try:
            fetched = guard.fetch(
                s.url,
                self.policy,
                conditional,
                resolver=self._resolver,
                throttle=self._throttle,
                transport=self._transport,
            )
        except FetchFailed as exc:
            return self._failed(s, record, exc.reason, exc.status, gone=False, dropped=dropped)
        if fetched.status == 304 and record is not None and record.folder:
            return self._unchanged(s, record, fetched, dropped)
        if fetched.status not in (200, 203):
            reason = (
                status_reason(fetched.status)
                if fetched.status != 304
                else "the server answers 304 (not modified) to a first read"
            )
            return self._failed(
                s,
                record,
                reason,
                fetched.status,
                gone=fetched.status in GONE,
                dropped=dropped,
                final_url=fetched.final_url,
            )
        try:
            report = read_report(fetched.header("content-type"), fetched.body)
        except ContentRefused as exc:
            return self._failed(
                s, record, exc.reason, fetched.status, gone=False, dropped=dropped, final_url=fetched.final_url
            )
        digest = _sha256(fetched.body)
        if record is not None and record.folder and record.content_hash == digest and record.kind == report.kind:
            return self._unchanged(s, record, fetched, dropped)
        return self._read(s, record, fetched, report, digest)

    def _copy(self, record: LinkRecord) -> Path:
        return report_file(Path(record.folder or ""), SUFFIXES.get(record.kind or "", ".html"))

    def _read(
        self, s: StoredSubmission, record: LinkRecord | None, fetched: guard.Fetched, report: ReadReport, digest: str
    ) -> LinkCheck:
        now = utc_now()
        folder = folder_for(self.settings.data_dir, s.office, s.ip_type, s.year, report.kind)
        if record is not None and record.folder and Path(record.folder) != folder:
            drop_report(self.settings, Path(record.folder))  # the report changed kind (HTML → PDF): a new source
        entry = manifest_entry(f"report{report.suffix}", s.office, s.ip_type, s.year, s.url, report.document.title)
        values = dict(
            state="indexed",
            checked_at=now,
            reason=None,
            http_status=fetched.status,
            final_url=fetched.final_url,
            content_type=fetched.header("content-type"),
            kind=report.kind,
            content_hash=digest,
            etag=fetched.header("etag"),
            last_modified=fetched.header("last-modified"),
            fetched_at=now,
            confirmed_at=now,
            failing_since=None,
            folder=str(folder),
            title=report.document.title,
            passages=report.passages,
            reported_at=None,
        )
        base = record or LinkRecord(s.office, s.ip_type, s.year, s.url, "indexed", now)
        try:
            store_report(self.settings, folder, report.suffix, fetched.body, entry)
        except ReportSourceError as exc:
            drop_report(self.settings, folder)
            return self._failed(s, None, exc.args[0], fetched.status, gone=False, dropped=True)
        updated = base.changed(url=s.url, **values)
        self.links.save(updated, "read")
        log.info("ATR %s %s %s: read %s (%d passages)", s.office, s.ip_type, s.year, s.url, report.passages)
        return LinkCheck(s, "read", updated, True)

    def _unchanged(self, s: StoredSubmission, record: LinkRecord, fetched: guard.Fetched, dropped: bool) -> LinkCheck:
        now = utc_now()
        updated = record.changed(
            state="indexed",
            checked_at=now,
            confirmed_at=now,
            reason=None,
            failing_since=None,
            reported_at=None,
            http_status=fetched.status,
            final_url=fetched.final_url,
            etag=fetched.header("etag") or record.etag,
            last_modified=fetched.header("last-modified") or record.last_modified,
        )
        changed = self._mark_copy(updated) or dropped
        self.links.save(updated, "unchanged")
        return LinkCheck(s, "unchanged", updated, changed)

    def _failed(
        self,
        s: StoredSubmission,
        record: LinkRecord | None,
        reason: str,
        status: int | None,
        *,
        gone: bool,
        dropped: bool,
        final_url: str | None = None,
    ) -> LinkCheck:
        now = utc_now()
        changed = dropped
        if record is not None and record.folder and gone:  # the server says the report no longer exists
            drop_report(self.settings, Path(record.folder))
            record = record.changed(folder=None, etag=None, last_modified=None, content_hash=None, passages=None)
            changed = True
        base = record or LinkRecord(s.office, s.ip_type, s.year, s.url, "broken", now)
        still = base.state != "indexed" and base.failing_since is not None  # the same run of failures
        updated = base.changed(
            state="failing" if base.folder else "broken",
            checked_at=now,
            reason=reason,
            http_status=status,
            final_url=final_url,
            failing_since=base.failing_since if still else self._today().isoformat(),
            reported_at=base.reported_at if still else None,
        )
        if updated.folder:
            changed = self._mark_copy(updated) or changed
        self.links.save(updated, "failed")
        log.info("ATR %s %s %s: %s (%s)", s.office, s.ip_type, s.year, updated.state, reason)
        return LinkCheck(s, "failed", updated, changed)

    def _mark_copy(self, record: LinkRecord) -> bool:
        """Bring the copy's manifest in line with the link's health (the caveat citations show); True if it changed.
        Written only when the caveat changes, so a healthy or steadily failing link costs no rebuild."""
        if not record.folder:
            return False
        folder = Path(record.folder)
        failing = record.state == "failing"
        entry = manifest_entry(
            self._copy(record).name,
            record.office,
            record.ip_type,
            record.year,
            record.url,
            record.title,
            read_on=record.read_on if failing else None,
            failing_since=record.failing_since if failing else None,
            stale=record.is_stale(self._today(), self.settings.atr.stale_after_days),
        )
        if read_manifest_entry(folder) == entry:
            return False
        write_manifest(folder, entry)
        return True


def s_key(s: StoredSubmission) -> tuple[str, str, int]:
    return s.office, s.ip_type, s.year
