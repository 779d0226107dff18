"""Run `cws serve` with its data directory on a tmpfs that is then filled: a real full disk (ENOSPC).

Started by test_full_disk.py under `unshare -Urm` (a user and mount namespace: no root needed
where unprivileged user namespaces are allowed), so the tmpfs exists for this process and
its children only. Usage: python full_disk_serve.py MOUNT SEED_INDEX LOG. Prints the bot's URL
once the disk is full, then serves until its stdin closes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

CWS = Path(sys.executable).parent / "cws"


def main(mount: Path, seed_index: Path, log: Path) -> int:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400m", "tmpfs", str(mount)], check=True)
    data = mount / "data"
    shutil.copytree(seed_index, data / "index")
    with log.open("w") as stderr:
        bot = subprocess.Popen(
            [str(CWS), "serve", "--http", "--port", "0", "--no-jobs"],
            env=os.environ | {"CWS_DATA_DIR": str(data)},
            stderr=subprocess.PIPE,
            text=True,
        )
        assert bot.stderr is not None
        url = None
        for line in bot.stderr:
            stderr.write(line)
            stderr.flush()
            if found := re.search(r"Listening on (\S+?)/slack/events", line):
                url = found.group(1)
                break
        if url is None:
            return 1
        _fill(mount / "filler")
        print(url, flush=True)
        try:
            sys.stdin.read()  # until the test is done
        finally:
            bot.terminate()
            stderr.write(bot.stderr.read())
            bot.wait(timeout=30)
    return 0


def _fill(path: Path) -> None:
    """Write until the file system says it is full."""
    block = b"\0" * (1 << 20)
    with path.open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(block)
        except OSError:
            pass
        small = b"\0" * 512
        try:
            while True:
                filler.write(small)
        except OSError:
            pass


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
