"""An office's web site on 127.0.0.1 for the link-checking tests: pages with ETags, redirects, failures, delays.

`serve(path, body, ...)` publishes a page; a request with a matching If-None-Match gets 304. `fail(path, status)`
makes a page answer an error; `stop()` takes the whole site down (connections refused). Every request is
recorded with its headers, so a test can see the conditional request, the Host header and the User-Agent.
"""

from __future__ import annotations

import hashlib
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: bool = True

    @property
    def tag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    status: int


class ReportSite:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[Seen] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site._answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.scheme = "https" if tls else "http"
        if tls:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def serve(self, path: str, body: bytes | str, **options: object) -> Page:
        page = Page(body.encode() if isinstance(body, str) else body, **options)  # type: ignore[arg-type]
        self.pages[path] = page
        return page

    def fail(self, path: str, status: int) -> None:
        self.pages[path] = Page(f"<html><body>Error {status}</body></html>".encode(), status=status, etag=False)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.pages[path] = Page(b"", status=status, headers={"Location": location}, etag=False)

    def requests_for(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        page = self.pages.get(handler.path) or Page(b"<html><body>Not found</body></html>", status=404, etag=False)
        if page.delay:
            time.sleep(page.delay)
        status, body = page.status, page.body
        if page.status == 200 and page.etag and handler.headers.get("If-None-Match") == page.tag:
            status, body = 304, b""
        self.requests.append(Seen(handler.path, dict(handler.headers.items()), status))
        try:
            handler.send_response(status)
            if status != 304:
                handler.send_header("Content-Type", page.content_type)
                handler.send_header("Content-Length", str(len(body)))
            if page.etag and page.status == 200:
                handler.send_header("ETag", page.tag)
            for name, value in page.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
