"""A fake Slack Web API on 127.0.0.1: records every call, answers canned JSON, fails on demand.

Web API methods are served at /api/<method> (point SLACK_API_URL there), response_url
webhooks at /hooks/... and file uploads (the upload_url of files.getUploadURLExternal) at
/upload/... . Canned answers are the files in payloads/responses/<method>.json, where
"{fake_base_url}" stands for this server; `fail()` makes the next calls of a method answer
429 (with Retry-After), 500, or `{"ok": false, "error": ...}`; `on()` runs a check at the
moment a call arrives; `slow()` stores a call and answers it only after a delay (a reply that
comes after the client's time-out). conversations.history (GET) answers with the messages
posted to the channel (chat.postMessage calls answered ok), newest first, with their metadata
when `include_all_metadata` is set.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

RESPONSES = Path(__file__).with_name("payloads") / "responses"
WEBHOOK = "response_url"
UPLOAD = "file_upload"  # the bytes POSTed to an upload_url


@dataclass
class Call:
    method: str  # "chat.postMessage", or "response_url" for a webhook
    params: dict
    path: str
    headers: dict
    at: float
    status: int = 200
    response: dict = field(default_factory=dict)  # what the fake answered
    body: bytes = b""  # the raw request body
    wall: float = field(default_factory=time.time)  # when it arrived (Unix time): a message's place in history

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def blocks(self) -> list[dict]:
        blocks = self.params.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    times: int
    error: str | None = None


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        self._failures: dict[str, list[_Failure]] = {}
        self._hooks: dict[str, list[Callable[[Call], None]]] = {}
        self._slow: dict[str, list[list[float]]] = {}  # method → [[delay, calls left], ...]
        self._ts = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    @property
    def hooks_url(self) -> str:
        return self.base_url + "/hooks/"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(
        self, method: str, status: int, times: int = 1, retry_after: int | None = None, error: str | None = None
    ) -> None:
        """The next `times` calls of `method` answer `status` (with `error`) instead of the canned JSON."""
        with self._changed:
            self._failures.setdefault(method, []).append(_Failure(status, retry_after, times, error))

    def on(self, method: str, hook: Callable[[Call], None]) -> None:
        """Run `hook(call)` when `method` is called, before it is answered (e.g. to see the database then)."""
        with self._changed:
            self._hooks.setdefault(method, []).append(hook)

    def slow(self, method: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls of `method` are stored (a post is in the channel at once) but answered only
        after `seconds`: longer than the client's time-out, that is a post the client thinks may have failed."""
        with self._changed:
            self._slow.setdefault(method, []).append([seconds, times])

    def posted(self, channel: str | None = None) -> list[Call]:
        """The chat.postMessage calls Slack stored (answered ok), in order."""
        with self._changed:
            return [
                c
                for c in self.calls
                if c.method == "chat.postMessage"
                and c.status == 200
                and c.response.get("ok")
                and (channel is None or c.params.get("channel") == channel)
            ]

    def calls_to(self, method: str, ok_only: bool = False) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def wait_for(self, method: str, count: int = 1, timeout: float = 15, ok_only: bool = True) -> list[Call]:
        """Block until `method` has been called `count` times; the calls, or AssertionError."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while (
                len(found := [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]) < count
            ):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{method} called {len(found)} times, expected {count}: {self.calls}")
                self._changed.wait(left)
            return found

    def _record(self, call: Call) -> tuple[int, dict[str, str], bytes]:
        """Record `call` with the answer it gets (a programmed failure, else the canned JSON)."""
        with self._changed:
            hooks = list(self._hooks.get(call.method, []))
        for hook in hooks:
            hook(call)
        with self._changed:
            failures = self._failures.get(call.method, [])
            if failures:
                failure = failures[0]
                failure.times -= 1
                if failure.times <= 0:
                    failures.pop(0)
                call.status = failure.status
                error = failure.error or ("ratelimited" if failure.status == 429 else "internal_error")
                call.response = {"ok": False, "error": error}
                headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            elif call.method == "conversations.history":
                call.response = self._history(call.params)
                headers = {}
            else:
                call.response = self._canned(call.method)
                headers = {}
            self.calls.append(call)
            self._changed.notify_all()
            delays = self._slow.get(call.method, [])
            delay = 0.0
            if delays:
                delay, delays[0][1] = delays[0][0], delays[0][1] - 1
                if delays[0][1] <= 0:
                    delays.pop(0)
        if delay:
            time.sleep(delay)
        plain = call.method in (WEBHOOK, UPLOAD) and call.status == 200
        body = b"ok" if plain else json.dumps(call.response).encode()
        return call.status, headers, body

    def _history(self, params: dict) -> dict:
        """conversations.history over what was posted (called with the lock held)."""
        channel = params.get("channel")
        oldest = float(params.get("oldest") or 0)
        metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        posted = [
            c
            for c in self.calls
            if c.method == "chat.postMessage"
            and c.status == 200
            and c.response.get("ok")
            and c.params.get("channel") == channel
            and c.wall >= oldest
        ]
        messages = []
        for call in reversed(posted):  # newest first, as Slack answers
            message = {"type": "message", "ts": call.response.get("ts"), "text": call.text, "bot_id": "B0FAKEBOT"}
            meta = call.params.get("metadata")
            if isinstance(meta, str):
                meta = json.loads(meta)
            if metadata and meta:
                message["metadata"] = meta
            messages.append(message)
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 100)
        page = messages[start : start + limit]
        more = start + limit < len(messages)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _canned(self, method: str) -> dict:
        canned = RESPONSES / f"{method}.json"
        body = (
            json.loads(canned.read_text().replace("{fake_base_url}", self.base_url))
            if canned.exists()
            else {"ok": True}
        )
        if "ts" in body:
            body["ts"] = f"1700000{next(self._ts):03d}.000100"  # every message gets its own ts
        return body


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if not url.path.startswith("/api/"):
                self.send_error(404)
                return
            call = Call(
                url.path[len("/api/") :], dict(parse_qsl(url.query)), self.path, dict(self.headers), time.monotonic()
            )
            self._answer(*fake._record(call))

        def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if body == b"ok" else "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (slow()) or was killed
                self.close_connection = True

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/upload/"):
                params: dict = {}
            elif self.headers.get("Content-Type", "").startswith("application/json"):
                params = json.loads(raw or b"{}")
            else:
                params = dict(parse_qsl(raw.decode()))
            if self.path.startswith("/api/"):
                method = self.path[len("/api/") :].split("?")[0]
            elif self.path.startswith("/hooks/"):
                method = WEBHOOK
            elif self.path.startswith("/upload/"):
                method = UPLOAD
            else:
                self.send_error(404)
                return
            call = Call(method, params, self.path, dict(self.headers), time.monotonic(), body=raw)
            self._answer(*fake._record(call))

        def log_message(self, *args: object) -> None:
            """Quiet: the calls are recorded instead."""

    return Handler
