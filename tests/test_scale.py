"""Big sites build, paginated, with nothing quadratic: 10,000 tags, an article with 500 tags,
a tag on 10,000 articles, 1,000 articles on one day.

Timings are printed (``pytest -s``), never asserted: machines differ. Page counts are asserted.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pytest

from digest.pipeline import BuildResult

# Templates that print little, so a 30,000-page build measures digest rather than the theme.
TINY_THEME = {
    "themes/tiny/templates/base.html": "<title>{{ page.title }}</title>{% block content %}{% endblock %}",
    "themes/tiny/templates/article.html": "{% extends 'base.html' %}{% block content %}{{ article.title }}"
    "{% for t in article.tags %} <a href='{{ url(t.url) }}'>{{ t.name }}</a>{% endfor %}{% endblock %}",
    "themes/tiny/templates/list.html": "{% extends 'base.html' %}{% block content %}"
    "{% for item in paginator.items %}<a href='{{ url(item.url) }}'>{{ item.title }}</a>{% endfor %}"
    " page {{ paginator.number }} of {{ paginator.total_pages }}{% endblock %}",
    "themes/tiny/templates/index.html": "{% extends 'list.html' %}",
    "themes/tiny/templates/terms.html": "{% extends 'base.html' %}{% block content %}"
    "{% for t in taxonomy.terms %}<a href='{{ url(t.url) }}'>{{ t.name }}</a>{% endfor %}{% endblock %}",
    "themes/tiny/templates/archive.html": "{% extends 'base.html' %}{% block content %}{{ years|length }}"
    "{% endblock %}",
    "themes/tiny/templates/404.html": "{% extends 'base.html' %}",
}


def write_articles(content: Path, count: int, make: Callable[[int], tuple[str, str, list[str]]]) -> None:
    """``make(i)`` gives (title, date, tags) of article ``i``; files are written directly, without YAML dumping."""
    content.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        title, date, tags = make(i)
        tag_list = ", ".join(tags)
        (content / f"a{i:05d}.md").write_text(
            f"---\ntitle: {title}\ndate: {date}\ntags: [{tag_list}]\n---\nBody {i}.\n"
        )


def timed_build(run_build: Callable[..., BuildResult], site: Path, label: str) -> BuildResult:
    started = time.perf_counter()
    result = run_build(site, jobs=0)
    steps = ", ".join(f"{name} {seconds:.2f}" for name, seconds in result.timings.items())
    print(
        f"\n{label}: {result.articles} articles, {result.pages} pages"
        f" in {time.perf_counter() - started:.1f} s ({steps})"
    )
    return result


def folders(path: Path) -> int:
    return sum(1 for p in path.iterdir() if p.is_dir())


@pytest.mark.slow
def test_ten_thousand_tags(make_site, run_build) -> None:
    # Per-tag feeds are off: with them each tag is four files (40,000 here, ~25 s), which measures the
    # feed writers rather than the taxonomy. The site-wide feeds stay on.
    site = make_site({}, config="title: Tags\nfeeds: {tag_atom: '', tag_rss: '', tag_json: ''}\n")
    # 1,000 articles with 10 tags of their own each
    write_articles(
        site / "content",
        1000,
        lambda i: (
            f"Story {i}",
            f"2022-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00",
            [f"topic {i} {k}" for k in range(10)],
        ),
    )
    result = timed_build(run_build, site, "10,000 tags")
    out = site / "output"
    assert folders(out / "tags") == 10_000
    index = (out / "tags/index.html").read_text()
    assert index.count('href="/tags/topic-') >= 10_000
    assert (out / "tags/topic-999-9/index.html").is_file()
    assert result.articles == 1000


@pytest.mark.slow
def test_an_article_with_five_hundred_tags(make_site, run_build) -> None:
    site = make_site({})
    write_articles(
        site / "content",
        20,
        lambda i: (
            f"Story {i}",
            f"2022-01-{1 + i:02d} 10:00",
            [f"tag {k}" for k in range(500)] if i == 0 else ["tag 1"],
        ),
    )
    timed_build(run_build, site, "500 tags on one article")
    out = site / "output"
    page = (out / "2022/01/01/a00000/index.html").read_text()
    assert page.count('class="tag" href="/tags/tag-') == 500
    assert folders(out / "tags") == 500
    # 'tag 1' is on all 20 articles: 2 pages of 10
    assert (out / "tags/tag-1/page/2/index.html").is_file() and not (out / "tags/tag-1/page/3").exists()


@pytest.mark.slow
def test_a_tag_on_ten_thousand_articles(make_site, run_build) -> None:
    site = make_site(TINY_THEME, config="theme: tiny\nrelated: 5\n")
    write_articles(
        site / "content",
        10_000,
        lambda i: (
            f"Story {i}",
            f"{2000 + i // 1000}-{1 + i % 12:02d}-{1 + i % 28:02d} {i % 24:02d}:00",
            ["everything"],
        ),
    )
    result = timed_build(run_build, site, "one tag on 10,000 articles")
    out = site / "output"
    assert result.articles == 10_000
    tag = out / "tags/everything"
    assert (tag / "index.html").is_file()
    assert folders(tag / "page") == 999  # pages 2..1000 of 10
    assert "page 1000 of 1000" in (tag / "page/1000/index.html").read_text()
    assert folders(out / "page") == 999  # the home page too


@pytest.mark.slow
def test_a_thousand_articles_on_one_day(make_site, run_build) -> None:
    site = make_site({})
    write_articles(
        site / "content",
        1000,
        lambda i: (f"Story {i}", f"2022-01-10 {i // 60 % 24:02d}:{i % 60:02d}:{i % 17:02d}", [f"t{i % 7}"]),
    )
    result = timed_build(run_build, site, "1,000 articles on one day")
    out = site / "output"
    day = out / "2022/01/10"
    assert folders(day) == 1000 + 1  # the articles, and page/
    assert folders(day / "page") == 99  # 100 pages of 10
    assert folders(out / "2022/01/page") == 99 and folders(out / "2022/page") == 99
    assert "Page 100 of 100" in (day / "page/100/index.html").read_text()
    assert result.articles == 1000
