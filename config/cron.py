"""Crontab expressions with crontab's own day numbers (0 or 7 = Sunday, 1 = Monday).

APScheduler 3's `CronTrigger.from_crontab` reads day-of-week numbers its own way
(0 = Monday), so "0 8 * * 1-5" would run Tuesday to Saturday. Numbers are translated
to day names here, which both agree on.
"""

from __future__ import annotations

import re

from apscheduler.triggers.cron import CronTrigger

_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _day_names(field: str) -> str:
    return re.sub(r"\d+", lambda m: _DAYS[int(m.group(0))] if int(m.group(0)) <= 7 else m.group(0), field)


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A trigger for a five-field crontab expression; ValueError names what is wrong."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            f"'{expression}' has {len(fields)} fields; a crontab expression has 5 (minute hour day month weekday)"
        )
    minute, hour, day, month, day_of_week = fields
    if "/" not in day_of_week:
        day_of_week = _day_names(day_of_week)
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, timezone=timezone)
