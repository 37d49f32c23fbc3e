"""The site model: articles with URLs, taxonomies, date periods, neighbours, related articles.

Everything here is derived from the loaded articles, the config and ``now``;
nothing is read from disk and nothing is rendered.
"""

from __future__ import annotations

import calendar
import heapq
import hashlib
import posixpath
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

from markupsafe import Markup

from digest.config import SiteConfig
from digest.errors import BuildFailed, Problem
from digest.ingest import LoadedArticle
from digest.slugs import slugify, term_key
from digest.urls import UnsafePath, check_site_path, expand


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
    html: Markup
    note_html: Markup
    toc: Markup
    extra: Mapping[str, Any]
    key: str  # changes when the file or render settings change
    header: str  # hash of what lists show of this article (title, date, summary, tags, ...)


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


def _header_hash(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def build_site(
    loaded: Iterable[LoadedArticle],
    config: SiteConfig,
    now: datetime,
    *,
    drafts: bool = False,
    future: bool = False,
    assets: Iterable[tuple[str, Path]] = (),
) -> Site:
    """Derive the whole site; raise ``BuildFailed`` naming every URL collision."""
    tz = config.tz
    now = now.astimezone(tz)
    problems: list[Problem] = []
    excluded: list[Excluded] = []
    kept: list[LoadedArticle] = []
    for item in loaded:
        src = item.source
        if src.draft and not drafts:
            excluded.append(Excluded(src.path, src.title, "draft", src.date.astimezone(tz)))
        elif src.date > now and not future:
            excluded.append(Excluded(src.path, src.title, "future", src.date.astimezone(tz)))
        else:
            kept.append(item)
    kept.sort(key=lambda a: (a.source.date, a.source.path), reverse=True)

    tag_names: dict[str, Counter[str]] = defaultdict(Counter)
    source_names: dict[str, Counter[str]] = defaultdict(Counter)
    users: dict[tuple[str, str], str] = {}  # (kind, term key) -> a file that uses it, for messages
    for item in kept:
        for tag in item.source.tags:
            tag_names[term_key(tag)][tag] += 1
            users.setdefault(("tag", term_key(tag)), item.source.path)
        if item.source.source is not None:
            name = _source_name(item.source.source.name, item.source.source.url)
            if name:
                source_names[term_key(name)][name] += 1
                users.setdefault(("source", term_key(name)), item.source.path)

    tag_refs = _term_refs(tag_names, config.permalinks.tag, "tag", problems, users)
    source_refs = _term_refs(source_names, config.permalinks.source, "source", problems, users)

    articles: list[Article] = []
    owners: dict[str, str] = {}
    for index, item in enumerate(kept):
        src = item.source
        local = src.date.astimezone(tz)
        try:
            url = expand(
                config.permalinks.article,
                year=f"{local.year:04d}",
                month=f"{local.month:02d}",
                day=f"{local.day:02d}",
                slug=src.slug,
            )
        except UnsafePath as exc:
            problems.append(Problem(src.path, 1, f"cannot make a URL for this article: {exc}"))
            continue
        if url in owners:
            problems.append(
                Problem(
                    src.path,
                    1,
                    f"URL {url} is also the URL of {owners[url]}: give one of them another 'slug' or date",
                )
            )
            continue
        owners[url] = src.path
        # a tag whose slug collided has no ref; its problem is already recorded and raised below
        tags = tuple(dict.fromkeys(tag_refs[term_key(t)] for t in src.tags if term_key(t) in tag_refs))
        source = None
        if src.source is not None:
            name = _source_name(src.source.name, src.source.url)
            term = source_refs.get(term_key(name)) if name else None
            source = SourceRef(name or "", src.source.url, src.source.published, term.url if term else None)
        summary = src.summary or item.auto_summary
        updated = src.updated.astimezone(tz) if src.updated else None
        header = _header_hash(
            url, src.title, local.isoformat(), updated, summary, tags, source, src.author, src.image, src.via, src.draft
        )
        articles.append(
            Article(
                index=len(articles),
                path=src.path,
                rel=src.rel,
                slug=src.slug,
                url=url,
                title=src.title,
                date=local,
                updated=updated,
                summary=summary,
                tags=tags,
                source=source,
                author=src.author,
                image=src.image,
                via=src.via,
                draft=src.draft,
                html=Markup(item.html),
                note_html=Markup(item.note_html),
                toc=Markup(item.toc),
                extra=src.extra,
                key=item.key,
                header=header,
            )
        )
    if problems:
        raise BuildFailed(problems)

    tags_tax = _taxonomy("tags", "Tags", "/tags/", tag_refs, articles, lambda a: [t.url for t in a.tags])
    sources_tax = _taxonomy(
        "sources", "Sources", "/sources/", source_refs, articles, lambda a: [a.source.term_url] if a.source and a.source.term_url else []
    )
    years, months, days = _periods(articles, config)
    neighbours = {
        a.index: (articles[i + 1] if i + 1 < len(articles) else None, articles[i - 1] if i > 0 else None)
        for i, a in enumerate(articles)
    }
    asset_copies = _place_assets(articles, list(assets), problems)
    if problems:
        raise BuildFailed(problems)
    return Site(
        config=config,
        articles=tuple(articles),
        by_url={a.url: a for a in articles},
        tags=tags_tax,
        sources=sources_tax,
        years=years,
        months=months,
        days=days,
        neighbours=neighbours,
        related=_related(articles, tags_tax, config.related),
        assets=tuple(asset_copies),
        excluded=tuple(sorted(excluded, key=lambda e: (e.date, e.path))),
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
    name: str, title: str, url: str, refs: Mapping[str, TermRef], articles: list[Article], urls_of: Any
) -> Taxonomy:
    members: dict[str, list[Article]] = defaultdict(list)
    for article in articles:  # newest first, so each term's list is too
        for term_url in urls_of(article):
            members[term_url].append(article)
    terms = [
        Term(ref.name, ref.slug, ref.url, key, tuple(members[ref.url]))
        for key, ref in refs.items()
        if members.get(ref.url)
    ]
    terms.sort(key=lambda t: (t.name.casefold(), t.name))
    return Taxonomy(name, title, url, tuple(terms), {t.key: t for t in terms})


def _period_title(kind: str, year: int, month: int, day: int) -> str:
    if kind == "year":
        return str(year)
    if kind == "month":
        return f"{calendar.month_name[month]} {year}"
    return f"{day} {calendar.month_name[month]} {year}"


def _periods(articles: list[Article], config: SiteConfig) -> tuple[tuple[Period, ...], tuple[Period, ...], tuple[Period, ...]]:
    groups: dict[str, dict[tuple[int, ...], list[Article]]] = {"year": {}, "month": {}, "day": {}}
    for article in articles:  # newest first, so groups are too
        d = article.date
        groups["year"].setdefault((d.year,), []).append(article)
        groups["month"].setdefault((d.year, d.month), []).append(article)
        groups["day"].setdefault((d.year, d.month, d.day), []).append(article)

    def link(kind: str, key: tuple[int, ...], count: int) -> PeriodLink:
        year, month, day = (list(key) + [0, 0])[:3]
        pattern = getattr(config.permalinks, kind)
        url = expand(pattern, year=f"{year:04d}", month=f"{month:02d}", day=f"{day:02d}", slug="")
        return PeriodLink(kind, year, month, day, _period_title(kind, year, month, day), url, count)

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


def _related(articles: list[Article], tags: Taxonomy, count: int) -> dict[int, tuple[Article, ...]]:
    if count <= 0:
        return {a.index: () for a in articles}
    position: dict[str, dict[int, int]] = {}
    members: dict[str, tuple[Article, ...]] = {}
    for term in tags.terms:
        members[term.url] = term.articles
        position[term.url] = {a.index: i for i, a in enumerate(term.articles)}
    related: dict[int, tuple[Article, ...]] = {}
    half = RELATED_WINDOW // 2
    for article in articles:
        me = article.index
        scores: dict[int, int] = {}
        for ref in article.tags:
            items = members[ref.url]
            at = position[ref.url][me]
            for other in items[max(0, at - half) : at + half + 1]:
                scores[other.index] = scores.get(other.index, 0) + 1
        scores.pop(me, None)
        # most shared tags first, then nearest in time, then newest
        best = heapq.nsmallest(count, ((-n, abs(i - me), i) for i, n in scores.items()))
        related[me] = tuple(articles[i] for _, _, i in best)
    return related


_REF_RE = re.compile(r"""(?:src|href)="([^"#?:]+)(?:[#?][^"]*)?\"""")


def _place_assets(articles: list[Article], assets: list[tuple[str, Path]], problems: list[Problem]) -> list[tuple[str, Path]]:
    """Files in content/ go next to the articles that reference them (relative links keep working);
    the others keep their place relative to content/."""
    if not assets:
        return []
    by_rel = dict(assets)
    placed: dict[str, Path] = {}
    used: set[str] = set()
    for article in articles:
        folder = posixpath.dirname(article.rel)
        for ref in _REF_RE.findall(str(article.html)) + ([article.image] if article.image else []):
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
                    Problem(article.path, None, f"'{ref}' would be copied to {target}, as is content/{other}: rename one")
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
            problems.append(Problem(f"content/{rel}", None, "file name is not URL-safe: rename it (letters, digits, -._)"))
            continue
        if placed.get(rel, path) != path:  # never a silent overwrite
            other = _rel_of(placed[rel], by_rel)
            problems.append(
                Problem(f"content/{rel}", None, f"this file would be copied to {rel}, as is content/{other}: rename one")
            )
            continue
        placed[rel] = path
    return sorted(placed.items())


def _rel_of(path: Path, by_rel: Mapping[str, Path]) -> str:
    return next((rel for rel, p in by_rel.items() if p == path), str(path))
