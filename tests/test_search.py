"""The search index (read the way static/search.js reads it) and the search page in a real browser."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import article
from digest.outputs import search, search_index
from digest.sources.searchterms import normalise

STORIES = {
    "content/2022/01/coup.md": article(
        "Crisis in Almaty", "2022-01-10 09:00", "Troops from the CSTO arrived overnight.",
        tags=["Kazakhstan", "security"], summary="Unrest spreads after fuel prices rise.",
        source={"name": "Steppe Ledger", "url": "https://example.com/a"},
    ),
    "content/2022/01/airport.md": article(
        "Airport reopens", "2022-01-13 12:00", "Flights resume to Almaty; the runway was never damaged.",
        tags=["aviation"], summary="Airlines return.",
    ),
    "content/2022/01/tenge.md": article(
        "Currency steadies", "2022-01-20 10:00", "The tenge held at 434 per dollar, said the Zürich desk.",
        tags=["markets", "Kazakhstan"],
    ),
}


class Index:
    """The files under output/search/, queried by the same rules as static/search.js."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        (manifest_file,) = folder.glob("index.*.js")
        (self.manifest,) = self._call(manifest_file, "index")
        self.loaded: list[str] = []

    @staticmethod
    def _call(path: Path, kind: str) -> list[Any]:
        match = re.fullmatch(rf"digestSearch\.{kind}\((.*)\);\n", path.read_text(encoding="utf-8"), re.S)
        assert match, path
        return json.loads(f"[{match.group(1)}]")  # type: ignore[no-any-return]

    def shard(self, prefix: str) -> dict[str, list[list[int]]]:
        self.loaded.append(prefix)
        key, data = self._call(self.folder / self.manifest["terms"][prefix], "terms")
        assert key == prefix
        return data  # type: ignore[no-any-return]

    def doc(self, doc_id: int) -> list[str]:
        number, start = divmod(doc_id, self.manifest["chunk"])
        key, docs = self._call(self.folder / self.manifest["docs"][number], "docs")
        assert key == number
        return docs[start]  # type: ignore[no-any-return]

    def query(self, text: str) -> list[str]:
        words = [w for w in dict.fromkeys(re.findall(r"[^\W_]+", normalise(text)))
                 if len(w) >= self.manifest["min"] and w not in self.manifest["stop"]]
        if not words:
            return []
        per_word = []
        for word in words:
            prefix = len(word) >= 3
            scores: dict[int, int] = {}
            for s in self.manifest["terms"]:
                if not (word.startswith(s) or (prefix and s.startswith(word))):
                    continue
                for term, (strong, weak) in self.shard(s).items():
                    if term == word or (prefix and term.startswith(word)):
                        for deltas, weight in ((strong, 3), (weak, 1)):
                            doc_id = 0
                            for delta in deltas:
                                doc_id += delta
                                scores[doc_id] = max(scores.get(doc_id, 0), weight + (term == word))
            per_word.append(scores)
        common = set.intersection(*(set(s) for s in per_word))
        ranked = sorted(common, key=lambda d: (-sum(s[d] for s in per_word), -d))
        return [self.doc(d)[1] for d in ranked]


@pytest.fixture
def built(make_site, run_build) -> Path:
    site = make_site(STORIES, config="base_url: https://news.example.org/digest/\n")
    run_build(site)
    return site / "output"


def test_finds_articles_by_title_summary_tags_source_and_body(built):
    index = Index(built / "search")
    assert index.manifest["count"] == 3
    assert index.query("almaty") == ["Crisis in Almaty", "Airport reopens"]  # title outranks body
    assert index.query("fuel") == ["Crisis in Almaty"]  # summary
    assert index.query("kazakhstan") == ["Currency steadies", "Crisis in Almaty"]  # tag, newest first
    assert index.query("ledger") == ["Crisis in Almaty"]  # source name
    assert index.query("runway") == ["Airport reopens"]  # body only
    assert index.query("kaz") == ["Currency steadies", "Crisis in Almaty"]  # prefix
    assert index.query("ZURICH") == index.query("zürich") == ["Currency steadies"]  # case and accents
    assert index.query("almaty runway") == ["Airport reopens"]  # every word must match
    assert index.query("the of") == [] and index.query("nothing-here") == []
    doc = index.doc(0)
    assert doc == ["2022/01/10/coup/", "Crisis in Almaty", "2022-01-10", "Unrest spreads after fuel prices rise."]


def test_search_page_points_at_the_index(built):
    page = (built / "search/index.html").read_text()
    manifest = next((built / "search").glob("index.*.js")).name
    assert f'data-search-index="/digest/search/{manifest}"' in page
    assert 'data-site-root="/digest/"' in page
    assert re.search(r'<script src="/digest/static/search\.[0-9a-f]+\.js" defer>', page)
    assert '<a href="/digest/search/"' in (built / "index.html").read_text()  # the nav links it
    # named like fingerprinted theme assets, so publishers serve them as immutable
    names = [p.name for p in (built / "search").rglob("*.js")]
    assert names and all(re.fullmatch(r"[a-z0-9_]+\.[0-9a-f]{10}\.js", n) for n in names), names


def test_big_prefixes_split_and_every_term_stays_reachable(make_site, run_build, monkeypatch):
    monkeypatch.setattr(search_index, "SHARD_BYTES", 100)
    words = ["kazakh", "kazan", "karaganda", "kabul", "kyiv", "kyrgyz", "ka", "k9", "tashkent", "taraz", "almaty"]
    files = {
        f"content/{n}.md": article(f"Story {n}", f"2022-01-{n + 1:02d}", " ".join(words[n % 7 : n % 7 + 5]))
        for n in range(20)
    }
    site = make_site(files)
    run_build(site)
    index = Index(site / "output/search")
    prefixes = set(index.manifest["terms"])
    assert len(prefixes) > 5 and any(len(p) >= 3 for p in prefixes)
    holders: dict[str, list[str]] = {}
    for prefix in prefixes:
        for term in index.shard(prefix):
            assert term.startswith(prefix)
            holders.setdefault(term, []).append(prefix)
    assert all(len(h) == 1 for h in holders.values())  # each term lives in exactly one shard
    for term in holders:
        assert index.query(term), term
        if len(term) >= 4:
            assert index.query(term[:3]), term
    index.loaded.clear()
    index.query("kazakh")
    assert len(index.loaded) < len(prefixes) / 2  # a query reads only its own shards


def test_a_new_article_rewrites_only_the_index_files_it_touches(make_site, run_build, monkeypatch):
    monkeypatch.setattr(search_index, "CHUNK", 2)
    monkeypatch.setattr(search_index, "SHARD_BYTES", 60)
    vocabulary = "apple banana cherry damson elder fig grape hazel ilex juniper kiwi lime mango nectar olive pear"
    files = {
        f"content/{n}.md": article(f"Story {n}", f"2022-01-{n + 1:02d}", f"{vocabulary} word{n}") for n in range(5)
    }
    site = make_site(files)
    run_build(site)
    before = {p.name for p in (site / "output/search").rglob("*.js")}
    (site / "content/new.md").write_text(article("Fresh", "2022-02-01", "apple word9"))
    result = run_build(site)
    index_files = [p for p in result.written_paths if p.startswith("search/") and p.endswith(".js")]
    after = {p.name for p in (site / "output/search").rglob("*.js")}
    assert {p.rsplit("/", 1)[1] for p in index_files} == after - before
    docs = sorted(p for p in index_files if p.startswith("search/d/"))
    assert docs == [next(p for p in docs if p.startswith("search/d/2."))]  # ids 4 and 5: the last chunk only
    assert len(index_files) < len(after) / 2
    assert Index(site / "output/search").query("fresh") == ["Fresh"]


def test_unchanged_articles_plan_the_index_from_the_cache(make_site, run_build, monkeypatch, tmp_path):
    site = make_site(STORIES)
    run_build(site)
    out = site / "output/search"
    before = {p: p.read_bytes() for p in out.rglob("*.js")}

    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003
        raise AssertionError("the index was made although no article changed")

    monkeypatch.setattr(search, "make_index", refuse)  # patched or whole, what planning makes the index by
    monkeypatch.setattr(search, "build_search_index", refuse)  # and what remakes a file gone from output/
    assert run_build(site).written == 0
    # a file gone from output/ is made again, byte for byte
    monkeypatch.undo()
    shard = next(out.glob("t/*.js"))
    shard.unlink()
    result = run_build(site)
    assert result.written_paths == [str(shard.relative_to(site / "output"))]
    assert {p: p.read_bytes() for p in out.rglob("*.js")} == before
    # without a cache the same files come out
    run_build(site, use_cache=False, output_dir=tmp_path / "cold")
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*.js")} == {
        p.relative_to(tmp_path / "cold/search"): p.read_bytes() for p in (tmp_path / "cold/search").rglob("*.js")
    }


def test_search_can_be_turned_off(make_site, run_build):
    site = make_site({"content/a.md": article("A", "2022-01-10")}, config="search:\n  enabled: false\n")
    run_build(site)
    assert not (site / "output/search").exists()
    assert "/search/" not in (site / "output/index.html").read_text()


# -- in a real browser --------------------------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("needs /usr/bin/chromium")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def serve() -> Iterator[Any]:
    servers = []

    def start(folder: Path) -> str:
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def run_query(page: Any, text: str) -> list[tuple[str, str]]:
    page.fill("#search-input", text)
    page.wait_for_function(
        "q => document.getElementById('search-status').textContent.includes(q)", arg=f"“{text}”", timeout=10_000
    )
    return [(a.text_content(), a.get_attribute("href")) for a in page.query_selector_all("#search-results a")]


@pytest.mark.browser
def test_search_page_finds_articles_over_http(make_site, run_build, browser, serve):
    site = make_site(STORIES, config="base_url: https://news.example.org/digest/\n")
    run_build(site)
    # served the way the base URL says: the site lives under /digest/
    root = site / "served"
    root.mkdir()
    (root / "digest").symlink_to(site / "output")
    origin = serve(root)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{origin}/digest/search/")
    assert run_query(page, "runway") == [("Airport reopens", "/digest/2022/01/13/airport/")]
    assert run_query(page, "kazakh") == [
        ("Currency steadies", "/digest/2022/01/20/tenge/"), ("Crisis in Almaty", "/digest/2022/01/10/coup/"),
    ]
    assert run_query(page, "zebra") == []
    assert "No articles match" in page.text_content("#search-status")
    page.goto(f"{origin}/digest/search/?q=fuel")  # a shared link runs its query
    page.wait_for_selector("#search-results a")
    assert page.text_content("#search-results a") == "Crisis in Almaty"
    page.click("#search-results a")
    page.wait_for_url(f"{origin}/digest/2022/01/10/coup/")
    assert errors == []


@pytest.mark.browser
def test_search_works_from_file_urls(make_site, run_build, browser):
    site = make_site(STORIES, config="relative_urls: true\n")
    run_build(site)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site / "output/search/index.html").as_uri())
    assert run_query(page, "almaty") == [
        ("Crisis in Almaty", "../2022/01/10/coup/index.html"), ("Airport reopens", "../2022/01/13/airport/index.html"),
    ]
    page.click("#search-results a")
    page.wait_for_url("**/2022/01/10/coup/index.html")
    assert "Crisis in Almaty" in page.title()
    assert errors == []
