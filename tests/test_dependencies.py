"""Which pages a rebuild renders: exactly those whose inputs changed.

Each test builds a small site, changes one thing, builds again and asserts the exact
set of rendered pages (``BuildResult.rendered_paths``), that every file whose bytes
changed was among them, and that the output equals a cold build's byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import NOW, REPO, article, write_files

CONFIG = "title: Dep Digest\nbase_url: https://dep.example.org/\nper_page: 3\n"
ARTICLES = {
    "content/2024/03/a.md": article("Grain exports rise", "2024-03-04 09:00", "A.", tags=["trade", "grain"],
                                    source={"name": "Wire", "url": "https://e.org/a"}),
    "content/2024/03/b.md": article("Rail link opens", "2024-03-05 09:00", "B.", tags=["transport"]),
    "content/2024/03/c.md": article("Port strike ends", "2024-03-06 09:00", "C.", tags=["transport", "labour"]),
    "content/2024/02/d.md": article("Budget passed", "2024-02-10 09:00", "D.", tags=["politics"]),
    "content/2024/02/e.md": article("Snow closes pass", "2024-02-11 09:00", "E.", tags=["weather"]),
}
NEW = {"content/2024/03/f.md": article("Wheat harvest record", "2024-03-06 12:00", "F.", tags=["grain"])}
ARTICLE_PAGES = ["2024/02/10/d/index.html", "2024/02/11/e/index.html", "2024/03/04/a/index.html",
                 "2024/03/05/b/index.html", "2024/03/06/c/index.html"]
FEEDS = ["feed.json", "feed.xml", "rss.xml"]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def site(make_site):
    return make_site(ARTICLES, config=CONFIG)


def rebuild(site: Path, run_build, tmp_path: Path) -> list[str]:
    """Build again; check the result against a cold build and return the rendered pages, sorted."""
    before = _files(site / "output")
    result = run_build(site)
    after = _files(site / "output")
    changed = {p for p, data in after.items() if before.get(p) != data}
    assert changed <= set(result.rendered_paths) | {p for p in changed if p.startswith("static/")}
    cold_dir = tmp_path / f"cold-{len(list(tmp_path.glob('cold-*')))}"
    run_build(site, use_cache=False, output_dir=cold_dir)
    assert _files(cold_dir) == after
    return sorted(result.rendered_paths)


def search_files(rendered: list[str]) -> list[str]:
    return [p for p in rendered if p.startswith("search/") and p.endswith(".js")]


def test_adding_an_article_renders_the_pages_that_list_or_count_it(site, run_build, tmp_path):
    run_build(site)
    write_files(site, NEW)
    rendered = rebuild(site, run_build, tmp_path)
    assert [p for p in rendered if p not in search_files(rendered)] == sorted([
        "2024/03/06/f/index.html",  # the new page
        "2024/03/06/c/index.html",  # its older neighbour links to it
        "2024/03/04/a/index.html",  # shares the tag grain: f is now related
        "index.html", "page/2/index.html",  # the home list shifts by one
        "tags/grain/index.html", *[f"tags/grain/{f}" for f in FEEDS], "tags/index.html",  # its tag; the tag counts
        "2024/03/06/index.html", "2024/03/index.html", "2024/03/page/2/index.html",  # its day and month
        "2024/index.html", "2024/page/2/index.html", "archive/index.html",  # its year; the archive's counts
        # the neighbouring periods link to its day and month with their counts
        "2024/02/index.html", "2024/03/04/index.html", "2024/03/05/index.html",
        *FEEDS, "sitemap.xml", "search/index.html",  # the site's feeds, sitemap and search page (its count)
    ])
    # untouched: the other articles, the other tags and sources, the 404 page
    for path in ["2024/03/05/b/index.html", "tags/transport/index.html", "sources/index.html", "404.html"]:
        assert path not in rendered


def test_a_body_edit_renders_its_page_and_the_feeds_that_hold_the_body(site, run_build, tmp_path):
    run_build(site)
    path = site / "content/2024/03/b.md"
    path.write_text(path.read_text() + "\nThe ministry confirmed the timetable.\n")
    rendered = rebuild(site, run_build, tmp_path)
    # not its neighbours nor its lists: the default theme prints no other article's body
    assert [p for p in rendered if p not in search_files(rendered)] == sorted([
        "2024/03/05/b/index.html", *FEEDS, *[f"tags/transport/{f}" for f in FEEDS],
        "search/index.html",  # it names the index by its hash
    ])
    assert search_files(rendered)  # its words are in the index


def test_deleting_an_article_renders_what_listed_it(site, run_build, tmp_path):
    write_files(site, NEW)
    run_build(site)
    (site / "content/2024/03/f.md").unlink()
    rendered = rebuild(site, run_build, tmp_path)
    assert [p for p in rendered if p not in search_files(rendered)] == sorted([
        "2024/03/06/c/index.html", "2024/03/04/a/index.html", "index.html", "page/2/index.html",
        "tags/grain/index.html", *[f"tags/grain/{f}" for f in FEEDS], "tags/index.html",
        "2024/03/06/index.html", "2024/03/index.html", "2024/index.html", "2024/page/2/index.html",
        "archive/index.html", "2024/02/index.html", "2024/03/04/index.html", "2024/03/05/index.html",
        *FEEDS, "sitemap.xml", "search/index.html",
    ])
    assert not (site / "output/2024/03/06/f/index.html").exists()


def test_nothing_changed_renders_nothing(site, run_build, tmp_path):
    run_build(site)
    assert rebuild(site, run_build, tmp_path) == []


def _own_theme(site: Path, *names: str) -> Path:
    templates = site / "themes/mine/templates"
    for name in names:
        (templates / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "themes/default/templates" / name, templates / name)
    (site / "digest.yaml").write_text(CONFIG + "theme: mine\n")
    return templates


def edit_template(site: Path, run_build, tmp_path: Path, name: str, old: str, new: str) -> tuple[list[str], list[str]]:
    """Build with a copy of the default ``name`` in the site's theme, edit it, build again:
    (the pages of the first build, the pages the second rendered)."""
    edited = _own_theme(site, name) / name
    first = run_build(site)
    assert old in edited.read_text()
    edited.write_text(edited.read_text().replace(old, new))
    return sorted(first.rendered_paths), rebuild(site, run_build, tmp_path)


def test_editing_article_html_renders_article_pages_only(site, run_build, tmp_path):
    _all, rendered = edit_template(site, run_build, tmp_path, "article.html", "<h2>{{ _('Related') }}</h2>", "<h2>See also</h2>")
    assert rendered == ARTICLE_PAGES


def test_editing_the_card_renders_the_lists_only(site, run_build, tmp_path):
    every, rendered = edit_template(site, run_build, tmp_path, "partials/card.html", '<p class="meta">',
                                    '<p class="meta card-meta">')
    lists = {p for p in every if p.endswith("index.html") and p.count("/") != 4}  # not yyyy/mm/dd/slug/
    lists -= {"archive/index.html", "tags/index.html", "sources/index.html", "search/index.html"}
    assert rendered == sorted(lists)
    assert "index.html" in rendered and "tags/grain/index.html" in rendered and "2024/03/06/index.html" in rendered


def test_editing_base_html_renders_every_template_page_but_no_feed(site, run_build, tmp_path):
    every, rendered = edit_template(site, run_build, tmp_path, "base.html", '<main id="main-content"',
                                    '<main data-x id="main-content"')
    assert rendered == [p for p in every if p.endswith(".html")]


def test_a_template_reading_a_count_is_rendered_when_it_changes(site, run_build, tmp_path):
    """``site`` fields are tracked per page: a theme that prints the tag count in every page's
    footer gets every page rendered when an article adds a tag; one that does not, does not."""
    templates = _own_theme(site, "base.html")
    base = templates / "base.html"
    base.write_text(base.read_text().replace("</footer>", "<p>{{ site.tags.term_count }} tags</p></footer>"))
    first = run_build(site)
    write_files(site, {"content/2024/02/g.md": article("Quiet day", "2024-02-01 09:00", "G.", tags=["weather"])})
    assert len(rebuild(site, run_build, tmp_path)) < len(first.rendered_paths) - 10  # no new tag: most kept
    write_files(site, {"content/2024/02/h.md": article("Floods", "2024-02-02 09:00", "H.", tags=["floods"])})
    rendered = rebuild(site, run_build, tmp_path)
    assert set(ARTICLE_PAGES) <= set(rendered) and "404.html" in rendered
    assert "<p>7 tags</p>" in (site / "output/404.html").read_text()


def test_a_list_that_prints_bodies_is_rendered_when_one_changes(site, run_build, tmp_path):
    templates = _own_theme(site, "partials/card.html")
    card = templates / "partials/card.html"
    card.write_text(card.read_text().replace("</article>", "<div class=\"full\">{{ item.html }}</div></article>"))
    run_build(site)
    path = site / "content/2024/03/b.md"
    path.write_text(path.read_text() + "\nA second paragraph.\n")
    rendered = rebuild(site, run_build, tmp_path)
    assert {"index.html", "tags/transport/index.html", "2024/03/05/index.html", "2024/03/index.html"} <= set(rendered)
    assert "A second paragraph." in (site / "output/tags/transport/index.html").read_text()


def test_a_computed_include_makes_a_template_depend_on_every_template(site, run_build, tmp_path):
    templates = _own_theme(site, "404.html")
    (templates / "404.html").write_text(
        '{% extends "base.html" %}{% set part = "partials/" ~ "note.html" %}'
        "{% block content %}{% include part %}{% endblock %}"
    )
    (templates / "partials").mkdir()
    (templates / "partials/note.html").write_text("<p>Lost?</p>")
    run_build(site)
    (templates / "partials/note.html").write_text("<p>Lost? Try the archive.</p>")
    assert rebuild(site, run_build, tmp_path) == ["404.html"]
    assert "Try the archive" in (site / "output/404.html").read_text()


def test_a_build_makes_each_job_where_it_renders_it_and_keeps_none(site):
    """The parent of a build holds page specs, not jobs: ``fresh`` makes a job anew each time (a render
    worker's), ``plan[path]`` makes one and keeps it (the dev server's), and the build uses ``fresh``."""
    from digest import pipeline
    from digest.cache import Cache
    from digest.render.theme import Renderer, load_theme
    from digest.write.writer import OutputWriter

    config = pipeline.configure(site)
    prepared = pipeline.prepare(site, config, cache=Cache(None), jobs=1, now=NOW, drafts=False, future=False)
    jobs = pipeline.plan(prepared.site)
    path = "2024/03/04/a/index.html"
    assert jobs.fresh(path) is not jobs.fresh(path)
    assert jobs.fresh(path).context["article"].title == "Grain exports rise"
    renderer = Renderer(load_theme(site, config.theme), config.base_url, config.relative_urls)
    writer = OutputWriter(site / "output")
    try:
        to_render, kept = pipeline.unchanged(jobs, renderer, writer, {})
        outcomes = pipeline.render(to_render, jobs, renderer, writer, {}, 1)
    finally:
        writer.discard()
    assert kept == [] and {o[0] for o in outcomes} == set(jobs) and path in to_render
    assert jobs.fresh(path) is not jobs.fresh(path)  # rendering every page kept none of their jobs
    assert jobs[path] is jobs[path]
