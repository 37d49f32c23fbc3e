"""Every page of the site as a ``PageJob``: its URL, template and context, before any rendering.

Each job also carries ``inputs``: a hash of everything its own context holds, so
a later build can tell, without rendering, whether the page can change. The
``site`` context every template sees is not in them: its volatile fields (counts,
taxonomies, recent articles) are hashed one by one in ``SiteValues``, and a page's
fingerprint holds the hashes of the fields its last render read (see
``digest.render.jobs``), so a new article's counts reach only the pages that show them.
"""

from __future__ import annotations

import hashlib
import json
from abc import abstractmethod
from dataclasses import dataclass, field
from functools import cached_property, partial
from gettext import NullTranslations
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Protocol, Sequence

from markupsafe import Markup

from digest import __version__
from digest.config import SeoConfig, SiteConfig
from digest.errors import BuildFailed, Problem
from digest.model.editions import Editions
from digest.model.site import RELATED_WINDOW, Article, Period, PeriodLink, Site, Taxonomy, Term
from digest.rules.locale import format_number, text_direction
from digest.rules.urls import compile_pattern, join_base, output_path, rebase_links, site_link

RECENT_COUNT = 10


class Messages(Protocol):
    """A catalogue of UI strings in one language (the theme's; see render/i18n.py)."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


AlternatesOf = Callable[[str, str], tuple["Alternate", ...]]  # (page kind, page URL) -> the page in each language


class Memo(Protocol):
    """Where a planner keeps the result of a costly pure step, keyed by a hash of all its inputs."""

    def get_memo(self, name: str, key: str) -> str | None: ...

    def put_memo(self, name: str, key: str, value: str) -> None: ...

    def get_blob(self, name: str) -> bytes | None:
        """What was last stored under ``name`` (large, and checked by its reader), if anything."""

    def put_blob(self, name: str, data: bytes) -> None: ...


@dataclass(frozen=True, slots=True)
class Feed:
    title: str
    url: str
    type: str


# (config field, media type, link title) of each feed format, in the order pages list them
FEED_FORMATS: tuple[tuple[str, str, str], ...] = (
    ("atom", "application/atom+xml", "Atom"),
    ("rss", "application/rss+xml", "RSS"),
    ("json", "application/feed+json", "JSON Feed"),
)


def site_feeds(config: SiteConfig) -> tuple[Feed, ...]:
    """The site-wide feeds the config asks for; ``digest.outputs.feeds`` writes one file per entry."""
    return tuple(Feed(label, getattr(config.feeds, name), media) for name, media, label in FEED_FORMATS
                 if getattr(config.feeds, name))


def term_feeds(config: SiteConfig, term: Term) -> tuple[Feed, ...]:
    """A tag's own feeds: files inside the tag's folder, so they move with the tag's permalink."""
    return tuple(
        Feed(f"{term.name} ({label})", term.url + getattr(config.feeds, f"tag_{name}"), media)
        for name, media, label in FEED_FORMATS
        if getattr(config.feeds, f"tag_{name}")
    )


@dataclass(frozen=True, slots=True)
class Alternate:
    """The same page in another language of the site (hreflang links, the language switcher)."""

    lang: str  # BCP 47 tag, or ``x-default`` for the default language's page
    name: str  # the language's name in itself: "Русский"
    url: str  # site path from the root of the whole site: /ru/2022/01/10/slug/
    permalink: str  # absolute
    current: bool = False  # this is the page itself


@dataclass(frozen=True, slots=True)
class PageInfo:
    kind: str
    title: str
    url: str
    permalink: str
    description: str
    feeds: tuple[Feed, ...] = ()
    lang: str = ""  # BCP 47 tag of the page's main text (an article's ``lang:``, else the site's language)
    dir: str = "ltr"  # ``rtl`` for right-to-left languages
    alternates: tuple[Alternate, ...] = ()  # the page in every language it exists in, itself included


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int
    url: str


@dataclass(frozen=True, slots=True)
class Paginator:
    items: tuple[Article, ...]
    number: int
    total_pages: int
    total_items: int
    page_urls: tuple[PageLink, ...]

    @property
    def prev_url(self) -> str | None:
        return self.page_urls[self.number - 2].url if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.page_urls[self.number].url if self.number < self.total_pages else None

    @property
    def first_url(self) -> str:
        return self.page_urls[0].url

    @property
    def last_url(self) -> str:
        return self.page_urls[-1].url


@dataclass(frozen=True, slots=True, eq=False)
class ArticlePage:
    """The ``article`` of an article page: the article plus its neighbours and related articles."""

    article: Article
    prev: Article | None  # older
    next: Article | None  # newer
    related_by_index: Mapping[int, tuple[Article, ...]]  # the site's, worked out when first asked
    period_urls: Mapping[str, str]
    base_path: str = "/"  # where the site is served: links to site paths in the body are written under it
    relative_urls: bool = False

    @property
    def related(self) -> tuple[Article, ...]:
        return self.related_by_index[self.article.index]

    @property
    def html(self) -> Markup:
        return self._site_links(self.article.html)

    @property
    def note_html(self) -> Markup:
        return self._site_links(self.article.note_html)

    def _site_links(self, html: Markup) -> Markup:
        """A body link to a site path (``/about/``) means the site's root, wherever the site is served."""
        url, base, relative = self.article.url, self.base_path, self.relative_urls
        return Markup(rebase_links(str(html), lambda path: site_link(path, url, base, relative)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.article, name)


@dataclass(frozen=True, slots=True, eq=False)
class SiteContext:
    """The ``site`` every template sees."""

    title: str
    description: str
    base_url: str
    language: str
    timezone: str
    extra: Mapping[str, Any]
    tags: Taxonomy
    sources: Taxonomy
    years: tuple[Period, ...]
    recent: tuple[Article, ...]
    feeds: tuple[Feed, ...]
    article_count: int
    seo: SeoConfig = SeoConfig()
    search_url: str = ""  # the search page, or empty when search is off
    editions: Editions | None = None  # the site's editions when the config has them
    generator: str = f"digest {__version__}"
    url_prefix: str = ""  # "/ru" on a multilingual site's non-default language: its paths live under it
    dir: str = "ltr"  # the site language's direction (``rtl`` for Arabic, Hebrew, ...)


# What a build keeps of a page for the next one (``digest.plan.remembered``): its template, kind, origin, its
# key-free inputs, and the indexes of the articles whose keys (file bytes) and bodies it follows.
PageRow = tuple[str | None, str, str, str, tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True, eq=False)  # no slots: ``inputs`` is worked out on first use and kept
class PageJob:
    url: str
    path: str  # relative to the output root
    template: str | None  # None: ``produce`` makes the bytes (feeds, sitemap)
    context: Mapping[str, Any]
    inputs_of: str | Callable[[], str]  # the hash of what the context holds but article keys, or how to work it out
    origin: str  # what asked for this page, for collision messages
    produce: Callable[[], str] | None = field(default=None)
    site_values: SiteValues | None = field(default=None)  # hashes of the ``site`` fields a render may read
    reach: tuple[Article, ...] | Callable[[], Iterable[Article]] = ()  # the other articles it can reach
    keyed: tuple[Article, ...] = ()  # the articles whose file (``key``: body and all) the page shows
    kind: str = ""

    @cached_property
    def bodies(self) -> str:
        """The other articles' bodies, apart from ``inputs``: only a template that prints the body of an
        article other than the page's own (``Renderer.reads_other_bodies``) depends on them, so a body
        edit re-renders the article's page, not every list that shows its card."""
        return _bodies(self.reach)

    @cached_property
    def static(self) -> str:
        """The hash of what the page shows but the keys of ``keyed``: it follows from the articles' list
        fields and places, the config and the theme's catalogue alone (what ``digest.plan.remembered``
        keys a kept plan by). Lazy, because a dev server plans every page on each rebuild but renders
        only the few a browser asks for; a build asks for every one."""
        return self.inputs_of if isinstance(self.inputs_of, str) else self.inputs_of()

    @cached_property
    def inputs(self) -> str:
        """A hash of everything the page shows: equal inputs (and theme) mean equal bytes."""
        return keyed_inputs(self.static, [a.key for a in self.keyed])

    def row(self) -> PageRow:
        reach = self.reach() if callable(self.reach) else self.reach
        return (self.template, self.kind, self.origin, self.static, tuple(a.index for a in self.keyed),
                tuple(a.index for a in reach if a is not None))


def keyed_inputs(static: str, keys: Sequence[str]) -> str:
    """A page's inputs: its key-free inputs and the keys of the articles it shows whole."""
    return _digest(static, tuple(keys)) if keys else static


# The fields of ``SiteContext`` that change with the articles. Every other field is made from the
# config (or digest's version), which every page's inputs hold already.
VOLATILE_SITE_FIELDS = ("tags", "sources", "years", "recent", "article_count", "editions")


class SiteValues:
    """A hash of each field of the ``site`` context, worked out when first asked for."""

    def __init__(self, site: Site) -> None:
        self._site = site
        self._hashes: dict[str, str] = {}
        self._digests: dict[tuple[str, ...], str] = {}
        self._signed: list[str] | None = None

    def field(self, name: str) -> str:
        found = self._hashes.get(name)
        if found is None:
            found = self._hashes[name] = self._hash(name) if name in VOLATILE_SITE_FIELDS else ""
        return found

    def digest(self, names: Iterable[str]) -> str:
        """The hash of the named fields' values: equal hashes, equal values (kept per set of names:
        most pages of a theme read the same few fields)."""
        wanted = tuple(sorted(names))
        found = self._digests.get(wanted)
        if found is None:
            found = self._digests[wanted] = _digest(*((name, self.field(name)) for name in wanted))
        return found

    def digest_all(self) -> str:
        return self.digest(VOLATILE_SITE_FIELDS)

    def _signs(self) -> list[str]:
        """Each article's list fields and body key, by index: made once, joined per term and period."""
        if self._signed is None:
            self._signed = [a.header + a.key for a in self._site.articles]
        return self._signed

    def _hash(self, name: str) -> str:
        """The field's hash, fed piece by piece: at 10,000 articles the tags reach ~30,000 article entries,
        and one ``repr`` of them all cost a dev server ~50 ms on the first page after every rebuild."""
        site = self._site
        h = hashlib.blake2b(name.encode(), digest_size=16)
        if name in ("tags", "sources", "years"):
            # a theme may print any term's (or period's) articles from ``site``: their list fields count
            groups: Iterable[tuple[object, Sequence[Article]]]
            if name == "years":
                groups = (((y.url, y.title, _period_inputs(y)), y.articles) for y in site.years)
            else:
                taxonomy = site.tags if name == "tags" else site.sources
                groups = (((t.name, t.url), t.articles) for t in taxonomy.terms)
            signs = self._signs()
            for label, articles in groups:
                h.update(repr((label, len(articles))).encode("utf-8", "surrogatepass"))
                h.update("\n".join([signs[a.index] for a in articles]).encode())
        elif name == "recent":
            h.update("\n".join(self._signs()[: RECENT_COUNT]).encode())  # the newest come first
        elif name == "editions":  # article pages link their edition, the navigation the latest
            h.update(repr(site.editions.signature() if site.editions is not None else "").encode("utf-8", "surrogatepass"))
        else:
            h.update(str(len(site.articles)).encode())
        return h.hexdigest()


def _digest(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _headers(items: Iterable[Article]) -> tuple[str, ...]:
    # what a card shows (``site`` fields, which a theme may walk to any body, add the key: ``SiteValues``)
    return tuple(a.header for a in items)


def _bodies(items: Iterable[Article] | Callable[[], Iterable[Article]]) -> str:
    """The hash of the bodies of the other articles a page can reach (see ``PageJob.bodies``)."""
    return bodies_hash(a.key for a in (items() if callable(items) else items) if a is not None)


def bodies_hash(keys: Iterable[str]) -> str:
    return _digest(tuple(keys))


def _page_inputs(site_inputs: str, kind: str, title: str, url: str, description: str, feeds: object,
                 inputs: tuple[object, ...] | Callable[[], tuple[object, ...]]) -> str:
    return _digest(site_inputs, kind, title, url, description, feeds, inputs() if callable(inputs) else inputs)


def _list_inputs(
    paginator: Paginator, extra: tuple[object, ...] | Callable[[], tuple[object, ...]]
) -> tuple[object, ...]:
    return (paginator.number, paginator.total_pages, _headers(paginator.items), extra() if callable(extra) else extra)


def _article_inputs(article: Article, older: Article | None, newer: Article | None,
                    related: Mapping[int, tuple[Article, ...]]) -> tuple[object, ...]:
    # the article's own key is not here: the page's job adds it (``PageJob.keyed``)
    return (article.header, _headers(x for x in (older, newer) if x), _headers(related[article.index]))


def _reachable(older: Article | None, newer: Article | None, related: Mapping[int, tuple[Article, ...]],
               index: int) -> Iterable[Article]:
    return (*(x for x in (older, newer) if x is not None), *related[index])


def paginate(items: Sequence[Article], base_url: str, per_page: int) -> list[Paginator]:
    total = max(1, -(-len(items) // per_page))
    urls = tuple(PageLink(n, base_url if n == 1 else f"{base_url}page/{n}/") for n in range(1, total + 1))
    return [
        Paginator(tuple(items[(n - 1) * per_page : n * per_page]), n, total, len(items), urls)
        for n in range(1, total + 1)
    ]


@dataclass(frozen=True, slots=True)
class Deferred:
    """A context value made only when its page's job is: planning every page stays cheap."""

    make: Callable[[], Any]


class PageSpec(NamedTuple):
    """What ``Planner.add`` was told about one page: enough to make its ``PageJob`` later."""

    url: str
    kind: str
    title: str
    template: str | None
    inputs: tuple[object, ...] | Callable[[], tuple[object, ...]]
    origin: str
    description: str
    feeds: tuple[Feed, ...]
    produce: Callable[[], str] | None
    context: dict[str, Any]
    bodies: tuple[Article, ...] | Callable[[], Iterable[Article]] = ()  # other articles it can reach
    keyed: tuple[Article, ...] = ()  # the articles it shows whole: their keys are part of its inputs


class PageParts(NamedTuple):
    """What a page's fingerprint is made of, but the ``site`` fields it reads (``digest.render.jobs``)."""

    inputs: str
    template: str | None
    bodies: Callable[[], str]  # the hash of the other articles' bodies it can reach, worked out if needed
    site_values: SiteValues | None


class Plan(Mapping[str, PageJob]):
    """Output path -> ``PageJob``: what a build renders. ``plan[path]`` makes a job and keeps it (a dev
    server asks for the same pages again); a build reads each page's spec and ``fresh`` job once."""

    @abstractmethod
    def spec(self, path: str) -> PageSpec: ...

    @abstractmethod
    def fresh(self, path: str) -> PageJob: ...

    def origin(self, path: str) -> str:
        """What asked for the page (collision messages)."""
        return self.spec(path).origin

    def template(self, path: str) -> str | None:
        return self.spec(path).template

    def parts(self, path: str) -> PageParts:
        """The parts of the page's fingerprint (a kept plan has them without making the page's job)."""
        job = self.fresh(path)
        return PageParts(job.inputs, job.template, lambda: job.bodies, job.site_values)

    def prepare(self, paths: Iterable[str]) -> None:
        """Make now whatever the jobs of ``paths`` will need (before render workers are forked)."""

    @property
    def planned_now(self) -> frozenset[str]:
        """The paths this build planned, when the rest was kept from the last build (``digest.plan.kept``)."""
        return frozenset()


class PlannedPages(Plan):
    """Output path -> ``PageJob``, each job made on first access.

    Planning decides which pages exist (and finds URL collisions) for the whole site;
    making the jobs' contexts can wait. A build takes every job, a dev server the few
    pages a browser asks for between two rebuilds.
    """

    def __init__(self, make: Callable[[str, PageSpec], PageJob]) -> None:
        self._make = make
        self._specs: dict[str, PageSpec] = {}
        self._made: dict[str, PageJob] = {}
        # each output planner's pages: (first, end) positions in plan order (``digest.plan.kept``)
        self.spans: dict[Callable[..., None], tuple[int, int]] = {}

    def plan(self, path: str, spec: PageSpec) -> None:
        self._specs[path] = spec

    def put(self, path: str, spec: PageSpec, job: PageJob) -> None:
        """A job made elsewhere (a dev server plans feeds and the search index in another process)."""
        self._made[path] = job  # before the spec: a path is "in" the plan only once its job is there
        self._specs[path] = spec

    def spec(self, path: str) -> PageSpec:
        return self._specs[path]

    def specs(self) -> Iterator[tuple[str, PageSpec]]:
        """(output path, spec) of every planned page, without making a job."""
        return iter(self._specs.items())

    def fresh(self, path: str) -> PageJob:
        """The page's job, made anew and not kept (unless it was already): a build renders each page once,
        so holding every job and its context to the end would only grow the process, and the workers
        forked from it."""
        job = self._made.get(path)
        return job if job is not None else self._make(path, self._specs[path])

    def __getitem__(self, path: str) -> PageJob:
        job = self._made.get(path)
        if job is None:
            job = self._made[path] = self._make(path, self._specs[path])
        return job

    def __contains__(self, path: object) -> bool:
        return path in self._specs

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)


class Planner:
    """Collects page jobs, refusing two pages on one URL."""

    def __init__(
        self, site: Site, site_context: SiteContext, memo: Memo | None = None,
        messages: Messages | None = None, alternates: AlternatesOf | None = None, apart: bool = False,
    ) -> None:
        self.site = site
        self.messages: Messages = messages or NullTranslations()  # page titles in the site's language
        self.alternates = alternates  # a page's translations (multilingual sites)
        self.language = site.config.language
        self.config: SiteConfig = site.config
        self.site_context = site_context
        self.site_values = SiteValues(site)
        self.memo = memo  # results of costly pure planning steps from earlier builds (the build cache)
        self._config_inputs = _digest(self.config.fingerprint(), __version__, site_context.url_prefix)
        self.jobs = PlannedPages(self._job)
        self.problems: list[Problem] = []
        self._root = join_base(self.config.base_url, "/")  # permalinks are this plus the path
        # make a costly output's transient data (a whole search index, the sitemap) in a forked child process,
        # so it does not stay in the heap render workers inherit: for a build, never for the threaded dev server
        self.apart = apart
        # part of a kept plan (``digest.plan.kept``): what only a whole plan can check (every feed entry's id
        # against the others) was checked by the build that kept it, and the plan's key holds what it read
        self.settled = False

    @cached_property
    def related(self) -> Mapping[int, tuple[Article, ...]]:
        """Each article's related articles (from the memo when no tag moved): a kept plan needs them only
        for the article pages it renders."""
        return remembered_related(self.site, self.memo)

    def counted(self, singular: str, plural: str, n: int, **values: str) -> str:
        """``n`` things in the site's language: "3 статьи", "5 статей" (``num`` is Babel's number)."""
        return self.messages.ngettext(singular, plural, n) % {"num": format_number(n, self.language), **values}

    def add(
        self,
        *,
        url: str,
        kind: str,
        title: str,
        template: str | None,
        inputs: tuple[object, ...] | Callable[[], tuple[object, ...]],
        origin: str,
        description: str = "",
        feeds: tuple[Feed, ...] = (),
        produce: Callable[[], str] | None = None,
        keyed: tuple[Article, ...] = (),
        **context: Any,
    ) -> None:
        """``keyed``: the articles whose whole file the page shows (a feed's entries); ``inputs`` holds
        what else it shows (their list fields, never their keys: see ``PageJob.static``)."""
        self._plan(PageSpec(url, kind, title, template, inputs, origin, description, feeds, produce, context,
                            (), keyed))

    def _plan(self, spec: PageSpec) -> None:
        path = output_path(spec.url)
        if path in self.jobs:
            other = self.jobs[path].origin
            self.problems.append(
                Problem(spec.origin, None, f"URL {spec.url} is also made by {other}: change a slug or a permalink pattern")
            )
            return
        self.jobs.plan(path, spec)

    def page_info(self, spec: PageSpec) -> PageInfo:
        """The ``page`` of a planned page's context."""
        url, kind = spec.url, spec.kind
        article = self.site.by_url.get(url) if kind == "article" else None
        lang = article.lang if article is not None else self.language
        return PageInfo(kind, spec.title, url, self.permalink(url), spec.description, spec.feeds, lang,
                        text_direction(lang), self.page_alternates(spec))

    def permalink(self, url: str) -> str:
        """The absolute URL of a site path."""
        return self._root + url.lstrip("/")

    def page_alternates(self, spec: PageSpec) -> tuple[Alternate, ...]:
        """The planned page in every language it exists in (none on a site of one language)."""
        return self.alternates(spec.kind, spec.url) if self.alternates is not None and spec.template is not None else ()

    def _job(self, path: str, spec: PageSpec) -> PageJob:
        url, kind, title, template, inputs, origin, description, feeds, produce, context, bodies, keyed = spec
        page = self.page_info(spec)
        lang, alternates = page.lang, page.alternates
        ctx = {"site": self.site_context, "page": page}
        for key, value in context.items():
            ctx[key] = value.make() if isinstance(value, Deferred) else value
        # the config and the page's own inputs; the ``site`` fields a template reads are added when it renders
        inputs_of = partial(
            _page_inputs, self._config_inputs, kind, title, url, description, (feeds, lang, alternates), inputs
        )
        return PageJob(url, path, template, ctx, inputs_of, origin, produce, self.site_values, bodies, keyed, kind)

    def add_list(
        self, *, base_url: str, kind: str, title: str, items: Sequence[Article], origin: str,
        extra_inputs: tuple[object, ...] | Callable[[], tuple[object, ...]],
        template: str = "list.html", description: str = "", feeds: tuple[Feed, ...] = (), **context: Any
    ) -> None:
        for paginator in paginate(items, base_url, self.config.per_page):
            self._plan(
                PageSpec(
                    paginator.page_urls[paginator.number - 1].url, kind, title, template,
                    partial(_list_inputs, paginator, extra_inputs), origin, description, feeds, None,
                    {"paginator": paginator, **context}, paginator.items,
                )
            )


def site_context(site: Site, feeds: tuple[Feed, ...] = (), url_prefix: str = "") -> SiteContext:
    config = site.config
    recent = site.articles[:RECENT_COUNT]
    return SiteContext(
        title=config.title,
        description=config.description,
        base_url=join_base(config.base_url, "/"),
        language=config.language,
        timezone=config.timezone,
        extra=config.extra,
        tags=site.tags,
        sources=site.sources,
        years=site.years,
        recent=recent,
        feeds=feeds,
        article_count=len(site.articles),
        seo=config.seo,
        search_url=config.search.url if config.search.enabled else "",
        editions=site.editions,
        url_prefix=url_prefix,
        dir=text_direction(config.language),
    )


def remembered_related(site: Site, memo: Memo | None) -> Mapping[int, tuple[Article, ...]]:
    """``site.related``, taken from ``memo`` when no article's place or tags changed since it was stored.

    Finding every article's related articles is the dearest step of planning (about a tenth of a
    second per thousand articles), and a build that changes no tag needs the same answer again.
    Without a memo (a dev server) it stays lazy: worked out for the pages a browser asks for.
    """
    if memo is None or not site.articles:
        return site.related
    key = _digest(__version__, RELATED_WINDOW, site.config.related, [tuple(t.url for t in a.tags) for a in site.articles])
    stored = memo.get_memo("related", key)
    if stored is not None:
        articles = site.articles
        return {i: tuple(articles[j] for j in found) for i, found in enumerate(json.loads(stored))}
    memo.put_memo("related", key, json.dumps([[a.index for a in site.related[i]] for i in range(len(site.articles))]))
    return site.related


def _term_pages(
    planner: Planner, taxonomy: Taxonomy, kind: str, feeds: Callable[[Term], tuple[Feed, ...]] = lambda term: ()
) -> None:
    _ = planner.messages.gettext
    tags = taxonomy.name == "tags"
    planner.add(
        url=taxonomy.url,
        kind=taxonomy.name,
        title=_("Tags") if tags else _("Sources"),
        template="terms.html",
        inputs=tuple((t.name, t.url, t.count) for t in taxonomy.terms),
        origin=f"the {taxonomy.name} index",
        description=planner.counted("All %(num)s tag", "All %(num)s tags", taxonomy.term_count) if tags
        else planner.counted("All %(num)s source", "All %(num)s sources", taxonomy.term_count),
        taxonomy=taxonomy,
    )
    for term in taxonomy.terms:
        planner.add_list(
            base_url=term.url,
            kind=kind,
            title=term.name,
            items=term.articles,
            origin=f"{kind} '{term.name}'",
            extra_inputs=(term.name, term.count),
            description=planner.counted("%(num)s article on %(name)s", "%(num)s articles on %(name)s", term.count,
                                      name=term.name),
            feeds=feeds(term),
            term=term,
        )


def _period_link(p: PeriodLink | None) -> object:
    return None if p is None else (p.url, p.title, p.count)


def _period_inputs(period: Period) -> tuple[object, ...]:
    return (
        period.count, _period_link(period.prev), _period_link(period.next),
        tuple(_period_link(m) for m in period.months), tuple(_period_link(d) for d in period.days),
        _period_link(period.parent),
    )


def _period_pages(planner: Planner, periods: Iterable[Period]) -> None:
    for period in periods:
        planner.add_list(
            base_url=period.url,
            kind=period.kind,
            title=period.title,
            items=period.articles,
            origin=f"the {period.kind} page for {period.title}",
            extra_inputs=partial(_period_inputs, period),
            description=planner.counted("%(num)s article from %(period)s", "%(num)s articles from %(period)s",
                                      period.count, period=period.title),
            period=period,
        )


def make_planner(
    site: Site, memo: Memo | None = None, *, messages: Messages | None = None, alternates: AlternatesOf | None = None,
    url_prefix: str = "", apart: bool = False,
) -> Planner:
    """``messages``: the theme's catalogue for the site's language (page titles and descriptions);
    ``alternates`` and ``url_prefix``: one language of a multilingual site (model/languages.py);
    ``apart``: see ``Planner``."""
    return Planner(site, site_context(site, site_feeds(site.config), url_prefix), memo, messages, alternates, apart)


class ArticlePlanner:
    """The spec of an article's page, the same whether it comes from the whole plan or on its own."""

    def __init__(self, planner: Planner) -> None:
        self.planner = planner
        self.site = planner.site
        permalinks = planner.config.permalinks
        self._period_url = {kind: compile_pattern(getattr(permalinks, kind)) for kind in ("year", "month", "day")}
        self._period_urls: dict[tuple[int, int, int], dict[str, str]] = {}  # one per day, shared by its articles
        self._base_path = planner.config.base_path
        self._relative = planner.config.relative_urls

    def spec(self, article: Article) -> PageSpec:
        site = self.site
        older, newer = site.neighbours[article.index]
        d = article.date
        period_urls = self._period_urls.get((d.year, d.month, d.day))
        if period_urls is None:
            values = {"year": f"{d.year:04d}", "month": f"{d.month:02d}", "day": f"{d.day:02d}", "slug": ""}
            period_urls = self._period_urls[(d.year, d.month, d.day)] = {
                kind: expand_one(**values) for kind, expand_one in self._period_url.items()
            }
        related = self.planner.related
        return PageSpec(
            article.url, "article", article.title, "article.html",
            partial(_article_inputs, article, older, newer, related), article.path, article.summary, (), None,
            {"article": Deferred(partial(
                ArticlePage, article, older, newer, related, period_urls, self._base_path, self._relative,
            ))},
            partial(_reachable, older, newer, related, article.index), (article,),
        )

    def job(self, article: Article) -> PageJob:
        """The job the whole plan makes for this article's page, without planning the rest of the site."""
        return self.planner._job(output_path(article.url), self.spec(article))


def plan_site_pages(planner: Planner) -> None:
    """The pages of the model: home, articles, tags, sources, periods, archive, 404."""
    site, config = planner.site, planner.config
    planner.add_list(
        base_url="/", kind="home", title=config.title, items=site.articles, origin="the home page",
        extra_inputs=(), template="index.html", description=config.description,
    )
    articles = ArticlePlanner(planner)
    for article in site.articles:
        if article.has_page:  # a short link item is only its headline, linking to the source
            planner._plan(articles.spec(article))
    _term_pages(planner, site.tags, "tag", lambda term: term_feeds(config, term))
    _term_pages(planner, site.sources, "source")
    for periods in (site.years, site.months, site.days):
        _period_pages(planner, periods)
    _ = planner.messages.gettext
    planner.add(
        url="/archive/", kind="archive", title=_("Archive"), template="archive.html",
        inputs=lambda: tuple((y.url, y.title, _period_inputs(y)) for y in site.years),
        origin="the archive page", description=_("Every article on %(title)s, by month") % {"title": config.title},
        years=site.years,
    )
    planner.add(url="/404.html", kind="404", title=_("Page not found"), template="404.html", inputs=(),
                origin="the 404 page")


def finish_plan(planner: Planner, outputs: Sequence[Callable[[Planner], None]] = ()) -> None:
    """The other outputs (feeds, search index, sitemap: they may list the pages), then every collision."""
    for output in outputs:
        first = len(planner.jobs)
        output(planner)
        planner.jobs.spans[output] = (first, len(planner.jobs))
    for rel, _src in planner.site.assets:
        if rel in planner.jobs:
            planner.problems.append(Problem(f"{planner.config.content_dir}/{rel}", None, f"this file would overwrite the page {planner.jobs[rel].url}"))
    if planner.problems:
        raise BuildFailed(planner.problems)
