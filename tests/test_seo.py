"""Head metadata: canonical, description, OpenGraph, Twitter, JSON-LD; hostile titles stay text everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import html5lib
import pytest

from conftest import article

HOSTILE = """</script><script>alert("t")</script> & 'single' "double" <!-- --> ]]>"""
HOSTILE_TAG = "<b>Tag</b> & co"
HOSTILE_SUMMARY = """Summary </script><img src=x onerror=alert(1)> & "q" """.strip()


def parse(path: Path) -> object:
    return html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)


def metas(doc: object) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in doc.iter("meta"):  # type: ignore[attr-defined]
        key = meta.get("property") or meta.get("name")
        if key:
            found.setdefault(key, []).append(meta.get("content"))
    return found


def json_ld(doc: object) -> list[dict[str, object]]:
    return [json.loads(s.text) for s in doc.iter("script") if s.get("type") == "application/ld+json"]  # type: ignore[attr-defined]


@pytest.fixture
def hostile(make_site, run_build):
    site = make_site(
        {
            "content/2022/01/bad.md": article(
                HOSTILE, "2022-01-10 09:00", "Body.", tags=[HOSTILE_TAG, "plain"], summary=HOSTILE_SUMMARY,
                author='Eve "</script>"', source={"name": "Wire <i>", "url": "https://example.com/s?a=1&b=2"},
            ),
        },
        config="title: Digest & <Co>\nbase_url: https://news.example.org/\n",
    )
    run_build(site)
    return site / "output"


def test_hostile_title_tag_and_summary_stay_text_in_pages(hostile):
    page = hostile / "2022/01/10/bad/index.html"
    raw = page.read_text()
    assert '<script>alert("t")' not in raw and "<img src=x" not in raw and "<b>Tag</b>" not in raw
    doc = parse(page)
    assert doc.find(".//title").text.startswith(HOSTILE)
    scripts = [s for s in doc.iter("script")]
    # only the JSON-LD and nothing the title could have opened
    assert [s.get("type") for s in scripts if s.get("src") is None] == ["application/ld+json"]
    found = metas(doc)
    assert found["og:title"] == [HOSTILE] and found["twitter:title"] == [HOSTILE]
    assert found["description"] == [HOSTILE_SUMMARY] and found["og:description"] == [HOSTILE_SUMMARY]
    assert found["article:tag"] == [HOSTILE_TAG, "plain"]
    (ld,) = json_ld(doc)
    assert ld["headline"] == HOSTILE and ld["description"] == HOSTILE_SUMMARY
    assert ld["keywords"] == [HOSTILE_TAG, "plain"] and ld["author"] == {"@type": "Person", "name": 'Eve "</script>"'}
    assert ld["publisher"]["name"] == "Digest & <Co>"
    # inside the script element no '<' at all: '</script>' in a value cannot end it
    body = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body and ">" not in body and "&" not in body
    assert "\\u003c/script\\u003e" in body


def test_hostile_values_stay_text_in_lists_and_feeds(hostile):
    for rel in ("index.html", "tags/plain/index.html"):
        raw = (hostile / rel).read_text()
        assert '<script>alert("t")' not in raw and "<b>Tag</b>" not in raw
        assert HOSTILE in "".join(parse(hostile / rel).find(".//main").itertext())
    for name in ("feed.xml", "rss.xml"):
        parsed = feedparser.parse((hostile / name).read_bytes())
        assert parsed.bozo == 0
        entry = parsed.entries[0]
        assert entry.title == HOSTILE
        assert [t.term for t in entry.tags] == [HOSTILE_TAG, "plain"]
        assert parsed.feed.title == "Digest & <Co>"
    data = json.loads((hostile / "feed.json").read_text())
    assert data["items"][0]["title"] == HOSTILE and data["items"][0]["summary"] == HOSTILE_SUMMARY
    assert data["items"][0]["external_url"] == "https://example.com/s?a=1&b=2"
    assert 'Source: <a href="https://example.com/s?a=1&amp;b=2">Wire &lt;i&gt;</a>' in data["items"][0]["content_html"]


@pytest.fixture
def news(make_site, run_build):
    site = make_site(
        {
            "content/2022/01/story.md": article(
                "Story", "2022-01-10 09:00", "Body.", tags=["energy"], summary="What happened.", author="A. Writer",
                updated="2022-01-11 10:00", image="lead.png", source={"name": "Wire", "url": "https://example.com/s"},
            ),
            "content/2022/01/lead.png": b"PNG",
            "content/2022/01/plain.md": article("Plain", "2022-01-09 09:00", "Body."),
        },
        config="""
        title: Test Digest
        description: The news, curated.
        base_url: https://news.example.org/
        seo:
          twitter_site: "@digest"
          image: /static/share.png
        """,
    )
    run_build(site)
    return site / "output"


def test_article_head(news):
    doc = parse(news / "2022/01/10/story/index.html")
    found = metas(doc)
    permalink = "https://news.example.org/2022/01/10/story/"
    assert [link.get("href") for link in doc.iter("link") if link.get("rel") == "canonical"] == [permalink]
    assert found["description"] == ["What happened."]
    assert found["og:type"] == ["article"] and found["og:url"] == [permalink]
    assert found["og:site_name"] == ["Test Digest"] and found["og:title"] == ["Story"]
    assert found["og:image"] == [permalink + "lead.png"] and found["twitter:image"] == [permalink + "lead.png"]
    assert (news / "2022/01/10/story/lead.png").is_file()
    assert found["article:published_time"] == ["2022-01-10T09:00:00+00:00"]
    assert found["article:modified_time"] == ["2022-01-11T10:00:00+00:00"]
    assert found["article:tag"] == ["energy"]
    assert found["twitter:card"] == ["summary_large_image"] and found["twitter:site"] == ["@digest"]
    (ld,) = json_ld(doc)
    assert ld == {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Story",
        "url": permalink,
        "mainEntityOfPage": {"@type": "WebPage", "@id": permalink},
        "datePublished": "2022-01-10T09:00:00+00:00",
        "dateModified": "2022-01-11T10:00:00+00:00",
        "author": {"@type": "Person", "name": "A. Writer"},
        "publisher": {"@type": "Organization", "name": "Test Digest", "url": "https://news.example.org/"},
        "isBasedOn": "https://example.com/s",
        "description": "What happened.",
        "image": [permalink + "lead.png"],
        "keywords": ["energy"],
    }


def test_other_pages_are_websites_with_the_default_image(news):
    doc = parse(news / "index.html")
    found = metas(doc)
    assert found["og:type"] == ["website"] and found["og:url"] == ["https://news.example.org/"]
    assert found["og:image"] == ["https://news.example.org/static/share.png"]
    assert found["description"] == ["The news, curated."]
    (ld,) = json_ld(doc)
    assert ld["@type"] == "WebSite"
    assert ld["potentialAction"]["target"] == "https://news.example.org/search/?q={search_term_string}"
    plain = metas(parse(news / "2022/01/09/plain/index.html"))
    assert plain["og:type"] == ["article"] and "article:modified_time" not in plain
    tag = parse(news / "tags/energy/index.html")
    assert [link.get("href") for link in tag.iter("link") if link.get("rel") == "canonical"] == [
        "https://news.example.org/tags/energy/"
    ]
    assert json_ld(tag) == []
    assert metas(parse(news / "404.html"))["robots"] == ["noindex"]
