"""File-system oddities: each is handled, or reported as ``path: message``, never a traceback.

Case-only differences and NFC/NFD forms (one file on macOS and Windows), names too long for a file
system once slugged, symbolic link loops, and files that change or vanish while a build runs.
"""

from __future__ import annotations

import os
import threading
import time
import unicodedata
from pathlib import Path

import pytest

from conftest import NOW, article, write_files
from faults import snapshot
from digest.errors import DigestError
from digest.pipeline import BuildOptions, build

A = article("First", "2022-01-10 10:00")
B = article("Second", "2022-01-10 11:00")


def build_error(site: Path) -> str:
    with pytest.raises(DigestError) as info:  # a DigestError is printed as path: message, no traceback
        build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    return str(info.value)


def test_article_names_differing_only_in_case_collide_with_a_message(make_site) -> None:
    site = make_site({"content/Story.md": A, "content/story.md": B})
    assert build_error(site).splitlines()[0] == (
        "content/Story.md:1: URL /2022/01/10/story/ is also the URL of content/story.md:"
        " give one of them another 'slug' or date"
    )


def test_assets_differing_only_in_case_collide_with_a_message(make_site) -> None:
    site = make_site({"content/a.md": A, "content/Pic.png": b"x", "content/pic.png": b"y"})
    assert build_error(site).splitlines()[0] == (
        "content/pic.png: the output file pic.png differs from Pic.png (made by content/Pic.png) only in letter"
        " case: they are one file on macOS and Windows; rename one of them"
    )


def test_nfc_and_nfd_forms_of_one_name_collide_and_the_message_says_why(make_site) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    site = make_site({f"content/{nfc}.md": A, f"content/{nfd}.md": B})
    first = build_error(site).splitlines()[0]
    assert first.endswith("(the same name in another Unicode form, NFC and NFD): give one of them another 'slug'"
                          " or date")
    assert "/2022/01/10/cafe/" in first


def test_an_nfd_name_makes_the_same_url_as_its_nfc_form(make_site, run_build) -> None:
    site = make_site({f"content/{unicodedata.normalize('NFD', 'café')}.md": A})
    run_build(site)
    assert (site / "output/2022/01/10/cafe/index.html").is_file()


def test_a_slug_too_long_for_a_file_system_is_refused_by_name(make_site) -> None:
    site = make_site({"content/a.md": article("T", "2022-01-10 10:00", slug="x" * 300)})
    assert build_error(site).splitlines()[0] == (
        f"content/a.md: the output path 2022/01/10/{'x' * 49}... has a name of 300 bytes, more than the 255 a file"
        " system allows: give it a shorter 'slug' (or rename the file)"
    )
    assert not (site / "output").exists()


def test_long_tags_and_titles_are_cut_to_names_a_file_system_takes(make_site, run_build) -> None:
    site = make_site({"content/a.md": article("Ж" * 200, "2022-01-10 10:00", tags=["щ" * 200, "t" * 300])})
    result = run_build(site)
    assert all(len(part.encode()) <= 255 for p in result.written_paths for part in p.split("/"))


def test_a_cyrillic_file_name_that_slugs_past_255_bytes(make_site, run_build) -> None:
    name = "щ" * 126 + ".md"  # 255 bytes on disk; "shch" per letter once transliterated
    assert len(name.encode()) == 255
    site = make_site({f"content/{name}": A})
    try:
        result = run_build(site)
    except DigestError as exc:
        assert str(exc).startswith(f"content/{name}"), str(exc)
    else:
        assert all(len(part.encode()) <= 255 for p in result.written_paths for part in p.split("/"))


def test_symbolic_link_loops_are_reported_by_name(make_site) -> None:
    site = make_site({"content/a.md": A, "content/sub/b.md": B})
    os.symlink("b2.md", site / "content/a2.md")
    os.symlink("a2.md", site / "content/b2.md")
    os.symlink("x2.png", site / "content/x1.png")
    os.symlink("x1.png", site / "content/x2.png")
    os.symlink("..", site / "content/sub/up")  # a folder loop: not followed
    lines = build_error(site).splitlines()
    assert lines[0] == ("content/a2.md: cannot read the file (Too many levels of symbolic links):"
                        " fix the link or the permissions, or delete it")
    os.unlink(site / "content/a2.md")
    os.unlink(site / "content/b2.md")
    assert build_error(site).splitlines()[:2] == [
        "content/x1.png: is a symbolic link loop: fix the link or delete it",
        "content/x2.png: is a symbolic link loop: fix the link or delete it",
    ]


def test_files_vanishing_mid_build_are_left_out(make_site, run_build, monkeypatch) -> None:
    import digest.pipeline as pipeline
    import digest.sources.load as load
    import digest.sources.scan as scan

    site = make_site({"content/a.md": A, "content/b.md": B, "content/pic.png": b"png"})
    real_read, real_copy = load.read_article_bytes, pipeline.copy_assets

    def read_then_vanish(path: Path, shown: str | None = None) -> bytes:
        if path.name == "b.md":
            path.unlink()  # listed by the scan, gone when read
        return real_read(path, shown)

    def copy_then_vanish(assets, *args, **kwargs):  # type: ignore[no-untyped-def]
        (site / "content/pic.png").unlink(missing_ok=True)
        return real_copy(assets, *args, **kwargs)

    monkeypatch.setattr(load, "read_article_bytes", read_then_vanish)
    monkeypatch.setattr(scan, "read_article_bytes", read_then_vanish)  # what a build with a cache reads by
    monkeypatch.setattr(pipeline, "copy_assets", copy_then_vanish)
    result = run_build(site)
    assert result.articles == 1
    out = snapshot(site / "output")
    assert "2022/01/10/a/index.html" in out and "2022/01/10/b/index.html" not in out and "pic.png" not in out


VERSIONS = {
    n: article(f"Version {n} title", "2022-01-10 10:00", f"Body of version {n}. " * 200) for n in ("one", "two")
}


@pytest.mark.slow
def test_files_edited_added_and_deleted_during_builds_never_tear_a_page(make_site, run_build) -> None:
    site = make_site({"content/a.md": VERSIONS["one"], **{f"content/k{i}.md": B.replace("Second", f"Keep {i}")
                                                          for i in range(30)}})
    counts = {}
    for n, text in VERSIONS.items():  # how often each body sentence appears on its page (body, summary...)
        (site / "content/a.md").write_text(text, encoding="utf-8")
        run_build(site)
        counts[n] = (site / "output/2022/01/10/a/index.html").read_text(encoding="utf-8").count(f"Body of version {n}.")
    stop = threading.Event()
    edits = [0]

    def save(rel: str, text: str) -> None:  # as vim, emacs and most editors save: a new file renamed over the old
        tmp = site / "content" / f".{rel}.swp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, site / "content" / rel)

    def editor() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            save("a.md", VERSIONS["one" if n % 2 else "two"])
            if n % 3 == 0:
                (site / "content/extra.md").unlink(missing_ok=True)
            else:
                save("extra.md", article("Extra", "2022-01-11 10:00", "Extra body."))
            edits[0] = n
            time.sleep(0.002)

    thread = threading.Thread(target=editor)
    thread.start()
    try:
        for _ in range(15):
            run_build(site)
            page = (site / "output/2022/01/10/a/index.html").read_text(encoding="utf-8")
            versions = [n for n in VERSIONS if f"Version {n} title" in page]
            assert len(versions) == 1, "a page mixing two versions"
            body = f"Body of version {versions[0]}."
            assert page.count(body) == counts[versions[0]], "a torn body"
            assert all(f"Body of version {n}." not in page for n in VERSIONS if n != versions[0])
    finally:
        stop.set()
        thread.join()
    assert edits[0] > 15


def test_a_symbolic_link_placed_in_the_output_stays(make_site, run_build, tmp_path) -> None:
    site = make_site({"content/a.md": A})
    run_build(site)
    media = tmp_path / "media"
    media.mkdir()
    (media / "film.mp4").write_bytes(b"film")
    (site / "output/media").symlink_to(media, target_is_directory=True)
    write_files(site, {"content/b.md": B})
    run_build(site)
    assert (site / "output/media").is_symlink() and (media / "film.mp4").read_bytes() == b"film"
    assert (site / "output/2022/01/10/b/index.html").is_file()
