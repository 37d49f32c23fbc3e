"""Feeds as drafts: the entries of an RSS or Atom feed, and the feeds an OPML list names.

feedparser reads the feed (every RSS dialect, Atom, bad dates and bad XML as
real feeds have them); it is given bytes, so it fetches nothing. OPML is read
with lxml with entities and network access off.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from typing import Any

from digest.errors import DigestError
from digest.importer.model import Imported

_MAX_SUMMARY = 600  # characters; a feed's "summary" is sometimes the whole article


@dataclass(frozen=True, slots=True)
class Feed:
    """What a feed file holds: its title and entries, newest first."""

    title: str
    entries: tuple[Imported, ...]


def looks_like_feed(text: str) -> bool:
    """True for RSS, Atom, RDF or OPML text (by its first element)."""
    head = re.sub(r"<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text[:2000], flags=re.S).lstrip()
    return bool(re.match(r"<(?:rss|feed|rdf:RDF|opml)\b", head, re.I))


def is_opml(text: str) -> bool:
    return bool(re.search(r"<opml\b", text[:2000], re.I))


def parse_feed(data: bytes, name: str, tz: tzinfo, today: date | datetime) -> Feed:
    """The entries of the feed in ``data`` as :class:`Imported` values without a body, newest first.

    Each has the entry's title, date (else ``today``, with a warning), link,
    summary as plain text, the feed's title as source and the entry's
    categories as tags. Raises :class:`DigestError` when ``data`` is not a feed.
    """
    try:
        import feedparser  # type: ignore[import-untyped]  # no stubs or py.typed in feedparser
    except ImportError:
        raise DigestError("importing feeds needs the import extra (feedparser): pip install 'digest[import]'") from None
    parsed = feedparser.parse(data)
    if not parsed.entries and (parsed.bozo or not parsed.feed):
        raise DigestError(f"{name} is not an RSS or Atom feed ({parsed.get('bozo_exception', 'no entries')})", name)
    source = _plain(parsed.feed.get("title", ""))
    entries = [_entry(entry, source, tz, today) for entry in parsed.entries]
    entries = [entry for entry in entries if entry.title]
    entries.sort(key=lambda item: item.date, reverse=True)
    return Feed(source, tuple(entries))


def _entry(entry: Any, source: str, tz: tzinfo, today: date | datetime) -> Imported:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("created_parsed")
    warnings: list[str] = []
    published: datetime | None = None
    if stamp:
        published = datetime.fromtimestamp(calendar.timegm(stamp), tz=timezone.utc)
        when = published.astimezone(tz)
    else:
        when = today if isinstance(today, datetime) else datetime.combine(today, datetime.min.time(), tzinfo=tz)
        when = when.astimezone(tz) if when.tzinfo else when.replace(tzinfo=tz)
        warnings.append(f"the feed entry has no date; using {when:%Y-%m-%d}: check `date:`")
    summary = _plain(entry.get("summary", ""))
    if len(summary) > _MAX_SUMMARY:
        summary = summary[:_MAX_SUMMARY].rsplit(" ", 1)[0] + "…"
    tags = tuple(dict.fromkeys(_plain(tag.get("term", "")) for tag in entry.get("tags", []) if tag.get("term")))
    return Imported(
        title=_plain(entry.get("title", "")),
        date=when.replace(microsecond=0),
        summary=summary,
        body="",
        source_name=source,
        source_url=entry.get("link", "") or "",
        source_published=published,
        author=_plain(entry.get("author", "")),
        tags=tags,
        warnings=tuple(warnings),
    )


def _plain(text: str) -> str:
    """Feed text as one line of plain text: tags dropped, entities decoded, spaces collapsed."""
    import html

    text = re.sub(r"<(?:script|style)\b.*?</(?:script|style)>", " ", text, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(html.unescape(text).split())


def parse_opml(data: bytes, name: str) -> tuple[str, ...]:
    """The feed URLs (``xmlUrl``) an OPML subscription list names, in order, each once."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DigestError(f"{name} is not a readable OPML file ({exc})", name) from None
    if root is None:
        raise DigestError(f"{name} is not a readable OPML file", name)
    found: Any = root.xpath("//outline/@xmlUrl")
    urls = [str(url).strip() for url in found if str(url).strip()]
    if not urls:
        raise DigestError(f"{name} names no feeds (no <outline xmlUrl=…>)", name)
    return tuple(dict.fromkeys(urls))
