"""Atom, RSS and JSON feeds: valid by the specs' own schemas, right entries, stable ids, exact rebuilds."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

import feedparser
import jsonschema
import pytest
from lxml import etree

from conftest import article
from digest.errors import BuildFailed

DATA = Path(__file__).parent / "data"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(DATA / "atom.rng")))


@pytest.fixture(scope="module")
def json_schema() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((DATA / "jsonfeed-1.1.schema.json").read_text()))


STORIES = [
    # (file, title, date, tags, extra fields)
    ("2022/01/coup.md", "Crisis ‘attempted coup’ – President", "2022-01-10 09:39", ["Kazakhstan", "CSTO"],
     {"source": {"name": "RT", "url": "https://example.com/a"}, "author": "A. Writer", "summary": "Tokayev speaks",
      "note": "My *own* view.", "updated": "2022-01-12 10:00"}),
    ("2022/01/airport.md", "Almaty airport reopens", "2022-01-10 12:00", ["Kazakhstan", "aviation"],
     {"source": {"name": "Example Wire", "url": "https://example.org/b"}}),
    ("2022/01/oil.md", "Oil output steady", "2022-01-11 08:00", ["energy", "Kazakhstan"], {}),
    ("2022/01/grid.md", "Grid back", "2022-01-12 08:00", ["energy"], {"image": "grid.png"}),
    ("2021/12/old.md", "Year-end review", "2021-12-30 18:00", ["review"], {}),
]
BODY = (
    "See [the report](report.pdf), [a section](#detail) and [elsewhere](https://example.net/x).\n\n"
    "![chart](chart.png)\n\n## Detail\n\nMore text.[^1]\n\n[^1]: A footnote."
)


@pytest.fixture
def news(make_site):
    files: dict[str, str | bytes] = {
        f"content/{path}": article(title, date, BODY, tags=tags, **extra) for path, title, date, tags, extra in STORIES
    }
    files["content/2022/01/chart.png"] = b"PNG"
    files["content/2022/01/report.pdf"] = b"PDF"
    files["content/2022/01/grid.png"] = b"PNG"
    return make_site(
        files,
        config="""
        title: Test Digest
        description: News & notes
        base_url: https://news.example.org/
        timezone: Asia/Almaty
        feeds:
          limit: 3
        """,
    )


def feed_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.name in ("feed.xml", "rss.xml", "feed.json"))


def expected_titles(folder: str) -> list[str]:
    """Newest first, at most the limit of 3: what the feed in ``folder`` must list."""
    tag = folder.split("/")[1] if folder.startswith("tags/") else None
    stories = [s for s in STORIES if tag is None or tag in [t.lower() for t in s[3]]]
    stories.sort(key=lambda s: s[2], reverse=True)
    return [s[1] for s in stories[:3]]


def test_every_feed_is_valid_and_lists_the_newest_entries(news, run_build, atom_schema, json_schema):
    run_build(news)
    out = news / "output"
    files = feed_files(out)
    folders = {str(p.parent.relative_to(out)) for p in files}
    assert folders == {".", "tags/kazakhstan", "tags/csto", "tags/aviation", "tags/energy", "tags/review"}
    for path in files:
        folder = str(path.parent.relative_to(out)).replace(".", "")
        titles = expected_titles(folder)
        if path.suffix == ".json":
            data = json.loads(path.read_text())
            errors = [e.message for e in json_schema.iter_errors(data)]
            assert not errors, (path, errors)
            assert [i["title"] for i in data["items"]] == titles
            assert all(i["url"].startswith("https://news.example.org/20") for i in data["items"])
            continue
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.version == ("atom10" if path.name == "feed.xml" else "rss20")
        assert [e.title for e in parsed.entries] == titles
        assert all(e.link.startswith("https://news.example.org/20") for e in parsed.entries)
        assert all(e.published_parsed for e in parsed.entries)
        if path.name == "feed.xml":
            doc = etree.parse(str(path))
            assert atom_schema.validate(doc), (path, atom_schema.error_log)


def test_entry_fields_dates_and_source_attribution(news, run_build):
    run_build(news)
    out = news / "output"
    atom = feedparser.parse((out / "tags/csto/feed.xml").read_bytes())
    entry = atom.entries[0]
    assert entry.title == "Crisis ‘attempted coup’ – President"
    assert entry.link == "https://news.example.org/2022/01/10/coup/"
    # 09:39 in Almaty (UTC+5 or +6 by the zone database) and updated two days later
    assert time.strftime("%Y-%m-%d", entry.published_parsed) == "2022-01-10"
    assert time.strftime("%Y-%m-%d %H:%M", entry.updated_parsed)[:10] == "2022-01-12"
    assert entry.author == "A. Writer"
    assert [t.term for t in entry.tags] == ["Kazakhstan", "CSTO"]
    related = [link for link in entry.links if link.rel == "related"]
    assert related[0].href == "https://example.com/a" and related[0].title == "RT"
    assert entry.summary == "Tokayev speaks"
    assert atom.feed.title == "Test Digest: CSTO"
    assert atom.feed.link == "https://news.example.org/tags/csto/"

    rss = feedparser.parse((out / "tags/csto/rss.xml").read_bytes())
    item = rss.entries[0]
    assert item.source == {"href": "https://example.com/a", "title": "RT"}
    assert item.id == entry.id and item.guidislink is False
    assert item.author == "A. Writer"

    data = json.loads((out / "tags/csto/feed.json").read_text())
    first = data["items"][0]
    assert first["external_url"] == "https://example.com/a"
    assert first["id"] == entry.id
    assert first["date_published"].startswith("2022-01-10T09:39:00+0")
    assert first["date_modified"].startswith("2022-01-12T10:00:00+0")
    assert first["authors"] == [{"name": "A. Writer"}]
    assert first["tags"] == ["Kazakhstan", "CSTO"]
    assert data["home_page_url"] == "https://news.example.org/tags/csto/"
    assert data["feed_url"] == "https://news.example.org/tags/csto/feed.json"

    grid = json.loads((out / "feed.json").read_text())["items"][0]
    assert grid["image"] == "https://news.example.org/2022/01/12/grid/grid.png"  # placed beside the article


def test_content_links_are_absolute(news, run_build):
    run_build(news)
    out = news / "output"
    data = json.loads((out / "tags/csto/feed.json").read_text())
    html = data["items"][0]["content_html"]
    base = "https://news.example.org/2022/01/10/coup/"
    assert f'href="{base}report.pdf"' in html
    assert f'src="{base}chart.png"' in html
    assert f'href="{base}#detail"' in html
    assert 'href="https://example.net/x"' in html
    assert "<em>own</em>" in html  # the curator's note comes along
    assert 'Source: <a href="https://example.com/a">RT</a>' in html
    # the files the links point at exist where the build put them
    assert (out / "2022/01/10/coup/report.pdf").is_file() and (out / "2022/01/10/coup/chart.png").is_file()
    atom = etree.parse(str(out / "tags/csto/feed.xml")).getroot()
    content = atom.find(f"{ATOM}entry/{ATOM}content")
    assert content.get("type") == "html" and f'src="{base}chart.png"' in content.text


def test_summary_only_feeds(make_site, run_build, json_schema):
    site = make_site(
        {"content/a.md": article("Hello", "2022-01-10", "Full body text.", summary="Short.")},
        config="feeds:\n  content: summary\n",
    )
    run_build(site)
    out = site / "output"
    data = json.loads((out / "feed.json").read_text())
    assert not list(json_schema.iter_errors(data))
    assert data["items"][0]["content_text"] == "Short." and "content_html" not in data["items"][0]
    atom = (out / "feed.xml").read_text()
    assert "<content" not in atom and "Full body" not in atom and "Short." in atom
    assert "Full body" not in (out / "rss.xml").read_text()


def ids(out: Path) -> dict[str, str]:
    return {i["url"].rsplit("/", 2)[-2]: i["id"] for i in json.loads((out / "feed.json").read_text())["items"]}


def test_entry_ids_survive_title_edits_moves_and_permalink_changes(make_site, run_build):
    site = make_site({"content/a.md": article("First title", "2022-01-10 09:00")})
    run_build(site)
    out = site / "output"
    before = ids(out)
    assert before == {"a": "tag:localhost,2022-01-10:a"}
    path = site / "content/a.md"
    path.write_text(path.read_text().replace("First title", "Edited title"))
    run_build(site)
    assert ids(out) == before
    (site / "content/2022").mkdir()
    path.rename(site / "content/2022/a.md")
    (site / "digest.yaml").write_text("permalinks:\n  article: /news/{slug}/\n")
    run_build(site)
    assert ids(out) == before
    # moving domains: keep the old authority and every id stays
    (site / "digest.yaml").write_text("base_url: https://new.example.org/\nfeeds:\n  id_authority: localhost\n")
    run_build(site)
    assert ids(out) == before


def test_front_matter_id_keeps_an_entry_through_a_rename(make_site, run_build):
    site = make_site({"content/renamed.md": article("Hello", "2022-01-10", id="tag:localhost,2022-01-10:a")})
    run_build(site)
    assert ids(site / "output") == {"renamed": "tag:localhost,2022-01-10:a"}


def test_duplicate_front_matter_ids_name_both_files(make_site, run_build):
    site = make_site(
        {
            "content/a.md": article("A", "2022-01-10"),
            "content/b.md": article("B", "2022-01-11", id="tag:localhost,2022-01-10:a"),
        }
    )
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert "content/b.md: feed entry id 'tag:localhost,2022-01-10:a' is also the id of content/a.md" in str(info.value)


def test_feeds_are_rewritten_exactly_when_an_entry_changes(news, run_build):
    run_build(news)
    out = news / "output"
    # the year-end review is in no feed but its tag's: editing its body touches that feed only
    old = news / "content/2021/12/old.md"
    old.write_text(old.read_text() + "\nAnother line.\n")
    result = run_build(news)
    assert [p for p in result.written_paths if p.endswith((".xml", ".json"))] == [
        "tags/review/feed.json", "tags/review/feed.xml", "tags/review/rss.xml",
    ]
    # a title edit reaches every feed that lists the article, and no other
    oil = news / "content/2022/01/oil.md"
    oil.write_text(oil.read_text().replace("Oil output steady", "Oil output climbs"))
    result = run_build(news)
    feeds = sorted(p for p in result.written_paths if p.endswith((".xml", ".json")) and "sitemap" not in p)
    assert feeds == sorted(f"{d}{n}" for d in ("", "tags/energy/", "tags/kazakhstan/") for n in ("feed.json", "feed.xml", "rss.xml"))
    assert "Oil output climbs" in (out / "tags/energy/rss.xml").read_text()
    assert run_build(news).written == 0


def test_pages_link_their_feeds(news, run_build):
    run_build(news)
    out = news / "output"
    home = (out / "index.html").read_text()
    tag = (out / "tags/energy/index.html").read_text()
    tag2 = (out / "tags/kazakhstan/page/2/index.html").read_text() if (out / "tags/kazakhstan/page/2").exists() else tag
    for page in (home, tag, tag2):
        assert '<link rel="alternate" type="application/atom+xml" title="Atom" href="/feed.xml">' in page
        assert 'type="application/feed+json" title="JSON Feed" href="/feed.json"' in page
    assert 'type="application/rss+xml" title="energy (RSS)" href="/tags/energy/rss.xml"' in tag
    assert "/tags/energy/feed.xml" not in home


def test_feed_paths_are_configurable(make_site, run_build):
    site = make_site(
        {"content/a.md": article("Hello", "2022-01-10", tags=["x"])},
        config="feeds:\n  atom: /atom.xml\n  json: ''\n  tag_rss: ''\n  tag_atom: atom.xml\n",
    )
    run_build(site)
    out = site / "output"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.suffix in (".xml", ".json")) == [
        "atom.xml", "rss.xml", "sitemap.xml", "tags/x/atom.xml", "tags/x/feed.json",
    ]
    tag = (out / "tags/x/index.html").read_text()
    assert 'href="/tags/x/atom.xml"' in tag and 'href="/atom.xml"' in tag and "feed.json\"" in tag
    assert 'href="/feed.json"' not in tag


def test_control_characters_and_markup_in_titles_stay_text(make_site, run_build, atom_schema):
    title = 'Bell\x07 <b>bold</b> & "quotes" ]]> end'
    site = make_site({"content/a.md": article("placeholder", "2022-01-10", tags=["t"])})
    path = site / "content/a.md"
    path.write_text(path.read_text().replace("placeholder", json.dumps(title)))
    run_build(site)
    out = site / "output"
    clean = title.replace("\x07", "")
    for name in ("feed.xml", "rss.xml"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert parsed.bozo == 0 and parsed.entries[0].title == clean
    assert atom_schema.validate(etree.parse(str(out / "feed.xml")))
    assert json.loads((out / "feed.json").read_text())["items"][0]["title"] == title


def test_empty_site_has_valid_empty_feeds(make_site, run_build, json_schema, atom_schema):
    site = make_site({"content/.keep": ""})
    run_build(site)
    out = site / "output"
    assert atom_schema.validate(etree.parse(str(out / "feed.xml")))
    assert feedparser.parse((out / "rss.xml").read_bytes()).bozo == 0
    assert not list(json_schema.iter_errors(json.loads((out / "feed.json").read_text())))


def test_feed_dates_parse_as_the_article_dates(news, run_build):
    run_build(news)
    data = json.loads((news / "output/feed.json").read_text())
    for item in data["items"]:
        published = datetime.fromisoformat(item["date_published"])
        assert published.tzinfo is not None
