"""ATR reminders name who has not submitted and which links do not work; optionally each such office's
delegates get a DM ("your 2024 TM link returns 404")."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from atr.health import LinkProblem
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


def missing_note(store: AtrStore, year: int, configured: list[str], problems: Sequence[LinkProblem] = ()) -> str:
    """Who has not submitted for `year`, and which submitted links of that year do not work. With no expected
    offices (none configured, none submitted the year before) it says so: "everyone has submitted" would be
    a claim about nobody."""
    missing = missing_by_type(store, year, configured)
    broken = [f"• {p.sentence(f'{p.record.office} {p.record.ip_type}')}" for p in problems if p.record.year == year]
    if not expected_offices(store, year, configured):
        submitted = sorted({s.office for s in store.current(year)})
        lines = [
            (
                f"Who still has to submit ATRs on {year} activities is not known: no expected offices are "
                f"configured (atr.expected_offices) and none submitted for {year - 1}."
            )
        ]
        if submitted:
            lines.append(f"Submitted so far: {', '.join(submitted)}.")
    elif not any(missing.values()):
        lines = [f"Every expected office has submitted its ATRs on {year} activities. :tada:"]
    else:
        lines = [f"Not yet submitted for {year}:"]
        lines += [f"• {TYPE_LABELS[t]}: {', '.join(offices)}" for t, offices in missing.items() if offices]
    if broken:
        lines += [f"Submitted links that do not work ({year}):", *broken]
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
    problems: Sequence[LinkProblem] = (),
) -> list[str]:
    """DM each registered delegate of an office with missing ATRs or links that do not work, once per reminder."""
    missing = missing_by_type(store, year, configured)
    offices: dict[str, list[str]] = {}
    for ip_type, codes in missing.items():
        for code in codes:
            offices.setdefault(code, []).append(TYPE_LABELS[ip_type])
    broken: dict[str, list[str]] = {}
    for problem in problems:
        r = problem.record
        if r.year == year:
            broken.setdefault(r.office, []).append(problem.sentence(f"your {r.year} {r.ip_type} link"))
    sent = []
    for who, their_offices in sorted(policy.delegates.items()):
        if not who.startswith(("U", "W")):  # user groups cannot be messaged directly
            continue
        todo = {o: offices[o] for o in their_offices if o in offices}
        failing = {o: broken[o] for o in their_offices if o in broken}
        if not todo and not failing:
            continue
        key = f"nudge:{reminder_key}:{who}"
        if not ledger.claim(key, "nudge", reminder_key, who, ""):
            continue
        head = f":wave: Reminder — {deadline_title}." + (" Still missing for your office:" if todo else "")
        lines = [f"• {o} ({office_name(o)}): {', '.join(types)}" for o, types in sorted(todo.items())]
        if failing:
            lines.append("Links that do not work:" if todo else "Your links that do not work:")
            lines += [f"• {o}: {sentence}" for o, sentences in sorted(failing.items()) for sentence in sentences]
        tail = "Submit with `/atr`" + (" (a corrected link replaces the old one)." if failing else ".")
        text = "\n".join([head, *lines, tail])
        try:
            ledger.finish(key, "sent", poster.post(who, text))
            sent.append(who)
        except POST_ERRORS as exc:  # nothing was delivered; the next run may try again
            log.exception("nudging %s failed", who)
            ledger.finish(key, "failed", repr(exc))
    return sent
