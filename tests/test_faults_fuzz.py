"""Fuzzing hostile input: front matter, Markdown through the sanitiser, and the importer.

Each property runs ``DIGEST_FUZZ_EXAMPLES`` generated inputs (default 200; the long run documented in
docs/reliability.md sets 20000). The sanitiser's output is parsed by html5lib exactly as a browser
parses a page, and nothing in that tree may run code: no script or other active element, no event
handler attribute, no ``javascript:``-like URL in any attribute a browser follows.
"""

from __future__ import annotations

import os
import re
from datetime import date, timezone
from typing import Any

import html5lib
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest.config import HtmlConfig, MarkdownConfig
from digest.errors import DigestError
from digest.sources.frontmatter import check_bytes, parse_article
from digest.sources.markup import MarkdownRenderer

EXAMPLES = int(os.environ.get("DIGEST_FUZZ_EXAMPLES", "200"))
FUZZ = settings(deadline=None, max_examples=EXAMPLES, suppress_health_check=list(HealthCheck))

# -- building blocks of hostile Markdown: what XSS cheat sheets and mutation-XSS papers use -------------------------
SCHEMES = ["javascript:", "JaVaScRiPt:", "java\tscript:", "java&#x09;script:", "&#106;avascript:", " javascript:",
           "\x01javascript:", "vbscript:", "data:text/html,", "data:text/html;base64,PHNjcmlwdD4=", "jav&#x0A;ascript:",
           "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;", "javascript&colon;", "livescript:"]
PAYLOAD = ["alert(1)", "alert`1`", "//%0aalert(1)", ""]
TAGS = ["script", "img", "svg", "math", "iframe", "a", "div", "style", "object", "embed", "form", "input", "button",
        "video", "audio", "source", "details", "body", "base", "meta", "link", "template", "noscript", "xmp",
        "textarea", "title", "select", "table", "frameset", "isindex", "animate", "set", "use", "image", "foreignObject"]
ATTRS = ["onerror", "onload", "OnClick", "onmouseover", "onfocus", "ontoggle", "onbegin", "href", "src", "srcdoc",
         "action", "formaction", "xlink:href", "style", "data", "background", "poster", "autofocus", "open",
         "http-equiv", "content", "srcset", "is", "id", "name"]

schemes = st.sampled_from(SCHEMES)
payloads = st.sampled_from(PAYLOAD)
urls = st.builds(lambda s, p: s + p, schemes, payloads) | st.sampled_from(["https://example.com/x", "/a", "#b", ""])
attr_values = urls | st.sampled_from(["alert(1)", "x", "\"><script>alert(1)</script>", "expression(alert(1))"])
quotes = st.sampled_from(['"', "'", "", "`"])


@st.composite
def tags(draw: Any) -> str:
    name = draw(st.sampled_from(TAGS))
    attrs = "".join(
        f"{draw(st.sampled_from([' ', '/', chr(10), chr(12)]))}{draw(st.sampled_from(ATTRS))}="
        f"{(q := draw(quotes))}{draw(attr_values)}{q}"
        for _ in range(draw(st.integers(0, 3)))
    )
    close = draw(st.sampled_from([">", "/>", " >", ""]))
    inner = draw(st.sampled_from(["", "alert(1)", "<script>alert(1)</script>", "x", "<!--", "]]>", "</p>"]))
    end = draw(st.sampled_from([f"</{name}>", "", f"</{name} >", "</"]))
    return f"<{name}{attrs}{close}{inner}{end}"


markdown_bits = st.one_of(
    tags(),
    st.builds(lambda u, t: f"[{t}]({u})", urls, st.sampled_from(["x", "click", "<b>b</b>"])),
    st.builds(lambda u: f"![img]({u})", urls),
    st.builds(lambda u: f"<{u}>", urls),
    st.builds(lambda u: f"[r]: {u}\n\n[x][r]", urls),
    st.builds(lambda u: f"[x]({u} \"t\"){{: onclick=\"alert(1)\" }}", urls),  # attr_list
    st.sampled_from(["<!-- <script>alert(1)</script> -->", "<![CDATA[<script>alert(1)</script>]]>", "```\n<script>\n```",
                     "`<script>`", "    <script>alert(1)</script>", "<?php echo 1 ?>", "&lt;script&gt;", "&#60;script",
                     "*emphasis*", "# Heading {#x onclick=alert(1)}", "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | c |",
                     "[^1]\n\n[^1]: <script>alert(1)</script>", "<svg><![CDATA[><image xlink:href=\"]]><img src=x onerror=alert(1)>\">]]></svg>",
                     "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
                     "<a href=\"jav&#x09;ascript:alert(1)\">x</a>", "<div markdown=\"1\">*x* <script>alert(1)</script></div>"]),
    st.text(max_size=20),
)
hostile_markdown = st.lists(markdown_bits, min_size=1, max_size=8).map(lambda parts: "\n".join(parts))

# attributes a browser follows as a URL, and what it strips before reading the scheme
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "background", "poster", "srcset", "cite",
             "longdesc", "ping", "codebase", "manifest", "icon", "lowsrc", "dynsrc", "href:xlink"}
ACTIVE = {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link",
          "form", "template", "noscript", "portal", "animate", "set", "handler", "foreignobject", "use"}
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")  # the URL parser removes these anywhere
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))  # and these at either end


def dangers(fragment: str, *, page: bool = False, allowed: frozenset[str] = frozenset()) -> list[str]:
    """What in ``fragment`` (a body fragment, or with ``page`` a whole page), parsed as a browser does, could run code.

    ``allowed`` are elements the site's allow-list keeps on purpose (an iframe for embeds); their
    attributes are still checked. A whole page may have the theme's own ``<meta>``, ``<link>``, search form and noscript (their URLs and
    attributes are still checked; bodies, where content goes, are checked as fragments without exceptions).
    """
    found: list[str] = []
    active = (ACTIVE - {"meta", "link", "form", "noscript"} if page else ACTIVE) - allowed  # page: the theme's own
    tree = html5lib.parse(fragment if page else f"<!doctype html><html><body>{fragment}</body></html>",
                          treebuilder="etree", namespaceHTMLElements=False)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in active:
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            attr = name.rsplit("}", 1)[-1].lower()
            if attr.startswith("on") or attr in {"srcdoc", "style", "http-equiv"} and tag not in {"td", "th"}:
                if attr == "style" and not re.search(r"expression|url\s*\(|javascript", value, re.I):
                    continue  # plain styles run nothing (the allow-list may keep them on tables)
                found.append(f"<{tag} {attr}>")
            if attr in URL_ATTRS:
                scheme = _TAB_OR_NEWLINE.sub("", value).strip(_C0_OR_SPACE).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:", "livescript:")):
                    found.append(f"<{tag} {attr}={value!r}>")
    return found


RENDERERS = {
    "default": MarkdownRenderer(MarkdownConfig(), HtmlConfig()),
    "embeds allowed": MarkdownRenderer(MarkdownConfig(), HtmlConfig(
        allow_tags=("iframe", "video", "source", "details", "summary"),
        allow_attributes={"iframe": ("src", "width", "height", "allowfullscreen"), "a": ("target",),
                          "video": ("src", "poster", "controls")})),
}
try:
    import pyromark  # noqa: F401

    RENDERERS["fast engine"] = MarkdownRenderer(MarkdownConfig(engine="fast"), HtmlConfig())
except ImportError:  # pragma: no cover - the test extras install it
    pass


def test_the_checker_sees_what_a_browser_would_run() -> None:
    """The oracle itself: each of these is caught (so a clean result below means something)."""
    for bad in ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href=" jav&#x09;ascript:alert(1)">x</a>',
                '<svg><animate onbegin=alert(1)>', '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">',
                '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', '<a href="data:text/html,x">x</a>']:
        assert dangers(bad), bad
    assert dangers('<p><a href="https://example.com/">ok</a> <img src="/a.png" alt=""></p>') == []


@pytest.mark.parametrize("engine", list(RENDERERS))
@FUZZ
@given(text=hostile_markdown)
@example(text="<iframe></iframe>")  # kept by the embeds allow-list: not a finding by itself (long run)
def test_no_generated_markdown_yields_code_a_browser_runs(engine: str, text: str) -> None:
    renderer = RENDERERS[engine]
    try:
        rendered = renderer.render(text)
        note = renderer.render_note(text)
    except DigestError:
        return  # refused with a message (a render that took too long): nothing written
    allowed = frozenset({"iframe"}) if engine == "embeds allowed" else frozenset()
    for part in (rendered.html, rendered.toc, note):  # the summary is plain text, escaped by every template
        assert dangers(part, allowed=allowed) == [], (text, part)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
one_line = markdown_bits.map(lambda t: _CONTROL.sub("", t).strip() or "x")  # front matter refuses controls


@st.composite
def hostile_articles(draw: Any) -> dict[str, str]:
    from conftest import article

    return {f"content/a{i}.md": article(draw(one_line), f"2022-01-1{i} 10:00", draw(hostile_markdown),
                                         tags=[draw(one_line)], note=draw(hostile_markdown), summary=draw(one_line),
                                         author=draw(one_line), source={"name": draw(one_line),
                                                                        "url": "https://example.com/a?q=<x>"})
            for i in range(3)}


THEME_SCRIPTS = re.compile(r'<script src="/static/search\.[0-9a-f]+\.js" defer></script>|'
                           r'<script type="application/ld\+json">.*?</script>', re.S)


@settings(deadline=None, max_examples=max(10, EXAMPLES // 20), suppress_health_check=list(HealthCheck))
@given(files=hostile_articles())
def test_whole_pages_of_hostile_articles_run_nothing(tmp_path_factory: Any, files: dict[str, str]) -> None:
    """Titles, tags, summaries, notes and source names reach many templates: every page is checked."""
    from conftest import NOW, write_files
    from digest.pipeline import BuildOptions, build

    site = tmp_path_factory.mktemp("hostile")
    write_files(site, files)
    try:
        build(BuildOptions(site_dir=site, now=NOW, jobs=1, use_cache=False))
    except DigestError:
        return
    checked = []
    for page in (site / "output").rglob("*.html"):
        html = THEME_SCRIPTS.sub("", page.read_text(encoding="utf-8"))
        assert dangers(html, page=True) == [], (page.relative_to(site), files)
        checked.append(page)
    assert len(checked) > 10


# -- front matter: any bytes are an article or a DigestError -----------------------------------------------------------

front_values = st.sampled_from(["", "x", "2022-01-10", "[a, b]", "{a: 1}", "&a [1]", "*a", "!!python/object:os.system x",
                                "!!binary aGk=", "<<: *a", "'unterminated", "|\n  block", "9999-99-99", "- - -", "null",
                                "~", "yes", "0x1F", "1e999", ".nan", "2022-01-10T25:61:00Z", "\"\\ud800\""])
front_keys = st.sampled_from(["title", "date", "tags", "slug", "source", "draft", "summary", "note", "image",
                              "updated", "via", "author", "categories", "x", "? complex", "title"])


@st.composite
def article_bytes(draw: Any) -> bytes:
    lines = [f"{draw(front_keys)}: {draw(front_values)}" for _ in range(draw(st.integers(0, 8)))]
    fence = draw(st.sampled_from(["---", "---\r", "+++", "--- ", ""]))
    body = draw(hostile_markdown)
    text = f"{fence}\n" + "\n".join(lines) + f"\n{draw(st.sampled_from(['---', '...', '']))}\n{body}"
    data = text.encode("utf-8", "surrogatepass")
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\x80\x81"]))
    return prefix + data + draw(st.binary(max_size=8))


@FUZZ
@given(data=article_bytes())
def test_any_article_bytes_are_an_article_or_a_message(data: bytes) -> None:
    try:
        text = check_bytes("content/a.md", data)
        article = parse_article("content/a.md", "a.md", text, timezone.utc)
    except DigestError as exc:
        assert exc.path == "content/a.md" and exc.message and "Traceback" not in exc.message
        return
    assert article.title and article.date is not None


# -- the importer: random HTML and text never raise ------------------------------------------------------------------

html_bits = st.one_of(
    tags(),
    st.sampled_from(["<html>", "<head>", "<title>T</title>", "<meta property=\"og:title\" content=\"x\">",
                     "<meta name=\"date\" content=\"2022-13-45\">", "<article>", "</article>", "<h1>Head</h1>",
                     "<time datetime=\"9999-99-99T99:99\">x</time>", "<script type=\"application/ld+json\">",
                     "{\"@type\": \"NewsArticle\", \"headline\": 1, \"datePublished\": [null]}", "</script>",
                     "<p>Paragraph of text, long enough to count as a paragraph of an article.</p>", "<br>",
                     "<meta charset=\"x-unknown\">", "\x00", "<![CDATA[", "<!--", "&#0;", "&#x110000;", "<a href=x>"]),
    st.text(max_size=30),
)
html_pages = st.lists(html_bits, max_size=25).map("".join)
clippings = st.lists(st.one_of(st.text(max_size=40), st.sampled_from([
    "Share", "Advertisement", "By Jane Doe", "10 January 2022", "Published: 2022-01-10 09:39", "Read more", "",
    "Tags: a, b", "https://example.com/x", "Kazakhstan crisis ‘attempted coup’ – President", "—", "\t", "Photo: AP"])),
    max_size=20).map("\n".join)


@FUZZ
@given(page=html_pages, url=st.none() | st.sampled_from(["https://example.com/a", "not a url", "javascript:x"]))
@example(page='<svg onerror="data:text/html,alert(1)"></svg>', url=None)  # htmldate asserted on it (long run)
def test_any_html_page_imports_or_says_why(page: str, url: str | None) -> None:
    from digest.importer.html_page import parse_html_page

    try:
        parse_html_page(page, timezone.utc, date(2022, 1, 10), url)
    except DigestError as exc:
        assert exc.message


@FUZZ
@given(text=clippings)
def test_any_clipping_imports_or_says_why(text: str) -> None:
    from digest.importer.clipping import parse_clipping

    try:
        parse_clipping(text, timezone.utc, date(2022, 1, 10))
    except DigestError as exc:
        assert exc.message


@FUZZ
@given(data=st.binary(max_size=200) | html_pages.map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_any_bytes_decode_for_the_importer_or_say_why(data: bytes) -> None:
    from digest.importer.decode import decode_input

    try:
        decode_input(data, "page.html")
    except DigestError as exc:
        assert exc.message
