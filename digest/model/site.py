"""The site model: articles with URLs, taxonomies, date periods, neighbours, related articles.

Everything here is derived from the loaded articles, the config and ``now``;
nothing is read from disk and nothing is rendered.
"""

from __future__ import annotations

import heapq
import hashlib
import posixpath
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import (
    TYPE_CHECKING, AbstractSet, Any, Callable, Container, Iterable, Iterator, Mapping, Protocol, Sequence, TypeVar,
    Union,
)

from markupsafe import Markup

from digest.config import SiteConfig
from digest.errors import BuildFailed, Problem
from digest.model.loaded import LoadedArticle
from digest.sources.images import image_rel
from digest.rules.locale import format_date_named
from digest.rules.slugs import slugify, term_key
from digest.rules.urls import UnsafePath, check_site_path, compile_pattern, expand

if TYPE_CHECKING:
    from digest.model.editions import Editions

#: Which drafts a build publishes: ``True`` every draft, ``False`` none, a set those site-relative paths
#: (the drafts a curator captured while previewing, shown without ``--drafts``).
Drafts = Union[bool, AbstractSet[str]]


@dataclass(frozen=True, slots=True)
class TermRef:
    name: str
    slug: str
    url: str


@dataclass(frozen=True, slots=True)
class SourceRef:
    name: str
    url: str
    published: datetime | None
    term_url: str | None


@dataclass(frozen=True, slots=True, eq=False)
class Article:
    """One published article, as templates see it."""

    index: int  # position in Site.articles (newest first)
    path: str
    rel: str
    slug: str
    url: str
    title: str
    date: datetime  # in the site's timezone
    updated: datetime | None
    summary: str
    tags: tuple[TermRef, ...]
    source: SourceRef | None
    author: str
    image: str
    via: str
    draft: bool
    body: ArticleBody  # html, note_html and toc: in memory, or read from the cache when a page needs them
    extra: Mapping[str, Any]
    key: str  # changes when the file or render settings change
    header: str  # hash of what lists show of this article (title, date, summary, tags, ...)
    body_terms: str = ""  # search terms of the body and note, space-separated (made once, in the workers);
    # "" for a body left in the cache: ``search_terms`` reads them back there, all at once
    image_alt: str = ""  # front matter 'image_alt:'; templates fall back to the title
    image_size: tuple[int, int] | None = None  # (width, height) of a local lead image, read from its header
    lang: str = ""  # BCP 47 tag of the article's text: its ``lang:`` front matter, else the site's language
    translation_key: str = ""  # front matter ``translation_key``: links translations (model/languages.py)
    link: bool = False  # a link item: a source and no body; its headline goes to the source
    has_page: bool = True  # False for a link item whose note is no longer than its summary: no page of its own
    has_note: bool = False  # a curator's note: lists test this before reading ``note_html`` back from the cache

    @property
    def target(self) -> str:
        """Where a link to this article goes: its page, or the source for a link item without one."""
        return self.url if self.has_page or self.source is None else self.source.url

    @property
    def html(self) -> Markup:
        return self.body.html

    @property
    def note_html(self) -> Markup:
        return self.body.note_html

    @property
    def toc(self) -> Markup:
        return self.body.toc


@dataclass(frozen=True, slots=True, eq=False)
class Term:
    name: str
    slug: str
    url: str
    key: str
    articles: tuple[Article, ...]  # newest first

    @property
    def count(self) -> int:
        return len(self.articles)


@dataclass(frozen=True, slots=True, eq=False)
class Taxonomy:
    name: str  # "tags" or "sources"
    title: str
    url: str
    terms: tuple[Term, ...]  # sorted by name
    by_key: Mapping[str, Term]

    @property
    def term_count(self) -> int:
        return len(self.terms)


@dataclass(frozen=True, slots=True)
class PeriodLink:
    kind: str
    year: int
    month: int
    day: int
    title: str
    url: str
    count: int


@dataclass(frozen=True, slots=True, eq=False)
class Period:
    kind: str  # year, month, day
    year: int
    month: int
    day: int
    title: str
    url: str
    articles: tuple[Article, ...]
    prev: PeriodLink | None  # older
    next: PeriodLink | None  # newer
    months: tuple[PeriodLink, ...] = ()
    days: tuple[PeriodLink, ...] = ()
    parent: PeriodLink | None = None  # a day's month, a month's year

    @property
    def count(self) -> int:
        return len(self.articles)


@dataclass(frozen=True, slots=True)
class Excluded:
    """An article left out of this build, and why (for ``digest check`` and ``-v``)."""

    path: str
    title: str
    reason: str  # "draft" or "future"
    date: datetime


@dataclass(frozen=True, slots=True, eq=False)
class Site:
    config: SiteConfig
    articles: tuple[Article, ...]  # newest first
    by_url: Mapping[str, Article]
    tags: Taxonomy
    sources: Taxonomy
    years: tuple[Period, ...]  # newest first
    months: tuple[Period, ...]
    days: tuple[Period, ...]
    neighbours: Mapping[int, tuple[Article | None, Article | None]]  # index -> (older, newer)
    related: Mapping[int, tuple[Article, ...]]
    assets: tuple[tuple[str, Path], ...]  # (output path, source file)
    excluded: tuple[Excluded, ...] = field(default=())
    term_refs: tuple[Mapping[str, TermRef], Mapping[str, TermRef]] = field(default=({}, {}))  # tags, sources by key
    editions: Editions | None = None  # set by digest.model.editions.with_editions when the config has editions


class BodyStore(Protocol):
    """Where rendered bodies are kept outside the model (the build cache), read back by key."""

    def body(self, key: str) -> tuple[str, str, str]: ...  # html, toc, note html

    def terms(self, keys: Sequence[str]) -> Mapping[str, str]: ...  # key -> the body's search terms


@dataclass(frozen=True, slots=True)
class InlineBody:
    html: Markup
    note_html: Markup
    toc: Markup


@dataclass(frozen=True, slots=True)
class StoredBody:
    """A body left in the cache: the model of 10,000 articles stays small, and forked render workers
    do not copy it page by page; each article page reads its own body when it is rendered."""

    store: BodyStore
    key: str

    @property
    def html(self) -> Markup:
        return Markup(self.store.body(self.key)[0])

    @property
    def toc(self) -> Markup:
        return Markup(self.store.body(self.key)[1])

    @property
    def note_html(self) -> Markup:
        return Markup(self.store.body(self.key)[2])


ArticleBody = InlineBody | StoredBody


def search_terms(articles: Sequence[Article]) -> list[str]:
    """Each article's body search terms (see ``Article.body_terms``), those left in the cache read back in
    one pass: the search index is the one reader, and one query per article cost a body edit ~0.3 s."""
    wanted: dict[BodyStore, list[str]] = defaultdict(list)  # one store in practice: the build cache
    for article in articles:
        if not article.body_terms and isinstance(article.body, StoredBody):
            wanted[article.body.store].append(article.key)
    found = {key: terms for store, keys in wanted.items() for key, terms in store.terms(keys).items()}
    return [found.get(a.key, a.body_terms) for a in articles]


def _markup(html: str) -> Markup:
    # Markup(str) copies the text; a long-lived process (the dev server) wraps each body once and passes Markup
    return html if isinstance(html, Markup) else Markup(html)


def _header_hash(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def build_site(
    loaded: Iterable[LoadedArticle],
    config: SiteConfig,
    now: datetime,
    *,
    drafts: Drafts = False,
    future: bool = False,
    assets: Iterable[tuple[str, Path]] = (),
    reuse: Site | None = None,
    bodies: BodyStore | None = None,
    stored: Container[str] = (),
    image_sizes: Mapping[str, tuple[int, int]] | None = None,
) -> Site:
    """Derive the whole site; raise ``BuildFailed`` naming every URL collision.

    ``bodies``: where the bodies of the articles whose keys are in ``stored`` can be read back, so the
    model need not hold them (others stay in memory).
    ``image_sizes``: (width, height) of local lead images by content-relative path (``sources.images``).
    ``reuse``: an earlier site (a dev server's last one). An ``Article`` whose every input is
    unchanged (same file bytes, same place in the order, same config and term URLs) is taken
    from it instead of being made again; the result equals a cold build's.
    """
    items, excluded = select_articles(loaded, config, now, drafts=drafts, future=future)
    terms = count_terms(items)
    problems: list[Problem] = []
    tag_refs = _term_refs(terms.tag_names, config.permalinks.tag, "tag", problems, terms.users)
    source_refs = _term_refs(terms.source_names, config.permalinks.source, "source", problems, terms.users)
    earlier: Mapping[str, Article] = {}
    if reuse is not None and reuse.config == config and reuse.term_refs == (tag_refs, source_refs):
        earlier = {a.key: a for a in reuse.articles}
    articles = make_articles(
        items, terms, (tag_refs, source_refs), config, earlier, bodies, stored, image_sizes or {}, problems
    )
    if problems:
        raise BuildFailed(problems)
    asset_copies = _place_assets(articles, list(assets), problems, config.content_dir)
    if problems:
        raise BuildFailed(problems)
    return assemble_site(articles, config, (tag_refs, source_refs), asset_copies, excluded)


def select_articles(
    loaded: Iterable[LoadedArticle], config: SiteConfig, now: datetime, *, drafts: Drafts, future: bool
) -> tuple[list[LoadedArticle], list[Excluded]]:
    """The articles this build publishes, newest first, and those it leaves out (drafts, future-dated)."""
    tz = config.tz
    now_ts = now.astimezone(tz).timestamp()
    shown: Callable[[str], bool] = (lambda path: drafts) if isinstance(drafts, bool) else drafts.__contains__
    excluded: list[Excluded] = []
    kept: list[tuple[float, str, LoadedArticle]] = []
    for item in loaded:
        src = item.source
        when = src.date.timestamp()  # compares far faster than aware datetimes in different zones, same order
        if src.draft and not shown(src.path):
            excluded.append(Excluded(src.path, src.title, "draft", src.date.astimezone(tz)))
        elif when > now_ts and not future:
            excluded.append(Excluded(src.path, src.title, "future", src.date.astimezone(tz)))
        else:
            kept.append((when, src.path, item))
    kept.sort(reverse=True)  # newest first; paths are unique, so items are never compared
    return [item for _, _, item in kept], excluded


@dataclass(frozen=True, slots=True)
class TermCounts:
    """How often each spelling of each tag and source is used, grouped by term key."""

    key_of: Callable[[str], str]  # spelling -> term key (memoised: a few hundred spellings, many uses)
    source_name: Sequence[str]  # per published article: its source's display name, or ""
    tag_names: Mapping[str, Counter[str]]
    source_names: Mapping[str, Counter[str]]
    users: Mapping[tuple[str, str], str]  # (kind, term key) -> a file that uses it: only messages need it


def count_terms(items: Sequence[LoadedArticle]) -> TermCounts:
    keys: dict[str, str] = {}

    def key_of(name: str) -> str:
        key = keys.get(name)
        if key is None:
            key = keys[name] = term_key(name)
        return key

    source_name = [
        _source_name(item.source.source.name, item.source.source.url) if item.source.source is not None else ""
        for item in items
    ]
    tag_names: dict[str, Counter[str]] = defaultdict(Counter)
    source_names: dict[str, Counter[str]] = defaultdict(Counter)
    # count spellings in C first, then group the few hundred distinct ones by term key
    for spelling, uses in Counter([tag for item in items for tag in item.source.tags]).items():
        tag_names[key_of(spelling)][spelling] += uses
    for spelling, uses in Counter(source_name).items():
        if spelling:
            source_names[key_of(spelling)][spelling] += uses

    def first_users() -> dict[tuple[str, str], str]:
        users: dict[tuple[str, str], str] = {}
        for item, name in zip(items, source_name):
            for tag in item.source.tags:
                users.setdefault(("tag", key_of(tag)), item.source.path)
            if name:
                users.setdefault(("source", key_of(name)), item.source.path)
        return users

    return TermCounts(key_of, source_name, tag_names, source_names, _Later(first_users))


TermRefs = tuple[Mapping[str, "TermRef"], Mapping[str, "TermRef"]]  # tags, sources by term key


def article_url_of(pattern: Callable[..., str], local: datetime, slug: str) -> str:
    """The one rule for an article's URL: ``permalinks.article`` (compiled) filled from its local date and slug.
    ``UnsafePath`` when the result could leave the site (build and check both report it)."""
    return pattern(year=f"{local.year:04d}", month=f"{local.month:02d}", day=f"{local.day:02d}", slug=slug)


def make_articles(
    items: Sequence[LoadedArticle], terms: TermCounts, refs: TermRefs, config: SiteConfig,
    earlier: Mapping[str, Article], bodies: BodyStore | None, stored: Container[str],
    image_sizes: Mapping[str, tuple[int, int]], problems: list[Problem],
) -> list[Article]:
    """One ``Article`` per published item, with its URL (collisions go to ``problems``), terms and body."""
    articles: list[Article] = []
    owners: dict[str, str] = {}
    article_url = compile_pattern(config.permalinks.article)
    for index, item in enumerate(items):
        same = earlier.get(item.key)
        if (
            same is not None and same.index == len(articles) and same.url not in owners
            and same.image_size == image_sizes.get(image_rel(same.rel, same.image) or "")
        ):
            owners[same.url] = same.path
            articles.append(same)
            continue
        src = item.source
        local = src.date.astimezone(config.tz)
        try:
            url = article_url_of(article_url, local, src.slug)
        except UnsafePath as exc:
            problems.append(Problem(src.path, 1, f"cannot make a URL for this article: {exc}"))
            continue
        if url in owners:
            other = owners[url]
            # two names that print alike: the same letters, one composed (NFC) and one decomposed (NFD)
            alike = " (the same name in another Unicode form, NFC and NFD)" if (
                other != src.path and unicodedata.normalize("NFC", other) == unicodedata.normalize("NFC", src.path)
            ) else ""
            problems.append(
                Problem(src.path, 1, f"URL {url} is also the URL of {other}{alike}: give one of them another 'slug' or date")
            )
            continue
        owners[url] = src.path
        body: ArticleBody = (
            StoredBody(bodies, item.key) if bodies is not None and item.key in stored
            else InlineBody(_markup(item.html), _markup(item.note_html), _markup(item.toc))
        )
        size = image_sizes.get(image_rel(src.rel, src.image) or "")
        articles.append(_article(
            item, len(articles), url, local, terms.source_name[index], terms, refs, body, size, config.language
        ))
    return articles


def _article(
    item: LoadedArticle, index: int, url: str, local: datetime, name: str, terms: TermCounts, refs: TermRefs,
    body: ArticleBody, image_size: tuple[int, int] | None, language: str,
) -> Article:
    src = item.source
    tag_refs, source_refs = refs
    key_of = terms.key_of
    # a tag whose slug collided has no ref; its problem is already recorded and raised by the caller
    tags = tuple(dict.fromkeys(tag_refs[key_of(t)] for t in src.tags if key_of(t) in tag_refs))
    source = None
    if src.source is not None:
        term = source_refs.get(key_of(name)) if name else None
        source = SourceRef(name or "", src.source.url, src.source.published, term.url if term else None)
    summary = src.summary or item.auto_summary
    updated = src.updated.astimezone(local.tzinfo) if src.updated else None
    link = not src.has_body and src.source is not None and src.source.url.lower().startswith(("http://", "https://"))
    has_page = not link or src.note_chars > len(summary)
    header = _header_hash(
        url, src.title, local.isoformat(), updated and updated.isoformat(), summary,
        [(t.name, t.slug, t.url) for t in tags],
        None if source is None else (source.name, source.url, source.published and source.published.isoformat(),
                                     source.term_url),
        src.author, src.image, src.image_alt, image_size, src.via,
        src.draft, src.lang,  # cards mark their language
        link, has_page, src.note,  # a card may show the note (a link item's does): lists track it like the title
    )
    return Article(
        index=index, path=src.path, rel=src.rel, slug=src.slug, url=url, title=src.title, date=local,
        updated=updated, summary=summary, tags=tags, source=source, author=src.author, image=src.image,
        via=src.via, draft=src.draft, body=body, extra=src.extra, key=item.key, body_terms=item.terms,
        header=header, image_alt=src.image_alt, image_size=image_size,
        link=link, has_page=has_page, has_note=bool(src.note),
        lang=src.lang or language, translation_key=src.translation_key,
    )


def assemble_site(
    articles: list[Article], config: SiteConfig, refs: TermRefs, assets: list[tuple[str, Path]],
    excluded: list[Excluded],
) -> Site:
    """The taxonomies, periods, neighbours and related articles of the published articles."""
    tag_refs, source_refs = refs
    tag_members: dict[str, list[Article]] = defaultdict(list)
    source_members: dict[str, list[Article]] = defaultdict(list)
    for article in articles:  # newest first, so each term's list is too
        for ref in article.tags:
            tag_members[ref.url].append(article)
        if article.source is not None and article.source.term_url:
            source_members[article.source.term_url].append(article)
    tags_tax = _taxonomy("tags", "Tags", "/tags/", tag_refs, tag_members)
    sources_tax = _taxonomy("sources", "Sources", "/sources/", source_refs, source_members)
    all_articles = tuple(articles)
    years, months, days = _periods(all_articles, config)
    neighbours = {
        a.index: (articles[i + 1] if i + 1 < len(articles) else None, articles[i - 1] if i > 0 else None)
        for i, a in enumerate(articles)
    }
    return Site(
        config=config,
        articles=all_articles,
        by_url={a.url: a for a in articles},
        tags=tags_tax,
        sources=sources_tax,
        years=years,
        months=months,
        days=days,
        neighbours=neighbours,
        related=RelatedArticles(all_articles, tags_tax, config.related),
        assets=tuple(assets),
        excluded=tuple(sorted(excluded, key=lambda e: (e.date, e.path))),
        term_refs=(tag_refs, source_refs),
    )


def _source_name(name: str, url: str) -> str:
    if name:
        return name
    match = re.match(r"^https?://(?:www\.)?([^/:?#]+)", url or "", re.IGNORECASE)
    return match.group(1).lower() if match else ""


def _term_refs(
    names: Mapping[str, Counter[str]], pattern: str, kind: str, problems: list[Problem],
    users: Mapping[tuple[str, str], str],
) -> dict[str, TermRef]:
    """One ref per term key; the most used spelling is the display name."""
    refs: dict[str, TermRef] = {}
    by_slug: dict[str, str] = {}
    key_of_slug: dict[str, str] = {}
    for key in sorted(names):
        spelling = sorted(names[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        slug = slugify(spelling, fallback=kind)
        if slug in by_slug:
            other = users.get((kind, key_of_slug[slug]), "another article")
            problems.append(
                Problem(
                    users.get((kind, key), "content"),
                    None,
                    f"{kind} '{spelling}' has the same URL slug '{slug}' as the {kind} '{by_slug[slug]}'"
                    f" (used in {other}): rename one of them",
                )
            )
            continue
        by_slug[slug] = spelling
        key_of_slug[slug] = key
        try:
            url = expand(pattern, slug=slug, year="", month="", day="")
        except UnsafePath as exc:
            problems.append(Problem("digest.yaml", None, f"permalinks.{kind}: {exc}"))
            continue
        refs[key] = TermRef(spelling, slug, url)
    return refs


def _taxonomy(
    name: str, title: str, url: str, refs: Mapping[str, TermRef], members: Mapping[str, list[Article]]
) -> Taxonomy:
    terms = [
        Term(ref.name, ref.slug, ref.url, key, tuple(members[ref.url]))
        for key, ref in refs.items()
        if members.get(ref.url)
    ]
    terms.sort(key=lambda t: (t.name.casefold(), t.name))
    return Taxonomy(name, title, url, tuple(terms), {t.key: t for t in terms})


def _period_title(kind: str, year: int, month: int, day: int, language: str) -> str:
    """"2022", "January 2022", "10 January 2022", as the site's language writes them (Babel, CLDR)."""
    if kind == "year":
        return format_date_named(date(year, 1, 1), "year", language)
    if kind == "month":
        return format_date_named(date(year, month, 1), "month", language)
    return format_date_named(date(year, month, day), "date", language)


PeriodGroups = dict[str, dict[tuple[int, ...], Sequence[Article]]]


def _group_by_date(articles: tuple[Article, ...]) -> PeriodGroups:
    """Articles by year, month and day: each group newest first, groups in order of first appearance."""
    # Sorted newest first, one day's articles form one run, so groups are slices of the tuple found by
    # comparing day numbers: a dict lookup per article per period kind costs ten times more at 10,000.
    runs: list[int] = []
    previous = None
    for i, article in enumerate(articles):
        day = article.date.toordinal()
        if day != previous:
            if previous is not None and day > previous:
                return _group_by_date_unsorted(articles)  # local dates out of order: a clock change at midnight
            runs.append(i)
            previous = day
    runs.append(len(articles))
    groups: PeriodGroups = {"year": {}, "month": {}, "day": {}}
    spans: dict[str, dict[tuple[int, ...], list[int]]] = {"year": {}, "month": {}}
    for start, end in zip(runs, runs[1:]):
        d = articles[start].date
        groups["day"][(d.year, d.month, d.day)] = articles[start:end]
        for kind, key in (("month", (d.year, d.month)), ("year", (d.year,))):
            span = spans[kind].get(key)
            if span is None:
                spans[kind][key] = [start, end]
            else:
                span[1] = end
    for kind in ("month", "year"):
        groups[kind] = {key: articles[start:end] for key, (start, end) in spans[kind].items()}
    return {"year": groups["year"], "month": groups["month"], "day": groups["day"]}


def _group_by_date_unsorted(articles: tuple[Article, ...]) -> PeriodGroups:
    groups: dict[str, dict[tuple[int, ...], list[Article]]] = {"year": {}, "month": {}, "day": {}}
    for article in articles:  # newest first, so groups are too
        d = article.date
        groups["year"].setdefault((d.year,), []).append(article)
        groups["month"].setdefault((d.year, d.month), []).append(article)
        groups["day"].setdefault((d.year, d.month, d.day), []).append(article)
    return {kind: dict(group) for kind, group in groups.items()}


def _periods(articles: tuple[Article, ...], config: SiteConfig) -> tuple[tuple[Period, ...], tuple[Period, ...], tuple[Period, ...]]:
    groups = _group_by_date(articles)

    url_of = {kind: compile_pattern(getattr(config.permalinks, kind)) for kind in groups}

    def link(kind: str, key: tuple[int, ...], count: int) -> PeriodLink:
        year, month, day = (list(key) + [0, 0])[:3]
        url = url_of[kind](year=f"{year:04d}", month=f"{month:02d}", day=f"{day:02d}", slug="")
        return PeriodLink(kind, year, month, day, _period_title(kind, year, month, day, config.language), url, count)

    links = {kind: {key: link(kind, key, len(items)) for key, items in group.items()} for kind, group in groups.items()}
    children: dict[tuple[int, ...], list[PeriodLink]] = defaultdict(list)
    for key, item in links["month"].items():
        children[key[:1]].append(item)
    for key, item in links["day"].items():
        children[key[:2]].append(item)

    result: dict[str, list[Period]] = {}
    for kind, group in groups.items():
        keys = list(group)  # newest first
        periods = []
        for i, key in enumerate(keys):
            base = links[kind][key]
            periods.append(
                Period(
                    kind=kind,
                    year=base.year,
                    month=base.month,
                    day=base.day,
                    title=base.title,
                    url=base.url,
                    articles=tuple(group[key]),
                    prev=links[kind][keys[i + 1]] if i + 1 < len(keys) else None,
                    next=links[kind][keys[i - 1]] if i > 0 else None,
                    months=tuple(children[key]) if kind == "year" else (),
                    parent=links["year"][key[:1]] if kind == "month" else links["month"][key[:2]] if kind == "day" else None,
                    days=tuple(children[key]) if kind == "month" else (),
                )
            )
        result[kind] = periods
    return tuple(result["year"]), tuple(result["month"]), tuple(result["day"])


RELATED_WINDOW = 24  # candidates per tag, nearest in time: keeps related O(n * tags) even for huge tags


class RelatedArticles(Mapping[int, tuple[Article, ...]]):
    """Article index -> up to ``count`` articles sharing the most tags (then nearest in time).

    Worked out per article on first use: a dev server renders a handful of article pages
    between rebuilds, so it never pays for the other thousands. A build asks for all.
    """

    def __init__(self, articles: tuple[Article, ...], tags: Taxonomy, count: int) -> None:
        self._articles = articles
        self._count = count
        self._members = {term.url: term.articles for term in tags.terms}
        self._positions: dict[str, dict[int, int]] = {}
        self._done: dict[int, tuple[Article, ...]] = {}

    def __getitem__(self, index: int) -> tuple[Article, ...]:
        found = self._done.get(index)
        if found is None:
            found = self._done[index] = self._find(self._articles[index])
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self._articles)))

    def __len__(self) -> int:
        return len(self._articles)

    def _position(self, term_url: str) -> dict[int, int]:
        position = self._positions.get(term_url)
        if position is None:
            position = self._positions[term_url] = {a.index: i for i, a in enumerate(self._members[term_url])}
        return position

    def _find(self, article: Article) -> tuple[Article, ...]:
        if self._count <= 0:
            return ()
        me = article.index
        half = RELATED_WINDOW // 2
        scores: dict[int, int] = {}
        for ref in article.tags:
            items = self._members[ref.url]
            at = self._position(ref.url)[me]
            for other in items[max(0, at - half) : at + half + 1]:
                scores[other.index] = scores.get(other.index, 0) + 1
        scores.pop(me, None)
        # most shared tags first, then nearest in time, then newest
        best = heapq.nsmallest(self._count, ((-n, abs(i - me), i) for i, n in scores.items()))
        return tuple(self._articles[i] for _, _, i in best)


K = TypeVar("K")
V = TypeVar("V")


class _Later(Mapping[K, V]):
    """A mapping made on first use."""

    def __init__(self, make: Callable[[], Mapping[K, V]]) -> None:
        self._make = make
        self._made: Mapping[K, V] | None = None

    def _get(self) -> Mapping[K, V]:
        if self._made is None:
            self._made = self._make()
        return self._made

    def __getitem__(self, key: K) -> V:
        return self._get()[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


# ``="`` first gives the regex engine a literal to search for; six times faster over 10,000 bodies
_REF_RE = re.compile(r"""="(?:(?<=src=")|(?<=href="))([^"#?:]+)(?:[#?][^"]*)?\"""")


def _place_assets(
    articles: list[Article], assets: list[tuple[str, Path]], problems: list[Problem], content_dir: str = "content"
) -> list[tuple[str, Path]]:
    """Files in content/ go next to the articles that reference them (relative links keep working);
    the others keep their place relative to content/."""
    if not assets:
        return []
    by_rel = dict(assets)
    placed: dict[str, Path] = {}
    used: set[str] = set()
    for article in articles:
        folder = posixpath.dirname(article.rel)
        for ref in _REF_RE.findall(article.html) + ([article.image] if article.image else []):
            if ref.startswith("/") or "://" in ref:
                continue
            asset_rel = posixpath.normpath(posixpath.join(folder, ref))
            if asset_rel not in by_rel:
                continue
            target = posixpath.normpath(posixpath.join(article.url, ref)).lstrip("/")
            try:
                check_site_path("/" + target)
            except UnsafePath:
                problems.append(Problem(article.path, None, f"cannot place '{ref}' inside the site: rename it"))
                continue
            if placed.get(target, by_rel[asset_rel]) != by_rel[asset_rel]:  # never a silent overwrite
                other = _rel_of(placed[target], by_rel)
                problems.append(
                    Problem(article.path, None, f"'{ref}' would be copied to {target}, as is {content_dir}/{other}: rename one")
                )
                continue
            placed[target] = by_rel[asset_rel]
            used.add(asset_rel)
    for rel, path in assets:
        if rel in used:
            continue
        try:
            check_site_path("/" + rel)
        except UnsafePath:
            problems.append(Problem(f"{content_dir}/{rel}", None, "file name is not URL-safe: rename it (letters, digits, -._)"))
            continue
        if placed.get(rel, path) != path:  # never a silent overwrite
            other = _rel_of(placed[rel], by_rel)
            problems.append(
                Problem(f"{content_dir}/{rel}", None, f"this file would be copied to {rel}, as is {content_dir}/{other}: rename one")
            )
            continue
        placed[rel] = path
    return sorted(placed.items())


def _rel_of(path: Path, by_rel: Mapping[str, Path]) -> str:
    return next((rel for rel, p in by_rel.items() if p == path), str(path))
