"""Questions of two parts: "Which country ..., and on what date did that country's office ...?"

Each part is answered on its own (the second may be answered by another document), and a
reference in the second part to the answer of the first ("that country", "this standard")
is replaced by what the first answer named.
"""

from __future__ import annotations

import re

from answering.kinds import countries

_SPLIT = re.compile(
    r",?\s+and\s+(?=(?:if not,?\s+)?(?:which|what|who|whom|when|where|why|how|on what|in which|in what|at which|"
    r"from which|for which)\b)",
    re.I,
)
_REFERENCE = re.compile(r"\b(?:that|this|the same|said)\s+(country|office|standard)(['’]s)?\b", re.I)
_STANDARD = re.compile(r"\bST\.\d+\b")


def split_parts(question: str) -> list[str]:
    """The question's parts; one part unless each side asks something on its own (three words or more)."""
    pieces = _SPLIT.split(question, maxsplit=1)
    if len(pieces) == 2 and all(len(re.findall(r"[A-Za-z0-9]{2,}", p)) >= 4 for p in pieces):
        return [pieces[0].strip(" ,") + "?", pieces[1].strip()]
    return [question]


def resolve_reference(part: str, earlier_answer: str) -> str:
    """Replace "that country" (office, standard) by the one the earlier answer named."""

    def replace(match: re.Match[str]) -> str:
        kind, possessive = match.group(1).lower(), match.group(2) or ""
        if kind in {"country", "office"}:
            found = countries().search(earlier_answer)
        else:
            found = _STANDARD.search(earlier_answer)
        return found.group(0) + possessive if found else match.group(0)

    return _REFERENCE.sub(replace, part)
