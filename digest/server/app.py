"""``digest serve``: build in memory, serve, watch, rebuild, tell open pages; stop cleanly on Ctrl-C."""

from __future__ import annotations

import dataclasses
import secrets
import signal
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Union

from digest.errors import DigestError
from digest.server.capture import PAGE_PATH, CaptureRequest, Importer, new_token
from digest.server.guard import Boundary, is_loopback
from digest.server.http import HEARTBEAT, DevHTTPServer, EventHub
from digest.server.session import SessionOptions, SiteSession
from digest.server.state import RebuildReport
from digest.server.status import ServeError, Status
from digest.server.watch import ChangeBatcher, Watcher

VERIFY_AFTER = 1.0  # seconds of quiet before checking that the watcher missed nothing
COLLECT_AFTER = 30.0  # seconds of quiet before a full garbage collection
PLAN_DELAY = 0.25  # seconds the browser gets to reload an article page before the rest is planned


@dataclass(frozen=True, slots=True)
class ServeOptions:
    site_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000  # 0: any free port
    drafts: bool = False
    future: bool = False
    poll: bool = False
    open_browser: bool = False
    debounce: float = 0.05  # seconds without events before a rebuild
    jobs: int = 0
    heartbeat: float = HEARTBEAT
    manage_gc: bool = False  # see SessionOptions; ``serve`` (a process of its own) turns it on
    plan_delay: float = PLAN_DELAY
    capture: Importer | None = None  # imports what the capture bookmarklet sends; None: no bookmarklet
    allowed_hosts: tuple[str, ...] = ()  # host names besides the served address that requests may name


@dataclass(frozen=True, slots=True)
class Serving:
    url: str
    report: RebuildReport
    capture_url: str = ""  # the page offering the capture bookmarklet; "" when capture is off
    warning: str | None = None  # said loudly: the preview is reachable from other machines


@dataclass(frozen=True, slots=True)
class Rebuilt:
    report: RebuildReport


@dataclass(frozen=True, slots=True)
class ErrorShown:
    error: ServeError


@dataclass(frozen=True, slots=True)
class ErrorCleared:
    pass


ServeEvent = Union[Serving, Rebuilt, ErrorShown, ErrorCleared]


def url_host(host: str) -> str:
    """The host as it goes in a URL: a wildcard address becomes loopback, IPv6 gets brackets."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"[{host}]" if ":" in host else host


def exposure_warning(host: str) -> str | None:
    """What to say when the server listens beyond this machine (``--host`` not loopback)."""
    if is_loopback(host):
        return None
    return (
        f"WARNING: listening on {host or 'every address'}, not on loopback: anyone who can reach this machine"
        " can read the preview, drafts included. Use --host 127.0.0.1 unless you mean it."
    )


class DevServer:
    """The running dev server: an HTTP server thread, a watcher, and a rebuild loop thread."""

    def __init__(self, options: ServeOptions, report: Callable[[ServeEvent], None] = lambda event: None) -> None:
        if not options.site_dir.is_dir():
            raise DigestError(f"no site folder at {options.site_dir}: pass --site PATH")
        self.options = options
        self._report = report
        self._shown: ServeError | None = None
        self._status_lock = threading.Lock()
        self._hub = EventHub("{}")
        try:
            self.httpd = DevHTTPServer((options.host, options.port), self._hub, options.heartbeat)
        except OSError as exc:
            hint = " (another server is using it: try --port 0)" if exc.errno == 98 else ""
            raise DigestError(f"cannot listen on {options.host}:{options.port}: {exc.strerror}{hint}") from None
        port = self.httpd.server_address[1]
        self.url = f"http://{url_host(options.host)}:{port}/"
        self.httpd.origin = self.url.rstrip("/")
        self.token = new_token()  # one per run: what a state-changing request must show (capture included)
        self.httpd.capture_token = self.token
        self.httpd.capture_importer = self._capture if options.capture is not None else None
        self.httpd.boundary = Boundary.make(options.host, port, options.allowed_hosts, self.token)
        self.session = SiteSession(
            SessionOptions(site_dir=options.site_dir, base_url=self.url, drafts=options.drafts, future=options.future,
                           jobs=options.jobs, manage_gc=options.manage_gc, plan_delay=options.plan_delay),
            on_status=self._on_status,
        )
        self.httpd.session = self.session
        self._hub.publish(self.session.status().to_json())
        self._batcher = ChangeBatcher(quiet=options.debounce)
        self._watcher = Watcher(self._batcher, poll=options.poll)
        self._threads: list[threading.Thread] = []
        self._stopped = threading.Event()

    def _capture(self, request: CaptureRequest) -> str:
        """Import what the bookmarklet sent, and have the next rebuild publish the draft in the preview."""
        assert self.options.capture is not None
        path = self.options.capture(request)
        self.session.show_draft(path)
        # a rebuild after show_draft, even if the watcher's came first and left the draft out
        self._batcher.add([str(self.session.site_dir / path)])
        return path

    @property
    def site_url(self) -> str:
        """Where the home page is: the base URL's path on this server."""
        state = self.session.state
        return self.url.rstrip("/") + (state.config.base_path if state else "/")

    def _on_status(self, status: Status) -> None:
        self._hub.publish(status.to_json())
        with self._status_lock:
            before, self._shown = self._shown, status.error
        if status.error is not None and status.error != before:
            self._report(ErrorShown(status.error))
        elif status.error is None and before is not None:
            self._report(ErrorCleared())

    def start(self) -> RebuildReport:
        """Build, then serve and watch in background threads; returns the first build's report."""
        # watch first: a save during the first build is picked up by the loop afterwards
        self._watcher.watch(self.session.watch_roots())
        self._watcher.start()
        report = self.session.rebuild()
        self._watcher.watch(self.session.watch_roots())
        for name, target in (("digest-http", self._serve_http), ("digest-rebuild", self._rebuild_loop)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        capture_url = self.url.rstrip("/") + PAGE_PATH if self.options.capture is not None else ""
        self._report(Serving(self.site_url, report, capture_url, exposure_warning(self.options.host)))
        return report

    def _serve_http(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def _rebuild_loop(self) -> None:
        check = collect = False  # idle chores owed since the last rebuild
        while True:
            idle = VERIFY_AFTER if check else COLLECT_AFTER if collect else None
            batch = self._batcher.wait(idle)
            if batch is None:
                return
            if not batch:
                if check:
                    # a rebuild trusts the watcher's list of changed files; when all is quiet, make sure
                    # nothing slipped past it (a full event queue, a network file system)
                    missed = self.session.stale_paths(cancelled=self._batcher.pending)
                    check = missed is None  # cut short by a save: check again after its rebuild
                    if missed:
                        self._batcher.add(missed)
                elif collect:
                    collect = False
                    self.session.collect_garbage()
                continue
            # a folder that just appeared (themes/, content/) is watched before the rebuild reads it, so a
            # save made in it meanwhile is not lost; and again after, as the config may have moved content/
            self._watcher.watch(self.session.watch_roots())
            report = self.session.rebuild(batch)
            check = collect = True
            self._watcher.watch(self.session.watch_roots())
            self._report(Rebuilt(report))

    def wait(self) -> None:
        """Block until ``stop`` (or Ctrl-C, which raises ``KeyboardInterrupt`` here)."""
        while not self._stopped.wait(0.5):
            pass

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._watcher.stop()  # also ends the rebuild loop
        self.session.close()
        self._hub.close()  # event streams end, their threads return
        if any(t.name == "digest-http" for t in self._threads):
            self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> DevServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(options: ServeOptions, report: Callable[[ServeEvent], None]) -> None:
    """Run the dev server until Ctrl-C (or SIGTERM, as a container or process manager sends)."""
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if in_main else None
    try:
        with DevServer(dataclasses.replace(options, manage_gc=True), report) as server:
            try:
                server.start()  # prints the address before it returns: a Ctrl-C may come in here too
                if options.open_browser:
                    webbrowser.open(server.site_url)
                server.wait()
            except KeyboardInterrupt:
                pass  # the normal way to stop: the with block shuts everything down
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
