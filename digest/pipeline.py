"""The build pipeline: the one place that knows the order of the stages, and times each.

::

    digest.yaml ─configure─► SiteConfig
    content/    ─scan──────► Sources (article files read and hashed, other files)
                ─load──────► Loaded  (LoadedArticle per file: from memory, the cache, or parsed in workers)
                ─model─────► Site    (articles, taxonomies, periods, assets; URL collisions refused)
                ─plan──────► PlannedPages {output path: PageJob}, feeds/search/sitemap included
                ─render────► bytes per page, staged beside output/ (only pages whose inputs changed)
                ─write─────► output/ (one atomic commit; the last good output survives any failure)

``build`` runs them all. ``digest check`` runs ``prepare`` (configure → scan → load → model,
collecting every problem instead of stopping) and ``plan``; the dev server runs the same steps
with its memory of the last build and renders pages when the browser asks for them. None of them
repeats the order: a step added here reaches all three.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Mapping, Sequence

from digest.cache import CACHE_DIR, Cache
from digest.config import SiteConfig, load_config, with_overrides
from digest.errors import BuildFailed, DigestError, Problem
from digest.model.languages import Language, Translations, link_translations, site_languages
from digest.model.loaded import LoadedArticle
from digest.sources.images import lead_image_sizes
from digest.model.editions import with_editions
from digest.model.site import Article, Drafts, Excluded, Site, build_site
from digest.sources.editions import load_edition_notes
from digest.outputs import PLANNED_EACH_BUILD, PLANNERS as OUTPUT_PLANNERS
from digest.outputs.feeds import plan_feeds
from digest.outputs.sitemap import plan_sitemap
from digest.plan import kept as kept_plan
from digest.plan.pages import (
    AlternatesOf, ArticlePlanner, Memo, Messages, PageRow, Plan, PlannedPages, Planner, finish_plan, make_planner,
    plan_site_pages,
)
from digest.plan.translations import LanguageMemo, LanguagePlans, alternates_of
from digest.render.jobs import fingerprint, page_fingerprint, render_job
from digest.render.theme import Renderer, Theme, load_theme
from digest.rules.urls import join_base
from digest.sources.load import (
    PARALLEL_FILES, SourceFile, file_key, process, render_settings_key, scan_content, walk_content,
)
from digest.sources.scan import ContentScanner
from digest.sources.records import Record, lean as lean_record
from digest.write.lock import Holder
from digest.workers import cpu_count, map_chunks
from digest.write.writer import CommitStats, OutputWriter, check_output_dir, find_collisions, new_collisions

# Below this many pages to render, forking workers costs more than it saves.
PARALLEL_PAGES = 200
SCAN_STATE = "1"  # the memo key of a scan's state (the state names its own settings)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    site_dir: Path
    output_dir: Path | None = None  # default: the config's output_dir inside the site
    drafts: bool = False
    future: bool = False
    jobs: int = 0  # 0: one per CPU
    use_cache: bool = True
    now: datetime | None = None  # default: SOURCE_DATE_EPOCH or the clock
    base_url: str | None = None  # override the config's
    wait: bool = True  # another build writing the output: wait for it (False: refuse at once)
    on_wait: Callable[[Holder], None] | None = None  # told once who holds the output's lock while waiting


@dataclass(slots=True)
class BuildResult:
    output: Path
    articles: int = 0
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    rendered_markdown: int = 0
    rendered_pages: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    excluded: tuple[Excluded, ...] = ()
    drafts_published: int = 0  # drafts in the output (only with --drafts)
    written_paths: list[str] = field(default_factory=list)
    rendered_paths: list[str] = field(default_factory=list)  # pages rendered (their inputs changed), in plan order
    plan_kept: bool = False  # the last build's plan was taken (``digest.plan.kept``), not planned again


@dataclass(frozen=True, slots=True)
class Sources:
    """What ``content/`` holds: article files (read and hashed) and every other file."""

    files: Sequence[SourceFile]
    assets: Sequence[tuple[str, Path]]


@dataclass(frozen=True, slots=True)
class Loaded:
    """Every article file as a ``LoadedArticle`` (in file order), and the files that did not load."""

    articles: Sequence[LoadedArticle]
    rendered: int  # how many were parsed and rendered (not from memory or the cache)
    problems: Sequence[Problem] = ()


@dataclass(frozen=True, slots=True)
class Prepared:
    """The front half of every run: config → scan → load → model. ``site`` is None when the model failed."""

    config: SiteConfig
    sources: Sources
    loaded: Loaded
    site: Site | None
    problems: Sequence[Problem]  # with keep_going: every problem found on the way


def now_from_env() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc)



class Timer:
    """Seconds spent in each named step; ``-v`` prints them."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self._last
        self._last = now


# ---------------------------------------------------------------- the steps


def configure(site_dir: Path, *, base_url: str | None = None, origin: str = "--base-url") -> SiteConfig:
    """``digest.yaml``, with any override checked by the same rules as the file."""
    config = load_config(site_dir)
    if base_url:
        config = with_overrides(config, origin, base_url=base_url)
    return config


def serving_config(config: SiteConfig, served_at: str) -> SiteConfig:
    """The config a dev server renders with: the site's base path, below the server's own address."""
    return with_overrides(config, "the dev server's address", base_url=join_base(served_at, config.base_path))


def scan(site_dir: Path, config: SiteConfig, *, cache: Cache | None = None) -> Sources:
    """The content folder's files. With an enabled ``cache``, a file whose stat is what the last build's
    scan saw, and whose article the cache holds, is not read, and every file comes without its ``data``:
    ``load`` takes the article from the cache or has a worker read the file (reading 10,000 files is a
    sixth of a build that changes nothing)."""
    if cache is None or not cache.enabled:
        files, assets = scan_content(site_dir, config)
        return Sources(files, assets)
    name = "scan:" + os.path.normpath(site_dir / config.content_dir)
    scanner = ContentScanner.restore(cache.get_memo(name, SCAN_STATE))
    result = scanner.scan(site_dir, config, have=cache.article_keys())
    if scanner.changed:
        cache.put_memo(name, SCAN_STATE, scanner.export())
    return Sources(result.files, result.assets)


def load(
    files: Sequence[SourceFile], config: SiteConfig, *, cache: Cache, jobs: int,
    memo: Mapping[str, LoadedArticle] | None = None, timer: Timer | None = None, prune: bool = True,
    lean: bool = False, keep_going: bool = False, site_dir: Path | None = None,
) -> Loaded:
    """Every file as a ``LoadedArticle``: from ``memo`` (a long-lived process), the cache, or parsed and rendered.

    Bad files raise ``BuildFailed`` listing every one, or with ``keep_going`` are left out and listed in
    ``problems``. ``lean`` leaves the bodies in the cache (empty in the result): the model then reads them
    back by key. ``prune`` drops cache entries of files that are gone (a dev server leaves that to the next
    build: it costs more than the rest of a one-file rebuild). A file without its ``data`` that the cache
    does not hold is read from ``site_dir`` by the worker that renders it; its article then has the key of
    the bytes read, and a file deleted since the scan is left out.
    """
    timer = timer or Timer()
    memo = memo or {}
    wanted = [f for f in files if f.key not in memo]
    lean = lean and cache.enabled
    hits = cache.get_articles((f.key for f in wanted), bodies=not lean)
    misses = [f for f in wanted if f.key not in hits]
    timer.lap("cache")
    problems: list[Problem] = []
    fresh: dict[str, LoadedArticle] = {}
    renamed: dict[str, str | None] = {}  # read by a worker after all: the key of the bytes read (None: gone)
    root = site_dir / config.content_dir if site_dir is not None else None
    work = functools.partial(process, config=config, root=root)
    done = 0
    for chunk in map_chunks(work, misses, workers=jobs, parallel_from=PARALLEL_FILES):
        records: list[Record] = []
        for item, result in zip(misses[done : done + len(chunk)], chunk):
            if result is None:
                renamed[item.key] = None
            elif isinstance(result, Problem):
                problems.append(result)
            else:
                records.append(result)
                if result[0] != item.key:
                    renamed[item.key] = result[0]
        done += len(chunk)
        cache.put_articles(records)
        fresh.update((r[0], LoadedArticle.from_record(lean_record(r) if lean else r)) for r in records)
    timer.lap("markdown")
    if problems and not keep_going:
        raise BuildFailed(problems)
    keys = [renamed.get(f.key, f.key) for f in files]
    if prune:
        cache.keep_articles(k for k in keys if k is not None)
    loaded = [
        memo.get(key) or (fresh[key] if key in fresh else LoadedArticle.from_record(hits[key]))
        for key in keys
        if key is not None and (key in memo or key in fresh or key in hits)
    ]
    del hits, fresh
    timer.lap("cache")
    return Loaded(loaded, len(misses), problems)


def model(
    articles: Sequence[LoadedArticle], config: SiteConfig, sources: Sources, *, now: datetime, drafts: Drafts,
    future: bool, cache: Cache | None = None, reuse: Site | None = None, keep_going: bool = False,
) -> tuple[Site | None, list[Problem]]:
    """The site model. Without ``keep_going`` a bad model raises ``BuildFailed``; with it, the articles a
    problem names are set aside and the model is built again, so every problem is found in one run."""
    bodies = cache.bodies() if cache is not None else None
    problems: list[Problem] = []
    items = list(articles)
    # with the cache, load left every article's body in it (a file read again has a key of its own)
    stored = {a.key for a in items} if bodies is not None else ()
    image_sizes = lead_image_sizes(((a.source.rel, a.source.image) for a in items), sources.assets)
    while True:
        try:
            site = build_site(
                items, config, now, drafts=drafts, future=future, assets=sources.assets, bodies=bodies,
                stored=stored, reuse=reuse, image_sizes=image_sizes,
            )
            return site, problems
        except BuildFailed as exc:
            if not keep_going:
                raise
            problems += [p for p in exc.problems if p not in problems]
            named = {p.path for p in exc.problems}
            rest = [i for i in items if i.source.path not in named]
            if len(rest) == len(items):  # nothing left to set aside: the problem is not one article's
                return None, problems
            items = rest


def prepare(
    site_dir: Path, config: SiteConfig, *, cache: Cache, jobs: int, now: datetime, drafts: Drafts, future: bool,
    timer: Timer | None = None, keep_going: bool = False, sources: Sources | None = None,
    memo: Mapping[str, LoadedArticle] | None = None, remember: Callable[[Loaded], Loaded] | None = None,
    reuse: Site | None = None, prune: bool = True,
) -> Prepared:
    """scan → load → model (with editions), the part every run shares. A long-lived process passes its own ``sources``
    (scanned incrementally), its ``memo`` of loaded articles, a ``remember`` hook that keeps what was loaded,
    and the last ``reuse`` site."""
    timer = timer or Timer()
    if sources is None:
        sources = scan(site_dir, config, cache=cache)
        # load's workers read the files they parse: forked, they would each inherit every file's bytes
        # (the cached scan hands over none; the uncached one read them all)
        files = [dataclasses.replace(f, data=b"") if f.data else f for f in sources.files]
        sources = Sources(files, sources.assets)
        timer.lap("scan")
    loaded = load(
        sources.files, config, cache=cache, jobs=jobs, memo=memo, timer=timer, keep_going=keep_going,
        lean=cache.enabled and memo is None, prune=prune, site_dir=site_dir,
    )
    if remember is not None:
        loaded = remember(loaded)
        timer.lap("memo")
    site, problems = model(
        loaded.articles, config, sources, now=now, drafts=drafts, future=future,
        cache=cache if cache.enabled and memo is None else None, reuse=reuse, keep_going=keep_going,
    )
    if site is not None:
        try:
            site = with_editions(site, load_edition_notes(site_dir, config), now)
        except BuildFailed as exc:  # a broken content/editions/<n>.md
            if not keep_going:
                raise
            problems += exc.problems
    timer.lap("model")
    return Prepared(config, sources, loaded, site, [*loaded.problems, *problems])


def plan(
    site: Site, *, memo: Memo | None = None, messages: Messages | None = None, apart: bool = False
) -> PlannedPages:
    """Every output page of the site: the template pages, then the registered outputs.
    ``messages``: the theme's catalogue for the site's language (page titles and descriptions);
    ``apart``: make a whole search index and the sitemap in a child process (for a build with render
    workers to fork: what they inherit stays small)."""
    planner = make_planner(site, memo, messages=messages, apart=apart)
    plan_site(planner)
    plan_outputs(planner)
    return planner.jobs


def plan_only(
    site: Site, outputs: Sequence[Callable[[Planner], None]], *, memo: Memo | None = None,
    messages: Messages | None = None, apart: bool = False,
) -> Planner:
    """A planner of some outputs alone: the pages a kept plan plans each build, or a kept feed's job."""
    planner = make_planner(site, memo, messages=messages, apart=apart)
    finish_plan(planner, outputs)
    return planner


def plan_build(
    site: Site, *, cache: Cache, messages: Messages, catalogue: str, apart: bool = False
) -> tuple[Plan, str | None]:
    """A build's plan: the one the last build kept (``digest.plan.kept``) while what it follows from is
    the same, else the whole plan and the key to keep it under once its pages are rendered."""
    whole = functools.partial(plan, site, memo=cache, messages=messages, apart=apart)
    if not cache.enabled:
        return whole(), None
    key = kept_plan.plan_key(site, catalogue=catalogue, code=kept_plan.code_hash())
    rows = kept_plan.unpack(cache.get_blob(kept_plan.BLOB), key, len(site.articles))
    if rows is not None:
        fresh = plan_only(site, PLANNED_EACH_BUILD, memo=cache, messages=messages, apart=apart)
        feeds = functools.partial(_jobs_of, site, (plan_feeds,), cache, messages)
        kept = kept_plan.KeptPlan.make(rows, fresh, whole, {"feed": feeds})
        if kept is not None:
            return kept, None
    return whole(), key


def _jobs_of(site: Site, outputs: Sequence[Callable[[Planner], None]], memo: Memo, messages: Messages) -> Plan:
    """The pages of ``outputs`` alone, for a kept plan (so what the whole plan checked is not checked again)."""
    planner = make_planner(site, memo, messages=messages)
    planner.settled = True
    finish_plan(planner, outputs)
    return planner.jobs


def keep_plan(cache: Cache, key: str, jobs: Plan, outcomes: Sequence[RenderOutcome]) -> None:
    """Keep a whole plan's rows (made by the render and the check of its pages) for the next build."""
    if not isinstance(jobs, PlannedPages):
        return
    rows = {outcome[0]: outcome[5] for outcome in outcomes if outcome[5] is not None}
    packed = kept_plan.pack(key, jobs, rows, PLANNED_EACH_BUILD)
    if packed is not None:
        cache.put_blob(kept_plan.BLOB, packed)


def plan_articles(site: Site, *, memo: Memo | None = None, messages: Messages | None = None) -> ArticlePlanner:
    """A planner that can plan one article's page on its own (the dev server serves those first)."""
    return ArticlePlanner(make_planner(site, memo, messages=messages))


def plan_site(planner: Planner) -> None:
    """The template pages of the model: home, articles, tags, sources, periods, archive, 404."""
    plan_site_pages(planner)


def plan_outputs(planner: Planner) -> None:
    """Feeds, search index and sitemap (they may list the pages), then every collision."""
    finish_plan(planner, OUTPUT_PLANNERS)


# ---------------------------------------------------------------- multilingual sites
# The steps above, run once per language (model/languages.py): each language is a site of its own
# with its config, content folder and URL prefix; the plans are then put side by side.


@dataclass(frozen=True, slots=True)
class LanguageSites:
    """Every language's model, the default first."""

    languages: tuple[Language, ...]
    sites: tuple[Site, ...]
    translations: Translations
    rendered: int  # article files parsed and rendered (not from the cache)
    keys: tuple[str, ...] = ()  # the cache key of every article file of every language

    @property
    def assets(self) -> tuple[tuple[str, Path], ...]:
        """(output path, source) of every language's content files, the others' under their folder."""
        return tuple(
            (lang.prefix.lstrip("/") + "/" + rel if lang.prefix else rel, src)
            for lang, site in zip(self.languages, self.sites) for rel, src in site.assets
        )

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(a for site in self.sites for a in site.articles)

    @property
    def excluded(self) -> tuple[Excluded, ...]:
        return tuple(sorted((e for site in self.sites for e in site.excluded), key=lambda e: (e.date, e.path)))


def scan_languages(site_dir: Path, config: SiteConfig) -> tuple[list[tuple[Language, Sources]], list[Problem]]:
    """Each language's ``content/<lang>/``; files of ``content/`` outside the language folders (robots.txt,
    a favicon) belong to the default language, and an article there is a problem."""
    languages = site_languages(config)
    tags = {lang.tag for lang in languages}
    shared: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    for rel, full, is_article in walk_content(site_dir / config.content_dir):
        if rel.split("/", 1)[0] in tags:
            continue
        if is_article:
            problems.append(Problem(
                f"{config.content_dir}/{rel}", 1, f"on a multilingual site every article is in a language's folder:"
                f" move it to {config.content_dir}/{config.language}/{rel} (or to another language's folder)",
            ))
        else:
            shared.append((rel, full))
    scanned = []
    for lang in languages:
        sources = scan(site_dir, lang.config)
        if lang.default:
            sources = Sources(sources.files, [*sources.assets, *shared])
        scanned.append((lang, sources))
    return scanned, problems


def prepare_languages(
    site_dir: Path, config: SiteConfig, *, cache: Cache, jobs: int, now: datetime, drafts: Drafts, future: bool,
    timer: Timer | None = None, prune: bool = True,
) -> LanguageSites:
    """``prepare`` for each language of a multilingual site: scan each, load them all at once (the cache is
    pruned to the files of every language, unless ``prune`` is False), then model each with its own config."""
    timer = timer or Timer()
    scanned, problems = scan_languages(site_dir, config)
    if problems:
        raise BuildFailed(problems)
    timer.lap("scan")
    lean = cache.enabled
    loaded = load([f for _, sources in scanned for f in sources.files], config, cache=cache, jobs=jobs, timer=timer,
                  lean=lean, prune=prune)
    sites: list[Site] = []
    start = 0
    for lang, sources in scanned:
        mine, start = loaded.articles[start : start + len(sources.files)], start + len(sources.files)
        site, _ = model(mine, lang.config, sources, now=now, drafts=drafts, future=future,
                        cache=cache if lean else None)
        assert site is not None  # without keep_going a failed model raised
        # each language's editions, from its own folder's edition notes
        sites.append(with_editions(site, load_edition_notes(site_dir, lang.config), now))
    timer.lap("model")
    languages = tuple(lang for lang, _ in scanned)
    translations = link_translations([(lang.tag, site) for lang, site in zip(languages, sites)])
    return LanguageSites(languages, tuple(sites), translations, loaded.rendered, tuple(a.key for a in loaded.articles))


def plan_languages(
    sites: LanguageSites, *, memo: Memo | None, messages: Callable[[str], Messages], apart: bool = False,
) -> Plan:
    """``plan`` for each language (with its URL prefix, catalogue and alternates), then one sitemap of every
    language's pages with their alternates, at the root; then the plans side by side."""
    plans: dict[str, Plan] = {}
    planners: list[Planner] = []
    own = [p for p in OUTPUT_PLANNERS if p is not plan_sitemap]
    for lang, site in zip(sites.languages, sites.sites):
        alternates: AlternatesOf = alternates_of(lang, sites.languages, plans, sites.translations)
        planner = make_planner(
            site, LanguageMemo(memo, lang.tag), messages=messages(lang.tag), url_prefix=lang.prefix,
            alternates=alternates, apart=apart,
        )
        plan_site(planner)
        finish_plan(planner, own)
        plans[lang.tag] = planner.jobs
        planners.append(planner)
    if plan_sitemap in OUTPUT_PLANNERS:
        newest = max((a.updated or a.date for a in sites.articles), default=None)
        plan_sitemap(planners[0], planners, newest)
    merged = LanguagePlans([(lang, plans[lang.tag]) for lang in sites.languages])
    if merged.problems:
        raise BuildFailed(merged.problems)
    return merged


def find_clashes(
    jobs: Plan, theme: Theme, site: Site | LanguageSites, site_dir: Path, memo: Memo | None = None
) -> list[Problem]:
    """Two things that would be written to one path (checked before rendering, so nothing is half-written).
    With a ``memo``, a set of paths found clear before is not checked again (folding the case of 23,000
    paths is a tenth of a second of every build); of a kept plan, only the pages planned this time are
    checked, against the paths in their folders."""
    now = jobs.planned_now
    claims = (
        [(path, jobs.origin(path)) for path in jobs if path not in now]
        + [(rel, f"the theme's static/{name}") for name, (rel, _src) in theme.assets.items()]
        + [(rel, _origin(src, site_dir)) for rel, src in site.assets]
    )
    new = [(path, jobs.origin(path)) for path in jobs if path in now]
    key = hashlib.blake2b("\0".join(f"{rel}\0{origin}" for rel, origin in claims).encode("utf-8", "surrogatepass"),
                          digest_size=16).hexdigest()
    if memo is not None and memo.get_memo("clear-paths", key) is not None:
        return new_collisions(claims, new)
    problems = find_collisions([*claims, *new])
    if memo is not None and not problems:
        memo.put_memo("clear-paths", key, "")
    return problems


# path, fingerprint, sha, site fields read, changed, and (when the plan is to be kept) the page's row
RenderOutcome = tuple[str, str, str, str, bool, PageRow | None]
Manifest = Mapping[str, tuple[str, str, str]]  # path -> (fingerprint, sha, site fields read) of what the output holds


def unchanged(
    jobs: Plan, renderer: Renderer, writer: OutputWriter, manifest: Manifest, rows: bool = False
) -> tuple[list[str], list[RenderOutcome]]:
    """The paths of the pages to render, and the outcomes of the pages the output already holds as they
    would be: same planned inputs, same template closure, same values of the ``site`` fields the page read.
    A job is made only to check a page the output holds, and not kept (see ``Plan.fresh``); a kept plan
    makes none (``Plan.parts``). ``rows``: add each page's row to its outcome (the plan is to be kept)."""
    to_render: list[str] = []
    kept: list[RenderOutcome] = []
    for path in jobs:
        old = manifest.get(path)
        if old is None:
            to_render.append(path)
            continue
        row = None
        if rows:
            job = jobs.fresh(path)
            same = old[0] == page_fingerprint(job, renderer, old[2].split())
            row = job.row()
        else:
            same = old[0] == fingerprint(jobs.parts(path), old[2].split(), renderer)
        if same and writer.exists(path):
            kept.append((path, old[0], old[1], old[2], False, row))
        else:
            to_render.append(path)
    return to_render, kept


def render(
    paths: Sequence[str], jobs: Plan, renderer: Renderer, writer: OutputWriter, manifest: Manifest, workers: int,
    rows: bool = False,
) -> list[RenderOutcome]:
    """Render and stage the pages at ``paths`` (in forked workers for many pages, each making the jobs of
    its own pages); ``BuildFailed`` lists template errors. ``rows``: see ``unchanged``."""
    templates = {jobs.template(path) for path in paths}
    renderer.compile({name for name in templates if name is not None})  # once, not once per worker
    jobs.prepare(paths)  # and what their jobs need, made once
    work = functools.partial(_render_chunk, jobs=jobs, renderer=renderer, writer=writer, manifest=manifest, rows=rows)
    outcomes: list[RenderOutcome] = []
    problems: list[Problem] = []
    for done, failed in map_chunks(work, paths, workers=workers, parallel_from=PARALLEL_PAGES):
        outcomes.extend(done)
        problems.extend(failed)
    if problems:
        raise BuildFailed(list(dict.fromkeys(problems)))
    return outcomes


def _render_chunk(
    paths: Sequence[str], *, jobs: Plan, renderer: Renderer, writer: OutputWriter, manifest: Manifest, rows: bool
) -> tuple[list[RenderOutcome], list[Problem]]:
    outcomes: list[RenderOutcome] = []
    problems: list[Problem] = []
    for path in paths:
        job = jobs.fresh(path)
        try:
            data, reads = render_job(job, renderer)
        except DigestError as exc:
            problems.append(exc.problem)
            if len(problems) > 20:  # one broken template breaks every page: report a few
                break
            continue
        sha = hashlib.sha256(data).hexdigest()
        old = manifest.get(job.path)
        if old is not None and old[1] == sha and writer.exists(job.path):
            changed = False
        else:
            changed = writer.current_bytes(job.path) != data
        if changed:
            writer.stage_bytes(job.path, data)
        outcomes.append((job.path, page_fingerprint(job, renderer, reads), sha, " ".join(reads), changed,
                         job.row() if rows else None))
    return outcomes, problems


def copy_assets(
    assets: Sequence[tuple[str, Path]], writer: OutputWriter, manifest: Manifest, roots: Sequence[Path]
) -> list[RenderOutcome]:
    """Stage theme and content files whose bytes differ from what the output holds.

    Only regular files inside the site (or the default theme) are published: a symlink
    to ~/.ssh/id_rsa or a pipe in content/ is an error, never copied or read forever.
    """
    outcomes: list[RenderOutcome] = []
    problems: list[Problem] = []
    allowed = [r.resolve() for r in roots]
    for rel, src in assets:
        try:
            real = src.resolve()
            if not any(real.is_relative_to(root) for root in allowed):
                problems.append(Problem(str(src), None, "is a link to a file outside the site: copy the file in instead"))
                continue
            if not stat.S_ISREG(real.stat().st_mode):
                problems.append(Problem(str(src), None, "is not a regular file (a pipe or device?): remove it"))
                continue
            sha = _file_sha(real)
        except RuntimeError:  # resolve() on a symbolic link loop
            problems.append(Problem(_origin(src, roots[0]), None, "is a symbolic link loop: fix the link or delete it"))
            continue
        except OSError as exc:  # deleted while the build ran, a loop, no permission
            if not os.path.lexists(src):
                continue  # deleted while the build ran: left out, as a build started just after would
            problems.append(Problem(_origin(src, roots[0]), None, f"cannot read the file ({exc.strerror or exc}): build again, or"
                                    " fix the link or the permissions"))
            continue
        old = manifest.get(rel)
        if old is not None and old[1] == sha and writer.exists(rel):
            changed = False
        else:
            current = writer.current_path(rel)
            changed = current is None or _file_sha(current) != sha
        if changed:
            writer.stage_copy(rel, real)
        outcomes.append((rel, "asset", sha, "", changed, None))
    if problems:
        raise BuildFailed(problems)
    return outcomes


def write(
    writer: OutputWriter, outcomes: Sequence[RenderOutcome], manifest: Manifest, then: Callable[[], None] | None = None
) -> CommitStats:
    """Move everything staged into the output folder at once and delete what the site no longer has; then
    (still holding the output's lock) ``then``: the build records the new manifest."""
    return writer.commit({outcome[0] for outcome in outcomes}, set(manifest) if manifest else None, then=then)


# ---------------------------------------------------------------- the whole build


def build(options: BuildOptions) -> BuildResult:
    """Build the site into its output folder; on any error the previous output is untouched."""
    started = time.perf_counter()
    timer = Timer()
    site_dir = options.site_dir.resolve()
    config = configure(site_dir, base_url=options.base_url)
    output = (options.output_dir or (site_dir / config.output_dir)).absolute()
    check_output_dir(
        output, site_dir, [site_dir / config.content_dir, site_dir / "themes", site_dir / CACHE_DIR],
        origin="--output" if options.output_dir else "digest.yaml",
    )
    workers = cpu_count(options.jobs)
    cache = Cache(site_dir / CACHE_DIR if options.use_cache else None)
    timer.lap("config")
    try:
        theme = load_theme(site_dir, config.theme)
        timer.lap("theme")
        renderer = Renderer(theme, config.base_url, config.relative_urls, bytecode=cache.folder("templates"), memo=cache)
        now = options.now or now_from_env()
        site: Site | LanguageSites
        keep: str | None = None  # the key to keep the plan under (it was planned whole)
        if config.languages:
            site = prepare_languages(
                site_dir, config, cache=cache, jobs=workers, now=now, drafts=options.drafts, future=options.future,
                timer=timer, prune=False,
            )
            rendered_markdown, keys = site.rendered, site.keys
            jobs = plan_languages(site, memo=cache, messages=renderer.catalogues.messages, apart=workers > 1)
        else:
            prepared = prepare(
                site_dir, config, cache=cache, jobs=workers, now=now, drafts=options.drafts, future=options.future,
                timer=timer, prune=False,
            )
            assert prepared.site is not None  # without keep_going a failed model raised
            site, rendered_markdown = prepared.site, prepared.loaded.rendered
            keys = tuple(a.key for a in prepared.loaded.articles)  # a file read again by load has a new key
            jobs, keep = plan_build(site, cache=cache, messages=renderer.catalogues.messages(config.language),
                                    catalogue=renderer.locale_hash, apart=workers > 1)
        clashes = find_clashes(jobs, theme, site, site_dir, memo=cache)
        if clashes:
            raise BuildFailed(clashes)
        timer.lap("plan")
        writer = OutputWriter(output, wait=options.wait, on_wait=options.on_wait)
        try:
            # read under the output's lock: a build that held it may just have written its own
            manifest = cache.get_manifest(str(output))
            to_render, kept = unchanged(jobs, renderer, writer, manifest, rows=keep is not None)
            outcomes = render(to_render, jobs, renderer, writer, manifest, workers, rows=keep is not None)
            timer.lap("render")
            outcomes += copy_assets(
                [*theme.assets.values(), *site.assets], writer, manifest, [site_dir, *theme.folders]
            )
            timer.lap("assets")
            written = {path: (fp, sha, reads) for path, fp, sha, reads, _, _ in [*kept, *outcomes]}

            def record() -> None:
                cache.put_manifest(str(output), written, manifest)
                if keep is not None:
                    keep_plan(cache, keep, jobs, [*kept, *outcomes])

            stats = write(writer, [*kept, *outcomes], manifest, then=record)
            timer.lap("write")
        except BaseException as exc:
            writer.discard()
            if isinstance(exc, OSError) and (error := writer.explain(exc)) is not None:
                raise error from None  # a full or read-only disk (also from a render worker)
            raise
        # only now: until the index is patched, the search reads the old bodies' terms by their old keys
        cache.keep_articles(keys)
    finally:
        cache.close()
    return BuildResult(
        output=output,
        articles=len(site.articles),
        pages=len(jobs),
        written=stats.written,
        unchanged=stats.unchanged,
        deleted=stats.deleted,
        rendered_markdown=rendered_markdown,
        rendered_pages=len(to_render),
        seconds=time.perf_counter() - started,
        timings=timer.timings,
        excluded=site.excluded,
        drafts_published=sum(1 for a in site.articles if a.draft),
        written_paths=stats.written_paths,
        rendered_paths=to_render,
        plan_kept=isinstance(jobs, kept_plan.KeptPlan),
    )


def _origin(path: Path, site_dir: Path) -> str:
    return path.relative_to(site_dir).as_posix() if path.is_relative_to(site_dir) else str(path)


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
