"""The values a dev-server session hands around: one built site, a rebuild's report, a response, rendered pages."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from digest.config import SiteConfig
from digest.model.site import Site
from digest.plan.pages import ArticlePlanner, PageJob
from digest.server.status import ServeError, Status
from digest.render.theme import Renderer, Theme

RENDERED_BUDGET = 64 * 1024 * 1024  # bytes of rendered pages kept for repeat requests


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    content_type: str
    body: bytes
    location: str | None = None  # for redirects
    html: bool = False  # a page: gets the live-reload snippet
    live: Status | None = None  # the server's status when the page was made (its epoch, any error)


@dataclass(frozen=True, slots=True)
class RebuildReport:
    ok: bool
    seconds: float  # to the end, page plan included
    reparsed: int = 0  # article files parsed and rendered from Markdown
    read: int = 0  # article files read from disk
    articles: int = 0
    pages: int = 0
    changed: bool = False  # the site differs from the last one shown: pages reload
    css_only: bool = False
    error: ServeError | None = None
    timings: Mapping[str, float] = field(default_factory=dict)
    ready_seconds: float | None = None  # until pages could reload (the model was ready)


@dataclass(frozen=True, slots=True, eq=False)
class BuildState:
    """One consistent site: what every request between two rebuilds sees."""

    config: SiteConfig
    theme: Theme
    renderer: Renderer
    site: Site
    articles: ArticlePlanner  # an article's page job, before (or without) planning the whole site
    jobs: Mapping[str, PageJob] | None  # output path -> job; None while the plan is being made
    files: Mapping[str, Path]  # output path -> source file (theme and content assets)
    roots: tuple[Path, ...]  # resolved folders files may be served from
    signature: str  # equal signatures: nothing a page shows has changed
    complete: bool = True  # False while feeds, search index and sitemap are still being planned

    @property
    def prefix(self) -> str:
        """The base URL's path without its final slash: ``""`` or ``/sub``."""
        return self.config.base_path.rstrip("/")


class RenderedPages:
    """Rendered page bytes by page fingerprint, least recently used dropped first; and the ``site``
    fields each page's last render read, by output path (what its next fingerprint hashes, as in a
    build: hashing every field for the first page after each rebuild cost ~30-100 ms at 10k)."""

    def __init__(self, budget: int = RENDERED_BUDGET) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._budget = budget
        self._lock = threading.Lock()
        self._reads: dict[str, tuple[str, ...]] = {}
        self._read_sets: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple per distinct set: pages share them

    def reads(self, path: str) -> tuple[str, ...] | None:
        """The ``site`` fields the last render of the page at ``path`` read (None: not rendered yet)."""
        with self._lock:
            return self._reads.get(path)

    def remember_reads(self, path: str, reads: tuple[str, ...]) -> None:
        with self._lock:
            self._reads[path] = self._read_sets.setdefault(reads, reads)

    def get(self, key: str) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, key: str, data: bytes) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = data
            self._size += len(data)
            while self._size > self._budget and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self._size -= len(old)

    def __len__(self) -> int:
        return len(self._items)
