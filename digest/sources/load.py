"""Source files to rendered articles: read, hash, look up the cache, render the rest in parallel."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from multiprocessing.connection import Connection
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import markdown as markdown_pkg
import nh3

from digest import __version__
from digest.config import SiteConfig
from digest.sources.frontmatter import (
    ARTICLE_SUFFIXES, SourceArticle, SourceInfo, check_bytes, parse_article, read_article_bytes,
)
from digest.errors import DigestError, Problem
from digest.sources.markup import MarkdownRenderer
from digest.sources.searchterms import body_terms

# Below this many files to render, worker start-up costs more than it saves.
PARALLEL_THRESHOLD = 48


@dataclass(frozen=True, slots=True)
class LoadedArticle:
    """A parsed article with its rendered body and note."""

    source: SourceArticle
    html: str
    toc: str
    auto_summary: str
    note_html: str
    key: str  # cache key: changes whenever the file or the render settings change
    terms: str = ""  # the body's search terms, sorted and space-separated (see searchterms.body_terms)

    def to_record(self) -> Record:
        """A flat tuple for the cache: metadata as JSON, the big HTML strings as they are."""
        data = asdict(self.source)
        data["body"] = ""  # later stages need the rendered HTML only; keep the cache small
        meta = json.dumps(data, default=_json_default, ensure_ascii=False)
        return (self.key, meta, self.html, self.toc, self.auto_summary, self.note_html, self.terms)

    @classmethod
    def from_record(cls, record: Record) -> LoadedArticle:
        key, meta, html, toc, auto_summary, note_html, terms = record
        src = json.loads(meta)
        source = src["source"]
        article = SourceArticle(
            path=src["path"],
            rel=src["rel"],
            title=src["title"],
            date=datetime.fromisoformat(src["date"]),
            tags=tuple(src["tags"]),
            summary=src["summary"],
            source=None
            if source is None
            else SourceInfo(
                name=source["name"],
                url=source["url"],
                published=datetime.fromisoformat(source["published"]) if source["published"] else None,
            ),
            author=src["author"],
            slug=src["slug"],
            draft=src["draft"],
            updated=datetime.fromisoformat(src["updated"]) if src["updated"] else None,
            image=src["image"],
            note=src["note"],
            via=src["via"],
            extra=src["extra"],
            body="",
            body_line=src["body_line"],
            lang=src.get("lang", ""),
            translation_key=src.get("translation_key", ""),
        )
        return cls(article, html, toc, auto_summary, note_html, key, terms)


Record = tuple[str, str, str, str, str, str, str]  # key, metadata JSON, html, toc, auto summary, note html, terms


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in the cache")


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
        "markdown": markdown_pkg.__version__,
        "nh3": getattr(nh3, "__version__", "?"),
        "md": repr(config.markdown),
        "html": repr(config.html),
        "tz": config.timezone,
        "summary": config.summary_length,
        "content": config.content_dir,  # each language of a multilingual site has its own folder
        "record": 2,  # the fields of a cache record (2: lang, translation_key)
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
        if is_article:
            data = read_article_bytes(full, f"{config.content_dir}/{rel}")
            articles.append(SourceFile(f"{config.content_dir}/{rel}", rel, data, file_key(settings, rel, data)))
        else:
            assets.append((rel, full))
    return articles, assets


def process(files: list[SourceFile], config: SiteConfig) -> list[Record | Problem]:
    """Parse and render files (runs in a worker): a cache record or a Problem for each."""
    renderer = MarkdownRenderer(config.markdown, config.html)
    tz = config.tz
    out: list[Record | Problem] = []
    for item in files:
        try:
            text = check_bytes(item.path, item.data)
            article = parse_article(item.path, item.rel, text, tz)
            rendered = renderer.render(article.body, config.summary_length)
            note_html = renderer.render_note(article.note)
            terms = body_terms(rendered.html, note_html)
            loaded = LoadedArticle(article, rendered.html, rendered.toc, rendered.summary, note_html, item.key, terms)
            out.append(loaded.to_record())
        except DigestError as exc:  # a renderer's error knows the line but not the file
            out.append(exc.problem if exc.path else Problem(item.path, exc.line, exc.message))
        except RecursionError:
            out.append(Problem(item.path, 1, "the Markdown is nested too deeply to render"))
    return out


def _chunks(items: list[SourceFile], count: int) -> Iterator[list[SourceFile]]:
    size = max(1, -(-len(items) // count))
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _worker(chunks: list[list[SourceFile]], mine: range, config: SiteConfig, conn: Connection) -> None:
    try:
        for index in mine:
            conn.send(process(chunks[index], config))
    except BaseException as exc:  # noqa: BLE001 - the parent raises it
        conn.send(exc)
    finally:
        conn.close()


def render_all(files: list[SourceFile], config: SiteConfig, jobs: int) -> Iterator[list[Record | Problem]]:
    """Render in chunks, yielding each chunk's results in file order as it is done (so they can be
    stored and freed)."""
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        for chunk in _chunks(files, max(1, len(files) // 500 + 1)):
            yield process(chunk, config)
        return
    # fork, not a pool: each worker inherits the files (nothing is pickled on the way in, which at
    # 100,000 articles is most of a gigabyte) and takes every jobs-th chunk; the parent reads the
    # chunks back round-robin, so results arrive in file order while both workers keep busy.
    context = multiprocessing.get_context("fork")
    chunks = list(_chunks(files, max(jobs * 4, len(files) // 250)))
    workers = []
    for number in range(min(jobs, len(chunks))):
        parent_end, child_end = context.Pipe(duplex=False)
        proc = context.Process(
            target=_worker, args=(chunks, range(number, len(chunks), jobs), config, child_end), daemon=True
        )
        proc.start()
        child_end.close()
        workers.append((proc, parent_end))
    try:
        for index in range(len(chunks)):
            proc, conn = workers[index % len(workers)]
            try:
                result = conn.recv()
            except EOFError:
                raise RuntimeError(f"a Markdown worker died (exit code {proc.exitcode})") from None
            if isinstance(result, BaseException):
                raise result
            yield result
    finally:
        for proc, conn in workers:
            conn.close()
            if proc.is_alive():
                proc.terminate()
            proc.join()
