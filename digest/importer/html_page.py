"""A news page saved from a browser: metadata from the page's own markup, text by trafilatura.

Named ``html_page`` rather than ``html`` so that it never shadows the standard
library's ``html`` for a reader (or a tool) resolving names by file.

Metadata is read here, not by trafilatura, because the precedence is ours:
JSON-LD (the publisher's structured data) over OpenGraph over other ``<meta>``
over the visible ``<title>``/``<h1>``/``<time>``, except for the site's name
(the page's own ``og:site_name`` first: JSON-LD may name the wire or the blog
platform) and the headline (reconciled with the visible ``<h1>``). See
docs/capture.md for every rule. The main text is trafilatura's:
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
from digest.importer.clipping import is_chrome, is_end_marker, is_marker, read_meta_line
from digest.importer.dates import aware, parse_news_date
from digest.importer.model import Imported
from digest.importer.page_copy import labelled_date, nearest_date
from digest.rules.sourceurls import registered_host

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
    source_url = _absolute(_first(layer.url for layer in layers), url) or (url or "")
    site_name = _site_name(layers, source_url)
    title = _headline(layers, doc, site_name, source_url)
    summary = _first(layer.description for layer in layers)
    author = _first(layer.author for layer in layers)
    published = next((layer.date for layer in layers if layer.date is not None), None)
    tags = list(dict.fromkeys(tag for layer in layers for tag in layer.tags))

    paragraphs = doc.xpath(f"//p[not({_ELSEWHERE})]")
    body = extract_main_text(html, source_url or url, warnings,
                             expected_words=sum(len(_words(p.text_content())) for p in paragraphs))
    body = _strip_repeated_head(body, title, summary)
    body, in_text = _strip_page_lines(body, tz)
    body = drop_closing_sections(body)
    body, related = drop_related_links(body)
    if related:
        warnings.append(f"dropped {related} links to other stories at the end of the text")
    # what the visible text says ranks below every kind of markup, like <time>
    published = published if published is not None else in_text.date
    if published is None:
        published = _date_near_headline(doc, title, tz)
    if published is None:
        published = _labelled_date_in(doc, tz)
    if published is None:
        published = date_in_url(source_url) or (date_in_url(url) if url else None)
        if published is not None:
            warnings.append(f"the page states no publication date; took {published:%Y-%m-%d} from its URL: check `date:`")
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
        tags=tuple(tags),
        warnings=tuple(warnings),
    )


IMPORT_EXTRA_MISSING = (
    "importing HTML pages needs the import extra (trafilatura): pip install 'digest[import]'"
)


def extract_main_text(
    html: str, url: str | None = None, warnings: list[str] | None = None, *, expected_words: int | None = None
) -> str:
    """The article's text as Markdown, by trafilatura; "" when it finds none.

    Precision over recall: a digest entry missing a paragraph is noticed and
    fixed, "Most read" boxes pasted into it are published. But when the precise
    pass keeps less than half of what the balanced pass finds, the precise pass
    has cut the article, not the boxes: the fuller text is taken and a warning
    (appended to ``warnings``) says so, so no page silently loses its body.
    The balanced pass runs only when the precise text is short of
    ``expected_words`` (the words in the page's paragraphs), or always when that
    is not given. Raises :class:`DigestError` when trafilatura is not installed.
    """
    try:
        import trafilatura  # an optional dependency (the ``import`` extra), loaded only for pages
    except ImportError:
        raise DigestError(IMPORT_EXTRA_MISSING) from None

    def extract(precision: bool) -> str:
        text = trafilatura.extract(
            html,
            url=url or None,
            output_format="markdown",
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=True,
            include_formatting=True,
            favor_precision=precision,
            deduplicate=False,
            with_metadata=False,
        )
        return space_links((text or "").strip())

    precise = extract(True)
    if expected_words is not None and len(_words(precise)) >= 0.6 * expected_words:
        return precise
    text, warning = choose_text(precise, extract(False))
    if warning and warnings is not None:
        warnings.append(warning)
    return text


def choose_text(precise: str, balanced: str) -> tuple[str, str]:
    """The precise extraction, unless the balanced one adds more paragraph text than it kept.

    What the balanced pass adds counts only as paragraphs (25 words or more, not
    list items): its menus and link lists are no loss. Returns the text and a
    warning ("" when the precise text stands).
    """
    kept = set(precise.split("\n\n"))
    added = sum(len(_words(block)) for block in balanced.split("\n\n") if block not in kept and _is_paragraph(block))
    if added <= max(len(_words(precise)), 40):
        return precise, ""
    share = len(_words(precise)) * 100 // (len(_words(precise)) + added)
    return balanced, (
        f"the precise text extraction kept only {share}% of the article's paragraphs; took the fuller"
        " text: check the body for boxes of other stories"
    )


def _is_paragraph(block: str) -> bool:
    words = len(_words(block))
    return words >= 25 and not block.lstrip().startswith(("- ", "* ", "|"))


_WORD_CHARS = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+")


def _words(text: str) -> list[str]:
    return _WORD_CHARS.findall(text)


# Scripts written without spaces between words: a link there touches its neighbours.
_UNSPACED = "\u0e00-\u0e7f\u1000-\u109f\u3000-\u30ff\u3400-\u9fff\uff00-\uffef"
_GLUED_AFTER = re.compile(rf"(\]\((?:[^()\s]|\([^()\s]*\))*\))(?=[^\W_{_UNSPACED}])")
_GLUED_BEFORE = re.compile(rf"(?<=[^\W_{_UNSPACED}])(?=\[[^\]\n]+\]\()")


def space_links(markdown: str) -> str:
    """Put back the space the extractor lost between a link and the word next to it.

    ``[report](https://x)that`` becomes ``[report](https://x) that`` and
    ``the[report](…)`` becomes ``the [report](…)``: in news text a word never
    touches a link.
    """
    markdown = _GLUED_AFTER.sub(lambda m: m.group(1) + " ", markdown)
    return _GLUED_BEFORE.sub(" ", markdown)


def _byline_by_trafilatura(html: str, url: str | None) -> str:
    """The author trafilatura finds in the page's byline markup (class="byline" and the like).

    Only the author: its dates come from htmldate, which guesses from URLs and
    text more freely than we accept (see :mod:`digest.importer.dates`).
    """
    from trafilatura import extract_metadata

    try:
        found = extract_metadata(html, default_url=url or None)
    except AssertionError:
        # htmldate (inside trafilatura) asserts on pages whose root it prunes, e.g. a lone <svg onerror=...>
        # (found by fuzzing); the byline is a best guess, so the import goes on without it
        return ""
    return _text(found.author or "")


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
        # a MedicalWebPage, ClaimReview or plain WebPage still says when it was published
        dated = next((node for node in nodes if node.get("datePublished") or node.get("dateCreated")), None)
        return _Found(date=_node_date(dated, tz)) if dated is not None else _Found()
    publisher = _resolve(article.get("publisher"), by_id)
    main = _resolve(article.get("mainEntityOfPage"), by_id)
    url = _text(article.get("url")) or (_text(main.get("@id") or main.get("url")) if main else "")
    if not url and isinstance(article.get("mainEntityOfPage"), str):
        url = _text(article["mainEntityOfPage"])
    return _Found(
        title=_text(article.get("headline")) or _text(article.get("name")),
        date=_node_date(article, tz) or next((_node_date(n, tz) for n in nodes if _node_date(n, tz)), None),
        author=_names(article.get("author"), by_id),
        site_name=_text(publisher.get("name")) if publisher else "",
        url=url,
        description=_text(article.get("description")),
        tags=_keywords(article.get("keywords")),
    )


def _node_date(node: dict[str, Any], tz: tzinfo) -> datetime | date | None:
    return _date(node.get("datePublished"), tz) or _date(node.get("dateCreated"), tz)


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
        key = meta.get("property") or meta.get("name") or ""
        value = _text(meta.get("content"))
        if key:
            pairs.append((key.strip().lower(), value))
        # itemprop="datePublished dateCreated": one element, several properties
        pairs.extend((prop.lower(), value) for prop in (meta.get("itemprop") or "").split())
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
        site_name=_meta(pairs, "og:site_name", "application-name"),
        url=_meta(pairs, "og:url"),
        description=_meta(pairs, "og:description"),
        tags=[value for key, value in pairs if key == "article:tag" and value],
    )


def _from_meta(doc: Any, tz: tzinfo) -> _Found:
    pairs = _metas(doc)
    canonical = doc.xpath("//link[contains(concat(' ', normalize-space(translate(@rel, 'CANONIL', 'canonil')), ' '),"
                          " ' canonical ')]/@href")
    dates = (_date(value, tz) for name in _META_DATE_NAMES for key, value in pairs if key == name)
    keywords = [tag for key in ("news_keywords", "keywords") for k, value in pairs if k == key for tag in _keywords(value)]
    return _Found(
        title=_meta(pairs, "twitter:title", "dc.title", "parsely-title", "headline"),
        date=next((value for value in dates if value is not None), None),
        author=_meta(pairs, "author", "byl", "dc.creator", "parsely-author", "sailthru.author").removeprefix("By "),
        site_name=_meta(pairs, "publisher", "dc.publisher"),
        url=_text(canonical[0]) if canonical else "",
        description=_meta(pairs, "description", "twitter:description", "dc.description"),
        tags=keywords,
    )


# Containers of other stories, whose dates and headlines are not the article's.
# Classes are read below <main>/<article> only: themes put "has-sidebar" or "comments-open" on <body>.
_ELSEWHERE = (
    "ancestor::aside or ancestor::nav or ancestor::footer[not(ancestor::article)]"
    " or ancestor::*[not(self::body or self::html or self::main or self::article)][contains(@class, 'related')"
    " or contains(@class, 'popular') or contains(@class, 'most-read') or contains(@class, 'recommend')"
    " or contains(@class, 'sidebar') or contains(@class, 'comment') or contains(@id, 'related')"
    " or contains(@id, 'sidebar') or contains(@id, 'comment')]"
)


def _from_document(doc: Any, tz: tzinfo) -> _Found:
    titles = doc.xpath("//title")
    headings = doc.xpath(f"//h1[not({_ELSEWHERE})]")
    marked = doc.xpath(
        f"//*[contains(concat(' ', normalize-space(@itemprop), ' '), ' datePublished ') and not({_ELSEWHERE})]"
    )
    times = doc.xpath(
        f"//time[@datetime][@pubdate or contains(@class, 'publish')][not({_ELSEWHERE})]"
        f" | //article//time[@datetime][not({_ELSEWHERE})] | //main//time[@datetime][not({_ELSEWHERE})]"
        f" | //time[@datetime][not({_ELSEWHERE})]"
    )
    values = [node.get("content") or node.get("datetime") or node.text_content() for node in marked]
    values += [node.get("datetime") for node in times]
    dates = (_date(value, tz) for value in values)
    h1 = _text(headings[0].text_content()) if headings else ""
    return _Found(
        title=h1 or (_text(titles[0].text_content()) if titles else ""),
        date=next((value for value in dates if value is not None), None),
    )


def _date_near_headline(doc: Any, title: str, tz: tzinfo) -> datetime | date | None:
    """The date printed nearest the visible headline ("on December 27, 2014 at 12:06 PM"), as in a copy."""
    if not title:
        return None
    texts = [
        " ".join(text.split())
        for text in doc.xpath(f"//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"
                              f"[not({_ELSEWHERE})]")
    ]
    texts = [text for text in texts if text]
    wanted = _loose(title)
    at = next((i for i, text in enumerate(texts) if _loose(text) == wanted), None)
    # text nodes, not lines: "By", a name and a desk are three of them, so look a little further
    return nearest_date(texts, at, tz, reach=12) if at is not None else None


def _labelled_date_in(doc: Any, tz: tzinfo) -> datetime | date | None:
    """A date the page labels as the story's in a short element ("<li><strong>Date</strong> 19.01.2020"), anywhere."""
    texts = [
        " ".join(node.text_content().split())
        for node in doc.xpath(f"//body//*[self::li or self::p or self::span or self::dd or self::div]"
                              f"[string-length(normalize-space(.)) < 80][not({_ELSEWHERE})]")
    ]
    return labelled_date([text for text in texts if text], tz)


_URL_DATES = (
    re.compile(r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?:/|[-_.]|$)"),
    re.compile(r"/(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)/(?P<d>[0-3]\d)/"),
    re.compile(r"(?:/|[-_])(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?:/|[-_.]|$)"),
)


def date_in_url(url: str) -> date | None:
    """The day a story's URL path names: ``/2013/11/27/``, ``/2023-11/17/``, ``/202311/17/``, ``-20131127``.

    Only full dates in the path (not the host or query), and only real days.
    """
    path = urlsplit(url).path
    for pattern in _URL_DATES:
        for match in pattern.finditer(path):
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
    return None


# --- cleaning ----------------------------------------------------------------


def _absolute(found: str, base: str | None) -> str:
    if not found:
        return ""
    joined = urljoin(base, found) if base else found
    parts = urlsplit(joined)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return joined


_SEPARATORS = (" | ", " - ", " – ", " — ", " -- ", " :: ", " · ", " » ", " / ", "｜", "：", " : ")
# Section labels printed before or after a headline ("Opinion | …", "… | Editorial").
SECTION_LABELS = frozenset(
    """opinion|opinions|editorial|editorials|analysis|comment|commentary|column|columns|review|reviews|explainer
    |interview|letters|letter|live|breaking|breaking news|exclusive|news|world|world news|politics|business|sport
    |sports|culture|science|tech|technology|health|local|national|international|local news|us news|uk news
    |video|watch|photos|podcast|feature|features|op-ed|guest essay|perspective|fact check|the big read
    |noticias|local|opinión|meinung|kommentar|мнение|колонка|新闻|ニュース|国際ニュース""".replace("\n", "").split("|")
)
# Sections that pages put in og:site_name, where the site's name belongs.
SITE_SECTIONS = SECTION_LABELS | frozenset("u.s.|us|uk|u.k.|europe|asia|africa|americas|middle east".split("|"))
# Only these end a headline as a label: "… - interview" or "… - review" may be the headline's own words.
TRAILING_LABELS = frozenset(
    "opinion|opinions|editorial|editorials|analysis|commentary|column|op-ed|news|world news|breaking news".split("|")
)
_KEY_PUNCT = re.compile(r"[^\w]+")


def _loose(text: str) -> str:
    """``text`` compared without case, spaces or punctuation: "Ultima Hora" is "ultimahora"."""
    return _KEY_PUNCT.sub("", text.casefold())


def _site_name(layers: list[_Found], url: str) -> str:
    """The publication: the page's own ``og:site_name``/``application-name``, then JSON-LD's publisher,
    then other ``<meta>``, then the host name without ``www.``.

    The page's own name comes first because a syndicated story's JSON-LD names the
    wire (or the blog platform: "Blogger") rather than the paper that ran it. A
    tagline after the name ("LinkNaija | Nigeria's popular news platform") goes.
    """
    json_ld, opengraph, meta = layers[0], layers[1], layers[2]
    for name in (opengraph.site_name, json_ld.site_name, meta.site_name):
        name = _drop_tagline(name)
        if name and not _is_label(name, SITE_SECTIONS):  # Reuters' og:site_name is its section, "U.S."
            return name
    return registered_host(url)


def _drop_tagline(name: str) -> str:
    for sep in (" | ", " - ", " – ", " — ", ": "):
        head, found, tail = name.partition(sep)
        if found and head and len(head.split()) <= 4 and len(tail.split()) >= 2:
            return head.strip()
    return name.strip()


def _headline(layers: list[_Found], doc: Any, site_name: str, url: str) -> str:
    """The story's headline: the first metadata title, cleaned, reconciled with the page's ``<h1>``.

    Section labels and the site's name go from either end. The ``<h1>`` (the
    visible headline, with the page's own typography) wins when the metadata
    title is the same words, a cut-short copy of it ("…"), or the ``<h1>`` plus
    a suffix such as a photo credit.
    """
    names = [site_name, urlsplit(url).hostname or "", registered_host(url).split(".")[0]]
    title = clean_headline(_first(layer.title for layer in layers), names)
    h1 = _best_h1(doc, title)
    if not h1 or not title:
        return title or clean_headline(h1, names)
    h1 = clean_headline(h1, names)
    short, full = _loose(title.rstrip(".…")), _loose(h1)
    if short == full:
        return h1
    if title.endswith(("…", "...")) and full.startswith(short):
        return h1  # a cut-short JSON-LD headline
    if h1.startswith(title.rstrip(" …") + " ") and not _names_site(h1[len(title):], names):
        return h1
    if full and short.startswith(full) and len(full) >= 0.6 * len(short):
        return h1  # "Headline (Photo: Reuters)", "Headline InfantaUltima Hora" is caught by the length
    return title


def _best_h1(doc: Any, title: str) -> str:
    """The ``<h1>`` (first line of it) most like ``title``; a masthead ``<h1>`` loses to the headline one."""
    best, score = "", -1.0
    wanted = set(_loose(title))
    for heading in doc.xpath(f"//h1[not({_ELSEWHERE})]")[:6]:
        text = next((_text(line) for line in heading.text_content().split("\n") if line.strip()), "")
        if not text:
            continue
        have = set(_loose(text))
        overlap = len(have & wanted) / max(len(have | wanted), 1) if wanted else 1.0
        if overlap > score:
            best, score = text, overlap
    return best if score >= 0.5 else ""


def _names_site(part: str, names: list[str]) -> bool:
    key = _loose(part)
    if not key:
        return False
    return any(n and (key in _loose(n) or _loose(n) in key) for n in names if len(_loose(n)) >= 2)


def clean_headline(title: str, site_names: list[str]) -> str:
    """``Opinion | Headline | The Site`` -> ``Headline``.

    Parts split off by a separator (``|``, `` - ``, ``»``, ``：`` …) go from the end
    while they name the site or are a section label, a breadcrumb trail before the
    site's name with them; then one section label goes from the start.
    """
    title = " ".join(title.split())
    for sep in _SEPARATORS:
        parts = title.split(sep)
        if len(parts) < 2:
            continue
        changed = False
        while len(parts) > 1 and (_names_site(parts[-1], site_names) or _is_label(parts[-1], TRAILING_LABELS)):
            named = _names_site(parts[-1], site_names)
            parts.pop()
            changed = True
            while named and len(parts) > 1 and len(parts[-1].split()) <= 3 and sep in (" » ", " / ", " > "):
                parts.pop()  # "Headline » Local » Noticias » Ultima Hora": a breadcrumb trail
        if len(parts) > 1 and _is_label(parts[0]):
            parts.pop(0)
            changed = True
        if changed:
            title = sep.join(parts).strip()
    return title


def _is_label(part: str, labels: frozenset[str] = SECTION_LABELS) -> bool:
    return " ".join(part.casefold().split()) in labels


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
_LINK_ONLY = re.compile(r"^(?:[-*+]\s+|\d+\.\s+)?(?:\*\*|\*|_)?\[[^\]\n]+\]\([^)\s]+\)(?:\*\*|\*|_)?$")


def drop_related_links(body: str) -> tuple[str, int]:
    """Drop runs of two or more blocks that are each only a link, with the short heading over them.

    "Related stories" lists sit in and below many extracted texts, in every
    language: a block that is nothing but a link to another story is not the
    article's text. When what follows such a run is small beside the text before
    it (a donation appeal, social links), it goes too. Returns the body and how
    many links went.
    """
    blocks = body.split("\n\n")
    kept: list[str] = []
    links = 0
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and _link_block(blocks[j]):
            j += 1
        if j - i < 2 or not kept:
            kept.extend(blocks[i : max(j, i + 1)])
            i = max(j, i + 1)
            continue
        links += sum(1 for block in blocks[i:j] for line in block.split("\n") if line.strip())
        heading = _unmark(re.sub(r"^#{1,6}\s+", "", kept[-1].strip()))
        if "\n" not in heading and (is_marker(heading) or (len(heading.split()) <= 10 and len(heading) <= 80
                                                          and not heading.endswith(_SENTENCE_END))):
            kept.pop()
        before = sum(len(_words(block)) for block in kept)
        after = sum(len(_words(block)) for block in blocks[j:])
        if after < 0.25 * before:
            break  # the tail after the list is the page's, not the article's
        i = j
    return ("\n\n".join(kept).strip(), links) if links else (body, 0)


_MORE_HEADING = re.compile(
    r"^(?:more\b|most (?:read|popular|viewed)|related|recommended|popular|trending|read (?:more|next|also)"
    r"|you (?:may|might) also|top stories|latest|editor'?s picks|don'?t miss)", re.IGNORECASE,
)


def drop_closing_sections(body: str) -> str:
    """Cut the text at a heading in its second half that opens comments, or "More from …" lists of links.

    A comments heading ("Comments", "Comentar") ends the article whatever follows;
    a list heading ("Most read", "More Must-Reads From TIME") does when no
    paragraph of text follows it.
    """
    blocks = body.split("\n\n")
    for i in range(len(blocks) // 2, len(blocks)):
        block = blocks[i].strip()
        if "\n" in block or not (block.startswith("#") or re.fullmatch(r"\*\*[^*]+\*\*", block)):
            continue
        heading = _unmark(re.sub(r"^#{1,6}\s+", "", block))
        rest = blocks[i + 1 :]
        if is_end_marker(heading):
            return "\n\n".join(blocks[:i]).strip()
        if (is_marker(heading) or _MORE_HEADING.match(heading)) and not any(
            _is_paragraph(b) and not b.lstrip().startswith(("- ", "* ", "[")) for b in rest
        ):
            return "\n\n".join(blocks[:i]).strip()
    return body


def _link_block(block: str) -> bool:
    lines = [line.strip() for line in block.split("\n") if line.strip()]
    return bool(lines) and all(_LINK_ONLY.match(line) for line in lines)


_SENTENCE_END = tuple(".!?…。！？\"”»")


def _unmark(block: str) -> str:
    """A one-line Markdown block as its text: ``**By [Jane Doe](/jane)**`` -> ``By Jane Doe``."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", block)
    return re.sub(r"[*_`]+", "", text).strip()


def _plain(block: str) -> str:
    block = re.sub(r"^#{1,6}\s+", "", block.strip())
    block = re.sub(r"[*_]", "", block)
    return " ".join(block.split()).casefold()
