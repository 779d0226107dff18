"""A deterministic synthetic CWS corpus: realistic paragraphs with identifiers mixed in.

Documents are written in the Word-export text format of the sample corpus (a heading
line, then tab-started paragraphs), so the real loaders, passage splitter and entity
extractor do their real work on them.
"""

from __future__ import annotations

import random
from pathlib import Path

import pycountry

# Vocabulary drawn with Zipf-like weights (a few words frequent, most rare), as in real
# CWS documents: "IP offices" is everywhere, "quality of authority files" is not.
ACTORS = [
    "The International Bureau",
    "The Committee",
    "The Task Force",
    "The Secretariat",
    "IP offices",
    "The XML4IP Task Force",
    "The ICT Strategy Task Force",
    "The Sequence Listings Task Force",
    "The Legal Status Task Force",
    "The Name Standardization Task Force",
    "The Digital Transformation Task Force",
    "The 3D Task Force",
    "The Blockchain Task Force",
    "The API Task Force",
    "CWS Members",
    "Observers",
] + [f"The IP office of {c.name}" for c in list(pycountry.countries)[:120]]
VERBS = [
    "noted the progress of",
    "agreed to continue work on",
    "requested a revision of",
    "presented a proposal for",
    "considered the implementation of",
    "adopted the revised version of",
    "invited comments on",
    "reported on",
    "launched a survey on",
    "published guidelines on",
    "organized a workshop on",
    "prepared a draft of",
    "reviewed the results of",
    "approved the roadmap for",
    "discussed the challenges of",
    "shared its experience with",
    "completed the migration to",
    "tested a prototype for",
    "proposed to discontinue",
    "evaluated the use of",
]
MODIFIERS = [
    "electronic",
    "digital",
    "legal",
    "bibliographic",
    "structured",
    "machine-readable",
    "international",
    "regional",
    "national",
    "standardized",
    "harmonized",
    "automated",
    "secure",
    "open",
    "common",
    "global",
    "unified",
    "mandatory",
    "optional",
    "experimental",
    "multilingual",
    "historical",
    "cross-border",
    "sequence",
    "design",
    "trademark",
    "patent",
    "priority",
    "authority",
    "status",
    "full-text",
    "semantic",
    "visual",
    "three-dimensional",
    "cloud-based",
    "interoperable",
    "quality",
    "annual",
    "technical",
    "provisional",
    "final",
    "revised",
    "draft",
    "legacy",
    "modern",
    "proprietary",
    "public",
    "confidential",
    "searchable",
    "indexed",
    "granted",
    "pending",
    "expired",
    "opposed",
    "renewed",
    "divisional",
    "utility",
    "botanical",
    "figurative",
    "verbal",
    "colour",
    "sound",
    "nucleotide",
    "amino-acid",
    "chemical",
    "mechanical",
    "pharmaceutical",
    "agricultural",
    "maritime",
    "aerospace",
    "textile",
]
NOUNS = [
    "exchange",
    "data",
    "format",
    "schema",
    "resources",
    "listings",
    "files",
    "identifiers",
    "names",
    "representations",
    "images",
    "models",
    "documents",
    "publications",
    "records",
    "workflows",
    "platforms",
    "services",
    "interfaces",
    "catalogues",
    "registries",
    "validators",
    "statistics",
    "reports",
    "surveys",
    "guidelines",
    "recommendations",
    "requirements",
    "specifications",
    "conversions",
    "tools",
    "dictionaries",
    "vocabularies",
    "codes",
    "tables",
    "classifications",
    "citations",
    "abstracts",
    "claims",
    "drawings",
    "applicants",
    "inventors",
    "owners",
    "events",
    "translations",
    "deadlines",
    "fees",
    "notifications",
    "archives",
    "backfiles",
    "pipelines",
    "portals",
    "dashboards",
    "indicators",
    "metrics",
    "audits",
    "licences",
    "agreements",
    "mandates",
    "charters",
    "roadmaps",
    "milestones",
    "prototypes",
    "pilots",
    "releases",
    "versions",
    "patches",
    "tutorials",
    "webinars",
    "manuals",
    "glossaries",
    "thesauri",
    "ontologies",
    "taxonomies",
    "mappings",
    "crosswalks",
    "gazettes",
    "bulletins",
    "registers",
    "journals",
    "repositories",
    "mirrors",
    "endpoints",
]
TAILS = [
    "as referred to in paragraph {p} above",
    "in accordance with circular C.CWS.{c}",
    "under Task No. {t}",
    "at its {o} session",
    "as reported in document CWS/{s}/{d}",
    "following WIPO Standard ST.{st}",
    "for consideration at CWS/{s}",
    "during {y}",
    "with the support of the International Bureau",
    "in cooperation with {actor2}",
    "before the end of {y}",
    "",
    "",
    "",
]
ORDINALS = ["sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth"]
STANDARDS = [3, 9, 26, 27, 36, 37, 61, 80, 86, 87, 90, 91, 92, 93, 96]
HEADINGS = ["BACKGROUND", "PROGRESS REPORT", "WORK PLAN", "PROPOSAL", "IMPLEMENTATION", "RECOMMENDATIONS"]


def _zipf(rng: random.Random, items: list[str]) -> str:
    return rng.choices(items, weights=[1 / (rank + 1) for rank in range(len(items))])[0]


def subject(rng: random.Random) -> str:
    return f"{_zipf(rng, MODIFIERS)} {_zipf(rng, NOUNS)}"


def sentence(rng: random.Random) -> str:
    tail = rng.choice(TAILS).format(
        p=rng.randint(2, 30),
        c=rng.randint(150, 199),
        t=rng.choice([23, 24, 41, 44, 47, 55, 56, 58, 59, 61]),
        o=rng.choice(ORDINALS),
        s=rng.randint(6, 13),
        d=rng.randint(2, 30),
        st=rng.choice(STANDARDS),
        y=rng.randint(2015, 2025),
        actor2=_zipf(rng, ACTORS).replace("The ", "the "),
    )
    text = f"{_zipf(rng, ACTORS)} {_zipf(rng, VERBS)} the {subject(rng)}"
    return f"{text} {tail}".rstrip() + "."


def paragraph(rng: random.Random) -> str:
    """Four to eight sentences: 60-140 words, like a CWS paragraph."""
    return " ".join(sentence(rng) for _ in range(rng.randint(4, 8)))


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
