"""The App Home tab and the deadline list of `/cws deadlines`."""

from __future__ import annotations

from datetime import date

from atr.report import Coverage
from bot.atr_blocks import context, coverage_blocks, link, message, section
from bot.blocks import escape
from jobs.deadlines import Deadline

MAX_HOME_BLOCKS = 100  # Slack's limit for a Home tab
NOT_CONFIGURED = (
    "No deadlines are configured. The maintainers can list them in a YAML file and set "
    "`jobs.deadlines_file` in the configuration (see `config/deadlines.example.yaml`)."
)
UNREADABLE = "The deadlines file could not be read; the problem has been logged for the maintainers."
HOME_INTRO = (
    "Ask me about the Committee on WIPO Standards: mention me in a channel, send me a direct message, "
    "or use `/cws QUESTION`. Submit your office's ATR links with `/atr` (`/atr help` for more)."
)


def _when(days_left: int) -> str:
    return "today" if days_left == 0 else "tomorrow" if days_left == 1 else f"in {days_left} days"


def deadline_line(deadline: Deadline, today: date) -> str:
    line = f"• *{deadline.due:%Y-%m-%d}* ({_when(deadline.days_left(today))}) — {escape(deadline.title)}"
    return line + (f" · {link(deadline.link)}" if deadline.link else "")


def deadline_text(deadlines: list[Deadline] | None, today: date, days: int | None, problem: str | None = None) -> str:
    """The lines of a deadline list, or why there are none."""
    if problem:
        return problem
    if deadlines is None:
        return NOT_CONFIGURED
    if not deadlines:
        return f"No deadlines in the next {days} days." if days else "No upcoming deadlines."
    return "\n".join(deadline_line(d, today) for d in deadlines)


def deadlines_message(deadlines: list[Deadline] | None, today: date, problem: str | None = None) -> dict:
    """`/cws deadlines`: every upcoming deadline, soonest first."""
    body = deadline_text(deadlines, today, None, problem)
    fallback = f"{len(deadlines)} upcoming deadlines" if deadlines else body
    return message(fallback, [section(f"*Upcoming deadlines*\n{body}")])


def _header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def home_view(
    deadlines: list[Deadline] | None, today: date, days: int, cov: Coverage, problem: str | None = None
) -> dict:
    """The Home tab: deadlines within `days`, then the coverage of this year's ATRs."""
    blocks = [
        section(HOME_INTRO),
        {"type": "divider"},
        _header(f"Upcoming deadlines (next {days} days)"),
        section(deadline_text(deadlines, today, days, problem)),
        {"type": "divider"},
        _header(f"ATR coverage: reports on {cov.year} activities"),
        context(
            f"The ATRs sent in {cov.year + 1} report on the activities of {cov.year}. "
            f"Updated {today:%Y-%m-%d}; reopen this tab to refresh."
        ),
        *coverage_blocks(cov),
    ]
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}
