"""Live reload in a real browser: Debian's chromium driven by playwright."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import article
from serving import Running, start_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
WAIT = 10_000  # ms: the longest any change may take to show

LONG_BODY = "\n\n".join(f"Paragraph {n} of a long story, long enough to scroll through." for n in range(200))
FILES = {
    "content/2022/01/coup.md": article("Crisis called an attempted coup", "2022-01-10 09:39", LONG_BODY,
                                       tags=["Kazakhstan"]),
    "content/2022/01/oil.md": article("Oil output steady", "2022-01-11 08:00", "Output held.", tags=["energy"]),
    "themes/default/static/style.css": "body { color: rgb(10, 20, 30); }\n",
}
CONFIG = "title: Browser Digest\nbase_url: https://news.example.org/\n"
COUP = "/2022/01/10/coup/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("needs playwright")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def running(make_site) -> Iterator[Running]:
    site = make_site(FILES, config=CONFIG)
    server = start_server(site)
    yield server
    server.server.stop()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1000, "height": 700})
    yield ctx
    ctx.close()


def open_page(context: Any, running: Running, path: str) -> Any:
    page = context.new_page()
    page.set_default_timeout(WAIT)
    page.goto(running.url.rstrip("/") + path)
    page.wait_for_function("() => window.__digestLiveReload === 'connected'")  # the first state has arrived
    return page


def retitle(running: Running, title: str, body: str = LONG_BODY) -> None:
    running.write("content/2022/01/coup.md", article(title, "2022-01-10 09:39", body, tags=["Kazakhstan"]))


def heading_is(page: Any, text: str) -> None:
    page.wait_for_function("t => document.querySelector('h1') && document.querySelector('h1').textContent.includes(t)",
                           arg=text)


def test_edited_title_shows_in_the_open_page(context, running):
    page = open_page(context, running, COUP)
    assert "Crisis called an attempted coup" in page.locator("h1").inner_text()
    retitle(running, "Crisis now called a coup attempt")
    heading_is(page, "Crisis now called a coup attempt")


def test_stylesheet_edit_applies_without_navigation(context, running):
    page = open_page(context, running, COUP)
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(10, 20, 30)"
    page.evaluate("window.__kept = 42")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    running.write("themes/default/static/style.css", "body { color: rgb(200, 0, 0); }\n")
    page.wait_for_function("() => getComputedStyle(document.body).color === 'rgb(200, 0, 0)'")
    assert page.evaluate("window.__kept") == 42, "the page was not reloaded"
    assert navigations == []
    links = page.eval_on_selector_all('link[rel="stylesheet"]:not([media="print"])', "ls => ls.map(l => l.getAttribute('href'))")
    assert len(links) == 1 and re.fullmatch(r"/static/style\.[0-9a-f]+\.css", links[0])


def test_broken_front_matter_overlay_then_fixed(context, running):
    page = open_page(context, running, COUP)
    good = (running.site / "content/2022/01/coup.md").read_text()
    broken = good.replace("tags:", "tags: [unclosed\nnext:", 1)
    running.write("content/2022/01/coup.md", broken)
    overlay = page.locator("#digest-error-overlay")
    overlay.wait_for()
    line = running.server.session.error.problems[0].line
    assert line and line > 1
    text = overlay.inner_text()
    assert f"content/2022/01/coup.md:{line}" in text
    running.write("content/2022/01/coup.md", good.replace("Crisis called an attempted coup", "Crisis, fixed"))
    overlay.wait_for(state="detached")
    heading_is(page, "Crisis, fixed")
    assert page.locator("#digest-error-overlay").count() == 0


def test_template_error_overlay_names_the_template(context, running):
    page = open_page(context, running, COUP)
    running.write("themes/default/templates/article.html", "{% extends 'base.html' %}\n{% block content %}\n{{ article.title( }}\n{% endblock %}\n")
    overlay = page.locator("#digest-error-overlay")
    overlay.wait_for()
    assert "templates/article.html:3" in overlay.inner_text()
    (running.site / "themes/default/templates/article.html").unlink()
    overlay.wait_for(state="detached")
    heading_is(page, "Crisis called an attempted coup")


def test_new_article_appears_on_the_home_page(context, running):
    page = open_page(context, running, "/")
    running.write("content/2022/02/new.md", article("A brand new story", "2022-02-01 10:00", "Fresh.", tags=["energy"]))
    page.wait_for_function("() => document.body.innerText.includes('A brand new story')")


def test_missing_page_turns_into_the_page_once_written(context, running):
    page = open_page(context, running, "/2022/02/01/later/")
    running.write("content/2022/02/later.md", article("Written later", "2022-02-01 10:00", "Now here."))
    heading_is(page, "Written later")


def test_scroll_position_survives_a_reload(context, running):
    page = open_page(context, running, COUP)
    page.evaluate("window.scrollTo(0, 1500)")
    page.wait_for_function("() => window.scrollY === 1500")
    page.evaluate("window.__before = true")
    retitle(running, "Crisis, scrolled")
    heading_is(page, "Crisis, scrolled")
    assert page.evaluate("window.__before") is None, "the page was reloaded"
    page.wait_for_function("() => Math.abs(window.scrollY - 1500) < 2")


def test_every_open_tab_reloads(context, running):
    article_tab = open_page(context, running, COUP)
    home_tab = open_page(context, running, "/")
    tag_tab = open_page(context, running, "/tags/kazakhstan/")
    retitle(running, "Crisis seen in every tab")
    heading_is(article_tab, "Crisis seen in every tab")
    for tab in (home_tab, tag_tab):
        tab.wait_for_function("() => document.body.innerText.includes('Crisis seen in every tab')")


def test_clean_pages_have_no_console_errors(context, running):
    page = context.new_page()
    errors: list[str] = []
    # the test site has no favicon.ico; the browser asks for one anyway
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and not msg.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(running.url.rstrip("/") + COUP)
    page.wait_for_function("() => window.__digestLiveReload === 'connected'")
    retitle(running, "Crisis, quietly")
    heading_is(page, "Crisis, quietly")
    assert errors == []

