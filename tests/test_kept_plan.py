"""The plan a build keeps for the next (``digest.plan.kept``): taken only while what it follows from is the same.

Each test builds a site in a temporary folder, changes one thing, builds again and compares the
output with a build without any cache, byte for byte: a kept plan that should not have been taken
shows up as a page that differs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SHARED, article, write_files
from digest.cache import CACHE_DIR
from digest.plan.kept import BLOB

CONFIG = "title: Kept Digest\nbase_url: https://kept.example.org/\nper_page: 3\n"
ARTICLES = {
    "content/2024/03/a.md": article("Grain exports rise", "2024-03-04 09:00", "A.\n\nMore on A.", tags=["trade", "grain"],
                                    source={"name": "Wire", "url": "https://e.org/a"}),
    "content/2024/03/b.md": article("Rail link opens", "2024-03-05 09:00", "B.\n\nMore on B.", tags=["transport"]),
    "content/2024/03/c.md": article("Port strike ends", "2024-03-06 09:00", "C.\n\nMore on C.", tags=["transport", "labour"]),
    "content/2024/02/d.md": article("Budget passed", "2024-02-10 09:00", "D.\n\nMore on D.", tags=["politics"]),
    "content/2024/02/e.md": article("Snow closes pass", "2024-02-11 09:00", "E.\n\nMore on E.", tags=["weather"]),
}
CORPUS = SHARED / "corpus" / "jekyll-news"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def site(make_site) -> Path:
    return make_site(ARTICLES, config=CONFIG)


def same_as_cold(site: Path, run_build, tmp_path: Path) -> None:
    cold = tmp_path / f"cold-{len(list(tmp_path.glob('cold-*')))}"
    run_build(site, use_cache=False, output_dir=cold)
    assert _files(site / "output") == _files(cold)


def test_a_build_that_changes_nothing_takes_the_plan_and_renders_nothing(site, run_build):
    first = run_build(site)
    assert not first.plan_kept and (site / CACHE_DIR / f"blob-{BLOB}").is_file()
    again = run_build(site)
    assert again.plan_kept
    assert again.rendered_paths == [] and again.written == 0
    assert again.pages == first.pages


def test_a_body_edit_keeps_the_plan_and_renders_what_shows_the_body(site, run_build, tmp_path):
    run_build(site)
    path = site / "content/2024/02/d.md"
    path.write_text(path.read_text().replace("More on D.", "More on D, with a second sentence."))
    result = run_build(site)
    assert result.plan_kept
    rendered = set(result.rendered_paths)
    # its page, the feeds that hold it whole, the search index, and no list: the cards show the header
    assert "2024/02/10/d/index.html" in rendered
    assert not {"index.html", "tags/politics/index.html", "2024/02/index.html"} & rendered
    feeds = {f"{folder}{name}" for folder in ("", "tags/politics/") for name in ("feed.xml", "rss.xml", "feed.json")}
    assert {p for p in rendered if not p.startswith("search/")} == {"2024/02/10/d/index.html", *feeds}
    same_as_cold(site, run_build, tmp_path)


def test_a_body_edit_of_a_recent_article_renders_the_feeds_from_their_own_planner(site, run_build, tmp_path):
    run_build(site)
    path = site / "content/2024/03/c.md"
    path.write_text(path.read_text().replace("More on C.", "More on C: the dockers are back."))
    result = run_build(site)
    assert result.plan_kept
    assert {"feed.xml", "rss.xml", "feed.json", "2024/03/06/c/index.html"} <= set(result.rendered_paths)
    assert b"dockers are back" in (site / "output/feed.xml").read_bytes()
    same_as_cold(site, run_build, tmp_path)


@pytest.mark.parametrize("change", ["title", "tags", "date", "summary", "new", "deleted", "draft"])
def test_a_change_to_what_lists_show_plans_again(site, run_build, tmp_path, change):
    run_build(site)
    path = site / "content/2024/03/b.md"
    text = path.read_text()
    if change == "title":
        path.write_text(text.replace("Rail link opens", "Rail link opens at last"))
    elif change == "tags":
        path.write_text(text.replace("- transport", "- transport\n- grain"))
    elif change == "date":
        path.write_text(text.replace("2024-03-05 09:00", "2024-02-01 09:00"))
    elif change == "summary":
        path.write_text(text.replace("title:", "summary: The line is open.\ntitle:"))
    elif change == "new":
        write_files(site, {"content/2024/03/f.md": article("Wheat record", "2024-03-07 12:00", "F.", tags=["grain"])})
    elif change == "deleted":
        path.unlink()
    else:
        path.write_text(text.replace("title:", "draft: true\ntitle:"))
    result = run_build(site)
    assert not result.plan_kept
    same_as_cold(site, run_build, tmp_path)
    assert run_build(site).plan_kept  # and the new plan is kept in its turn


def test_a_config_change_plans_again(site, run_build, tmp_path):
    run_build(site)
    (site / "digest.yaml").write_text(CONFIG.replace("per_page: 3", "per_page: 2"))
    result = run_build(site)
    assert not result.plan_kept
    assert (site / "output/page/3/index.html").is_file()
    same_as_cold(site, run_build, tmp_path)


def test_a_base_url_given_on_the_command_line_plans_again(site, run_build, tmp_path):
    run_build(site)
    result = run_build(site, base_url="https://other.example.net/news/")
    assert not result.plan_kept
    assert b"https://other.example.net/news/" in (site / "output/sitemap.xml").read_bytes()


def test_a_content_file_that_is_not_an_article_plans_again(site, run_build, tmp_path):
    run_build(site)
    assert (site / "output/robots.txt").is_file()
    write_files(site, {"content/robots.txt": "User-agent: *\nDisallow: /private/\n"})
    result = run_build(site)
    assert not result.plan_kept
    assert (site / "output/robots.txt").read_text() == "User-agent: *\nDisallow: /private/\n"
    same_as_cold(site, run_build, tmp_path)


def test_a_changed_catalogue_plans_again(make_site, run_build, tmp_path):
    """Page titles are planned in the catalogue's words: a new translation is a new plan."""
    po = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Tags"\nmsgstr "{}"\n'
    site = make_site({**ARTICLES, "themes/mine/locale/ru/LC_MESSAGES/messages.po": po.format("Метки")},
                     config=CONFIG + "language: ru\ntheme: mine\n")
    run_build(site)
    assert "<title>Метки" in (site / "output/tags/index.html").read_text()
    (site / "themes/mine/locale/ru/LC_MESSAGES/messages.po").write_text(po.format("Ярлыки"), encoding="utf-8")
    result = run_build(site)
    assert not result.plan_kept
    assert "<title>Ярлыки" in (site / "output/tags/index.html").read_text()
    same_as_cold(site, run_build, tmp_path)


def test_a_template_edit_keeps_the_plan(site, run_build, tmp_path):
    run_build(site)
    theme = site / "themes/mine/templates"
    theme.mkdir(parents=True)
    (site / "digest.yaml").write_text(CONFIG + "theme: mine\n")
    run_build(site)
    source = (Path(__file__).resolve().parents[1] / "themes/default/templates/article.html").read_text()
    (theme / "article.html").write_text(source.replace("</article>", "<p>Edited.</p></article>", 1))
    result = run_build(site)
    assert result.plan_kept
    assert sorted(result.rendered_paths) == sorted(p for p in _files(site / "output")
                                                   if p.count("/") == 4 and p.endswith("/index.html"))
    assert "<p>Edited.</p>" in (site / "output/2024/03/04/a/index.html").read_text()
    same_as_cold(site, run_build, tmp_path)


@pytest.mark.parametrize("lost", ["tags/transport/index.html", "feed.xml", "2024/03/05/b/index.html", "sitemap.xml",
                                  "archive/index.html"])
def test_a_page_deleted_from_the_output_is_made_again_with_a_kept_plan(site, run_build, tmp_path, lost):
    run_build(site)
    (site / "output" / lost).unlink()
    result = run_build(site)
    assert result.plan_kept and result.rendered_paths == [lost]
    same_as_cold(site, run_build, tmp_path)


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "empty"])
def test_a_damaged_plan_is_refused_whole(site, run_build, tmp_path, damage):
    run_build(site)
    blob = site / CACHE_DIR / f"blob-{BLOB}"
    data = blob.read_bytes()
    blob.write_bytes({"truncated": data[: len(data) // 2], "flipped": data[:40] + bytes([data[40] ^ 1]) + data[41:],
                      "garbage": b"\x00" * 64, "empty": b""}[damage])
    path = site / "content/2024/02/d.md"
    path.write_text(path.read_text().replace("More on D.", "More on D, edited."))
    result = run_build(site)
    assert not result.plan_kept
    same_as_cold(site, run_build, tmp_path)
    assert run_build(site).plan_kept


def test_editions_are_planned_each_build_between_the_kept_pages(make_site, run_build, tmp_path):
    config = CONFIG + "editions:\n  cadence: weekly\n  start: 2024-02-05\n"
    site = make_site(ARTICLES, config=config)
    first = run_build(site)
    again = run_build(site)
    assert again.plan_kept and again.rendered_paths == [] and again.pages == first.pages
    path = site / "content/2024/03/a.md"
    path.write_text(path.read_text().replace("More on A.", "More on A, with the figures."))
    result = run_build(site)
    assert result.plan_kept
    assert any(p.startswith("editions/") for p in result.rendered_paths)
    same_as_cold(site, run_build, tmp_path)


def test_real_posts_keep_their_plan_through_body_edits(make_site, run_build, tmp_path):
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not present")
    site = make_site({}, config="title: Jekyll news\nbase_url: https://example.org/\n")
    shutil.copytree(CORPUS, site / "content", ignore=shutil.ignore_patterns("README*"))
    (site / "content/2023-01-29-jekyll-3-9-3-released.markdown").unlink()  # a date no reader takes
    run_build(site)
    post = sorted((site / "content").glob("2016-*.markdown"))[0]
    post.write_text(post.read_text(encoding="utf-8") + "\nA line the curator added.\n", encoding="utf-8")
    result = run_build(site)
    assert result.plan_kept
    pages = [p for p in result.rendered_paths if not p.startswith("search/")]
    assert len(pages) == 1 and pages[0].endswith("/index.html")
    assert "A line the curator added." in (site / "output" / pages[0]).read_text(encoding="utf-8")
    same_as_cold(site, run_build, tmp_path)


def test_a_repeated_feed_id_is_refused_though_the_lists_do_not_change(site, run_build):
    """An ``id:`` shows in no list, but a kept plan does not check the feed ids again: the ids are in its key."""
    from digest.errors import BuildFailed

    def give_id(rel: str) -> None:
        path = site / rel
        path.write_text(path.read_text().replace("title:", "id: tag:kept.example.org,2024:one\ntitle:", 1))

    run_build(site)
    give_id("content/2024/03/a.md")
    assert not run_build(site).plan_kept
    assert run_build(site).plan_kept
    give_id("content/2024/03/b.md")
    with pytest.raises(BuildFailed) as failed:
        run_build(site)
    assert any("is also the id of" in p.message and p.path.endswith(("a.md", "b.md")) for p in failed.value.problems)
