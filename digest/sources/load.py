"""Source files to rendered records: find and hash the files, parse and render a chunk of them.

``process`` is pure (text in, records out) and runs in the workers of ``digest.workers``; the
pipeline decides which files need it (the rest come from the cache) and in how many workers.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Sequence

import markdown as markdown_pkg
import nh3

from digest import __version__
from digest.config import SiteConfig
from digest.sources.frontmatter import (
    ARTICLE_SUFFIXES, check_bytes, parse_article, read_article_bytes,
)
from digest.errors import DigestError, Problem
from digest.sources.editions import is_edition_file
from digest.sources.markup import RENDER_REVISION, MarkdownRenderer, plain_text, summarise
from digest.sources.records import Record, encode
from digest.sources.searchterms import body_terms

# Below this many files to render, worker start-up costs more than it saves.
PARALLEL_FILES = 48


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # site-relative, for messages
    rel: str  # content-relative
    data: bytes
    key: str


def render_settings_key(config: SiteConfig) -> str:
    """Everything besides a file's bytes that changes what ``process`` makes of it."""
    parts = {
        "digest": __version__,
        "render": RENDER_REVISION,
        "markdown": markdown_pkg.__version__,
        "nh3": getattr(nh3, "__version__", "?"),
        "md": repr(config.markdown),
        "html": repr(config.html),
        "tz": config.timezone,
        "summary": config.summary_length,
        "content": config.content_dir,  # each language of a multilingual site has its own folder
        "record": 3,  # 2: link items (has_body, note_chars); 3: lang, translation_key
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def file_key(settings: bytes, rel: str, data: bytes) -> str:
    """The cache key of one article file: its bytes, its place and the render settings."""
    return hashlib.sha256(settings + rel.encode() + b"\0" + data).hexdigest()


def is_skipped(name: str) -> bool:
    """Hidden files and folders and ``~`` backups are no part of the site (editors leave them behind)."""
    return name.startswith(".") or name.endswith("~")


def walk_content(content: Path) -> Iterator[tuple[str, Path, bool]]:
    """(content-relative path, file, is an article) for every file under ``content/``, sorted."""
    if not content.is_dir():
        return
    for root, dirs, files in os.walk(content):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if is_skipped(name):
                continue
            full = Path(root) / name
            yield full.relative_to(content).as_posix(), full, name.endswith(ARTICLE_SUFFIXES)


def scan_content(site_dir: Path, config: SiteConfig) -> tuple[list[SourceFile], list[tuple[str, Path]]]:
    """Every article file (read and hashed) and every other file under ``content/``."""
    settings = render_settings_key(config).encode()
    articles: list[SourceFile] = []
    assets: list[tuple[str, Path]] = []
    for rel, full, is_article in walk_content(site_dir / config.content_dir):
        if is_edition_file(rel, config):  # read by digest.sources.editions
            continue
        if is_article:
            try:
                data = read_article_bytes(full, f"{config.content_dir}/{rel}")
            except DigestError:
                if not os.path.lexists(full):
                    continue  # deleted while the build ran: as if the build had started just after
                raise
            articles.append(SourceFile(f"{config.content_dir}/{rel}", rel, data, file_key(settings, rel, data)))
        else:
            assets.append((rel, full))
    return articles, assets


def process(files: Sequence[SourceFile], config: SiteConfig, root: Path | None = None) -> list[Record | Problem | None]:
    """Parse and render files (runs in a worker): for each, a cache record, a Problem, or None for a file
    that is gone. With ``root`` (the content folder), a file without ``data`` is read here, so the parent
    never holds every file's bytes while the workers it forks inherit them; its record's key follows the
    bytes read now (the file may have been saved since the scan hashed it)."""
    renderer = MarkdownRenderer(config.markdown, config.html)
    tz = config.tz
    settings = render_settings_key(config).encode() if any(not f.data for f in files) else b""
    out: list[Record | Problem | None] = []
    for item in files:
        try:
            if not item.data and root is not None:  # (an empty file is read again: still empty)
                full = root / item.rel
                try:
                    data = read_article_bytes(full, item.path)
                except DigestError:
                    if not os.path.lexists(full):
                        out.append(None)  # deleted since the scan: as if the build had started just after
                        continue
                    raise
                item = replace(item, data=data, key=file_key(settings, item.rel, data))
            text = check_bytes(item.path, item.data)
            article = parse_article(item.path, item.rel, text, tz)
            rendered = renderer.render(article.body, config.summary_length)
            note_html = renderer.render_note(article.note)
            terms = body_terms(rendered.html, note_html)
            summary = rendered.summary
            if not article.has_body:  # a link item: its note says what the story is
                note_text = plain_text(note_html)
                article = replace(article, note_chars=len(note_text))
                summary = summarise(note_html, config.summary_length)
            out.append(encode(item.key, article, rendered.html, rendered.toc, summary, note_html, terms))
        except DigestError as exc:  # a renderer's error knows the line but not the file
            out.append(exc.problem if exc.path else Problem(item.path, exc.line, exc.message))
        except RecursionError:
            out.append(Problem(item.path, 1, "the Markdown is nested too deeply to render"))
    return out
