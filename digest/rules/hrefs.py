"""URLs in ``href`` and ``src`` written the way a browser sends them.

A browser that follows ``{{ site.repository }}/issues`` first drops tabs and
line breaks, then percent-encodes the space, the braces and the other
characters a URL may not hold. digest writes the URL in that form, so the
page is valid HTML (the Nu checker refuses a raw ``{``) and the link goes where
it went before. Characters a URL may hold (``%XX`` escapes included) and
non-ASCII letters (valid in an IRI) are left as written.
"""

from __future__ import annotations

import re

# RFC 3986 unreserved and reserved characters, and '%' when it starts an escape.
_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=")
_ESCAPE_RE = re.compile(r"%[0-9A-Fa-f]{2}")
_DROPPED_RE = re.compile(r"[\t\n\r]")


def encode_href(url: str) -> str:
    """``url`` with what a browser would percent-encode encoded (as UTF-8), and nothing else changed."""
    url = _DROPPED_RE.sub("", url).strip(" \x00-\x1f")
    out: list[str] = []
    in_fragment = False
    bracket_ok = _host_brackets(url)
    i = 0
    while i < len(url):
        char = url[i]
        if char == "%" and _ESCAPE_RE.match(url, i):
            out.append(url[i : i + 3])
            i += 3
            continue
        if char == "#":
            out.append("%23" if in_fragment else "#")
            in_fragment = True
        elif char in "[]" and not (bracket_ok[0] <= i < bracket_ok[1]):
            out.append(_percent(char))
        elif char in _ALLOWED or (ord(char) > 0x7F and char.isprintable() and not char.isspace()):
            out.append(char)
        else:
            out.append(_percent(char))
        i += 1
    return "".join(out)


def needs_encoding(url: str) -> bool:
    """Whether a browser would change ``url`` before requesting it."""
    return encode_href(url) != url


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def _host_brackets(url: str) -> tuple[int, int]:
    """The span of an IPv6 host (``http://[::1]/``), the one place ``[`` and ``]`` are allowed."""
    match = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?(\[[^\]/?#]*\])", url)
    return (match.start(1), match.end(1)) if match else (0, 0)
