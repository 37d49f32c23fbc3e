"""``sitemap.xml`` (split into a sitemap index past 50,000 URLs) and ``robots.txt``.

The sitemap lists every HTML page the plan holds, so its planner runs after
all the others. ``lastmod`` is what the page shows: an article's ``updated``
(or its date), the newest entry of a list page, the newest article for
pages that summarise the whole site.
"""

from __future__ import annotations

import functools
import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

from lxml import etree

from digest.plan.pages import Memo, PageSpec, Planner
from digest.rules.urls import join_base
from digest.workers import apart

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"  # <xhtml:link rel="alternate" hreflang=...>: a page's translations
MAX_URLS = 50_000  # per file, by the sitemaps.org protocol
MAX_BYTES = 50 * 1024 * 1024  # per file, uncompressed
_URL_OVERHEAD = 120  # bytes of markup around one <loc> and <lastmod>, generously
# page kinds search engines should not index (/latest/ is a copy of an edition's page, email.html of its content)
NOT_LISTED = frozenset({"404", "search", "feed", "sitemap", "latest", "email"})


@dataclass(frozen=True, slots=True)
class SitemapUrl:
    loc: str  # absolute
    lastmod: datetime | None
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, absolute URL) of each language, this one included


def _w3c(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _serialise(root: etree._Element) -> str:
    return str(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True).decode("utf-8"))


def _urlset(urls: Sequence[SitemapUrl]) -> str:
    translated = any(url.alternates for url in urls)
    # None is the default namespace; lxml-stubs says str
    nsmap: dict[Any, str] = {None: SITEMAP_NS, "xhtml": XHTML_NS} if translated else {None: SITEMAP_NS}
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap=nsmap)
    for url in urls:
        node = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(node, f"{{{SITEMAP_NS}}}loc").text = url.loc
        if url.lastmod is not None:
            etree.SubElement(node, f"{{{SITEMAP_NS}}}lastmod").text = _w3c(url.lastmod)
        for hreflang, href in url.alternates:  # after lastmod: the XSD's xsd:any comes last
            etree.SubElement(node, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=hreflang, href=href)
    return _serialise(root)


def _chunks(urls: Sequence[SitemapUrl], max_urls: int, max_bytes: int) -> list[list[SitemapUrl]]:
    chunks: list[list[SitemapUrl]] = [[]]
    size = 0
    for url in urls:
        cost = len(url.loc.encode("utf-8")) + _URL_OVERHEAD + sum(len(h) + 60 for _, h in url.alternates)
        if chunks[-1] and (len(chunks[-1]) >= max_urls or size + cost > max_bytes - 1024):
            chunks.append([])
            size = 0
        chunks[-1].append(url)
        size += cost
    return chunks


def build_sitemaps(
    urls: Sequence[SitemapUrl], base_url: str, *, max_urls: int = MAX_URLS, max_bytes: int = MAX_BYTES
) -> dict[str, str]:
    """{site path: XML}: ``/sitemap.xml`` alone, or, when the URLs do not fit one file, an index
    at ``/sitemap.xml`` that lists ``/sitemap-1.xml``, ``/sitemap-2.xml``, ..."""
    chunks = _chunks(urls, max_urls, max_bytes)
    if len(chunks) == 1:
        return {"/sitemap.xml": _urlset(chunks[0])}
    files: dict[str, str] = {}
    index = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})  # type: ignore[dict-item]  # None is the default namespace; lxml-stubs says str
    for number, chunk in enumerate(chunks, start=1):
        path = f"/sitemap-{number}.xml"
        files[path] = _urlset(chunk)
        node = etree.SubElement(index, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(node, f"{{{SITEMAP_NS}}}loc").text = join_base(base_url, path)
        dates = [u.lastmod for u in chunk if u.lastmod is not None]
        if dates:
            etree.SubElement(node, f"{{{SITEMAP_NS}}}lastmod").text = _w3c(max(dates))
    files["/sitemap.xml"] = _serialise(index)
    return files


def robots_txt(sitemap_url: str | None) -> str:
    lines = ["User-agent: *", "Disallow:"]
    if sitemap_url:
        lines += ["", f"Sitemap: {sitemap_url}"]
    return "\n".join(lines) + "\n"


def _lastmod(planner: Planner, spec: PageSpec, newest: datetime | None) -> datetime | None:
    if spec.kind == "article":
        article = planner.site.by_url.get(spec.url)
        if article is not None:
            return article.updated or article.date
    paginator = spec.context.get("paginator")
    if paginator is not None:
        return max((a.updated or a.date for a in paginator.items), default=newest)
    return newest


def sitemap_urls(planners: Iterable[Planner], newest: datetime | None) -> list[SitemapUrl]:
    """Every listed page of these plans, read from what was planned: no page's job (its context) is made."""
    urls = []
    for planner in planners:
        for path, spec in planner.jobs.specs():
            if spec.template is None or not path.endswith(".html") or spec.kind in NOT_LISTED:
                continue
            alternates = tuple((alt.lang, alt.permalink) for alt in planner.page_alternates(spec))
            urls.append(SitemapUrl(planner.permalink(spec.url), _lastmod(planner, spec, newest), alternates))
    return urls


def _packed_sitemaps(urls: Sequence[SitemapUrl], base_url: str) -> dict[str, tuple[str, bytes]]:
    """{site path: (hash of the XML, the XML zlib-compressed)}."""
    return {path: (hashlib.sha256(data := text.encode()).hexdigest(), zlib.compress(data, 1))
            for path, text in build_sitemaps(urls, base_url).items()}


def _unpacked(data: bytes) -> str:
    return zlib.decompress(data).decode()


def _sitemap_files(
    urls: Sequence[SitemapUrl], base_url: str, memo: Memo | None, in_child: bool = False
) -> dict[str, tuple[str, Callable[[], str]]]:
    """{site path: (hash of the XML, what makes the XML)}. The XML of 20,000 URLs is a tenth of a second
    of lxml: with a ``memo`` that knows the hashes for these URLs, it is made only if a file must be written.
    ``in_child``: make it in a child process (lxml's tree of every URL never enters this process's heap)."""
    key = hashlib.blake2b(repr((base_url, MAX_URLS, MAX_BYTES, [(u.loc, u.lastmod and _w3c(u.lastmod), u.alternates)
                                                                for u in urls])).encode("utf-8", "surrogatepass"),
                          digest_size=16).hexdigest()
    known = memo.get_memo("sitemap", key) if memo is not None else None
    if known is not None:
        made = functools.cache(functools.partial(build_sitemaps, urls, base_url))

        def produce(path: str) -> str:
            return made()[path]

        return {path: (sha, functools.partial(produce, path)) for path, sha in json.loads(known).items()}
    make = functools.partial(_packed_sitemaps, urls, base_url)
    files = apart(make) if in_child else make()
    if memo is not None:
        memo.put_memo("sitemap", key, json.dumps({path: sha for path, (sha, _) in files.items()}))
    return {path: (sha, functools.partial(_unpacked, data)) for path, (sha, data) in files.items()}


def plan_sitemap(
    planner: Planner, planners: Sequence[Planner] | None = None, newest: datetime | None = None
) -> None:
    """The sitemap files and robots.txt; run it after every planner that adds pages.

    A multilingual site runs it once, in the default language's planner, over every language's
    ``planners`` (``newest``: the newest article of them all)."""
    config, site = planner.config, planner.site
    sitemap_url = None
    if config.seo.sitemap:
        if newest is None:
            newest = max((a.updated or a.date for a in site.articles), default=None)
        urls = sitemap_urls([planner] if planners is None else planners, newest)
        for url, (sha, produce) in _sitemap_files(urls, config.base_url, planner.memo, planner.apart).items():
            planner.add(
                url=url, kind="sitemap", title="Sitemap", template=None, origin="the sitemap",
                inputs=(sha,), produce=produce,
            )
        sitemap_url = join_base(config.base_url, "/sitemap.xml")
    # a robots.txt of the site's own (content/robots.txt) wins
    if config.seo.robots and "robots.txt" not in {rel for rel, _ in site.assets}:
        text = robots_txt(sitemap_url)
        planner.add(
            url="/robots.txt", kind="robots", title="robots.txt", template=None, origin="robots.txt",
            inputs=(text,), produce=lambda: text,
        )
