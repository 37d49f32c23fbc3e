"""Markdown to safe HTML: one configured engine per process, no I/O."""

from __future__ import annotations

import html as html_lib
import re
import signal
import threading
from dataclasses import dataclass
from typing import Any, Callable

import markdown
import nh3

from digest.config import NEVER_URL_SCHEMES, HtmlConfig, MarkdownConfig, never_allowed_attribute, never_allowed_tag
from digest.errors import DigestError
from digest.sources.outline import encode_urls, focusable_scrollers, shift_headings
from digest.sources.typography import TypographyExtension

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
_SRCSET_URL_RE = re.compile(r"(?:^|,)\s*([^\s,]+)")
_SCHEME_RE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")
# Python-Markdown is superlinear on some input (thousands of '['): a hostile file must not stall the build.
RENDER_SECONDS = 15.0
# Part of the cache key: raise it when the post-passes below change what a body renders to.
RENDER_REVISION = 3


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    toc: str
    summary: str  # plain text of the first paragraph, cut at a word boundary


def _sanitiser(config: HtmlConfig) -> Callable[[str], str]:
    if not config.sanitize:
        return lambda text: text
    # the config refuses these too; filtering again keeps a hand-made HtmlConfig safe
    tags = {t for t in _BASE_TAGS | {t.lower() for t in config.allow_tags} if not never_allowed_tag(t)}
    attributes: dict[str, set[str]] = {"*": set(_GLOBAL_ATTRS)}
    for tag, names in _BASE_ATTRS.items():
        attributes[tag] = set(names)
    for tag, wanted in config.allow_attributes.items():
        allowed = {n.lower() for n in wanted if not never_allowed_attribute(n)}
        attributes.setdefault(tag.lower(), set()).update(allowed)
    schemes = _URL_SCHEMES | {x.lower() for x in config.allow_url_schemes if x.lower() not in NEVER_URL_SCHEMES}
    drop_content = {"script", "style"} - tags

    def check_attribute(tag: str, name: str, value: str) -> str | None:
        # nh3 checks the scheme of href and src but not of each URL in srcset
        if name == "srcset":
            for url in _SRCSET_URL_RE.findall(value):
                scheme = _SCHEME_RE.match(html_lib.unescape(url))
                if scheme and scheme.group(1).lower() not in schemes:
                    return None
        return value

    def clean(text: str) -> str:
        return nh3.clean(
            text,
            tags=tags,
            clean_content_tags=drop_content,
            attributes=attributes,
            attribute_filter=check_attribute,
            url_schemes=schemes,
            link_rel=None,
            filter_style_properties={"text-align"},
            strip_comments=True,
        )

    return clean


class _RenderTimeout(BaseException):
    """Raised by the render deadline; a BaseException so no ``except Exception`` in an extension swallows it."""


class _Deadline:
    """Raise ``_RenderTimeout`` in this block after ``seconds`` (main thread only, and only if no timer is set)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False

    def _expire(self, signum: int, frame: object) -> None:
        raise _RenderTimeout

    def __enter__(self) -> None:
        if (
            self.seconds <= 0
            or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0  # someone else's timer (a test runner's): leave it
        ):
            return
        self.old = signal.signal(signal.SIGALRM, self._expire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        self.armed = True

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
            self.armed = False


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
                # our own names first: 'typography' is digest's one-pass smart punctuation
                extensions=[TypographyExtension() if name == "typography" else name for name in config.extensions],
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
            from digest.sources.fastmd import FastMarkdown

            self._fast = FastMarkdown(config)

    def render(self, text: str, summary_length: int = 300) -> Rendered:
        try:
            with _Deadline(RENDER_SECONDS):
                return self._render(text, summary_length)
        except _RenderTimeout:
            raise DigestError(
                f"the Markdown took over {RENDER_SECONDS:g} s to render (thousands of '[' or '<' in a row?):"
                " simplify or split the article",
                line=1,
            ) from None

    def _render(self, text: str, summary_length: int) -> Rendered:
        if self._fast is not None:
            raw_html, toc = self._fast.render(text)
        else:
            self._md.reset()
            raw_html = self._md.convert(text)
            toc = getattr(self._md, "toc", "") if getattr(self._md, "toc_tokens", None) else ""
        # after the sanitiser, which has the last word on tags; its output is regular enough for a regex
        body = focusable_scrollers(shift_headings(encode_urls(self._clean(raw_html))))
        return Rendered(html=body, toc=self._clean(toc) if toc else "", summary=summarise(body, summary_length))

    def render_note(self, text: str) -> str:
        if not text:
            return ""
        try:
            with _Deadline(RENDER_SECONDS):
                return self._render_note(text)
        except _RenderTimeout:
            raise DigestError(f"the 'note' took over {RENDER_SECONDS:g} s to render: simplify it", line=1) from None

    def _render_note(self, text: str) -> str:
        if self._fast is not None:
            return encode_urls(self._clean(self._fast.render(text)[0]))
        self._md.reset()
        return encode_urls(self._clean(self._md.convert(text)))


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
