"""Idle and slow clients cannot keep Slack's requests out (issue 15 §2), over real sockets on 127.0.0.1.

waitress's defaults (100 connections, idle ones closed after 120 s, no limit on how long a
request may take to arrive) let 99 half-open sockets make the bot unreachable for two
minutes. Each test opens the sockets an attacker would and then sends what Slack sends.
"""

from __future__ import annotations

import resource
import select
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from tests.slack.signing import FORM, JSON, command_body, event_body, load_payload, signed_headers
from tests.waiting import wait_for

MENTION = load_payload("event_app_mention.json")


def answered(bot, via: str = "reactions.remove") -> None:  # type: ignore[no-untyped-def]
    """Wait until the question is answered and settled: nothing more will reach the fake Slack for it."""
    bot.fake.wait_for(via)
    wait_for(bot.all_answered, what="the question to be settled")


def _address(bot) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    parts = urlsplit(bot.url)
    return parts.hostname, parts.port  # type: ignore[return-value]


@contextmanager
def idle_sockets(bot, count: int) -> Iterator[list[socket.socket]]:  # type: ignore[no-untyped-def]
    """`count` connections that never send a byte (as a half-open or malicious client leaves them)."""
    opened = []
    try:
        for _ in range(count):
            opened.append(socket.create_connection(_address(bot), timeout=5))
        yield opened
    finally:
        for sock in opened:
            sock.close()


def closed_by_server(sock: socket.socket, within: float) -> float | None:
    """Seconds until the server closed `sock` (recv gives b'' or a reset), or None if it stayed open."""
    started = time.monotonic()
    while (left := within - (time.monotonic() - started)) > 0:
        readable, _, _ = select.select([sock], [], [], left)
        if readable:
            try:
                if sock.recv(1024) == b"":
                    return time.monotonic() - started
            except ConnectionResetError:
                return time.monotonic() - started
    return None


def test_150_idle_connections_do_not_keep_a_signed_request_out(bot):
    with idle_sockets(bot, 150):
        response = bot.event(MENTION)
    assert response.status == 200 and response.elapsed < 3, response
    answered(bot)


def test_a_full_server_closes_the_longest_idle_connection_to_take_a_new_one(start_bot):
    bot = start_bot(max_connections=20)
    with idle_sockets(bot, 150) as idle:
        response = bot.event(MENTION)
        assert response.status == 200 and response.elapsed < 3, response
        # The oldest idle connections made room; a request under way is never what goes.
        assert closed_by_server(idle[0], within=1) is not None
    answered(bot)


def test_an_idle_connection_is_closed_after_the_idle_timeout(start_bot):
    bot = start_bot(idle_timeout_seconds=1)
    with idle_sockets(bot, 1) as (sock,):
        took = closed_by_server(sock, within=5)
    assert took is not None and 0.9 <= took < 2, took


def test_a_connection_idle_after_its_request_is_closed_too(start_bot):
    """Keep-alive: after an answered request the connection may sit, but not for long."""
    bot = start_bot(idle_timeout_seconds=1)
    body = event_body(MENTION)
    head = "".join(f"{k}: {v}\r\n" for k, v in signed_headers(body, JSON).items())
    with socket.create_connection(_address(bot), timeout=5) as sock:
        start = f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n{head}\r\n"
        sock.sendall(start.encode() + body)
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        took = closed_by_server(sock, within=5)
    assert took is not None and took < 2, took
    answered(bot)


def test_a_request_trickling_in_is_cut_off_after_the_request_timeout(start_bot):
    """Slowloris: a byte every 0.2 s is never idle, but the request must arrive whole in time."""
    bot = start_bot(request_timeout_seconds=1, idle_timeout_seconds=5)
    started = time.monotonic()
    with socket.create_connection(_address(bot), timeout=5) as sock:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
        cut = None
        for byte in b"X-Slow: " + b"a" * 100:
            if closed_by_server(sock, within=0.2) is not None:
                cut = time.monotonic() - started
                break
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                cut = time.monotonic() - started
                break
    assert cut is not None and cut < 2.5, cut


def test_a_request_sent_in_pieces_within_the_timeout_is_answered(start_bot):
    bot = start_bot(request_timeout_seconds=2, idle_timeout_seconds=1)
    fields = load_payload("command_cws.json", bot.fake.hooks_url)
    body = command_body(fields)
    head = "".join(f"{k}: {v}\r\n" for k, v in signed_headers(body, FORM).items())
    request = f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode() + body
    with socket.create_connection(_address(bot), timeout=5) as sock:
        for start in range(0, len(request), len(request) // 3 + 1):
            sock.sendall(request[start : start + len(request) // 3 + 1])
            time.sleep(0.4)  # under the idle timeout each time, 1.2 s in all: under the request timeout
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    answered(bot, via="response_url")


def test_more_connections_than_select_can_watch(start_bot):
    """The event loop polls: descriptors above 1024 (select()'s limit) are served like any other."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096
    if soft < wanted and (hard == resource.RLIM_INFINITY or hard >= wanted):
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < wanted:
        pytest.skip(f"needs {wanted} open files; the limit here is {soft}")
    try:
        bot = start_bot(max_connections=2000)
        with idle_sockets(bot, 1100):
            response = bot.event(MENTION)
        assert response.status == 200 and response.elapsed < 3, response
        answered(bot)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
