"""digest import FEED: RSS and Atom files or URLs, and OPML lists of them, as one draft per new entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import article
from digest.cli import cli
from local_http import Route, serve_routes

pytest.importorskip("feedparser")
pytest.importorskip("httpx")

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
 <title>Example Wire</title><link>https://wire.example.org/</link><description>News</description>
 <item><title>Almaty airport reopens</title><link>https://wire.example.org/2022/01/10/airport</link>
  <description>&lt;p&gt;Flights resume &lt;b&gt;on Monday&lt;/b&gt; after a week.&lt;/p&gt;</description>
  <category>Aviation</category><category>kazakhstan</category>
  <pubDate>Mon, 10 Jan 2022 09:39:00 +0600</pubDate></item>
 <item><title>Banks reopen</title><link>https://wire.example.org/2022/01/09/banks?utm_source=rss</link>
  <description>Banks open again.</description><pubDate>Sun, 09 Jan 2022 12:00:00 +0000</pubDate></item>
 <item><title>Protests begin</title><link>https://wire.example.org/2022/01/02/protests</link>
  <description>Fuel prices.</description><pubDate>Sun, 02 Jan 2022 08:00:00 +0000</pubDate></item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Steppe Daily</title><id>urn:x</id><updated>2022-01-11T00:00:00Z</updated>
 <entry><title>Tokayev names a new cabinet</title><id>urn:1</id><link href="https://steppe.example.kz/cabinet"/>
  <updated>2022-01-11T10:00:00Z</updated><summary>A new prime minister.</summary><category term="Kazakhstan"/></entry>
</feed>
"""


@pytest.fixture
def server() -> Iterator[str]:
    with serve_routes({"/atom.xml": Route(200, "application/atom+xml", ATOM.encode())}) as url:
        yield url


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.fixture
def site(make_site) -> Path:
    return make_site(
        {"content/banks.md": article("Banks reopen in Almaty", "2022-01-09", tags=["Kazakhstan"],
                                     source={"name": "Example Wire", "url": "http://www.wire.example.org/2022/01/09/banks"})},
        config="timezone: Asia/Almaty\n",
    )


def test_rss_file_one_draft_per_new_entry(site, tmp_path):
    feed = tmp_path / "wire.xml"
    feed.write_text(RSS, encoding="utf-8")
    code, out, err = run("import", str(feed), "--site", str(site))
    assert code == 0, err
    paths = [site / line for line in out.split()]
    assert [p.relative_to(site).as_posix() for p in paths] == [
        "content/2022/01/almaty-airport-reopens.md", "content/2022/01/protests-begin.md",
    ]
    meta = front_matter(paths[0])
    assert meta["title"] == "Almaty airport reopens"
    assert meta["date"].isoformat() == "2022-01-10T09:39:00+06:00"
    assert meta["summary"] == "Flights resume on Monday after a week."
    assert meta["source"]["name"] == "Example Wire"
    assert meta["source"]["url"] == "https://wire.example.org/2022/01/10/airport"
    assert meta["tags"] == ["Kazakhstan"]  # "kazakhstan" is the site's tag; "Aviation" only suggested
    assert meta["draft"] is True  # a curator reads the story before it is published
    assert "1 already on the site" in err  # the banks story, by its normalised URL
    code, out, err = run("build", "--site", str(site), "-q", "--drafts")
    assert code == 0, err


def test_since_and_limit(site, tmp_path):
    feed = tmp_path / "wire.xml"
    feed.write_text(RSS, encoding="utf-8")
    code, out, err = run("import", str(feed), "--site", str(site), "--since", "2022-01-05", "--limit", "1")
    assert code == 0, err
    assert [Path(line).name for line in out.split()] == ["almaty-airport-reopens.md"]
    assert "1 before --since" in err and "1 already on the site" in err
    code, out, err = run("import", str(feed), "--site", str(site), "--since", "2022-01-05")
    assert code == 0 and out.split() == [] and "2 already on the site" in err  # a second run repeats nothing


def test_atom_by_url_and_an_opml_list(site, tmp_path, server):
    (tmp_path / "wire.xml").write_text(RSS, encoding="utf-8")
    opml = tmp_path / "subscriptions.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>'
        f'<outline text="Steppe" type="rss" xmlUrl="{server}/atom.xml"/>'
        '<outline text="Wire" type="rss" xmlUrl="wire.xml"/></body></opml>',
        encoding="utf-8",
    )
    code, out, err = run("import", str(opml), "--site", str(site))
    assert code == 0, err
    names = [Path(line).name for line in out.split()]
    assert names == ["tokayev-names-a-new-cabinet.md", "almaty-airport-reopens.md", "protests-begin.md"]
    assert "from 2 feed(s)" in err
    meta = front_matter(site / out.split()[0])
    assert meta["source"] == {"name": "Steppe Daily", "url": "https://steppe.example.kz/cabinet",
                              "published": meta["source"]["published"]}
    code, out, err = run("import", f"{server}/atom.xml", "--site", str(site))
    assert code == 0 and out.split() == [] and "1 already on the site" in err


def test_a_broken_feed_is_one_line(site, tmp_path):
    feed = tmp_path / "bad.xml"
    feed.write_text("<?xml version='1.0'?><rss><channel><title>x</title>", encoding="utf-8")
    code, out, err = run("import", str(feed), "--site", str(site))
    assert code == 1 and len(err.strip().splitlines()) == 1 and "not an RSS or Atom feed" in err
