"""The default theme under the strictest checkers, on the sample site plus real posts.

- the Nu HTML checker (vnu.jar, one JVM over every page and stylesheet): no errors, no warnings;
- axe-core in Debian's chromium (one browser for every run): no violations on each page kind,
  light and dark, at 375 px and 1280 px;
- no horizontal scroll at 320 px, a visible focus ring on every focusable element, and a search
  page that works from the keyboard and announces its result count;
- screenshots of each page kind at both widths, written to test-artifacts/screenshots/ (or
  $DIGEST_ARTIFACTS) for a person to look at.

vnu-jar and axe-core are npm packages that ./scripts/test installs into .test-tools/.
Without them these tests skip, except under CI, where they fail.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import REPO
from theme_site import CORPUS, make_theme_site

pytestmark = pytest.mark.browser

TOOLS = REPO / ".test-tools" / "node_modules"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("DIGEST_ARTIFACTS", REPO / "test-artifacts")) / "screenshots"

# One page of each kind the default theme makes.
PAGES = {
    "home": "/",
    "home-page-2": "/page/2/",
    "article": "/2022/03/21/nauryz/",  # Kazakh, footnotes, code, the lead image repeated in the body
    "article-lead-image": "/2025/12/01/spring-sowing/",
    "article-jekyll": "/2017/03/03/jekyll-3-4-1-released/",  # a real post with highlighted code
    "tag": "/tags/kazakhstan/",
    "tags": "/tags/",
    "source": "/sources/demo-daily/",
    "sources": "/sources/",
    "archive": "/archive/",
    "year": "/2022/",
    "month": "/2022/01/",
    "day": "/2022/01/10/",
    "search": "/search/",
    "404": "/404.html",
}
WIDTHS = (375, 1280)
SCHEMES = ("light", "dark")


def _need(path: Path, what: str) -> None:
    if not path.exists():
        message = f"needs {what} at {path}: run ./scripts/test, which installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import NOW
    from digest.pipeline import BuildOptions, build

    if not CORPUS.is_dir() and os.environ.get("CI"):
        pytest.fail(f"the Jekyll news corpus is missing at {CORPUS}")
    site = make_theme_site(tmp_path_factory.mktemp("theme"))
    build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    out = site / "output"
    for kind, url in PAGES.items():
        target = out / url.lstrip("/")
        assert (target / "index.html" if url.endswith("/") else target).is_file(), f"no {kind} page at {url}"
    return out


def test_every_page_passes_the_nu_checker_without_errors_or_warnings(built: Path) -> None:
    _need(VNU, "the Nu checker (npm vnu-jar)")
    java = shutil.which("java")
    if java is None:
        _need(Path("/usr/bin/java"), "Java")
    pages = sorted(str(p) for p in built.rglob("*.html"))
    sheets = sorted(str(p) for p in (built / "static").glob("*.css"))
    images = sorted(str(p) for p in (built / "static").glob("*.svg"))
    assert len(pages) > 300 and sheets and images
    proc = subprocess.run(
        [java or "java", "-Xss4m", "-jar", str(VNU), "--format", "json", "--also-check-css", "--also-check-svg",
         *pages, *sheets, *images],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(proc.stderr)
    problems = [
        f"{m['url'].rsplit('/output/', 1)[-1]}:{m.get('lastLine', '?')}: {m['type']}"
        f"{'/' + m['subType'] if 'subType' in m else ''}: {m['message']}"
        for m in report["messages"]
        if m["type"] != "info" or m.get("subType") == "warning"
    ]
    assert problems == [], "\n".join(problems)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 404:  # as a host serves a static site: the theme's 404 page
            body = (Path(self.directory) / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(built))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _need(CHROMIUM, "Debian's chromium")
    _need(AXE, "axe-core (npm axe-core)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield instance
        instance.close()


def _axe(page: Any) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(n['target'][0] for n in v['nodes'][:5])}"
        for v in result["violations"]
    ]


def test_axe_finds_no_violations_and_screenshots_are_written(browser: Any, server: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for scheme in SCHEMES:
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
            page = context.new_page()
            for kind, url in PAGES.items():
                page.goto(server + url, wait_until="load")
                if kind == "search":
                    page.fill("#search-input", "kazakhstan")
                    page.keyboard.press("Enter")
                    page.wait_for_selector("#search-results li")
                problems += [f"{kind} {scheme} {width}px: {v}" for v in _axe(page)]
                if scheme == "light" or kind in ("home", "article"):
                    page.screenshot(path=str(ARTIFACTS / f"{kind}-{width}-{scheme}.png"), full_page=True)
            context.close()
    assert problems == [], "\n".join(problems)
    assert len(list(ARTIFACTS.glob("*-375-light.png"))) == len(PAGES)


def test_no_horizontal_scroll_at_320px_and_every_focus_is_visible(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    problems = []
    for kind, url in PAGES.items():
        page.goto(server + url, wait_until="load")
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > 320:
            problems.append(f"{kind}: the page is {wide} px wide at 320 px")
        page.keyboard.press("Tab")  # keyboard use, so :focus-visible applies to what is focused next
        unseen = page.evaluate("""() => {
            const all = document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])');
            const bad = [];
            for (const el of all) {
                if (el.closest('[hidden]') || el.getClientRects().length === 0) continue;
                el.focus();
                const style = getComputedStyle(el);
                const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
                if (document.activeElement !== el || !ring) bad.push(el.outerHTML.slice(0, 80));
            }
            return bad;
        }""")
        problems += [f"{kind}: no visible focus on {html}" for html in unseen[:3]]
    context.close()
    assert problems == []


def test_search_works_from_the_keyboard_and_announces_the_count(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server + PAGES["search"], wait_until="load")
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    for _ in range(30):  # Tab from the top of the page to the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search-input":
            break
    else:
        raise AssertionError("the search box cannot be reached with Tab")
    page.keyboard.type("airport")
    page.keyboard.press("Enter")
    page.wait_for_selector("#search-results li")
    assert status.inner_text().startswith(("1 article matches", f"{page.locator('#search-results li').count()} articles match"))
    page.keyboard.press("Tab")  # the search button, then the first result
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#search-results') !== null")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/2022/" in page.url and page.locator("h1").count() == 1
    context.close()


def test_an_article_prints_without_navigation_and_with_link_addresses(browser: Any, server: str) -> None:
    context = browser.new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    page.goto(server + PAGES["article-lead-image"], wait_until="load")
    page.emulate_media(media="print")
    shown = page.evaluate("""() => ({
        nav: getComputedStyle(document.querySelector('.site-nav')).display,
        link: getComputedStyle(document.querySelector('.article-body a'), '::after').content,
        background: getComputedStyle(document.body).backgroundColor,
    })""")
    assert shown["nav"] == "none" and "https://example.org/notes?id=1&lang=en" in shown["link"]
    assert shown["background"] == "rgb(255, 255, 255)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "article-print.png"), full_page=True)
    context.close()
