"""Whole builds of small sites: the pages that exist and what they hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import article
from digest.errors import BuildFailed


def read(site: Path, rel: str) -> str:
    return (site / "output" / rel).read_text(encoding="utf-8")


@pytest.fixture
def news(make_site):
    return make_site(
        {
            "content/2022/01/coup.md": article(
                "Kazakhstan crisis ‘attempted coup’ – President",
                "2022-01-10 09:39",
                "Last week’s unrest.\n\nSecond paragraph.",
                tags=["Kazakhstan", "CSTO"],
                summary="Tokayev thanks Russia",
                source={"name": "RT", "url": "https://example.com/a"},
                note="My *own* view.",
            ),
            "content/2022/01/airport.md": article(
                "Almaty airport reopens", "2022-01-10 12:00", "Flights resume.", tags=["kazakhstan ", "aviation"],
                source={"name": "Example Wire", "url": "https://example.org/b"},
            ),
            "content/2022/01/oil.md": article(
                "Oil output steady", "2022-01-11 08:00", "Output held.", tags="energy, Kazakhstan",
                source={"name": "Example Wire", "url": "https://example.org/c"},
            ),
            "content/2021/12/old.md": article("Year-end review", "2021-12-30", "A look back.", tags=["review"]),
            "content/2022/02/draft.md": article("Secret draft", "2022-02-01", "Not yet.", draft=True),
            "content/2030/01/future.md": article("From the future", "2030-01-01", "Later."),
            "content/2022/01/chart.png": b"\x89PNG fake",
        },
        config="""
        title: Test Digest
        base_url: https://news.example.org/
        timezone: Asia/Almaty
        per_page: 2
        """,
    )


def test_builds_every_kind_of_page(news, run_build):
    result = run_build(news)
    assert result.articles == 4  # the draft and the future article are left out
    out = news / "output"
    for rel in [
        "index.html", "page/2/index.html", "404.html", "archive/index.html",
        "2022/01/10/coup/index.html",
        "2022/01/10/airport/index.html", "2022/01/11/oil/index.html", "2021/12/30/old/index.html",
        "tags/index.html", "tags/kazakhstan/index.html", "tags/kazakhstan/page/2/index.html",
        "sources/index.html", "sources/example-wire/index.html", "sources/rt/index.html",
        "2022/index.html", "2022/01/index.html", "2022/01/10/index.html", "2021/12/30/index.html",
        "2022/01/chart.png",
    ]:
        assert (out / rel).is_file(), rel
    assert not list(out.rglob("*draft*")) and not list(out.rglob("*future*"))


def test_article_page_content(news, run_build):
    run_build(news)
    page = read(news, "2022/01/10/coup/index.html")
    assert "Kazakhstan crisis ‘attempted coup’ – President" in page
    assert "Last week’s unrest." in page
    assert "<em>own</em>" in page  # the curator's note is Markdown
    assert 'href="https://example.com/a"' in page
    assert "/tags/kazakhstan/" in page and "/tags/csto/" in page
    # neighbours: older is the year-end review, newer is the airport story
    assert "/2021/12/30/old/" in page and "/2022/01/10/airport/" in page
    assert "/2022/01/10/" in page  # link to the day's digest


def test_tags_merge_case_and_spacing(news, run_build):
    run_build(news)
    tags = read(news, "tags/index.html")
    assert tags.count('href="/tags/kazakhstan/"') == 1
    assert not (news / "output/tags/kazakhstan-").exists()
    first = read(news, "tags/kazakhstan/index.html")
    second = read(news, "tags/kazakhstan/page/2/index.html")
    titles = re.findall(r"(Kazakhstan crisis|Almaty airport|Oil output)", first + second)
    assert sorted(set(titles)) == ["Almaty airport", "Kazakhstan crisis", "Oil output"]
    assert 'href="/tags/kazakhstan/page/2/"' in first


def test_day_page_is_that_days_digest(news, run_build):
    run_build(news)
    day = read(news, "2022/01/10/index.html")
    assert "Kazakhstan crisis" in day and "Almaty airport" in day and "Oil output" not in day
    assert "/2022/01/11/" in day  # next day with articles
    assert "/2021/12/30/" in day  # previous day with articles


def test_home_is_newest_first_and_paginated(news, run_build):
    run_build(news)
    home = read(news, "index.html")
    assert home.index("Oil output") < home.index("Almaty airport")
    assert "Year-end review" not in home
    assert "Year-end review" in read(news, "page/2/index.html")
    assert 'href="/page/2/"' in home


def test_drafts_and_future_flags(news, run_build):
    result = run_build(news, drafts=True, future=True)
    assert result.articles == 6
    assert (news / "output/2022/02/01/draft/index.html").is_file()
    assert (news / "output/2030/01/01/future/index.html").is_file()


def test_future_compared_in_site_timezone(make_site, run_build):
    from datetime import datetime, timezone

    site = make_site({"content/a.md": article("Soon", "2022-01-10 09:00")}, config="timezone: Asia/Almaty\n")
    # 09:00 in Almaty (+05:00 since 2024 rules? the zone database decides) vs a clock just before/after
    from zoneinfo import ZoneInfo

    moment = datetime(2022, 1, 10, 9, 0, tzinfo=ZoneInfo("Asia/Almaty"))
    assert run_build(site, now=moment.astimezone(timezone.utc)).articles == 1
    from datetime import timedelta

    assert run_build(site, now=(moment - timedelta(minutes=1)).astimezone(timezone.utc)).articles == 0


def test_second_build_renders_nothing_and_is_byte_identical(news, run_build, tmp_path):
    first = run_build(news)
    snapshot = {p: p.read_bytes() for p in (news / "output").rglob("*") if p.is_file()}
    mtimes = {p: p.stat().st_mtime_ns for p in snapshot}
    second = run_build(news)
    assert second.rendered_markdown == 0 and second.rendered_pages == 0 and second.written == 0
    assert {p: p.read_bytes() for p in (news / "output").rglob("*") if p.is_file()} == snapshot
    assert {p: p.stat().st_mtime_ns for p in snapshot} == mtimes
    # a cold build (no cache) into another folder gives the same bytes
    cold = run_build(news, use_cache=False, output_dir=tmp_path / "cold")
    assert cold.rendered_markdown == first.articles + 2  # every file, drafts and future included
    cold_files = {p.relative_to(tmp_path / "cold"): p.read_bytes() for p in (tmp_path / "cold").rglob("*") if p.is_file()}
    assert cold_files == {p.relative_to(news / "output"): b for p, b in snapshot.items()}


def test_edit_one_article_rerenders_only_what_shows_it(news, run_build):
    run_build(news)
    path = news / "content/2022/01/oil.md"
    path.write_text(path.read_text() + "\nA second paragraph: 1.8m barrels.\n")
    result = run_build(news)
    assert result.rendered_markdown == 1
    written = result.written_paths
    # of the pages, only the article shows its body; so do the feeds that hold it and the search index
    assert [p for p in written if p.endswith(".html") and not p.startswith("search/")] == ["2022/01/11/oil/index.html"]
    assert sorted(p for p in written if p.endswith((".xml", ".json"))) == sorted(
        f"{folder}{name}" for folder in ("", "tags/energy/", "tags/kazakhstan/") for name in ("feed.xml", "rss.xml", "feed.json")
    )
    assert all(p.startswith("search/") for p in written if not p.endswith((".html", ".xml", ".json")))
    assert "1.8m barrels" in read(news, "2022/01/11/oil/index.html")


def test_title_edit_reaches_lists_and_neighbours(news, run_build):
    run_build(news)
    path = news / "content/2022/01/oil.md"
    path.write_text(path.read_text().replace("Oil output steady", "Oil output climbs"))
    run_build(news)
    for rel in ["index.html", "tags/energy/index.html", "2022/01/11/index.html", "2022/01/10/airport/index.html"]:
        assert "Oil output climbs" in read(news, rel), rel
        assert "Oil output steady" not in read(news, rel), rel


def test_deleted_article_disappears(news, run_build):
    run_build(news)
    (news / "content/2021/12/old.md").unlink()
    result = run_build(news)
    assert not (news / "output/2021/12/30/old").exists()
    assert not (news / "output/2021").exists()
    assert result.deleted >= 3
    assert "Year-end review" not in read(news, "page/2/index.html")


def test_non_markdown_files_are_copied_next_to_their_article(make_site, run_build):
    site = make_site(
        {
            "content/2022/01/story.md": article("Story", "2022-01-10", "![chart](chart.png)\n\n[pdf](report.pdf)"),
            "content/2022/01/chart.png": b"PNG",
            "content/2022/01/report.pdf": b"PDF",
            "content/2022/01/unrelated.txt": "kept",
        }
    )
    run_build(site)
    out = site / "output"
    assert (out / "2022/01/10/story/chart.png").read_bytes() == b"PNG"
    assert (out / "2022/01/10/story/report.pdf").read_bytes() == b"PDF"
    assert (out / "2022/01/unrelated.txt").read_text() == "kept"


def test_site_without_config_builds_with_defaults(make_site, run_build):
    site = make_site({"content/a.md": article("Hello", "2022-01-10")})
    result = run_build(site)
    assert result.articles == 1
    assert "Hello" in read(site, "index.html")


def test_jinja_in_content_is_shown_not_evaluated(make_site, run_build):
    body = "Use {{ config }} and {% include 'base.html' %} and {% raw %}x{% endraw %}."
    site = make_site({"content/a.md": article("Liquid {{ site.title }}", "2022-01-10", body)})
    run_build(site)
    page = read(site, "2022/01/10/a/index.html")
    assert "{{ config }}" in page and "{% include ‘base.html’ %}" in page
    assert "Liquid {{ site.title }}" in page


def test_raw_html_is_sanitised(make_site, run_build):
    body = (
        '<script>alert(1)</script><p onclick="x()">hi</p><a href="javascript:alert(1)">j</a>'
        '<iframe src="https://evil.example"></iframe><style>body{}</style><img src="data:image/png;base64,xx" alt="d">'
    )
    site = make_site({"content/a.md": article("<b>Bold</b> title", "2022-01-10", body)})
    run_build(site)
    page = read(site, "2022/01/10/a/index.html")
    main = page.split("<main", 1)[1]
    for bad in ["<script>alert", "onclick", "javascript:", "<iframe", "body{}", "data:image"]:
        assert bad not in main, bad
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in page


def test_markdown_features(make_site, run_build):
    body = """
## Section one

| a | b |
|---|---|
| 1 | 2 |

Text with a note.[^1]

```python
def f(): return 1
```

"Quoted" -- text...

[^1]: The footnote.
"""
    site = make_site({"content/a.md": article("Features", "2022-01-10", body)})
    run_build(site)
    page = read(site, "2022/01/10/a/index.html")
    assert "<table tabindex=\"0\">" in page  # scrolls sideways on a phone, so the keyboard can reach it
    assert 'id="section-one"' in page
    assert 'class="footnote' in page
    assert 'class="highlight"' in page and '<span class="k">def</span>' in page
    assert "“Quoted” – text…" in page


def test_custom_permalinks_and_subpath_base_url(make_site, run_build):
    site = make_site(
        {"content/a.md": article("Hello", "2022-01-10", tags=["x"])},
        config="""
        base_url: https://example.org/digest/
        permalinks:
          article: /news/{year}/{slug}/
          tag: /topics/{slug}/
        """,
    )
    run_build(site)
    out = site / "output"
    assert (out / "news/2022/a/index.html").is_file()
    assert (out / "topics/x/index.html").is_file()
    home = read(site, "index.html")
    assert 'href="/digest/news/2022/a/"' in home
    assert re.search(r'href="/digest/static/style\.[0-9a-f]{10}\.css"', home)


def test_relative_urls_work_from_file(make_site, run_build):
    site = make_site({"content/a.md": article("Hello", "2022-01-10", tags=["x"])}, config="relative_urls: true\n")
    run_build(site)
    page = read(site, "2022/01/10/a/index.html")
    assert 'href="../../../../tags/x/index.html"' in page
    assert re.search(r'href="\.\./\.\./\.\./\.\./static/style\.[0-9a-f]+\.css"', page)


def test_site_theme_overrides_one_template(make_site, run_build):
    site = make_site(
        {
            "content/a.md": article("Hello", "2022-01-10"),
            "themes/mine/templates/404.html": "{% extends 'base.html' %}{% block content %}Custom 404{% endblock %}",
        },
        config="theme: mine\n",
    )
    run_build(site)
    assert "Custom 404" in read(site, "404.html")
    assert "Hello" in read(site, "index.html")  # inherited from the default theme


def test_related_articles_share_tags(make_site, run_build):
    site = make_site(
        {
            "content/a.md": article("Alpha", "2022-01-10", tags=["x", "y", "z"]),
            "content/b.md": article("Beta", "2022-01-11", tags=["x", "y", "z"]),
            "content/c.md": article("Gamma", "2022-01-12", tags=["x"]),
            "content/d.md": article("Delta", "2022-01-13", tags=["q"]),
        },
        config="related: 1\n",
    )
    run_build(site)
    page = read(site, "2022/01/10/a/index.html")
    related = page.split("Related", 1)[1] if "Related" in page else page
    assert "/2022/01/11/b/" in related and "/2022/01/13/d/" not in related


def test_jekyll_style_names_and_dates(make_site, run_build):
    site = make_site(
        {
            "content/_posts/2013-09-14-jekyll-1-2-1-released.markdown": """
            ---
            layout: news_item
            title: 'Jekyll 1.2.1 Released'
            date: 2013-09-14 20:46:50 -0400
            categories: [release]
            ---
            Body with {% post_url 2013-09-06-x %} and a bare line:

            ---

            still body
            """,
            "content/_posts/2013-11-04-no-date-in-front-matter.md": "---\ntitle: Dated by name\ncategory: news\n---\nHi\n",
        },
        config="timezone: America/New_York\n",
    )
    run_build(site)
    out = site / "output"
    page = (out / "2013/09/14/jekyll-1-2-1-released/index.html").read_text()
    assert "{% post_url 2013-09-06-x %}" in page and "still body" in page
    assert (out / "2013/11/04/no-date-in-front-matter/index.html").is_file()
    assert (out / "tags/release/index.html").is_file() and (out / "tags/news/index.html").is_file()


def test_front_matter_date_wins_over_file_name(make_site, run_build):
    site = make_site({"content/2013-01-01-x.md": "---\ntitle: X\ndate: 2013-02-02 10:00\n---\nHi\n"})
    run_build(site)
    assert (site / "output/2013/02/02/x/index.html").is_file()


def test_unicode_titles_transliterate(make_site, run_build):
    site = make_site({"content/a.md": "---\ntitle: Қазақстан дағдарысы\ndate: 2022-01-10\nslug: null\n---\nHi\n",
                      "content/Привет мир.md": "---\ntitle: Привет мир\ndate: 2022-01-11\n---\nHi\n"})
    run_build(site)
    assert (site / "output/2022/01/11/privet-mir/index.html").is_file()


def test_extra_fields_reach_templates(make_site, run_build):
    site = make_site(
        {
            "content/a.md": article("Hello", "2022-01-10", mood="calm", when=None),
            "themes/t/templates/article.html": "{{ article.extra.mood }}|{{ article.title }}",
        },
        config="theme: t\n",
    )
    run_build(site)
    assert read(site, "2022/01/10/a/index.html") == "calm|Hello"


def test_duplicate_urls_name_both_files(make_site, run_build):
    site = make_site(
        {
            "content/one/same.md": article("One", "2022-01-10"),
            "content/two/same.md": article("Two", "2022-01-10"),
        }
    )
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    message = str(info.value)
    assert "content/two/same.md" in message and "content/one/same.md" in message
    assert "/2022/01/10/same/" in message


def test_tags_with_colliding_slugs_fail_with_a_message(make_site, run_build):
    site = make_site(
        {
            "content/a.md": article("A", "2022-01-10", tags=["New York"]),
            "content/b.md": article("B", "2022-01-11", tags=["New-York"]),
        }
    )
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert str(info.value.problems[0]) == (
        "content/b.md: tag 'New-York' has the same URL slug 'new-york' as the tag 'New York'"
        " (used in content/a.md): rename one of them"
    ) or str(info.value.problems[0]) == (
        "content/a.md: tag 'New York' has the same URL slug 'new-york' as the tag 'New-York'"
        " (used in content/b.md): rename one of them"
    )


def test_symlinked_asset_outside_the_site_is_refused(make_site, run_build, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private key")
    site = make_site({"content/a.md": article("A", "2022-01-10")})
    (site / "content/leak.txt").symlink_to(secret)
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert "leak.txt" in str(info.value) and "outside the site" in str(info.value)
    assert not (site / "output").exists()


def test_pipe_in_content_is_an_error_not_a_hang(make_site, run_build):
    import os

    site = make_site({"content/a.md": article("A", "2022-01-10")})
    os.mkfifo(site / "content/pipe.txt")
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert "pipe.txt" in str(info.value) and "not a regular file" in str(info.value)


def test_a_theme_that_shows_bodies_in_lists_sees_body_edits(make_site, run_build):
    site = make_site(
        {
            "content/a.md": article("A", "2022-01-10", "First paragraph.\n\nOld detail."),
            "themes/t/templates/list.html": "{% for item in paginator.items %}{{ item.html }}{% endfor %}",
        },
        config="theme: t\n",
    )
    run_build(site)
    (site / "content/a.md").write_text(article("A", "2022-01-10", "First paragraph.\n\nNew detail."))
    run_build(site)
    assert "New detail." in (site / "output/2022/01/10/index.html").read_text()
