"""Link items: a source and no body. The headline goes to the source; a page only for a note longer than the summary."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

import feedparser
import yaml
from lxml import html as lxml_html

from conftest import REPO, article

LONG_NOTE = "First paragraph of a long note. " * 20 + "\n\nA second paragraph with more thoughts."
CONFIG = """
base_url: https://news.example.org/
editions:
  cadence: weekly
  start: 2022-01-03
"""
LATER = datetime(2022, 6, 1, tzinfo=timezone.utc)


def link(title: str, date: str, url: str, **fields: object) -> str:
    meta = {"title": title, "date": date, "source": {"name": "Wire", "url": url}, **fields}
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n"


def test_link_items_go_straight_to_the_source(make_site, run_build):
    site = make_site(
        {
            "content/short.md": link("Short link", "2022-01-04 10:00", "https://example.com/short",
                                     note="Worth a *look*."),
            "content/long.md": link("Long link", "2022-01-05 10:00", "https://example.com/long", note=LONG_NOTE),
            "content/full.md": article("A full story", "2022-01-06 10:00",
                                       source={"name": "Wire", "url": "https://example.com/full"}),
        },
        config=CONFIG,
    )
    out = run_build(site, now=LATER).output
    home = lxml_html.fromstring((out / "index.html").read_bytes())
    heads = {a.text_content(): a.get("href") for a in home.xpath("//*[contains(@class,'card-title')]/a")}
    assert heads == {"Short link": "https://example.com/short", "Long link": "https://example.com/long",
                     "A full story": "/2022/01/06/full/"}
    short_card = home.xpath("//article[contains(@class,'is-link')][.//a[@href='https://example.com/short']]")[0]
    assert "Worth a look." in short_card.text_content() and short_card.find(".//em") is not None  # the note, rendered
    # a short note gets no page; a long one does, linked from the card
    assert not (out / "2022/01/04/short").exists()
    assert (out / "2022/01/05/long/index.html").exists()
    assert home.xpath("//p[@class='note-link']/a/@href") == ["/2022/01/05/long/"]
    # tags, days and editions list it the same way; the edition's copies too
    day = lxml_html.fromstring((out / "2022/01/04/index.html").read_bytes())
    assert day.xpath("//*[contains(@class,'card-title')]/a/@href") == ["https://example.com/short"]
    edition = lxml_html.fromstring((out / "editions/1/index.html").read_bytes())
    assert "https://example.com/short" in edition.xpath("//li[contains(@class,'edition-item')]//*[contains(@class,'card-title')]/a/@href")
    assert "https://example.com/short" in (out / "editions/1/email.html").read_text()
    assert "https://example.com/short" in (out / "editions/1/email.txt").read_text()
    # the neighbour of a page links past a link item's missing page to the source
    story = lxml_html.fromstring((out / "2022/01/05/long/index.html").read_bytes())
    assert story.xpath("//a[@rel='prev']/@href") == ["https://example.com/short"]
    # feeds: the entry of a page-less link item is the story itself; nothing links to a missing page
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert {e.title: e.link for e in feed.entries}["Short link"] == "https://example.com/short"
    assert "/2022/01/04/short/" not in (out / "sitemap.xml").read_text()
    docs = "".join(p.read_text() for p in (out / "search").rglob("*.js"))
    assert "https://example.com/short" in docs


def test_digest_check_passes_a_site_with_link_items(make_site):
    from digest.commands.check import check_site

    site = make_site({"content/short.md": link("Short link", "2022-01-04 10:00", "https://example.com/s", note="Hi.")})
    result = check_site(site, now=LATER)
    assert [f for f in result.findings if f.severity != "info"] == []


def test_import_link_writes_a_link_item(make_site, run_build):
    site = make_site({}, config=CONFIG)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "digest", "import", *args, "--site", str(site)], capture_output=True, text=True,
            cwd=REPO, env={"SOURCE_DATE_EPOCH": str(int(datetime(2022, 1, 4, 9, tzinfo=timezone.utc).timestamp())),
                           "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        )

    made = run("--link", "https://www.example.com/story?id=1", "--title", "A story: worth it", "--note", "My *take*.")
    assert made.returncode == 0, made.stderr
    written = site / "content/2022/01/a-story-worth-it.md"
    assert made.stdout.strip() == str(written)
    meta = yaml.safe_load(written.read_text().split("---\n")[1])
    assert meta["source"] == {"name": "example.com", "url": "https://www.example.com/story?id=1"}
    assert meta["note"] == "My *take*." and written.read_text().endswith("---\n")
    again = run("--link", "https://example.com/story?id=1", "--title", "Same story")
    assert again.returncode == 1 and "already in the digest" in again.stderr
    assert run("--title", "x").returncode == 2  # neither a file nor --link
    out = run_build(site, now=LATER).output
    home = lxml_html.fromstring((out / "index.html").read_bytes())
    assert home.xpath("//*[contains(@class,'card-title')]/a/@href") == ["https://www.example.com/story?id=1"]
