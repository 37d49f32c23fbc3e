"""Site configuration: ``digest.yaml`` parsed into a frozen, validated value.

Every key has a default, so a site needs no config file at all. Unknown keys
are errors that name the key and suggest the closest valid one.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.errors import BuildFailed, DigestError, Problem
from digest.rules.yamlload import YamlProblem, line_of, load_yaml_document

CONFIG_NAME = "digest.yaml"

DEFAULT_EXTENSIONS: tuple[str, ...] = (
    "extra",  # tables, footnotes, fenced code, attribute lists, definition lists, abbreviations
    "codehilite",
    "toc",
    "typography",  # curly quotes, dashes, ellipses: digest's one-pass version of Python-Markdown's smarty
    "sane_lists",
)


@dataclass(frozen=True, slots=True)
class Permalinks:
    """URL patterns. Fields: {year} {month} {day} {slug}; every pattern ends in ``/``."""

    article: str = "/{year}/{month}/{day}/{slug}/"  #: one article
    tag: str = "/tags/{slug}/"  #: one tag's page
    source: str = "/sources/{slug}/"  #: one source's page
    year: str = "/{year}/"  #: a year's archive
    month: str = "/{year}/{month}/"  #: a month's archive
    day: str = "/{year}/{month}/{day}/"  #: a day's digest


@dataclass(frozen=True, slots=True)
class MarkdownConfig:
    """How article bodies become HTML."""

    engine: str = "default"  #: ``default`` (Python-Markdown) or ``fast`` (pyromark, ``pip install digest[fast]``)
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS  #: Python-Markdown extensions
    extension_configs: Mapping[str, Any] = field(default_factory=dict)  #: per-extension settings


# Raw HTML no allow-list can bring back: these run or load code, or restyle and redirect the page.
NEVER_TAGS = frozenset(
    {
        "script", "style", "link", "meta", "base", "object", "embed", "applet", "param", "form", "frame", "frameset",
        "noscript", "template", "portal", "animate", "animatemotion", "animatetransform", "set", "handler",
        "listener", "foreignobject",
    }
)
# srcdoc is a whole HTML document; formaction/action submit to URLs; SVG animation attributes can
# rewrite an href to javascript:; namespaced attributes (xlink:href) escape the URL checks.
NEVER_ATTRIBUTES = frozenset(
    {"srcdoc", "formaction", "action", "attributename", "values", "from", "to", "by", "http-equiv", "xmlns"}
)
NEVER_URL_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "blob", "filesystem"})


def never_allowed_tag(name: str) -> bool:
    return name.strip().lower() in NEVER_TAGS


def never_allowed_attribute(name: str) -> bool:
    """Event handlers (``on*``) and the attributes above can never be allowed."""
    lowered = name.strip().lower()
    return lowered.startswith("on") or lowered in NEVER_ATTRIBUTES or ":" in lowered


@dataclass(frozen=True, slots=True)
class HtmlConfig:
    """Sanitising of raw HTML inside Markdown (on by default: content comes from outside)."""

    sanitize: bool = True  #: run every rendered body through nh3
    allow_tags: tuple[str, ...] = ()  #: extra tags to keep, e.g. ``[iframe]`` for embeds
    allow_attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  #: tag -> extra attributes
    allow_url_schemes: tuple[str, ...] = ()  #: extra URL schemes beyond http, https, mailto


@dataclass(frozen=True, slots=True)
class FeedsConfig:
    """Atom, RSS and JSON feeds of the whole site and of every tag. An empty path turns that feed off."""

    atom: str = "/feed.xml"  #: site-wide Atom 1.0 feed
    rss: str = "/rss.xml"  #: site-wide RSS 2.0 feed
    json: str = "/feed.json"  #: site-wide JSON Feed 1.1
    tag_atom: str = "feed.xml"  #: each tag's Atom feed, a file name inside the tag's URL (``/tags/x/feed.xml``)
    tag_rss: str = "rss.xml"  #: each tag's RSS feed, likewise
    tag_json: str = "feed.json"  #: each tag's JSON Feed, likewise
    limit: int = 20  #: newest entries per feed
    content: str = "full"  #: ``full`` (the article's HTML) or ``summary`` (its summary only)
    author: str = ""  #: the feeds' author when an article has none (default: the site title)
    id_authority: str = ""  #: host in entry ids (default: base_url's host; keep the old one after moving domains)


@dataclass(frozen=True, slots=True)
class SeoConfig:
    """Search-engine and social-preview outputs."""

    sitemap: bool = True  #: write sitemap.xml (a sitemap index past 50,000 URLs)
    robots: bool = True  #: write robots.txt pointing at the sitemap (skipped when content/ has its own)
    image: str = ""  #: share image for pages without one: a site path or an absolute URL
    twitter_site: str = ""  #: the site's X/Twitter handle for ``twitter:site``, e.g. ``@digest``


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """Client-side search: a page plus a sharded index the browser loads on demand."""

    enabled: bool = True  #: build the search page and its index
    url: str = "/search/"  #: the search page; the index lives beside it


CADENCES = ("daily", "weekly", "monthly", "manual")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
IN_PROGRESS = ("show", "hide", "publish")


@dataclass(frozen=True, slots=True)
class EditionsConfig:
    """Numbered editions (issues) of the digest. Off until ``cadence`` is set."""

    cadence: str = ""  #: ``daily``, ``weekly``, ``monthly`` or ``manual`` (editions declared by content/editions/<n>.md); empty: no editions
    start: str = ""  #: first day of edition 1 (``2022-01-03``); numbers count periods from it, so they never change
    week_starts: str = "monday"  #: the day a weekly edition begins
    title: str = "Edition {number}"  #: each edition's title; {number}, {start} and {end} are filled in
    date_format: str = "%-d %b %Y"  #: how {start} and {end} are written
    sections: tuple[str, ...] = ()  #: section names in the order an edition shows them (``section:`` in front matter)
    other: str = "Other"  #: heading of the articles with no section, shown last
    in_progress: str = "show"  #: an unfinished edition: ``show`` (its page says "in progress"), ``hide`` (no pages) or ``publish`` (also in /latest/ and feeds)
    url: str = "/editions/"  #: the list of editions; edition <n> is at ``<url><n>/``
    latest: str = "/latest/"  #: the newest finished edition as a page (empty: none)
    atom: str = "feed.xml"  #: Atom feed of finished editions, a file name inside ``url`` (empty: none)
    json: str = "feed.json"  #: JSON Feed of finished editions, likewise
    feed_limit: int = 10  #: newest editions per feed
    sender: str = ""  #: the From: of ``digest edition send``, e.g. ``Digest <news@example.org>``
    list_unsubscribe: str = ""  #: the List-Unsubscribe of sent editions: a mailto: or https URL

    @property
    def enabled(self) -> bool:
        return bool(self.cadence)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The whole site configuration. A docstring-comment per field documents it."""

    title: str = "My news digest"  #: the site's name
    description: str = ""  #: one sentence for feeds and meta tags
    base_url: str = "http://localhost:8000/"  #: absolute URL the site is served from (may have a sub-path)
    language: str = "en"  #: BCP 47 language tag
    timezone: str = "UTC"  #: IANA zone for naive dates and for day boundaries
    theme: str = "default"  #: theme name under ``themes/``
    per_page: int = 10  #: articles per list page
    summary_length: int = 300  #: characters of a derived summary
    related: int = 5  #: related articles on an article page
    relative_urls: bool = False  #: links relative to the page, so output works from ``file://``
    content_dir: str = "content"  #: where articles live, relative to the site
    output_dir: str = "output"  #: where the build writes, relative to the site
    permalinks: Permalinks = field(default_factory=Permalinks)
    markdown: MarkdownConfig = field(default_factory=MarkdownConfig)
    html: HtmlConfig = field(default_factory=HtmlConfig)
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    seo: SeoConfig = field(default_factory=SeoConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    editions: EditionsConfig = field(default_factory=EditionsConfig)
    publish: Mapping[str, Any] = field(default_factory=dict)  #: publish targets (see README)
    extra: Mapping[str, Any] = field(default_factory=dict)  #: free values for templates
    #: a multilingual site: language tag -> its overrides of LANGUAGE_KEYS, e.g. ``{ru: {title: Дайджест}}``;
    #: content then lives in ``content/<lang>/``, the default ``language`` at ``/``, the others at ``/<lang>/``
    languages: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    translation_span_days: int = 7  #: ``digest check`` warns when two translations' dates differ by more days

    def for_language(self, tag: str) -> SiteConfig:
        """The config one language of a multilingual site sees: its overrides applied, no other languages."""
        return dataclasses.replace(self, language=tag, languages={}, **dict(self.languages.get(tag, {})))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``: ``/`` or ``/sub/path/``."""
        from urllib.parse import urlsplit

        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    def fingerprint(self) -> str:
        """A stable hash of every setting; caches key on it."""
        blob = json.dumps(_plain(self), sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# what a language may set for itself under ``languages.<tag>``
LANGUAGE_KEYS = ("title", "description", "per_page", "related", "extra", "permalinks", "feeds", "seo", "search")

_SECTIONS: dict[str, type] = {
    "permalinks": Permalinks, "markdown": MarkdownConfig, "html": HtmlConfig,
    "feeds": FeedsConfig, "seo": SeoConfig, "search": SearchConfig, "editions": EditionsConfig,
}


def parse_config(text: str, path: str = CONFIG_NAME) -> SiteConfig:
    """Parse the text of ``digest.yaml``; raise ``BuildFailed`` listing every problem."""
    try:
        document = load_yaml_document(text, first_line=1)
    except YamlProblem as exc:
        raise BuildFailed([Problem(path, exc.line, exc.message)]) from None
    raw, lines = document.value, document.lines
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise BuildFailed([Problem(path, 1, "the config must be a mapping of keys to values, like `title: My digest`")])
    problems: list[Problem] = []
    languages = raw.pop("languages", None)
    values = _check_section(raw, SiteConfig, "", lines, path, problems)
    if languages is not None:
        values["languages"] = _check_languages(languages, lines, path, problems)
    if problems:
        raise BuildFailed(problems)
    config = SiteConfig(**values)
    _check_values(config, lines, path, problems)
    if problems:
        raise BuildFailed(problems)
    return config


def _check_languages(raw: Any, lines: Mapping[str, int], path: str, problems: list[Problem]) -> dict[str, dict[str, Any]]:
    """``languages:``: each tag's overrides, checked like the top level but limited to ``LANGUAGE_KEYS``."""
    from digest.rules.locale import is_language_tag

    if not isinstance(raw, dict):
        problems.append(Problem(path, line_of(lines, "languages"), "'languages' must be a mapping of language tags"
                                " to their settings, like {ru: {title: Дайджест}}"))
        return {}
    result: dict[str, dict[str, Any]] = {}
    for tag, value in raw.items():
        tag = str(tag)
        if not is_language_tag(tag):
            problems.append(Problem(path, line_of(lines, f"languages.{tag}"), f"languages: '{tag}' is not a language tag digest knows:"
                                    " use one like 'ru', 'ja' or 'pt-BR'"))
            continue
        if value is None:
            value = {}
        if not isinstance(value, dict):
            problems.append(Problem(path, line_of(lines, f"languages.{tag}"), f"'languages.{tag}' must be a mapping, like"
                                    " {title: ..., description: ...} (or empty)"))
            continue
        for key in [k for k in value if k not in LANGUAGE_KEYS]:
            close = difflib.get_close_matches(str(key), LANGUAGE_KEYS, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"a language may set {', '.join(LANGUAGE_KEYS)}"
            problems.append(Problem(path, line_of(lines, f"languages.{tag}.{key}"), f"'languages.{tag}.{key}' cannot be set per"
                                    f" language: {hint}"))
        allowed = {k: v for k, v in value.items() if k in LANGUAGE_KEYS}
        result[tag] = _check_section(allowed, SiteConfig, f"languages.{tag}.", lines, path, problems, sections=True)
    return result


def _check_section(
    raw: Mapping[str, Any], cls: type, prefix: str, lines: Mapping[str, int], path: str, problems: list[Problem],
    sections: bool | None = None,
) -> dict[str, Any]:
    known = {f.name: f for f in fields(cls)}
    nested = not prefix if sections is None else sections  # top-level keys (or a language's) may be sections
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if key not in known:
            close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
            hint = f"did you mean '{prefix}{close[0]}'?" if close else f"valid keys: {', '.join(sorted(known))}"
            problems.append(Problem(path, line_of(lines, dotted), f"unknown key '{dotted}': {hint}"))
            continue
        if key in _SECTIONS and nested:
            if value is None:
                continue
            if not isinstance(value, dict):
                problems.append(Problem(path, line_of(lines, dotted), f"'{dotted}' must be a mapping"))
                continue
            values[key] = _SECTIONS[key](**_check_section(value, _SECTIONS[key], f"{dotted}.", lines, path, problems))
            continue
        default = _default_of(known[key])
        coerced = _coerce(value, default)
        if coerced is _INVALID:
            kind = type(default).__name__ if default is not None else "value"
            kinds = {"str": "a string", "int": "a whole number", "bool": "true or false",
                     "tuple": "a list", "dict": "a mapping"}
            problems.append(
                Problem(path, line_of(lines, dotted), f"'{dotted}' must be {kinds.get(kind, kind)}, not {value!r}")
            )
            continue
        values[key] = coerced
    return values


_INVALID = object()


def _default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


def _coerce(value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        return value if isinstance(value, bool) else _INVALID
    if isinstance(default, int):
        return value if isinstance(value, int) and not isinstance(value, bool) else _INVALID
    if isinstance(default, str):
        if isinstance(value, (str, int, float, date)) and not isinstance(value, bool):  # date: editions.start
            return str(value)
        return _INVALID
    if isinstance(default, tuple):
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        return _INVALID
    if isinstance(default, Mapping):
        if value is None:
            return {}
        if not isinstance(value, dict):
            return _INVALID
        return {k: tuple(v) if isinstance(v, list) else v for k, v in value.items()}
    return value


def _check_values(config: SiteConfig, lines: Mapping[str, int], path: str, problems: list[Problem]) -> None:
    def bad(key: str, message: str) -> None:
        problems.append(Problem(path, line_of(lines, key), message))

    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        bad("timezone", f"unknown timezone '{config.timezone}': use an IANA name such as 'Europe/London' or 'UTC'")
    from digest.rules.locale import is_language_tag

    if not is_language_tag(config.language):
        bad("language", f"unknown language '{config.language}': use a BCP 47 tag such as 'en', 'ru', 'ja' or 'pt-BR'")
    if not config.base_url.startswith(("http://", "https://")):
        bad("base_url", f"base_url '{config.base_url}' must be absolute, like 'https://news.example.org/'")
    if config.per_page < 1:
        bad("per_page", "per_page must be at least 1")
    if config.translation_span_days < 0:
        bad("translation_span_days", "translation_span_days must be 0 or more")
    for tag in config.languages:
        language = config.for_language(tag)
        if language.per_page < 1:
            bad(f"languages.{tag}.per_page", f"languages.{tag}.per_page must be at least 1")
        _check_outputs(language, bad)
    if config.summary_length < 20:
        bad("summary_length", "summary_length must be at least 20 characters")
    if config.markdown.engine not in ("default", "fast"):
        bad("markdown.engine", f"markdown.engine must be 'default' or 'fast', not '{config.markdown.engine}'")
    _check_outputs(config, bad)
    _check_editions(config.editions, bad)
    for tag in config.html.allow_tags:
        if never_allowed_tag(tag):
            bad("html.allow_tags", f"html.allow_tags: '{tag}' can never be allowed: it can run code or take over the page;"
                " remove it")
    for tag, names in config.html.allow_attributes.items():
        for name in names if isinstance(names, (list, tuple)) else [names]:
            if never_allowed_attribute(str(name)):
                bad("html.allow_attributes", f"html.allow_attributes: '{name}' on '{tag}' can never be allowed: it can run"
                    " code (event handlers, srcdoc, javascript: links); remove it")
    for scheme in config.html.allow_url_schemes:
        if scheme.strip().lower().rstrip(":") in NEVER_URL_SCHEMES:
            bad("html.allow_url_schemes", f"html.allow_url_schemes: '{scheme}' can never be allowed: its URLs can run"
                " code; remove it")
    from digest.rules.urls import check_pattern

    for f in fields(Permalinks):
        pattern = getattr(config.permalinks, f.name)
        message = check_pattern(f.name, pattern)
        if message:
            bad(f"permalinks.{f.name}", f"permalinks.{f.name}: {message}")


def _check_outputs(config: SiteConfig, bad: Any) -> None:
    from digest.rules.urls import UnsafePath, check_site_path

    feeds, search = config.feeds, config.search
    for key in ("atom", "rss", "json"):
        value = getattr(feeds, key)
        try:
            if value and (value.endswith("/") or check_site_path(value) != value):
                raise UnsafePath(value)
        except UnsafePath:
            bad(f"feeds.{key}", f"feeds.{key}: '{value}' must be a file path in the site, like '/feed.xml' (or empty for none)")
    for key in ("tag_atom", "tag_rss", "tag_json"):
        value = getattr(feeds, key)
        try:
            if value and (value.startswith("/") or value.endswith("/") or check_site_path("/" + value) != "/" + value):
                raise UnsafePath(value)
        except UnsafePath:
            bad(f"feeds.{key}", f"feeds.{key}: '{value}' must be a file name inside the tag's folder, like 'feed.xml' (or empty)")
    if feeds.limit < 1:
        bad("feeds.limit", "feeds.limit must be at least 1")
    if feeds.content not in ("full", "summary"):
        bad("feeds.content", f"feeds.content must be 'full' or 'summary', not '{feeds.content}'")
    if feeds.id_authority and not re.match(r"^[A-Za-z0-9.-]+$", feeds.id_authority):
        bad("feeds.id_authority", f"feeds.id_authority must be a host name like 'news.example.org', not '{feeds.id_authority}'")
    image = config.seo.image
    if image and not (image.startswith("/") or re.match(r"^https?://", image)):
        bad("seo.image", f"seo.image must be a site path like '/static/share.png' or an http(s) URL, not '{image}'")
    try:
        if not (search.url.startswith("/") and search.url.endswith("/")) or check_site_path(search.url) != search.url:
            raise UnsafePath(search.url)
    except UnsafePath:
        bad("search.url", f"search.url must be a folder path like '/search/', not '{search.url}'")


def _check_editions(editions: EditionsConfig, bad: Any) -> None:
    from digest.rules.urls import UnsafePath, check_site_path

    if not editions.enabled:
        return
    if editions.cadence not in CADENCES:
        bad("cadence", f"editions.cadence must be one of {', '.join(CADENCES)}, not '{editions.cadence}'")
    if editions.cadence != "manual":
        try:
            date.fromisoformat(editions.start)
        except ValueError:
            bad("start", f"editions.start must be the first day of edition 1, like 'start: 2022-01-03', not"
                f" '{editions.start}': numbers count {editions.cadence} periods from it, so they never change")
    if editions.week_starts.lower() not in WEEKDAYS:
        bad("week_starts", f"editions.week_starts must be a day name like 'monday', not '{editions.week_starts}'")
    if editions.in_progress not in IN_PROGRESS:
        bad("in_progress", f"editions.in_progress must be one of {', '.join(IN_PROGRESS)}, not '{editions.in_progress}'")
    try:
        editions.title.format(number=1, start="", end="")
    except (KeyError, IndexError, ValueError):
        bad("title", f"editions.title '{editions.title}' may use only {{number}}, {{start}} and {{end}}")
    if editions.feed_limit < 1:
        bad("feed_limit", "editions.feed_limit must be at least 1")
    folded = [s.casefold() for s in editions.sections]
    for name in dict.fromkeys(s for s in editions.sections if folded.count(s.casefold()) > 1):
        bad("sections", f"editions.sections lists '{name}' twice: remove one")
    for key in ("url", "latest"):
        value = getattr(editions, key)
        try:
            if (value or key == "url") and (not value.endswith("/") or check_site_path(value) != value):
                raise UnsafePath(value)
        except UnsafePath:
            bad(key, f"editions.{key} must be a folder path like '/{'editions' if key == 'url' else 'latest'}/',"
                f" not '{value}'")
    for key in ("atom", "json"):
        value = getattr(editions, key)
        if value and ("/" in value or not re.match(r"^[A-Za-z0-9._-]+$", value)):
            bad(key, f"editions.{key} must be a file name like 'feed.xml' (or empty for none), not '{value}'")
    if editions.list_unsubscribe and not re.match(r"^(mailto:|https://)", editions.list_unsubscribe):
        bad("list_unsubscribe", "editions.list_unsubscribe must be a mailto: or https:// URL")


def load_config(site_dir: Path) -> SiteConfig:
    """Read ``digest.yaml`` from the site folder; a missing file means all defaults."""
    path = site_dir / CONFIG_NAME
    if not path.exists():
        return SiteConfig()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DigestError("the config is not UTF-8 text: save it as UTF-8", CONFIG_NAME, 1) from None
    return parse_config(text, CONFIG_NAME)


def with_overrides(config: SiteConfig, origin: str, **values: Any) -> SiteConfig:
    """``config`` with values set from outside ``digest.yaml`` (``--base-url``, the dev server's own address),
    checked by the same rules as the file; a problem names ``origin`` instead of a line."""
    unknown = sorted(set(values) - {f.name for f in fields(SiteConfig)})
    if unknown:
        raise TypeError(f"SiteConfig has no field {unknown[0]!r}")
    merged = dataclasses.replace(config, **values)
    problems: list[Problem] = []
    _check_values(merged, {}, origin, problems)
    if problems:
        raise BuildFailed(problems)
    return merged
