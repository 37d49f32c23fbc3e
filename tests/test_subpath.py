"""A base URL with a sub-path reaches every URL the build writes: pages, feeds, sitemap, assets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import html5lib
import pytest

from conftest import article

BASE = "https://example.org/digest/"
URL_RE = re.compile(r"""https?://[^\s"'<>\\)]+""")
LINK_ATTRS = ("href", "src", "content", "action", "data-search-index", "data-site-root")


@pytest.fixture
def site(make_site):
    body = (
        "See [notes](notes.pdf) and [detail](#detail) and [away](https://example.com/away).\n\n![chart](chart.png)\n\n"
        "Site paths mean the site's root: [beta](/2022/01/11/b/), [its top](/2022/01/11/b/#top),"
        " ![again](/2022/01/10/a/chart.png).\n\n## Detail\n\nText."
    )
    return make_site(
        {
            "content/2022/01/a.md": article(
                "Alpha", "2022-01-10 09:00", body, tags=["energy", "grid"], image="chart.png",
                source={"name": "Wire", "url": "https://example.com/story"},
            ),
            "content/2022/01/b.md": article("Beta", "2022-01-11 09:00", "Body.", tags=["energy"], summary="Short."),
            "content/2022/01/chart.png": b"PNG",
            "content/2022/01/notes.pdf": b"PDF",
        },
        config=f"base_url: {BASE}\ntitle: Sub\nper_page: 1\nseo:\n  image: /static/share.png\n",
    )


def html_links(path: Path) -> Iterator[str]:
    doc = html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
    for element in doc.iter():
        for name in LINK_ATTRS:
            value = element.get(name)
            if value:
                yield value
        if element.tag == "script" and element.get("type") == "application/ld+json":
            yield from URL_RE.findall(json.dumps(json.loads(element.text)))


def on_site(url: str) -> bool:
    return urlsplit(url).hostname == "example.org"


def test_every_absolute_url_starts_with_the_base(site, run_build):
    run_build(site)
    out = site / "output"
    checked = 0
    for path in out.rglob("*"):
        if path.suffix == ".html":
            for link in html_links(path):
                if link.startswith(("http://", "https://")):
                    assert not on_site(link) or link.startswith(BASE), (path, link)
                    checked += on_site(link)
                elif link.startswith("/"):
                    assert link.startswith("/digest/"), (path, link)
                    checked += 1
        elif path.suffix in (".xml", ".json", ".txt"):
            urls = [u for u in URL_RE.findall(path.read_text()) if on_site(u)]
            assert urls, path
            for url in urls:
                assert url.startswith(BASE), (path, url)
            checked += len(urls)
            assert not re.search(r"""(?:href|src)=["']/(?!digest/)""", path.read_text()), path
    assert checked > 300
    # the links lead somewhere: assets and pages under the sub-path exist in output/
    home = (out / "index.html").read_text()
    style = re.search(r'href="/digest/(static/style\.[0-9a-f]+\.css)"', home)
    assert style and (out / style.group(1)).is_file()
    atom = (out / "tags/energy/feed.xml").read_text()
    assert f"{BASE}2022/01/10/a/notes.pdf" in atom and (out / "2022/01/10/a/notes.pdf").is_file()
    assert f"<id>{BASE}tags/energy/feed.xml</id>" in atom
    assert f"Sitemap: {BASE}sitemap.xml" in (out / "robots.txt").read_text()
    page = (out / "2022/01/10/a/index.html").read_text()
    assert 'href="/digest/2022/01/11/b/"' in page and 'href="/digest/2022/01/11/b/#top"' in page
    assert 'src="/digest/2022/01/10/a/chart.png"' in page
    assert f'href="{BASE}2022/01/11/b/"' in (out / "feed.xml").read_text().replace("&quot;", '"')


def test_relative_urls_keep_pages_browsable_and_feeds_absolute(site, run_build):
    (site / "digest.yaml").write_text((site / "digest.yaml").read_text() + "relative_urls: true\n")
    run_build(site)
    out = site / "output"
    for path in out.rglob("*.html"):
        for link in html_links(path):
            assert not link.startswith("/"), (path, link)  # would leave the folder under file://
            if link.startswith(("http://", "https://")):
                assert not on_site(link) or link.startswith(BASE), (path, link)
    article_page = (out / "2022/01/10/a/index.html").read_text()
    assert 'href="../../../../feed.xml"' in article_page
    assert 'href="../../11/b/index.html"' in article_page and 'href="../../11/b/index.html#top"' in article_page
    assert 'src="chart.png"' in article_page  # the same folder
    assert '<link rel="canonical" href="https://example.org/digest/2022/01/10/a/">' in article_page
    assert f'"url": "{BASE}2022/01/10/a/"' in article_page
    for name in ("feed.xml", "rss.xml", "feed.json", "sitemap.xml"):
        text = (out / name).read_text()
        assert f"{BASE}2022/01/10/a/" in text, name
