"""The measurements. Each prints its figures as it finishes (median and spread over runs)."""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from answering.engine import AnswerEngine
from bench.questions import questions
from bench.stats import percentile, spread
from bench.synthetic import passages_of, write_corpus
from bench.vectors import RandomUnitEmbedder
from config.settings import Settings, load_settings
from corpus.ingest import scan
from index.build import build_index, embedding_text
from index.encoders import get_embedder
from index.onnx_encoder import OnnxEmbedder
from index.version import LiveIndex

QUIET = lambda _label, _total: lambda _n: None  # noqa: E731
PARTS = ("analysis", "encode", "keyword", "vector", "fusion", "fetch", "answer")


def settings_for(data: Path, corpus: Path) -> Settings:
    return load_settings(environ={"CWS_DATA_DIR": str(data), "CWS_CORPUS_DIRS": str(corpus)})


class Bench:
    def __init__(self, workdir: Path, runs: int) -> None:
        self.workdir = workdir
        self.runs = runs
        # The encoder the product uses (onnxruntime, exported once into the bench's own models folder).
        self.model = get_embedder("all-MiniLM-L6-v2", models_dir=workdir / "models")
        self.raw_rate: float | None = None  # passages/s of model.encode, from the throughput runs
        self.build_seconds: dict[int, float] = {}

    # -- corpora -------------------------------------------------------------------------
    def corpus(self, size: int) -> Path:
        folder = self.workdir / f"corpus-{size}"
        if not (folder / ".complete").exists():
            shutil.rmtree(folder, ignore_errors=True)
            write_corpus(folder, size)
            (folder / ".complete").touch()
        return folder

    def indexed(self, size: int) -> Settings:
        """An index of `size` synthetic passages; stand-in vectors (see bench/vectors.py)."""
        settings = settings_for(self.workdir / f"data-{size}", self.corpus(size))
        if LiveIndex(settings.index_root).outdated():  # written by an older version: time a fresh build
            shutil.rmtree(settings.data_dir)
        if not (settings.index_root / "CURRENT").exists():
            stand_in = RandomUnitEmbedder(self.model.name, self.model.dimension)
            started = time.perf_counter()
            summary = build_index(
                settings.index_root,
                scan([self.corpus(size)]),
                stand_in,
                progress=QUIET,
                sources_label=[str(self.corpus(size))],
            )
            self.build_seconds[size] = time.perf_counter() - started
            print(f"[setup] built {summary.passages} passages in {self.build_seconds[size]:.0f}s (stand-in vectors)")
        self.give_export(settings.data_dir)
        return settings

    def give_export(self, data_dir: Path) -> None:
        """Copy the ONNX export into a data directory, as a build there would have left it (one per data dir)."""
        if isinstance(self.model, OnnxEmbedder):
            target = data_dir / "models" / self.model.directory.name
            if not target.exists():
                shutil.copytree(self.model.directory, target)

    # -- 1. ask latency ------------------------------------------------------------------
    def latency(self, size: int, count: int) -> None:
        settings = self.indexed(size)
        engine = AnswerEngine(settings, self.model)
        for question in questions(5, seed=999):
            engine.ask(question)  # warm: model, index files, caches of the first queries
        p50s, p95s, ratios = [], [], []
        parts: dict[str, list[float]] = {p: [] for p in PARTS}
        for run in range(self.runs):
            totals = []
            for question in questions(count, seed=run):
                answer = engine.ask(question)
                t = answer.timings
                totals.append(t["total"] * 1000)
                for part in PARTS:
                    parts[part].append(t.get(part, 0.0) * 1000)
                ratios.append(t["total"] / sum(t.get(p, 0.0) for p in PARTS))
            p50s.append(percentile(totals, 50))
            p95s.append(percentile(totals, 95))
        print(f"\n[1] ask latency at {size:,} passages ({self.runs} runs x {count} questions, warm, in-process)")
        print(f"    total p50 {spread(p50s)} ms   p95 {spread(p95s)} ms")
        print(
            "    "
            + "   ".join(f"{p} {statistics.median(parts[p]):.1f}/{percentile(parts[p], 95):.1f}" for p in PARTS)
            + "  (p50/p95 ms)"
        )
        print(f"    whole / sum of parts: median {statistics.median(ratios):.3f}, max {max(ratios):.3f}")

    # -- 2. build throughput against raw model.encode --------------------------------------
    def throughput(self, count: int) -> None:
        """The build against its encoder alone, and the two encoders against each other on the same texts.

        Each run times onnxruntime, sentence-transformers and the whole build back to back, every
        core each, so the ratios pair runs that saw the same machine.
        """
        import torch

        reference = get_embedder(self.model.name)  # sentence-transformers, the reference encoder
        folder = self.workdir / f"throughput-{count}"
        shutil.rmtree(folder, ignore_errors=True)
        write_corpus(folder / "corpus", count, seed=3)
        result = scan([folder / "corpus"], include_records=False)
        texts = [embedding_text(p) for s in result.sources for p in s.parse().passages]
        raw, torch_raw, pipeline = [], [], []
        for run in range(self.runs):
            started = time.perf_counter()
            self.model.encode(texts)  # the encoder the build uses, on every core as the build does
            raw.append(len(texts) / (time.perf_counter() - started))
            torch.set_num_threads(reference.build_threads)
            started = time.perf_counter()
            reference._model.encode(
                texts,
                batch_size=reference.batch_size,
                normalize_embeddings=True,  # type: ignore[attr-defined]
                convert_to_numpy=True,
                show_progress_bar=False,
            )  # the bare torch model
            torch_raw.append(len(texts) / (time.perf_counter() - started))
            root = folder / f"index-{run}"
            started = time.perf_counter()
            build_index(root, scan([folder / "corpus"], include_records=False), self.model, progress=QUIET)
            pipeline.append(len(texts) / (time.perf_counter() - started))
        self.raw_rate = statistics.median(raw)
        ratio = [p / r for p, r in zip(pipeline, raw)]
        speedup = [o / t for o, t in zip(raw, torch_raw)]
        library = self.model.encoder["library"]
        print(f"\n[2] index build throughput, {len(texts):,} passages, real model ({self.runs} runs)")
        print(
            f"    raw encode: {library} {spread(raw)} passages/s, sentence-transformers {spread(torch_raw)} "
            f"passages/s ({library} / sentence-transformers: median {statistics.median(speedup):.2f}, "
            f"{min(speedup):.2f}–{max(speedup):.2f})"
        )
        print(f"    full build {spread(pipeline)} passages/s")
        print(f"    build / raw: median {statistics.median(ratio):.3f} ({min(ratio):.3f}–{max(ratio):.3f})")

    # -- 3. reindex cost ---------------------------------------------------------------------
    def reindex(self, size: int) -> None:
        settings = self.indexed(size)
        corpus = self.corpus(size)
        unchanged = []
        for _ in range(self.runs):
            started = time.perf_counter()
            summary = build_index(
                settings.index_root, scan([corpus]), self.model, progress=QUIET, sources_label=[str(corpus)]
            )
            unchanged.append(time.perf_counter() - started)
            assert summary.passages_embedded == 0
        changed, embedded = [], []
        documents = sorted(corpus.glob("doc*.txt"))
        per_run = max(1, len(documents) // 100)  # 1 % of the documents = 1 % of the passages
        for run in range(self.runs):
            for path in documents[run * per_run : (run + 1) * per_run]:
                path.write_text(path.read_text(encoding="utf-8").replace("The ", f"The (rev {run}) "), encoding="utf-8")
            started = time.perf_counter()
            summary = build_index(
                settings.index_root, scan([corpus]), self.model, progress=QUIET, sources_label=[str(corpus)]
            )
            changed.append(time.perf_counter() - started)
            embedded.append(summary.passages_embedded)
        # The corpus and its index were edited: regenerate both next time, or the next
        # "nothing changed" run would find the edits undone.
        (corpus / ".complete").unlink()
        shutil.rmtree(settings.data_dir)
        full = self.full_build_estimate(size, settings)
        print(f"\n[3] reindex at {size:,} passages ({self.runs} runs)")
        print(f"    full build (estimated, see BENCHMARKS.md): {full:.0f}s")
        print(f"    nothing changed: {spread(unchanged)} s = {statistics.median(unchanged) / full:.2%} of a full build")
        print(
            f"    1% changed ({statistics.median(embedded):.0f} passages re-embedded, real model): "
            f"{spread(changed)} s = {statistics.median(changed) / full:.2%} of a full build"
        )

    def full_build_estimate(self, size: int, settings: Settings) -> float:
        """Non-embedding build time (measured with stand-in vectors) + embedding at the raw model rate."""
        if size not in self.build_seconds:
            root = self.workdir / f"full-{size}"
            shutil.rmtree(root, ignore_errors=True)
            stand_in = RandomUnitEmbedder(self.model.name, self.model.dimension)
            started = time.perf_counter()
            build_index(root, scan([self.corpus(size)]), stand_in, progress=QUIET)
            self.build_seconds[size] = time.perf_counter() - started
            shutil.rmtree(root, ignore_errors=True)
        if self.raw_rate is None:
            sample = passages_of(500)
            started = time.perf_counter()
            self.model.encode(sample)
            self.raw_rate = len(sample) / (time.perf_counter() - started)
        return self.build_seconds[size] + size / self.raw_rate

    # -- 4. memory ---------------------------------------------------------------------------
    def memory(self, size: int) -> None:
        settings = self.indexed(size)
        script = (
            "import json, sys\n"
            "from bench.questions import questions\n"
            "from bench.sections import settings_for\n"
            "from answering.engine import AnswerEngine\n"
            f"engine = AnswerEngine(settings_for({str(settings.data_dir)!r}, {str(self.corpus(size))!r}))\n"
            "for q in questions(30, seed=5): engine.ask(q)\n"
            # VmHWM is this process's own peak; ru_maxrss would also count the parent's RSS at fork.
            "hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
            "print(json.dumps({'max_rss_mb': hwm / 1024}))\n"
        )
        peaks = []
        for _ in range(self.runs):
            out = subprocess.run(
                [sys.executable, "-c", script],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
            )
            peaks.append(json.loads(out.stdout.strip().splitlines()[-1])["max_rss_mb"])
        print(f"\n[4] peak RSS serving {size:,} passages (30 questions): {spread(peaks)} MB")

    # -- 5. Slack acknowledgement latency ----------------------------------------------------
    def ack(self) -> None:
        from bench.ack import measure_ack

        settings = self.indexed(10_000)
        p50, p99, answered = measure_ack(settings, self.model, concurrent=20, runs=self.runs)
        print(f"\n[5] Slack ack latency, 20 questions at once (HTTP mode, fake Slack API, {self.runs} runs)")
        print(f"    p50 {spread(p50)} ms   p99 {spread(p99)} ms   answers posted {answered}")

    # -- 6. cold start -----------------------------------------------------------------------
    def cold_start(self, size: int) -> None:
        """New processes on an indexed data directory: `cws ask` until it exits, `cws serve --http` until /healthz
        is 200."""
        settings = self.indexed(size)
        env = {**os.environ, "CWS_DATA_DIR": str(settings.data_dir), "CWS_CORPUS_DIRS": str(self.corpus(size))}
        self._ask(env)  # not counted: the first run after a build reads the index files from disk
        asks = [self._ask(env) for _ in range(self.runs)]
        print(f"\n[6] cold start on {size:,} passages ({self.runs} runs, one new process each)")
        print(f"    cws ask, start to answer and exit: {spread(asks, 2)} s")
        serves = self._serve_runs(env)
        print(f"    cws serve --http, start to /healthz 200: {spread(serves, 2)} s")
        fresh = self.workdir / "coldstart-no-export"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(settings.index_root, fresh / "index", symlinks=True)
        once = self._ask({**env, "CWS_DATA_DIR": str(fresh)})
        print(f"    cws ask on a data directory without the ONNX export (exported once, then reused): {once:.2f} s")
        shutil.rmtree(fresh, ignore_errors=True)

    @staticmethod
    def _ask(env: dict[str, str]) -> float:
        started = time.perf_counter()
        subprocess.run(
            [str(CWS), "ask", "--json", "What did the Committee agree about ST.92?"],
            env=env,
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - started

    def _serve_runs(self, env: dict[str, str]) -> list[float]:
        from tests.slack.fake_slack import FakeSlack  # the tests' fake Slack Web API on 127.0.0.1

        fake = FakeSlack().start()
        slack = {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "bench-secret", "SLACK_API_URL": fake.api_url}
        try:
            return [_serve_until_healthy({**env, **slack}) for _ in range(self.runs)]
        finally:
            fake.stop()


CWS = Path(sys.executable).parent / "cws"


def _serve_until_healthy(env: dict[str, str], timeout: float = 120.0) -> float:
    """Seconds from starting `cws serve --http` to its first 200 from /healthz; the process is then stopped."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(CWS), "serve", "--http", "--port", "0", "--no-jobs"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        for line in process.stderr:  # the port is chosen by the system: read it from the start-up line
            found = re.search(r"\(health: (\S+)\)", line)
            if found:
                health = found.group(1)
                threading.Thread(target=process.stderr.read, daemon=True).start()  # keep its log from filling the pipe
                break
        else:
            raise RuntimeError(f"cws serve exited ({process.wait()}) before listening")
        while time.perf_counter() - started < timeout:
            try:
                with urlopen(health, timeout=5) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except (URLError, ConnectionError):
                pass
            time.sleep(0.01)
        raise RuntimeError(f"{health} did not answer 200 within {timeout:.0f} s")
    finally:
        process.terminate()
        process.wait(timeout=30)
