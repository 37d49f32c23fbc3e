"""sitemap.xml against the sitemaps.org 0.9 schemas, the 50,000-URL split, robots.txt."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from conftest import article
from digest.outputs.sitemap import MAX_URLS, SitemapUrl, build_sitemaps

DATA = Path(__file__).parent / "data"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(scope="module")
def urlset_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "sitemap-0.9.xsd")))


@pytest.fixture(scope="module")
def index_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "siteindex-0.9.xsd")))


@pytest.fixture
def site(make_site):
    return make_site(
        {
            "content/a.md": article("Alpha", "2022-01-10 09:00", tags=["x"], updated="2022-03-01 12:00"),
            "content/b.md": article("Beta", "2022-01-11 09:00", tags=["x", "y"]),
        },
        config="base_url: https://news.example.org/\n",
    )


def test_sitemap_lists_every_page_with_lastmod(site, run_build, urlset_schema):
    run_build(site)
    out = site / "output"
    doc = etree.parse(str(out / "sitemap.xml"))
    assert urlset_schema.validate(doc), urlset_schema.error_log
    entries = {u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS) for u in doc.getroot()}
    pages = {
        "https://news.example.org/" + str(p.relative_to(out).parent).replace(".", "").strip("/") + "/"
        for p in out.rglob("index.html")
    }
    pages = {p.replace("org//", "org/") for p in pages} - {"https://news.example.org/search/"}
    assert set(entries) == pages
    assert entries["https://news.example.org/2022/01/10/a/"] == "2022-03-01T12:00:00+00:00"  # updated wins
    assert entries["https://news.example.org/2022/01/11/b/"] == "2022-01-11T09:00:00+00:00"
    assert entries["https://news.example.org/tags/x/"] == "2022-03-01T12:00:00+00:00"  # newest change it lists
    assert not any(loc.endswith(("404.html", ".xml", ".json")) for loc in entries)


def test_an_unchanged_sitemap_is_not_made_again_but_comes_back_if_deleted(site, run_build, tmp_path, monkeypatch):
    import digest.outputs.sitemap as sitemap

    run_build(site)
    path = site / "output/sitemap.xml"
    before = path.read_bytes()

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003
        raise AssertionError("the sitemap was made although no page changed")

    monkeypatch.setattr(sitemap, "build_sitemaps", refuse)
    assert run_build(site).written == 0
    monkeypatch.undo()
    path.unlink()
    assert run_build(site).written_paths == ["sitemap.xml"] and path.read_bytes() == before
    (site / "content/c.md").write_text(article("Gamma", "2022-01-12 09:00"), encoding="utf-8")
    run_build(site)
    assert b"https://news.example.org/2022/01/12/c/" in path.read_bytes()
    run_build(site, use_cache=False, output_dir=tmp_path / "cold")
    assert (tmp_path / "cold/sitemap.xml").read_bytes() == path.read_bytes()


def test_robots_points_at_the_sitemap(site, run_build):
    run_build(site)
    assert (site / "output/robots.txt").read_text() == (
        "User-agent: *\nDisallow:\n\nSitemap: https://news.example.org/sitemap.xml\n"
    )


def test_a_sites_own_robots_txt_wins(site, run_build):
    (site / "content/robots.txt").write_text("User-agent: *\nDisallow: /drafts/\n")
    run_build(site)
    assert (site / "output/robots.txt").read_text() == "User-agent: *\nDisallow: /drafts/\n"


def test_sitemap_can_be_turned_off(site, run_build):
    (site / "digest.yaml").write_text("seo:\n  sitemap: false\n")
    run_build(site)
    assert not (site / "output/sitemap.xml").exists()
    assert "Sitemap:" not in (site / "output/robots.txt").read_text()


def test_more_than_50000_urls_make_a_sitemap_index(urlset_schema, index_schema):
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    count = 2 * MAX_URLS + 7
    urls = [
        SitemapUrl(f"https://example.org/digest/a/{n}/", start + timedelta(minutes=n) if n % 3 else None)
        for n in range(count)
    ]
    files = build_sitemaps(urls, "https://example.org/digest/")
    assert sorted(files) == ["/sitemap-1.xml", "/sitemap-2.xml", "/sitemap-3.xml", "/sitemap.xml"]
    index = etree.fromstring(files["/sitemap.xml"].encode())
    assert index_schema.validate(index), index_schema.error_log
    locs = [s.findtext("s:loc", namespaces=NS) for s in index]
    assert locs == [f"https://example.org/digest/sitemap-{n}.xml" for n in (1, 2, 3)]
    seen: list[str] = []
    for number, sitemap in enumerate(index, start=1):
        doc = etree.fromstring(files[f"/sitemap-{number}.xml"].encode())
        assert urlset_schema.validate(doc), urlset_schema.error_log
        chunk = [u.findtext("s:loc", namespaces=NS) for u in doc]
        assert len(chunk) == (MAX_URLS if number < 3 else 7)
        seen += chunk
        newest = max(u.lastmod for u in urls[len(seen) - len(chunk) : len(seen)] if u.lastmod)
        assert sitemap.findtext("s:lastmod", namespaces=NS) == newest.isoformat()
    assert seen == [u.loc for u in urls]


def test_exactly_50000_urls_stay_in_one_file():
    urls = [SitemapUrl(f"https://example.org/{n}/", None) for n in range(MAX_URLS)]
    assert list(build_sitemaps(urls, "https://example.org/")) == ["/sitemap.xml"]


def test_long_urls_split_by_size_before_the_count():
    urls = [SitemapUrl("https://example.org/" + "x" * 1000 + f"/{n}/", None) for n in range(300)]
    files = build_sitemaps(urls, "https://example.org/", max_bytes=100_000)
    assert len(files) > 3
    assert all(len(text.encode()) <= 100_000 for text in files.values())
