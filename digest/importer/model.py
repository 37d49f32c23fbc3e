"""The value every importer returns: one article as the source presented it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Imported:
    """One article read from a clipping or a saved page, ready to be written as content."""

    title: str  #: the headline, typography kept
    date: datetime  #: timezone-aware; the source's publication time, else the import day
    summary: str  #: the standfirst or description; "" when the source has none
    body: str  #: Markdown, paragraphs separated by one blank line; may be ""
    source_name: str = ""  #: the publication ("RT", "BBC News"); "" when unknown
    source_url: str = ""  #: the story's own URL at the source (canonical when known)
    source_published: datetime | None = None  #: as the source states it; None when not found
    author: str = ""  #: the byline without "By"
    tags: tuple[str, ...] = ()  #: the source's own tags or keywords, not the site's
    warnings: tuple[str, ...] = ()  #: what the curator should check before publishing
