"""``digest import``: one clipping or saved page in, one new article file out."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from typing import TYPE_CHECKING

from digest.config import SiteConfig
from digest.model.languages import language_config
from digest.sources.frontmatter import check_bytes, parse_article
from digest.errors import DigestError
from digest.importer.clipping import parse_clipping
from digest.importer.decode import decode_input
from digest.importer.duplicates import Duplicate, ExistingArticle, find_duplicates
from digest.importer.model import Imported
from digest.rules.sourceurls import registered_host
from digest.importer.suggest import map_tags, suggest_tags, tag_key
from digest.importer.writer import article_path, render_article_file, write_new_file
from digest.sources.load import scan_content
from digest.rules.slugs import term_key

if TYPE_CHECKING:
    from digest.commands.fetch import Fetched
    from digest.server.capture import CaptureRequest

_HTML_RE = re.compile(r"^\s*(?:<!doctype html|<html|<head|<meta|<!--)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ImportResult:
    path: Path
    imported: Imported
    tags: tuple[str, ...]
    suggested: tuple[str, ...]  # site tags found in the text and the page's new keywords, not written
    warnings: tuple[str, ...]


def existing_articles(site_dir: Path, config: SiteConfig) -> tuple[list[ExistingArticle], list[str]]:
    """The site's articles (drafts included) as duplicate candidates, and its tags."""
    files, _assets = scan_content(site_dir, config)
    found: list[ExistingArticle] = []
    tags: dict[str, str] = {}
    for item in files:
        try:
            article = parse_article(item.path, item.rel, check_bytes(item.path, item.data), config.tz)
        except DigestError:
            continue  # `digest check` reports broken files; they cannot be duplicates we could name
        found.append(
            ExistingArticle(item.path, article.title, article.date, article.source.url if article.source else None)
        )
        for tag in article.tags:
            tags.setdefault(term_key(tag), tag)
    return found, sorted(tags.values())


@dataclass(frozen=True, slots=True)
class SaveOptions:
    """What the curator adds to an imported story before it is written."""

    tags: tuple[str, ...] = ()  #: given with --tag, written first
    via: str | None = None
    note: str | None = None
    accept_suggested: bool = False  #: also write the suggested tags
    force: bool = False  #: write even a duplicate (under a name of its own)
    draft: bool = False


def parse_input(
    data: bytes, name: str, config: SiteConfig, *, now: datetime, source_url: str | None = None,
    source_name: str | None = None, html: bool = False,
) -> Imported:
    """The story in a clipping or a page (``html``: a page whatever it looks like, as fetched as text/html)."""
    text = decode_input(data, name)
    tz = config.tz
    today = now.astimezone(tz)
    if html or name.lower().endswith((".html", ".htm")) or _HTML_RE.match(text):
        try:
            from digest.importer.html_page import parse_html_page
        except ImportError:
            raise DigestError(
                "importing HTML pages needs the import extra (lxml, trafilatura): pip install 'digest[import]'", name
            ) from None
        item = parse_html_page(text, tz, today, url=source_url)
    else:
        item = parse_clipping(text, tz, today)
    if source_url:
        item = dataclasses.replace(item, source_url=source_url)
    if source_name:
        item = dataclasses.replace(item, source_name=source_name)
    if not item.title:
        raise DigestError("no headline found in the input: is it a news article?", name)
    return item


def import_article(
    site_dir: Path,
    config: SiteConfig,
    data: bytes,
    name: str,
    *,
    now: datetime,
    source_url: str | None = None,
    source_name: str | None = None,
    tags: tuple[str, ...] = (),
    via: str | None = None,
    accept_suggested: bool = False,
    force: bool = False,
    draft: bool = False,
) -> ImportResult:
    """Parse the input, refuse duplicates, write ``content/YYYY/MM/<slug>.md`` (never overwriting); on a
    multilingual site into the default language's folder, ``content/<lang>/YYYY/MM/``."""
    config = language_config(config)
    item = parse_input(data, name, config, now=now, source_url=source_url, source_name=source_name)
    options = SaveOptions(tags=tags, via=via, accept_suggested=accept_suggested, force=force, draft=draft)
    return save_item(site_dir, config, item, name, options)


def save_item(
    site_dir: Path, config: SiteConfig, item: Imported, name: str, options: SaveOptions, *,
    link_only: bool = False, warnings: tuple[str, ...] = (),
    site: tuple[list[ExistingArticle], list[str]] | None = None,
) -> ImportResult:
    """Refuse a duplicate or a story without text, choose the tags, write the file.

    ``link_only``: a link item, written without body (and without summary unless
    it came from a feed). ``warnings`` come before the parser's in the result
    (a redirect, say). ``site``: :func:`existing_articles`, when the caller has it.
    """
    if link_only:
        item = dataclasses.replace(item, body="", summary="" if item.body else item.summary)
    elif not item.body.strip():
        raise DigestError(
            "no article text found in the input: nothing written; paste the text into a .txt file and import that,"
            " or use --link URL to keep only a link to the story", name,
        )
    existing, site_tags = site if site is not None else existing_articles(site_dir, config)
    dupes = find_duplicates(item, existing)
    if dupes and not options.force:
        raise DigestError(_duplicate_message(dupes), name)

    given = list(dict.fromkeys(t.strip() for t in options.tags if t.strip()))
    # the page's own keywords name some of the site's tags: those are written; new ones are only suggested
    keywords = map_tags(item.tags, site_tags, title=item.title)
    chosen = given + [t for t in keywords.existing if tag_key(t) not in {tag_key(g) for g in given}]
    chosen_keys = {tag_key(t) for t in chosen}
    in_text = suggest_tags(f"{item.title}\n{item.summary}\n{item.body}", site_tags)
    suggested = tuple(dict.fromkeys(t for t in [*in_text, *keywords.new] if tag_key(t) not in chosen_keys))
    final = tuple(chosen + (list(suggested) if options.accept_suggested else []))
    content_dir = site_dir / config.content_dir
    path = article_path(content_dir, item)
    if options.force:  # a forced duplicate gets a name of its own; an existing file is never overwritten
        path = _free_path(path)
    text = render_article_file(item, tags=final, via=options.via, draft=options.draft, note=options.note)
    write_new_file(path, text, content_dir=content_dir)
    kept = suggested if not options.accept_suggested else ()
    return ImportResult(path, item, final, kept, (*warnings, *item.warnings))


def import_url(
    site_dir: Path, config: SiteConfig, url: str, options: SaveOptions, *, now: datetime,
    source_url: str | None = None, source_name: str | None = None, link_only: bool = False,
    fetched: Fetched | None = None,
) -> ImportResult:
    """Fetch ``url`` (unless ``fetched`` is it) and import the page as a saved page, the final URL its source."""
    from digest.commands.fetch import as_utf8, fetch_page

    fetched = fetched if fetched is not None else fetch_page(url)
    said = (f"{url} redirected to {fetched.url}",) if fetched.redirects else ()
    item = parse_input(as_utf8(fetched), fetched.url, config, now=now, source_url=source_url or fetched.url,
                       source_name=source_name, html=True)
    return save_item(site_dir, config, item, fetched.url, options, link_only=link_only, warnings=said)


def import_link(
    site_dir: Path, config: SiteConfig, url: str, options: SaveOptions, *, title: str | None, now: datetime,
    source_name: str | None = None,
) -> ImportResult:
    """A link item: a draft without body pointing at ``url`` (``options.note`` says why it matters).

    With ``title``, nothing is fetched: it is dated now and credited to
    ``source_name`` or the URL's host. Without, the page gives headline, date and source.
    """
    from digest.commands.fetch import is_url

    if not is_url(url):
        raise DigestError(f"--link needs an http(s) URL, not {url!r}")
    if not title or not title.strip():
        return import_url(site_dir, config, url, options, now=now, source_name=source_name, link_only=True)
    item = Imported(
        title=" ".join(title.split()),
        date=now.astimezone(config.tz).replace(microsecond=0),
        summary="",
        body="",
        source_name=source_name or registered_host(url),
        source_url=url,
    )
    return save_item(site_dir, config, item, url, options, link_only=True)


def _free_path(path: Path) -> Path:
    """``path``, or ``<stem>-2.md``, ``-3``... when it exists: a forced duplicate never overwrites a file."""
    candidate, number = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{number}.md")
        number += 1
    return candidate


def _duplicate_message(dupes: list[Duplicate]) -> str:
    lines = [f"{d.path}: {d.reason} ('{d.title}')" for d in dupes]
    return "this story is already in the digest:\n  " + "\n  ".join(lines) + "\nuse --force to import it anyway"


@dataclass(frozen=True, slots=True)
class FeedResult:
    written: tuple[ImportResult, ...]
    already: int  #: entries already on the site (same normalised URL, or same title on the same day)
    older: int  #: entries dated before --since
    over_limit: int  #: entries left out by --limit
    feeds: tuple[str, ...]  #: the feeds read (several for an OPML list)


def import_feed(
    site_dir: Path, config: SiteConfig, data: bytes, name: str, options: SaveOptions, *, now: datetime,
    since: date | None = None, limit: int | None = None,
) -> FeedResult:
    """One draft per entry of an RSS/Atom feed (or of every feed an OPML list names) not yet on the site.

    Entries are taken newest first; ``since`` leaves out those dated before that
    day (in the site's timezone), ``limit`` caps how many are written.
    """
    from digest.importer.feed import is_opml, parse_feed, parse_opml

    text = decode_input(data, name)
    today = now.astimezone(config.tz)
    sources = [(name, data)]
    if is_opml(text):
        sources = [(url, _read_feed(url, Path(name).parent)) for url in parse_opml(data, name)]
    entries: list[Imported] = []
    for feed_name, feed_data in sources:
        entries.extend(parse_feed(feed_data, feed_name, config.tz, today).entries)
    entries.sort(key=lambda item: item.date, reverse=True)
    site = existing_articles(site_dir, config)
    options = dataclasses.replace(options, draft=True)  # an entry is a lead to read, not yet a story to publish
    written: list[ImportResult] = []
    already = older = over = 0
    for item in entries:
        if since is not None and item.date.astimezone(config.tz).date() < since:
            older += 1
            continue
        if find_duplicates(item, site[0]):
            already += 1
            continue
        if limit is not None and len(written) >= limit:
            over += 1
            continue
        result = save_item(site_dir, config, item, name, options, link_only=True, site=site)
        written.append(result)
        site[0].append(ExistingArticle(result.path, item.title, item.date, item.source_url or None))
    return FeedResult(tuple(written), already, older, over, tuple(feed for feed, _ in sources))


def _read_feed(location: str, base: Path) -> bytes:
    """A feed an OPML list names: fetched when it is a URL, else read beside the list."""
    from digest.commands.fetch import fetch_page, is_url

    if is_url(location):
        return fetch_page(location, feeds=True).data
    try:
        return (base / location).read_bytes()
    except OSError as exc:
        raise DigestError(f"cannot read the feed {location}: {exc.strerror}", location) from None


def import_capture(site_dir: Path, request: CaptureRequest, *, now: datetime) -> str:
    """A page the capture bookmarklet sent to ``digest serve``, as a draft; returns its site-relative path.

    With the page's HTML, metadata comes from it; selected text, when there is
    some, is the body (the curator chose it), else the extracted article text.
    Without HTML, the title and the selection are read as a clipping.
    """
    from digest.config import load_config
    from digest.importer.clipping import escape_block

    config = load_config(site_dir)
    url = request.url if request.url.startswith(("http://", "https://")) else None
    selection = [line.strip() for line in request.selection.replace("\r", "\n").split("\n") if line.strip()]
    if request.html.strip():
        item = parse_input(request.html.encode("utf-8"), url or "captured page", config, now=now, source_url=url,
                           html=True)
        if len(" ".join(selection).split()) >= 20:
            item = dataclasses.replace(item, body="\n\n".join(escape_block(line) for line in selection))
    elif selection:
        clipping = "\n".join([request.title, "", *selection])
        item = parse_input(clipping.encode("utf-8"), "selection.txt", config, now=now, source_url=url)
    else:
        raise DigestError("the bookmarklet sent neither the page nor a selection: nothing to import")
    result = save_item(site_dir, config, item, url or "captured page", SaveOptions(draft=True))
    return result.path.relative_to(site_dir).as_posix()
