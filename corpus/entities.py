"""Find CWS identifiers in text and write each in one canonical spelling.

The same function runs on documents (index time) and on questions (query time), so
"st96", "ST 96" and "WIPO Standard ST.96" all meet as "ST.96" in the exact-match field.

Decisions (kept deliberately conservative: a false identifier boosts the wrong passage):
- Standards: "ST.<n>"; a lettered part ("ST.10/C") yields both "ST.10/C" and its
  parent "ST.10", so a question about either finds it. "ST" must not follow a letter
  or digit ("1st 2", "best 10") and must be followed by the number ("STATE 5", "St. Lucia");
  "St. 5" (capital S, dot, space) reads as saint/street and is skipped.
- Tasks: "Task No. <n>"; a plural keyword ("Tasks", "Nos.") also takes a list
  ("Tasks Nos. 23 and 24"), a singular one never does ("Task No. 58 and 19 tasks").
- Sessions: "CWS/<n>" (or "CWS/4BIS") from a bare "CWS/9", from a CWS document symbol
  ("CWS/9/25" -> "CWS/9") and from ordinals ("twelfth session", "12th session",
  the corpus misspelling "twelveth"). An ordinal session belongs to another body when
  "session(s) of the <body>" names one, or else when the nearest body named before it
  in the same sentence is not the CWS ("the General Assembly at its 40th session"); with
  "at its <ordinal> session" and no body before, the subject after decides ("At its
  eleventh session, the General Assembly ..."). Ordinals above SESSION_ORDINAL_MAX are
  never CWS sessions (the CWS met first in 2010, about once a year).
- Symbols: kept as printed, uppercased ("CWS/4BIS/16", "WO/GA/58/9", "PCT/WG/16/1");
  a trailing "Rev."/"Corr." is not part of the identifier.
- Circulars: "C.CWS.<n>". Years: 1960-2039, not inside numbers ("10,280", "3.2024")
  or symbols ("WO/GA/40/19"), but inside dotted dates ("16.09.2024").
- Fields are sorted with plain string order (so "ST.26" sorts before "ST.3").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from corpus.model import Entities

SESSION_ORDINAL_MAX = 30

_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_UNIT_ORD = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEEN_ORD = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
             "sixteenth", "seventeenth", "eighteenth", "nineteenth"]  # fmt: skip
_TENS_ORD = ["", "", "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth",
             "seventieth", "eightieth", "ninetieth"]  # fmt: skip

_SIMPLE_ORD: dict[str, int] = {w: i for i, w in enumerate(_UNIT_ORD) if w}
_SIMPLE_ORD |= {w: i + 10 for i, w in enumerate(_TEEN_ORD)}
_SIMPLE_ORD |= {w: i * 10 for i, w in enumerate(_TENS_ORD) if w}
_SIMPLE_ORD |= {"nineth": 9, "twelveth": 12, "fourtieth": 40}  # misspellings seen in the wild
_TENS_CARD: dict[str, int] = {w: i * 10 for i, w in enumerate(_TENS) if w} | {"fourty": 40}
_UNIT_ORD_MAP: dict[str, int] = {w: i for i, w in enumerate(_UNIT_ORD) if w} | {"nineth": 9}


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_ORD = (
    rf"(?:(?:{_alt(_TENS_CARD)})[\s-]?(?:{_alt(_UNIT_ORD_MAP)})"
    rf"|{_alt(_SIMPLE_ORD)}|\d{{1,2}}\s?(?:st|nd|rd|th))"
)
_ORD_RE = re.compile(rf"\b{_ORD}\b", re.I)
_SEP = r"[ \t\u00a0]*"

_STANDARD_RE = re.compile(
    rf"(?<![A-Za-z0-9])ST{_SEP}[.\-]?{_SEP}(?P<n>\d{{1,3}})"
    r"(?:/(?P<part>[A-Z])(?![A-Za-z0-9]))?(?!\d|[.,]\d)",
    re.I,
)
_SAINT_OR_STREET = re.compile(r"St\.\s")  # "Main St. 5" is an address, "St.26" a standard
_TASK_RE = re.compile(
    rf"\b(?P<kw>tasks?)\b{_SEP}-?{_SEP}(?:(?P<no>nos?\b\.?|numbers?\b|n[°º]|#){_SEP})?"
    r"(?P<n>\d{1,3})(?!\d|[.,]\d)"
    r"(?P<rest>(?:\s*(?:,\s*and|,|and|&|or)\s*(?:nos?\.?\s*|#)?\d{1,3}(?!\d))*)",
    re.I,
)
_SYMBOL_RE = re.compile(
    r"(?<![\w/.])(?P<sym>[A-Z]{1,8}(?:/[A-Z]{1,8})*/\d{1,3}(?:\s?BIS)?(?:/INF)?/\d{1,3})(?![\w/])",
    re.I,
)
# Lower-case symbols are accepted only with a known prefix ("cws/12/25"), so that
# "and/or/3/4" is not a symbol; printed symbols are upper case.
_SYMBOL_PREFIXES = frozenset({"cws", "wo", "pct", "scp", "sct", "sccr", "cdip", "igc", "pbc"})
_CIRCULAR_RE = re.compile(r"(?<![\w.])C\s*\.\s*CWS\s*\.\s*(\d{1,4})(?!\d)", re.I)
_BARE_SESSION_RE = re.compile(
    r"(?<![\w./])CWS[ \t\u00a0]?[/\-]?[ \t\u00a0]?(?P<n>\d{1,2})(?:\s?(?P<bis>bis))?(?![\w/]|[.,]\d)",
    re.I,
)
_SYMBOL_SESSION_RE = re.compile(r"^CWS/(\d{1,3}(?:BIS)?)/")
_ORD_SESSION_RE = re.compile(
    rf"\b(?P<ords>{_ORD}(?:\s*(?:,\s*and|,|and|&)\s*{_ORD})*)\s+"
    r"(?:(?:CWS|Committee(?:\s+on\s+WIPO\s+Standards)?)\s+)?sessions?\b"
    rf"|\b(?P<ord_cws>{_ORD})\s+CWS\b(?=\s*(?:[.,;:!?)]|$|meeting))",
    re.I,
)
_YEAR_RE = re.compile(r"(?<![\w,/])(19[6-9]\d|20[0-3]\d)(?!\d|[,.]\d)")
_DECIMAL_BEFORE = re.compile(r"\d\.$")  # "3.2024" is a number, ...
_DOTTED_DATE_BEFORE = re.compile(r"\b\d{1,2}\.\d{1,2}\.$")  # ... "16.09.2024" a date

# A sentence ends at . ! ? before a capital, unless the dot closes an abbreviation.
_SENTENCE_END = re.compile(
    r"(?<!\bNo)(?<!\bNos)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bDr)(?<!\bSt)(?<!\bpara)"
    r"(?<!\be\.g)(?<!\bi\.e)(?<!\b[A-Z])[.!?](?=\s+[A-Z\"“(\[])|\n"
)
_BODY_RE = re.compile(
    r"(?P<other>General\s+Assembl(?:y|ies)|Assembl(?:y|ies)|Coordination\s+Committee"
    r"|Standing\s+Committee|Program\s+and\s+Budget\s+Committee|Intergovernmental\s+Committee"
    r"|Advisory\s+Committee|Committee\s+on\s+Development|Diplomatic\s+Conference"
    r"|Working\s+Group|\b(?-i:GA|SCP|SCT|SCCR|CDIP|IGC|PBC)\b)"
    r"|(?P<tf>Task\s+Force)"
    r"|(?P<cws>\bCWS\b|Committee\s+on\s+WIPO\s+Standards|\bCommittee\b)",
    re.I,
)


def ordinal_word(n: int) -> str:
    """12 -> "twelfth", 21 -> "twenty-first" (for record titles and text)."""
    if not 1 <= n <= 99:
        raise ValueError(f"no ordinal word for {n}")
    if n < 10:
        return _UNIT_ORD[n]
    if n < 20:
        return _TEEN_ORD[n - 10]
    tens, units = divmod(n, 10)
    return _TENS_ORD[tens] if units == 0 else f"{_TENS[tens]}-{_UNIT_ORD[units]}"


def _ordinal_value(text: str) -> int | None:
    word = re.sub(r"\s+", " ", text.strip().lower())
    digits = re.fullmatch(r"(\d{1,2}) ?(?:st|nd|rd|th)", word)
    if digits:
        return int(digits.group(1)) or None
    if word in _SIMPLE_ORD:
        return _SIMPLE_ORD[word]
    for split in range(1, len(word)):  # "twenty-first", "twenty first", "twentyfirst"
        tens, units = word[:split].rstrip(" -"), word[split:]
        if tens in _TENS_CARD and units in _UNIT_ORD_MAP:
            return _TENS_CARD[tens] + _UNIT_ORD_MAP[units]
    return None


def _body_kind(match: re.Match[str]) -> str:
    return "other" if match.group("other") else "tf" if match.group("tf") else "cws"


def _belongs_to_cws(text: str, start: int, end: int, bounds: list[int]) -> bool:
    """Decide whether the ordinal session at text[start:end] is a CWS session (see module doc)."""
    sent_start = max((b for b in bounds if b <= start), default=0)
    sent_end = min((b for b in bounds if b >= end), default=len(text))
    after = text[end:sent_end]
    of = re.match(r"\s*of\s+(?:the\s+)?(.{0,80})", after, re.S)
    if of:
        first = _BODY_RE.search(of.group(1))
        if first:
            return _body_kind(first) == "cws"
    before = [m for m in _BODY_RE.finditer(text[sent_start:start]) if _body_kind(m) != "tf"]
    if before:
        return _body_kind(before[-1]) == "cws"
    if re.search(r"\b(?:its|their)\s+(?:resumed\s+)?$", text[sent_start:start], re.I):
        later = [m for m in _BODY_RE.finditer(after) if _body_kind(m) != "tf"]
        if later:
            return _body_kind(later[0]) == "cws"
    return True


def _is_year(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start]
    return not _DECIMAL_BEFORE.search(before) or bool(_DOTTED_DATE_BEFORE.search(before))


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _symbols(text: str) -> list[re.Match[str]]:
    found = []
    for m in _SYMBOL_RE.finditer(text):
        sym = m.group("sym")
        if sym.isupper() or sym.split("/")[0].lower() in _SYMBOL_PREFIXES:
            found.append(m)
    return found


def _norm_symbol(sym: str) -> str:
    return re.sub(r"\s+", "", sym).upper()


def _ordinal_sessions(text: str) -> set[str]:
    sessions: set[str] = set()
    bounds: list[int] | None = None
    for m in _ORD_SESSION_RE.finditer(text):
        if bounds is None:
            bounds = [b.end() for b in _SENTENCE_END.finditer(text)]
        if not _belongs_to_cws(text, m.start(), m.end(), bounds):
            continue
        for word in _ORD_RE.findall(m.group("ords") or m.group("ord_cws")):
            n = _ordinal_value(word)
            if n and n <= SESSION_ORDINAL_MAX:
                sessions.add(f"CWS/{n}")
    return sessions


def _task_numbers(m: re.Match[str]) -> list[int]:
    numbers = [int(m.group("n"))]
    plural = m.group("kw").lower() == "tasks" or (m.group("no") or "").lower().startswith("nos")
    if plural and m.group("rest"):
        numbers += [int(x) for x in re.findall(r"\d{1,3}", m.group("rest"))]
    return [n for n in numbers if n > 0]


def extract_entities(text: str) -> Entities:
    """Every identifier in `text`, normalised (see the module docstring for the rules)."""
    standards: set[str] = set()
    for m in _STANDARD_RE.finditer(text):
        n = int(m.group("n"))
        if n and not _SAINT_OR_STREET.match(m.group(0)):
            standards.add(f"ST.{n}")
            if m.group("part"):
                standards.add(f"ST.{n}/{m.group('part').upper()}")
    tasks = {f"Task No. {n}" for m in _TASK_RE.finditer(text) for n in _task_numbers(m)}
    symbol_matches = _symbols(text)
    symbols = {_norm_symbol(m.group("sym")) for m in symbol_matches}
    circular_matches = list(_CIRCULAR_RE.finditer(text))
    circulars = {f"C.CWS.{int(m.group(1))}" for m in circular_matches}
    masked = _mask(text, [m.span() for m in symbol_matches + circular_matches])
    sessions = {f"CWS/{s}" for sym in symbols for s in _SYMBOL_SESSION_RE.findall(sym)}
    for m in _BARE_SESSION_RE.finditer(masked):
        if int(m.group("n")):
            sessions.add(f"CWS/{int(m.group('n'))}{'BIS' if m.group('bis') else ''}")
    sessions |= _ordinal_sessions(masked)
    years = {m.group(1) for m in _YEAR_RE.finditer(masked) if _is_year(masked, m.start())}
    return Entities(
        standards=tuple(sorted(standards)),
        tasks=tuple(sorted(tasks)),
        sessions=tuple(sorted(sessions)),
        symbols=tuple(sorted(symbols)),
        circulars=tuple(sorted(circulars)),
        years=tuple(sorted(years)),
    )


def normalize_standard(s: str) -> str | None:
    """One standard as typed in a filter ("st92", "ST 10/c", "92") -> "ST.92", else None."""
    value = re.sub(r"^(?:WIPO\s+)?(?:Standard\s+)?", "", s.strip(), flags=re.I)
    if re.fullmatch(r"\d{1,3}(?:/[A-Za-z])?", value):
        value = "ST." + value
    m = _STANDARD_RE.fullmatch(value)
    if not m or not int(m.group("n")):
        return None
    part = f"/{m.group('part').upper()}" if m.group("part") else ""
    return f"ST.{int(m.group('n'))}{part}"


def normalize_task(s: str) -> str | None:
    """One task as typed ("58", "task-58", "Task No. 58") -> "Task No. 58", else None."""
    value = s.strip()
    if re.fullmatch(r"\d{1,3}", value):
        value = f"Task {value}"
    m = _TASK_RE.fullmatch(value)
    numbers = _task_numbers(m) if m else []
    return f"Task No. {numbers[0]}" if len(numbers) == 1 else None


def normalize_session(s: str) -> str | None:
    """One session as typed ("12", "cws12", "CWS/12", "twelfth session") -> "CWS/12", else None."""
    value = re.sub(r"^(?:the\s+)|\s+session$", "", s.strip(), flags=re.I).strip()
    if m := re.fullmatch(r"(\d{1,2})\s?(bis)?", value, re.I):
        value = "CWS/" + value
    if m := _BARE_SESSION_RE.fullmatch(value):
        n = int(m.group("n"))
        return f"CWS/{n}{'BIS' if m.group('bis') else ''}" if n else None
    ordinal = _ordinal_value(value) if _ORD_RE.fullmatch(value) else None
    return f"CWS/{ordinal}" if ordinal and ordinal <= SESSION_ORDINAL_MAX else None


def id_tokens(entities: Entities) -> list[str]:
    """Exact-match tokens for the keyword `ids` field: "st.26", "task-58", "cws/12", "c.cws.182"."""
    tokens = [s.lower() for s in entities.standards]
    tokens += ["task-" + t.rsplit(" ", 1)[-1] for t in entities.tasks]
    tokens += [s.lower() for s in entities.sessions + entities.symbols + entities.circulars]
    tokens += list(entities.years)
    return list(dict.fromkeys(t.replace(" ", "") for t in tokens))
