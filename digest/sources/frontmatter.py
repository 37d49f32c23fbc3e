"""Articles as written: front matter split from the body and checked (pure, no I/O)."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Mapping

from digest.rules.dates import BadDate, date_from_filename, parse_date_value
from digest.errors import DigestError
from digest.rules.locale import is_language_tag
from digest.rules.slugs import slug_or_none, slugify
from digest.rules.urls import is_safe_segment
from digest.rules.yamlload import YamlDocument, YamlProblem, load_yaml_document

ARTICLE_SUFFIXES = (".md", ".markdown")
# Python-Markdown needs ~10 s for 1 MiB and grows faster than linearly; a news article is a few KiB.
MAX_ARTICLE_BYTES = 1024 * 1024

KNOWN_KEYS = frozenset(
    {
        "title", "date", "tags", "categories", "category", "summary", "source", "author", "slug",
        "draft", "updated", "image", "image_alt", "note", "via", "lang", "translation_key",
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
    image_alt: str = ""  # what the lead image shows, for readers who cannot see it
    has_body: bool = True  # False: front matter only (with a source, a link item)
    note_chars: int = 0  # length of the note as plain text, set once it is rendered (a link item's page needs a long note)
    lang: str = ""  # BCP 47 tag of the article's text when it is not the site's (``lang: kk``)
    translation_key: str = ""  # links translations whose file paths differ (multilingual sites)


def normalise_text(text: str) -> str:
    """Drop a BOM, normalise line ends (CRLF files parse like LF ones) and compose to Unicode NFC.

    NFC: an "й" typed as "и" + a combining breve looks the same but compares, searches and slugs
    differently, and the Nu checker warns about it; composing once here fixes every later stage.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


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


# C0 and C1 control characters, DEL, and the line/paragraph separators: refused in names (slug,
# tags, source, image), which become URLs, folders and terms. Free text (title, summary, note,
# author, via) keeps them as written: HTML escaping and the feed writers handle them, and
# error messages escape them before printing.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SINGLE_LINE_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAKS_RE = re.compile(r"[ \t]*[\r\n]+[ \t]*|\t")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_DATA_IMAGE_RE = re.compile(r"^data:image/(?:png|jpeg|gif|webp|avif)[;,]", re.IGNORECASE)
MIN_YEAR, MAX_YEAR = 1000, 9998  # every offset and timezone conversion stays inside datetime's range

_TEXT_KEYS = ("title", "summary", "image", "image_alt", "note", "via")
_FREE_TEXT_KEYS = frozenset({"title", "summary", "image_alt", "note", "via", "author"})


class _Bad(ValueError):
    """A front matter value that is wrong; ``key`` locates the line."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def _check_chars(text: str, key: str, multiline: bool = False) -> str:
    match = (_CONTROL_RE if multiline else _SINGLE_LINE_CONTROL_RE).search(text)
    if match:
        raise _Bad(
            key,
            f"'{key}' contains the invisible control character U+{ord(match.group()):04X}: delete it"
            " (retype the text around it if you cannot see it)",
        )
    return text


def _scalar_text(value: Any, raw: Any) -> str:
    """A number, boolean or date where text belongs, as the author wrote it (``1.10``, ``yes``, ``12:30``)."""
    if isinstance(raw, str):
        return raw
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_text(value: Any, key: str, raw: Any = None, *, multiline: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict, set, tuple)):
        kind = "a list" if isinstance(value, (list, set, tuple)) else "a mapping"
        raise _Bad(key, f"'{key}' must be text, not {kind}: write it on one line, in quotes if it has ': ' in it")
    if isinstance(value, bytes):
        raise _Bad(key, f"'{key}' must be text, not binary data: remove the !!binary tag")
    text = (value if isinstance(value, str) else _scalar_text(value, raw)).strip()
    if not multiline:  # a folded or block scalar: one line of text
        text = _LINE_BREAKS_RE.sub(" ", text)
    return text if key in _FREE_TEXT_KEYS else _check_chars(text, key, multiline)


def _as_terms(value: Any, key: str, raw: Any = None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        items: list[tuple[Any, Any]] = [(t, t) for t in value.split(",")]
    elif isinstance(value, list):
        raws = raw if isinstance(raw, tuple) and len(raw) == len(value) else (None,) * len(value)
        items = list(zip(value, raws, strict=True))
    elif isinstance(value, (int, float, date)) and not isinstance(value, bool):
        items = [(value, raw)]
    else:
        raise _Bad(key, f"'{key}' must be a list of names or a comma-separated string, like [energy, markets]")
    terms: list[str] = []
    for item, item_raw in items:
        if isinstance(item, (dict, list, set, tuple, bytes)):
            raise _Bad(key, f"'{key}' must be a list of names, like [energy, markets], not a list of lists or mappings")
        if item is None:
            continue
        text = " ".join((item if isinstance(item, str) else _scalar_text(item, item_raw)).split())
        if text:
            terms.append(text if key in _FREE_TEXT_KEYS else _check_chars(text, key))
    return terms


def _when(value: Any, key: str, tz: tzinfo) -> datetime:
    try:
        when = parse_date_value(value, tz)
    except BadDate as exc:
        message = str(exc)
        if "not a real date" in message:
            message += ": check the year, month and day"
        raise _Bad(key, f"bad '{key}': {message}") from None
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise _Bad(key, f"bad '{key}': year {when.year} is out of range: use a year from {MIN_YEAR} to {MAX_YEAR}")
    return when


def _check_link(text: str, key: str) -> str:
    """A URL or path for an ``href``/``src``: http(s), a site or relative path, or a raster data: image."""
    scheme = _SCHEME_RE.match(text)
    if scheme and scheme.group(1).lower() not in ("http", "https") and not _DATA_IMAGE_RE.match(text):
        raise _Bad(key, f"'{key}' must be an http(s) URL or a path like 'chart.png', not '{scheme.group(1)}:...'")
    return text


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
    """Parse one article's text; raise ``DigestError`` with the file and line of the problem.

    Decisions for odd but readable input (see docs/front-matter.md): a BOM and
    CRLF or CR line ends are accepted; a number, date or yes/no where text
    belongs (``title: 123``) is the text as written; a file with front matter
    and no body is an article with an empty body.
    """
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
        doc = load_yaml_document(front, first_line=2)
    except YamlProblem as exc:
        raise DigestError(exc.message, path, exc.line) from None
    meta = doc.value
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DigestError(
            "front matter must be a mapping of keys to values, like 'title: ...', not a list or a single value",
            path,
            2,
        )
    meta = {str(k): v for k, v in meta.items()}
    try:
        return _article(path, rel, meta, doc, body, body_line, tz)
    except _Bad as exc:
        raise DigestError(str(exc), path, doc.lines.get(exc.key, 2)) from None


def _article(
    path: str, rel: str, meta: dict[str, Any], doc: YamlDocument, body: str, body_line: int, tz: tzinfo
) -> SourceArticle:
    texts = {key: _as_text(meta.get(key), key, doc.texts.get(key), multiline=key in ("summary", "note"))
             for key in _TEXT_KEYS}
    title = texts["title"]
    if not title:
        raise _Bad("title", "missing 'title': add a line like 'title: What happened' to the front matter")

    stem = PurePosixPath(rel).stem
    name_date = date_from_filename(stem)
    if "date" in meta and meta["date"] is not None:
        when = _when(meta["date"], "date", tz)
    elif name_date is not None:
        when = _when(name_date[0], "date", tz)
    else:
        raise _Bad(
            "date", "missing 'date': add a line like 'date: 2022-01-10 09:39' (or name the file 2022-01-10-slug.md)"
        )

    updated = _when(meta["updated"], "updated", tz) if meta.get("updated") is not None else None

    tags: list[str] = []
    for key in ("tags", "categories", "category"):
        tags += _as_terms(meta.get(key), key, doc.texts.get(key))

    source = _parse_source(meta.get("source"), tz)

    slug_value = meta.get("slug")
    if slug_value is not None:
        slug = _as_text(slug_value, "slug", doc.texts.get("slug"))
        if not slug:
            raise _Bad("slug", f"'slug' is empty: delete the line, or write one like 'slug: {slugify(title)}'")
        if not is_safe_segment(slug):
            shown = slug_or_none(slug) or slugify(title)
            raise _Bad(
                "slug", f"slug '{slug}' is not URL-safe: use letters, digits and hyphens only, like '{shown}'"
            )
    else:
        base = name_date[1] if name_date else stem
        if base == "index" and "/" in rel:
            base = PurePosixPath(rel).parent.name
        slug = slug_or_none(base) or slugify(title)

    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise _Bad("draft", "'draft' must be true or false")

    lang = _as_text(meta.get("lang"), "lang", doc.texts.get("lang"))
    if lang and not is_language_tag(lang):
        raise _Bad("lang", f"'lang: {lang}' is not a language tag digest knows: write one like 'en', 'kk' or 'pt-BR'")
    translation_key = _as_text(meta.get("translation_key"), "translation_key", doc.texts.get("translation_key"))

    extra = {k: _plain_value(v) for k, v in meta.items() if k not in KNOWN_KEYS}
    return SourceArticle(
        path=path,
        rel=rel,
        title=title,
        date=when,
        tags=tuple(dict.fromkeys(tags)),
        summary=texts["summary"] or None,
        source=source,
        author=_as_author(meta.get("author"), doc.texts.get("author")),
        slug=slug,
        draft=draft,
        updated=updated,
        image=_check_link(texts["image"], "image"),
        note=texts["note"],
        via=texts["via"],
        extra=extra,
        body=body,
        body_line=body_line,
        image_alt=texts["image_alt"],
        has_body=bool(body.strip()),
        lang=lang,
        translation_key=translation_key,
    )


def _as_author(value: Any, raw: Any) -> str:
    if isinstance(value, dict):  # {name: ..., url: ...} as some exporters write
        return _as_text(value.get("name"), "author")
    if isinstance(value, list):
        return ", ".join(_as_terms(value, "author", raw))
    return _as_text(value, "author", raw)


def _parse_source(value: Any, tz: tzinfo) -> SourceInfo | None:
    if value is None:
        return None
    if isinstance(value, str):  # "source: Reuters" or "source: https://..."
        text = _as_text(value, "source")
        if re.match(r"^https?://", text, re.IGNORECASE):
            return SourceInfo(url=text)
        return SourceInfo(name=text) if text else None
    if not isinstance(value, dict):
        raise _Bad("source", "'source' must be a mapping with 'name', 'url' and optionally 'published'")
    unknown = set(map(str, value)) - {"name", "url", "published"}
    if unknown:
        raise _Bad("source", f"unknown key 'source.{sorted(unknown)[0]}': use name, url, published")
    name = value.get("name")
    url = value.get("url")
    if isinstance(name, (list, dict)) or isinstance(url, (list, dict)):
        raise _Bad("source", "'source.name' and 'source.url' must be text")
    name_text = _as_text(name, "source")
    url_text = _as_text(url, "source")
    if url_text and not re.match(r"^https?://", url_text, re.IGNORECASE):
        raise _Bad("source", f"'source.url' must be an http(s) URL, not '{url_text}'")
    published = _when(value["published"], "source", tz) if value.get("published") is not None else None
    if not name_text and not url_text:
        return None
    return SourceInfo(name=name_text, url=url_text, published=published)


def read_article_bytes(path: Path, shown: str | None = None) -> bytes:
    """An article file's bytes, reading at most one byte past the limit (``check_bytes`` refuses more).

    A pipe, a device or a broken link named ``.md`` is a ``DigestError`` (``shown`` names the
    file): opening a pipe would wait forever, and a broken link is not a traceback.
    """
    where = shown or str(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise DigestError("not a regular file (a pipe or a device?): move it out of content/", where, 1)
        with open(path, "rb") as handle:
            return _stable_read(handle)
    except OSError as exc:
        raise DigestError(
            f"cannot read the file ({exc.strerror}): fix the link or the permissions, or delete it", where
        ) from None


def _stable_read(handle: BinaryIO, tries: int = 3) -> bytes:
    """The file's bytes, read again while an editor is writing it (size or mtime moved during the read)."""
    data = b""
    for _ in range(tries):
        before = os.fstat(handle.fileno())
        data = handle.read(MAX_ARTICLE_BYTES + 1)
        after = os.fstat(handle.fileno())
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) and len(data) == min(
            after.st_size, MAX_ARTICLE_BYTES + 1
        ):
            break
        handle.seek(0)
    return data


def check_bytes(path: str, data: bytes) -> str:
    """Decode an article file's bytes, or say clearly why it cannot be read."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise DigestError(
            f"file is larger than {MAX_ARTICLE_BYTES // 1048576} MiB, the limit for an article:"
            " split it, or move the data out of content/",
            path,
            1,
        )
    for bom, name in _UTF16_32_BOMS:
        if data.startswith(bom):
            raise DigestError(f"file is {name}, not UTF-8: re-save it as UTF-8, e.g. iconv -f {name} -t utf-8", path, 1)
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise DigestError("file is empty: add front matter with 'title' and 'date', or delete it", path, 1)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DigestError(
            "file is binary (it has NUL bytes), not a text article: move it out of content/ or rename it"
            " so it does not end in .md",
            path,
            data.count(b"\n", 0, nul) + 1,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        guess = _guess_encoding(data)
        raise DigestError(
            f"file is not UTF-8 (it looks like {guess}): re-save it as UTF-8, e.g. iconv -f {guess} -t utf-8",
            path,
            line,
        ) from None


# UTF-32 first: its little-endian BOM starts with UTF-16's.
_UTF16_32_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32LE"), (b"\x00\x00\xfe\xff", "UTF-32BE"),
    (b"\xff\xfe", "UTF-16LE"), (b"\xfe\xff", "UTF-16BE"),
)


def _guess_encoding(data: bytes) -> str:
    """cp1251 when most non-ASCII bytes are Cyrillic letters there, otherwise latin-1 (a sample is enough)."""
    sample = data[:65536]
    high = sum(sample.count(bytes([b])) for b in range(0x80, 0x100))
    cyrillic = sum(sample.count(bytes([b])) for b in range(0xC0, 0x100))
    if high and cyrillic / high > 0.7 and high > len(sample.strip()) * 0.2:
        return "cp1251"
    return "latin-1"
