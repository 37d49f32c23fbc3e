"""Articles as written: front matter split from the body and checked (pure, no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import PurePosixPath
from typing import Any, Mapping

from digest.dates import BadDate, date_from_filename, parse_date_value
from digest.errors import DigestError
from digest.slugs import slug_or_none, slugify
from digest.urls import is_safe_segment
from digest.yamlload import YamlProblem, load_yaml

ARTICLE_SUFFIXES = (".md", ".markdown")
MAX_ARTICLE_BYTES = 10 * 1024 * 1024

KNOWN_KEYS = frozenset(
    {
        "title", "date", "tags", "categories", "category", "summary", "source", "author", "slug",
        "draft", "updated", "image", "note", "via",
    }
)

_OPEN_RE = re.compile(r"^---[ \t]*$")
_CLOSE_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where the curated story comes from."""

    name: str = ""
    url: str = ""
    published: datetime | None = None


@dataclass(frozen=True, slots=True)
class SourceArticle:
    """One article file, parsed and checked, before Markdown rendering."""

    path: str  # site-relative, e.g. content/2022/01/a.md (used in messages)
    rel: str  # content-relative, e.g. 2022/01/a.md (used to place assets)
    title: str
    date: datetime
    tags: tuple[str, ...]
    summary: str | None
    source: SourceInfo | None
    author: str
    slug: str
    draft: bool
    updated: datetime | None
    image: str
    note: str
    via: str
    extra: Mapping[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # file line of the body's first line


def normalise_text(text: str) -> str:
    """Drop a BOM and normalise line ends, so CRLF files parse like LF ones."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Split ``---`` front matter from the body.

    Returns (front matter text or None, body, file line of the body's first
    line). Only the first block is front matter: a later bare ``---`` is body.
    An opening ``---`` with no closing line raises ``DigestError`` at line 1.
    """
    lines = text.split("\n")
    if not lines or not _OPEN_RE.match(lines[0]):
        return None, text, 1
    for index in range(1, len(lines)):
        if _CLOSE_RE.match(lines[index]):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return front, body, index + 2
    raise DigestError("front matter starts with '---' but is never closed: add a line '---' after it", line=1)


def _key_line(front: str, key: str) -> int:
    for number, line in enumerate(front.split("\n"), start=2):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return 1


def _as_text(value: Any, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        raise ValueError(f"'{key}' must be text, not {'a list' if isinstance(value, list) else type(value).__name__}")
    return str(value).strip()


def _as_terms(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    if isinstance(value, list):
        terms: list[str] = []
        for item in value:
            if isinstance(item, (dict, list)) or item is None:
                raise ValueError(f"'{key}' must be a list of names, like [energy, markets]")
            text = " ".join(str(item).split())
            if text:
                terms.append(text)
        return terms
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    raise ValueError(f"'{key}' must be a list of names or a comma-separated string, like [energy, markets]")


def _plain_value(value: Any) -> Any:
    """Front-matter values made JSON-safe, so a cached article equals a fresh one."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain_value(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def parse_article(path: str, rel: str, text: str, tz: tzinfo) -> SourceArticle:
    """Parse one article's text; raise ``DigestError`` with the file and line of the problem."""
    text = normalise_text(text)
    try:
        front, body, body_line = split_front_matter(text)
    except DigestError as exc:
        raise DigestError(exc.message, path, exc.line) from None
    if front is None:
        raise DigestError(
            "no front matter: start the file with a '---' line, then 'title:' and 'date:', then '---'", path, 1
        )
    try:
        meta = load_yaml(front, first_line=2)
    except YamlProblem as exc:
        raise DigestError(exc.message, path, exc.line) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DigestError("front matter must be a mapping of keys to values, like 'title: ...'", path, 2)
    meta = {str(k): v for k, v in meta.items()}

    def fail(key: str, message: str) -> DigestError:
        return DigestError(message, path, _key_line(front, key))

    try:
        title = _as_text(meta.get("title"), "title")
    except ValueError as exc:
        raise fail("title", str(exc)) from None
    if not title:
        raise DigestError("missing 'title': add a line like 'title: What happened' to the front matter", path, 2)

    stem = PurePosixPath(rel).stem
    name_date = date_from_filename(stem)
    if "date" in meta and meta["date"] is not None:
        try:
            when = parse_date_value(meta["date"], tz)
        except BadDate as exc:
            raise fail("date", f"bad 'date': {exc}") from None
    elif name_date is not None:
        when = parse_date_value(name_date[0], tz)
    else:
        raise DigestError(
            "missing 'date': add a line like 'date: 2022-01-10 09:39' (or name the file 2022-01-10-slug.md)", path, 2
        )

    updated = None
    if meta.get("updated") is not None:
        try:
            updated = parse_date_value(meta["updated"], tz)
        except BadDate as exc:
            raise fail("updated", f"bad 'updated': {exc}") from None

    try:
        tags = _as_terms(meta.get("tags"), "tags")
        tags += _as_terms(meta.get("categories"), "categories") + _as_terms(meta.get("category"), "category")
    except ValueError as exc:
        key = "tags" if "tags" in str(exc) else "categories" if "categories" in str(exc) else "category"
        raise fail(key, str(exc)) from None

    source = _parse_source(meta.get("source"), tz, fail)

    slug_value = meta.get("slug")
    if slug_value is not None:
        slug = str(slug_value).strip()
        if not is_safe_segment(slug):
            raise fail(
                "slug",
                f"slug '{slug}' is not URL-safe: use letters, digits and hyphens only, like '{slugify(slug)}'",
            )
    else:
        base = name_date[1] if name_date else stem
        if base == "index" and "/" in rel:
            base = PurePosixPath(rel).parent.name
        slug = slug_or_none(base) or slugify(title)

    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise fail("draft", "'draft' must be true or false")

    try:
        summary = _as_text(meta.get("summary"), "summary") or None
        author = _as_author(meta.get("author"))
        image = _as_text(meta.get("image"), "image")
        note = _as_text(meta.get("note"), "note")
        via = _as_text(meta.get("via"), "via")
    except ValueError as exc:
        key = str(exc).split("'")[1]
        raise fail(key, str(exc)) from None

    extra = {k: _plain_value(v) for k, v in meta.items() if k not in KNOWN_KEYS}
    return SourceArticle(
        path=path,
        rel=rel,
        title=title,
        date=when,
        tags=tuple(dict.fromkeys(tags)),
        summary=summary,
        source=source,
        author=author,
        slug=slug,
        draft=draft,
        updated=updated,
        image=image,
        note=note,
        via=via,
        extra=extra,
        body=body,
        body_line=body_line,
    )


def _as_author(value: Any) -> str:
    if isinstance(value, dict):  # {name: ..., url: ...} as some exporters write
        return str(value.get("name", "")).strip()
    if isinstance(value, list):
        return ", ".join(str(v).strip() for v in value if v is not None)
    return _as_text(value, "author")


def _parse_source(value: Any, tz: tzinfo, fail: Any) -> SourceInfo | None:
    if value is None:
        return None
    if isinstance(value, str):  # "source: Reuters" or "source: https://..."
        text = value.strip()
        if re.match(r"^https?://", text):
            return SourceInfo(url=text)
        return SourceInfo(name=text) if text else None
    if not isinstance(value, dict):
        raise fail("source", "'source' must be a mapping with 'name', 'url' and optionally 'published'")
    unknown = set(map(str, value)) - {"name", "url", "published"}
    if unknown:
        raise fail("source", f"unknown key 'source.{sorted(unknown)[0]}': use name, url, published")
    name = value.get("name")
    url = value.get("url")
    if isinstance(name, (list, dict)) or isinstance(url, (list, dict)):
        raise fail("source", "'source.name' and 'source.url' must be text")
    url_text = str(url).strip() if url is not None else ""
    if url_text and not re.match(r"^https?://", url_text, re.IGNORECASE):
        raise fail("source", f"'source.url' must be an http(s) URL, not '{url_text}'")
    published = None
    if value.get("published") is not None:
        try:
            published = parse_date_value(value["published"], tz)
        except BadDate as exc:
            raise fail("published", f"bad 'source.published': {exc}") from None
    name_text = str(name).strip() if name is not None else ""
    if not name_text and not url_text:
        return None
    return SourceInfo(name=name_text, url=url_text, published=published)


def check_bytes(path: str, data: bytes) -> str:
    """Decode an article file's bytes, or say clearly why it cannot be read."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise DigestError(
            f"file is {len(data) / 1048576:.1f} MiB; articles over {MAX_ARTICLE_BYTES // 1048576} MiB are refused:"
            " split it or move the data out of content/",
            path,
            1,
        )
    if not data.strip():
        raise DigestError("file is empty: add front matter with 'title' and 'date', or delete it", path, 1)
    if b"\x00" in data:
        raise DigestError("file has NUL bytes (binary?): articles must be UTF-8 text", path, 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guess = _guess_encoding(data)
        hint = f" (it looks like {guess})" if guess else ""
        raise DigestError(
            f"file is not UTF-8{hint}: re-save it as UTF-8, e.g. iconv -f {guess or 'cp1252'} -t utf-8", path, line
        ) from None


def _guess_encoding(data: bytes) -> str | None:
    cyrillic = sum(1 for b in data if 0xC0 <= b <= 0xFF)
    high = sum(1 for b in data if b >= 0x80)
    if high == 0:
        return None
    if cyrillic / high > 0.7 and high > len(data) * 0.2:
        return "cp1251"
    return "latin-1"
