"""The one way out to an address a user typed: every request for a submitted ATR link goes through `fetch`.

A submitted link names a machine chosen by whoever submits it, and the bot requests it from inside the
secretariat's network. So (server-side request forgery):

- only https (http only when `atr.fetch.allow_http`, for tests), no user name or password in the link;
- the host is resolved once and every address it resolves to must be public: private, loopback, link-local,
  reserved, multicast, unspecified and IPv4-mapped IPv6 addresses (and IPv6 wrappers of a non-public IPv4)
  are refused; loopback only with the test-only `atr.fetch.allow_loopback`;
- the connection goes to the address that was checked, not to the name (no second lookup that DNS could answer
  differently), with TLS verified against the real host name (SNI) and the name in the Host header;
- every redirect is checked the same way, at most 5;
- size and time are capped (the whole fetch, redirects included), no cookies, credentials, proxies or .netrc,
  a User-Agent naming the bot, and at most one request a second per host.

httpx does the HTTP; only the address checks are written here.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

import certifi
import httpx

from atr.errors import AtrError
from atr.throttle import THROTTLE, HostThrottle
from config.settings import AtrFetchSettings

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]  # (ASCII host, port) → the addresses it resolves to

USER_AGENT = "CWS-Assistant/0.1 (ATR link checker of the WIPO Committee on WIPO Standards bot)"
ACCEPT = (
    "text/html, application/xhtml+xml, application/pdf, "
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.9, */*;q=0.1"
)
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # the well-known prefix: an IPv4 address in IPv6 clothes
_ssl_context: ssl.SSLContext | None = None
_warned: set[str] = set()


class FetchFailed(AtrError):
    """A link could not be read. `reason` is the sentence a person sees ("the link returns 404"); `status` the
    HTTP status if there was one. A dead link is a state of the link, not an error of the program."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class FetchPolicy:
    allow_http: bool = False
    allow_loopback: bool = False
    max_bytes: int = 20_000_000
    timeout: float = 30.0
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def from_settings(cls, fetch: AtrFetchSettings) -> FetchPolicy:
        """The policy of `atr.fetch`; a test-only switch that is on is logged at WARNING (once per process)."""
        for name, on in (("allow_http", fetch.allow_http), ("allow_loopback", fetch.allow_loopback)):
            if on and name not in _warned:
                _warned.add(name)
                log.warning(
                    "atr.fetch.%s is ON: ATR links may be fetched %s. This is for tests only; "
                    "turn it off in any real deployment.",
                    name,
                    "over plain http" if name == "allow_http" else "from this machine's own addresses",
                )
        return cls(fetch.allow_http, fetch.allow_loopback, int(fetch.max_megabytes * 1_000_000), fetch.timeout_seconds)

    @property
    def size_limit(self) -> str:
        return f"{self.max_bytes / 1_000_000:g} MB"


@dataclass(frozen=True)
class Fetched:
    """What the last hop answered: 200 with the body, or 304 (not modified), or an error status."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def refusal(address: IPAddress, allow_loopback: bool = False) -> str | None:
    """Why a connection to `address` is refused ('a private address'), or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        wrapped = (
            address.sixtofour
            or (address.teredo[1] if address.teredo else None)
            or (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in NAT64 else None)
        )
        if wrapped is not None and refusal(wrapped) is not None:
            return f"an IPv6 address wrapping {wrapped}, {refusal(wrapped)}"
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    for test, what in (
        ("is_unspecified", "an unspecified address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    ):
        if getattr(address, test):
            return what
    return None if address.is_global else "a non-public address"


def resolve_host(host: str, port: int) -> list[str]:
    """The system resolver, asked once."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


_LOOKUPS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="atr-dns")


def _lookup(host: str, port: int, resolver: Resolver, timeout: float | None) -> list[str]:
    """`resolver(host, port)` within `timeout` seconds: the system resolver has no time limit of
    its own, so it runs on a lookup thread and the fetch stops waiting when its time is up."""
    if timeout is None:
        return resolver(host, port)
    future = _LOOKUPS.submit(resolver, host, port)
    try:
        return future.result(timeout=max(0.0, timeout))
    except FutureTimeout as exc:
        future.cancel()
        raise FetchFailed(f"the host name {host} was not found within {timeout:.3g} s") from exc


def checked_address(
    host: str, port: int, policy: FetchPolicy, resolver: Resolver | None = None, timeout: float | None = None
) -> IPAddress:
    """The address to connect to for `host`: a literal, or every address the name resolves to, checked;
    FetchFailed names the first one refused (one bad answer among good ones refuses them all), or says
    the name was not found within `timeout` seconds."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            found = _lookup(host, port, resolver or resolve_host, timeout)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchFailed(f"the host name {host} cannot be found ({exc})") from exc
        try:
            addresses = [ipaddress.ip_address(a) for a in found]
        except ValueError as exc:
            raise FetchFailed(f"the host name {host} resolves to something that is not an address") from exc
        if not addresses:
            raise FetchFailed(f"the host name {host} cannot be found")
    for address in addresses:
        why = refusal(address, policy.allow_loopback)
        if why is not None:
            named = f"{host} is" if literal is not None else f"{host} resolves to {address},"
            raise FetchFailed(f"the link's host {named} {why}; only public addresses are fetched")
    return addresses[0]


def _ssl() -> ssl.SSLContext:
    global _ssl_context
    if _ssl_context is None:
        _ssl_context = ssl.create_default_context(cafile=certifi.where())
    return _ssl_context


def _checked_url(raw: str | httpx.URL, policy: FetchPolicy, what: str = "link") -> httpx.URL:
    try:
        url = httpx.URL(raw) if isinstance(raw, str) else raw
    except httpx.InvalidURL as exc:
        raise FetchFailed(f"the {what} is not a valid address ({exc})") from exc
    allowed = ("https", "http") if policy.allow_http else ("https",)
    if url.scheme not in allowed:
        shown = f"{url.scheme}:" if url.scheme else "no scheme"
        raise FetchFailed(
            f"the {what} uses {shown}; only {' or '.join(a + '://' for a in allowed)} addresses are fetched"
        )
    if url.userinfo:
        raise FetchFailed(f"the {what} contains a user name or password; none are ever sent")
    if not url.raw_host:
        raise FetchFailed(f"the {what} has no host name")
    return url.copy_with(fragment=None)


def _transport_reason(exc: httpx.HTTPError, host: str, policy: FetchPolicy) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"the server did not answer within {policy.timeout:g} s"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"the site's TLS certificate is not valid for {host} ({cause.verify_message})"
        if isinstance(cause, ssl.SSLError):
            return f"the secure connection to {host} failed ({cause.reason or cause})"
        if isinstance(cause, ConnectionRefusedError):
            return f"the server {host} refuses connections (is the site down?)"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return f"the server {host} cannot be reached ({exc})"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.DecodingError)):
        return f"the server {host} did not answer in valid HTTP ({exc})"
    return f"the link cannot be read ({type(exc).__name__}: {exc})"


def _read(response: httpx.Response, policy: FetchPolicy, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchFailed(
            f"the file is over {policy.size_limit} ({int(declared) / 1_000_000:.1f} MB)", response.status_code
        )
    chunks, size = [], 0
    for chunk in response.iter_bytes(65536):
        size += len(chunk)
        if size > policy.max_bytes:
            raise FetchFailed(f"the file is over {policy.size_limit}", response.status_code)
        if time.monotonic() > deadline:
            raise FetchFailed(f"the server did not send the file within {policy.timeout:g} s", response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(
    url: str,
    policy: FetchPolicy,
    headers: Mapping[str, str] | None = None,
    *,
    resolver: Resolver | None = None,
    throttle: HostThrottle = THROTTLE,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    """GET `url` under `policy`, following checked redirects; `headers` adds conditional headers only
    (If-None-Match, If-Modified-Since). Raises FetchFailed for a refused address, a transport failure, too many
    redirects, or a body over the size cap; any final status (200, 304, 404...) is returned for the caller to
    judge. `transport` replaces the network in tests; it is then handed the checked address, as the network is."""
    deadline = time.monotonic() + policy.timeout
    current = _checked_url(url, policy)
    extra = {k: v for k, v in (headers or {}).items() if k.lower() in ("if-none-match", "if-modified-since") and v}
    for hop in range(policy.max_redirects + 1):
        host = current.raw_host.decode("ascii")
        port = current.port or (443 if current.scheme == "https" else 80)
        address = checked_address(host, port, policy, resolver, deadline - time.monotonic())
        throttle.wait(host)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchFailed(f"the server did not answer within {policy.timeout:g} s")
        target = current.copy_with(host=str(address))
        request_headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Host": current.netloc.decode("ascii"), **extra}
        extensions = {"sni_hostname": host} if current.scheme == "https" else {}
        client = httpx.Client(
            verify=_ssl(),
            trust_env=False,
            follow_redirects=False,
            transport=transport,
            timeout=httpx.Timeout(remaining),
        )
        try:
            request = client.build_request("GET", target, headers=request_headers, extensions=extensions)
            response = client.send(request, stream=True)
            try:
                status = response.status_code
                if status in REDIRECTS and "location" in response.headers:
                    if hop == policy.max_redirects:
                        raise FetchFailed(f"the link redirects more than {policy.max_redirects} times", status)
                    current = _checked_url(current.join(response.headers["location"]), policy, "link's redirect")
                    continue
                body = _read(response, policy, deadline) if status in (200, 203) else b""
                found = {k.lower(): v for k, v in response.headers.items()}
                return Fetched(url, str(current), status, found, body)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise FetchFailed(_transport_reason(exc, host, policy)) from exc
        finally:
            client.close()
    raise FetchFailed(f"the link redirects more than {policy.max_redirects} times")  # not reached
