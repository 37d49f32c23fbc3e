"""The parts every publisher shares: fingerprints, headers, scanning, planning, ordering."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from publish_helpers import PNG, SITE, write_site

from digest.errors import DigestError
from digest.publish import LocalFile, Plan, PublishResult, is_fingerprinted, make_plan, scan_local
from digest.publish.headers import CONTENT_TYPES, cache_control, content_type
from digest.publish.plan import publish_order, result_of, write_stages


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "output")

# ---------------------------------------------------------------- fingerprints


@pytest.mark.parametrize("name", [
    "style.3f2a9c1e.css", "assets/app.0123abcd.js", "app.0123abcd.js.map", "logo.deadbeef01.png",
    "font.4c1e9a0b2d3f4e5a.woff2", "a.b.3f2a9c1e.css",
])
def test_fingerprinted_names(name: str) -> None:
    assert is_fingerprinted(name)


@pytest.mark.parametrize("name", [
    "style.css", "style.3f2a9c1.css",  # 7 hex digits is too short
    "style-3f2a9c1e.css",  # not dot-separated
    "report.20240101.pdf",  # a date: digits only
    "notes.deadbeef.txt",  # a word: letters only
    "style.3F2A9C1E.css",  # hashes are lowercase
    "3f2a9c1e.css",  # a hash alone is a name, not a fingerprint of one
    "style.3f2a9c1e",  # no extension
    "assets.3f2a9c1e/style.css",  # the hash must be in the file name
    "index.html",
])
def test_not_fingerprinted_names(name: str) -> None:
    assert not is_fingerprinted(name)


@given(
    stem=st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True),
    digest=st.from_regex(r"[0-9a-f]{8,40}", fullmatch=True).filter(
        lambda h: any(c.isdigit() for c in h) and any(c.isalpha() for c in h)
    ),
    ext=st.sampled_from(["css", "js", "png", "woff2", "svg", "js.map"]),
)
def test_any_stem_hash_extension_is_fingerprinted(stem: str, digest: str, ext: str) -> None:
    assert is_fingerprinted(f"{stem}.{digest}.{ext}")
    assert is_fingerprinted(f"assets/{stem}.{digest}.{ext}")
    assert not is_fingerprinted(f"{stem}.{ext}")


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize(("name", "expected"), [
    ("index.html", "text/html; charset=utf-8"),
    ("assets/style.3f2a9c1e.css", "text/css; charset=utf-8"),
    ("app.js", "text/javascript; charset=utf-8"),
    ("feed.xml", "application/xml; charset=utf-8"),
    ("sitemap.xml", "application/xml; charset=utf-8"),
    ("feed.json", "application/json; charset=utf-8"),
    ("robots.txt", "text/plain; charset=utf-8"),
    ("images/logo.svg", "image/svg+xml; charset=utf-8"),
    ("images/logo.png", "image/png"),
    ("photo.JPG", "image/jpeg"),
    ("photo.jpeg", "image/jpeg"),
    ("photo.webp", "image/webp"),
    ("anim.gif", "image/gif"),
    ("favicon.ico", "image/x-icon"),
    ("fonts/serif.woff2", "font/woff2"),
    ("paper.pdf", "application/pdf"),
    ("app.0123abcd.js.map", "application/json; charset=utf-8"),
    ("module.wasm", "application/wasm"),
    ("site.webmanifest", "application/manifest+json; charset=utf-8"),
    ("CNAME", "application/octet-stream"),
    (".nojekyll", "application/octet-stream"),
])
def test_content_types(name: str, expected: str) -> None:
    assert content_type(name) == expected


def test_every_text_type_in_the_table_has_a_charset() -> None:
    for ext, value in CONTENT_TYPES.items():
        textual = value.startswith("text/") or "json" in value or "xml" in value
        assert ("charset=utf-8" in value) == textual, ext


@pytest.mark.parametrize(("name", "expected"), [
    ("assets/style.3f2a9c1e.css", "public, max-age=31536000, immutable"),
    ("images/logo.0123abcd.png", "public, max-age=31536000, immutable"),
    ("index.html", "public, max-age=300"),
    ("2024/05/01/first/index.html", "public, max-age=300"),
    ("feed.xml", "public, max-age=300"),
    ("feed.json", "public, max-age=300"),
    ("images/logo.png", "public, max-age=3600"),
    ("assets/style.css", "public, max-age=3600"),
])
def test_default_cache_control(name: str, expected: str) -> None:
    assert cache_control(name) == expected


def test_configured_cache_control_comes_first_and_first_match_wins() -> None:
    rules = (("images/*", "public, max-age=86400"), ("*.png", "no-store"), ("robots.txt", None))
    assert cache_control("images/logo.png", rules) == "public, max-age=86400"
    assert cache_control("icons/x.png", rules) == "no-store"
    assert cache_control("robots.txt", rules) is None
    assert cache_control("sub/robots.txt", rules) == "public, max-age=300"  # a pattern is the whole path
    assert cache_control("assets/style.3f2a9c1e.css", rules) == "public, max-age=31536000, immutable"


# ---------------------------------------------------------------- scanning


def test_scan_local_hashes_every_file(site: Path) -> None:
    files = scan_local(site)
    assert list(files) == sorted(SITE)
    logo = files["images/logo.png"]
    assert logo == LocalFile(site / "images/logo.png", len(PNG), hashlib.md5(PNG).hexdigest(),
                             hashlib.sha256(PNG).hexdigest())


def test_scan_local_refuses_a_missing_or_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="site folder not found: .*build the site first"):
        scan_local(tmp_path / "nope")
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    with pytest.raises(DigestError, match="site folder is empty"):
        scan_local(tmp_path / "empty")


# ---------------------------------------------------------------- planning


def fake(size: int = 1, sha: str = "x") -> LocalFile:
    return LocalFile(Path("/nowhere"), size, "m" + sha, sha)


def test_make_plan_sorts_files_into_uploads_updates_deletes_unchanged() -> None:
    local = {"a.html": fake(sha="1"), "b.html": fake(sha="2"), "c.css": fake(sha="3")}
    remote = {"b.html": "2", "c.css": "old", "gone.html": "9"}

    def same(_rel: str, info: LocalFile, sha: str) -> bool:
        return info.sha256 == sha

    keep = make_plan(local, remote, same, delete=False)
    assert keep == Plan(uploads=("a.html",), updates=("c.css",), deletes=(), unchanged=("b.html",),
                        kept=("gone.html",))
    mirror = make_plan(local, remote, same, delete=True)
    assert mirror.deletes == ("gone.html",) and mirror.kept == ()
    assert mirror.changes == 3


def test_publish_order_keeps_links_valid() -> None:
    uploads = ["index.html", "2024/05/03/new/index.html", "images/new.png", "assets/style.0123abcd.css",
               "tags/new/index.html", "feed.xml", "tags/new/feed.xml"]
    updates = ["2024/05/index.html", "2024/index.html", "about/index.html", "assets/site.css", "404.html"]
    order = publish_order(uploads, updates)
    assert order == (
        # assets first: new, then changed
        "assets/style.0123abcd.css", "images/new.png", "assets/site.css",
        # new pages, deepest first
        "2024/05/03/new/index.html", "tags/new/index.html",
        # changed pages, deepest first
        "2024/05/index.html", "2024/index.html", "about/index.html",
        # entry points: feeds and root pages, the home page very last
        "tags/new/feed.xml", "404.html", "feed.xml", "index.html",
    )
    assert write_stages(uploads, updates) == (
        ("assets/style.0123abcd.css", "images/new.png", "assets/site.css"),
        ("2024/05/03/new/index.html", "tags/new/index.html"),
        ("2024/05/index.html", "2024/index.html", "about/index.html"),
        ("tags/new/feed.xml", "404.html", "feed.xml"),
        ("index.html",),
    )
    assert write_stages(["a.css"], []) == (("a.css",),)


def test_plan_lines_and_deletes_come_last() -> None:
    plan = Plan(uploads=("index.html", "a.css"), updates=("x/index.html",), deletes=("old.css", "old/index.html"),
                unchanged=(), kept=())
    assert plan.lines() == [
        "upload a.css", "update x/index.html", "upload index.html",
        "delete old/index.html", "delete old.css",
    ]


def test_result_counts(site: Path) -> None:
    local = scan_local(site)
    plan = Plan(uploads=("index.html",), updates=("images/logo.png",), deletes=("x",), unchanged=("feed.xml",))
    done = result_of("t", "dir", plan, local, dry_run=False)
    assert (done.uploaded, done.updated, done.deleted, done.unchanged) == (1, 1, 1, 1)
    assert done.bytes_moved == local["index.html"].size + len(PNG)
    assert done.summary().startswith("t: 1 uploaded, 1 updated, 1 deleted, 1 unchanged (")
    dry = result_of("t", "dir", plan, local, dry_run=True)
    assert dry == PublishResult("t", "dir", plan, True, unchanged=1)
    assert dry.files_moved == 0
    assert dry.summary() == "t: dry run, would upload 1, update 1, delete 1; 1 unchanged"


def test_scan_local_follows_linked_folders_once(site: Path, tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (media / "clip.mp4").write_bytes(b"\x00video")
    (media / "loop").symlink_to(media)  # a cycle must not walk forever
    (site / "media").symlink_to(media)
    files = scan_local(site)
    assert files["media/clip.mp4"].size == 6
    assert not [rel for rel in files if rel.startswith("media/loop/")]


def test_scan_local_refuses_a_broken_link(site: Path) -> None:
    (site / "gone.html").symlink_to(site / "nowhere.html")
    with pytest.raises(DigestError, match="broken symbolic link in the site: gone.html"):
        scan_local(site)
