"""From the chosen unit to the answer text: add the evidence next to it, keep it short.

- A decision in one sentence and the document or paragraph that records it in the next
  ("(See paragraph 105 of document CWS/9/25.)"): when the asked-for kind of thing sits in
  the adjacent sentence, the answer includes it.
- A lead-in that ends with a colon is followed by its items.
- A question of two parts ("which ..., and on what date ...") gets the best unit for its
  second part too, when the first unit does not answer it.
- The text is cut to `max_chars`, keeping the stretch that holds the most of what matters:
  the kind of thing asked for, the question's names, then its other words.
"""

from __future__ import annotations

import re

from answering.candidates import Candidate, Terms
from answering.intent import Intent
from answering.kinds import evidence
from answering.sentences import stems
from answering.units import Unit, neighbours

NEIGHBOUR_KINDS = frozenset({"version", "document", "paragraph", "date", "year", "number", "standard", "place"})


def _join(first: str, second: str) -> str:
    return f"{first.rstrip()} {second.lstrip()}"


def with_evidence(best: Candidate, units: list[Unit], intent: Intent, question: str, max_chars: int) -> str:
    """The unit's text, joined by the neighbouring unit that holds the asked-for kind of thing."""
    unit = best.unit
    text = unit.text
    before, after = neighbours(unit, units)
    if unit.body.rstrip().endswith(":") and after is not None:
        text = _join(text, after.text)
    elif intent.kind in NEIGHBOUR_KINDS and not best.found:
        for other in (after, before):
            if other is not None and evidence(intent.kind, other.body, intent, question):
                first, second = (text, other.text) if other is after else (other.text, text)
                if len(first) + len(second) + 1 <= max_chars:
                    return _join(first, second)
    return text


def add_part(text: str, part: Candidate | None, max_chars: int) -> str:
    """Append the answer to a question's second part unless the text already holds it."""
    if part is None or part.text in text:
        return text
    joined = _join(text, part.text) if text.rstrip().endswith((".", ";", ":")) else f"{text.rstrip()} … {part.text}"
    if len(joined) <= max_chars:
        return joined
    budget = max(60, max_chars - len(part.text) - 3)
    return f"{_cut(text, budget)} … {part.text}"[: max_chars * 2]


def _cut(text: str, budget: int) -> str:
    if len(text) <= budget:
        return text
    return text[: budget - 1].rsplit(" ", 1)[0] + "…"


def _weights(text: str, terms: Terms, intent: Intent, found: list[str]) -> list[tuple[int, int, float]]:
    """(start, end, weight) of what the answer should keep, most important highest."""
    spans = []
    for value in found:
        for match in re.finditer(re.escape(value), text):
            spans.append((match.start(), match.end(), 5.0))
    for name in intent.identifiers + intent.labels + intent.names:
        for match in intent.pattern(name).finditer(text):
            spans.append((match.start(), match.end(), 2.0))
    for match in re.finditer(r"\S+", text):
        word_stems = set(stems(match.group(0)))
        if word_stems & terms.keys:
            spans.append((match.start(), match.end(), 1.0))
    return spans


def fit(text: str, terms: Terms, intent: Intent, found: list[str], max_chars: int) -> str:
    """Shorten `text` to `max_chars`, keeping the stretch that holds the most of what matters."""
    text = re.sub(r"\s*\n\s*", " ", text).strip()
    if len(text) <= max_chars:
        return text
    weights = _weights(text, terms, intent, found)
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    best: tuple[float, int, int] | None = None
    chosen = (0, 0)
    for i, (start, _) in enumerate(words):
        budget = max_chars - (1 if start > 0 else 0) - 1
        j = i
        while j + 1 < len(words) and words[j + 1][1] - start <= budget:
            j += 1
        end = words[j][1]
        kept = sum(w for s, e, w in weights if s >= start and e <= end)
        key = (kept, int(j == len(words) - 1), -start)
        if best is None or key > best:
            best, chosen = key, (start, end)
    start, end = chosen
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")
