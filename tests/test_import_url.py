"""digest import URL and --link: pages fetched from a local HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import article
from digest.cli import cli
from local_http import Route, serve_routes

pytest.importorskip("trafilatura")
pytest.importorskip("httpx")

PAGES = Path(__file__).parent / "data" / "capture" / "pages"
YNA = gzip.decompress((PAGES / "yna_co_kr.html.gz").read_bytes())


SEEN: list[dict[str, str]] = []
ROUTES = {
    "/old-link": Route(301, "text/html", b"", {"Location": "/view/AEN20190820002300325"}),
    "/view/AEN20190820002300325": Route(body=YNA),
    "/photo.jpg": Route(200, "image/jpeg", b"\xff\xd8\xff" + b"0" * 100),
    "/huge": Route(200, "text/html", b"<html><body>" + b"<p>word word word.</p>" * 500_000),
    "/empty-page": Route(body=b"<!DOCTYPE html><html><head><title>Gallery: the week in pictures</title>"
                              b"</head><body><h1>Gallery: the week in pictures</h1></body></html>"),
}


@pytest.fixture
def server() -> Iterator[str]:
    with serve_routes(ROUTES, SEEN) as url:
        yield url


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.fixture
def site(make_site) -> Path:
    return make_site({"content/old.md": article("Old", "2021-01-01", tags=["Rodong Sinmun"])})


def test_a_url_is_fetched_redirects_followed_and_the_final_url_is_the_source(server, site):
    code, out, err = run("import", f"{server}/old-link", "--site", str(site))
    assert code == 0, err
    path = site / out.strip().splitlines()[-1]
    meta = front_matter(path)
    assert meta["title"] == "N. Korea slams S. Korea for joint military drill, warns of consequences"
    assert meta["source"]["name"] == "Yonhap News Agency"
    # the URL the redirects ended at is the source; the redirect is recorded in a warning
    assert meta["source"]["url"] == f"{server}/view/AEN20190820002300325"
    assert f"{server}/old-link redirected to {server}/view/AEN20190820002300325" in err
    assert meta["tags"] == ["Rodong Sinmun"]
    assert "North Korea's official newspaper" in path.read_text(encoding="utf-8")
    agent = SEEN[-1]["User-Agent"]
    assert agent.startswith("Mozilla/5.0") and "digest/" in agent


@pytest.mark.parametrize(
    ("path", "message"),
    [("/photo.jpg", "not an HTML page (image/jpeg)"), ("/missing", "the server answered 404 Not Found"),
     ("/huge", "the page is larger than 8 MB")],
)
def test_what_cannot_be_imported_is_refused_in_one_line(server, site, path, message):
    code, out, err = run("import", f"{server}{path}", "--site", str(site))
    assert code == 1
    assert message in err and len(err.strip().splitlines()) == 1
    assert not any(p.name != "old.md" for p in (site / "content").rglob("*.md"))


def test_a_page_without_article_text_writes_nothing(server, site):
    code, out, err = run("import", f"{server}/empty-page", "--site", str(site))
    assert code == 1
    assert "no article text found" in err and "--link" in err
    assert not any(p.name != "old.md" for p in (site / "content").rglob("*.md"))


def test_a_link_item_with_a_title_fetches_nothing(site):
    url = "https://example.org/2022/01/10/banks-reopen"
    code, out, err = run("import", "--link", url, "--title", "Banks reopen in  Almaty", "--note", "First sign of calm.",
                         "--site", str(site))
    assert code == 0, err
    path = site / out.strip().splitlines()[-1]
    text = path.read_text(encoding="utf-8")
    meta = front_matter(path)
    assert meta["title"] == "Banks reopen in Almaty"
    assert meta["source"] == {"name": "example.org", "url": url}
    assert meta["note"] == "First sign of calm."
    assert text.endswith("---\n")  # no body
    code, out, err = run("build", "--site", str(site), "-q")
    assert code == 0, err


def test_a_link_item_without_a_title_takes_the_pages_headline_but_not_its_text(server, site):
    code, out, err = run("import", "--link", f"{server}/view/AEN20190820002300325", "--site", str(site))
    assert code == 0, err
    path = site / out.strip().splitlines()[-1]
    meta = front_matter(path)
    assert meta["title"] == "N. Korea slams S. Korea for joint military drill, warns of consequences"
    assert meta["source"]["published"].isoformat() == "2019-08-20T09:31:01+09:00"
    assert path.read_text(encoding="utf-8").endswith("---\n")


def test_link_and_source_together_are_refused(site):
    code, out, err = run("import", "x.txt", "--link", "https://example.org/a", "--site", str(site))
    assert code == 1 and "either SOURCE or --link" in err
