"""ATR reminders name who has not submitted; optionally each such office's delegates get a DM."""

from __future__ import annotations

import logging

from atr.offices import office_name
from atr.permissions import AccessPolicy
from atr.report import TYPE_LABELS, TYPES, coverage
from atr.store import AtrStore
from jobs.ledger import Ledger
from jobs.posting import POST_ERRORS, Poster

log = logging.getLogger(__name__)


def expected_offices(store: AtrStore, year: int, configured: list[str]) -> tuple[str, ...]:
    """The configured list, else the offices that submitted for the year before."""
    if configured:
        return tuple(sorted(set(configured)))
    return tuple(sorted({s.office for s in store.current(year - 1)}))


def missing_by_type(store: AtrStore, year: int, configured: list[str]) -> dict[str, list[str]]:
    table = coverage(store.current(year), year, expected_offices(store, year, configured))
    return {t: table.missing(t) for t in TYPES}


def missing_note(store: AtrStore, year: int, configured: list[str]) -> str:
    missing = missing_by_type(store, year, configured)
    if not any(missing.values()):
        return f"Every expected office has submitted its ATRs on {year} activities. :tada:"
    lines = [f"Not yet submitted for {year}:"]
    lines += [f"• {TYPE_LABELS[t]}: {', '.join(offices)}" for t, offices in missing.items() if offices]
    return "\n".join(lines)


def nudge_delegates(
    *,
    store: AtrStore,
    year: int,
    configured: list[str],
    policy: AccessPolicy,
    ledger: Ledger,
    poster: Poster,
    reminder_key: str,
    deadline_title: str,
) -> list[str]:
    """DM each registered delegate of an office with missing ATRs, once per reminder."""
    missing = missing_by_type(store, year, configured)
    offices: dict[str, list[str]] = {}
    for ip_type, codes in missing.items():
        for code in codes:
            offices.setdefault(code, []).append(TYPE_LABELS[ip_type])
    sent = []
    for who, their_offices in sorted(policy.delegates.items()):
        if not who.startswith(("U", "W")):  # user groups cannot be messaged directly
            continue
        todo = {o: offices[o] for o in their_offices if o in offices}
        if not todo:
            continue
        key = f"nudge:{reminder_key}:{who}"
        if not ledger.claim(key, "nudge", reminder_key, who, ""):
            continue
        lines = "\n".join(f"• {o} ({office_name(o)}): {', '.join(types)}" for o, types in sorted(todo.items()))
        text = f":wave: Reminder — {deadline_title}. Still missing for your office:\n{lines}\nSubmit with `/atr`."
        try:
            ledger.finish(key, "sent", poster.post(who, text))
            sent.append(who)
        except POST_ERRORS as exc:  # nothing was delivered; the next run may try again
            log.exception("nudging %s failed", who)
            ledger.finish(key, "failed", repr(exc))
    return sent
