"""Markdown to safe HTML: one configured engine per process, no I/O."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from typing import Any, Callable

import markdown
import nh3

from digest.config import HtmlConfig, MarkdownConfig
from digest.errors import DigestError

_BASE_TAGS = set(nh3.ALLOWED_TAGS) | {"input", "section", "tfoot"}
_GLOBAL_ATTRS = {"class", "id", "title", "lang", "dir"}
_BASE_ATTRS: dict[str, set[str]] = {
    "a": {"href", "hreflang", "rel", "name"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes"},
    "td": {"align", "colspan", "rowspan", "style"},
    "th": {"align", "colspan", "rowspan", "scope", "style"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "input": {"type", "checked", "disabled"},
    "code": set(),
    "span": set(),
    "div": set(),
    "sup": set(),
    "pre": set(),
}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Never let a widened allow-list bring these back: they run code or restyle the page.
_NEVER = {"script", "style", "object", "embed", "base", "meta", "link", "form", "frame", "frameset"}


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    toc: str
    summary: str  # plain text of the first paragraph, cut at a word boundary


def _sanitiser(config: HtmlConfig) -> Callable[[str], str]:
    if not config.sanitize:
        return lambda text: text
    tags = (_BASE_TAGS | set(config.allow_tags)) - _NEVER
    attributes: dict[str, set[str]] = {"*": set(_GLOBAL_ATTRS)}
    for tag, names in _BASE_ATTRS.items():
        attributes[tag] = set(names)
    for tag, names in config.allow_attributes.items():
        allowed = {n for n in names if not n.lower().startswith("on")}  # event handlers never pass
        attributes.setdefault(tag, set()).update(allowed)
    schemes = _URL_SCHEMES | {s for s in config.allow_url_schemes if s.lower() not in ("javascript", "vbscript")}
    drop_content = {"script", "style"} - tags

    def clean(text: str) -> str:
        return nh3.clean(
            text,
            tags=tags,
            clean_content_tags=drop_content,
            attributes=attributes,
            url_schemes=schemes,
            link_rel=None,
            filter_style_properties={"text-align"},
            strip_comments=True,
        )

    return clean


class MarkdownRenderer:
    """Python-Markdown configured once and reset between documents (it is not thread-safe)."""

    def __init__(self, config: MarkdownConfig, html_config: HtmlConfig) -> None:
        ext_configs: dict[str, Any] = {
            "codehilite": {"css_class": "highlight", "guess_lang": False},
            "toc": {"permalink": False},
        }
        for name, settings in config.extension_configs.items():
            ext_configs.setdefault(name, {}).update(dict(settings))
        try:
            self._md = markdown.Markdown(
                extensions=list(config.extensions),
                extension_configs={k: v for k, v in ext_configs.items() if k in config.extensions},
                output_format="html",
            )
        except (ImportError, AttributeError, TypeError, ValueError) as exc:
            raise DigestError(
                f"markdown.extensions: cannot load an extension ({exc}): check the names in digest.yaml",
                "digest.yaml",
            ) from None
        self._clean = _sanitiser(html_config)
        self._fast = None
        if config.engine == "fast":
            from digest.fastmd import FastMarkdown

            self._fast = FastMarkdown(config)

    def render(self, text: str, summary_length: int = 300) -> Rendered:
        if self._fast is not None:
            raw_html, toc = self._fast.render(text)
        else:
            self._md.reset()
            raw_html = self._md.convert(text)
            toc = getattr(self._md, "toc", "") if getattr(self._md, "toc_tokens", None) else ""
        body = self._clean(raw_html)
        return Rendered(html=body, toc=self._clean(toc) if toc else "", summary=summarise(body, summary_length))

    def render_note(self, text: str) -> str:
        if not text:
            return ""
        if self._fast is not None:
            return self._clean(self._fast.render(text)[0])
        self._md.reset()
        return self._clean(self._md.convert(text))


_PARA_RE = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL)
_SUP_RE = re.compile(r"<sup\b.*?</sup>", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")


def plain_text(fragment: str) -> str:
    text = _TAG_RE.sub("", _SUP_RE.sub("", fragment))
    return " ".join(html_lib.unescape(text).split())


def summarise(body_html: str, limit: int) -> str:
    """The first non-empty paragraph as plain text, cut at a word boundary."""
    for match in _PARA_RE.finditer(body_html):
        text = plain_text(match.group(1))
        if text:
            return cut(text, limit)
    return ""


def cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:.-–—") + "…"
