"""Helpers for the dev-server tests: a server on a free port in a thread, its events, raw HTTP."""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

from digest.server.app import DevServer, ErrorCleared, ErrorShown, Rebuilt, ServeEvent, ServeOptions

TIMEOUT = 15.0


@dataclass
class EventLog:
    """What the server reported, with waits for the next event that matches."""

    events: list[ServeEvent] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def add(self, event: ServeEvent) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def mark(self) -> int:
        with self.cond:
            return len(self.events)

    def wait(self, since: int, match: Callable[[ServeEvent], bool], timeout: float = TIMEOUT) -> ServeEvent:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for event in self.events[since:]:
                    if match(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching event in {timeout} s; got {self.events[since:]}")
                self.cond.wait(left)

    def rebuilt(self, since: int) -> Rebuilt:
        event = self.wait(since, lambda e: isinstance(e, Rebuilt) and e.report.ok and e.report.changed)
        assert isinstance(event, Rebuilt)
        return event

    def error(self, since: int) -> ErrorShown:
        event = self.wait(since, lambda e: isinstance(e, ErrorShown))
        assert isinstance(event, ErrorShown)
        return event

    def cleared(self, since: int) -> ErrorCleared:
        event = self.wait(since, lambda e: isinstance(e, ErrorCleared))
        assert isinstance(event, ErrorCleared)
        return event


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Running:
    site: Path
    server: DevServer
    log: EventLog

    @property
    def url(self) -> str:
        return self.server.url

    def get(self, target: str, method: str = "GET") -> Reply:
        """Send ``target`` exactly as given (no normalising), as an attacker would."""
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
        try:
            conn.request(method, target)
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            conn.close()

    def write(self, rel: str, text: str) -> None:
        path = self.site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def start_server(site: Path, **options: object) -> Running:
    log = EventLog()
    server = DevServer(ServeOptions(site_dir=site, port=0, **options), log.add)  # type: ignore[arg-type]
    server.start()
    return Running(site, server, log)


def stream_events(running: Running) -> Iterator[str]:
    """The data of each ``state`` event on the live-reload stream, as it arrives."""
    parts = urlsplit(running.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
    conn.request("GET", "/__digest__/events")
    response = conn.getresponse()
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    try:
        data: list[str] = []
        while True:
            line = response.fp.readline()
            if not line:
                return
            line = line.decode().rstrip("\n")
            if line.startswith("data: "):
                data.append(line[6:])
            elif line == "" and data:
                yield "\n".join(data)
                data = []
    finally:
        conn.close()
