"""A deterministic synthetic CWS corpus: realistic paragraphs with identifiers mixed in.

Documents are written in the Word-export text format of the sample corpus (a heading
line, then tab-started paragraphs), so the real loaders, passage splitter and entity
extractor do their real work on them.
"""

from __future__ import annotations

import random
from pathlib import Path

SUBJECTS = [
    "The International Bureau", "The Committee", "The Task Force", "The Secretariat", "IP offices",
    "The XML4IP Task Force", "The ICT Strategy Task Force", "The Sequence Listings Task Force", "CWS Members",
]
VERBS = [
    "noted the progress of", "agreed to continue work on", "requested a revision of", "presented a proposal for",
    "considered the implementation of", "adopted the revised version of", "invited comments on", "reported on",
]
OBJECTS = [
    "the exchange of priority documents", "legal status data", "XML resources for trademarks",
    "the data package format", "authority files of published patent documents", "web API standards",
    "sequence listings in XML", "3D models and 3D images", "the data cleaning of names", "industrial design data",
    "the Annual Technical Reports", "the global identifier project", "ICT recommendations for IP offices",
]
TAILS = [
    "as referred to in paragraph {p} above", "in accordance with circular C.CWS.{c}", "under Task No. {t}",
    "at its {o} session", "as reported in document CWS/{s}/{d}", "following WIPO Standard ST.{st}",
    "for consideration at CWS/{s}", "during {y}", "with the support of the International Bureau",
]
ORDINALS = ["sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth"]
STANDARDS = [3, 9, 26, 27, 36, 37, 61, 80, 86, 87, 90, 91, 92, 93, 96]
HEADINGS = ["BACKGROUND", "PROGRESS REPORT", "WORK PLAN", "PROPOSAL", "IMPLEMENTATION", "RECOMMENDATIONS"]


def sentence(rng: random.Random) -> str:
    tail = rng.choice(TAILS).format(
        p=rng.randint(2, 30), c=rng.randint(150, 199), t=rng.choice([23, 24, 41, 44, 47, 55, 56, 58, 59, 61]),
        o=rng.choice(ORDINALS), s=rng.randint(6, 13), d=rng.randint(2, 30), st=rng.choice(STANDARDS),
        y=rng.randint(2015, 2025),
    )
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {tail}."


def paragraph(rng: random.Random) -> str:
    """Three to six sentences: 60-140 words, like a CWS paragraph."""
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def document(rng: random.Random, passages: int) -> str:
    lines: list[str] = []
    for index in range(passages):
        if index % 8 == 0:
            lines.append(rng.choice(HEADINGS))
        lines.append("\t" + paragraph(rng))
    return "\n".join(lines) + "\n"


def passages_of(count: int, seed: int = 7) -> list[str]:
    """`count` paragraphs, without writing files (for raw-model throughput)."""
    rng = random.Random(seed)
    return [paragraph(rng) for _ in range(count)]


def write_corpus(folder: Path, passages: int, per_document: int = 50, seed: int = 7) -> list[Path]:
    """Write documents holding `passages` paragraphs in all; same seed, same bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for number in range((passages + per_document - 1) // per_document):
        size = min(per_document, passages - number * per_document)
        path = folder / f"doc{number:05d}.txt"
        path.write_text(document(rng, size), encoding="utf-8")
        paths.append(path)
    return paths
