"""Deadlines file: valid entries load; invalid ones are rejected naming file, entry and field."""

from datetime import date
from pathlib import Path

import pytest

from config.errors import ConfigError
from jobs.deadlines import load_deadlines, upcoming

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "deadlines.example.yaml"


def test_example_file_loads():
    deadlines = load_deadlines(EXAMPLE)
    atr = deadlines[0]
    assert (atr.id, atr.due, atr.remind_days_before, atr.atr_year) == ("atr-2025", date(2026, 6, 30), (30, 7, 1), 2025)


@pytest.mark.parametrize(
    "entry, message",
    [
        ("- {title: T, due: 2026-01-01}", "deadlines\\[0\\]: field 'id' is required"),
        ("- {id: a, due: 2026-01-01}", "deadline 'a': field 'title' is required"),
        ("- {id: a, title: T, due: soon}", "deadline 'a': field 'due' must be a date"),
        ("- {id: a, title: T, due: 2026-01-01, remind_days_before: [-1]}", "deadline 'a': field 'remind_days_before'"),
        ("- {id: a, title: T, due: 2026-01-01, remind_days_before: seven}", "deadline 'a': field 'remind_days_before'"),
        ("- {id: a, title: T, due: 2026-01-01, channel: general}", "deadline 'a': field 'channel'"),
        ("- {id: a, title: T, due: 2026-01-01, link: 'javascript:x'}", "deadline 'a': field 'link'"),
        ("- {id: A B, title: T, due: 2026-01-01}", "field 'id' must be"),
        ("- {id: a, title: T, due: 2026-01-01, colour: red}", "unknown field 'colour'"),
        ("- {id: a, title: T, due: 2026-01-01}\n  - {id: a, title: U, due: 2026-02-01}", "appears twice"),
    ],
)
def test_invalid_entries_name_file_entry_and_field(tmp_path, entry, message):
    path = tmp_path / "deadlines.yaml"
    path.write_text("deadlines:\n  " + entry + "\n")
    with pytest.raises(ConfigError, match=message) as info:
        load_deadlines(path)
    assert str(path) in str(info.value)


def test_upcoming_is_sorted_and_windowed():
    deadlines = load_deadlines(EXAMPLE)
    assert [d.id for d in upcoming(deadlines, date(2026, 6, 1))] == ["atr-2025", "cws-14-documents"]
    assert [d.id for d in upcoming(deadlines, date(2026, 6, 1), days=40)] == ["atr-2025"]
    assert upcoming(deadlines, date(2026, 12, 1)) == []
