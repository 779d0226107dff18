"""Where builds live and which one is live.

    <data_dir>/index/CURRENT          name of the live build (replaced atomically)
    <data_dir>/index/builds/<name>/   one build: build.json, passages.db, vectors.npy, keyword/
    <data_dir>/index/build.lock       held while a build runs

A build is complete only once its build.json exists (written last, atomically), and
CURRENT only ever names complete builds, so a crash at any point leaves the last good
build live.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

POINTER = "CURRENT"
BUILDS = "builds"
BUILD_INFO = "build.json"
VECTORS = "vectors.npy"
LOCK = "build.lock"


def builds_dir(root: Path) -> Path:
    return root / BUILDS


def new_build_name() -> str:
    """Sorts in creation order (nanoseconds included), unique across processes."""
    now = time.time_ns()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9))
    return f"{stamp}.{now % 10**9:09d}-{secrets.token_hex(2)}"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, content: str) -> None:
    """Write to a temporary name, fsync, then rename over: readers see old or new, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def is_complete(build: Path) -> bool:
    return (build / BUILD_INFO).is_file()


def read_info(build: Path) -> dict[str, Any]:
    return json.loads((build / BUILD_INFO).read_text(encoding="utf-8"))


def live_name(root: Path) -> str | None:
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def live_build(root: Path) -> Path | None:
    name = live_name(root)
    if not name:
        return None
    build = builds_dir(root) / name
    return build if is_complete(build) else None


def switch_live(root: Path, name: str) -> None:
    if not is_complete(builds_dir(root) / name):
        raise ValueError(f"refusing to make incomplete build {name} live")
    write_atomically(root / POINTER, name + "\n")


def complete_builds(root: Path) -> list[Path]:
    """Complete builds, oldest first."""
    folder = builds_dir(root)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and is_complete(p))
