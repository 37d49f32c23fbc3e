"""The dev server's boundaries: Host check (DNS rebinding), token and origin for changes, security headers, CSP."""

from __future__ import annotations

import http.client
import shutil
import socket
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from conftest import REPO, article
from digest.server.app import exposure_warning
from digest.server.guard import CONTENT_SECURITY_POLICY, TOKEN_HEADER, Boundary
from digest.server.state import Response
from serving import Running, start_server

DRAFT_TITLE = "Secret draft the neighbour must not read"
FILES = {
    "content/2022/01/coup.md": article("Crisis called an attempted coup", "2022-01-10 09:39", "Body.", tags=["kz"]),
    "content/2022/01/secret.md": article(DRAFT_TITLE, "2022-01-11 09:39", "Embargoed.", draft=True),
}


@pytest.fixture
def running(make_site) -> Iterator[Running]:
    site = make_site(FILES)
    server = start_server(site, drafts=True, allowed_hosts=("preview.lan",))
    yield server
    server.server.stop()


def raw(running: Running, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send exact bytes (any Host, or none) and read one response."""
    parts = urlsplit(running.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def request(running: Running, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
    parts = urlsplit(running.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def port_of(running: Running) -> int:
    return int(urlsplit(running.url).port or 0)


def test_a_dns_rebinding_request_gets_403_before_anything_is_read(running: Running, monkeypatch) -> None:
    looked_up: list[str] = []
    real = running.server.session.lookup
    monkeypatch.setattr(running.server.session, "lookup", lambda path: looked_up.append(path) or real(path))
    port = port_of(running)
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}", f"localhost.:{port + 1}",
                 f"127.0.0.1:{port + 1}", "", f"user@127.0.0.1:{port}"):
        for path in ("/", "/2022/01/11/secret/", "/__digest__/events", "/search/"):
            status, headers, body = raw(running, f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            assert status == 403, (host, path)
            assert DRAFT_TITLE.encode() not in body and b"coup" not in body
            assert headers["x-content-type-options"] == "nosniff"
    status, _, _ = raw(running, b"GET / HTTP/1.0\r\n\r\n")  # no Host at all
    assert status == 403
    status, _, _ = raw(running, f"GET http://evil.example:{port}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    assert status == 403  # an absolute target's host counts, not the Host header
    assert looked_up == []  # nothing was even looked up


def test_the_served_address_loopback_names_and_configured_names_are_served(running: Running) -> None:
    port = port_of(running)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"preview.lan:{port}",
                 f"app.localhost:{port}"):
        status, _, body = raw(running, f"GET /2022/01/11/secret/ HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                              .encode())
        assert status == 200, host
        assert DRAFT_TITLE.encode() in body


def test_every_response_carries_the_security_headers(running: Running) -> None:
    port = port_of(running)
    for path in ("/", "/2022/01/10/coup/", "/no/such/page/", "/__digest__/livereload.js", "/feed.xml", "/../x"):
        status, headers, _ = raw(running, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
                                 .encode())
        assert status in (200, 400, 404), path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cross-origin-resource-policy"] == "same-origin"
    parts = urlsplit(running.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/__digest__/events")
    events = conn.getresponse()
    assert events.status == 200 and events.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    conn.close()


def test_a_change_needs_the_same_origin_and_the_token(running: Running) -> None:
    received: list[bytes] = []
    running.server.httpd.endpoints["/__digest__/capture"] = lambda body: (
        received.append(body) or Response(200, "text/plain; charset=utf-8", b"kept\n")
    )
    port = port_of(running)
    here = f"127.0.0.1:{port}"
    token = running.server.token
    page = raw(running, f"GET / HTTP/1.1\r\nHost: {here}\r\nConnection: close\r\n\r\n".encode())[2]
    assert f'data-token="{token}"'.encode() in page  # only the server's own pages know it
    refused = [
        {"Host": here},  # neither
        {"Host": here, TOKEN_HEADER: token},  # no Origin: a non-browser client or a stripped request
        {"Host": here, "Origin": "http://evil.example", TOKEN_HEADER: token},
        {"Host": here, "Origin": f"http://{here}"},
        {"Host": here, "Origin": f"http://{here}", TOKEN_HEADER: token[:-1] + ("A" if token[-1] != "A" else "B")},
        {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}", TOKEN_HEADER: token},
        {"Host": here, "Origin": f"http://localhost:{port}", TOKEN_HEADER: token},  # another origin than addressed
    ]
    for method in ("POST", "PUT", "DELETE"):
        for headers in refused:
            status, _ = request(running, method, "/__digest__/capture", headers, b"clip")
            assert status == 403, (method, headers)
    assert received == []
    good = {"Host": here, "Origin": f"http://{here}", TOKEN_HEADER: token}
    assert request(running, "POST", "/__digest__/capture", good, b"clip") == (200, b"kept\n")
    assert received == [b"clip"]
    assert request(running, "POST", "/__digest__/nothing", good)[0] == 404
    # too large: refused on its Content-Length, before the body is read (so none is sent: a client still
    # sending a refused body may see the connection close under it)
    too_big = (f"POST /__digest__/capture HTTP/1.1\r\nHost: {here}\r\nOrigin: http://{here}\r\n"
               f"{TOKEN_HEADER}: {token}\r\nContent-Length: {1 << 21}\r\n\r\n").encode()
    assert raw(running, too_big)[0] == 413
    assert received == [b"clip"]


def test_each_server_run_has_its_own_token(make_site) -> None:
    site = make_site(FILES)
    tokens = []
    for _ in range(2):
        server = start_server(site)
        tokens.append(server.server.token)
        server.server.stop()
    assert tokens[0] != tokens[1] and len(tokens[0]) >= 32


@pytest.mark.parametrize(
    "host, loud", [("127.0.0.1", False), ("::1", False), ("localhost", False), ("127.0.0.2", False),
                   ("0.0.0.0", True), ("::", True), ("192.168.1.20", True), ("", True)],
)
def test_listening_beyond_loopback_is_said_loudly(host: str, loud: bool) -> None:
    warning = exposure_warning(host)
    assert (warning is not None) == loud
    if warning:
        assert warning.startswith("WARNING: listening on") and "drafts included" in warning


def test_the_first_report_carries_no_warning_on_loopback(running: Running) -> None:
    from digest.server.app import Serving

    serving = [e for e in running.log.events if isinstance(e, Serving)]
    assert serving and serving[0].warning is None


@pytest.mark.parametrize(
    "header, ok",
    [("127.0.0.1:8000", True), ("[::1]:8000", True), ("localhost:8000", True), ("preview.lan:8000", True),
     ("localhost", False), ("localhost:80", False), ("evil.example:8000", False), ("[::1", False),
     ("::1:8000", False), ("127.0.0.1:0x1f40", False), ("a b:8000", False), ("127.0.0.1:8000/x", False)],
)
def test_host_header_rules(header: str, ok: bool) -> None:
    assert Boundary.make("127.0.0.1", 8000, ["Preview.LAN"], "t").host_allowed(header) is ok


# -- the policy in a real browser: the sample site's pages, live reload and search break none of it ---------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        yield instance
        instance.close()


WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""


@pytest.mark.browser
def test_the_sample_site_runs_under_the_policy(tmp_path: Path, browser: Any) -> None:
    site = tmp_path / "sample"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "digest.yaml", site / "digest.yaml")
    running = start_server(site)
    context = browser.new_context()
    try:
        context.add_init_script(WATCH_VIOLATIONS)
        page = context.new_page()
        page.set_default_timeout(10_000)
        console: list[str] = []
        page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        base = running.url.rstrip("/")
        page.goto(base + "/")
        page.wait_for_function("() => window.__digestLiveReload === 'connected'")
        links = page.eval_on_selector_all("a[href^='/']", "els => [...new Set(els.map(a => a.getAttribute('href')))]")
        visited = ["/", *[link for link in links if not link.endswith((".xml", ".json"))][:12], "/archive/",
                   "/no/such/page/"]
        for path in visited:
            page.goto(base + path)
            page.wait_for_function("() => window.__digestLiveReload === 'connected'")
            assert page.evaluate("window.__cspViolations") == [], path
        page.goto(base + "/search/")
        page.fill("#search-input", "almaty")
        page.wait_for_selector("#search-results a")
        # a broken save: the live-reload script draws the error overlay (styled elements) in the open page
        article_file = next((site / "content").rglob("*.md"))
        good = article_file.read_text(encoding="utf-8")
        article_file.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
        page.wait_for_selector("#digest-error-overlay")
        article_file.write_text(good, encoding="utf-8")
        page.wait_for_function("() => !document.getElementById('digest-error-overlay')")
        assert page.evaluate("window.__cspViolations") == []
        assert console == [] and errors == []
        assert len(visited) >= 8
    finally:
        context.close()
        running.server.stop()
