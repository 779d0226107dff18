"""What the secretariat sees: coverage per year, an office's history, the wiki export."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass

from atr.offices import office_name
from atr.store import StoredSubmission

TYPES = ("PI", "TM", "ID")
TYPE_LABELS = {"PI": "Patent Information", "TM": "Trademark Information", "ID": "Industrial Designs Information"}


@dataclass(frozen=True)
class Coverage:
    """Offices × PI/TM/ID for one reporting year, with counts per type as in the CWS report."""

    year: int
    offices: dict[str, set[str]]  # office → types submitted
    expected: tuple[str, ...] = ()  # offices expected to submit (for "who has not")

    def count(self, ip_type: str) -> int:
        return sum(1 for types in self.offices.values() if ip_type in types)

    @property
    def total(self) -> int:
        return sum(len(types) for types in self.offices.values())

    def missing(self, ip_type: str) -> list[str]:
        return sorted(o for o in self.expected if ip_type not in self.offices.get(o, set()))

    def table(self) -> str:
        """Fixed-width text table (for Slack code blocks and the terminal)."""
        lines = [f"ATRs on {self.year} activities", f"{'Office':<8}" + "".join(f"{t:^6}" for t in TYPES)]
        for office in sorted(set(self.offices) | set(self.expected)):
            types = self.offices.get(office, set())
            lines.append(f"{office:<8}" + "".join(f"{'✓' if t in types else '·':^6}" for t in TYPES))
        lines.append(
            f"{'Total':<8}"
            + "".join(f"{self.count(t):^6}" for t in TYPES)
            + f"  = {self.total} ATRs from {len(self.offices)} offices"
        )
        return "\n".join(lines)


def coverage(submissions: list[StoredSubmission], year: int, expected: tuple[str, ...] = ()) -> Coverage:
    offices: dict[str, set[str]] = {}
    for s in submissions:
        if s.year == year:
            offices.setdefault(s.office, set()).add(s.ip_type)
    return Coverage(year, offices, expected)


# A cell starting with one of these is run as a formula by spreadsheets (OWASP, "CSV Injection"); the
# full-width forms are read as formulas by some East Asian spreadsheet settings.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
EXPORT_FIELDS = ["office", "office_name", "type", "type_label", "year", "url", "note", "submitted_at"]


def printable(text: str) -> str:
    """`text` without control characters or invisible formatting (keeping the joiners some scripts need):
    what is stored was cleaned on input, but rows written before that are cleaned here on their way out."""
    return "".join(ch for ch in text if ch in "\u200c\u200d" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def spreadsheet_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: one that would start a formula gets a leading single quote."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_LEADS) else value


def export_rows(submissions: list[StoredSubmission]) -> list[dict]:
    """One row per current link, ordered by office then type, as the ATR wiki's year page lists them."""
    order = {t: i for i, t in enumerate(TYPES)}
    rows = sorted(submissions, key=lambda s: (s.office, order.get(s.ip_type, 9), s.year))
    return [
        {
            key: printable(value) if isinstance(value, str) else value
            for key, value in {
                "office": s.office,
                "office_name": office_name(s.office),
                "type": s.ip_type,
                "type_label": TYPE_LABELS[s.ip_type],
                "year": s.year,
                "url": s.url,
                "note": s.note,
                "submitted_at": s.submitted_at,
            }.items()
        }
        for s in rows
    ]


def export(submissions: list[StoredSubmission], fmt: str) -> str:
    """JSON, or CSV whose cells a spreadsheet cannot run as formulas; neither carries control characters."""
    rows = export_rows(submissions)
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows({key: spreadsheet_cell(value) for key, value in row.items()} for row in rows)
        return out.getvalue()
    raise ValueError(f"unknown export format {fmt!r} (csv or json)")
