"""The real scheduler: one per data directory, catch-up within grace, DST-aware cron."""

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

from jobs.scheduler import JobService, SchedulerLock, build_scheduler, register_jobs, triggers
from tests.jobs.processes import Lines
from tests.waiting import wait_for

CWS = Path(sys.executable).parent / "cws"
ZURICH = ZoneInfo("Europe/Zurich")


def test_only_one_process_schedules(job_settings, tmp_path):
    env = {**os.environ, "CWS_CONFIG": str(job_settings.config_path)}
    env.pop("SLACK_BOT_TOKEN", None)
    first = subprocess.Popen([str(CWS), "-v", "jobs", "start"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        line = ""
        while "scheduler running" not in line and time.monotonic() < deadline:
            line = first.stderr.readline()
        assert "scheduler running" in line
        second = subprocess.run([str(CWS), "jobs", "start"], env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert "another process already schedules jobs" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=30)
    assert first.returncode == 0


def test_the_lock_is_exclusive_and_released(job_settings):
    a, b = SchedulerLock(job_settings.data_dir), SchedulerLock(job_settings.data_dir)
    assert a.acquire() and not b.acquire()
    a.release()
    assert b.acquire()
    b.release()


def _nothing_due(service: JobService) -> bool:
    """Every job's next run is ahead: whatever was due has been run or declared missed, and rescheduled."""
    now = datetime.now(ZURICH)
    return all(job.next_run_time is None or job.next_run_time > now for job in service.scheduler.get_jobs())


def _start_stop(settings, at) -> list[tuple[str, str]]:
    """Start the real scheduler with the clock at `at`, let it deal with what is due, stop; what it did."""
    with time_machine.travel(at, tick=True):
        service = JobService(settings)
        assert service.start()
        wait_for(lambda: _nothing_due(service), timeout=10, what="the scheduler to take up every job that was due")
        service.stop()  # waits for the jobs it started
    return [e for e in service.executions if e[0] == "digest"]


def test_job_missed_during_downtime_runs_once_within_grace(job_settings):
    # First start on Monday 07:00 Zurich; the digest (08:00 on weekdays) is next due at 08:00.
    monday = datetime(2026, 6, 8, 7, 0, tzinfo=ZURICH)
    assert _start_stop(job_settings, monday) == []
    # Down until 11:00 (3 h late, within 12 h of grace): it runs once on start.
    assert _start_stop(job_settings, monday + timedelta(hours=4)) == [("digest", "ran")]
    # Started again a little later: nothing is due, nothing runs twice.
    assert _start_stop(job_settings, monday + timedelta(hours=4, minutes=5)) == []


def test_job_missed_beyond_grace_does_not_run(job_settings):
    monday = datetime(2026, 6, 8, 7, 0, tzinfo=ZURICH)
    _start_stop(job_settings, monday)
    # Back on Monday 22:00: the 08:00 digest is 14 h late, beyond 12 h of grace.
    assert _start_stop(job_settings, monday + timedelta(hours=15)) == [("digest", "missed")]


def test_cron_follows_daylight_saving_time(job_settings):
    trigger = triggers(job_settings)["reindex"]  # 02:30 daily, Europe/Zurich
    before = datetime(2026, 3, 28, 12, 0, tzinfo=ZURICH)
    fire = trigger.get_next_fire_time(None, before)
    assert (fire.hour, fire.minute) == (2, 30)
    # 02:30 does not exist on March 29 (clocks jump 02:00 → 03:00): no run at a bogus time.
    following = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert following.utcoffset() == timedelta(hours=2) and following.hour in (2, 3)
    autumn = trigger.get_next_fire_time(None, datetime(2026, 10, 24, 12, 0, tzinfo=ZURICH))
    assert autumn.utcoffset() == timedelta(hours=2)
    after_fall_back = trigger.get_next_fire_time(autumn, autumn + timedelta(seconds=1))
    assert after_fall_back.utcoffset() == timedelta(hours=1) and (after_fall_back.hour, after_fall_back.minute) == (
        2,
        30,
    )


def test_stored_jobs_keep_their_schedule_and_change_with_config(job_settings):
    scheduler = build_scheduler(job_settings)
    scheduler.start(paused=True)
    register_jobs(scheduler, job_settings)
    first = {j.id: j.next_run_time for j in scheduler.get_jobs()}
    register_jobs(scheduler, job_settings)
    assert {j.id: j.next_run_time for j in scheduler.get_jobs()} == first
    assert set(first) == {"reindex", "reminders", "digest"}
    scheduler.shutdown()


def test_a_standby_takes_over_when_the_scheduler_stops(job_settings):
    first, second = JobService(job_settings), JobService(job_settings, retry_seconds=0.1)
    assert first.start()
    try:
        assert not second.start() and not second.scheduling
        first.stop()
        wait_for(lambda: second.scheduling, timeout=10, what="the standby to take over")
        assert {j.id for j in second.scheduler.get_jobs()} == {"reindex", "reminders", "digest"}
    finally:
        second.stop()
    assert SchedulerLock(job_settings.data_dir).acquire()  # stop released it


def test_a_standby_process_takes_over_from_a_killed_one_within_a_minute(job_settings):
    env = {**os.environ, "CWS_CONFIG": str(job_settings.config_path)}
    first = subprocess.Popen([str(CWS), "jobs", "start"], env=env, stderr=subprocess.PIPE, text=True)
    second = None
    try:
        Lines(first).wait_for("scheduler running", timeout=60)
        second = subprocess.Popen([str(CWS), "jobs", "start", "--standby"], env=env, stderr=subprocess.PIPE, text=True)
        lines = Lines(second)
        lines.wait_for("standing by", timeout=60)
        first.kill()  # kill -9: no chance to let go of anything
        first.wait(timeout=30)
        killed = time.monotonic()
        lines.wait_for("this process took over the scheduled jobs", timeout=60)
        assert time.monotonic() - killed < 60
        third = subprocess.run([str(CWS), "jobs", "start"], env=env, capture_output=True, text=True, timeout=60)
        assert "another process already schedules jobs" in third.stderr  # the standby holds the lock now
    finally:
        for process in (first, second):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
