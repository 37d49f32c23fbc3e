"""The HTTP side of the dev server: only the site's own URLs, never a path on disk, and live-reload events."""

from __future__ import annotations

import dataclasses
import queue
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from digest.server import capture, livereload
from digest.server.mime import content_type
from digest.server.session import SiteSession
from digest.server.state import Response

HEARTBEAT = 15.0  # seconds between keep-alive comments on an idle event stream
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

    session: SiteSession  # set by the owner before serving starts
    origin = ""  # "http://127.0.0.1:8000", set by the owner: capture requests must come from it
    capture_token = ""  # the secret the capture bookmarklet carries; made per run
    capture_importer: capture.Importer | None = None  # None: no capture endpoint

    def __init__(self, address: tuple[str, int], hub: EventHub, heartbeat: float = HEARTBEAT) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.hub = hub
        self.heartbeat = heartbeat
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
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, *, head: bool) -> None:
        try:
            path, query = parse_target(self.path)
        except BadRequest:
            self._send(Response(400, content_type(".txt"), b"bad request\n"), head)
            return
        if path in (capture.PAGE_PATH, capture.RECEIVE_PATH):
            self._send_capture(self._capture_page(path), head)
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
            response = dataclasses.replace(response, body=livereload.inject(response.body, response.live))
        if response.location is not None and query:
            response = dataclasses.replace(response, location=f"{response.location}?{query}")
        self._send(response, head)

    def _capture_page(self, path: str) -> capture.Reply:
        server = self.server
        if server.capture_importer is None or not capture.loopback_host(self.headers.get("Host", "")):
            return capture.Reply(404, content_type(".txt"), b"not found\n")
        if path == capture.PAGE_PATH:
            return capture.page(server.origin, server.capture_token)
        return capture.receive_page(server.origin)

    def do_POST(self) -> None:
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
        if response.location is not None:
            self.send_header("Location", response.location)
        self.end_headers()
        if not head:
            self.wfile.write(response.body)

    def _events(self) -> None:
        client, latest = self.server.hub.subscribe()
        self.close_connection = True  # the stream has no length: it ends when the connection does
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
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


def _event(message: str) -> bytes:
    data = "".join(f"data: {line}\n" for line in message.split("\n"))
    return f"event: state\n{data}\n".encode()

