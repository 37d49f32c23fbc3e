"""The opt-in fast Markdown engine: pulldown-cmark (Rust, as in Zola) through pyromark.

Chosen over cmarkgfm because it is several times faster here, is maintained, and
has footnotes, tables, smart punctuation and heading attributes built in.
What Python-Markdown's extensions add on top is added here after rendering:
heading ids and a table of contents (``toc``), Pygments highlighting of fenced
code (``codehilite``), and footnote ids that cannot clash with page ids.
Differences from the default engine are listed in the README.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from digest.config import MarkdownConfig
from digest.errors import DigestError

_HEADING_RE = re.compile(r"<h([1-6])(\s[^>]*)?>(.*?)</h\1>", re.DOTALL)
_CODE_RE = re.compile(r'<pre><code class="language-([\w+#.-]+)">(.*?)</code></pre>', re.DOTALL)
_FN_REF_RE = re.compile(r'<sup class="footnote-reference"><a href="#([^"]+)">')
_FN_DEF_RE = re.compile(r'<div class="footnote-definition" id="([^"]+)">')
_TAG_RE = re.compile(r"<[^>]+>")


def _heading_id(text: str, used: dict[str, int]) -> str:
    # the same rule as Python-Markdown's toc slugify: lowercase words joined by hyphens
    base = re.sub(r"[^\w\s-]", "", html_lib.unescape(_TAG_RE.sub("", text))).strip().lower()
    base = re.sub(r"[-\s]+", "-", base) or "section"
    count = used.get(base, 0)
    used[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


class FastMarkdown:
    def __init__(self, config: MarkdownConfig) -> None:
        try:
            import pyromark
        except ImportError:
            raise DigestError(
                "markdown.engine 'fast' needs pyromark: pip install 'digest[fast]'", "digest.yaml"
            ) from None
        opts = pyromark.Options
        self._options = (
            opts.ENABLE_TABLES | opts.ENABLE_FOOTNOTES | opts.ENABLE_STRIKETHROUGH | opts.ENABLE_TASKLISTS
            | opts.ENABLE_HEADING_ATTRIBUTES | opts.ENABLE_DEFINITION_LIST
        )
        if "smarty" in config.extensions or "typography" in config.extensions:
            self._options |= opts.ENABLE_SMART_PUNCTUATION
        self._html = pyromark.html
        self._toc = "toc" in config.extensions
        self._highlight = "codehilite" in config.extensions
        self._formatter: Any = None

    def render(self, text: str) -> tuple[str, str]:
        out = self._html(text, options=self._options)
        toc = ""
        if self._toc:
            out, toc = self._add_heading_ids(out)
        if self._highlight and "<pre><code class=" in out:
            out = _CODE_RE.sub(self._highlight_block, out)
        if "footnote-" in out:
            out = _FN_REF_RE.sub(r'<sup class="footnote-reference"><a href="#fn-\1">', out)
            out = _FN_DEF_RE.sub(r'<div class="footnote-definition" id="fn-\1">', out)
        return out, toc

    def _add_heading_ids(self, out: str) -> tuple[str, str]:
        used: dict[str, int] = {}
        entries: list[tuple[int, str, str]] = []

        def add(match: re.Match[str]) -> str:
            level, attrs, inner = match.group(1), match.group(2) or "", match.group(3)
            if " id=" in attrs:
                given = re.search(r'id="([^"]*)"', attrs)
                entries.append((int(level), given.group(1) if given else "", inner))
                return match.group(0)
            ident = _heading_id(inner, used)
            entries.append((int(level), ident, inner))
            return f'<h{level} id="{ident}"{attrs}>{inner}</h{level}>'

        out = _HEADING_RE.sub(add, out)
        if not entries:
            return out, ""
        items = "".join(f'<li><a href="#{i}">{_TAG_RE.sub("", t)}</a></li>' for _, i, t in entries)
        return out, f'<div class="toc"><ul>{items}</ul></div>'

    def _highlight_block(self, match: re.Match[str]) -> str:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import get_lexer_by_name
        from pygments.util import ClassNotFound

        if self._formatter is None:
            self._formatter = HtmlFormatter(cssclass="highlight")
        try:
            lexer = get_lexer_by_name(match.group(1))
        except ClassNotFound:
            return match.group(0)
        return str(highlight(html_lib.unescape(match.group(2)), lexer, self._formatter))
