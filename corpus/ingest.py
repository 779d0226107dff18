"""Finds the documents to index and turns each into passages on demand.

Scanning only hashes bytes; parsing happens later and only for documents whose
fingerprint changed, so a reindex of an unchanged corpus parses nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

from corpus.loaders import SUPPORTED_SUFFIXES, load_document
from corpus.loaders.errors import UnreadableDocument
from corpus.manifest import MANIFEST_NAME, ManifestEntry, ManifestError, read_manifest
from corpus.metadata import derive_meta
from corpus.model import DocumentMeta, LoadedDocument, Passage
from corpus.passages import build_passages

log = logging.getLogger(__name__)

# Bump when loaders or passage splitting change, so every document is re-parsed.
PARSER_VERSION = "3"  # 3: Word titles and paragraph numbering, symbols in headings


@dataclass(frozen=True)
class ParsedDocument:
    meta: DocumentMeta
    passages: list[Passage]


@dataclass(frozen=True)
class Skipped:
    """A file or folder not indexed this time, and why; `doc_id` when it is a document the index may hold."""

    path: str
    reason: str
    doc_id: str | None = None


@dataclass(frozen=True)
class Source:
    """One document to index: an identity, a fingerprint, a way to parse it, and the source it was found in."""

    doc_id: str
    path: str
    fingerprint: str
    parse: Callable[[], ParsedDocument] = field(compare=False, repr=False)
    origin: str = ""  # the indexed folder or file it belongs to; "" for the built-in records


@dataclass(frozen=True)
class Unreadable:
    """A file or folder that exists but could not be read: the index keeps what it had of it.

    `doc_id` is the file's document id, or the folder's id prefix ending in "/".
    """

    path: str
    reason: str
    doc_id: str

    def covers(self, doc_id: str) -> bool:
        return doc_id == self.doc_id or (self.doc_id.endswith("/") and doc_id.startswith(self.doc_id))


RootState = Literal["ok", "empty", "missing", "unreadable", "failed"]


@dataclass(frozen=True)
class RootScan:
    """What one indexed source (folder or file) yielded, so a build can name a source that lost everything."""

    path: str
    state: RootState
    documents: int = 0


@dataclass
class Scan:
    sources: list[Source]
    skipped: list[Skipped]
    unreadable: list[Unreadable] = field(default_factory=list)
    roots: list[RootScan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. manifest entries naming files that do not exist
    failures: list[str] = field(default_factory=list)  # sources that must not be built from (an invalid manifest)


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


def _walk(root: Path, found: Scan) -> list[Path]:
    """Every file under `root` outside hidden folders; a folder that cannot be listed is recorded as unreadable,
    so the build keeps its documents instead of removing them (Path.rglob silently skips such folders)."""

    def unreadable(exc: OSError) -> None:
        folder = Path(exc.filename) if exc.filename else root
        prefix = f"{root.name}/" if folder == root else f"{_doc_id(root, folder)}/"
        reason = f"cannot read folder: {exc.strerror}"
        found.skipped.append(Skipped(str(folder), reason))
        found.unreadable.append(Unreadable(str(folder), reason, prefix))

    files = []
    for folder, subfolders, names in os.walk(root, onerror=unreadable):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        files += [Path(folder) / name for name in names if not name.startswith(".")]
    return sorted(path for path in files if path.is_file())


def _add_file(root: Path, path: Path, doc_id: str, entry: ManifestEntry | None, found: Scan) -> bool:
    """Hash one file into a Source; False when it is not a document or cannot be read (reported either way)."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        found.skipped.append(Skipped(str(path), f"unsupported file type '{path.suffix or '(none)'}'"))
        return False
    try:
        content = path.read_bytes()
    except OSError as exc:
        reason = f"cannot read file: {exc.strerror}"
        found.skipped.append(Skipped(str(path), reason, doc_id))
        found.unreadable.append(Unreadable(str(path), reason, doc_id))
        return False
    entry_bytes = json.dumps(entry.model_dump() if entry else None, sort_keys=True).encode()
    parse = _file_parser(doc_id, path, entry)
    found.sources.append(Source(doc_id, str(path), _fingerprint(content, entry_bytes), parse, str(root)))
    return True


def scan_folder(root: Path, found: Scan) -> int:
    """Add the documents under `root` to `found`; returns how many. An invalid manifest fails the whole folder
    (nothing of it is added): indexing it without its metadata would silently strip every document's symbol."""
    try:
        manifest = read_manifest(root)
    except ManifestError as exc:
        found.failures.append(str(exc))
        return -1
    used: set[str] = set()
    count = 0
    for path in _walk(root, found):
        if path.name == MANIFEST_NAME:
            continue
        relative = path.relative_to(root).as_posix()
        key = relative if relative in manifest else path.name if path.name in manifest else None
        if key is not None:
            used.add(key)
        count += _add_file(root, path, _doc_id(root, path), manifest.get(key) if key else None, found)
    for name in sorted(set(manifest) - used):
        found.warnings.append(f"{root / MANIFEST_NAME}: the entry for '{name}' names a file that does not exist")
    return count


def scan_file(path: Path, found: Scan) -> int:
    """A single file as a source; the manifest beside it, if any, gives its metadata."""
    try:
        entry = read_manifest(path.parent).get(path.name)
    except ManifestError as exc:
        found.failures.append(str(exc))
        return -1
    if path.name == MANIFEST_NAME:
        found.skipped.append(Skipped(str(path), "a manifest is not a document"))
        return 0
    return int(_add_file(path, path, f"{path.parent.name}/{path.name}", entry, found))


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


def scan(paths: Iterable[Path], include_records: bool = True) -> Scan:
    """Every indexable document in `paths` (folders or single files), plus the records, and what was skipped."""
    found = Scan(record_sources() if include_records else [], [])
    for root in dict.fromkeys(Path(p).expanduser().resolve() for p in paths):
        readable_before = len(found.unreadable)
        if root.is_dir():
            count = scan_folder(root, found)
        elif root.is_file():
            count = scan_file(root, found)
        else:
            found.skipped.append(Skipped(str(root), "does not exist"))
            found.roots.append(RootScan(str(root), "missing"))
            continue
        unread = any(u.path == str(root) for u in found.unreadable[readable_before:])
        state: RootState = "failed" if count < 0 else "ok" if count else "unreadable" if unread else "empty"
        found.roots.append(RootScan(str(root), state, max(count, 0)))
    seen: set[str] = set()
    unique = []
    for source in found.sources:
        if source.doc_id in seen:
            found.skipped.append(Skipped(source.path, f"duplicate document id {source.doc_id}"))
            continue
        seen.add(source.doc_id)
        unique.append(source)
    found.sources = unique
    return found
