"""Requests to the bot exactly as Slack sends them: signed bodies, real HTTP, timed.

Slack signs `v0:{timestamp}:{raw body}` with HMAC-SHA256 and the app's signing secret and
sends `X-Slack-Signature: v0=<hex>` and `X-Slack-Request-Timestamp`. Events are JSON;
slash commands and interactivity (`payload=<json>`) are form-encoded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

PAYLOADS = Path(__file__).with_name("payloads")
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # Slack's documentation example, not a real secret
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def load_payload(name: str, hooks_url: str | None = None, **replace: str) -> dict:
    """A captured payload; its hooks.slack.com response_url moved to the fake server."""
    raw = (PAYLOADS / name).read_text(encoding="utf-8")
    if hooks_url:
        raw = raw.replace("https://hooks.slack.com/", hooks_url)
    for old, new in replace.items():
        raw = raw.replace(old, new)
    return json.loads(raw)


def event_body(payload: dict) -> bytes:
    return json.dumps(payload).encode()


def command_body(fields: dict) -> bytes:
    return urlencode(fields).encode()


def action_body(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, content_type: str, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(body, ts, secret),
    }


@dataclass
class Response:
    status: int
    body: bytes
    elapsed: float

    def json(self) -> dict:
        return json.loads(self.body)


def _open(request: urllib.request.Request | str, timeout: float) -> Response:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Response(response.status, response.read(), time.monotonic() - started)
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), time.monotonic() - started)


def post(url: str, body: bytes, headers: dict, timeout: float = 10) -> Response:
    return _open(urllib.request.Request(url, data=body, headers=headers, method="POST"), timeout)


def get(url: str, timeout: float = 10) -> Response:
    return _open(url, timeout)


def send_signed(
    url: str, body: bytes, content_type: str, extra_headers: dict | None = None, **signing: object
) -> Response:
    return post(url, body, signed_headers(body, content_type, **signing) | (extra_headers or {}))  # type: ignore[arg-type]
