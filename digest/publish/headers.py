"""HTTP headers for site files on object stores: Content-Type and Cache-Control."""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Iterable
from fnmatch import fnmatchcase

from digest.publish.fingerprint import is_fingerprinted

_UTF8 = "; charset=utf-8"

# Our own table rather than only ``mimetypes``: that module reads the host's
# /etc/mime.types, so the same site would get different headers from different
# machines (``.js`` as application/javascript here, text/javascript there) and
# it does not know ``.webmanifest`` or ``.woff2`` everywhere.
CONTENT_TYPES: dict[str, str] = {
    # pages and text
    ".html": "text/html" + _UTF8,
    ".htm": "text/html" + _UTF8,
    ".css": "text/css" + _UTF8,
    ".js": "text/javascript" + _UTF8,
    ".mjs": "text/javascript" + _UTF8,
    ".txt": "text/plain" + _UTF8,
    ".md": "text/markdown" + _UTF8,
    ".csv": "text/csv" + _UTF8,
    ".xsl": "text/xsl" + _UTF8,
    # data and feeds
    ".xml": "application/xml" + _UTF8,
    ".rss": "application/rss+xml" + _UTF8,
    ".atom": "application/atom+xml" + _UTF8,
    ".json": "application/json" + _UTF8,
    ".map": "application/json" + _UTF8,
    ".webmanifest": "application/manifest+json" + _UTF8,
    ".ics": "text/calendar" + _UTF8,
    # images
    ".svg": "image/svg+xml" + _UTF8,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".bmp": "image/bmp",
    # fonts
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    # media and documents
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".gz": "application/gzip",
}

_TEXTUAL = ("text/", "application/json", "application/xml", "application/javascript", "image/svg+xml")


def content_type(relpath: str) -> str:
    """The Content-Type of a site file, with ``charset=utf-8`` for text types."""
    name = relpath.rsplit("/", 1)[-1].lower()
    known = CONTENT_TYPES.get(posixpath.splitext(name)[1])
    if known:
        return known
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    if guessed is None:
        return "application/octet-stream"
    if (guessed.startswith(_TEXTUAL) or guessed.endswith(("+xml", "+json"))) and "charset" not in guessed:
        return guessed + _UTF8
    return guessed


IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
DEFAULT = "public, max-age=3600"

# pages and feeds change with every new article: keep them fresh
_SHORT_PATTERNS = ("*.html", "*.htm", "*.xml", "*.rss", "*.atom", "*.json", "*.txt", "*.webmanifest")


def cache_control(relpath: str, rules: Iterable[tuple[str, str | None]] = ()) -> str | None:
    """The Cache-Control value of a site file; ``None`` means send no header.

    The target's own rules come first (glob patterns over the whole path, where
    ``*`` also crosses folders, so ``*.css`` matches ``assets/site.css``; first
    match wins). Then: fingerprinted files are immutable for a year, pages and
    feeds are cached five minutes, everything else an hour.
    """
    for pattern, value in rules:
        if fnmatchcase(relpath, pattern):
            return value
    if is_fingerprinted(relpath):
        return IMMUTABLE
    if any(fnmatchcase(relpath.lower(), pattern) for pattern in _SHORT_PATTERNS):
        return SHORT
    return DEFAULT
