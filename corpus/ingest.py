"""Finds the documents to index and turns each into passages on demand.

Scanning only hashes bytes; parsing happens later and only for documents whose
fingerprint changed, so a reindex of an unchanged corpus parses nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from corpus.loaders import SUPPORTED_SUFFIXES, load_document
from corpus.loaders.errors import UnreadableDocument
from corpus.manifest import MANIFEST_NAME, ManifestEntry, ManifestError, read_manifest
from corpus.metadata import derive_meta
from corpus.model import DocumentMeta, LoadedDocument
from corpus.passages import build_passages

log = logging.getLogger(__name__)

# Bump when loaders or passage splitting change, so every document is re-parsed.
PARSER_VERSION = "2"


@dataclass(frozen=True)
class ParsedDocument:
    meta: DocumentMeta
    passages: list[Passage]


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class Source:
    """One document to index: an identity, a fingerprint, and a way to parse it."""

    doc_id: str
    path: str
    fingerprint: str
    parse: Callable[[], ParsedDocument] = field(compare=False, repr=False)


@dataclass
class Scan:
    sources: list[Source]
    skipped: list[Skipped]


def _fingerprint(*parts: bytes) -> str:
    digest = hashlib.sha256(PARSER_VERSION.encode())
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _file_parser(doc_id: str, path: Path, entry: ManifestEntry | None) -> Callable[[], ParsedDocument]:
    def parse() -> ParsedDocument:
        document = load_document(path)
        meta = derive_meta(doc_id, path, document, entry)
        passages = build_passages(meta, document)
        if not passages:
            raise UnreadableDocument("no text found")
        return ParsedDocument(meta, passages)

    return parse


def _doc_id(root: Path, path: Path) -> str:
    """Stable across runs and machines: the folder's name plus the path inside it."""
    return f"{root.name}/{path.relative_to(root).as_posix()}"


def scan_folder(root: Path, skipped: list[Skipped]) -> list[Source]:
    try:
        manifest = read_manifest(root)
    except ManifestError as exc:
        skipped.append(Skipped(str(root / MANIFEST_NAME), str(exc)))
        manifest = {}
    sources = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or path.name == MANIFEST_NAME:
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append(Skipped(str(path), f"unsupported file type '{path.suffix or '(none)'}'"))
            continue
        try:
            content = path.read_bytes()
        except OSError as exc:
            skipped.append(Skipped(str(path), f"cannot read file: {exc.strerror}"))
            continue
        entry = manifest.get(relative.as_posix()) or manifest.get(path.name)
        entry_bytes = json.dumps(entry.model_dump() if entry else None, sort_keys=True).encode()
        doc_id = _doc_id(root, path)
        sources.append(
            Source(doc_id, str(path), _fingerprint(content, entry_bytes), _file_parser(doc_id, path, entry))
        )
    return sources


def record_sources() -> list[Source]:
    """The structured records shipped with the project, indexed like documents."""
    from corpus.records import load_records

    sources = []
    for meta, document in load_records():
        payload = json.dumps([asdict(meta), [asdict(b) for b in document.blocks]], sort_keys=True)

        def parse(meta: DocumentMeta = meta, document: LoadedDocument = document) -> ParsedDocument:
            passages = [replace(p, kind="record") for p in build_passages(meta, document)]
            return ParsedDocument(meta, passages)

        sources.append(Source(meta.doc_id, meta.path, _fingerprint(payload.encode()), parse))
    return sources


def scan(corpus_dirs: Iterable[Path], include_records: bool = True) -> Scan:
    """Every indexable document under `corpus_dirs` (plus the records), and what was skipped."""
    roots = [Path(d).resolve() for d in corpus_dirs]
    skipped: list[Skipped] = []
    sources = record_sources() if include_records else []
    for root in roots:
        if not root.is_dir():
            skipped.append(Skipped(str(root), "not a directory"))
            continue
        sources.extend(scan_folder(root, skipped))
    seen: set[str] = set()
    unique = []
    for source in sources:
        if source.doc_id in seen:
            skipped.append(Skipped(source.path, f"duplicate document id {source.doc_id}"))
            continue
        seen.add(source.doc_id)
        unique.append(source)
    return Scan(unique, skipped)
