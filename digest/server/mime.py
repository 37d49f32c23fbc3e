"""Content types for what the dev server sends."""

from __future__ import annotations

import mimetypes
import posixpath

# The platform's mime.types may lack or disagree on these; browsers care (fonts, manifests, feeds).
_EXPLICIT = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
    ".webmanifest": "application/manifest+json",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".wasm": "application/wasm",
}
_TEXT_WITHOUT_PREFIX = {"application/json", "application/xml", "application/manifest+json", "image/svg+xml",
                        "text/javascript"}


def content_type(path: str) -> str:
    """The Content-Type header for a file name; text types say they are UTF-8."""
    suffix = posixpath.splitext("x" + posixpath.basename(path))[1].lower()  # "x": ".html" alone is a name
    kind = _EXPLICIT.get(suffix) or mimetypes.guess_type("x" + suffix)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXT_WITHOUT_PREFIX or kind.endswith("+xml"):
        return f"{kind}; charset=utf-8"
    return kind
