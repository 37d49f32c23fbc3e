"""``digest check``: links and images whose URL, as authored, a browser would percent-encode.

The build writes such a URL encoded (see ``digest.rules.hrefs``), so the page
is valid and the link goes where it went before; but a URL holding
``{{ site.repository }}`` or ``{% link ... %}`` is Liquid that digest does not
expand, and a raw space or brace is usually a mistake. This check names each
one at its line, once per article.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import TYPE_CHECKING, Sequence
from urllib.parse import unquote

from digest.errors import Problem
from digest.rules.hrefs import encode_href

if TYPE_CHECKING:  # check.py calls this module; the type only is needed here
    from digest.commands.check import CheckedArticle

_URL_ATTR_RE = re.compile(r'\s(?:href|src)="([^"]*)"')


def authored_urls(body_html: str, body_text: str) -> list[tuple[str, str]]:
    """(as authored, as written to the page) for each URL of ``body_html`` that was encoded for the browser.

    The build encodes every URL, so a URL is taken as authored raw when its decoded form, and not its
    encoded form, is in the body's source text (``a%20b`` written so stays unreported).
    """
    found: dict[str, str] = {}
    flat = " ".join(body_text.split())
    for match in _URL_ATTR_RE.finditer(body_html):
        written = html_lib.unescape(match.group(1))
        authored = unquote(written)
        if authored == written or encode_href(authored) != written or written in body_text:
            continue
        first = authored.split()[0] if authored.split() else authored
        if first in flat:
            found.setdefault(authored, written)
    return list(found.items())


def _odd_characters(authored: str) -> str:
    odd = dict.fromkeys("a space" if c == " " else f"'{c}'" for c in authored if encode_href(f"a{c}a") != f"a{c}a")
    return ", ".join(odd)


def check_hrefs(articles: Sequence[CheckedArticle]) -> list[Problem]:
    """A problem per authored URL that a browser would percent-encode, at the line that holds it."""
    problems = []
    for article in articles:
        body_line = article.loaded.source.body_line
        body_text = "\n".join(article.lines[body_line - 1 :])
        for authored, written in authored_urls(article.loaded.html, body_text):
            tokens = authored.split()
            line = article.find([authored, tokens[0] if tokens else authored], body_line) or body_line
            if "{{" in authored or "{%" in authored:
                what = "Liquid, which digest does not expand: write the URL out in full"
            else:
                what = f"{_odd_characters(authored)}, which a browser percent-encodes: write the URL encoded"
            problems.append(
                Problem(article.path, line, f"link '{' '.join(tokens)}' holds {what} (the page links to '{written}')")
            )
    return problems
