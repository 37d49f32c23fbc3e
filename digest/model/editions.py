"""Editions: the site's articles grouped into numbered issues, each in sections.

A pure function of the site's articles, the config, the edition files and ``now``.

Numbers are stable by construction. With a ``daily``, ``weekly`` or ``monthly``
cadence an edition's number is the count of periods from ``editions.start`` (edition
1 is the period that holds that day), so it depends only on the calendar: adding an
article to an old week, or one dated before edition 1, never renumbers a later edition.
A period with no articles has no edition, and its number is skipped rather than
reused. With a ``manual`` cadence an edition is declared by its file
``content/editions/<n>.md`` and articles join it with ``edition: <n>``.

An edition is *finished* at its ``published`` time (from its file), else when its
period ends (local midnight in the site's timezone, so DST changes do not move it);
a manual edition without ``published`` is never finished.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping, Sequence

from markupsafe import Markup

from digest.config import WEEKDAYS, EditionsConfig, SiteConfig
from digest.model.site import Article, Site
from digest.rules.slugs import slugify
from digest.sources.editions import EditionNote


@dataclass(frozen=True, slots=True)
class EditionLink:
    number: int
    title: str
    url: str
    count: int


@dataclass(frozen=True, slots=True, eq=False)
class Section:
    name: str  # empty: the edition has no sections configured (no heading)
    slug: str
    articles: tuple[Article, ...]  # newest first

    @property
    def count(self) -> int:
        return len(self.articles)


@dataclass(frozen=True, slots=True, eq=False)
class Edition:
    number: int
    title: str
    url: str  # /editions/<n>/
    start: date  # first day of its period (manual: of its oldest article)
    end: date  # last day, inclusive
    finished: bool
    finished_at: datetime | None  # when it is (or was) finished; None: a manual edition not yet published
    intro_html: Markup
    sections: tuple[Section, ...]  # configured order, "Other" last
    prev: EditionLink | None  # older
    next: EditionLink | None  # newer
    note_path: str = ""  # content/editions/<n>.md when there is one

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(a for s in self.sections for a in s.articles)

    @property
    def count(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def has_drafts(self) -> bool:
        return any(a.draft for a in self.articles)

    @property
    def link(self) -> EditionLink:
        return EditionLink(self.number, self.title, self.url, self.count)

    def inputs(self) -> tuple[object, ...]:
        """What the edition's pages show, for the page hash."""
        return (
            self.number, self.title, self.url, self.start, self.end, self.finished, self.finished_at,
            str(self.intro_html), self.prev, self.next,
            tuple((s.name, tuple(a.header + a.key for a in s.articles)) for s in self.sections),
        )


@dataclass(frozen=True, slots=True, eq=False)
class Editions:
    config: EditionsConfig
    items: tuple[Edition, ...]  # the editions with pages, newest first
    of_article: Mapping[int, int]  # article index -> edition number
    by_number: Mapping[int, Edition]
    notes: tuple[EditionNote, ...]
    published: tuple[Edition, ...]  # in /latest/ and the feeds, newest first
    unknown_numbers: Mapping[int, int]  # article index -> an ``edition:`` that matches no edition (manual)
    before_start: tuple[Article, ...]  # dated before edition 1 (daily, weekly, monthly)

    @property
    def latest(self) -> Edition | None:
        return self.published[0] if self.published else None

    @property
    def url(self) -> str:
        return self.config.url

    def of(self, article: object) -> Edition | None:
        """The edition an article (or an article page) is in."""
        index = getattr(article, "index", None)
        number = self.of_article.get(index) if isinstance(index, int) else None
        return self.by_number.get(number) if number is not None else None

    def signature(self) -> str:
        """A hash of every edition's list entry (number, title, count, state), for the pages that list them."""
        blob = repr([(e.number, e.title, e.url, e.count, e.finished, e.start, e.end) for e in self.items])
        blob += repr([e.number for e in self.published])
        blob += repr([(n.path, n.text) for n in self.notes])  # an intro's edit reloads the dev server's pages
        return hashlib.blake2b(blob.encode(), digest_size=16).hexdigest()


def with_editions(site: Site, notes: Sequence[EditionNote], now: datetime) -> Site:
    """The site with its editions (unchanged when the config has none)."""
    if not site.config.editions.enabled:
        return site
    return replace(site, editions=build_editions(site.articles, site.config, notes, now))


def edition_number(value: object) -> int | None:
    """An ``edition:`` front matter value as a number, or None when it is not one (``digest check`` says so)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if number >= 1 else None
    return None


class Calendar:
    """Edition numbers and periods of a daily, weekly or monthly cadence."""

    def __init__(self, config: EditionsConfig) -> None:
        self.cadence = config.cadence
        self.week_start = WEEKDAYS.index(config.week_starts.lower())
        self.epoch = self.period_start(date.fromisoformat(config.start))

    def period_start(self, day: date) -> date:
        if self.cadence == "weekly":
            return day - timedelta(days=(day.weekday() - self.week_start) % 7)
        if self.cadence == "monthly":
            return day.replace(day=1)
        return day

    def number(self, day: date) -> int:
        start = self.period_start(day)
        if self.cadence == "weekly":
            return (start - self.epoch).days // 7 + 1
        if self.cadence == "monthly":
            return (start.year * 12 + start.month) - (self.epoch.year * 12 + self.epoch.month) + 1
        return (start - self.epoch).days + 1

    def bounds(self, number: int) -> tuple[date, date]:
        """First and last day of edition ``number``'s period."""
        if self.cadence == "weekly":
            start = self.epoch + timedelta(days=7 * (number - 1))
            return start, start + timedelta(days=6)
        if self.cadence == "monthly":
            months = self.epoch.year * 12 + self.epoch.month - 1 + number - 1
            year, month = divmod(months, 12)
            start = date(year, month + 1, 1)
            return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])
        start = self.epoch + timedelta(days=number - 1)
        return start, start


def build_editions(
    articles: Sequence[Article], config: SiteConfig, notes: Iterable[EditionNote], now: datetime
) -> Editions:
    cfg = config.editions
    tz = config.tz
    now = now.astimezone(tz)
    note_of = {n.number: n for n in notes}
    cal = Calendar(cfg) if cfg.cadence != "manual" else None
    members: dict[int, list[Article]] = {}
    unknown: dict[int, int] = {}
    before: list[Article] = []
    for article in articles:  # newest first, so each edition's list is too
        number = edition_number(article.extra.get("edition"))
        if cal is None:
            if number is None:
                continue
            if number not in note_of:
                unknown[article.index] = number
                continue
        elif number is None:
            number = cal.number(article.date.date())
            if number < 1:
                before.append(article)
                continue
        members.setdefault(number, []).append(article)

    order = {name.casefold(): i for i, name in enumerate(cfg.sections)}
    built: list[Edition] = []
    for number in sorted(members, reverse=True):
        items = members[number]
        note = note_of.get(number)
        if cal is not None:
            start, end = cal.bounds(number)
            finished_at: datetime | None = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
        else:
            start, end = items[-1].date.date(), items[0].date.date()
            finished_at = None
        if note is not None and note.published is not None:
            finished_at = note.published
        title = (note.title if note is not None and note.title else
                 cfg.title.format(number=number, start=f"{start:{cfg.date_format}}", end=f"{end:{cfg.date_format}}"))
        built.append(Edition(
            number=number, title=title, url=f"{cfg.url}{number}/", start=start, end=end,
            finished=finished_at is not None and now >= finished_at, finished_at=finished_at,
            intro_html=Markup(note.intro_html if note is not None else ""),
            sections=_sections(items, cfg, order), prev=None, next=None,
            note_path=note.path if note is not None else "",
        ))
    if cfg.in_progress == "hide":
        built = [e for e in built if e.finished]
    linked = tuple(
        replace(e, prev=built[i + 1].link if i + 1 < len(built) else None, next=built[i - 1].link if i > 0 else None)
        for i, e in enumerate(built)
    )
    published = tuple(e for e in linked if e.finished or cfg.in_progress == "publish")
    by_number = {e.number: e for e in linked}
    return Editions(
        config=cfg, items=linked,
        of_article={a.index: e.number for e in linked for a in e.articles},
        by_number=by_number, notes=tuple(note_of.values()), published=published,
        unknown_numbers=unknown, before_start=tuple(before),
    )


def section_of(article: Article, order: Mapping[str, int]) -> int | None:
    """The index of the article's ``section:`` in the configured list, or None (it goes under "Other")."""
    value = article.extra.get("section")
    return order.get(value.strip().casefold()) if isinstance(value, str) else None


def _sections(items: Sequence[Article], cfg: EditionsConfig, order: Mapping[str, int]) -> tuple[Section, ...]:
    if not cfg.sections:
        return (Section("", "", tuple(items)),)
    groups: dict[int, list[Article]] = {}
    for article in items:
        index = section_of(article, order)
        groups.setdefault(len(cfg.sections) if index is None else index, []).append(article)
    names = [*cfg.sections, cfg.other]
    return tuple(
        Section(names[i], slugify(names[i], fallback=f"section-{i + 1}"), tuple(groups[i]))
        for i in sorted(groups)
    )
