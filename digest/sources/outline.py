"""Post-passes over a rendered, sanitised body: its heading outline, its link URLs, its scrolling blocks.

The page's own ``<h1>`` is the title, so a body's headings start at ``<h2>``
and never skip a level: a body that starts at ``###`` (as many exported posts
do) is shifted up, and a jump from ``##`` to ``####`` is closed. Screen
readers navigate by this outline, and the Nu checker and axe (``heading-order``)
report a skipped level.
"""

from __future__ import annotations

import html as html_lib
import re

from digest.rules.hrefs import encode_href

_HEADING_RE = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
_URL_ATTR_RE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
_SCROLLER_RE = re.compile(r"<(pre|table)\b(?![^>]*\stabindex=)", re.IGNORECASE)


def shift_headings(body: str, top: int = 2) -> str:
    """Renumber the headings of ``body`` so the first level is ``top`` and no level is skipped."""
    levels = [int(m.group(2)) for m in _HEADING_RE.finditer(body) if not m.group(1)]
    if not levels:
        return body
    shift = top - min(levels)
    mapped: list[int] = []
    previous = top - 1
    for level in levels:
        new = max(top, min(level + shift, previous + 1, 6))
        mapped.append(new)
        previous = new
    if all(new == old for new, old in zip(mapped, levels)):
        return body
    opened: list[int] = []  # the new level of each heading still open, innermost last
    numbers = iter(mapped)

    def renumber(match: re.Match[str]) -> str:
        if match.group(1):
            level = opened.pop() if opened else int(match.group(2))
            return f"</h{level}"
        level = next(numbers)
        opened.append(level)
        return f"<h{level}"

    return _HEADING_RE.sub(renumber, body)


def encode_urls(body: str) -> str:
    """Every ``href``/``src`` value percent-encoded as a browser would send it (see ``rules.hrefs``).

    ``body`` is the sanitiser's output, whose attributes are always double-quoted.
    """

    def fix(match: re.Match[str]) -> str:
        value = html_lib.unescape(match.group(2))
        encoded = encode_href(value)
        if encoded == value:
            return match.group(0)
        return match.group(1) + html_lib.escape(encoded, quote=True) + match.group(3)

    return _URL_ATTR_RE.sub(fix, body)


def focusable_scrollers(body: str) -> str:
    """Code blocks and tables scroll sideways on a phone: ``tabindex="0"`` lets a keyboard scroll them too
    (axe ``scrollable-region-focusable``)."""
    return _SCROLLER_RE.sub(lambda m: f'<{m.group(1)} tabindex="0"', body)
