"""Atom 1.0, RSS 2.0 and JSON Feed 1.1 of the whole site and of every tag.

Feeds are ``PageJob``s with a ``produce`` callable; their ``inputs`` hash
holds the key and header of every entry they show, so a build re-renders a
feed exactly when one of its entries (or the site settings) changed.

XML is made by lxml's serialiser, never by pasting strings, so a title such
as ``</title><script>`` is only ever text. Every URL in a feed is absolute,
links inside the content included (they are resolved against the article's
own URL).

Entry ids are ``tag:`` URIs (RFC 4151) built from the site's host, the
article's date and its slug: ``tag:news.example.org,2022-01-10:coup``. They
do not change when the title, the body, the permalink pattern, the folder
the file sits in, or the site's domain changes (set ``feeds.id_authority``
to the old host after a move), so feed readers update an entry instead of
showing it twice. They do change when the slug or the day changes, as the
URL does; to keep an old id through such a rename, put it in the front
matter as ``id:``. Ids are unique because URLs are: every article permalink
holds the slug, and at most the date's parts.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Sequence
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

from digest import __version__
from digest.config import SiteConfig
from digest.errors import Problem
from digest.model.site import Article
from digest.plan.pages import Feed, Planner, site_feeds, term_feeds
from digest.rules.urls import join_base, rebase_links, site_link

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
# an empty feed still needs an <updated>; a fixed instant keeps builds reproducible
EMPTY_FEED_DATE = datetime(1970, 1, 1, tzinfo=timezone.utc)
ENTRY_MEMO = 256  # feed entries kept per process: a feed's three formats, and its tags' feeds, reuse them

# XML 1.0 cannot hold most C0 controls, lone surrogates or U+FFFE/U+FFFF, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """What a feed says about itself."""

    title: str
    description: str
    language: str
    home_url: str  # absolute URL of the page the feed follows
    feed_url: str  # absolute URL of this file
    author: str  # used where an entry has none
    updated: datetime


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    url: str  # absolute
    title: str
    published: datetime
    updated: datetime
    summary: str  # plain text
    content_html: str  # absolute links; empty in summary mode
    author: str
    tags: tuple[str, ...]
    source_name: str
    source_url: str  # the story at its source (http or https), or empty
    image: str  # absolute, or empty


# -- entries ------------------------------------------------------------------------------------


def entry_id(article: Article, config: SiteConfig) -> str:
    """A ``tag:`` URI that survives title edits, moves and permalink changes (see the module docs)."""
    override = article.extra.get("id")
    if isinstance(override, str) and override.strip():
        return override.strip()
    authority = config.feeds.id_authority or (urlsplit(config.base_url).hostname or "localhost")
    return f"tag:{authority},{article.date:%Y-%m-%d}:{article.slug}"


def _is_web_url(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


_SRCSET_SPLIT = re.compile(r",\s+|,(?=\S+\s)")


def _absolute_srcset(value: str, base: str) -> str:
    parts = []
    for candidate in _SRCSET_SPLIT.split(value.strip()):
        bits = candidate.strip().split(None, 1)
        if bits:
            parts.append(" ".join([urljoin(base, bits[0]), *bits[1:]]))
    return ", ".join(parts)


def absolute_links(fragment: str, base: str) -> str:
    """The HTML fragment with every link (href, src, srcset, cite, ...) resolved against ``base``."""
    if not fragment.strip():
        return fragment
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    root.make_links_absolute(base, resolve_base_href=False, handle_failures="ignore")
    for element in root.iter("img", "source"):
        srcset = element.get("srcset")
        if srcset:
            element.set("srcset", _absolute_srcset(srcset, base))
    text = str(lxml_html.tostring(root, encoding="unicode"))
    return text[len("<div>") : -len("</div>")]


def feed_content(article: Article, url: str, base_path: str = "/") -> str:
    """The entry's HTML: the curator's note, the body, and a line naming the source."""
    parts = []
    if article.note_html:
        parts.append('<div class="note"><p><em>Curator’s note:</em></p>' + str(article.note_html) + "</div><hr>")
    parts.append(str(article.html))
    source = article.source
    if source is not None and (source.name or source.url):
        name = html.escape(source.name or source.url)
        if source.url and _is_web_url(source.url):
            parts.append(f'<p class="source">Source: <a href="{html.escape(source.url)}">{name}</a></p>')
        else:
            parts.append(f'<p class="source">Source: {name}</p>')
    # a body link to a site path means the site's root: under the base path, then absolute
    rooted = rebase_links("\n".join(parts), lambda path: site_link(path, article.url, base_path, False))
    return absolute_links(rooted, url)


def make_entry(article: Article, config: SiteConfig) -> Entry:
    url = join_base(config.base_url, article.url)
    source = article.source
    source_url = source.url if source is not None and _is_web_url(source.url) else ""
    source_name = (source.name if source is not None else "") or (urlsplit(source_url).hostname or "")
    image = ""
    if article.image:  # an absolute URL, a site path, or a file beside the article (where the build puts it)
        if article.image.startswith("/") and not article.image.startswith("//"):
            image = join_base(config.base_url, article.image)
        else:
            image = urljoin(url, article.image)
        image = image if _is_web_url(image) else ""
    return Entry(
        id=entry_id(article, config),
        url=url if article.has_page else article.target,  # a link item without a page: the story itself
        title=article.title,
        published=article.date,
        updated=article.updated or article.date,
        summary=article.summary,
        content_html=feed_content(article, url, config.base_path) if config.feeds.content == "full" else "",
        author=article.author,
        tags=tuple(t.name for t in article.tags),
        source_name=source_name,
        source_url=source_url,
        image=image,
    )


# -- serialisers (pure: values in, text out) ----------------------------------------------------


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _xml(root: etree._Element) -> str:
    return str(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True).decode("utf-8"))


def render_atom(meta: FeedMeta, entries: Sequence[Entry]) -> str:
    a = f"{{{ATOM_NS}}}"
    feed = etree.Element(a + "feed", nsmap={None: ATOM_NS})  # type: ignore[dict-item]  # None is the default namespace; lxml-stubs says str
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", meta.language)
    _sub(feed, a + "id", meta.feed_url)
    _sub(feed, a + "title", meta.title, type="text")
    if meta.description:
        _sub(feed, a + "subtitle", meta.description, type="text")
    _sub(feed, a + "updated", _iso(meta.updated))
    _sub(feed, a + "link", rel="self", type="application/atom+xml", href=meta.feed_url)
    _sub(feed, a + "link", rel="alternate", type="text/html", href=meta.home_url)
    _sub(_sub(feed, a + "author"), a + "name", meta.author)
    _sub(feed, a + "generator", "digest", version=__version__)
    for entry in entries:
        item = _sub(feed, a + "entry")
        _sub(item, a + "id", entry.id)
        _sub(item, a + "title", entry.title, type="text")
        _sub(item, a + "link", rel="alternate", type="text/html", href=entry.url)
        if entry.source_url:
            _sub(item, a + "link", rel="related", href=entry.source_url, title=entry.source_name)
        _sub(item, a + "published", _iso(entry.published))
        _sub(item, a + "updated", _iso(entry.updated))
        if entry.author:
            _sub(_sub(item, a + "author"), a + "name", entry.author)
        for tag in entry.tags:
            _sub(item, a + "category", term=tag)
        if entry.summary:
            _sub(item, a + "summary", entry.summary, type="text")
        if entry.content_html:
            _sub(item, a + "content", entry.content_html, type="html")
    return _xml(feed)


def _rfc822(value: datetime) -> str:
    return email.utils.format_datetime(value)


def render_rss(meta: FeedMeta, entries: Sequence[Entry]) -> str:
    rss = etree.Element("rss", nsmap={"atom": ATOM_NS, "dc": DC_NS})
    rss.set("version", "2.0")
    channel = _sub(rss, "channel")
    _sub(channel, "title", meta.title)
    _sub(channel, "link", meta.home_url)
    _sub(channel, "description", meta.description or meta.title)
    _sub(channel, f"{{{ATOM_NS}}}link", rel="self", type="application/rss+xml", href=meta.feed_url)
    _sub(channel, "language", meta.language)
    _sub(channel, "lastBuildDate", _rfc822(meta.updated))
    _sub(channel, "generator", f"digest {__version__}")
    _sub(channel, "docs", "https://www.rssboard.org/rss-specification")
    for entry in entries:
        item = _sub(channel, "item")
        _sub(item, "title", entry.title)
        _sub(item, "link", entry.url)
        _sub(item, "guid", entry.id, isPermaLink="false")
        _sub(item, "pubDate", _rfc822(entry.published))
        _sub(item, "description", entry.content_html or entry.summary)
        if entry.author:
            _sub(item, f"{{{DC_NS}}}creator", entry.author)
        for tag in entry.tags:
            _sub(item, "category", tag)
        if entry.source_url:
            _sub(item, "source", entry.source_name, url=entry.source_url)
    return _xml(rss)


def render_json_feed(meta: FeedMeta, entries: Sequence[Entry]) -> str:
    items = []
    for entry in entries:
        item: dict[str, object] = {"id": entry.id, "url": entry.url, "title": entry.title}
        if entry.source_url:
            item["external_url"] = entry.source_url
        if entry.content_html:
            item["content_html"] = entry.content_html
        else:
            item["content_text"] = entry.summary
        if entry.summary:
            item["summary"] = entry.summary
        if entry.image:
            item["image"] = entry.image
        item["date_published"] = _iso(entry.published)
        item["date_modified"] = _iso(entry.updated)
        if entry.author:
            item["authors"] = [{"name": entry.author}]
        if entry.tags:
            item["tags"] = list(entry.tags)
        items.append(item)
    data: dict[str, object] = {
        "version": JSONFEED_VERSION,
        "title": meta.title,
        "home_page_url": meta.home_url,
        "feed_url": meta.feed_url,
    }
    if meta.description:
        data["description"] = meta.description
    data.update({"language": meta.language, "authors": [{"name": meta.author}], "items": items})
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


RENDERERS: dict[str, Callable[[FeedMeta, Sequence[Entry]], str]] = {
    "application/atom+xml": render_atom,
    "application/rss+xml": render_rss,
    "application/feed+json": render_json_feed,
}


# -- planning -----------------------------------------------------------------------------------


def plan_feeds(planner: Planner) -> None:
    """One job per feed file: the site's feeds, then each tag's, at the URLs ``digest.plan.pages`` links to."""
    site, config = planner.site, planner.config
    if not planner.settled:
        _check_ids(planner)
    # by article index: a story in the three formats of a feed, and in its tags' feeds, is prepared once per
    # process while it is recent; bounded, as each entry holds the story's whole body
    entries: OrderedDict[int, Entry] = OrderedDict()

    def entry_of(article: Article) -> Entry:
        entry = entries.get(article.index)
        if entry is None:
            entry = entries[article.index] = make_entry(article, config)
            if len(entries) > ENTRY_MEMO:
                entries.popitem(last=False)
        else:
            entries.move_to_end(article.index)
        return entry

    author = config.feeds.author or config.title
    limit = config.feeds.limit
    groups: list[tuple[str, str, str, tuple[Article, ...], tuple[Feed, ...]]] = [
        (config.title, config.description, "/", site.articles[:limit], site_feeds(config))
    ]
    for term in site.tags.terms:
        title = f"{config.title}: {term.name}"
        description = f"Articles tagged {term.name} on {config.title}"
        groups.append((title, description, term.url, term.articles[:limit], term_feeds(config, term)))
    for title, description, home, items, feeds in groups:
        updated = max((a.updated or a.date for a in items), default=EMPTY_FEED_DATE)
        for feed in feeds:
            meta = FeedMeta(
                title=title, description=description, language=config.language,
                home_url=join_base(config.base_url, home), feed_url=join_base(config.base_url, feed.url),
                author=author, updated=updated,
            )
            render = RENDERERS[feed.type]

            def produce(render: Callable[[FeedMeta, Sequence[Entry]], str] = render, meta: FeedMeta = meta,
                        items: tuple[Article, ...] = items) -> str:
                return render(meta, [entry_of(a) for a in items])

            planner.add(
                url=feed.url, kind="feed", title=title, template=None, origin=f"the feed {feed.title} of {home}",
                # what the file shows: its own header and, per entry, the list fields (header) and the file (key)
                inputs=(feed.type, meta, tuple(a.header for a in items)), keyed=items,
                produce=produce,
            )


def _check_ids(planner: Planner) -> None:
    """Only an ``id:`` in front matter can repeat an id; name both files when it does."""
    seen: dict[str, str] = {}
    # articles without an 'id:' first, so the problem lands on the file whose 'id:' repeats another
    for article in sorted(planner.site.articles, key=lambda a: (isinstance(a.extra.get("id"), str), a.path)):
        eid = entry_id(article, planner.config)
        if eid in seen:
            planner.problems.append(
                Problem(article.path, None, f"feed entry id '{eid}' is also the id of {seen[eid]}: change the 'id' of one")
            )
        seen.setdefault(eid, article.path)
