"""Run the benchmarks and print the figures recorded in BENCHMARKS.md.

python -m bench                      # everything, 10k and 100k passages
python -m bench --only latency --sizes 10000
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from bench import sections


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    processor = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {processor}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000", help="passage counts for latency, memory and reindex")
    parser.add_argument(
        "--throughput-passages", type=int, default=1500, help="passages embedded in the throughput runs"
    )
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument("--questions", type=int, default=60, help="questions per latency run")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "cws-bench")
    parser.add_argument(
        "--only", default="latency,throughput,reindex,memory,ack,coldstart", help="comma-separated sections to run"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    only = set(args.only.split(","))
    print(f"machine: {machine()}")
    print(f"started: {time.strftime('%Y-%m-%d %H:%M:%S')}")
    bench = sections.Bench(args.workdir, args.runs)
    if "throughput" in only:
        bench.throughput(args.throughput_passages)
    for size in sizes:
        if "latency" in only:
            bench.latency(size, args.questions)
        if "memory" in only:
            bench.memory(size)
        if "reindex" in only:
            bench.reindex(size)
    if "coldstart" in only:
        bench.cold_start(min(sizes))
    if "ack" in only:
        bench.ack()


if __name__ == "__main__":
    main()
