"""Deadlines from a YAML file, validated at start-up with the file, entry and field named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from config.errors import ConfigError
from config.schema import first_problem
from config.settings import read_yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{6,}$")


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


def _matching(pattern: re.Pattern[str], wording: str) -> AfterValidator:
    """A check with wording an operator understands, instead of pydantic's regular expression."""

    def check(value: str) -> str:
        if not pattern.match(value):
            raise PydanticCustomError("pattern", wording)
        return value

    return AfterValidator(check)


def _due(value: Any) -> date:
    """A YAML date, or text in ISO form; pydantic alone would also take a number as a Unix time."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, date):
        raise PydanticCustomError("date", "must be a date like 2026-06-30")
    return value


class _DeadlineEntry(BaseModel):
    """One `deadlines:` entry as written in the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, _matching(_ID, "must be lower-case letters, digits, '.', '_' or '-'")]
    title: str
    due: Annotated[date, BeforeValidator(_due)]
    remind_days_before: Annotated[list[Annotated[StrictInt, Field(ge=0, le=366)]], Field(min_length=1)] = [7, 1]
    channel: Annotated[str, _matching(_CHANNEL, "must be a Slack channel id such as C0123ABCD")] | None = None
    link: Annotated[str, _matching(re.compile(r"^https?://"), "must be an http(s) URL")] | None = None
    atr_year: Annotated[StrictInt, Field(ge=1900, le=2100)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _blank_is_missing(cls, raw: Any) -> Any:
        """`title:` left empty means the field was not filled in, not that the title is empty."""
        if isinstance(raw, dict):
            return {k: v for k, v in raw.items() if not (k in ("id", "title", "due") and v in (None, ""))}
        return raw


def _entry(path: Path, index: int, raw: Any) -> Deadline:
    where = f"{path}: deadlines[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a mapping")
    if isinstance(raw.get("id"), str):
        where = f"{path}: deadline '{raw['id']}'"
    try:
        entry = _DeadlineEntry.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {first_problem(exc)}") from exc
    atr_year = entry.atr_year
    if atr_year is None:
        match = re.fullmatch(r"atr-(\d{4})", entry.id)
        atr_year = int(match.group(1)) if match else None
    offsets = tuple(sorted(set(entry.remind_days_before), reverse=True))
    return Deadline(entry.id, entry.title, entry.due, offsets, entry.channel, entry.link, atr_year)


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
        (d for d in deadlines if d.days_left(today) >= 0 and (days is None or d.days_left(today) <= days)),
        key=lambda d: (d.due, d.id),
    )
