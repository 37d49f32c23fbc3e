"""The pages and files of editions: the list, each edition, /latest/, the e-mail copies and the edition feeds.

``/latest/`` is a real page (a copy of the newest finished edition's page) whose canonical
link is that edition's own URL, so search engines index the edition once. Each edition's
``email.html`` is its own template with every style inlined (see the ``inline_css`` filter
of ``digest.render.theme``); ``email.txt`` is made here. The feeds hold one entry per
finished edition, the whole edition as its content.
"""

from __future__ import annotations

import functools
import html
from datetime import datetime
from typing import Callable, Sequence
from urllib.parse import urlsplit

from digest.config import SiteConfig
from digest.model.editions import Edition, Editions
from digest.outputs.email_text import edition_text
from digest.outputs.feeds import EMPTY_FEED_DATE, Entry, FeedMeta, absolute_links, render_atom, render_json_feed
from digest.outputs.links import item_url
from digest.plan.pages import Feed, Planner
from digest.rules.urls import join_base

_FEEDS: tuple[tuple[str, str, str, Callable[[FeedMeta, Sequence[Entry]], str]], ...] = (
    ("atom", "application/atom+xml", "Atom", render_atom),
    ("json", "application/feed+json", "JSON Feed", render_json_feed),
)


def edition_feeds(config: SiteConfig) -> tuple[Feed, ...]:
    cfg = config.editions
    return tuple(Feed(f"Editions ({label})", cfg.url + getattr(cfg, name), media)
                 for name, media, label, _render in _FEEDS if getattr(cfg, name))


def _count(n: int) -> str:
    return f"{n} article{'' if n == 1 else 's'}"


def plan_editions(planner: Planner) -> None:
    editions = planner.site.editions
    if editions is None:
        return
    config = planner.config
    cfg = editions.config
    feeds = edition_feeds(config)
    planner.add(
        url=cfg.url, kind="editions", title="Editions", template="editions.html", inputs=(editions.signature(),),
        origin="the list of editions", description=f"Every edition of {config.title}", feeds=feeds,
        editions=editions,
    )
    for edition in editions.items:
        description = f"{_count(edition.count)}, {edition.start:{cfg.date_format}} – {edition.end:{cfg.date_format}}"
        planner.add(
            url=edition.url, kind="edition", title=edition.title, template="edition.html", inputs=edition.inputs(),
            origin=f"edition {edition.number}", description=description, feeds=feeds, edition=edition,
            editions=editions, canonical=join_base(config.base_url, edition.url),
        )
        planner.add(
            url=edition.url + "email.html", kind="email", title=edition.title, template="email.html",
            inputs=edition.inputs(), origin=f"the e-mail copy of edition {edition.number}", description=description,
            edition=edition, editions=editions,
        )
        planner.add(
            url=edition.url + "email.txt", kind="email", title=edition.title, template=None,
            inputs=edition.inputs(), origin=f"the text copy of edition {edition.number}",
            produce=functools.partial(edition_text, edition, config),
        )
    latest = editions.latest
    if cfg.latest and latest is not None:
        planner.add(
            url=cfg.latest, kind="latest", title=latest.title, template="edition.html", inputs=latest.inputs(),
            origin="the latest edition", description=f"The latest edition of {config.title}: {latest.title}",
            feeds=feeds, edition=latest, editions=editions, canonical=join_base(config.base_url, latest.url),
        )
    _plan_feeds(planner, editions, feeds)


def _plan_feeds(planner: Planner, editions: Editions, feeds: tuple[Feed, ...]) -> None:
    config = planner.config
    items = editions.published[: editions.config.feed_limit]
    updated = max((_updated(e) for e in items), default=EMPTY_FEED_DATE)
    renderers = {media: render for _name, media, _label, render in _FEEDS}
    for feed in feeds:
        meta = FeedMeta(
            title=f"{config.title}: editions", description=config.description or f"Every edition of {config.title}",
            language=config.language, home_url=join_base(config.base_url, editions.config.url),
            feed_url=join_base(config.base_url, feed.url), author=config.feeds.author or config.title, updated=updated,
        )

        def produce(render: Callable[[FeedMeta, Sequence[Entry]], str] = renderers[feed.type],
                    meta: FeedMeta = meta) -> str:
            return render(meta, [edition_entry(e, config) for e in items])

        planner.add(
            url=feed.url, kind="feed", title=feed.title, template=None, origin=f"the feed {feed.title}",
            inputs=(feed.type, meta, tuple(e.inputs() for e in items)), produce=produce,
        )


def _updated(edition: Edition) -> datetime:
    newest = max((a.updated or a.date for a in edition.articles), default=EMPTY_FEED_DATE)
    return max(newest, edition.finished_at) if edition.finished_at is not None else newest


def edition_entry(edition: Edition, config: SiteConfig) -> Entry:
    """One feed entry: the id is fixed by the edition's number and first day, so it never changes."""
    url = join_base(config.base_url, edition.url)
    authority = config.feeds.id_authority or (urlsplit(config.base_url).hostname or "localhost")
    published = edition.finished_at or max(a.date for a in edition.articles)
    fmt = config.editions.date_format
    return Entry(
        id=f"tag:{authority},{edition.start:%Y-%m-%d}:edition-{edition.number}",
        url=url, title=edition.title, published=published, updated=_updated(edition),
        summary=f"{_count(edition.count)}, {edition.start:{fmt}} – {edition.end:{fmt}}",
        content_html=absolute_links(edition_html(edition, config), url),
        author="", tags=(), source_name="", source_url="", image="",
    )


def edition_html(edition: Edition, config: SiteConfig) -> str:
    """The edition as one HTML fragment (feeds): the intro, then each section's items."""
    esc = html.escape
    parts = [str(edition.intro_html)] if edition.intro_html else []
    for section in edition.sections:
        if section.name:
            parts.append(f"<h2>{esc(section.name)}</h2>")
        parts.append("<ul>")
        for article in section.articles:
            item = [f'<li><p><a href="{esc(item_url(article, config))}"><strong>{esc(article.title)}</strong></a>']
            if article.source is not None and article.source.name:
                item.append(f" — {esc(article.source.name)}")
            item.append("</p>")
            if article.summary:
                item.append(f"<p>{esc(article.summary)}</p>")
            if article.has_note and article.note_html:
                item.append(f"<blockquote>{article.note_html}</blockquote>")
            parts.append("".join(item) + "</li>")
        parts.append("</ul>")
    return "\n".join(parts)
