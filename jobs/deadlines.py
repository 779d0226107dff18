"""Deadlines from a YAML file, validated at start-up with the file, entry and field named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any


from config.settings import read_yaml
from config.errors import ConfigError

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{6,}$")
_FIELDS = {"id", "title", "due", "remind_days_before", "channel", "link", "atr_year"}


@dataclass(frozen=True)
class Deadline:
    id: str
    title: str
    due: date
    remind_days_before: tuple[int, ...]
    channel: str | None = None  # None: the secretariat channel
    link: str | None = None
    atr_year: int | None = None  # set for ATR submission deadlines: reminders name missing offices

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    def reminder_dates(self) -> list[tuple[int, date]]:
        return [(offset, self.due - timedelta(days=offset)) for offset in self.remind_days_before]


def _entry(path: Path, index: int, raw: Any) -> Deadline:
    where = f"{path}: deadlines[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a mapping")
    if isinstance(raw.get("id"), str):
        where = f"{path}: deadline '{raw['id']}'"
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise ConfigError(f"{where}: unknown field '{unknown[0]}'")
    for required in ("id", "title", "due"):
        if raw.get(required) in (None, ""):
            raise ConfigError(f"{where}: field '{required}' is required")
    if not isinstance(raw["id"], str) or not _ID.match(raw["id"]):
        raise ConfigError(f"{where}: field 'id' must be lower-case letters, digits, '.', '_' or '-'")
    if not isinstance(raw["title"], str):
        raise ConfigError(f"{where}: field 'title' must be text")
    due = raw["due"]
    if isinstance(due, str):
        try:
            due = date.fromisoformat(due)
        except ValueError:
            due = None
    if not isinstance(due, date):
        raise ConfigError(f"{where}: field 'due' must be a date like 2026-06-30")
    offsets = raw.get("remind_days_before", [7, 1])
    if (
        not isinstance(offsets, list)
        or not offsets
        or not all(isinstance(o, int) and not isinstance(o, bool) and 0 <= o <= 366 for o in offsets)
    ):
        raise ConfigError(f"{where}: field 'remind_days_before' must be a list of whole days between 0 and 366")
    channel = raw.get("channel")
    if channel is not None and (not isinstance(channel, str) or not _CHANNEL.match(channel)):
        raise ConfigError(f"{where}: field 'channel' must be a Slack channel id such as C0123ABCD")
    link = raw.get("link")
    if link is not None and (not isinstance(link, str) or not link.startswith(("https://", "http://"))):
        raise ConfigError(f"{where}: field 'link' must be an http(s) URL")
    atr_year = raw.get("atr_year")
    if atr_year is None:
        match = re.fullmatch(r"atr-(\d{4})", raw["id"])
        atr_year = int(match.group(1)) if match else None
    elif not isinstance(atr_year, int) or not 1900 <= atr_year <= 2100:
        raise ConfigError(f"{where}: field 'atr_year' must be a four-digit year")
    return Deadline(raw["id"], raw["title"], due, tuple(sorted(set(offsets), reverse=True)), channel, link, atr_year)


def load_deadlines(path: Path) -> list[Deadline]:
    """Every deadline in `path`, or ConfigError naming the first bad entry and field."""
    data = read_yaml(path, "deadlines file")
    items = (data or {}).get("deadlines") if isinstance(data, dict) or data is None else None
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ConfigError(f"{path}: expected a top-level 'deadlines' list")
    deadlines = [_entry(path, i, raw) for i, raw in enumerate(items)]
    seen: set[str] = set()
    for deadline in deadlines:
        if deadline.id in seen:
            raise ConfigError(f"{path}: deadline '{deadline.id}' appears twice")
        seen.add(deadline.id)
    return deadlines


def upcoming(deadlines: list[Deadline], today: date, days: int | None = None) -> list[Deadline]:
    """Deadlines not yet past, soonest first (within `days` when given)."""
    return sorted(
        (d for d in deadlines if 0 <= d.days_left(today) and (days is None or d.days_left(today) <= days)),
        key=lambda d: (d.due, d.id),
    )
