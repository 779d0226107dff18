"""Block Kit for ATR submissions: the form, confirmations, status, an office's links, help.

Whatever a user typed (links, notes, rejected codes) goes through `bot.blocks.escape`, and
links through `safe_url`, so nothing stored or echoed can ping people or inject links.
"""

from __future__ import annotations

import json

from atr.followup import FollowUp
from atr.health import Health
from atr.offices import office_name
from atr.report import TYPE_LABELS, TYPES, Coverage
from atr.store import StoredSubmission
from bot.blocks import MAX_BLOCKS, MAX_SECTION_CHARS, context, escape, safe_url, section, truncate, user_mention

SUBMIT_VIEW = "atr_submit"  # callback_id of the form
VIEW_CALLBACK_IDS = (SUBMIT_VIEW,)
FIELDS = ("office", "type", "year", "url", "note")  # block ids, named as atr.validation names fields
VALUE = "value"  # action_id of every input element
TYPE_OPTIONS = {"PI": "Patent (PI)", "TM": "Trademark (TM)", "ID": "Industrial design (ID)"}
USAGE = "/atr submit OFFICE TYPE YEAR URL [note]"
MAX_LINKED_CHARS = 1500  # a longer link is shown as plain text, whole, rather than cut to fit a section

HELP_TEXT = """\
*ATR links* — each office's Annual Technical Reports, one link per IP right and reporting year.
• `/atr` opens a form: office, IP right, reporting year, link and an optional note.
• `/atr submit OFFICE TYPE YEAR URL [note]` does the same in one line, e.g. \
`/atr submit GB TM {year} https://www.example.org/atr-{year}`
    OFFICE: the WIPO ST.3 code (GB, EP, WO…) · TYPE: PI, TM or ID (or patent, trademark, design) · \
YEAR: the year of the activities ({year} for the reports sent in {next_year}).
• `/atr list [OFFICE]` — an office's links over the years.
• `/atr status [YEAR] [chart]` — CWS Secretariat: offices × PI/TM/ID with counts per type and the links that \
do not work; `chart` also posts a chart in the channel.
• `/atr help` — this message.
Submitting again for the same office, IP right and year replaces the link; the earlier one is kept \
in the history. Once stored, the report is read and indexed, so questions about it are answered from it; \
a follow-up says so, or why not (e.g. the link returns 404). Delegates submit for their own office, \
the CWS Secretariat for any office. Replies are only visible to you."""


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def link(url: str) -> str:
    """The stored URL, shown exactly (escaped) and linked where it is a safe http(s) link of sensible length."""
    target, label = safe_url(url), escape(url)
    return f"<{target}|{label}>" if target and len(target) + len(label) <= MAX_LINKED_CHARS else label


def message(text: str, blocks: list[dict]) -> dict:
    return {"text": truncate(escape(text), MAX_SECTION_CHARS), "blocks": blocks[:MAX_BLOCKS]}


# --- the form ------------------------------------------------------------------------------


def _input(block_id: str, label: str, element: dict, hint: str | None = None, optional: bool = False) -> dict:
    block = {"type": "input", "block_id": block_id, "label": _plain(label), "element": element | {"action_id": VALUE}}
    if hint:
        block["hint"] = _plain(hint)
    return block | ({"optional": True} if optional else {})


def submit_modal(reporting_year: int, channel: str | None = None, office: str | None = None) -> dict:
    """The `/atr` form; `channel` (where it was opened) is kept for the confirmation."""
    office_input = {"type": "plain_text_input", "placeholder": _plain("e.g. GB, EP, WO")}
    if office:
        office_input["initial_value"] = office
    return {
        "type": "modal",
        "callback_id": SUBMIT_VIEW,
        "title": _plain("Submit an ATR link"),
        "submit": _plain("Submit"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"channel": channel}),
        "blocks": [
            _input(
                "office",
                "Office (WIPO ST.3 code)",
                office_input,
                "The two-letter code of the office in WIPO Standard ST.3.",
            ),
            _input(
                "type",
                "IP right",
                {
                    "type": "static_select",
                    "placeholder": _plain("Patent, trademark or industrial design"),
                    "options": [{"text": _plain(label), "value": code} for code, label in TYPE_OPTIONS.items()],
                },
            ),
            _input(
                "year",
                "Reporting year",
                {"type": "plain_text_input", "initial_value": str(reporting_year)},
                f"The year of the activities reported on: the reports sent in {reporting_year + 1} "
                f"are on {reporting_year}.",
            ),
            _input(
                "url",
                "Link to the report",
                {"type": "plain_text_input", "placeholder": _plain("https://…")},
                "An https:// address where the report can be read.",
            ),
            _input(
                "note",
                "Note",
                {"type": "plain_text_input", "multiline": True, "max_length": 500},
                'Optional, e.g. "simplified template".',
                optional=True,
            ),
        ],
    }


def form_values(view: dict) -> dict[str, str]:
    """The form's fields as `AtrAccess.validate` takes them (empty strings for blanks)."""
    values = view.get("state", {}).get("values", {})

    def field(block_id: str) -> dict:
        return values.get(block_id, {}).get(VALUE) or {}

    selected = field("type").get("selected_option") or {}
    return {
        "office": field("office").get("value") or "",
        "ip_type": selected.get("value") or field("type").get("value") or "",
        "year": field("year").get("value") or "",
        "url": field("url").get("value") or "",
        "note": field("note").get("value") or "",
    }


def channel_of(view: dict) -> str | None:
    """The channel the form was opened from (private_metadata), if any."""
    try:
        channel = json.loads(view.get("private_metadata") or "{}").get("channel")
    except (ValueError, AttributeError):
        return None
    return channel if isinstance(channel, str) and channel else None


def problem_modal(text: str) -> dict:
    """Replaces the form when the submission could not be handled at all."""
    return {
        "type": "modal",
        "title": _plain("Submit an ATR link"),
        "close": _plain("Close"),
        "blocks": [section(escape(text))],
    }


# --- replies -------------------------------------------------------------------------------


def confirmation(stored: StoredSubmission) -> dict:
    """Exactly what was committed, and the link it replaced."""
    label = TYPE_LABELS[stored.ip_type]
    lines = [
        f":white_check_mark: *Stored* — the ATR on {stored.year} activities",
        f"*Office:* {stored.office} ({escape(office_name(stored.office))})",
        f"*IP right:* {label} ({stored.ip_type})",
        f"*Reporting year:* {stored.year} (the year of the activities)",
    ]
    blocks = [section("\n".join(lines)), section(f"*Link:* {link(stored.url)}")]  # each long field in its own section
    blocks.append(section(f"*Note:* {escape(stored.note)}" if stored.note else "*Note:* —"))
    if stored.previous_url:
        blocks.append(section(f"*Replaced:* {link(stored.previous_url)} (kept in the history)"))
    by = user_mention(stored.user_id) or escape(stored.user_id)
    blocks.append(context(f"Version {stored.version} · submitted by {by} · {escape(stored.submitted_at)}"))
    fallback = f"Stored: {stored.office} {label} ATR on {stored.year} activities: {stored.url}"
    return message(fallback, blocks)


def follow_up_message(follow: FollowUp) -> dict:
    """What reading the link just stored gave: the report indexed, or why not (the link stays stored)."""
    icon = ":warning:" if follow.check.outcome == "failed" else ":page_facing_up:"
    return message(follow.text, [section(truncate(f"{icon} {escape(follow.text)}", MAX_SECTION_CHARS))])


def health_blocks(health: Health) -> list[dict]:
    """The year's links that do not work, and how many were read (nothing when none were submitted)."""
    if not health.total:
        return []
    lines = [f"*Links read and indexed:* {health.indexed} of {health.total}"]
    lines += [
        f"• *{escape(p.label)}* {escape(p.state())}: {escape(p.record.reason or '')} — {link(p.record.url)}"
        for p in health.problems
    ]
    if health.unread:
        lines.append("• not read yet: " + ", ".join(f"{s.office} {s.year} {s.ip_type}" for s in health.unread))
    return [section(truncate("\n".join(lines), MAX_SECTION_CHARS))]


def rejected(errors: dict[str, str]) -> dict:
    """A one-line submission with bad fields: every problem, and nothing stored."""
    problems = [f"• {escape(errors[f])}" for f in FIELDS if f in errors]
    text = "Nothing was stored:\n" + "\n".join(problems) + f"\nUsage: `{USAGE}`"
    return message("Nothing was stored: " + " ".join(errors[f] for f in FIELDS if f in errors), [section(text)])


def table_blocks(table: str) -> list[dict]:
    """A fixed-width table as code blocks, split by lines to fit Slack's section limit."""
    chunks, current = [], ""
    for line in escape(table).splitlines():
        if current and len(current) + len(line) + 8 > MAX_SECTION_CHARS:
            chunks.append(current)
            current = ""
        current += line + "\n"
    if current:
        chunks.append(current)
    return [section(f"```{chunk.rstrip()}```") for chunk in chunks]


def counts_line(cov: Coverage) -> str:
    counts = " · ".join(f"*{TYPE_LABELS[t]}:* {cov.count(t)}" for t in TYPES)
    return f"{counts} — {cov.total} ATRs from {len(cov.offices)} offices"


def coverage_blocks(cov: Coverage) -> list[dict]:
    blocks = [*table_blocks(cov.table()), section(counts_line(cov))]
    missing = [f"{t}: {', '.join(cov.missing(t))}" for t in TYPES if cov.missing(t)]
    if missing:
        blocks.append(context("Not yet submitted by expected offices — " + " · ".join(missing)))
    return blocks


def status_message(cov: Coverage, health: Health | None = None) -> dict:
    head = section(f"*ATR coverage — reports on {cov.year} activities* (sent in {cov.year + 1})")
    counts = ", ".join(f"{t} {cov.count(t)}" for t in TYPES)
    links = health_blocks(health) if health else []
    return message(f"ATRs on {cov.year} activities: {counts}", [head, *coverage_blocks(cov), *links])


def list_message(office: str, submissions: list[StoredSubmission]) -> dict:
    """An office's current links, newest reporting year first."""
    title = f"*ATR links of {office} ({escape(office_name(office))})*"
    if not submissions:
        return message(f"No ATR links of {office} yet.", [section(f"{title}\nNo links yet. Submit one with `/atr`.")])
    order = {t: i for i, t in enumerate(TYPES)}
    years = sorted({s.year for s in submissions}, reverse=True)
    blocks = [section(title)]
    for year in years[: MAX_BLOCKS - 2]:
        rows = sorted((s for s in submissions if s.year == year), key=lambda s: order.get(s.ip_type, 9))
        lines = [f"*{year}*"]
        for s in rows:
            note = f" — _{escape(s.note)}_" if s.note else ""
            lines.append(f"• {TYPE_LABELS[s.ip_type]}: {link(s.url)}{note}")
        blocks.append(section("\n".join(lines)))
    blocks.append(context("Current links; every earlier link is kept in the history."))
    return message(f"ATR links of {office}: {len(submissions)} in {len(years)} years", blocks)


def help_message(reporting_year: int, unknown: str | None = None) -> dict:
    blocks = []
    if unknown:
        blocks.append(context(f"I did not understand `{escape(truncate(unknown, 200))}`, so here is what `/atr` does."))
    blocks.append(section(HELP_TEXT.format(year=reporting_year, next_year=reporting_year + 1)))
    return message(f"/atr: submit ATR links with /atr or {USAGE}; /atr help for more.", blocks)
