"""Where builds live and which one is live.

    <data_dir>/index/CURRENT          name of the live build (replaced atomically)
    <data_dir>/index/builds/<name>/   one build: build.json, passages.db, vectors.npy, keyword/
    <data_dir>/index/build.lock       held while a build runs

A build is complete only once its build.json exists (written last, atomically), and
CURRENT only ever names complete builds, so a crash at any point leaves the last good
build live. A build damaged later is skipped: the newest whole build serves instead
(`index.validate.serving_build`), and a killed build's partial folder is removed at the
next start-up (`remove_partial_builds`).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

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


@contextmanager
def lock_if_free(root: Path) -> Iterator[bool]:
    """Hold the build lock (the one `index.build.build_lock` takes) if no one does; yields whether it is held."""
    try:
        handle = open(root / LOCK, "a+")
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_partial_builds(root: Path, locked: bool = False) -> list[str]:
    """Delete what killed builds left behind: build folders without build.json, and stray pointer temp files.

    A build writes its folder while holding the build lock, so while the lock is free every
    folder without build.json is a leftover; while someone holds it, nothing is touched. The
    folder CURRENT names is never touched, whatever its state. `locked`: the caller holds the
    lock already. Folders are renamed aside under the lock and deleted after it is released,
    so a build starting meanwhile waits for a rename, not for a delete. Returns the names removed.
    """
    folder = builds_dir(root)
    if not folder.is_dir():
        return []
    if locked:
        doomed = _set_partials_aside(root)
    else:
        with lock_if_free(root) as held:
            if not held:
                log.info("a build is running in %s; partial builds are left for later", root)
                return []
            doomed = _set_partials_aside(root)
    for name, path in doomed:
        shutil.rmtree(path, ignore_errors=True)
        log.info("removed the partial build %s left by an interrupted build", name)
    return [name for name, _ in doomed]


def _set_partials_aside(root: Path) -> list[tuple[str, Path]]:
    live = live_name(root)
    for stray in root.glob(f".{POINTER}.*.tmp"):  # write_atomically cut off before its rename
        stray.unlink(missing_ok=True)
    doomed = []
    for path in builds_dir(root).iterdir():
        if path.is_dir() and not is_complete(path) and path.name != live:
            aside = path.with_name(path.name if path.name.startswith(".removing-") else f".removing-{path.name}")
            try:
                path.rename(aside)
            except OSError:
                continue
            doomed.append((path.name.removeprefix(".removing-"), aside))
    return doomed
