"""Site paths (URLs) and the output files they map to; nothing escapes the output root."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

_FIELDS = {"year", "month", "day", "slug"}
_FIELD_RE = re.compile(r"\{([^{}]*)\}")
# One URL segment: what slugify produces plus dots and underscores; no '..', no leading dot.
_SEGMENT_RE = re.compile(r"^[A-Za-z0-9_~-][A-Za-z0-9._~-]*\Z")  # \Z: "$" would let a final newline in
# A whole site path of such segments, in one match: the fast path of ``check_site_path``.
_SITE_PATH_RE = re.compile(r"/(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*/)*(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*)?")

_REQUIRED = {
    "article": {"slug"},
    "tag": {"slug"},
    "source": {"slug"},
    "year": {"year"},
    "month": {"year", "month"},
    "day": {"year", "month", "day"},
}


class UnsafePath(ValueError):
    """A URL or path that would leave the output folder or is not URL-safe."""


def check_pattern(kind: str, pattern: str) -> str | None:
    """Return what is wrong with a permalink pattern, or ``None``."""
    if not pattern.startswith("/") or not pattern.endswith("/"):
        return f"'{pattern}' must start and end with '/'"
    used = set(_FIELD_RE.findall(pattern))
    unknown = used - _FIELDS
    if unknown:
        return f"unknown field {{{sorted(unknown)[0]}}} in '{pattern}': use {{year}} {{month}} {{day}} {{slug}}"
    missing = _REQUIRED.get(kind, set()) - used
    if missing:
        return f"'{pattern}' needs {{{sorted(missing)[0]}}} so that each page gets its own URL"
    literal = _FIELD_RE.sub("x", pattern)
    for segment in literal.strip("/").split("/"):
        if segment and not _SEGMENT_RE.match(segment):
            return f"'{pattern}' has an unsafe path segment '{segment}'"
    return None


def expand(pattern: str, **values: str) -> str:
    url = _FIELD_RE.sub(lambda m: values[m.group(1)], pattern)
    return check_site_path(url)


def compile_pattern(pattern: str) -> Callable[..., str]:
    """``expand`` for one pattern, prepared once: a model of 10,000 articles expands it 10,000 times."""
    template = "".join(
        part.replace("{", "{{").replace("}", "}}") if i % 2 == 0 else "{" + part + "}"
        for i, part in enumerate(_FIELD_RE.split(pattern))
    )

    def expand_one(**values: str) -> str:
        return check_site_path(template.format(**values))

    return expand_one


def is_safe_segment(segment: str) -> bool:
    return bool(_SEGMENT_RE.match(segment)) and segment not in (".", "..")


def check_site_path(url: str) -> str:
    """Validate a site path such as ``/2022/01/10/slug/`` or ``/feed.xml``."""
    if _SITE_PATH_RE.fullmatch(url):
        return url
    if not url.startswith("/") or "\\" in url or "//" in url:
        raise UnsafePath(f"'{url}' is not a site path")
    for segment in url.strip("/").split("/"):
        if segment and not is_safe_segment(segment):
            raise UnsafePath(f"'{url}' has an unsafe segment '{segment}'")
    return url


def output_path(url: str) -> str:
    """The file a site path is written to, relative to the output root (pretty URLs)."""
    if not _SITE_PATH_RE.fullmatch(url):
        check_site_path(url)  # raises, saying what is wrong
    rel = url[1:]
    if not rel or rel.endswith("/"):
        rel += "index.html"
    return rel


# Characters no output file name may hold: controls (C0, DEL, C1), the path separators of other
# systems, and ':' (a drive on Windows, a stream name on NTFS).
_UNSAFE_NAME_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\\:]")


def check_relative(rel: str) -> str:
    """A normalised relative path of '/'-separated names, checked as text only (no file system access).

    No '.', '..' or empty names, no controls, backslashes or drive letters, and valid UTF-8.
    """
    if not isinstance(rel, str) or not rel or rel.startswith("/") or _UNSAFE_NAME_RE.search(rel):
        raise UnsafePath(f"{rel!r} is not a relative path inside the output")
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafePath(f"{rel!r} is not valid UTF-8 text") from None
    if any(p in ("", ".", "..") for p in rel.split("/")):
        raise UnsafePath(f"{rel!r} is not a normalised relative path")
    return rel


def lexical_join(root: Path, rel: str) -> Path:
    """``root / rel`` after ``check_relative`` (no file system access)."""
    return root.joinpath(*check_relative(rel).split("/"))


def safe_join(root: Path, rel: str) -> Path:
    """Join ``rel`` under ``root``, refusing anything that would land outside it.

    ``rel`` must pass ``check_relative``; a symbolic link inside ``root`` that
    leads out of it is refused too.
    """
    target = lexical_join(root, rel)
    resolved_root = root.resolve()
    if not target.resolve().is_relative_to(resolved_root):
        raise UnsafePath(f"'{rel}' resolves outside the output folder (through a symbolic link?)")
    return target


def relative_link(from_url: str, to_url: str) -> str:
    """A link from page ``from_url`` to site path ``to_url`` that works from ``file://``."""
    target = to_url
    if target.endswith("/"):
        target += "index.html"
    base = from_url if from_url.endswith("/") else posixpath.dirname(from_url) + "/"
    rel = posixpath.relpath(target, base)
    return rel


def join_base(base_url: str, path: str) -> str:
    """The absolute URL of a site path under ``base_url`` (which may carry a sub-path)."""
    parts = urlsplit(base_url)
    base_path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{base_path}{path.lstrip('/')}"


def site_link(path: str, page_url: str, base_path: str, relative: bool) -> str:
    """How a page at ``page_url`` links to ``path``: a site path (``/about/``) means the site's root, so it is
    written under the base path (``/sub/about/``), or relative to the page with ``relative_urls``. Anything
    else (another host, ``#top``, ``mailto:``, a path relative to the page) is left as written."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    if relative:
        cut = min((i for i in (path.find("?"), path.find("#")) if i >= 0), default=len(path))
        return relative_link(page_url, path[:cut]) + path[cut:]
    return base_path.rstrip("/") + path


# Attribute values in sanitised HTML (nh3 always writes them double-quoted) that are links a browser follows.
_LINK_ATTR_RE = re.compile(r'(\s(?:href|src|poster|cite)=")(/(?!/)[^"]*)"')


def rebase_links(html: str, link: Callable[[str], str]) -> str:
    """``html`` with every root-relative link (``href="/about/"``) replaced by ``link(path)``."""
    if '="/' not in html:
        return html
    return _LINK_ATTR_RE.sub(lambda m: f'{m.group(1)}{link(m.group(2))}"', html)
