"""``digest import``: one clipping or saved page in, one new article file out."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from digest.config import SiteConfig
from digest.model.languages import language_config
from digest.sources.frontmatter import check_bytes, parse_article
from digest.errors import DigestError
from digest.importer.clipping import parse_clipping
from digest.importer.decode import decode_input
from digest.importer.duplicates import Duplicate, ExistingArticle, find_duplicates
from digest.importer.model import Imported
from digest.importer.suggest import suggest_tags
from digest.importer.writer import article_path, render_article_file, write_new_file
from digest.sources.load import scan_content
from digest.rules.slugs import term_key

_HTML_RE = re.compile(r"^\s*(?:<!doctype html|<html|<head|<meta|<!--)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ImportResult:
    path: Path
    imported: Imported
    tags: tuple[str, ...]
    suggested: tuple[str, ...]  # site tags found in the text, not given with --tag
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
    text = decode_input(data, name)
    tz = config.tz
    today = now.astimezone(tz)
    if name.lower().endswith((".html", ".htm")) or _HTML_RE.match(text):
        try:
            from digest.importer.html_page import parse_html_page
        except ImportError:
            raise DigestError(
                "importing HTML pages needs the import extra: pip install 'digest[import]'", name
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

    existing, site_tags = existing_articles(site_dir, config)
    dupes = find_duplicates(item, existing)
    if dupes and not force:
        raise DigestError(_duplicate_message(dupes), name)

    given = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
    given_keys = {term_key(t) for t in given}
    suggested = tuple(
        t for t in suggest_tags(f"{item.title}\n{item.summary}\n{item.body}", site_tags) if term_key(t) not in given_keys
    )
    final = tuple(given + (list(suggested) if accept_suggested else []))
    content_dir = site_dir / config.content_dir
    path = article_path(content_dir, item)
    if force:  # a forced duplicate gets a name of its own; an existing file is never overwritten
        number = 2
        while path.exists():
            path = path.with_name(f"{article_path(content_dir, item).stem}-{number}.md")
            number += 1
    write_new_file(path, render_article_file(item, tags=final, via=via, draft=draft), content_dir=content_dir)
    return ImportResult(path, item, final, suggested if not accept_suggested else (), item.warnings)


def _duplicate_message(dupes: list[Duplicate]) -> str:
    lines = [f"{d.path}: {d.reason} ('{d.title}')" for d in dupes]
    return "this story is already in the digest:\n  " + "\n  ".join(lines) + "\nuse --force to import it anyway"
