"""A build reads only the article files whose stat moved since the last build's scan.

The scan's state (each file's stat and key) is kept in the build cache; these tests count the
files a build really reads, and check that no edit slips past: a same-size save with the old
mtime put back, a file written in the same clock tick as the scan, a cache that lost an article.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

import pytest

import digest.pipeline as pipeline_module
import digest.sources.load as load_module
import digest.sources.scan as scan_module
from conftest import article
from digest.cache import Cache
from digest.sources.scan import ContentScanner


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The name of every article file read, in order: by a scan (``"scan"``), and by ``load`` to parse it
    (``"parse"``: the scan hands over keys, not bytes, and the worker that renders a file reads it)."""
    seen: dict[str, list[str]] = {"scan": [], "parse": []}
    real = scan_module.read_article_bytes

    def counting(path: Path, shown: str | None = None) -> bytes:
        seen["parse" if sys._getframe(1).f_code.co_name == "process" else "scan"].append(Path(path).name)
        return real(path, shown)

    for module in (scan_module, load_module):  # the scanner; the uncached scan and the parse
        monkeypatch.setattr(module, "read_article_bytes", counting)
    return seen


@pytest.fixture
def reads(opened: dict[str, list[str]]) -> list[str]:
    """The article files a scan reads."""
    return opened["scan"]


@pytest.fixture
def settled_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled: no test waits two seconds for the clock."""
    monkeypatch.setattr(scan_module, "SETTLED_NS", 0)


@pytest.fixture
def site(make_site):
    return make_site({
        "content/one.md": article("One", "2022-01-10", "First body."),
        "content/two.md": article("Two", "2022-01-11", "Second body."),
        "content/three.md": article("Three", "2022-01-12", "Third body."),
        "content/pic.png": b"\x89PNG fake",
    }, config="title: T\nbase_url: https://example.org/\n")


def _page(site: Path, slug: str, day: str) -> str:
    return (site / "output" / f"2022/01/{day}/{slug}/index.html").read_text(encoding="utf-8")


def test_a_rebuild_reads_only_the_file_that_changed(site, run_build, reads, settled_now):
    run_build(site)
    assert sorted(reads) == ["one.md", "three.md", "two.md"]
    reads.clear()
    again = run_build(site)
    assert reads == [] and again.written == 0 and again.articles == 3
    (site / "content/two.md").write_text(article("Two", "2022-01-11", "Second body, corrected."), encoding="utf-8")
    edited = run_build(site)
    assert reads == ["two.md"] and edited.rendered_markdown == 1
    assert "Second body, corrected." in _page(site, "two", "11")


def test_a_same_size_save_with_the_old_mtime_put_back_is_still_seen(site, run_build, reads, settled_now):
    path = site / "content/one.md"
    run_build(site)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("First body.", "Frist body."), encoding="utf-8")  # same length
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as an editor or rsync -t would
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    reads.clear()
    run_build(site)
    assert reads == ["one.md"]
    assert "Frist body." in _page(site, "one", "10")


def test_new_and_deleted_files_are_seen(site, run_build, reads, settled_now):
    run_build(site)
    (site / "content/three.md").unlink()
    (site / "content/four.md").write_text(article("Four", "2022-01-13", "Fourth."), encoding="utf-8")
    reads.clear()
    result = run_build(site)
    assert reads == ["four.md"] and result.articles == 3
    assert not (site / "output/2022/01/12/three").exists()
    assert "Fourth." in _page(site, "four", "13")


def test_a_file_written_in_the_scans_clock_tick_is_not_trusted_next_time(tmp_path, make_site, monkeypatch):
    """``SETTLED_NS`` as shipped: files this young are read again by the next scan, whatever their stat."""
    site = make_site({"content/a.md": article("A", "2022-01-10")}, config="title: T\n")
    from digest.config import load_config

    config = load_config(site)
    scanner = ContentScanner()
    scanner.scan(site, config, have=set())
    assert '"known":{}' in scanner.export()  # just written: left out
    later = time.time_ns() + 3 * scan_module.SETTLED_NS
    monkeypatch.setattr(scan_module.time, "time_ns", lambda: later)
    scanner.scan(site, config, have=set())
    restored = ContentScanner.restore(scanner.export())
    result = restored.scan(site, config, have={f.key for f in scanner.scan(site, config, have=set()).files})
    assert result.read == 0 and [f.rel for f in result.files] == ["a.md"]


def test_a_damaged_scan_state_costs_a_full_read_not_a_wrong_page(site, run_build, reads, settled_now):
    run_build(site)
    db = sqlite3.connect(site / ".digest-cache/cache-v4.sqlite")
    with db:
        db.execute("UPDATE memo SET value = '{\"known\": [1, 2' WHERE name LIKE 'scan:%'")
    db.close()
    reads.clear()
    result = run_build(site)
    assert sorted(reads) == ["one.md", "three.md", "two.md"] and result.written == 0


def test_a_cache_that_lost_an_article_after_the_scan_reads_the_file(site, run_build, opened, settled_now, monkeypatch):
    """Another build pruned the article between this build's scan and its load: the file is read then."""
    reads = opened["scan"]
    run_build(site)
    keys = Cache(site / ".digest-cache").article_keys()
    db = sqlite3.connect(site / ".digest-cache/cache-v4.sqlite")
    with db:
        db.execute("DELETE FROM articles")
    db.close()
    monkeypatch.setattr(Cache, "article_keys", lambda self: keys)  # what the scan saw
    (site / "output/2022/01/10/one/index.html").unlink()
    reads.clear()
    opened["parse"].clear()
    result = run_build(site)
    assert reads == [] and sorted(opened["parse"]) == ["one.md", "three.md", "two.md"]
    assert result.rendered_markdown == 3
    assert "First body." in _page(site, "one", "10")


def test_a_cold_build_parses_each_file_it_scanned_once(site, run_build, opened, settled_now):
    run_build(site)
    assert sorted(opened["scan"]) == sorted(opened["parse"]) == ["one.md", "three.md", "two.md"]


def test_a_file_saved_between_the_scan_and_its_parse_is_built_as_parsed(site, run_build, opened, monkeypatch):
    """The key follows the bytes the worker read, not the ones the scan hashed: the page shows the later
    save, and the next build, seeing the file's new stat, finds that article in the cache."""
    real_scan = pipeline_module.scan

    def scan_then_save(*args, **kwargs):
        sources = real_scan(*args, **kwargs)
        (site / "content/two.md").write_text(article("Two", "2022-01-11", "Saved during the build."), encoding="utf-8")
        return sources

    monkeypatch.setattr(pipeline_module, "scan", scan_then_save)
    run_build(site)
    assert "Saved during the build." in _page(site, "two", "11")
    monkeypatch.setattr(pipeline_module, "scan", real_scan)
    opened["parse"].clear()
    again = run_build(site)
    assert opened["parse"] == [] and again.rendered_markdown == 0 and again.written == 0
    assert len(Cache(site / ".digest-cache").article_keys()) == 3  # the scan's stale key was never stored


def test_a_file_deleted_between_the_scan_and_its_parse_is_left_out(site, run_build, monkeypatch):
    real_scan = pipeline_module.scan

    def scan_then_delete(*args, **kwargs):
        sources = real_scan(*args, **kwargs)
        (site / "content/three.md").unlink()
        return sources

    monkeypatch.setattr(pipeline_module, "scan", scan_then_delete)
    result = run_build(site)
    assert result.articles == 2 and not (site / "output/2022/01/12/three").exists()
    assert "Second body." in _page(site, "two", "11")


def test_a_build_without_the_cache_reads_every_file(site, run_build, reads, settled_now):
    run_build(site)
    reads.clear()
    run_build(site, use_cache=False)
    assert sorted(reads) == ["one.md", "three.md", "two.md"]


def test_the_cache_drops_an_edited_or_deleted_files_old_article_once_the_build_is_done(site, run_build):
    """Pruning waits for the end of the build (the search index reads the old body's terms by its
    old key), and then leaves exactly the articles of the files the site has."""
    run_build(site)
    cache = Cache(site / ".digest-cache")
    before = cache.article_keys()
    cache.close()
    assert len(before) == 3
    (site / "content/one.md").write_text(article("One", "2022-01-10", "First body, edited."), encoding="utf-8")
    (site / "content/three.md").unlink()
    run_build(site)
    cache = Cache(site / ".digest-cache")
    after = cache.article_keys()
    cache.close()
    assert len(after) == 2 and len(after & before) == 1  # two.md's article stays, one.md's is new


def test_a_path_set_found_clear_before_does_not_hide_a_new_collision(site, run_build):
    """The collision check is skipped only for the very path set a build found clear."""
    from digest.errors import BuildFailed

    run_build(site)
    assert run_build(site).written == 0  # the same paths: taken as clear from the memo
    (site / "content/INDEX.html").write_text("<p>a file that is index.html on macOS</p>", encoding="utf-8")
    with pytest.raises(BuildFailed, match="only in letter case"):
        run_build(site)
