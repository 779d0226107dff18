"""Checks that a build is whole: before it serves, before it goes live, before a rollback.

A build can be damaged after it was written (a disk error, a copy cut short, a hand that
deleted the wrong file), so every build is checked each time it is opened, not only once.
The checks read what is cheap to read: build.json, the SQLite header and two row counts,
the vector matrix's header and one pass over its values (which serving reads anyway), the
keyword files' headers and ends. `check_build` runs them on a build folder (vectors
memory-mapped); `IndexVersion` runs the same pieces on what it loads. `validate_build` adds
a smoke query and runs once, before a new build goes live.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, NonNegativeInt, PositiveInt, ValidationError

from config.schema import first_problem
from index import keyword
from index.embedding import Embedder
from index.errors import BuildDamaged, IndexCorrupt, IndexOutdated
from index.layout import BUILD_INFO, VECTORS, builds_dir, complete_builds, live_name
from index.store import DB_NAME, PassageStore

SQLITE_MAGIC = b"SQLite format 3\x00"
# What bm25s writes for each keyword field (a field no passage has a token in is not written at all).
FIELD_JSON = ("params.index.json", "vocab.index.json")
FIELD_ARRAYS = ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy")
# Every passage has body text, so a build with passages always has this field.
REQUIRED_FIELD = "body"

T = TypeVar("T")


class _Model(BaseModel):
    name: str
    dimension: PositiveInt


class _Counts(BaseModel):
    documents: NonNegativeInt
    passages: NonNegativeInt


class _BuildInfo(BaseModel):
    """The fields of build.json that serving and validation rely on; others are allowed."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())
    model: _Model
    counts: _Counts
    keyword_schema: str
    created: str


def read_checked_info(directory: Path) -> dict[str, Any]:
    """build.json, refused with the reason when it is missing, unreadable or lacks a field the build is checked by."""
    name = directory.name
    if not directory.is_dir():
        raise BuildDamaged(name, "its folder does not exist")
    path = directory / BUILD_INFO
    if not path.is_file():
        raise BuildDamaged(name, "build.json is missing (the build did not finish)")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        _BuildInfo.model_validate(info)
    except OSError as exc:
        raise BuildDamaged(name, f"build.json cannot be read ({exc.strerror})") from exc
    except ValidationError as exc:
        raise BuildDamaged(name, f"build.json: {first_problem(exc)}") from exc
    except ValueError as exc:  # not UTF-8, not JSON
        raise BuildDamaged(name, f"build.json is not valid JSON ({exc})") from exc
    return info


def _sqlite_expected_size(header: bytes) -> int | None:
    """The file size the SQLite header promises (page size × page count), when the header says it is current."""
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    current = header[24:28] == header[92:96]  # the in-header size is valid only when these agree
    return page_size * pages if current and pages else None


def check_passages(directory: Path, info: dict[str, Any]) -> int:
    """The passage table is a whole SQLite file whose row counts agree with build.json; returns the passage count."""
    name = directory.name
    path = directory / DB_NAME
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            header = handle.read(100)
    except FileNotFoundError as exc:
        raise BuildDamaged(name, f"{DB_NAME} is missing") from exc
    except OSError as exc:
        raise BuildDamaged(name, f"{DB_NAME} cannot be read ({exc.strerror})") from exc
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise BuildDamaged(name, f"{DB_NAME} is not an SQLite database (empty, cut short or overwritten)")
    expected = _sqlite_expected_size(header)
    if expected is not None and size < expected:
        raise BuildDamaged(name, f"{DB_NAME} is truncated ({size:,} of {expected:,} bytes)")
    try:
        store = PassageStore(directory)
        passages = store.count()
        documents = int(store.query("select count(*) from documents")[0][0])
    except sqlite3.Error as exc:
        raise BuildDamaged(name, f"{DB_NAME} cannot be read ({exc})") from exc
    for what, found in (("passages", passages), ("documents", documents)):
        if found != info["counts"][what]:
            raise BuildDamaged(name, f"{DB_NAME} holds {found} {what}, build.json says {info['counts'][what]}")
    return passages


def load_vectors(directory: Path, mmap: bool = False) -> np.ndarray:
    """The vector matrix, memory-mapped or read in; a missing, cut-short or foreign file is refused."""
    name = directory.name
    try:
        return np.load(directory / VECTORS, mmap_mode="r" if mmap else None, allow_pickle=False)
    except FileNotFoundError as exc:
        raise BuildDamaged(name, f"{VECTORS} is missing") from exc
    except OSError as exc:
        raise BuildDamaged(name, f"{VECTORS} cannot be read ({exc.strerror})") from exc
    except (ValueError, EOFError) as exc:  # header or data cut short, or not a NumPy array at all
        raise BuildDamaged(name, f"{VECTORS} is cut short or not a vector matrix ({exc})") from exc


def check_vectors(name: str, vectors: np.ndarray, passages: int, dimension: int) -> None:
    """One float32 row of `dimension` per passage, every value finite: NaN would rank silently wrong."""
    if vectors.dtype != np.float32 or vectors.shape != (passages, dimension):
        raise BuildDamaged(
            name, f"{VECTORS} is {vectors.dtype} {vectors.shape}, expected float32 ({passages}, {dimension})"
        )
    with np.errstate(all="ignore"):
        total = vectors.sum()  # any NaN or infinity makes the sum non-finite: one pass, nothing copied
    if not np.isfinite(total):
        raise BuildDamaged(name, f"{VECTORS} holds NaN or infinite values")


def _json_object(path: Path, label: str, name: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BuildDamaged(name, f"{label} is missing") from exc
    except OSError as exc:
        raise BuildDamaged(name, f"{label} cannot be read ({exc.strerror})") from exc
    except ValueError as exc:
        raise BuildDamaged(name, f"{label} is cut short or not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise BuildDamaged(name, f"{label} is not a JSON object")
    return data


def _whole_flat_json(path: Path, label: str, name: str) -> None:
    """A flat JSON object ends with its only '}', so a file cut short shows at its end without parsing it all."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - 64))
            tail = handle.read()
    except FileNotFoundError as exc:
        raise BuildDamaged(name, f"{label} is missing") from exc
    except OSError as exc:
        raise BuildDamaged(name, f"{label} cannot be read ({exc.strerror})") from exc
    if not tail.rstrip().endswith(b"}"):
        raise BuildDamaged(name, f"{label} is cut short")


def check_keyword(directory: Path, passages: int) -> None:
    """Each keyword field has all its files, whole, and covers exactly `passages` rows."""
    name = directory.name
    folder = directory / keyword.KEYWORD_DIR
    if not folder.is_dir():
        raise BuildDamaged(name, f"{keyword.KEYWORD_DIR}/ is missing")
    label = f"{keyword.KEYWORD_DIR}/{keyword.COUNT_FILE}"
    counted = _json_object(folder / keyword.COUNT_FILE, label, name).get("passages")
    if counted != passages:
        raise BuildDamaged(name, f"{label} counts {counted} passages, {DB_NAME} holds {passages}")
    _whole_flat_json(folder / keyword.WORDS_FILE, f"{keyword.KEYWORD_DIR}/{keyword.WORDS_FILE}", name)
    fields = [f for f in keyword.FIELD_BOOSTS if (folder / f).exists()]
    if passages and REQUIRED_FIELD not in fields:
        raise BuildDamaged(name, f"{keyword.KEYWORD_DIR}/{REQUIRED_FIELD}/ is missing")
    for field in fields:
        prefix = f"{keyword.KEYWORD_DIR}/{field}"
        params = _json_object(folder / field / FIELD_JSON[0], f"{prefix}/{FIELD_JSON[0]}", name)
        if params.get("num_docs") != passages:
            raise BuildDamaged(name, f"{prefix} covers {params.get('num_docs')} passages, {DB_NAME} holds {passages}")
        _whole_flat_json(folder / field / FIELD_JSON[1], f"{prefix}/{FIELD_JSON[1]}", name)
        arrays = []
        for file in FIELD_ARRAYS:
            try:
                arrays.append(np.load(folder / field / file, mmap_mode="r", allow_pickle=False))
            except FileNotFoundError as exc:
                raise BuildDamaged(name, f"{prefix}/{file} is missing") from exc
            except (OSError, ValueError, EOFError) as exc:
                raise BuildDamaged(name, f"{prefix}/{file} is cut short or unreadable ({exc})") from exc
        data, indices, indptr = arrays
        if not (
            data.ndim == indices.ndim == indptr.ndim == 1
            and data.shape == indices.shape
            and (indptr.size == 0 or int(indptr[-1]) == data.size)
        ):
            raise BuildDamaged(name, f"{prefix}: its arrays disagree in length")


def load_keyword(directory: Path, passages: int) -> keyword.KeywordIndex:
    """The keyword fields read into memory, after the cheap checks; a file that parses badly is damage too."""
    check_keyword(directory, passages)
    try:
        return keyword.KeywordIndex(directory / keyword.KEYWORD_DIR)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BuildDamaged(directory.name, f"the keyword index cannot be read ({exc})") from exc


def check_build(directory: Path) -> dict[str, Any]:
    """Every cheap check on one build folder (vectors memory-mapped); returns its build.json.

    The keyword format is not checked here: an outdated build is whole, and a new build may still reuse its vectors.
    """
    info = read_checked_info(directory)
    passages = check_passages(directory, info)
    check_keyword(directory, passages)
    check_vectors(directory.name, load_vectors(directory, mmap=True), passages, int(info["model"]["dimension"]))
    return info


@dataclass(frozen=True)
class SkippedBuild:
    """A build passed over when choosing the one to serve, and why."""

    name: str
    reason: str
    outdated: bool = False  # whole, but in a keyword format this version cannot read

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


def serving_order(root: Path) -> list[str]:
    """Who serves, in order: the build CURRENT names, then the newest complete build older than it, then newer ones.

    Newer than live happens only after a rollback; those come last since someone chose to leave them.
    """
    live = live_name(root)
    names = [p.name for p in reversed(complete_builds(root)) if p.name != live]
    older = [n for n in names if live is None or n < live]
    newer = [n for n in names if live is not None and n > live]
    return ([live] if live else []) + older + newer


def first_good(root: Path, open_build: Callable[[Path], T]) -> tuple[T | None, list[SkippedBuild]]:
    """The first build in `serving_order` that `open_build` accepts, and the builds passed over on the way.

    `open_build` raises BuildDamaged (or IndexOutdated) for a build that cannot serve.
    """
    skipped: list[SkippedBuild] = []
    order = serving_order(root)
    if live_name(root) is None and order:
        skipped.append(SkippedBuild("CURRENT", "the pointer to the live build is missing or empty"))
    for name in order:
        try:
            return open_build(builds_dir(root) / name), skipped
        except BuildDamaged as exc:
            skipped.append(SkippedBuild(name, exc.reason))
        except IndexOutdated as exc:
            skipped.append(SkippedBuild(name, str(exc), outdated=True))
    return None, skipped


def _checked(directory: Path) -> Path:
    check_build(directory)
    return directory


def serving_build(root: Path) -> tuple[Path | None, list[SkippedBuild]]:
    """The build that serves (cheap checks only) and the builds passed over to reach it."""
    return first_good(root, _checked)


def is_outdated(info: dict[str, Any]) -> bool:
    """Written in a keyword format this version cannot read: whole, but it cannot serve until rebuilt."""
    return info.get("keyword_schema") != keyword.SCHEMA_VERSION


@dataclass(frozen=True)
class BuildState:
    """One kept build as `cws builds` lists it and `cws rollback` judges it."""

    name: str
    created: str | None
    documents: int | None
    passages: int | None
    model: str | None
    live: bool  # CURRENT names it
    serving: bool  # it answers questions (differs from `live` only when the live build is damaged)
    state: str  # valid, outdated, damaged or incomplete
    problem: str | None = None  # why it is not valid

    def as_dict(self) -> dict[str, Any]:
        return {
            "build": self.name,
            "created": self.created,
            "documents": self.documents,
            "passages": self.passages,
            "model": self.model,
            "live": self.live,
            "serving": self.serving,
            "state": self.state,
            "problem": self.problem,
        }


def _state(directory: Path, live: str | None) -> BuildState:
    name = directory.name
    try:
        info: dict[str, Any] | None = json.loads((directory / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = None
    if not isinstance(info, dict):
        info = None
    known: dict[str, Any] = info or {}
    counts: dict[str, Any] = known["counts"] if isinstance(known.get("counts"), dict) else {}
    model: dict[str, Any] = known["model"] if isinstance(known.get("model"), dict) else {}
    state = partial(
        BuildState,
        name=name,
        created=known.get("created"),
        documents=counts.get("documents"),
        passages=counts.get("passages"),
        model=model.get("name"),
        live=name == live,
        serving=False,
    )
    if not (directory / BUILD_INFO).is_file():
        return state(state="incomplete", problem="build.json is missing (the build did not finish)")
    try:
        checked = check_build(directory)
    except BuildDamaged as exc:
        return state(state="damaged", problem=exc.reason)
    if is_outdated(checked):
        return state(
            state="outdated",
            problem=f"keyword format {checked.get('keyword_schema')}, this version reads {keyword.SCHEMA_VERSION}",
        )
    return state(state="valid")


def describe_builds(root: Path) -> list[BuildState]:
    """Every build folder, newest first, each checked (cheap checks); the one that serves is marked."""
    folder = builds_dir(root)
    if not folder.is_dir():
        return []
    live = live_name(root)
    names = sorted((p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    states = {name: _state(folder / name, live) for name in names}
    if live is not None and live not in states:
        states[live] = BuildState(
            live, None, None, None, None, True, False, "damaged", "CURRENT names it, but its folder does not exist"
        )
    serving = next((n for n in serving_order(root) if n in states and states[n].state == "valid"), None)
    if serving is not None:
        states[serving] = replace(states[serving], serving=True)
    return sorted(states.values(), key=lambda s: s.name, reverse=True)


def validate_build(directory: Path, info: dict[str, Any], embedder: Embedder) -> None:
    """Raise IndexCorrupt naming the first problem found in a freshly written build."""
    problems = []
    dimension = info["model"]["dimension"]
    if dimension != embedder.dimension:
        problems.append(f"build.json says {dimension} dimensions, the model has {embedder.dimension}")
    try:
        passages = check_passages(directory, info)
        vectors = load_vectors(directory, mmap=True)
        check_vectors(directory.name, vectors, passages, embedder.dimension)
        keywords = load_keyword(directory, passages)
    except BuildDamaged as exc:
        problems.append(exc.reason)
    if problems:
        raise IndexCorrupt(f"build {directory.name} failed validation: " + "; ".join(problems))
    if passages:
        _smoke_query(directory, PassageStore(directory), vectors, keywords)


def _smoke_query(directory: Path, passages: PassageStore, vectors: np.ndarray, keywords: keyword.KeywordIndex) -> None:
    """A passage must find itself by its own words and by its own vector."""
    middle = passages.count() // 2
    sample = passages.fetch([middle])[0]
    words = tuple(dict.fromkeys(re.findall(r"[A-Za-z]{4,}", sample.text))) or tuple(sample.text.split()[:8])
    found = [row for row, _ in keywords.search(keyword.KeywordQuery(words=words), limit=5000)]
    if middle not in found:
        raise IndexCorrupt(f"build {directory.name} failed its smoke query: keyword search missed {sample.passage_id}")
    scores = np.asarray(vectors) @ np.asarray(vectors[middle])
    if float(scores[middle]) < float(scores.max()) - 1e-4:
        raise IndexCorrupt(f"build {directory.name} failed its smoke query: vector search missed row {middle}")


def live_build(root: Path) -> Path | None:
    """The build that serves: CURRENT's when it passes the cheap checks, else the newest whole build.

    So a reindex reuses a build that can be read, and a damaged live build costs a fallback, not a crash.
    """
    return serving_build(root)[0]
