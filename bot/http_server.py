"""HTTP mode: Slack's Events API at POST /slack/events and GET /healthz, on waitress.

waitress is a real multi-threaded WSGI server (pure Python, no C build), so a slow
request never holds up another; bolt's own WSGI adapter verifies and dispatches Slack's
requests. /healthz lets a load balancer or a person see the live index at a glance.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from wsgiref.types import StartResponse, WSGIEnvironment

import waitress
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import wasyncore

from answering.engine import AnswerEngine
from config.errors import CwsError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_048_576  # Slack's payloads are a few kilobytes


def health(engine: AnswerEngine) -> tuple[str, dict]:
    """200 with the live index version and size, or 503 when there is no usable index."""
    try:
        version = engine.live.current()
    except CwsError as exc:
        return "503 Service Unavailable", {"status": "unavailable", "error": str(exc)}
    return "200 OK", {
        "status": "ok",
        "index_version": version.name,
        "documents": version.document_count,
        "passages": version.passage_count,
    }


def wsgi_app(app: App, engine: AnswerEngine) -> Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in {"GET", "HEAD"}:
            status, body = health(engine)
            data = json.dumps(body).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
            return [data]
        return slack(environ, start_response)  # /slack/events; 404 for anything else

    return application


class HttpServer:
    """The bot's HTTP server; `serve_forever()` for `cws serve`, `start()`/`stop()` for tests."""

    def __init__(self, app: App, engine: AnswerEngine, host: str, port: int, threads: int) -> None:
        self.server = waitress.create_server(
            wsgi_app(app, engine), host=host, port=port, threads=threads, ident="cws-assistant",
            max_request_body_size=MAX_BODY_BYTES,
        )
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        """waitress's loop, a short poll at a time so `stop()` can end it from another thread."""
        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=0.2, map=self.server._map, count=1)
        finally:
            self.server.task_dispatcher.shutdown(timeout=5)
            wasyncore.close_all(self.server._map)

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self.serve_forever, name="cws-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
