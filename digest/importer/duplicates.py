"""Is an imported article already on the site?"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from digest.importer.model import Imported
from digest.rules.sourceurls import normalize_source_url
from digest.rules.slugs import term_key


class ExistingArticle(NamedTuple):
    """What duplicate detection needs of an article already in the content folder."""

    path: Path | str
    title: str
    date: datetime | date | None
    source_url: str | None


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An existing article the import would repeat, and why we think so."""

    path: Path | str
    title: str
    reason: str  #: "same source URL" or "same title on the same day"


def find_duplicates(
    imported: Imported, existing: Iterable[ExistingArticle | tuple[Path | str, str, datetime | date | None, str | None]]
) -> list[Duplicate]:
    """Existing articles with the same normalised source URL, or the same title on the same day.

    Titles compare without regard to case and spacing (:func:`digest.rules.slugs.term_key`);
    days are compared in the imported article's timezone, and a date without a
    time is that day wherever it is. In the order of ``existing``.
    """
    url_key = normalize_source_url(imported.source_url) if imported.source_url else ""
    title_key = term_key(imported.title)
    day = imported.date.date()
    found: list[Duplicate] = []
    for path, title, when, source_url in existing:
        if url_key and source_url and normalize_source_url(source_url) == url_key:
            found.append(Duplicate(path, title, "same source URL"))
        elif title_key and term_key(title) == title_key and when is not None and _day(when, imported) == day:
            found.append(Duplicate(path, title, "same title on the same day"))
    return found


def _day(when: datetime | date, imported: Imported) -> date:
    if isinstance(when, datetime):
        if when.tzinfo is not None and imported.date.tzinfo is not None:
            return when.astimezone(imported.date.tzinfo).date()
        return when.date()
    return when
