"""Slack acknowledgement latency: 20 mentions sent at once to the running bot (HTTP mode).

The bot runs its real HTTP server on 127.0.0.1 and talks to the fake Slack Web API used
by the tests (tests/slack/fake_slack.py), so nothing leaves the machine.
"""

from __future__ import annotations

import copy
import tempfile
import threading
import time
from pathlib import Path

from answering.engine import AnswerEngine
from bench.questions import questions
from bench.stats import percentile
from bot.app import create_app
from bot.http_server import EVENTS_PATH, HttpServer
from config.settings import Settings
from config.slack import SlackSecrets
from tests.slack.fake_slack import FakeSlack
from tests.slack.signing import JSON, SIGNING_SECRET, event_body, load_payload, send_signed


def measure_ack(settings: Settings, model, concurrent: int = 20, runs: int = 3) -> tuple[list[float], list[float], str]:  # type: ignore[no-untyped-def]
    fake = FakeSlack().start()
    data = Path(tempfile.mkdtemp(prefix="cws-bench-ack-"))
    bot_settings = settings.model_copy(update={"data_dir": data})
    engine = AnswerEngine(settings, model)  # the benchmark index; the bot's own state in `data`
    secrets = SlackSecrets(bot_token="xoxb-bench", signing_secret=SIGNING_SECRET, api_url=fake.api_url)
    app = create_app(bot_settings, engine, secrets=secrets)
    server = HttpServer(app, engine, "127.0.0.1", 0, bot_settings.slack.listener_threads).start()
    template = load_payload("event_app_mention.json")
    p50s, p99s, answered = [], [], []
    try:
        engine.ask("warm up")
        for run in range(runs):
            before = len(fake.calls_to("chat.postMessage", ok_only=True))
            latencies: list[float] = []
            lock = threading.Lock()

            def send(number: int, question: str) -> None:
                payload = copy.deepcopy(template)
                payload["event_id"] = f"EvBENCH{run:02d}{number:03d}"
                payload["event"]["ts"] = payload["event"]["event_ts"] = f"17169{run:02d}{number:03d}.000100"
                payload["event"]["text"] = f"<@U0CWSBOT> {question}"
                started = time.perf_counter()
                response = send_signed(server.url + EVENTS_PATH, event_body(payload), JSON)
                elapsed = (time.perf_counter() - started) * 1000
                assert response.status == 200
                with lock:
                    latencies.append(elapsed)

            threads = [
                threading.Thread(target=send, args=(n, q)) for n, q in enumerate(questions(concurrent, seed=100 + run))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            fake.wait_for("chat.postMessage", before + concurrent, timeout=300)
            answered.append(len(fake.calls_to("chat.postMessage", ok_only=True)) - before)
            p50s.append(percentile(latencies, 50))
            p99s.append(percentile(latencies, 99))
    finally:
        server.stop()
        fake.stop()
    return p50s, p99s, f"{sum(answered)}/{concurrent * runs}"
