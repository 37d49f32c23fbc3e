"""The HTTP side of the dev server: only the site's own URLs, never a path on disk, and live-reload events."""

from __future__ import annotations

import dataclasses
import queue
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import unquote

from digest.server import capture, livereload
from digest.server.guard import SECURITY_HEADERS, STATE_CHANGING, TOKEN_HEADER, Boundary
from digest.server.mime import content_type
from digest.server.session import SiteSession
from digest.server.state import Response

HEARTBEAT = 15.0  # seconds between keep-alive comments on an idle event stream
MAX_BODY = 1 << 20  # bytes a state-changing request may send
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError, socket.timeout)


class BadRequest(ValueError):
    pass


def parse_target(target: str) -> tuple[str, str]:
    """The decoded path and raw query of a request target.

    ``BadRequest`` for anything but a plain absolute path: ``.`` or ``..`` segments (also
    percent-encoded), backslashes, NUL, bytes that are not UTF-8. Pages are looked up by
    path in the site's plan, never joined to a folder, so what remains cannot reach a file
    the site does not serve.
    """
    if target.startswith(("http://", "https://")):  # absolute form, as a proxy would send it
        rest = target.split("://", 1)[1]
        target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    path, _, query = target.partition("?")
    path = path.partition("#")[0]
    if not path.startswith("/"):
        raise BadRequest(target)
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(target) from None
    if "\x00" in decoded or "\\" in decoded:
        raise BadRequest(target)
    if any(segment in (".", "..") for segment in decoded.split("/")):
        raise BadRequest(target)
    return decoded, query


class EventHub:
    """Server-sent events: the latest status to each open page, now and after every change."""

    def __init__(self, first: str) -> None:
        self._lock = threading.Lock()
        self._clients: set[queue.SimpleQueue[str | None]] = set()
        self._latest = first
        self._closed = False

    def publish(self, message: str) -> None:
        with self._lock:
            self._latest = message
            for client in self._clients:
                client.put(message)

    def subscribe(self) -> tuple[queue.SimpleQueue[str | None], str]:
        client: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        with self._lock:
            if self._closed:
                client.put(None)
            self._clients.add(client)
            return client, self._latest

    def unsubscribe(self, client: queue.SimpleQueue[str | None]) -> None:
        with self._lock:
            self._clients.discard(client)

    @property
    def client_count(self) -> int:
        with self._lock:
            return len(self._clients)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for client in self._clients:
                client.put(None)


class DevHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client never holds up Ctrl-C
    block_on_close = False
    request_queue_size = 256  # listen backlog: 200 tabs reconnecting at once are not refused (the default is 5)

    session: SiteSession  # set by the owner before serving starts
    origin = ""  # "http://127.0.0.1:8000", set by the owner: capture requests must come from it
    capture_token = ""  # the secret the capture bookmarklet carries; made per run
    capture_importer: capture.Importer | None = None  # None: no capture endpoint
    boundary: Boundary  # set by the owner before serving starts: who may ask

    def __init__(self, address: tuple[str, int], hub: EventHub, heartbeat: float = HEARTBEAT) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.hub = hub
        self.heartbeat = heartbeat
        # state-changing endpoints by path (POST body -> response); each is reached only through the
        # Host, Origin and token checks
        self.endpoints: dict[str, Callable[[bytes], Response]] = {}
        super().__init__(address, DevRequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, _GONE):
            return  # the browser went away mid-response: nothing to report
        super().handle_error(request, client_address)


class DevRequestHandler(BaseHTTPRequestHandler):
    server: DevHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "digest-serve"
    timeout = 60  # idle keep-alive connections let go of their thread

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for rebuilds and errors

    def do_GET(self) -> None:
        if self._host_ok(head=False):
            self._respond(head=False)

    def do_HEAD(self) -> None:
        if self._host_ok(head=True):
            self._respond(head=True)

    def do_POST(self) -> None:
        self._change()

    do_PUT = do_PATCH = do_DELETE = do_POST

    def _host_ok(self, *, head: bool) -> bool:
        # before the path is even parsed: a page served under another name (DNS rebinding) learns nothing
        boundary = self.server.boundary
        authority = _authority(self.path)  # an absolute-form target's host overrides Host (RFC 9112)
        if boundary.host_allowed(self.headers.get("Host")) and (authority is None or boundary.host_allowed(authority)):
            return True
        self.close_connection = True
        self._drain_small_body()
        self._send(Response(403, content_type(".txt"), b"forbidden: this server answers only to its own address\n"),
                   head)
        return False

    def _drain_small_body(self) -> None:
        """Read a small refused body before answering, so the client reads the 403 instead of a reset
        connection (a large one is left unread: the connection closes either way)."""
        length = self.headers.get("Content-Length", "")
        if length.isdigit() and 0 < int(length) <= 64 * 1024:
            try:
                self.rfile.read(int(length))
            except OSError:
                pass

    def _change(self) -> None:
        if not self._host_ok(head=False):
            return
        assert self.command in STATE_CHANGING
        headers = self.headers
        if not self.server.boundary.change_allowed(headers.get("Origin"), headers.get(TOKEN_HEADER),
                                                   headers.get("Host", "")):
            self.close_connection = True
            self._drain_small_body()
            self._send(Response(403, content_type(".txt"), b"forbidden: a change needs this server's page and token\n"),
                       False)
            return
        try:
            path, _query = parse_target(self.path)
        except BadRequest:
            self._send(Response(400, content_type(".txt"), b"bad request\n"), False)
            return
        endpoint = self.server.endpoints.get(path)
        if endpoint is None and path == capture.PAGE_PATH and self.command == "POST":
            self._capture_post()  # past the Origin and token checks; it checks the token in the body again
            return
        if endpoint is None:
            self._send(Response(404, content_type(".txt"), b"not found\n"), False)
            return
        length_text = self.headers.get("Content-Length", "0")
        if not length_text.isdigit() or int(length_text) > MAX_BODY:
            self.close_connection = True
            self._send(Response(413, content_type(".txt"), b"request body too large\n"), False)
            return
        self._send(endpoint(self.rfile.read(int(length_text))), False)

    def _respond(self, *, head: bool) -> None:
        try:
            path, query = parse_target(self.path)
        except BadRequest:
            self._send(Response(400, content_type(".txt"), b"bad request\n"), head)
            return
        if path in (capture.PAGE_PATH, capture.RECEIVE_PATH, capture.RECEIVE_SCRIPT_PATH):
            self._send_capture(self._capture_page(path), head)
            return
        if path == capture.OPEN_PATH:
            self._open_captured(query, head)
            return
        if path.startswith(livereload.PREFIX):
            if path == livereload.EVENTS_PATH and not head:
                self._events()
                return
            script = livereload.asset(path)
            if script is None:
                self._send(Response(404, content_type(".txt"), b"not found\n"), head)
            else:
                self._send(Response(200, content_type(path), script), head)
            return
        response = self.server.session.lookup(path)
        if response.html and response.live is not None:
            response = dataclasses.replace(
                response, body=livereload.inject(response.body, response.live, self.server.boundary.token)
            )
        if response.location is not None and query:
            response = dataclasses.replace(response, location=f"{response.location}?{query}")
        self._send(response, head)

    def _capture_on(self) -> bool:
        """Capture is offered: the server has an importer, and the request names this machine."""
        return self.server.capture_importer is not None and capture.loopback_host(self.headers.get("Host", ""))

    def _capture_page(self, path: str) -> capture.Reply:
        server = self.server
        if not self._capture_on():
            return capture.Reply(404, content_type(".txt"), b"not found\n")
        if path == capture.PAGE_PATH:
            return capture.page(server.origin, server.capture_token)
        if path == capture.RECEIVE_SCRIPT_PATH:
            return capture.receive_script()
        return capture.receive_page(server.origin)

    def _open_captured(self, query: str, head: bool) -> None:
        """Redirect to a captured draft's page once a rebuild has published it."""
        target = capture.open_target(query)
        if not self._capture_on() or target is None:
            self._send(Response(404, content_type(".txt"), b"not found\n"), head)
            return
        url = self.server.session.article_url(target, capture.OPEN_WAIT)
        if url is None:
            self._send_capture(capture.not_shown(target), head)
        else:
            self._send(Response(303, content_type(".txt"), f"see {url}\n".encode(), location=url), head)

    def _capture_post(self) -> None:
        try:
            path, _ = parse_target(self.path)
            length = int(self.headers.get("Content-Length", ""))
        except (BadRequest, ValueError):
            self._send(Response(400, content_type(".txt"), b"bad request\n"), False)
            return
        self.close_connection = True  # a refused body is not read: the connection cannot be reused
        if path != capture.PAGE_PATH:
            self._send(Response(405, content_type(".txt"), b"method not allowed\n"), False)
            return
        if not 0 <= length <= capture.MAX_BODY:
            self._send_capture(capture.Reply(413, "application/json", b'{"error": "too large"}'), False)
            return
        headers = {key.lower(): value for key, value in self.headers.items()}
        server = self.server
        self._send_capture(
            capture.handle_post(headers, self.rfile.read(length), origin=server.origin, token=server.capture_token,
                                importer=server.capture_importer),
            False,
        )

    def _send_capture(self, reply: capture.Reply, head: bool) -> None:
        self._send(Response(reply.status, reply.content_type, reply.body), head)

    def _send(self, response: Response, head: bool) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        self._security_headers()
        if response.location is not None:
            self.send_header("Location", response.location)
        self.end_headers()
        if not head:
            self.wfile.write(response.body)

    def _security_headers(self) -> None:
        for name, value in SECURITY_HEADERS:
            self.send_header(name, value)

    def _events(self) -> None:
        client, latest = self.server.hub.subscribe()
        self.close_connection = True  # the stream has no length: it ends when the connection does
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self._security_headers()
            self.end_headers()
            self.wfile.write(b"retry: 500\n\n" + _event(latest))
            while True:
                try:
                    message = client.get(timeout=self.server.heartbeat)
                except queue.Empty:
                    self.wfile.write(b": ping\n\n")
                    continue
                if message is None:
                    return
                self.wfile.write(_event(message))
        except _GONE:
            return
        except OSError:
            return
        finally:
            self.server.hub.unsubscribe(client)


def _authority(target: str) -> str | None:
    for scheme in ("http://", "https://"):
        if target[: len(scheme)].lower() == scheme:
            return target[len(scheme) :].split("/", 1)[0]
    return None


def _event(message: str) -> bytes:
    data = "".join(f"data: {line}\n" for line in message.split("\n"))
    return f"event: state\n{data}\n".encode()

