"""Source URLs reduced to what identifies the story, so ``digest check`` can find duplicates.

The result is a comparison key, never a link to print: ``http`` becomes ``https``
and ``www.`` goes even where a site would not answer that way.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that say how a reader arrived, not what they read.
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "ref_src", "igshid"})
TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = (80, 443)


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def normalize_source_url(url: str) -> str:
    """The key two URLs of the same story share.

    Lower-case scheme and host, ``http`` as ``https``, no ``www.``, no default
    port, no fragment, no trailing slash, no tracking parameters, the other
    parameters sorted. A string without a host comes back stripped.
    """
    text = url.strip()
    parts = urlsplit(text)
    if not parts.netloc:
        return text
    scheme = parts.scheme.lower()
    if scheme == "http":
        scheme = "https"
    host = (parts.hostname or "").rstrip(".").lower().removeprefix("www.")
    try:
        port = parts.port
    except ValueError:  # "example.com:abc": compare it as written
        port = None
    netloc = host if port is None or port in _DEFAULT_PORTS else f"{host}:{port}"
    path = parts.path.rstrip("/")
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(pairs)), ""))
