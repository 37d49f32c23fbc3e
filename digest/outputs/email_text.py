"""An edition as plain text: the ``text/plain`` half of the e-mail, wrapped at 72 columns.

Links are numbered references (``[3]``) listed at the end, as plain-text newsletters
write them, so no line holds a long URL in the middle of a sentence.
"""

from __future__ import annotations

from typing import Iterable

from lxml import html as lxml_html

from digest.config import SiteConfig
from digest.model.editions import Edition
from digest.outputs.links import item_url
from digest.rules.urls import join_base

WIDTH = 72
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt")


class _Refs:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def ref(self, url: str) -> str:
        if url not in self.urls:
            self.urls.append(url)
        return f"[{self.urls.index(url) + 1}]"


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    """Words filled into lines of at most ``WIDTH`` columns (a longer word, a URL say, gets a line of its own).

    What ``textwrap.wrap`` does with ``break_long_words=False``, in a tenth of the time: an edition of
    a 10,000-article site has thousands of these lines."""
    if not text.split():
        return [indent.rstrip()]
    lines: list[str] = []
    line, bare = (indent if first is None else first), True
    for word in text.split():
        if not bare and len(line) + 1 + len(word) > WIDTH:
            lines.append(line)
            line, bare = indent + word, False
        else:
            line, bare = (line + word if bare else f"{line} {word}"), False
    lines.append(line)
    return lines


def _fragment_text(fragment: str, base: str, refs: _Refs, indent: str = "") -> list[str]:
    """Paragraphs of an HTML fragment as wrapped text, each link followed by its reference number."""
    if not fragment.strip():
        return []
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    root.make_links_absolute(base, resolve_base_href=False, handle_failures="ignore")
    for link in root.iter("a"):
        href = link.get("href") or ""
        if href.startswith(("http://", "https://", "mailto:")):
            link.tail = f" {refs.ref(href)}" + (link.tail or "")
    lines: list[str] = []
    blocks = [e for e in root.iter(*_BLOCKS) if not any(p.tag in _BLOCKS for p in e.iterancestors())]
    for block in blocks or [root]:
        text = block.text_content().strip()
        if text:
            bullet = "- " if block.tag == "li" else ""
            lines += _wrap(text, indent + " " * len(bullet), indent + bullet)
            lines.append("")
    return lines


def edition_text(edition: Edition, config: SiteConfig) -> str:
    """The whole edition as text: title, dates, intro, sections with their items, then the links."""
    refs = _Refs()
    page = join_base(config.base_url, edition.url)
    fmt = config.editions.date_format
    lines = [*_wrap(edition.title), f"{edition.start:{fmt}} – {edition.end:{fmt}}", page, ""]
    if not edition.finished:
        lines += ["(in progress: more articles may join this edition)", ""]
    lines += _fragment_text(str(edition.intro_html), page, refs)
    for section in edition.sections:
        if section.name:
            lines += [section.name.upper(), "=" * min(WIDTH, len(section.name)), ""]
        for article in section.articles:
            url = item_url(article, config)
            lines += _wrap(f"{article.title} {refs.ref(url)}", "  ", "* ")
            meta = [article.source.name] if article.source is not None and article.source.name else []
            meta.append(f"{article.date:{fmt}}")
            lines += _wrap(" · ".join(meta), "  ")
            if article.summary:
                lines += _wrap(article.summary, "  ")
            note = _fragment_text(str(article.note_html), url, refs, "  ") if article.has_note else []
            if note:
                lines += ["", "  Curator's note:", *note[:-1]]
            lines.append("")
    lines += _links(refs.urls)
    return "\n".join(line.rstrip() for line in lines).rstrip("\n") + "\n"


def _links(urls: Iterable[str]) -> list[str]:
    numbered = [f"[{i}] {url}" for i, url in enumerate(urls, start=1)]
    return ["-" * 20, *numbered] if numbered else []
