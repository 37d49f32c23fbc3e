"""A news page saved from a browser: metadata from the page's own markup, text by trafilatura.

Named ``html_page`` rather than ``html`` so that it never shadows the standard
library's ``html`` for a reader (or a tool) resolving names by file.

Metadata is read here, not by trafilatura, because the precedence is ours:
JSON-LD (the publisher's structured data) over OpenGraph over other ``<meta>``
over the visible ``<title>``/``<h1>``/``<time>``. The main text is trafilatura's:
it scored best in the published extraction benchmarks we read, is maintained,
writes Markdown itself and carries readability and jusText as fallbacks, where
readability-lxml gives HTML without metadata (we would need a converter too),
newspaper3k has had no release since 2018 and newspaper4k brings NLTK.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from digest.errors import DigestError
from digest.importer.clipping import is_chrome, read_meta_line
from digest.importer.dates import aware, parse_news_date
from digest.importer.model import Imported

# The JSON-LD types that are an article, best first: a page may describe itself
# as a WebPage *and* carry its NewsArticle.
ARTICLE_TYPES = (
    "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
    "BackgroundNewsArticle", "ReviewNewsArticle", "AskPublicNewsArticle", "Article",
    "BlogPosting", "LiveBlogPosting", "Report", "ScholarlyArticle", "SocialMediaPosting",
)

_META_DATE_NAMES = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "publish_date", "date", "dc.date", "dc.date.issued", "dcterms.created", "dcterms.issued",
    "sailthru.date", "parsely-pub-date", "article.published", "original-publish-date", "cxenseparse:recs:publishtime",
)


@dataclass
class _Found:
    """What one layer of metadata says; empty strings where it says nothing."""

    title: str = ""
    date: datetime | date | None = None
    author: str = ""
    site_name: str = ""
    url: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)


def parse_html_page(html: str, tz: tzinfo, today: date | datetime, url: str | None = None) -> Imported:
    """Read a saved news page into an :class:`Imported`.

    ``url`` is where the curator says the page came from; the page's own
    canonical URL wins over it, and it is the base for relative links.
    """
    warnings: list[str] = []
    doc = _parse(html)
    layers = [_from_json_ld(doc, tz, warnings), _from_opengraph(doc, tz), _from_meta(doc, tz), _from_document(doc, tz)]
    site_name = _first(layer.site_name for layer in layers)
    source_url = _absolute(_first(layer.url for layer in layers), url) or (url or "")
    title = _strip_site_suffix(_first(layer.title for layer in layers), site_name, source_url)
    summary = _first(layer.description for layer in layers)
    author = _first(layer.author for layer in layers)
    published = next((layer.date for layer in layers if layer.date is not None), None)
    tags = next((layer.tags for layer in layers if layer.tags), [])

    body = extract_main_text(html, source_url or url)
    body = _strip_repeated_head(body, title, summary)
    body, in_text = _strip_page_lines(body, tz)
    # what the visible text says ranks below every kind of markup, like <time>
    published = published if published is not None else in_text.date
    author = author or in_text.author or _byline_by_trafilatura(html, source_url or url)
    tags = tags or in_text.tags
    if author and site_name and author.casefold() == site_name.casefold():
        author = ""  # "author": {"@type": "Organization", "name": "RT"} says nothing the source does not
    if not title:
        warnings.append("no headline found in the page (no JSON-LD, og:title, <title> or <h1>): write `title:`")
    if not body:
        warnings.append("could not find the article text in the page: the body is empty; paste it in by hand")
    if published is None:
        when = aware(today, tz)
        warnings.append(f"no publication date found in the page; using {when:%Y-%m-%d}: check `date:`")
        source_published = None
    else:
        source_published = aware(published, tz)
        when = source_published.astimezone(tz)  # the site's day and month decide the archive folder
    return Imported(
        title=title,
        date=when,
        summary=summary,
        body=body,
        source_name=site_name,
        source_url=source_url,
        source_published=source_published,
        author=author,
        tags=tuple(dict.fromkeys(tags)),
        warnings=tuple(warnings),
    )


def extract_main_text(html: str, url: str | None = None) -> str:
    """The article's text as Markdown, by trafilatura; "" when it finds none.

    Precision over recall: a digest entry missing a paragraph is noticed and
    fixed, "Most read" boxes pasted into it are published.
    """
    import trafilatura  # an optional dependency (the ``import`` extra), loaded only for pages

    text = trafilatura.extract(
        html,
        url=url or None,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=True,
        include_formatting=True,
        favor_precision=True,
        deduplicate=False,
        with_metadata=False,
    )
    return (text or "").strip()


def _byline_by_trafilatura(html: str, url: str | None) -> str:
    """The author trafilatura finds in the page's byline markup (class="byline" and the like).

    Only the author: its dates come from htmldate, which guesses from URLs and
    text more freely than we accept (see :mod:`digest.importer.dates`).
    """
    from trafilatura import extract_metadata

    return _text(extract_metadata(html, default_url=url or None).author or "")


def _parse(html: str) -> Any:
    if not html.strip():
        raise DigestError("the page is empty: nothing to import; save the page again from the browser")
    try:
        # bytes, so that an <?xml encoding=…?> declaration does not make lxml refuse a str
        return lxml.html.document_fromstring(html.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError) as exc:
        raise DigestError(f"cannot read the page as HTML ({exc}); save it again from the browser") from None


def _first(values: Iterable[str]) -> str:
    return next((value for value in values if value), "")


def _text(value: object) -> str:
    """A metadata string, entities decoded and whitespace collapsed; "" for anything not a string."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return ""
    return " ".join(html_lib.unescape(value).split())


# --- JSON-LD -----------------------------------------------------------------


def _from_json_ld(doc: Any, tz: tzinfo, warnings: list[str]) -> _Found:
    nodes: list[dict[str, Any]] = []
    scripts = doc.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]")
    for number, script in enumerate(scripts, start=1):
        data = _load_json(script.text or "")
        if data is None:
            warnings.append(f"JSON-LD block {number} of the page is not valid JSON; ignored")
            continue
        nodes.extend(_nodes(data))
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    article = _best_article(nodes)
    if article is None:
        return _Found()
    publisher = _resolve(article.get("publisher"), by_id)
    main = _resolve(article.get("mainEntityOfPage"), by_id)
    url = _text(article.get("url")) or (_text(main.get("@id") or main.get("url")) if main else "")
    if not url and isinstance(article.get("mainEntityOfPage"), str):
        url = _text(article["mainEntityOfPage"])
    return _Found(
        title=_text(article.get("headline")) or _text(article.get("name")),
        date=_date(article.get("datePublished"), tz) or _date(article.get("dateCreated"), tz),
        author=_names(article.get("author"), by_id),
        site_name=_text(publisher.get("name")) if publisher else "",
        url=url,
        description=_text(article.get("description")),
        tags=_keywords(article.get("keywords")),
    )


def _load_json(raw: str) -> Any:
    raw = raw.strip()
    # CMSs wrap JSON-LD in HTML comments or CDATA, and some end it with ";"
    raw = re.sub(r"^(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)", "", raw)
    raw = re.sub(r"(?:-->|//\s*\]\]>|\]\]>)$", "", raw.strip()).strip().rstrip(";")
    if not raw:
        return None
    try:
        return json.loads(raw, strict=False)  # strict=False: raw newlines inside strings are common
    except json.JSONDecodeError:
        try:
            return json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)  # trailing commas
        except json.JSONDecodeError:
            return None


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Top-level JSON-LD objects: the items of a list or an ``@graph``, and their ``mainEntity``."""
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        if isinstance(data.get("@graph"), list):
            yield from _nodes(data["@graph"])
        if "@type" in data:
            yield data
            for key in ("mainEntity", "mainEntityOfPage"):
                if isinstance(data.get(key), dict) and "@type" in data[key]:
                    yield data[key]


def _types(node: dict[str, Any]) -> list[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return [v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)]


def _best_article(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The page's article: any kind of NewsArticle first, then by :data:`ARTICLE_TYPES`, then page order."""

    def rank(node: dict[str, Any]) -> int:
        known = [t for t in _types(node) if t in ARTICLE_TYPES]
        if not known:
            return len(ARTICLE_TYPES)
        return 0 if any(t.endswith("NewsArticle") for t in known) else min(map(ARTICLE_TYPES.index, known))

    ranked = sorted(((rank(node), order, node) for order, node in enumerate(nodes)), key=lambda e: (e[0], e[1]))
    return ranked[0][2] if ranked and ranked[0][0] < len(ARTICLE_TYPES) else None


def _resolve(value: Any, by_id: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        ref = value.get("@id")
        if isinstance(ref, str) and ref in by_id and len(value) <= 2:
            return by_id[ref]
        return value
    return None


def _names(value: Any, by_id: dict[str, dict[str, Any]]) -> str:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, str):
            name = _text(item)
        else:
            node = _resolve(item, by_id)
            name = _text(node.get("name")) if node else ""
        if name and not name.lower().startswith(("http://", "https://")) and name not in names:
            names.append(name)
    return join_names(names)


def join_names(names: list[str]) -> str:
    """``["A"]`` -> ``A``; ``["A", "B"]`` -> ``A and B``; ``["A", "B", "C"]`` -> ``A, B and C``."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _keywords(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",") if isinstance(value, str) else []
    return [tag for tag in (_text(item) for item in items) if tag]


def _date(value: Any, tz: tzinfo) -> datetime | date | None:
    text = _text(value)
    return parse_news_date(text, tz) if text else None


# --- OpenGraph and other <meta> ----------------------------------------------


def _metas(doc: Any) -> list[tuple[str, str]]:
    pairs = []
    for meta in doc.xpath("//meta[@content]"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        pairs.append((key.strip().lower(), _text(meta.get("content"))))
    return pairs


def _meta(pairs: list[tuple[str, str]], *keys: str) -> str:
    return _first(value for key in keys for k, value in pairs if k == key)


def _from_opengraph(doc: Any, tz: tzinfo) -> _Found:
    pairs = _metas(doc)
    author = _meta(pairs, "article:author")
    return _Found(
        title=_meta(pairs, "og:title"),
        date=_date(_meta(pairs, "article:published_time", "og:article:published_time"), tz),
        author="" if author.startswith(("http://", "https://")) else author,  # often a profile URL
        site_name=_meta(pairs, "og:site_name"),
        url=_meta(pairs, "og:url"),
        description=_meta(pairs, "og:description"),
        tags=[value for key, value in pairs if key == "article:tag" and value],
    )


def _from_meta(doc: Any, tz: tzinfo) -> _Found:
    pairs = _metas(doc)
    canonical = doc.xpath("//link[contains(concat(' ', normalize-space(translate(@rel, 'CANONIL', 'canonil')), ' '),"
                          " ' canonical ')]/@href")
    dates = (_date(value, tz) for name in _META_DATE_NAMES for key, value in pairs if key == name)
    keywords = _meta(pairs, "news_keywords", "keywords")
    return _Found(
        title=_meta(pairs, "twitter:title", "dc.title", "parsely-title", "headline"),
        date=next((value for value in dates if value is not None), None),
        author=_meta(pairs, "author", "byl", "dc.creator", "parsely-author", "sailthru.author").removeprefix("By "),
        site_name=_meta(pairs, "application-name", "publisher", "dc.publisher"),
        url=_text(canonical[0]) if canonical else "",
        description=_meta(pairs, "description", "twitter:description", "dc.description"),
        tags=_keywords(keywords),
    )


def _from_document(doc: Any, tz: tzinfo) -> _Found:
    titles = doc.xpath("//title")
    headings = doc.xpath("//h1")
    times = doc.xpath(
        "//time[@datetime][@itemprop='datePublished' or @pubdate or contains(@class, 'publish')]"
        " | //article//time[@datetime] | //time[@datetime]"
    )
    dates = (_date(node.get("datetime"), tz) for node in times)
    h1 = _text(headings[0].text_content()) if headings else ""
    return _Found(
        title=h1 or (_text(titles[0].text_content()) if titles else ""),
        date=next((value for value in dates if value is not None), None),
    )


# --- cleaning ----------------------------------------------------------------


def _absolute(found: str, base: str | None) -> str:
    if not found:
        return ""
    joined = urljoin(base, found) if base else found
    parts = urlsplit(joined)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return joined


_SUFFIX_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ")


def _strip_site_suffix(title: str, site_name: str, url: str) -> str:
    """``Headline | RT World News`` -> ``Headline`` when the suffix names the site."""
    host = urlsplit(url).hostname or ""
    host_word = host.removeprefix("www.").split(".")[0] if host else ""
    for sep in _SUFFIX_SEPARATORS:
        head, found, tail = title.rpartition(sep)
        if not found or not head:
            continue
        tail_key = tail.casefold()
        names = [n.casefold() for n in (site_name, host_word) if n]
        if any(n in tail_key or tail_key in n for n in names) and len(tail.split()) <= 6:
            return head.strip()
    return title


def _strip_repeated_head(body: str, title: str, summary: str) -> str:
    """Drop the headline (and then the standfirst) the extractor left at the top of the text."""
    blocks = body.split("\n\n")
    for wanted in (title, summary):
        if blocks and wanted and _plain(blocks[0]) == _plain(wanted):
            blocks = blocks[1:]
    return "\n\n".join(blocks).strip()


def _strip_page_lines(body: str, tz: tzinfo) -> tuple[str, _Found]:
    """Drop the date, byline, "Share" and "Tags:" lines the extractor kept; return what they said.

    Only one-line blocks are looked at: at the top until the first that is
    neither meta nor chrome, at the bottom likewise, and chrome anywhere.
    """
    found = _Found()
    blocks = [block for block in body.split("\n\n") if block.strip()]

    def meta_or_chrome(block: str) -> bool:
        if "\n" in block:
            return False
        line = _unmark(block)
        said = read_meta_line(line, tz)
        if said is not None:
            found.date = found.date or said.date
            found.author = found.author or said.author
            return True
        tags = _TAGS.match(line)
        if tags:
            found.tags = found.tags or [tag.strip() for tag in tags["tags"].split(",") if tag.strip()]
            return True
        return is_chrome(line)

    while blocks and meta_or_chrome(blocks[0]):
        blocks.pop(0)
    while blocks and meta_or_chrome(blocks[-1]):
        blocks.pop()
    blocks = [block for block in blocks if "\n" in block or not is_chrome(_unmark(block))]
    return "\n\n".join(blocks), found


_TAGS = re.compile(r"^(?:tags|topics|теги|темы)\s*:\s*(?P<tags>.+)$", re.IGNORECASE)


def _unmark(block: str) -> str:
    """A one-line Markdown block as its text: ``**By [Jane Doe](/jane)**`` -> ``By Jane Doe``."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", block)
    return re.sub(r"[*_`]+", "", text).strip()


def _plain(block: str) -> str:
    block = re.sub(r"^#{1,6}\s+", "", block.strip())
    block = re.sub(r"[*_]", "", block)
    return " ".join(block.split()).casefold()
