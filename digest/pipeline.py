"""The build: the one place that knows the order of the steps. It times each step."""

from __future__ import annotations

import hashlib
import multiprocessing
import stat
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Mapping, Sequence

from digest.cache import CACHE_DIR, Cache
from digest.config import SiteConfig, load_config
from digest.errors import BuildFailed, DigestError, Problem
from digest.sources.load import LoadedArticle, Record, SourceFile, render_all, scan_content, walk_content
from digest.model.languages import Language, Translations, link_translations, site_languages
from digest.model.site import Article, Excluded, Site, build_site
from digest.outputs import PLANNERS as OUTPUT_PLANNERS
from digest.outputs.sitemap import plan_sitemap
from digest.plan.pages import Messages, PageJob, Planner, finish_plan, make_planner, plan_pages, plan_site_pages
from digest.plan.translations import LanguageMemo, LanguagePlans, alternates_of
from digest.render.theme import Renderer, Theme, load_theme
from digest.write.writer import OutputWriter, check_output_dir, find_collisions

# Below this many pages to render, forking workers costs more than it saves.
PARALLEL_PAGES = 200


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


def now_from_env() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc)


def job_count(requested: int) -> int:
    if requested > 0:
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self._last
        self._last = now


def load_articles(
    files: Sequence[SourceFile], config: SiteConfig, *, cache: Cache, jobs: int,
    memo: Mapping[str, LoadedArticle] | None = None, timer: Timer | None = None, prune: bool = True,
    lean: bool = False,
) -> tuple[list[LoadedArticle], int]:
    """Every file as a ``LoadedArticle``: from ``memo`` (a long-lived process), the cache, or parsed and rendered.

    Returns the articles in the order of ``files`` and how many were rendered; ``BuildFailed`` lists every bad file.
    ``lean`` leaves the bodies in the cache (empty in the result): the model then reads them back by key.
    ``prune`` drops cache entries of files that are gone (a dev server leaves that to the next build: it costs
    more than the rest of a one-file rebuild).
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
    for chunk in render_all(misses, config, jobs):
        records = [r for r in chunk if not isinstance(r, Problem)]
        problems.extend(r for r in chunk if isinstance(r, Problem))
        cache.put_articles(records)
        fresh.update((r[0], LoadedArticle.from_record(_lean(r) if lean else r)) for r in records)
    timer.lap("markdown")
    if problems:
        raise BuildFailed(problems)
    if prune:
        cache.keep_articles(f.key for f in files)
    loaded = [
        memo.get(f.key) or (fresh[f.key] if f.key in fresh else LoadedArticle.from_record(hits[f.key])) for f in files
    ]
    del hits, fresh
    timer.lap("cache")
    return loaded, len(misses)


def _lean(record: Record) -> Record:
    key, meta, _html, _toc, summary, _note, terms = record
    return (key, meta, "", "", summary, "", terms)


def load_site(
    site_dir: Path, config: SiteConfig, *, cache: Cache, jobs: int, now: datetime, drafts: bool, future: bool,
    timer: Timer | None = None,
) -> tuple[Site, int]:
    """Read, parse and render every article (through the cache) and build the model."""
    timer = timer or Timer()
    files, assets = scan_content(site_dir, config)
    timer.lap("scan")
    bodies = cache.bodies()
    loaded, rendered = load_articles(files, config, cache=cache, jobs=jobs, timer=timer, lean=bodies is not None)
    site = build_site(
        loaded, config, now, drafts=drafts, future=future, assets=assets, bodies=bodies,
        stored={f.key for f in files} if bodies is not None else (),
    )
    timer.lap("model")
    return site, rendered


# --- multilingual sites: the model and plan steps above, run once per language (model/languages.py) ---


@dataclass(frozen=True, slots=True)
class LanguageSites:
    """Every language's model, the default first."""

    languages: tuple[Language, ...]
    sites: tuple[Site, ...]
    translations: Translations

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


def load_language_sites(
    site_dir: Path, config: SiteConfig, *, cache: Cache, jobs: int, now: datetime, drafts: bool, future: bool,
    timer: Timer | None = None,
) -> tuple[LanguageSites, int]:
    """``load_site`` for each language of a multilingual site: ``content/<lang>/`` through its own config.
    Files of ``content/`` outside the language folders (robots.txt, a favicon) belong to the default language."""
    timer = timer or Timer()
    languages = site_languages(config)
    tags = {lang.tag for lang in languages}
    scans = [scan_content(site_dir, lang.config) for lang in languages]
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
    if problems:
        raise BuildFailed(problems)
    timer.lap("scan")
    bodies = cache.bodies()
    files = [f for scan, _ in scans for f in scan]
    # one load for every language: the cache is pruned to the files of all of them
    loaded, rendered = load_articles(files, config, cache=cache, jobs=jobs, timer=timer, lean=bodies is not None)
    sites: list[Site] = []
    start = 0
    for lang, (scan, assets) in zip(languages, scans):
        mine, start = loaded[start : start + len(scan)], start + len(scan)
        sites.append(build_site(
            mine, lang.config, now, drafts=drafts, future=future, assets=[*assets, *(shared if lang.default else ())],
            bodies=bodies, stored={f.key for f in scan} if bodies is not None else (),
        ))
    timer.lap("model")
    translations = link_translations([(lang.tag, site) for lang, site in zip(languages, sites)])
    return LanguageSites(tuple(languages), tuple(sites), translations), rendered


def plan_language_pages(
    sites: LanguageSites, extra_planners: Sequence[Callable[[Planner], None]], *, memo: Cache | None,
    messages: Callable[[str], Messages],
) -> Mapping[str, PageJob]:
    """``plan_pages`` for each language (with its URL prefix, catalogue and alternates), then one sitemap
    of every language's pages with their alternates, then the plans side by side."""
    plans: dict[str, Mapping[str, PageJob]] = {}
    planners: list[Planner] = []
    own = [p for p in extra_planners if p is not plan_sitemap]
    for lang, site in zip(sites.languages, sites.sites):
        planner = make_planner(
            site, LanguageMemo(memo, lang.tag), messages=messages(lang.tag), url_prefix=lang.prefix,
            alternates=alternates_of(lang, sites.languages, plans, sites.translations),
        )
        plan_site_pages(planner)
        finish_plan(planner, own)
        plans[lang.tag] = planner.jobs
        planners.append(planner)
    if plan_sitemap in extra_planners:  # at the root, in the default language's plan
        newest = max((a.updated or a.date for a in sites.articles), default=None)
        plan_sitemap(planners[0], [job for plan in plans.values() for job in plan.values()], newest)
    merged = LanguagePlans([(lang, plans[lang.tag]) for lang in sites.languages])
    if merged.problems:
        raise BuildFailed(merged.problems)
    return merged


def page_fingerprint(job: PageJob, theme: Theme) -> str:
    return hashlib.blake2b(f"{job.inputs}|{theme.fingerprint}".encode(), digest_size=16).hexdigest()


def render_job(job: PageJob, renderer: Renderer) -> bytes:
    if job.produce is not None:
        return job.produce().encode("utf-8")
    assert job.template is not None
    return renderer.render(job.template, job.context).encode("utf-8")


RenderOutcome = tuple[str, str, str, bool]  # path, fingerprint, sha, changed


def _render_chunk(
    jobs: list[PageJob], renderer: Renderer, writer: OutputWriter, manifest: dict[str, tuple[str, str]], theme: Theme
) -> tuple[list[RenderOutcome], list[Problem]]:
    outcomes: list[RenderOutcome] = []
    problems: list[Problem] = []
    for job in jobs:
        try:
            data = render_job(job, renderer)
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
        outcomes.append((job.path, page_fingerprint(job, theme), sha, changed))
    return outcomes, problems


def _render_worker(jobs: list[PageJob], renderer: Renderer, writer: OutputWriter, manifest: dict[str, tuple[str, str]],
                   theme: Theme, conn: multiprocessing.connection.Connection) -> None:
    try:
        conn.send(_render_chunk(jobs, renderer, writer, manifest, theme))
    except BaseException as exc:  # noqa: BLE001 - report any crash to the parent, which raises it
        conn.send(exc)
    finally:
        conn.close()


def render_pages(
    jobs: list[PageJob], renderer: Renderer, writer: OutputWriter, manifest: dict[str, tuple[str, str]], theme: Theme,
    workers: int,
) -> list[RenderOutcome]:
    if workers <= 1 or len(jobs) < PARALLEL_PAGES:
        outcomes, problems = _render_chunk(jobs, renderer, writer, manifest, theme)
    else:
        # fork: each worker inherits the site model, so nothing big is pickled; only results come back
        context = multiprocessing.get_context("fork")
        chunks = [jobs[i::workers] for i in range(workers)]
        procs = []
        for chunk in chunks:
            parent_end, child_end = context.Pipe(duplex=False)
            proc = context.Process(target=_render_worker, args=(chunk, renderer, writer, manifest, theme, child_end))
            proc.start()
            child_end.close()
            procs.append((proc, parent_end))
        outcomes, problems = [], []
        failure: BaseException | None = None
        for proc, conn in procs:
            try:
                result = conn.recv()
            except EOFError:
                result = RuntimeError(f"a render worker died (exit code {proc.exitcode})")
            proc.join()
            if isinstance(result, BaseException):
                failure = failure or result
                continue
            outcomes.extend(result[0])
            problems.extend(result[1])
        if failure is not None:
            raise failure
    if problems:
        unique = list(dict.fromkeys(problems))
        raise BuildFailed(unique)
    return outcomes


def _origin(path: Path, site_dir: Path) -> str:
    return path.relative_to(site_dir).as_posix() if path.is_relative_to(site_dir) else str(path)


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_assets(
    assets: list[tuple[str, Path]], writer: OutputWriter, manifest: dict[str, tuple[str, str]], roots: Sequence[Path]
) -> list[RenderOutcome]:
    """Stage theme and content files whose bytes differ from what the output holds.

    Only regular files inside the site (or the default theme) are published: a symlink
    to ~/.ssh/id_rsa or a pipe in content/ is an error, never copied or read forever.
    """
    outcomes: list[RenderOutcome] = []
    problems: list[Problem] = []
    allowed = [r.resolve() for r in roots]
    for rel, src in assets:
        real = src.resolve()
        if not any(real.is_relative_to(root) for root in allowed):
            problems.append(Problem(str(src), None, "is a link to a file outside the site: copy the file in instead"))
            continue
        if not stat.S_ISREG(real.stat().st_mode):
            problems.append(Problem(str(src), None, "is not a regular file (a pipe or device?): remove it"))
            continue
        sha = _file_sha(real)
        old = manifest.get(rel)
        if old is not None and old[1] == sha and writer.exists(rel):
            changed = False
        else:
            current = writer.current_path(rel)
            changed = current is None or _file_sha(current) != sha
        if changed:
            writer.stage_copy(rel, real)
        outcomes.append((rel, "asset", sha, changed))
    if problems:
        raise BuildFailed(problems)
    return outcomes


def build(options: BuildOptions) -> BuildResult:
    """Build the site into its output folder; on any error the previous output is untouched."""
    started = time.perf_counter()
    timer = Timer()
    site_dir = options.site_dir.resolve()
    config = load_config(site_dir)
    if options.base_url:
        from dataclasses import replace

        config = replace(config, base_url=options.base_url)
    output = (options.output_dir or (site_dir / config.output_dir)).absolute()
    check_output_dir(
        output, site_dir, [site_dir / config.content_dir, site_dir / "themes", site_dir / CACHE_DIR],
        origin="--output" if options.output_dir else "digest.yaml",
    )
    jobs_n = job_count(options.jobs)
    now = options.now or now_from_env()
    cache = Cache(site_dir / CACHE_DIR if options.use_cache else None)
    timer.lap("config")
    try:
        theme = load_theme(site_dir, config.theme)
        timer.lap("theme")
        renderer = Renderer(theme, config.base_url, config.relative_urls)
        site: Site | LanguageSites
        if config.languages:
            site, rendered_md = load_language_sites(
                site_dir, config, cache=cache, jobs=jobs_n, now=now, drafts=options.drafts, future=options.future,
                timer=timer,
            )
            jobs = plan_language_pages(site, OUTPUT_PLANNERS, memo=cache, messages=renderer.catalogues.messages)
        else:
            site, rendered_md = load_site(
                site_dir, config, cache=cache, jobs=jobs_n, now=now, drafts=options.drafts, future=options.future,
                timer=timer,
            )
            jobs = plan_pages(site, OUTPUT_PLANNERS, memo=cache, messages=renderer.catalogues.messages(config.language))
        # collisions are checked before rendering, so nothing is half-written
        collisions = find_collisions(
            [(path, job.origin) for path, job in jobs.items()]
            + [(rel, f"the theme's static/{name}") for name, (rel, _src) in theme.assets.items()]
            + [(rel, _origin(src, site_dir)) for rel, src in site.assets]
        )
        if collisions:
            raise BuildFailed(collisions)
        timer.lap("plan")
        manifest = cache.get_manifest(str(output))
        writer = OutputWriter(output)
        try:
            to_render: list[PageJob] = []
            kept: list[RenderOutcome] = []
            for path, job in jobs.items():
                old = manifest.get(path)
                fp = page_fingerprint(job, theme)
                if old is not None and old[0] == fp and writer.exists(path):
                    kept.append((path, fp, old[1], False))
                else:
                    to_render.append(job)
            outcomes = render_pages(to_render, renderer, writer, manifest, theme, jobs_n)
            timer.lap("render")
            outcomes.extend(
                copy_assets([*theme.assets.values(), *site.assets], writer, manifest, [site_dir, *theme.folders])
            )
            timer.lap("assets")
            stats = writer.commit({path for path, *_ in [*kept, *outcomes]}, set(manifest) if manifest else None)
            timer.lap("write")
        except BaseException:
            writer.discard()
            raise
        cache.put_manifest(str(output), {path: (fp, sha) for path, fp, sha, _ in [*kept, *outcomes]})
    finally:
        cache.close()
    result = BuildResult(
        output=output,
        articles=len(site.articles),
        pages=len(jobs),
        written=stats.written,
        unchanged=stats.unchanged,
        deleted=stats.deleted,
        rendered_markdown=rendered_md,
        rendered_pages=len(to_render),
        seconds=time.perf_counter() - started,
        timings=timer.timings,
        excluded=site.excluded,
        drafts_published=sum(1 for a in site.articles if a.draft),
        written_paths=stats.written_paths,
    )
    return result
