"""Hostile input (issue 8): curated content comes from other people's pages, so every file is untrusted.

Each broken input is a fixture in ``tests/hostile/`` (binary ones are written
here, in ``GENERATED``). For each one the build either works (and the test
says what it makes of the input) or fails with an exact ``path:line: message``
that says what to do, reports the other files' problems in the same run,
exits non-zero, and leaves the previous output byte-for-byte as it was.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Callable

import html5lib
import pytest

from conftest import NOW, REPO, article, write_files
from digest.sources import markup
from digest.pipeline import BuildOptions, build
from digest.config import parse_config
from digest.errors import BuildFailed, DigestError

HOSTILE = Path(__file__).parent / "hostile"
GOOD = article("A good article", "2022-01-09 10:00", "Good body.", tags=["energy"])
BIG = 20 * 1024 * 1024


# -- helpers -----------------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` (hidden ones too) with its bytes and mtime."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def contents(root: Path) -> dict[str, bytes]:
    return {rel: data for rel, (data, _mtime) in snapshot(root).items()}


def listing(root: Path) -> set[str]:
    """Every path under ``root``, folders included: what a build may not add to outside its output."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def problems_of(exc: BaseException) -> list[str]:
    return str(exc).splitlines()


def assert_reported(lines: list[str], expected: str) -> None:
    assert any(line.startswith(expected) for line in lines), f"{expected!r} not in:\n" + "\n".join(lines)


def run_cli(*args: str, cwd: Path, timeout: float = 60, limit_memory: bool = True) -> subprocess.CompletedProcess[str]:
    """``python -m digest ...`` in a child with a time limit and 1 GiB of address space."""

    def limits() -> None:
        if limit_memory:
            resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    return subprocess.run(
        [sys.executable, "-m", "digest", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limits,
    )


@pytest.fixture
def built_site(
    make_site: Callable[..., Path], run_build: Callable[..., object]
) -> tuple[Path, dict[str, tuple[bytes, int]]]:
    """A site with one good article, built once: the output every failed build must leave alone."""
    site = make_site({"content/good.md": GOOD})
    run_build(site)
    return site, snapshot(site / "output")


# -- front matter --------------------------------------------------------------------------------------

# fixture file -> the exact first line of its problem
FRONT_MATTER_ERRORS = {
    "unclosed.md": "content/unclosed.md:1: front matter starts with '---' but is never closed:"
    " add a line '---' after it",
    "tabs.md": "content/tabs.md:5: a tab is used for indentation: YAML needs spaces",
    "duplicate-keys.md": "content/duplicate-keys.md:4: invalid YAML, column 1: duplicate key 'title'"
    " (first at line 2): keep only one of them",
    "list-not-mapping.md": "content/list-not-mapping.md:2: front matter must be a mapping of keys to values,"
    " like 'title: ...', not a list or a single value",
    "tags-mapping.md": "content/tags-mapping.md:4: 'tags' must be a list of names or a comma-separated string,"
    " like [energy, markets]",
    "tags-nested-list.md": "content/tags-nested-list.md:4: 'tags' must be a list of names, like [energy, markets],"
    " not a list of lists or mappings",
    "date-feb-30.md": "content/date-feb-30.md:3: bad 'date': '2022-02-30' is not a real date"
    " (day is out of range for month): check the year, month and day",
    "date-yesterday.md": "content/date-yesterday.md:3: bad 'date': cannot read 'yesterday' as a date:"
    " write it as 2022-01-10 or 2022-01-10 09:39 (optionally +06:00)",
    "date-year-zero.md": "content/date-year-zero.md:3: bad 'date': '0000-01-01' is not a real date"
    " (year 0 is out of range): check the year, month and day",
    "empty.md": "content/empty.md:1: file is empty: add front matter with 'title' and 'date', or delete it",
    "alias-bomb.md": "content/alias-bomb.md:2: YAML expands to more than 100,000 values (aliases repeated?):"
    " simplify it",
    "python-object.md": "content/python-object.md:4: invalid YAML, column 7: unsupported YAML tag"
    " '!!python/object/apply:os.system': only plain values are read (text, numbers, dates, lists, mappings);"
    " remove the tag",
    "image-javascript.md": "content/image-javascript.md:4: 'image' must be an http(s) URL or a path like"
    " 'chart.png', not 'javascript:...'",
}

# written by the tests: bytes that are not UTF-8 text, or too big to keep in the repository
GENERATED: dict[str, tuple[bytes, str]] = {
    "cp1251.md": (
        "---\ntitle: Новости дня\ndate: 2022-01-10\n---\nТекст статьи на русском языке.\n".encode("cp1251"),
        "content/cp1251.md:2: file is not UTF-8 (it looks like cp1251): re-save it as UTF-8,"
        " e.g. iconv -f cp1251 -t utf-8",
    ),
    "latin1.md": (
        "---\ntitle: Café society\ndate: 2022-01-10\n---\nCrème brûlée.\n".encode("latin-1"),
        "content/latin1.md:2: file is not UTF-8 (it looks like latin-1): re-save it as UTF-8,"
        " e.g. iconv -f latin-1 -t utf-8",
    ),
    "binary.md": (
        b"---\ntitle: x\n---\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        "content/binary.md:6: file is binary (it has NUL bytes), not a text article: move it out of content/"
        " or rename it so it does not end in .md",
    ),
    "utf16.md": (
        "---\ntitle: Wide\ndate: 2022-01-10\n---\nBody.\n".encode("utf-16"),
        "content/utf16.md:1: file is UTF-16LE, not UTF-8: re-save it as UTF-8, e.g. iconv -f UTF-16LE -t utf-8",
    ),
    "huge.md": (
        b"---\ntitle: Twenty megabytes\ndate: 2022-01-10\n---\n" + b"All work and no play. " * (BIG // 22),
        "content/huge.md:1: file is larger than 1 MiB, the limit for an article: split it,"
        " or move the data out of content/",
    ),
    "deep-nesting.md": (
        b"---\ntitle: Deep\ndate: 2022-01-10\nx: " + b"[" * 50_000 + b"]" * 50_000 + b"\n---\nBody.\n",
        "content/deep-nesting.md:4: YAML nested more than 64 levels deep: flatten it",
    ),
}

ALL_ERRORS = {**FRONT_MATTER_ERRORS, **{name: expected for name, (_data, expected) in GENERATED.items()}}


def hostile_file(name: str) -> bytes:
    if name in GENERATED:
        return GENERATED[name][0]
    return (HOSTILE / "front-matter" / name).read_bytes()


def test_every_front_matter_fixture_is_covered() -> None:
    on_disk = {p.name for p in (HOSTILE / "front-matter").iterdir()}
    assert on_disk == set(FRONT_MATTER_ERRORS) | set(FRONT_MATTER_BUILDS)


@pytest.mark.parametrize("name", sorted(ALL_ERRORS))
def test_broken_front_matter_fails_with_its_line_and_keeps_output(name, built_site, run_build) -> None:
    site, before = built_site
    write_files(site, {f"content/{name}": hostile_file(name)})
    started = time.perf_counter()
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert time.perf_counter() - started < 30
    lines = problems_of(info.value)
    assert lines[0].startswith(ALL_ERRORS[name]), lines[0]
    assert lines[-1] == "build failed: 1 problem; output left unchanged"
    assert snapshot(site / "output") == before
    assert not list(site.glob(".digest-stage-*"))


def test_all_broken_files_are_reported_in_one_run(built_site, run_build) -> None:
    site, before = built_site
    write_files(site, {f"content/{name}": hostile_file(name) for name in ALL_ERRORS})
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    lines = problems_of(info.value)
    for expected in ALL_ERRORS.values():
        assert_reported(lines, expected)
    assert lines[-1] == f"build failed: {len(ALL_ERRORS)} problems; output left unchanged"
    assert snapshot(site / "output") == before


def test_cli_exits_non_zero_with_every_message_and_no_traceback(built_site, tmp_path) -> None:
    site, before = built_site
    chosen = ["alias-bomb.md", "deep-nesting.md", "huge.md", "python-object.md", "cp1251.md", "unclosed.md"]
    write_files(site, {f"content/{name}": hostile_file(name) for name in chosen})
    result = run_cli("build", "--site", str(site), "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    for name in chosen:
        assert_reported(lines, ALL_ERRORS[name])
    assert lines[-1] == f"build failed: {len(chosen)} problems; output left unchanged"
    assert snapshot(site / "output") == before
    assert not list(tmp_path.rglob("pwned"))  # !!python/object/apply:os.system never ran


def test_alias_bomb_and_deep_nesting_are_bounded_in_a_child(tmp_path, make_site) -> None:
    """With 1 GiB of address space and a minute, the child answers: no hang, no crash, no swap storm."""
    site = make_site(
        {
            "content/alias-bomb.md": hostile_file("alias-bomb.md"),
            "content/deep-nesting.md": hostile_file("deep-nesting.md"),
            # a bomb in the config too: the same loader reads it
            "digest.yaml": hostile_file("alias-bomb.md")
            .split(b"---")[1]
            .replace(b"title:", b"#")
            .replace(b"date:", b"#"),
        }
    )
    result = run_cli("build", "--site", str(site), cwd=tmp_path, timeout=60)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("digest.yaml:1: YAML expands to more than 100,000 values"), result.stderr
    (site / "digest.yaml").unlink()
    result = run_cli("build", "--site", str(site), cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert_reported(result.stderr.splitlines(), ALL_ERRORS["alias-bomb.md"])
    assert_reported(result.stderr.splitlines(), ALL_ERRORS["deep-nesting.md"])


# decided: these build (see docs/front-matter.md)
FRONT_MATTER_BUILDS = {"title-number.md", "only-front-matter.md", "title-yes.md", "control-character.md"}


def test_a_number_or_yes_where_text_belongs_is_the_text_as_written(make_site, run_build) -> None:
    site = make_site(
        {
            "content/title-number.md": hostile_file("title-number.md"),
            "content/title-yes.md": hostile_file("title-yes.md"),
        }
    )
    run_build(site)
    out = site / "output"
    assert "<h1>123</h1>" in (out / "2022/01/10/title-number/index.html").read_text()
    page = (out / "2022/01/10/title-yes/index.html").read_text()
    assert "<h1>yes</h1>" in page
    for tag in ("2022", "no", "1-10"):  # 'no' is not False, 1.10 is not 1.1
        assert (out / f"tags/{tag}/index.html").is_file(), tag
    assert ">1.10</a>" in page


def test_control_characters_in_free_text_are_kept_and_never_reach_a_terminal(make_site, run_build, tmp_path) -> None:
    """A title is the author's text: it keeps an ESC (the page escapes markup, the feeds drop what XML
    cannot hold). Names are different: a control character in a slug, tag or source is refused, and
    the message that quotes it escapes it, so printing it cannot clear or recolour the terminal."""
    site = make_site(
        {
            "content/control-character.md": hostile_file("control-character.md"),
            "content/tag-nul.md": (HOSTILE / "paths" / "tag-nul.md").read_bytes(),
        }
    )
    result = run_cli("build", "--site", str(site), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "content/tag-nul.md:4: 'tags' contains the invisible control character U+0000: delete it"
        " (retype the text around it if you cannot see it)"
    )
    (site / "content/tag-nul.md").unlink()
    (site / "content/evil\x1b]0;pwned\x07.md").write_text("---\ntitle: x\n---\n")  # no date: an error naming the file
    result = run_cli("build", "--site", str(site), cwd=tmp_path)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert result.stderr.startswith("content/evil\\x1b]0;pwned\\x07.md:2: missing 'date'")
    (site / "content/evil\x1b]0;pwned\x07.md").unlink()
    run_build(site)
    page = (site / "output/2022/01/10/control-character/index.html").read_text()
    assert "<h1>Clear the screen\x1b[2J</h1>" in page


def test_only_front_matter_is_an_article_with_an_empty_body(make_site, run_build) -> None:
    site = make_site({"content/only-front-matter.md": hostile_file("only-front-matter.md")})
    run_build(site)
    page = (site / "output/2022/01/10/only-front-matter/index.html").read_text()
    assert "A link post with nothing but front matter." in page
    assert re.search(r'<div class="article-body">\s*</div>', page)


def test_bom_and_crlf_build_like_plain_utf8(make_site, run_build) -> None:
    text = (
        "---\r\ntitle: Windows line ends\r\ndate: 2022-01-10 09:39\r\ntags: [energy]\r\n---\r\n"
        "First.\r\n\r\nSecond.\r\n"
    )
    site = make_site(
        {
            "content/bom.md": b"\xef\xbb\xbf" + text.replace("\r\n", "\n").replace("Windows line ends", "BOM").encode(),
            "content/crlf.md": text.encode(),
            "content/bom-crlf.md": b"\xef\xbb\xbf" + text.replace("Windows line ends", "Both").encode(),
            "content/old-mac.md": text.replace("\r\n", "\r").replace("Windows line ends", "CR only").encode(),
        }
    )
    run_build(site)
    out = site / "output/2022/01/10"
    for slug, title in [("bom", "BOM"), ("crlf", "Windows line ends"), ("bom-crlf", "Both"), ("old-mac", "CR only")]:
        page = (out / slug / "index.html").read_text()
        assert f"<h1>{title}</h1>" in page
        assert "<p>First.</p>" in page and "<p>Second.</p>" in page and "\r" not in page
        assert "\ufeff" not in page


def test_broken_links_and_pipes_named_md_are_errors_not_hangs(built_site, tmp_path) -> None:
    site, before = built_site
    (site / "content/gone.md").symlink_to(tmp_path / "nowhere.md")
    os.mkfifo(site / "content/pipe.md")
    result = run_cli("build", "--site", str(site), cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "content/gone.md: cannot read the file (No such file or directory): fix the link or the permissions,"
        " or delete it"
    )
    (site / "content/gone.md").unlink()
    result = run_cli("build", "--site", str(site), cwd=tmp_path, timeout=60)
    assert result.stderr.startswith(
        "content/pipe.md:1: not a regular file (a pipe or a device?): move it out of content/"
    ), result.stderr
    assert snapshot(site / "output") == before


def test_pathological_markdown_hits_the_render_deadline(built_site, run_build, monkeypatch) -> None:
    site, before = built_site
    monkeypatch.setattr(markup, "RENDER_SECONDS", 0.5)
    write_files(site, {"content/brackets.md": article("Brackets", "2022-01-10", "[" * 20_000)})
    started = time.perf_counter()
    with pytest.raises(BuildFailed) as info:
        run_build(site, use_cache=False)
    assert time.perf_counter() - started < 10
    assert problems_of(info.value)[0] == (
        "content/brackets.md:1: the Markdown took over 0.5 s to render (thousands of '[' or '<' in a row?):"
        " simplify or split the article"
    )
    assert snapshot(site / "output") == before


# -- paths ---------------------------------------------------------------------------------------------

SLUG_ERRORS = {
    "slug-dotdot.md": "content/slug-dotdot.md:4: slug '../../etc/x' is not URL-safe: use letters, digits and"
    " hyphens only, like 'etc-x'",
    "slug-absolute.md": "content/slug-absolute.md:4: slug '/abs' is not URL-safe: use letters, digits and hyphens"
    " only, like 'abs'",
    "slug-inner-dotdot.md": "content/slug-inner-dotdot.md:4: slug 'a/../../b' is not URL-safe: use letters,"
    " digits and hyphens only, like 'a-b'",
    "slug-drive.md": "content/slug-drive.md:4: slug 'C:\\x' is not URL-safe: use letters, digits and hyphens"
    " only, like 'c-x'",
    "slug-percent.md": "content/slug-percent.md:4: slug '%2e%2e' is not URL-safe: use letters, digits and"
    " hyphens only, like '2e-2e'",
    "slug-nul.md": "content/slug-nul.md:4: 'slug' contains the invisible control character U+0000: delete it",
    "slug-control.md": "content/slug-control.md:4: 'slug' contains the invisible control character U+001B: delete it",
    "tag-nul.md": "content/tag-nul.md:4: 'tags' contains the invisible control character U+0000: delete it",
    "source-control.md": "content/source-control.md:4: 'source' contains the invisible control character U+001B:"
    " delete it",
}


@pytest.mark.parametrize("name", sorted(SLUG_ERRORS))
def test_unsafe_slugs_are_refused(name, built_site, run_build, tmp_path) -> None:
    site, before = built_site
    write_files(site, {f"content/{name}": (HOSTILE / "paths" / name).read_bytes()})
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert_reported(problems_of(info.value), SLUG_ERRORS[name])
    assert snapshot(site / "output") == before


def test_hostile_tag_source_and_file_names_stay_inside_the_output(make_site, run_build, tmp_path) -> None:
    site = make_site(
        {
            "content/hostile-names.md": (HOSTILE / "paths" / "hostile-names.md").read_bytes(),
            "content/%2e%2e.md": article("Percent dots", "2022-01-11"),
            "content/C:x.md": article("Drive letter", "2022-01-11"),
            "content/a\x1bb.md": article("Escape in a file name", "2022-01-11"),
            "content/new\nline.md": article("Newline in a file name", "2022-01-11"),
            "content/back\\slash.md": article("Backslash in a file name", "2022-01-11"),
            "content/-.md": article("Only a dash", "2022-01-11"),
        }
    )
    before = listing(tmp_path)
    run_build(site)
    after = listing(tmp_path)
    outside = {p for p in after - before if not p.startswith(("site/output", "site/.digest-cache"))}
    assert outside == {"site/.output.digest-lock"}
    out = site / "output"
    # every page is a plain name inside output/
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve())
        assert all(ch.isalnum() or ch in "-._/" for ch in path.relative_to(out).as_posix()), path
    tags = sorted(p.name for p in (out / "tags").iterdir() if p.is_dir())
    assert tags == ["2e-2e", "a-b", "abs", "c-x", "etc-x", "tag", "tag-9d891e73"]  # '..' has no letters: a hash
    assert (out / "sources/etc-passwd/index.html").is_file()
    # Tag, tag and ' TAG ' are one tag (one folder on macOS and Windows too), listing the article once
    page = (out / "tags/tag/index.html").read_text()
    assert page.count('href="/2022/01/10/hostile-names/"') == 1
    for slug in ["2e-2e", "c-x", "a-b", "new-line", "only-a-dash", "back-slash"]:
        matches = list((out / "2022/01/11").glob(f"{slug}*/index.html"))
        assert matches, slug


def test_file_names_differing_in_case_are_reported(make_site, run_build) -> None:
    site = make_site({"content/A.md": article("Upper", "2022-01-10"), "content/a.md": article("Lower", "2022-01-10")})
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert_reported(
        problems_of(info.value),
        "content/A.md:1: URL /2022/01/10/a/ is also the URL of content/a.md: give one of them another 'slug' or date",
    )


def test_slugs_differing_in_case_are_reported(make_site, run_build) -> None:
    site = make_site(
        {
            "content/one.md": article("One", "2022-01-10", slug="Story"),
            "content/two.md": article("Two", "2022-01-10", slug="story"),
        }
    )
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert_reported(
        problems_of(info.value),
        "content/one.md: the output file 2022/01/10/Story/index.html differs from 2022/01/10/story/index.html"
        " (made by content/two.md) only in letter case: they are one file on macOS and Windows; rename one of them",
    )


def test_article_on_a_tag_url_is_reported(make_site, run_build) -> None:
    site = make_site(
        {"content/x.md": article("X", "2022-01-10", tags=["x"])},
        config="permalinks:\n  article: /tags/{slug}/\n",
    )
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert_reported(
        problems_of(info.value), "tag 'x': URL /tags/x/ is also made by content/x.md: change a slug or a permalink"
    )


def test_two_assets_on_one_file_are_reported(make_site, run_build) -> None:
    site = make_site(
        {
            "content/one/story.md": article("Story", "2022-01-10", "![chart](chart.png)"),
            "content/one/chart.png": b"first",
            "content/2022/01/10/story/chart.png": b"second",
        }
    )
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert_reported(
        problems_of(info.value),
        "content/2022/01/10/story/chart.png: this file would be copied to 2022/01/10/story/chart.png,"
        " as is content/one/chart.png: rename one",
    )


def test_assets_differing_in_case_are_reported(make_site, run_build) -> None:
    site = make_site({"content/a.md": GOOD, "content/Photo.png": b"1", "content/photo.png": b"2"})
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert_reported(
        problems_of(info.value),
        "content/photo.png: the output file photo.png differs from Photo.png (made by content/Photo.png) only in"
        " letter case",
    )


def test_asset_on_a_page_is_reported(make_site, run_build) -> None:
    site = make_site({"content/a.md": GOOD, "content/404.html": "<p>mine</p>", "content/tags/index.html": "x"})
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    lines = problems_of(info.value)
    assert_reported(lines, "content/404.html: this file would overwrite the page /404.html")
    assert_reported(lines, "content/tags/index.html: this file would overwrite the page /tags/")


def test_asset_where_a_folder_must_go_is_reported(make_site, run_build) -> None:
    site = make_site({"content/a.md": GOOD, "content/tags": "a file named like the tags folder"})
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert_reported(
        problems_of(info.value),
        "the tags index: the output file tags/index.html needs a folder where content/tags makes the file tags:"
        " rename one of them",
    )


def test_content_asset_on_a_theme_asset_is_reported(make_site, run_build) -> None:
    site = make_site(
        {
            "content/a.md": GOOD,
            "content/static/logo.svg": "<svg/>",
            "themes/mine/static/logo.svg": "<svg></svg>",
        },
        config="theme: mine\n",
    )
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert_reported(
        problems_of(info.value),
        "content/static/logo.svg: the output file static/logo.svg is also made by the theme's static/logo.svg:"
        " rename one of them",
    )


def test_asset_with_a_control_character_in_its_name_is_refused(make_site, run_build) -> None:
    site = make_site({"content/a.md": GOOD, "content/evil\x1b[2J.png": b"png"})
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    assert_reported(
        problems_of(info.value),
        "content/evil\\x1b[2J.png: file name is not URL-safe: rename it (letters, digits, -._)",
    )


def test_a_symbolic_link_in_the_output_is_never_written_through(make_site, run_build, tmp_path) -> None:
    site = make_site({"content/a.md": GOOD})
    run_build(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(site / "output/tags")
    (site / "output/tags").symlink_to(elsewhere)
    before = listing(elsewhere)
    with pytest.raises(DigestError) as info:
        run_build(site)
    assert str(info.value).startswith(
        f"output: {site / 'output/tags'} is a symbolic link that leads out of the output folder"
    )
    assert listing(elsewhere) == before


# -- markup --------------------------------------------------------------------------------------------

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "xlink:href", "background"}


def html_problems(html: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """What a browser would run: script and style elements, event handlers, javascript: and data: URLs."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    found = []
    for element in document.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag == "script" and element.get("type") == "application/ld+json" and "script" not in allowed:
            # the theme's structured data: JSON, with every '<' escaped so no title can close the element
            json.loads(element.text or "")
            if "<" in (element.text or ""):
                found.append("<script type=application/ld+json> holding '<'")
            continue
        if tag == "script" and str(element.get("src", "")).startswith("/static/") and not (element.text or "").strip():
            continue  # the theme's own script file (the search page)
        if tag == "form" and element.get("role") == "search" and element.get("action") == "/search/":
            continue  # the theme's search box
        if tag in {"script", "style", "iframe", "object", "embed", "base", "form", "frame"} - set(allowed):
            found.append(f"<{tag}>")
        if tag == "meta" and element.get("http-equiv"):
            found.append("<meta http-equiv>")
        for name, value in element.attrib.items():
            name = str(name).rsplit("}", 1)[-1].lower()
            squeezed = "".join(str(value).split()).lower()
            if name.startswith("on") or name == "srcdoc":
                found.append(f"{tag}[{name}]")
            if name in _URL_ATTRIBUTES and (
                "javascript:" in squeezed or "vbscript:" in squeezed or "data:" in squeezed
            ):
                found.append(f"{tag}[{name}={value}]")
    return found


def markup_site(make_site: Callable[..., Path], config: str | None = None) -> Path:
    files: dict[str, str | bytes] = {f"content/{p.name}": p.read_bytes() for p in (HOSTILE / "markup").iterdir()}
    return make_site(files, config=config)


def test_raw_html_is_sanitised_everywhere(make_site, run_build) -> None:
    site = markup_site(make_site)
    run_build(site)
    out = site / "output"
    for page in out.rglob("*.html"):
        problems = html_problems(page.read_text())
        assert problems == [], (page, problems)
    body = (out / "2022/01/10/script/index.html").read_text()
    assert "<p>Before  after.</p>" in body
    assert "alert" not in body and "evil.example" not in body


@pytest.mark.parametrize(
    "slug, kept, gone",
    [
        (
            "event-handlers",
            ['<a href="https://example.org/">link</a>', 'alt="chart"'],
            ["onclick", "onerror", "ontoggle"],
        ),
        ("javascript-urls", ["<a>plain</a>", "<a>entity-encoded</a>"], ["javascript", "vbscript:", "alert"]),
        ("data-urls", ["<a>data link</a>"], ["data:", "PHN"]),
        ("iframe", [], ["<iframe", "youtube", "srcdoc"]),
        ("style", ["styled"], ["<style", "display", "position", "evil.example"]),
        ("svg-script", [], ["<script", "onload", "xlink", "animate", "alert"]),
        ("math", [], ["onerror", "<style", "javascript"]),
        ("form", [], ["<form", "formaction", "evil.example", "javascript"]),
        ("base", ['<a href="page.html">relative</a>'], ["<base", "evil.example"]),
        ("meta-refresh", ["Text after."], ["refresh", "evil.example"]),
    ],
)
def test_each_markup_vector(slug, kept, gone, make_site, run_build) -> None:
    site = markup_site(make_site)
    run_build(site)
    page = (site / f"output/2022/01/10/{slug}/index.html").read_text()
    body = page.split('<div class="article-body">', 1)[1].split("</div>", 1)[0]
    for text in kept:
        assert text in body, (text, body)
    for text in gone:
        assert text.lower() not in body.lower(), (text, body)


def test_allow_list_widens_for_embeds_but_never_for_code(make_site, run_build) -> None:
    site = markup_site(
        make_site,
        config="""
        html:
          allow_tags: [iframe]
          allow_attributes: {iframe: [src, width, height, allowfullscreen]}
        """,
    )
    run_build(site)
    body = (site / "output/2022/01/10/iframe/index.html").read_text()
    assert (
        '<iframe src="https://www.youtube.com/embed/abc" width="560" height="315" allowfullscreen=""></iframe>' in body
    )
    assert "<iframe></iframe>" in body  # the javascript: src is gone
    assert "onload" not in body and "srcdoc" not in body and "alert" not in body


@pytest.mark.parametrize(
    "config, message",
    [
        ("allow_tags: [script]", "digest.yaml:3: html.allow_tags: 'script' can never be allowed"),
        ("allow_tags: [STYLE]", "digest.yaml:3: html.allow_tags: 'STYLE' can never be allowed"),
        (
            "allow_attributes: {iframe: [onload]}",
            "digest.yaml:3: html.allow_attributes: 'onload' on 'iframe' can never",
        ),
        ("allow_attributes: {'*': [OnClick]}", "digest.yaml:3: html.allow_attributes: 'OnClick' on '*' can never"),
        (
            "allow_attributes: {iframe: [srcdoc]}",
            "digest.yaml:3: html.allow_attributes: 'srcdoc' on 'iframe' can never",
        ),
        (
            "allow_attributes: {a: ['xlink:href']}",
            "digest.yaml:3: html.allow_attributes: 'xlink:href' on 'a' can never",
        ),
        ("allow_url_schemes: [javascript]", "digest.yaml:3: html.allow_url_schemes: 'javascript' can never be allowed"),
        ("allow_url_schemes: [Data]", "digest.yaml:3: html.allow_url_schemes: 'Data' can never be allowed"),
    ],
)
def test_code_can_never_be_allowed(config, message) -> None:
    with pytest.raises(BuildFailed) as info:
        parse_config(f"title: x\nhtml:\n  {config}\n")
    assert_reported(problems_of(info.value), message)


def test_a_hand_made_config_cannot_allow_code_either() -> None:
    from digest.config import HtmlConfig, MarkdownConfig

    renderer = markup.MarkdownRenderer(
        MarkdownConfig(),
        HtmlConfig(
            allow_tags=("script", "iframe", "svg"),
            allow_attributes={"iframe": ("srcdoc", "onload", "src"), "*": ("onclick",)},
            allow_url_schemes=("javascript", "data"),
        ),
    )
    html = renderer.render(
        '<script>alert(1)</script><iframe srcdoc="<script>x</script>" onload="x" src="data:text/html,x"></iframe>'
        '<p onclick="x">p</p><a href="javascript:x">a</a>'
    ).html
    assert html_problems(html, allowed=("iframe",)) == []
    assert "<iframe></iframe>" in html


def test_jinja_in_content_is_text_everywhere(make_site, run_build) -> None:
    site = markup_site(make_site)
    run_build(site)
    out = site / "output"
    page = (out / "2022/01/10/jinja/index.html").read_text()
    assert "<h1>{{ config }} and {% include &#39;base.html&#39; %}</h1>" in page
    assert "{{ site.title }} {% for x in range(10**9) %}x{% endfor %}" in page  # summary
    assert "Curator says {{ 7 * 7 }} and {% raw %}raw{% endraw %}" in page  # note
    assert "Body with {{ config.items() }} and {% include ‘article.html’ %} and {# comment #}" in page
    assert ">{{ page }}</a>" in page and ">{% debug %}</a>" in page  # tags
    assert "{{ &#39;&#39;.__class__.__mro__ }}" in page  # source name
    assert "49" not in page.split("Curator says", 1)[1][:40]
    assert "{{ page }}" in (out / "tags/page/index.html").read_text()
    assert "{{ &#39;&#39;.__class__.__mro__ }}" in (out / "sources/index.html").read_text()


def test_titles_tags_and_summaries_are_escaped_everywhere(make_site, run_build) -> None:
    site = markup_site(make_site)
    run_build(site)
    out = site / "output"
    page = (out / "2022/01/10/escaping/index.html").read_text()
    title = "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34; &amp; &lt;b&gt;bold&lt;/b&gt;"
    assert f"<title>{title} · " in page
    assert f'<meta property="og:title" content="{title}">' in page
    assert f"<h1>{title}</h1>" in page
    summary = "&#34; onmouseover=&#34;alert(2)&#34; &lt;img src=x onerror=alert(3)&gt;"
    assert f'<meta name="description" content="{summary}">' in page
    assert f'<p class="standfirst">{summary}</p>' in page
    assert '<meta property="article:tag" content="&#34;&gt;&lt;svg onload=alert(5)&gt;">' in page
    assert ">&lt;script&gt;alert(4)&lt;/script&gt;</a>" in page
    assert "By &lt;i&gt;Author&lt;/i&gt;" in page and "Via &lt;b&gt;via&lt;/b&gt;" in page
    for listing_page in ["index.html", "tags/index.html", "sources/index.html", "2022/01/10/index.html"]:
        text = (out / listing_page).read_text()
        assert html_problems(text) == [], listing_page
        assert "<script>alert" not in text and "<svg onload" not in text


# -- output safety -------------------------------------------------------------------------------------

DRIVER = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path

    import digest.pipeline as build_module
    import digest.write.writer as writer_module
    from digest.cli import main

    site, point, after, how, flag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], Path(sys.argv[5])
    count = 0
    # what a terminal's Ctrl-C meets: Python's own handler (a suite started as a shell's background job
    # hands its children SIGINT ignored, and the signal would never arrive)
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def hit():
        global count
        count += 1
        if count == after:
            if how == "wait":  # the test sends the signal from outside
                flag.write_text("ready")
                time.sleep(120)
            os.kill(os.getpid(), signal.SIGKILL if how == "kill" else signal.SIGINT)

    def wrap(module, name):
        real = getattr(module, name)
        def wrapper(*args, **kwargs):
            hit()
            return real(*args, **kwargs)
        setattr(module, name, wrapper)

    if point == "render":
        wrap(build_module, "render_job")
    elif point == "stage":
        wrap(writer_module.OutputWriter, "stage_bytes")
    elif point == "journal":
        wrap(writer_module, "_check_targets")
    elif point == "move":  # the one-by-one move-in, used where folders cannot be swapped
        writer_module.exchange = lambda a, b: False
        wrap(writer_module, "_move")
    elif point == "swap":
        wrap(writer_module, "exchange")
    elif point == "carry":  # after the swap, before hidden entries move across
        wrap(writer_module, "_carry_over")
    elif point == "cleanup":
        wrap(writer_module.OutputWriter, "_mark_owned")
    sys.exit(main(["build", "--site", site, "--jobs", "1"]))
    """
)


@pytest.fixture
def changing_site(make_site, run_build, tmp_path):
    """A built site, then edits that change, add and delete pages; returns (site, old output, new reference)."""
    files = {
        f"content/{i:02d}.md": article(f"Story {i}", f"2022-01-{i:02d} 10:00", tags=[f"t{i % 3}"]) for i in range(1, 13)
    }
    site = make_site(files, config="per_page: 3\n")
    run_build(site)
    old = snapshot(site / "output")
    (site / "content/01.md").unlink()
    write_files(site, {"content/05.md": article("Story five, rewritten", "2022-01-05 10:00", tags=["t2", "new"])})
    write_files(site, {"content/20.md": article("Story twenty", "2022-01-20 10:00", tags=["t0"])})
    reference = tmp_path / "reference"
    build(BuildOptions(site_dir=site, output_dir=reference, now=NOW, jobs=1, use_cache=False))
    new = contents(reference)
    assert new != {rel: data for rel, (data, _m) in old.items()}
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    return site, old, new, driver


def run_driver(driver: Path, site: Path, point: str, after: int, how: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    flag = driver.with_name("ready")
    args = [sys.executable, str(driver), str(site), point, str(after), how, str(flag)]
    if how != "wait":
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    with subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        deadline = time.monotonic() + 60
        while not flag.exists() and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.02)
        assert flag.exists(), child.stderr.read() if child.stderr else ""
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
        return subprocess.CompletedProcess(args, child.returncode, out, err)


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if p.name.startswith(".digest-stage") or p.name.endswith("journal"))


@pytest.mark.parametrize("point, after", [("render", 1), ("render", 20), ("stage", 5), ("journal", 1)])
def test_sigkill_before_the_move_in_leaves_the_old_output(point, after, changing_site, run_build) -> None:
    site, old, new, driver = changing_site
    result = run_driver(driver, site, point, after, "kill")
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert snapshot(site / "output") == old
    assert leftovers(site)  # the dead build's staging folder
    run_build(site)  # the next build cleans up and completes
    assert leftovers(site) == []
    assert contents(site / "output") == new


@pytest.mark.parametrize("point, after", [("render", 1), ("render", 20), ("stage", 5)])
def test_ctrl_c_before_the_move_in_leaves_the_old_output(point, after, changing_site) -> None:
    site, old, new, driver = changing_site
    result = run_driver(driver, site, point, after, "int")
    assert result.returncode == 130, result.stderr
    assert result.stderr.strip() == "interrupted"
    assert snapshot(site / "output") == old
    assert leftovers(site) == []


def test_ctrl_c_from_outside_during_render(changing_site) -> None:
    site, old, new, driver = changing_site
    result = run_driver(driver, site, "render", 10, "wait")
    assert result.returncode == 130, result.stderr
    assert snapshot(site / "output") == old
    assert leftovers(site) == []


@pytest.mark.parametrize("after", [1, 10, 30])
def test_sigkill_during_the_move_in_is_completed_by_the_next_build(after, changing_site, run_build) -> None:
    site, old, new, driver = changing_site
    result = run_driver(driver, site, "move", after, "kill")
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert (site / ".output.digest-journal").exists()
    assert contents(site / "output") != new  # caught half-way
    run_build(site)
    assert leftovers(site) == []
    assert contents(site / "output") == new


@pytest.mark.parametrize("point", ["swap", "carry"])
def test_sigkill_at_the_swap_leaves_old_or_new_and_keeps_hidden_entries(point, changing_site, run_build) -> None:
    site, old, new, driver = changing_site
    (site / "output/.git").mkdir()
    (site / "output/.git/HEAD").write_text("ref: refs/heads/pages\n")
    result = run_driver(driver, site, point, 1, "kill")
    assert result.returncode == -signal.SIGKILL, result.stderr
    visible = {rel: data for rel, data in contents(site / "output").items() if not rel.startswith(".git/")}
    assert visible == ({rel: data for rel, (data, _m) in old.items()} if point == "swap" else new)
    run_build(site)
    assert leftovers(site) == []
    assert contents(site / "output") == {**new, ".git/HEAD": b"ref: refs/heads/pages\n"}


def test_ctrl_c_during_the_move_in_finishes_it_first(changing_site) -> None:
    site, old, new, driver = changing_site
    result = run_driver(driver, site, "move", 3, "int")
    assert result.returncode == 130, result.stderr
    assert contents(site / "output") == new  # held until every file was in place
    assert leftovers(site) == []


def test_sigkill_after_the_move_in_leaves_a_complete_output(changing_site, run_build) -> None:
    site, old, new, driver = changing_site
    result = run_driver(driver, site, "cleanup", 1, "kill")
    assert result.returncode == -signal.SIGKILL
    assert contents(site / "output") == new
    run_build(site)
    assert leftovers(site) == [] and contents(site / "output") == new


def test_a_second_build_while_one_is_writing_is_refused(built_site, tmp_path) -> None:
    from faults import lock_holder

    site, before = built_site
    with lock_holder(site / "output") as holder:
        with pytest.raises(DigestError) as info:
            build(BuildOptions(site_dir=site, now=NOW, jobs=1, wait=False))
        assert (
            str(info.value) == f"output: another digest build (pid {holder.pid}) is writing {site / 'output'}"
            " right now: wait for it to finish (build without --no-wait waits), or stop it"
        )
    assert snapshot(site / "output") == before


@pytest.mark.parametrize(
    "config, option, message",
    [
        ("output_dir: .", None, "digest.yaml: the output folder {site} is the site folder or contains it"),
        (
            "output_dir: ..",
            None,
            "digest.yaml: the output folder {site}/.. ({parent}) is the site folder or contains it",
        ),
        ("output_dir: content", None, "digest.yaml: the output folder {site}/content overlaps {site}/content:"),
        ("output_dir: content/out", None, "digest.yaml: the output folder {site}/content/out overlaps {site}/content:"),
        ("output_dir: themes", None, "digest.yaml: the output folder {site}/themes overlaps {site}/themes:"),
        ("output_dir: .digest-cache", None, "digest.yaml: the output folder {site}/.digest-cache"),
        (None, "..", "--output: the output folder {site}/.. ({parent}) is the site folder or contains it"),
        (None, ".", "--output: the output folder {site} is the site folder or contains it"),
        (None, "/", "--output: the output folder / is the site folder or contains it"),
        (None, "content", "--output: the output folder {site}/content overlaps {site}/content:"),
        ("output_dir: digest.yaml", None, "digest.yaml: the output folder {site}/digest.yaml is a file"),
    ],
)
def test_output_folder_is_never_a_source_or_a_parent(config, option, message, make_site, tmp_path) -> None:
    site = make_site({"content/a.md": GOOD, "themes/mine/templates/.keep": ""}, config=config or "title: x\n")
    before = snapshot(tmp_path)
    args = ["build", "--site", "."] + (["--output", option] if option else [])
    result = run_cli(*args, cwd=site)
    assert result.returncode == 1, result.stderr
    expected = message.format(site=site, parent=site.parent)
    assert result.stderr.startswith(expected), result.stderr
    assert snapshot(tmp_path) == before


def test_a_folder_digest_did_not_make_is_never_emptied(make_site, run_build, tmp_path) -> None:
    site = make_site({"content/a.md": GOOD})
    mine = tmp_path / "documents"
    write_files(mine, {"thesis.tex": "years of work", "photos/cat.jpg": b"\xff\xd8"})
    before = snapshot(mine)
    with pytest.raises(DigestError) as info:
        run_build(site, output_dir=mine)
    assert str(info.value).startswith(
        f"output: the output folder {mine} holds 2 file(s) this build does not make (photos/cat.jpg, thesis.tex)"
        " and was not made by digest"
    )
    assert snapshot(mine) == before
    assert not list(tmp_path.glob(".digest-stage-*"))
    # an empty folder, or one digest built, is fine
    run_build(site, output_dir=tmp_path / "fresh")
    (site / "content/b.md").write_text(article("Second", "2022-01-11"))
    run_build(site, output_dir=tmp_path / "fresh")


def test_stale_staging_folders_are_removed(built_site, run_build) -> None:
    site, before = built_site
    stale = site / ".digest-stage-output-999999"
    write_files(stale, {"index.html": "half a build"})
    live_pid = site / f".digest-stage-output-{os.getppid()}"  # a pid that is alive: still stale, no lock held
    live_pid.mkdir()
    run_build(site)
    assert leftovers(site) == []
