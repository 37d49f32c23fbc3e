"""Fetch one news page for ``digest import URL``: redirects followed and recorded, size and time bounded.

httpx (the ``import`` extra) rather than urllib: timeouts per phase, streamed
bodies that can be cut at a size limit, and redirect history, all maintained.
Every failure is a :class:`DigestError` of one line saying what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest import __version__
from digest.errors import DigestError

MAX_BYTES = 8 * 1024 * 1024  # a news page with inline scripts is rarely above 3 MB
TIMEOUT_SECONDS = 20.0
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
    f" digest/{__version__}"
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
    "text/x-opml", "application/feed+json",
)
_SAVE_INSTEAD = "save the page from the browser and import the file"


@dataclass(frozen=True, slots=True)
class Fetched:
    """A page as the server sent it."""

    url: str  #: the final URL, after redirects
    redirects: tuple[str, ...]  #: the URLs that redirected, in order (the asked-for URL first)
    data: bytes  #: the body, as bytes; the charset is left to the decoder
    charset: str  #: the charset the Content-Type header named; "" when none
    content_type: str = "text/html"  #: without parameters, lower case


def is_url(source: str) -> bool:
    return bool(re.match(r"^https?://\S+$", source, re.IGNORECASE))


def fetch_page(
    url: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_SECONDS, feeds: bool = False
) -> Fetched:
    """GET ``url`` and return the HTML page (or, with ``feeds``, the RSS, Atom or OPML file) it leads to.

    Refuses anything else (saying what it is), bodies over
    ``max_bytes``, HTTP errors and network failures, each as one line.
    """
    try:
        import httpx
    except ImportError:
        raise DigestError("importing from a URL needs the import extra (httpx): pip install 'digest[import]'") from None
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"}
    try:
        with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(timeout), headers=headers, max_redirects=10) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise DigestError(
                        f"{url}: the server answered {response.status_code} {response.reason_phrase}; check the URL"
                        f" or {_SAVE_INSTEAD}"
                    )
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if kind not in _HTML_TYPES and not (feeds and kind in FEED_TYPES):
                    raise DigestError(
                        f"{response.url}: not an HTML page ({kind or 'no content type'}); give the URL of the story"
                        " itself, or save what it is and import the file"
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise DigestError(_too_big(str(response.url), max_bytes))
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise DigestError(_too_big(str(response.url), max_bytes))
                    chunks.append(chunk)
                return Fetched(
                    url=str(response.url),
                    redirects=tuple(str(step.url) for step in response.history),
                    data=b"".join(chunks),
                    charset=response.charset_encoding or "",
                    content_type=kind,
                )
    except httpx.TooManyRedirects:
        raise DigestError(f"{url}: more than 10 redirects; open it in a browser and {_SAVE_INSTEAD}") from None
    except httpx.TimeoutException:
        raise DigestError(f"{url}: no answer within {timeout:.0f} s; try again later or {_SAVE_INSTEAD}") from None
    except httpx.HTTPError as exc:
        raise DigestError(f"{url}: cannot fetch the page ({exc}); check the URL or {_SAVE_INSTEAD}") from None


def _too_big(url: str, max_bytes: int) -> str:
    return f"{url}: the page is larger than {max_bytes // (1024 * 1024)} MB; {_SAVE_INSTEAD}"


def as_utf8(fetched: Fetched) -> bytes:
    """The body in UTF-8 when the header named another charset that decodes it; else as sent."""
    charset = fetched.charset.lower()
    if not charset or charset.replace("-", "") == "utf8":
        return fetched.data
    try:
        return fetched.data.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return fetched.data  # a lying header: the decoder's own guess (and <meta charset>) decide
