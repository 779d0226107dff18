"""HTTP mode: Slack's Events API at POST /slack/events and GET /healthz, on waitress.

waitress is a real multi-threaded WSGI server (pure Python, no C build): requests are read
by one event loop and answered by `slack.listener_threads` threads, so a slow request never
holds up another. Every request to /slack/events is checked (`bot.inbound`: signature,
then shape) before bolt sees it. /healthz lets a load balancer or a person see the live
index at a glance.

Connections are cheap to open and waitress's defaults let them sit: 100 at most, an idle
one closed after 120 s, and a request may trickle in a byte at a time for as long as it
likes. 99 idle sockets, no signature needed, made the bot unreachable for two minutes. So
(`slack.*`, all measured in tests/slack/test_connections.py):

- a connection that sends nothing for `idle_timeout_seconds` is closed, before its first
  request or between two;
- a request must arrive whole within `request_timeout_seconds` of its first byte
  (slowloris), and at most 1 MB of it;
- at `max_connections` the connection idle the longest is closed to make room, so new
  connections are always taken: an idle flood cannot keep Slack's requests out, it only
  closes itself. A connection whose request is being answered is never closed this way.
- the event loop waits with poll(), not select(), so descriptors above 1024 work.

The port is bound first (`bind`), before the index and model load, so a port in use is
reported at once in one line.
"""

from __future__ import annotations

import errno
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from wsgiref.types import StartResponse, WSGIEnvironment

from slack_bolt import App, BoltRequest
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from answering.engine import AnswerEngine
from bot.health import HealthWatch, http_status
from bot.inbound import Refused, check, parse, request_key, ssl_check, verify
from bot.middleware import REQUEST_KEY
from config.errors import CwsError
from config.settings import SlackSettings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_048_576  # Slack's payloads are a few kilobytes
LOOP_TIMEOUT = 0.2  # seconds the event loop waits at most: how soon `stop()` and the timeouts take effect


class CannotListen(CwsError):
    """The HTTP port cannot be opened (in use, not allowed, no such address)."""


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, not yet listening; CannotListen saying why in one line."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise CannotListen(f"cannot listen on {host}:{port}: no such address of this machine ({exc.strerror})") from exc
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart need not wait for TIME_WAIT
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            why = "the port is already in use (another 'cws serve'?); stop it or choose another with --port"
        elif exc.errno == errno.EACCES:
            why = "not allowed (ports below 1024 need privileges); choose another with --port"
        elif exc.errno == errno.EADDRNOTAVAIL:
            why = f"{host} is not an address of this machine; see --host"
        else:
            why = exc.strerror or str(exc)
        raise CannotListen(f"cannot listen on {host}:{port}: {why}") from exc
    return sock


# --- /slack/events and /healthz --------------------------------------------------------------------------------------


def _headers(environ: WSGIEnvironment) -> dict[str, str]:
    found = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    found["content-type"] = environ.get("CONTENT_TYPE", "")
    return found


def _body(environ: WSGIEnvironment) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _respond(start_response: StartResponse, status: str, body: bytes, content_type: str) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


PLAIN = "text/plain;charset=utf-8"
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}


def events(app: App, secret: str, environ: WSGIEnvironment) -> tuple[int, str, bytes]:
    """Check the request in the safe order, then let bolt dispatch it: (status, content type, body)."""
    raw = _body(environ)
    headers = _headers(environ)
    if ssl_check(raw, headers["content-type"]):
        return 200, PLAIN, b""  # Slack checking the certificate of a slash command's URL; bolt answers it unsigned too
    try:
        timestamp = verify(raw, headers, secret)
    except Refused as exc:  # anyone can send these: not worth more than a line at INFO
        log.info("refused an unsigned request from %s: %s", environ.get("REMOTE_ADDR", "?"), exc)
        return exc.status, PLAIN, REASONS[exc.status].encode()
    try:
        body = parse(raw, headers["content-type"])
        check(body)
    except Refused as exc:  # signed by Slack, yet not what Slack sends: worth a look
        log.warning("refused a malformed signed request: %s", exc)
        return exc.status, PLAIN, f"{REASONS[exc.status]}: {exc}".encode()
    passed: dict[str, str | Sequence[str]] = {**headers, "content-type": "application/json"}
    request = BoltRequest(
        body=json.dumps(body),
        headers=passed,
        context={REQUEST_KEY: request_key(raw, timestamp)},
    )
    response = app.dispatch(request)
    content_type = next((v[0] for k, v in response.headers.items() if k.lower() == "content-type" and v), PLAIN)
    return response.status, content_type, response.body.encode()


def wsgi_app(app: App, engine: AnswerEngine) -> Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]:
    secret = getattr(app, "signing_secret", "")
    watch: HealthWatch = getattr(app, "health", None) or HealthWatch(engine.live, None)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method in {"GET", "HEAD"}:
            health = watch.check()
            body = json.dumps(health.as_dict()).encode()
            return _respond(start_response, http_status(health), body, "application/json")
        if path == EVENTS_PATH and method == "POST":
            status, content_type, body = events(app, secret, environ)
            return _respond(start_response, f"{status} {REASONS.get(status, 'Error')}", body, content_type)
        return _respond(start_response, "404 Not Found", b"Not Found", PLAIN)

    return application


# --- connections: idle and slow clients cut off, a full server makes room ---------------------------------------------


@dataclass(frozen=True)
class Limits:
    max_connections: int = 500
    idle_timeout: float = 5.0
    request_timeout: float = 10.0

    @classmethod
    def from_settings(cls, slack: SlackSettings) -> Limits:
        return cls(slack.max_connections, slack.idle_timeout_seconds, slack.request_timeout_seconds)


class _Channel(HTTPChannel):
    """waitress's connection, remembering when the request it is reading began (for the request timeout)."""

    request_started: float | None = None

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.request_started = time.time()  # waitress's clock (last_activity)
        try:
            return super().received(data)
        finally:
            if self.request is None:
                self.request_started = None


class _Server(TcpWSGIServer):
    """waitress's server with our connection rules: timeouts swept several times a second, room made when full."""

    channel_class = _Channel

    def __init__(self, *args: object, limits: Limits, **kwargs: object) -> None:
        self.limits = limits
        self.sweep_every = min(1.0, limits.idle_timeout / 4, limits.request_timeout / 4)
        self.next_sweep = 0.0
        self.full_since_logged = 0.0
        super().__init__(*args, **kwargs)

    def readable(self) -> bool:
        now = time.time()
        if now >= self.next_sweep:
            self.next_sweep = now + self.sweep_every
            self.maintenance(now)
        return self.accepting and self._room(now)

    def maintenance(self, now: float) -> None:
        """Close connections idle too long, and those whose request has been arriving too long."""
        for channel in list(self.active_channels.values()):
            if channel.requests or channel.will_close:
                continue  # a request being answered is never cut off
            started = getattr(channel, "request_started", None)
            if now - channel.last_activity > self.limits.idle_timeout:
                self._close(channel, "idle")
            elif started is not None and now - started > self.limits.request_timeout:
                self._close(channel, "too slow to send its request")

    def _room(self, now: float) -> bool:
        """Whether to accept now; at the limit, the connections idle the longest are closed to make room."""
        open_ = [c for c in self.active_channels.values() if not c.will_close]
        over = len(open_) - self.limits.max_connections + 1
        if over <= 0:
            return True
        idle = sorted((c for c in open_ if not c.requests), key=lambda c: c.last_activity)
        if now - self.full_since_logged > 60:
            self.full_since_logged = now
            log.warning("%d connections open (slack.max_connections): closing the ones idle the longest", len(open_))
        for channel in idle[:over]:
            self._close(channel, "idle the longest while the server is full")
        return len(idle) >= over  # else every connection is being answered: new ones wait in the backlog

    @staticmethod
    def _close(channel: HTTPChannel, why: str) -> None:
        log.debug("closing the connection from %s: %s", channel.addr, why)
        channel.will_close = True  # closed by the event loop at once (a closing channel is writable)


class HttpServer:
    """The bot's HTTP server; `serve_forever()` for `cws serve`, `start()`/`stop()` for tests."""

    def __init__(
        self,
        app: App,
        engine: AnswerEngine,
        host: str,
        port: int,
        threads: int,
        *,
        sock: socket.socket | None = None,
        limits: Limits | None = None,
    ) -> None:
        slack = getattr(app, "slack_settings", None)
        limits = limits or (Limits.from_settings(slack) if slack else Limits())
        sock = sock or bind(host, port)
        adj = Adjustments(
            sockets=[sock],
            threads=threads,
            ident="cws-assistant",
            max_request_body_size=MAX_BODY_BYTES,
            # Enforced by `_Server` itself (`_room`, `maintenance`), with float timeouts; given here to say the same.
            connection_limit=limits.max_connections,
            channel_timeout=max(1, round(limits.idle_timeout)),
            asyncore_use_poll=True,
        )
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(threads)
        self._map: dict = {}
        self.server = _Server(
            wsgi_app(app, engine),
            self._map,
            True,
            sock,
            dispatcher=dispatcher,
            adj=adj,
            bind_socket=False,
            sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
            limits=limits,
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
                wasyncore.loop(timeout=LOOP_TIMEOUT, map=self._map, use_poll=True, count=1)
        finally:
            self.server.task_dispatcher.shutdown(timeout=5)
            wasyncore.close_all(self._map)

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self.serve_forever, name="cws-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
