"""An HTML page made fit to send as an e-mail: one self-contained document that mail clients show as meant.

Mail clients drop ``<link>`` stylesheets and most ``<style>`` rules and run no scripts,
and a message is read far from the site, so: every rule is inlined into ``style``
attributes by css-inline (``@media`` rules, dark mode among them, stay in a ``<style>``
for the clients that use it), scripts and stylesheet links are removed, every URL is
made absolute, and every image gets an ``alt`` and a ``width``. Nothing is fetched.
"""

from __future__ import annotations

import re
from typing import cast
from urllib.parse import urljoin

from lxml import html as lxml_html

EMAIL_WIDTH = 560  # pixels: the content column of a 600-pixel message
_DROP = ("script", "noscript", "iframe", "object", "embed", "form")
_URL_ATTRIBUTES = ("href", "src", "background", "poster", "cite")
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def email_document(document: str, base_url: str) -> str:
    import css_inline  # only sites with e-mail editions use it: not loaded by every build, nor before its workers fork

    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False, keep_link_tags=False)
    inlined = inliner.inline(document)
    root = cast(lxml_html.HtmlElement, lxml_html.document_fromstring(inlined))
    for element in list(root.iter(*_DROP)):
        cast(lxml_html.HtmlElement, element).drop_tree()
    for link in list(root.iter("link")):
        if "stylesheet" in (link.get("rel") or "").lower() or link.get("rel") in ("icon", "preload"):
            cast(lxml_html.HtmlElement, link).drop_tree()
    # by hand, not make_links_absolute: that also parses every inlined style attribute for url(), and
    # after inlining every element has one (two thirds of the time of an e-mail copy)
    for element in root.xpath("//*[@href or @src or @background or @poster or @cite or @srcset]"):
        for name in _URL_ATTRIBUTES:
            value = element.get(name)
            if value is not None and not _HAS_SCHEME.match(value):
                element.set(name, urljoin(base_url, value.strip()))
        if element.get("srcset") is not None:
            del element.attrib["srcset"]  # few mail clients read it; src is the image they show
    for img in root.iter("img"):
        if img.get("alt") is None:
            img.set("alt", "")
        if not (img.get("width") or "").isdigit() or int(img.get("width") or 0) > EMAIL_WIDTH:
            img.set("width", str(EMAIL_WIDTH))
        img.set("style", (img.get("style", "").rstrip("; ") + "; max-width: 100%; height: auto").lstrip("; "))
    body = lxml_html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    return str(body)
