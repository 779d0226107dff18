"""The address guard: every outbound request for a submitted link goes through atr.guard.fetch.

Lookups that return private or IPv4-mapped addresses, redirects to 127.0.0.1 and other refused places are
refused before any connection; the connection goes to the checked address with the real name in Host and SNI.
The network is an httpx MockTransport (handed the checked address, as the network would be) or a local server.
"""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from atr.guard import USER_AGENT, FetchFailed, FetchPolicy, checked_address, fetch, refusal
from atr.throttle import HostThrottle
from tests.atr.report_server import ReportSite

PUBLIC = "93.184.216.34"
HTTPS = FetchPolicy()
NO_WAIT = HostThrottle(0.0)


def resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return table[host]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


class Network:
    """A MockTransport recording each request it is handed; `answers` maps a path to a response."""

    def __init__(self, answers: dict[str, httpx.Response]) -> None:
        self.answers = answers
        self.seen: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return self.answers.get(request.url.path, httpx.Response(404))


@pytest.mark.parametrize(
    "address, why",
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "private"),
        ("100.64.0.1", "non-public"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("::ffff:8.8.8.8", "IPv4-mapped"),
        ("2002:7f00:1::", "wrapping 127.0.0.1"),
        ("2002:a00:1::", "wrapping 10.0.0.1"),
        ("64:ff9b::a00:1", "wrapping 10.0.0.1"),
        ("2001:db8::1", "private"),
    ],
)
def test_non_public_addresses_are_refused(address, why):
    assert why in (refusal(ipaddress.ip_address(address)) or "")


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"])
def test_public_addresses_pass(address):
    assert refusal(ipaddress.ip_address(address)) is None


def test_loopback_only_with_the_test_switch_and_never_mapped_or_private():
    assert refusal(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert refusal(ipaddress.ip_address("::1"), allow_loopback=True) is None
    assert "IPv4-mapped" in refusal(ipaddress.ip_address("::ffff:127.0.0.1"), allow_loopback=True)
    assert "private" in refusal(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)


@pytest.mark.parametrize(
    "answers, shown",
    [
        (["10.0.0.7"], "resolves to 10.0.0.7, a private address"),
        (["::ffff:10.0.0.7"], "an IPv4-mapped IPv6 address"),
        (["::ffff:127.0.0.1"], "an IPv4-mapped IPv6 address"),
        ([PUBLIC, "127.0.0.1"], "resolves to 127.0.0.1, a loopback address"),  # one bad answer refuses them all
        (["169.254.169.254"], "a link-local address"),
    ],
)
def test_lookups_that_return_refused_addresses_are_refused(answers, shown):
    with pytest.raises(FetchFailed) as refused:
        checked_address("reports.example.org", 443, HTTPS, resolver({"reports.example.org": answers}))
    assert shown in refused.value.reason and "only public addresses" in refused.value.reason


def test_the_connection_goes_to_the_checked_address_with_the_real_name_in_host_and_sni():
    lookups = resolver({"reports.example.org": [PUBLIC]})
    network = Network(
        {"/atr.html": httpx.Response(200, html="<html><body><p>Report</p></body></html>", headers={"ETag": '"v1"'})}
    )
    got = fetch(
        "https://reports.example.org/atr.html",
        HTTPS,
        {"If-None-Match": '"v0"', "Cookie": "x=1"},
        resolver=lookups,
        throttle=NO_WAIT,
        transport=network.transport,
    )
    assert got.status == 200 and got.header("etag") == '"v1"' and b"Report" in got.body
    [request] = network.seen
    assert request.url.host == PUBLIC and request.url.scheme == "https"
    assert request.headers["Host"] == "reports.example.org"
    assert request.extensions["sni_hostname"] == "reports.example.org"
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.headers["If-None-Match"] == '"v0"'
    assert "Cookie" not in request.headers and "Authorization" not in request.headers
    assert lookups.calls == ["reports.example.org"]  # resolved once, never again by the client


def test_a_redirect_to_127_0_0_1_is_refused_before_any_connection():
    network = Network({"/atr": httpx.Response(302, headers={"Location": "http://127.0.0.1:8080/admin"})})
    with pytest.raises(FetchFailed) as refused:
        fetch(
            "https://reports.example.org/atr",
            FetchPolicy(allow_http=True),
            resolver=resolver({"reports.example.org": [PUBLIC]}),
            throttle=NO_WAIT,
            transport=network.transport,
        )
    assert "127.0.0.1 is a loopback address" in refused.value.reason
    assert [r.url.host for r in network.seen] == [PUBLIC]


@pytest.mark.parametrize(
    "location, shown",
    [
        ("https://[::ffff:127.0.0.1]/", "IPv4-mapped"),
        ("https://intranet.example.org/", "resolves to 10.0.0.5, a private address"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("http://reports.example.org/plain", "only https:// addresses"),
        ("file:///etc/passwd", "uses file:"),
        ("https://user:secret@reports.example.org/", "user name or password"),
    ],
)
def test_every_redirect_is_checked_like_the_link(location, shown):
    network = Network({"/atr": httpx.Response(301, headers={"Location": location})})
    lookups = resolver({"reports.example.org": [PUBLIC], "intranet.example.org": ["10.0.0.5"]})
    with pytest.raises(FetchFailed) as refused:
        fetch("https://reports.example.org/atr", HTTPS, resolver=lookups, throttle=NO_WAIT, transport=network.transport)
    assert shown in refused.value.reason
    assert len(network.seen) == 1


def test_at_most_five_redirects():
    answers = {f"/r{i}": httpx.Response(302, headers={"Location": f"/r{i + 1}"}) for i in range(10)}
    network = Network(answers)
    with pytest.raises(FetchFailed, match="redirects more than 5 times"):
        fetch(
            "https://reports.example.org/r0",
            HTTPS,
            resolver=resolver({"reports.example.org": [PUBLIC]}),
            throttle=NO_WAIT,
            transport=network.transport,
        )
    assert len(network.seen) == 6
    five = Network(
        {
            **{f"/r{i}": httpx.Response(302, headers={"Location": f"/r{i + 1}"}) for i in range(5)},
            "/r5": httpx.Response(200, html="<html><body><p>x</p></body></html>"),
        }
    )
    got = fetch(
        "https://reports.example.org/r0",
        HTTPS,
        resolver=resolver({"reports.example.org": [PUBLIC]}),
        throttle=NO_WAIT,
        transport=five.transport,
    )
    assert got.status == 200 and got.final_url == "https://reports.example.org/r5"


def test_cookies_set_by_a_site_are_never_sent_back():
    network = Network(
        {
            "/login-then-report": httpx.Response(302, headers={"Location": "/report", "Set-Cookie": "session=abc"}),
            "/report": httpx.Response(200, html="<html><body><p>x</p></body></html>"),
        }
    )
    fetch(
        "https://reports.example.org/login-then-report",
        HTTPS,
        resolver=resolver({"reports.example.org": [PUBLIC]}),
        throttle=NO_WAIT,
        transport=network.transport,
    )
    assert [("Cookie" in r.headers) for r in network.seen] == [False, False]


@pytest.mark.parametrize(
    "url, shown",
    [
        ("http://reports.example.org/atr", "only https:// addresses are fetched"),
        ("ftp://reports.example.org/atr", "uses ftp:"),
        ("https://u:p@reports.example.org/atr", "user name or password"),
    ],
)
def test_only_https_without_credentials_by_default(url, shown):
    with pytest.raises(FetchFailed, match=shown):
        fetch(
            url,
            HTTPS,
            resolver=resolver({"reports.example.org": [PUBLIC]}),
            throttle=NO_WAIT,
            transport=Network({}).transport,
        )


def test_size_is_capped_by_the_declared_length_and_by_what_arrives():
    policy = FetchPolicy(max_bytes=1000)
    lookups = resolver({"reports.example.org": [PUBLIC]})
    declared = Network({"/big.pdf": httpx.Response(200, content=b"%PDF-" + b"x" * 5000)})
    with pytest.raises(FetchFailed, match=r"the file is over 0.001 MB"):
        fetch(
            "https://reports.example.org/big.pdf",
            policy,
            resolver=lookups,
            throttle=NO_WAIT,
            transport=declared.transport,
        )

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(10):
            yield b"y" * 500

    streamed = Network({"/big.html": httpx.Response(200, content=chunks())})
    with pytest.raises(FetchFailed, match=r"the file is over 0.001 MB"):
        fetch(
            "https://reports.example.org/big.html",
            policy,
            resolver=lookups,
            throttle=NO_WAIT,
            transport=streamed.transport,
        )


def test_a_name_that_cannot_be_found_is_a_reason_not_a_crash():
    def nowhere(host: str, port: int) -> list[str]:
        import socket

        raise socket.gaierror(-2, "Name or service not known")

    with pytest.raises(FetchFailed, match="the host name reports.example.org cannot be found"):
        fetch("https://reports.example.org/x", HTTPS, resolver=nowhere, throttle=NO_WAIT)


def test_a_lookup_that_hangs_costs_the_fetch_its_time_limit_not_more():
    import threading
    import time

    released = threading.Event()

    def stuck(host: str, port: int) -> list[str]:
        released.wait(10)  # a resolver that does not answer (its own limit is the system's, not ours)
        return [PUBLIC]

    started = time.monotonic()
    try:
        with pytest.raises(FetchFailed, match=r"the host name reports.example.org was not found within 0.3 s"):
            fetch("https://reports.example.org/x", FetchPolicy(timeout=0.3), resolver=stuck, throttle=NO_WAIT)
        assert time.monotonic() - started < 3
    finally:
        released.set()


def test_a_local_server_is_reached_only_with_the_test_switches_and_times_out():
    site = ReportSite()
    try:
        site.serve("/slow.html", "<html><body><p>late</p></body></html>", delay=2.0)
        site.serve("/ok.html", "<html><body><p>fine</p></body></html>")
        lookups = resolver({"reports.jpo.test": ["127.0.0.1"]})
        with pytest.raises(FetchFailed, match="only https://"):
            fetch(site.url("/ok.html", "reports.jpo.test"), HTTPS, resolver=lookups, throttle=NO_WAIT)
        with pytest.raises(FetchFailed, match="loopback"):
            fetch(
                site.url("/ok.html", "reports.jpo.test"),
                FetchPolicy(allow_http=True),
                resolver=lookups,
                throttle=NO_WAIT,
            )
        test_only = FetchPolicy(allow_http=True, allow_loopback=True, timeout=0.5)
        got = fetch(site.url("/ok.html", "reports.jpo.test"), test_only, resolver=lookups, throttle=NO_WAIT)
        assert got.status == 200 and b"fine" in got.body
        assert site.requests[-1].headers["Host"] == f"reports.jpo.test:{site.port}"  # connected by address
        with pytest.raises(FetchFailed, match=r"did not answer within 0.5 s"):
            fetch(site.url("/slow.html", "reports.jpo.test"), test_only, resolver=lookups, throttle=NO_WAIT)
    finally:
        site.stop()


def test_the_test_switches_are_logged_loudly(caplog):
    from atr import guard
    from config.settings import AtrFetchSettings

    guard._warned.clear()
    with caplog.at_level("WARNING", logger="atr.guard"):
        FetchPolicy.from_settings(AtrFetchSettings(allow_http=True, allow_loopback=True))
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING"]
    assert "tests only" in caplog.records[0].getMessage()


def test_one_request_a_second_per_host():
    clock = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    throttle = HostThrottle(1.0, clock=lambda: clock[0], sleep=sleep)
    assert throttle.wait("reports.example.org") == 0
    assert throttle.wait("REPORTS.example.org.") == pytest.approx(1.0)  # the same host, however written
    assert throttle.wait("other.example.org") == 0
    clock[0] += 5
    assert throttle.wait("reports.example.org") == 0
    assert slept == [pytest.approx(1.0)]


def _certificates(folder):  # type: ignore[no-untyped-def]
    """A test CA and a certificate it signed for reports.jpo.test (openssl on the PATH)."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make test certificates")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    (folder / "san.ext").write_text("subjectAltName=DNS:reports.jpo.test\n")
    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=CWS test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "site.key",
        "-out",
        "site.csr",
        "-subj",
        "/CN=reports.jpo.test",
    )
    run(
        "x509",
        "-req",
        "-in",
        "site.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "site.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    )
    return folder / "ca.pem", folder / "site.pem", folder / "site.key"


def test_tls_is_verified_against_the_real_host_name_while_connecting_to_the_checked_address(tmp_path, monkeypatch):
    import ssl

    from atr import guard

    ca, cert, key = _certificates(tmp_path)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    site = ReportSite(tls=server_side)
    try:
        site.serve("/ok.html", "<html><body><p>over TLS</p></body></html>")
        lookups = resolver({"reports.jpo.test": ["127.0.0.1"], "other.jpo.test": ["127.0.0.1"]})
        policy = FetchPolicy(allow_loopback=True, timeout=5)
        with pytest.raises(FetchFailed, match="TLS certificate is not valid for reports.jpo.test"):
            fetch(site.url("/ok.html", "reports.jpo.test"), policy, resolver=lookups, throttle=NO_WAIT)  # unknown CA
        monkeypatch.setattr(guard, "_ssl_context", ssl.create_default_context(cafile=str(ca)))
        got = fetch(site.url("/ok.html", "reports.jpo.test"), policy, resolver=lookups, throttle=NO_WAIT)
        assert got.status == 200 and b"over TLS" in got.body  # connected to 127.0.0.1, verified as the name
        with pytest.raises(FetchFailed, match="TLS certificate is not valid for other.jpo.test"):
            fetch(site.url("/ok.html", "other.jpo.test"), policy, resolver=lookups, throttle=NO_WAIT)
    finally:
        site.stop()
