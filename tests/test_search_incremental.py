"""A build that changes a few articles patches the last build's search index instead of making it
again, and the patched index is byte for byte the one a cold build makes.

The site is the real Jekyll news corpus (102 posts people wrote), with shards made small so the
layout is deep and edits split and merge shards; each step's index is compared with a build
without the cache.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from conftest import SHARED, article
from digest.outputs import search_index
from digest.outputs.search_index import IndexState

CORPUS = SHARED / "corpus" / "jekyll-news"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def corpus_site(make_site) -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is not present")
    site = make_site({}, config="title: Jekyll news\nbase_url: https://example.org/\n")
    shutil.copytree(CORPUS, site / "content", ignore=shutil.ignore_patterns("README*"))
    # its one post with a date no reader takes (test_site_quality checks the message)
    (site / "content/2023-01-29-jekyll-3-9-3-released.markdown").unlink()
    return site


@pytest.fixture
def made_cold(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times an index was made from every article (a list, one entry per time)."""
    calls: list[int] = []
    real = IndexState.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type[IndexState], version: str, ordered: list[object]) -> IndexState:
        calls.append(len(ordered))
        return real(cls, version, ordered)  # type: ignore[no-any-return]

    monkeypatch.setattr(IndexState, "build", classmethod(counting))
    return calls


def _post(site: Path, name: str) -> Path:
    return next((site / "content").glob(f"{name}*"))


def _edit(path: Path, change: Callable[[str], str]) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def test_each_change_patches_the_index_to_what_a_cold_build_makes(corpus_site, run_build, tmp_path, monkeypatch,
                                                                   made_cold):
    monkeypatch.setattr(search_index, "SHARD_BYTES", 1500)
    site = corpus_site
    first = run_build(site)
    assert made_cold == [first.articles]
    newest = sorted((site / "content").glob("*"))[-1]
    steps: list[tuple[str, Callable[[], None], bool]] = [
        ("a body edit", lambda: _edit(_post(site, "2013-05-06"), lambda t: t + "\nZanzibar quokkas rejoice.\n"), True),
        ("a word gone from a body", lambda: _edit(_post(site, "2013-05-06"), lambda t: t.replace("Zanzibar", "")), True),
        ("a title edit", lambda: _edit(_post(site, "2014-"), lambda t: t.replace('title: "', 'title: "Xylophone ', 1)), True),
        ("a new newest article", lambda: (site / "content/2099-new.md").write_text(
            article("Brand new quokka", "2024-01-01", "Quokkas and zebras, zebras and quokkas."), encoding="utf-8"), True),
        ("the newest article deleted", lambda: (site / "content/2099-new.md").unlink(), True),
        ("an old article deleted: every later id shifts", lambda: _post(site, "2013-05-08").unlink(), True),
        ("an edit after the shift", lambda: _edit(newest, lambda t: t + "\nOne more line about yaks.\n"), True),
        ("an article added in the middle, with new words", lambda: (site / "content/2016-06-06-quokka.md").write_text(
            article("Quokka release notes", "2016-06-06", "Wombats, numbats and bilbies."), encoding="utf-8"), True),
        ("an article moved in the order", lambda: _edit(site / "content/2016-06-06-quokka.md",
                                                       lambda t: t.replace("2016-06-06", "2014-02-02")), True),
        ("one added and one deleted at once", lambda: (
            (site / "content/2016-06-06-quokka.md").unlink(), _post(site, "2015-").unlink(),
            (site / "content/2015-03-03-numbat.md").write_text(article("Numbat notes", "2015-03-03", "Numbats."),
                                                               encoding="utf-8")), True),
        ("a tenth of the articles deleted: made whole", lambda: [p.unlink() for p in sorted(
            (site / "content").glob("201[67]-*"))[:10]], False),
    ]
    for label, change, patched in steps:
        made_cold.clear()
        change()
        run_build(site)
        assert bool(made_cold) != patched, label
        cold = tmp_path / f"cold-{len(label)}"
        run_build(site, use_cache=False, output_dir=cold)
        assert _files(site / "output/search") == _files(cold / "search"), label


def test_a_body_edit_remakes_only_the_shards_of_its_changed_terms(corpus_site, run_build, made_cold):
    site = corpus_site
    run_build(site)
    made_cold.clear()
    _edit(_post(site, "2013-05-06"), lambda t: t + "\nZanzibar quokkas rejoice.\n")
    result = run_build(site)
    assert made_cold == []
    written = sorted(p for p in result.written_paths if p.startswith("search/") and p.endswith(".js"))
    # the manifest, and the shards of the three new words (none of them is a title or tag word)
    shards = [p for p in written if p.startswith("search/t/")]
    assert len(written) == len(shards) + 1 and 1 <= len(shards) <= 3, written
    assert all(p.split("/")[-1][0] in "zqr" or p.split("/")[-1].startswith("all.") for p in shards), shards


def test_a_damaged_index_state_is_made_again_not_patched(corpus_site, run_build, tmp_path, made_cold):
    site = corpus_site
    first = run_build(site)
    blob = next((site / ".digest-cache").glob("blob-search-index"))
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    made_cold.clear()
    _edit(_post(site, "2013-05-06"), lambda t: t + "\nZanzibar quokkas rejoice.\n")
    run_build(site)
    assert made_cold == [first.articles]
    run_build(site, use_cache=False, output_dir=tmp_path / "cold")
    assert _files(site / "output/search") == _files(tmp_path / "cold/search")


def test_a_cold_index_read_in_small_batches_is_the_index_read_at_once(corpus_site, run_build, tmp_path, monkeypatch,
                                                                     made_cold):
    """A cold make reads the bodies' terms back from the cache a batch at a time; where the batches end
    changes nothing in the files."""
    site = corpus_site
    run_build(site, output_dir=tmp_path / "whole")  # fills the cache: the next cold make reads terms from it
    monkeypatch.setattr(search_index, "TERMS_BATCH", 7)  # 101 posts: fifteen batches, the last one short
    (site / ".digest-cache" / "blob-search-index").unlink()
    made_cold.clear()
    batched = run_build(site, output_dir=tmp_path / "batched")
    assert made_cold == [batched.articles] and batched.rendered_markdown == 0  # made again, from the cache
    assert _files(tmp_path / "batched/search") == _files(tmp_path / "whole/search")


def test_state_of_another_version_is_refused():
    state = IndexState("v1", ["k:h"], ["a"], ["a", "b"], ["[[0],[]]", "[[],[0]]"], {"d:0": "d/0.x.js"})
    data = state.dumps()
    assert IndexState.loads(data, "v1") == state
    assert IndexState.loads(data, "v2") is None
    assert IndexState.loads(data[:-3], "v1") is None
    assert IndexState.loads(b"", "v1") is None


def test_a_build_that_forks_makes_index_and_sitemap_in_a_child_to_the_same_bytes(corpus_site, run_build, tmp_path,
                                                                                   monkeypatch):
    """With render workers to fork, the build makes a whole search index and the sitemap in a child process
    (their transient memory never reaches the heap the workers inherit), and patches the index in process:
    either way, the files are those of a build without the cache that makes them in process."""
    from digest import workers
    from digest.outputs import search, sitemap

    children: list[str] = []
    real = workers.apart

    def recording(work):  # type: ignore[no-untyped-def]
        children.append(getattr(work, "func", work).__name__)
        return real(work)

    monkeypatch.setattr(search, "apart", recording)
    monkeypatch.setattr(sitemap, "apart", recording)
    site = corpus_site
    forked = run_build(site, jobs=2)
    assert sorted(children) == ["_packed_sitemaps", "_packed_whole"]
    in_process = tmp_path / "in-process"
    run_build(site, jobs=1, use_cache=False, output_dir=in_process)
    for folder in ("search", "sitemap.xml", "robots.txt"):
        assert (site / "output" / folder).exists()
    assert _files(site / "output/search") == _files(in_process / "search")
    assert (site / "output/sitemap.xml").read_bytes() == (in_process / "sitemap.xml").read_bytes()

    children.clear()  # a patch is small: made in process, with no fork on the way
    _edit(_post(site, "2013-05-06"), lambda t: t.replace('title: "', 'title: "Xylophone ', 1))
    patched = run_build(site, jobs=2)
    assert children == [] and patched.articles == forked.articles
    run_build(site, jobs=1, use_cache=False, output_dir=tmp_path / "cold")
    assert _files(site / "output/search") == _files(tmp_path / "cold/search")
    assert (site / "output/sitemap.xml").read_bytes() == (tmp_path / "cold/sitemap.xml").read_bytes()
