"""APScheduler 3.x, with one scheduler per data directory and persistent job state.

The job store is SQLite (through SQLAlchemy), so a job missed while the process was
down is known on start: with `coalesce` it runs once if it is within the grace window
(`misfire_grace_time`), and never twice. A file lock makes sure only one process
schedules; another `cws serve` on the same data directory answers questions and stands by:
it tries the lock every few seconds and, when the scheduling process stops (even by kill -9,
which releases the lock), takes over the schedule within seconds.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.triggers.cron import CronTrigger

from config.cron import cron_trigger
from config.settings import Settings
from jobs import runtime
from jobs.tasks import JOBS

if (
    TYPE_CHECKING
):  # the scheduler and its SQLAlchemy store (0.3 s to import) only when jobs start, not for `cws jobs list`
    from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)
LOCK_NAME = "scheduler.lock"
STORE_NAME = "scheduler.db"
STANDBY_RETRY_SECONDS = 5.0  # how often a standby process tries the lock


def cron_of(settings: Settings) -> dict[str, str]:
    jobs = settings.jobs
    return {"reindex": jobs.reindex_cron, "reminders": jobs.reminders_cron, "digest": jobs.digest_cron}


def triggers(settings: Settings) -> dict[str, CronTrigger]:
    return {name: cron_trigger(cron, settings.jobs.timezone) for name, cron in cron_of(settings).items()}


class SchedulerLock:
    """An exclusive, non-blocking lock on <data_dir>/scheduler.lock, held while scheduling."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._handle: IO[str] | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def build_scheduler(settings: Settings) -> BackgroundScheduler:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    grace = int(timedelta(hours=settings.jobs.grace_hours).total_seconds()) or 1
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{settings.data_dir / STORE_NAME}")},
        timezone=settings.jobs.timezone,
        job_defaults={"coalesce": True, "misfire_grace_time": grace, "max_instances": 1},
    )


def register_jobs(scheduler: BackgroundScheduler, settings: Settings) -> None:
    """Every job, in one place. A job already stored with the same schedule keeps its next
    run time (so a run missed during downtime is still due); a changed schedule replaces it."""
    for name, trigger in triggers(settings).items():
        existing = scheduler.get_job(name)
        if existing is not None and repr(existing.trigger) == repr(trigger):
            log.info("job %s kept (next run %s)", name, existing.next_run_time)
            continue
        scheduler.add_job(f"jobs.tasks:{name}", trigger, id=name, name=name, replace_existing=True)
        log.info("job %s scheduled: %s", name, trigger)


class JobService:
    """Starts the scheduler if this process wins the lock; otherwise stands by, trying the lock every
    `retry_seconds`, and takes over when the scheduling process is gone."""

    def __init__(self, settings: Settings, retry_seconds: float = STANDBY_RETRY_SECONDS) -> None:
        self.settings = settings
        self.lock = SchedulerLock(settings.data_dir)
        self.retry_seconds = retry_seconds
        self.scheduler: BackgroundScheduler | None = None
        self.executions: list[tuple[str, str]] = []  # (job id, "ran" | "failed" | "missed")
        self._stopping = threading.Event()
        self._standby: threading.Thread | None = None
        self._state = threading.Lock()  # start-by-takeover and stop do not interleave

    def _record(self, event: JobExecutionEvent) -> None:
        """Log every run, failure and miss: what the scheduler did is visible in the log."""
        if event.code == EVENT_JOB_MISSED:
            outcome = "missed"
            log.warning(
                "job %s scheduled for %s was missed (beyond the grace window)", event.job_id, event.scheduled_run_time
            )
        elif event.exception is not None:
            outcome = "failed"
            log.error("job %s failed: %r", event.job_id, event.exception)
        else:
            outcome = "ran"
            log.info("job %s (scheduled %s): %s", event.job_id, event.scheduled_run_time, event.retval)
        self.executions.append((event.job_id, outcome))

    def start(self, standby: bool = True) -> bool:
        """True if this process schedules now. Otherwise, with `standby`, it takes over when it can."""
        runtime.install(runtime.Runtime.from_settings(self.settings))
        if self.lock.acquire():
            self._schedule()
            return True
        if not standby:
            log.warning("another process is scheduling jobs for %s; this one is not scheduling", self.settings.data_dir)
            return False
        log.warning(
            "another process is scheduling jobs for %s; this one stands by and takes over if it stops "
            "(the lock is tried every %g s)",
            self.settings.data_dir,
            self.retry_seconds,
        )
        self._standby = threading.Thread(target=self._stand_by, name="scheduler-standby", daemon=True)
        self._standby.start()
        return False

    @property
    def scheduling(self) -> bool:
        return self.scheduler is not None

    def _stand_by(self) -> None:
        while not self._stopping.wait(self.retry_seconds):
            with self._state:
                if self._stopping.is_set():
                    return
                if not self.lock.acquire():
                    continue
                log.warning(
                    "the process that scheduled jobs for %s has stopped: this process took over the scheduled jobs",
                    self.settings.data_dir,
                )
                try:
                    self._schedule()
                except Exception:
                    log.exception("taking over the scheduled jobs failed")
                    self.lock.release()
                    continue
                return

    def _schedule(self) -> None:
        scheduler = build_scheduler(self.settings)
        scheduler.add_listener(self._record, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        scheduler.start(paused=True)  # load stored jobs before deciding what to replace
        register_jobs(scheduler, self.settings)
        scheduler.resume()
        self.scheduler = scheduler
        log.info("scheduler started in %s: %s", self.settings.jobs.timezone, ", ".join(sorted(JOBS)))

    def stop(self) -> None:
        self._stopping.set()
        if self._standby is not None:
            self._standby.join(timeout=30)
            self._standby = None
        with self._state:
            if self.scheduler is not None:
                self.scheduler.shutdown(wait=True)
                self.scheduler = None
            self.lock.release()
