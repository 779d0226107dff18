"""Deadlines file: valid entries load; invalid ones are rejected naming file, entry and field."""

from datetime import date
from pathlib import Path

import pytest

from config.errors import ConfigError
from jobs.deadlines import Deadline, load_deadlines, upcoming

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "deadlines.example.yaml"


def test_example_file_loads():
    deadlines = load_deadlines(EXAMPLE)
    atr = deadlines[0]
    assert (atr.id, atr.due, atr.remind_days_before, atr.atr_year) == ("atr-2025", date(2026, 6, 30), (30, 7, 1), 2025)


def test_valid_file_loads(tmp_path):
    path = tmp_path / "deadlines.yaml"
    path.write_text(
        "deadlines:\n"
        "  - {id: atr-2024, title: ATR, due: 2025-06-30, remind_days_before: [1, 7, 1, 0], channel: C0123ABCD}\n"
        "  - {id: other, title: '  Other ', due: '2025-07-01', link: 'https://example.org', atr_year: 2023}\n"
    )
    first, second = load_deadlines(path)
    assert first == Deadline("atr-2024", "ATR", date(2025, 6, 30), (7, 1, 0), "C0123ABCD", None, 2024)
    assert second == Deadline("other", "  Other ", date(2025, 7, 1), (7, 1), None, "https://example.org", 2023)


def test_empty_file_has_no_deadlines(tmp_path):
    path = tmp_path / "deadlines.yaml"
    path.write_text("deadlines:\n")
    assert load_deadlines(path) == []


@pytest.mark.parametrize(
    "entry, message",
    [
        ("- {title: T, due: 2026-01-01}", "deadlines\\[0\\]: missing required field 'id'"),
        ("- {id: a, due: 2026-01-01}", "deadline 'a': missing required field 'title'"),
        ("- {id: a, title: '', due: 2026-01-01}", "deadline 'a': missing required field 'title'"),
        ("- {id: a, title: T}", "deadline 'a': missing required field 'due'"),
        ("- {id: a, title: T, due: soon}", "deadline 'a': field 'due' must be a date like 2026-06-30"),
        ("- {id: a, title: T, due: 20260101}", "deadline 'a': field 'due' must be a date"),
        ("- {id: a, title: [T], due: 2026-01-01}", "deadline 'a': field 'title' should be a valid string"),
        (
            "- {id: a, title: T, due: 2026-01-01, remind_days_before: [-1]}",
            r"deadline 'a': field 'remind_days_before\[0\]' should be greater than or equal to 0",
        ),
        (
            "- {id: a, title: T, due: 2026-01-01, remind_days_before: [1, true]}",
            r"deadline 'a': field 'remind_days_before\[1\]'",
        ),
        ("- {id: a, title: T, due: 2026-01-01, remind_days_before: []}", "'a': field 'remind_days_before' should have"),
        ("- {id: a, title: T, due: 2026-01-01, remind_days_before: seven}", "'a': field 'remind_days_before' must be"),
        ("- {id: a, title: T, due: 2026-01-01, channel: general}", "deadline 'a': field 'channel' must be a Slack"),
        ("- {id: a, title: T, due: 2026-01-01, link: 'javascript:x'}", "deadline 'a': field 'link' must be an http"),
        ("- {id: a, title: T, due: 2026-01-01, atr_year: 25}", "deadline 'a': field 'atr_year' should be greater"),
        ("- {id: A B, title: T, due: 2026-01-01}", "deadline 'A B': field 'id' must be lower-case"),
        ("- {id: 7, title: T, due: 2026-01-01}", "deadlines\\[0\\]: field 'id' should be a valid string"),
        ("- {id: a, title: T, due: 2026-01-01, colour: red}", "deadline 'a': unknown field 'colour'"),
        ("- {id: a, titel: T, due: 2026-01-01}", "deadline 'a': unknown field 'titel'"),
        ("- just text", "deadlines\\[0\\] must be a mapping"),
        ("- {id: a, title: T, due: 2026-01-01}\n  - {id: a, title: U, due: 2026-02-01}", "appears twice"),
    ],
)
def test_invalid_entries_name_file_entry_and_field(tmp_path, entry, message):
    path = tmp_path / "deadlines.yaml"
    path.write_text("deadlines:\n  " + entry + "\n")
    with pytest.raises(ConfigError, match=message) as info:
        load_deadlines(path)
    assert str(info.value).startswith(f"{path}: ")


def test_upcoming_is_sorted_and_windowed():
    deadlines = load_deadlines(EXAMPLE)
    assert [d.id for d in upcoming(deadlines, date(2026, 6, 1))] == ["atr-2025", "cws-14-documents"]
    assert [d.id for d in upcoming(deadlines, date(2026, 6, 1), days=40)] == ["atr-2025"]
    assert upcoming(deadlines, date(2026, 12, 1)) == []
