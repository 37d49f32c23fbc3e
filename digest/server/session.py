"""The site as the dev server holds it: built in memory, rebuilt on change, rendered page by page on request.

A rebuild re-reads only the files whose stat changed, parses only the articles whose bytes
changed (the others come from memory or the cache), then builds the whole model and page
plan again: the full model is the reference, so there is no partial-update logic to get
wrong. Pages are rendered when a browser asks for them and kept, by fingerprint, in an LRU.
Nothing is written to the site's output folder.
"""

from __future__ import annotations

import dataclasses
import enum
import gc
import hashlib
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Mapping

from markupsafe import Markup

from digest import pipeline
from digest.pipeline import Loaded, Sources, Timer, now_from_env
from digest.workers import cpu_count
from digest.render.jobs import page_fingerprint, render_job
from digest.cache import CACHE_DIR, Cache
from digest.config import CONFIG_NAME, SiteConfig
from digest.errors import BuildFailed, DigestError
from digest.model.loaded import LoadedArticle
from digest.model.site import Site
from digest.plan.pages import (
    ArticlePlanner,
    PageJob,
    PlannedPages,
)
from digest.server.finish import Finisher, ForkedFinisher
from digest.server.mime import content_type
from digest.sources.scan import ContentScanner
from digest.server.state import BuildState, RebuildReport, RenderedPages, Response
from digest.server.status import CssSwap, ServeError, Status
from digest.render.theme import DEFAULT_THEME, Renderer, Theme, load_theme

NO_SITE_PAGE = b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>digest</title></head><body></body></html>\n'


class Phase(enum.Enum):
    """Where the session's rebuild is; requests wait on it (see ``_current``)."""

    IDLE = "no build yet"
    BUILDING = "config, theme and model are being made: every request waits"
    PLANNING = "the model is ready: article pages and files are served, other pages wait for the plan"
    PLANNED = "every template page is planned; feeds, search and sitemap may still be on the way"
    READY = "the rebuild is done"  # requests for feeds etc. still wait until the state is complete
    FAILED = "the last rebuild failed: the last good site is served, with the error overlay"

    @property
    def settled(self) -> bool:
        """No rebuild is running."""
        return self in (Phase.IDLE, Phase.READY, Phase.FAILED)


_MOVES: dict[Phase, frozenset[Phase]] = {
    Phase.IDLE: frozenset({Phase.BUILDING}),
    Phase.BUILDING: frozenset({Phase.PLANNING, Phase.READY, Phase.FAILED}),  # READY: a stylesheet-only swap
    Phase.PLANNING: frozenset({Phase.PLANNED, Phase.FAILED}),
    Phase.PLANNED: frozenset({Phase.READY, Phase.FAILED}),  # FAILED: a template error found by the probe
    Phase.READY: frozenset({Phase.BUILDING}),
    Phase.FAILED: frozenset({Phase.BUILDING}),
}


@dataclass(frozen=True, slots=True)
class SessionOptions:
    site_dir: Path
    base_url: str | None = None  # where the server is reachable; replaces the config's for links
    drafts: bool = False
    future: bool = False
    jobs: int = 0
    use_cache: bool = True
    clock: Callable[[], datetime] = now_from_env
    # Pause the cyclic garbage collector during rebuilds and freeze what they leave: for a process that
    # is the dev server and nothing else (the CLI), not for one that hosts it among other things (tests).
    manage_gc: bool = False
    # Seconds to hold back planning every page after the model is ready (see _rebuild).
    plan_delay: float = 0.0
    # Plan feeds, search index and sitemap in a forked process a newer rebuild can kill (see finish.py).
    fork_extras: bool = hasattr(os, "fork")


class SiteSession:
    """Holds config, theme, model, plan and caches; ``rebuild`` after changes, ``lookup`` per request.

    Requests wait while a rebuild runs, so nobody sees a half-built site; a failed rebuild
    keeps the last good site and records the error for the overlay.
    """

    def __init__(self, options: SessionOptions, on_status: Callable[[Status], None] | None = None) -> None:
        self.options = options
        self.site_dir = Path(os.path.normpath(options.site_dir.absolute()))
        self._on_status = on_status
        self._cond = threading.Condition()
        self._rebuild_lock = threading.Lock()
        self._phase = Phase.IDLE  # changed only by _enter, under _cond
        self._published: Status | None = None
        self._plan_wanted = 0  # requests waiting for the page plan
        self._state: BuildState | None = None
        self._error: ServeError | None = None
        self._token = secrets.token_hex(3)  # epochs of another server run never look current
        self._epoch_n = 0
        self._css: CssSwap | None = None
        # what the next rebuild starts from; reloaded when their files change or after they failed
        self._config: SiteConfig | None = None
        self._config_stale = False
        self._theme_stale = False
        self._unscanned: set[str] = set()  # changed paths a failed rebuild never got to look at
        self._theme: Theme | None = None
        self._renderer: Renderer | None = None
        self._memo: dict[str, LoadedArticle] = {}
        self._captured: frozenset[str] = frozenset()  # drafts captured in this run: shown even without --drafts
        self._scanner = ContentScanner()
        self._pages = RenderedPages()
        self._finisher = Finisher(self._finish)
        self._forked = ForkedFinisher() if options.fork_extras else None

    # -- state ---------------------------------------------------------------------------------
    @property
    def epoch(self) -> str:
        return f"{self._token}.{self._epoch_n}"

    @property
    def phase(self) -> Phase:
        with self._cond:
            return self._phase

    def _enter(self, phase: Phase) -> None:
        """The one place the phase changes (``_cond`` held): checks the move and wakes the waiting requests."""
        if phase not in _MOVES[self._phase]:
            raise AssertionError(f"dev server: no move from {self._phase.name} to {phase.name}")
        self._phase = phase
        self._cond.notify_all()

    def status(self) -> Status:
        with self._cond:
            return Status(self.epoch, self._error, self._css)

    @property
    def error(self) -> ServeError | None:
        return self._error

    @property
    def state(self) -> BuildState | None:
        return self._state

    def watch_roots(self) -> list[tuple[Path, bool]]:
        """(folder, recursive) to watch: the site folder itself only for digest.yaml."""
        content = self._config.content_dir if self._config else "content"
        roots = [(self.site_dir, False), (self.site_dir / content, True), (self.site_dir / "themes", True),
                 (self.site_dir / "static", True), (DEFAULT_THEME, True)]
        return roots

    def _publish(self) -> None:
        status = self.status()
        with self._cond:
            if status == self._published:
                return
            self._published = status
        if self._on_status is not None:
            self._on_status(status)

    # -- rebuilding ----------------------------------------------------------------------------
    def rebuild(self, changed: Iterable[str | Path] = ()) -> RebuildReport:
        """Bring the site up to date with the files on disk; ``changed`` names what the watcher saw."""
        with self._rebuild_lock:
            with self._cond:
                self._enter(Phase.BUILDING)
            report: RebuildReport | None = None
            paused = self.options.manage_gc and gc.isenabled()
            if paused:
                gc.disable()
            try:
                report = self._rebuild({os.path.normpath(os.path.abspath(p)) for p in changed})
            finally:
                if paused:
                    _settle_gc()
                with self._cond:
                    self._enter(Phase.READY if report is not None and report.ok else Phase.FAILED)
            self._publish()
            return report

    def stale_paths(self, cancelled: Callable[[], bool] = lambda: False) -> set[str] | None:
        """Content paths that changed since the last rebuild without the watcher saying so (for idle checks);
        ``None`` if ``cancelled()`` cut the check short."""
        with self._rebuild_lock:
            if self._config is None or self._config_stale:
                return set()
            return self._scanner.stale(self.site_dir, self._config, cancelled)

    def collect_garbage(self) -> None:
        """A full cyclic collection, for idle moments (see ``manage_gc``)."""
        if self.options.manage_gc:
            with self._rebuild_lock:
                gc.unfreeze()
                gc.collect()
                gc.freeze()

    def _classify(self, changed: set[str]) -> set[str]:
        kinds: set[str] = set()
        config_file = str(self.site_dir / CONFIG_NAME)
        theme_dirs = [str(self.site_dir / "themes"), str(DEFAULT_THEME)]
        for path in changed:
            if path == config_file:
                kinds.add("config")
            elif any(path == d or path.startswith(d + os.sep) for d in theme_dirs):
                css = path.endswith(".css") and f"{os.sep}static{os.sep}" in path
                kinds.add("css" if css else "theme")
            else:
                kinds.add("content")
        return kinds

    def _rebuild(self, changed: set[str]) -> RebuildReport:
        started = time.perf_counter()
        timer = Timer()
        kinds = self._classify(changed)
        if self._forked is not None:
            self._forked.cancel()  # the plan it is finishing is about to be replaced
        self._unscanned |= changed  # until a scan has looked at them: a rebuild may fail before it gets there
        old = self._state
        try:
            if self._config is None or self._config_stale or "config" in kinds:
                # a broken digest.yaml is read again on every rebuild until it loads
                self._config_stale = True
                config = pipeline.configure(self.site_dir)
                if self.options.base_url:
                    config = pipeline.serving_config(config, self.options.base_url)
                if self._config is None or config.fingerprint() != self._config.fingerprint():
                    self._theme = None  # the theme name may have changed
                self._config = config
                self._config_stale = False
                timer.lap("config")
            config = self._config
            assert config is not None
            if self._theme is None or self._theme_stale or kinds & {"theme", "css"}:
                self._theme_stale = True  # until it loads
                theme = load_theme(self.site_dir, config.theme)
                if self._theme is None or theme.fingerprint != self._theme.fingerprint:
                    self._theme = theme
                    self._renderer = Renderer(theme, config.base_url, config.relative_urls, serve=True)
                self._theme_stale = False
                timer.lap("theme")
            theme, renderer = self._theme, self._renderer
            assert theme is not None and renderer is not None
            # (a multilingual state holds every language's files: it is rebuilt whole, stylesheets included)
            if old is not None and self._error is None and kinds == {"css"} and old.config is config \
                    and not config.languages:
                return self._commit_css(old, theme, renderer, started)
            if config.languages:
                return self._rebuild_languages(config, theme, renderer, timer, started, old)
            state, read, reparsed = self._build(config, theme, renderer, timer)
        except Exception as exc:  # noqa: BLE001 - the user's mistake or our bug: both go to the overlay
            return self._failed(exc, started, timer)
        # The model is enough to serve an article's page: let pages reload now and plan the rest meanwhile
        # (requests for other pages wait for the plan). At 10,000 articles planning is a third of a rebuild.
        changed_site = old is None or state.signature != old.signature
        with self._cond:
            self._state = state
            self._error = None
            if changed_site:
                self._epoch_n += 1
                self._css = None
            self._enter(Phase.PLANNING)
        self._publish()
        ready = time.perf_counter() - started
        if old is not None and self.options.plan_delay > 0:
            # The reloading browser needs the CPU now, for its article page; planning can wait a little,
            # unless a request is waiting for the plan (another tab on a list page).
            with self._cond:
                self._cond.wait_for(lambda: self._plan_wanted > 0, timeout=self.options.plan_delay)
        planner = state.articles.planner
        try:
            pipeline.plan_site(planner)
            if planner.problems:
                raise BuildFailed(planner.problems)
        except Exception as exc:  # noqa: BLE001
            with self._cond:
                self._state = old  # keep serving the last complete site
            return self._failed(exc, started, timer)
        jobs = planner.jobs
        state = dataclasses.replace(state, jobs=jobs, complete=False)
        with self._cond:
            self._state = state
            self._enter(Phase.PLANNED)
        timer.lap("plan")
        # the pages are planned: after a theme change, render one of each template, so a broken one shows now
        probe_error = self._probe(state) if old is None or old.theme is not state.theme else None
        if probe_error is not None:
            with self._cond:
                self._error = probe_error
        if old is None:
            self._finish(state)  # the first build: whole, so its problems are reported before serving starts
        else:
            self._finisher.submit(state)
        return RebuildReport(
            probe_error is None, time.perf_counter() - started, reparsed=reparsed, read=read,
            articles=len(state.site.articles), pages=len(jobs), changed=changed_site, error=probe_error,
            timings=timer.timings, ready_seconds=ready,
        )

    def _finish(self, state: BuildState) -> None:
        """Plan feeds, the search index and the sitemap for ``state`` (at 10,000 articles, seconds of the
        search index): pages are served meanwhile; only a URL the pages do not have waits for it."""
        error: ServeError | None = None
        try:
            if self._forked is None:
                pipeline.plan_outputs(state.articles.planner)
            else:
                while not self._forked.finish(state.articles.planner, pipeline.plan_outputs):
                    # killed by a rebuild: if that one kept this site (a stylesheet swap, a failed rebuild)
                    # the plan is still wanted, so start again once it is done
                    with self._cond:
                        self._cond.wait_for(lambda: self._phase.settled)
                        current = self._state
                    if current is None or current.articles is not state.articles:
                        return
        except Exception as exc:  # noqa: BLE001 - shown like any other build error
            error = ServeError.from_exception(exc)
        if self.options.manage_gc:
            gc.freeze()  # what it made lives as long as the site (see _settle_gc)
        with self._cond:
            current = self._state
            if current is None or current.articles is not state.articles:
                return  # a newer rebuild replaced this site meanwhile: its own plan is on the way
            self._state = dataclasses.replace(current, complete=True)
            if error is not None:
                self._error = error
            self._cond.notify_all()
        if error is not None:
            self._publish()

    @property
    def _drafts(self) -> bool | frozenset[str]:
        return True if self.options.drafts else self._captured

    def show_draft(self, path: str) -> None:
        """Publish this draft (a site-relative path) in the preview from the next rebuild on, ``--drafts``
        or not: a story captured while previewing is opened at once, before the curator has read it over."""
        with self._cond:
            self._captured = self._captured | {path}

    def article_url(self, path: str, timeout: float) -> str | None:
        """The served URL of the article from this site-relative file, once a rebuild has published it;
        ``None`` if none has within ``timeout`` seconds (the rebuild failed, or the file is not an article)."""
        with self._cond:
            self._cond.wait_for(lambda: self._published_url(path) is not None, timeout)
            return self._published_url(path)

    def _published_url(self, path: str) -> str | None:
        state = self._state  # read under _cond
        if state is None or not self._phase.settled:
            return None
        article = next((a for a in state.site.articles if a.path == path), None)
        return None if article is None else state.prefix + article.url

    def settle(self, timeout: float | None = None) -> BuildState | None:
        """Wait until the whole site is planned (tests, and anything that needs every output)."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._phase.settled and (self._state is None or self._state.complete),
                timeout,
            )
            return self._state

    def close(self) -> None:
        self._finisher.close()

    def _failed(self, exc: Exception, started: float, timer: Timer) -> RebuildReport:
        error = ServeError.from_exception(exc)
        with self._cond:
            self._error = error
        return RebuildReport(False, time.perf_counter() - started, error=error, timings=timer.timings)

    def _build(self, config: SiteConfig, theme: Theme, renderer: Renderer, timer: Timer) -> tuple[BuildState, int, int]:
        """The new model, without the page plan yet."""
        scan = self._scanner.scan(self.site_dir, config, have=self._memo, changed=self._unscanned or None)
        self._unscanned = set()
        timer.lap("scan")
        cache = Cache(self.site_dir / CACHE_DIR if self.options.use_cache else None)
        try:
            prepared = pipeline.prepare(
                self.site_dir, config, cache=cache, jobs=cpu_count(self.options.jobs), now=self.options.clock(),
                drafts=self._drafts, future=self.options.future, timer=timer,
                sources=Sources(scan.files, scan.assets), memo=self._memo, remember=self._remember,
                reuse=self._state.site if self._state else None,
                prune=self._state is None,  # pruning the cache costs more than the rest of a one-file rebuild
            )
        finally:
            cache.close()
        site = prepared.site
        assert site is not None  # without keep_going a failed model raised
        reparsed = prepared.loaded.rendered
        articles = pipeline.plan_articles(site, messages=renderer.catalogues.messages(config.language))
        state = self._state_for(config, theme, renderer, site, articles, None)
        timer.lap("state")
        return state, scan.read, reparsed

    def _remember(self, loaded: Loaded) -> Loaded:
        """Keep every loaded article for the next rebuild. The model wraps each body in Markup; doing it
        once here spares copying every body on every rebuild."""
        self._memo = {a.key: a if isinstance(a.html, Markup) else _as_markup(a) for a in loaded.articles}
        return dataclasses.replace(loaded, articles=[self._memo[a.key] for a in loaded.articles])

    def _rebuild_languages(
        self, config: SiteConfig, theme: Theme, renderer: Renderer, timer: Timer, started: float,
        old: BuildState | None,
    ) -> RebuildReport:
        """A multilingual site: every language's model and the whole plan, by the build's own steps
        (no early article pages, no forked finishing: a preview of several languages is rarely huge)."""
        # the scanner's record of content/ (every language's folder) is what idle checks compare with
        self._scanner.scan(self.site_dir, config, have=(), changed=None)
        self._unscanned = set()
        cache = Cache(self.site_dir / CACHE_DIR if self.options.use_cache else None)
        try:
            sites = pipeline.prepare_languages(
                self.site_dir, config, cache=cache, jobs=cpu_count(self.options.jobs), now=self.options.clock(),
                drafts=self._drafts, future=self.options.future, timer=timer,
            )
            jobs = pipeline.plan_languages(sites, memo=cache, messages=renderer.catalogues.messages)
        finally:
            cache.close()
        timer.lap("plan")
        default = sites.sites[0]
        articles = pipeline.plan_articles(default, messages=renderer.catalogues.messages(config.language))
        state = self._state_for(config, theme, renderer, default, articles, jobs, sites)
        probe_error = self._probe(state) if old is None or old.theme is not state.theme else None
        changed_site = old is None or state.signature != old.signature
        with self._cond:
            self._state = state
            self._error = probe_error
            if changed_site:
                self._epoch_n += 1
                self._css = None
        return RebuildReport(
            probe_error is None, time.perf_counter() - started, reparsed=sites.rendered,
            articles=len(sites.articles), pages=len(jobs), changed=changed_site, error=probe_error,
            timings=timer.timings,
        )

    def _state_for(
        self, config: SiteConfig, theme: Theme, renderer: Renderer, site: Site, articles: ArticlePlanner,
        jobs: Mapping[str, PageJob] | None, languages: pipeline.LanguageSites | None = None,
    ) -> BuildState:
        content: Site | pipeline.LanguageSites = languages or site  # a multilingual site: every language's files
        # pages come first when a URL is both (planning refuses content files that would overwrite a page)
        files = {out: src for out, src in [*theme.assets.values(), *content.assets]}
        roots = tuple(p.resolve() for p in (self.site_dir / config.content_dir, *theme.folders))
        sig = hashlib.blake2b(digest_size=16)
        sig.update(f"{config.fingerprint()}|{theme.fingerprint}\n".encode())
        sig.update("\n".join(a.key for a in content.articles).encode())
        if site.editions is not None:
            sig.update(site.editions.signature().encode())
        for out, src in content.assets:
            try:
                st = src.stat()
                sig.update(f"\n{out}|{src}|{st.st_mtime_ns}|{st.st_size}".encode())
            except OSError:
                sig.update(f"\n{out}|gone".encode())
        return BuildState(config, theme, renderer, site, articles, jobs, files, roots, sig.hexdigest())

    def _commit_css(self, old: BuildState, theme: Theme, renderer: Renderer, started: float) -> RebuildReport:
        """Only stylesheets changed: same model and plan, new asset names; pages swap their links."""
        state = dataclasses.replace(
            self._state_for(old.config, theme, renderer, old.site, old.articles, old.jobs), complete=old.complete
        )
        prefix = old.prefix
        hrefs = {
            f"{prefix}/{old.theme.assets[name][0]}": f"{prefix}/{entry[0]}"
            for name, entry in theme.assets.items()
            if name in old.theme.assets and old.theme.assets[name][0] != entry[0] and name.endswith(".css")
        }
        changed = state.signature != old.signature
        with self._cond:
            since = self.epoch
            self._state = state
            if changed:
                self._epoch_n += 1
                self._css = CssSwap(since, hrefs) if hrefs else None
        return RebuildReport(
            True, time.perf_counter() - started, articles=len(state.site.articles), pages=len(old.jobs or ()),
            changed=changed, css_only=True,
        )

    def _probe(self, state: BuildState) -> ServeError | None:
        """After a theme change, render one page of each template, so a broken template shows at once."""
        seen: set[str | None] = set()
        jobs = state.jobs
        assert jobs is not None
        for path in jobs:
            template = jobs.spec(path).template if isinstance(jobs, PlannedPages) else jobs[path].template
            if template in seen:
                continue
            seen.add(template)
            try:
                self._render(state, jobs[path])
            except DigestError as exc:
                return ServeError.from_exception(exc)
        return None

    # -- serving -------------------------------------------------------------------------------
    def _current(self, *, planned: bool, complete: bool = False) -> tuple[BuildState | None, Status]:
        with self._cond:
            if planned:
                self._plan_wanted += 1
                self._cond.notify_all()
            try:
                while (
                    self._phase is Phase.BUILDING or (planned and self._phase is Phase.PLANNING)
                    or (complete and self._state is not None and not self._state.complete)
                ):
                    self._cond.wait()
            finally:
                if planned:
                    self._plan_wanted -= 1
            return self._state, Status(self.epoch, self._error, self._css)

    def lookup(self, path: str) -> Response:
        """The response for a decoded, normalised URL path (the HTTP layer has refused traversal)."""
        state, status = self._current(planned=False)
        response = self._early(state, path) if state is not None and state.jobs is None else None
        if response is None:
            state, status = self._current(planned=True)
            response = self._lookup(state, path, final=False)
        if response is None:  # not among the pages: perhaps a feed or the search index, planned last
            state, status = self._current(planned=True, complete=True)
            response = self._lookup(state, path, final=True)
        assert response is not None
        if response.html:
            live = self.status() if response.status == 500 else status  # a render error just changed it
            response = dataclasses.replace(response, live=live)
        return response

    def _early(self, state: BuildState, path: str) -> Response | None:
        """An article page or a file, answered from the model while the plan is still being made."""
        prefix = state.prefix
        if not path.startswith(prefix + "/"):
            return None
        rel = path[len(prefix) + 1 :]
        if rel in state.files:
            return self._file(state, rel)
        url = "/" + (rel[: -len("index.html")] if rel.endswith("/index.html") else rel)
        article = state.site.by_url.get(url)
        if article is None:
            return None
        return self._page(state, state.articles.job(article), 200)

    def _file(self, state: BuildState, rel: str) -> Response | None:
        data = _read_inside(state.files[rel], state.roots)
        return None if data is None else Response(200, content_type(rel), data)

    def _lookup(self, state: BuildState | None, path: str, *, final: bool) -> Response | None:
        """``None`` when the path is not (yet) known and ``final`` is false."""
        if state is None or state.jobs is None:
            return Response(500, content_type(".html"), NO_SITE_PAGE, html=True)
        prefix = state.prefix
        if prefix and not (path == prefix or path.startswith(prefix + "/")):
            if path == "/":
                return _redirect(prefix + "/")
            return self._not_found(state)
        if path == prefix:
            return _redirect(prefix + "/")
        rel = path[len(prefix) + 1 :]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        job = state.jobs.get(rel)
        if job is not None:
            return self._page(state, job, 200)
        if rel in state.files:
            response = self._file(state, rel)
            if response is not None:
                return response
            return self._not_found(state)
        if not path.endswith("/") and f"{rel}/index.html" in state.jobs:
            return _redirect(path + "/")
        if not final and not state.complete:
            return None
        return self._not_found(state)

    def _not_found(self, state: BuildState) -> Response:
        job = state.jobs.get("404.html") if state.jobs is not None else None
        if job is None:
            return Response(404, content_type(".txt"), b"404 not found\n")
        return self._page(state, job, 404)

    def _render(self, state: BuildState, job: PageJob) -> bytes:
        """The page's bytes: kept ones if its fingerprint (with the ``site`` fields its last render read,
        as in a build) is unchanged, else rendered now."""
        reads = self._pages.reads(job.path)
        if reads is not None:
            data = self._pages.get(page_fingerprint(job, state.renderer, reads))
            if data is not None:
                return data
        page = render_job(job, state.renderer)
        self._pages.remember_reads(job.path, page.reads)
        self._pages.put(page_fingerprint(job, state.renderer, page.reads), page.data)
        return page.data

    def _page(self, state: BuildState, job: PageJob, status: int) -> Response:
        try:
            data = self._render(state, job)
        except DigestError as exc:
            error = ServeError.from_exception(exc)
            with self._cond:
                fresh = self._error != error
                self._error = error
            if fresh:
                self._publish()
            return Response(500, content_type(".html"), NO_SITE_PAGE, html=True)
        ctype = content_type(job.path)
        return Response(status, ctype, data, html=ctype.startswith("text/html"))


def _settle_gc() -> None:
    # Everything alive now (the site, the plan, the parsed articles) lives until the next rebuild replaces it,
    # and is freed then by reference counting: it has no cycles. Frozen, the cyclic collector stops walking
    # it over and over: at 10,000 articles those walks cost more than the rebuild itself.
    gc.freeze()
    gc.enable()


def _as_markup(article: LoadedArticle) -> LoadedArticle:
    return dataclasses.replace(
        article, html=Markup(article.html), note_html=Markup(article.note_html), toc=Markup(article.toc)
    )


def _redirect(location: str) -> Response:
    return Response(301, content_type(".txt"), f"moved to {location}\n".encode(), location=location)


def _read_inside(source: Path, roots: tuple[Path, ...]) -> bytes | None:
    """The file's bytes if it really lies inside one of ``roots`` (a symlink out of the site is refused)."""
    try:
        real = source.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not any(real.is_relative_to(root) for root in roots):
        return None
    try:
        return real.read_bytes()
    except OSError:
        return None
