"""The sample site and the real-world corpus: every page valid HTML5, every internal link resolves."""

from __future__ import annotations

import html5lib
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import REPO, SHARED, article
from digest.errors import BuildFailed

CORPUS = SHARED / "corpus" / "jekyll-news"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src") and not (tag == "a" and name == "href" and value.startswith(("http", "mailto:"))):
                self.links.append(value)
            if name == "id":
                self.ids.add(value)


def broken_links(root: Path, base_path: str = "/") -> list[str]:
    """Every internal href/src of every page must name a file that was written (and an id that exists)."""
    problems = []
    ids: dict[Path, set[str]] = {}
    pages = sorted(root.rglob("*.html"))
    parsed = {}
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        parsed[page] = parser
        ids[page] = parser.ids
    for page, parser in parsed.items():
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto", "data") or link.startswith("//"):
                continue
            if parts.path.startswith("/"):
                assert parts.path.startswith(base_path), link
                target = root / unquote(parts.path[len(base_path):])
            elif parts.path:
                target = (page.parent / unquote(parts.path))
            else:
                target = page
            if target.is_dir() or str(target).endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{page.relative_to(root)}: {link}")
            elif parts.fragment and target.suffix == ".html" and target in ids and parts.fragment not in ids[target]:
                problems.append(f"{page.relative_to(root)}: {link} (no such id)")
    return problems


def invalid_pages(root: Path) -> list[str]:
    problems = []
    for page in sorted(root.rglob("*.html")):
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            parser.parse(page.read_bytes())
        except Exception as exc:  # html5lib raises ParseError with the position
            problems.append(f"{page.relative_to(root)}: {exc}")
        ids = re.findall(r'\sid="([^"]+)"', page.read_text(encoding="utf-8"))
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            problems.append(f"{page.relative_to(root)}: duplicate ids {sorted(duplicates)}")
    return problems


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    site = tmp_path / "sample"
    site.mkdir()
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "digest.yaml", site / "digest.yaml")
    return site


def test_sample_site_pages_are_valid_and_links_resolve(sample_site, run_build):
    result = run_build(sample_site, drafts=True)
    assert result.articles >= 15
    out = sample_site / "output"
    assert broken_links(out) == []
    assert invalid_pages(out) == []


def test_sample_site_under_a_subpath_with_relative_urls(sample_site, run_build):
    config = sample_site / "digest.yaml"
    config.write_text(config.read_text().replace("https://digest.example.org/", "https://example.org/news/"))
    run_build(sample_site)
    assert broken_links(sample_site / "output", base_path="/news/") == []
    config.write_text(config.read_text() + "relative_urls: true\n")
    run_build(sample_site)
    out = sample_site / "output"
    assert broken_links(out) == []
    assert not re.search(r'(href|src)="/', (out / "index.html").read_text())


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_real_jekyll_corpus_builds_or_names_each_bad_file(tmp_path, run_build):
    site = tmp_path / "jekyll"
    shutil.copytree(CORPUS, site / "content")
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    # exactly one file in the corpus has an unreadable date; it is named with its line
    assert [str(p) for p in info.value.problems] == [
        "content/2023-01-29-jekyll-3-9-3-released.markdown:3: bad 'date': cannot read "
        "'2023-01-29 18:30:22 2023 -0800' as a date: write it as 2022-01-10 or 2022-01-10 09:39 (optionally +06:00)"
    ]
    (site / "content/2023-01-29-jekyll-3-9-3-released.markdown").unlink()
    result = run_build(site)
    assert result.articles == 101
    out = site / "output"
    assert invalid_pages(out) == []
    # Liquid in bodies is shown as written
    # 2013-09-14 20:46:50 -0400 is the 15th in the site's timezone (UTC)
    assert (out / "2013/09/15/jekyll-1-2-1-released/index.html").is_file()
    texts = "".join(p.read_text() for p in out.glob("20*/*/*/*/index.html"))
    assert "{% link" in texts and "{{ site." in texts


BAD_INPUTS = {
    "bad YAML": ("---\ntitle: [unclosed\ndate: 2022-01-10\n---\nx\n", "content/bad.md:3: invalid YAML"),
    "missing title": ("---\ndate: 2022-01-10\n---\nx\n", "content/bad.md:2: missing 'title'"),
    "bad date": ("---\ntitle: T\ndate: 2022-02-30\n---\nx\n", "content/bad.md:3: "),
    "unsafe slug": ("---\ntitle: T\ndate: 2022-01-10\nslug: ../../x\n---\nx\n", "content/bad.md:4: slug '../../x' is not URL-safe"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_gives_a_clear_error_and_keeps_the_last_output(make_site, run_build, case):
    text, expected = BAD_INPUTS[case]
    site = make_site({"content/good.md": article("Good", "2022-01-10")})
    run_build(site)
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    (site / "content/bad.md").write_text(text)
    (site / "content/also-bad.md").write_text("---\ntitle: Also bad\n---\nno date\n")
    with pytest.raises(BuildFailed) as info:
        run_build(site)
    messages = [str(p) for p in info.value.problems]
    assert any(m.startswith(expected) for m in messages), messages
    assert any(m.startswith("content/also-bad.md:2: missing 'date'") for m in messages), messages  # all reported
    assert {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()} == before
    assert not any(p.name.startswith(".digest-stage") for p in site.iterdir())


def test_cli_exit_code_and_message_on_bad_input(make_site):
    import subprocess
    import sys

    site = make_site({"content/bad.md": "---\ntitle: T\ndate: yesterday\n---\nx\n"})
    proc = subprocess.run([sys.executable, "-m", "digest", "build", "--site", str(site)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.startswith("content/bad.md:3: bad 'date': cannot read 'yesterday' as a date")
    assert "Traceback" not in proc.stderr
    assert not (site / "output").exists()
