"""One-click capture: the bookmarklet of `digest serve` on a news page from another origin, in headless chromium.

And the endpoint's checks over raw HTTP: no token, a wrong token, another Origin or Host,
or not JSON is refused and writes nothing.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import article
from digest.commands.importing import import_capture
from digest.server.capture import PAGE_PATH
from local_http import Route, serve_routes
from serving import Running, start_server

pytest.importorskip("trafilatura")

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
YNA = gzip.decompress((Path(__file__).parent / "data" / "capture" / "pages" / "yna_co_kr.html.gz").read_bytes())


@pytest.fixture
def news() -> Iterator[str]:
    with serve_routes({"/view/AEN20190820002300325": Route(body=YNA)}) as url:
        yield url + "/view/AEN20190820002300325"


@pytest.fixture
def running(make_site) -> Iterator[Running]:
    site = make_site({"content/old.md": article("Old", "2021-01-01", tags=["Rodong Sinmun"])},
                     config="title: Capture Digest\n")
    server = start_server(site, capture=lambda request: import_capture(site, request, now=NOW))
    yield server
    server.server.stop()


def drafts(site: Path) -> list[Path]:
    return [p for p in (site / "content").rglob("*.md") if p.name != "old.md"]


def token_of(running: Running) -> str:
    page = running.get(PAGE_PATH)
    assert page.status == 200
    match = re.search(r"t=&quot;([\w-]+)&quot;", page.text)
    assert match, page.text
    return match[1]


def post(running: Running, body: bytes, **headers: str) -> tuple[int, dict[str, str]]:
    parts = urlsplit(running.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    try:
        try:  # the receive page sends the token it was handed in the X-Digest-Token header too
            token = json.loads(body).get("token", "")
        except ValueError:
            token = ""
        sent = {"Content-Type": "application/json", "Origin": running.url.rstrip("/"), "X-Digest-Token": token,
                **headers}
        conn.request("POST", PAGE_PATH, body=body, headers={k.replace("_", "-"): v for k, v in sent.items()})
        response = conn.getresponse()
        data = response.read()
        # refusals before the capture endpoint (Host, Origin, token header) are plain text
        return response.status, json.loads(data) if response.getheader("Content-Type", "").startswith("application/json") else {}
    finally:
        conn.close()


def payload(token: str, **fields: str) -> bytes:
    return json.dumps({"token": token, "url": "https://en.yna.co.kr/view/AEN20190820002300325",
                       "title": "x", "selection": "", "html": YNA.decode("utf-8"), **fields}).encode()


def test_the_endpoint_refuses_anything_without_the_token_and_the_servers_origin(running):
    token = token_of(running)
    assert post(running, payload("wrong"))[0] == 403
    assert post(running, payload(token), Origin="https://evil.example")[0] == 403
    assert post(running, payload(token), Origin="null")[0] == 403
    assert post(running, payload(token), Host="evil.example:80")[0] == 403  # DNS rebinding
    assert post(running, payload(token), Content_Type="text/plain")[0] == 403  # a plain form post
    assert post(running, json.dumps({"url": "https://x"}).encode())[0] == 403
    assert post(running, b"not json")[0] == 403  # no token: refused before the body is read
    assert post(running, b"not json", X_Digest_Token=token)[0] == 400
    assert drafts(running.site) == []
    assert running.get(PAGE_PATH, method="GET").status == 200
    status, reply = post(running, payload(token))
    assert status == 200, reply
    assert reply["path"].startswith("content/2019/08/n-korea-slams-s-korea")
    assert len(drafts(running.site)) == 1
    text = (running.site / reply["path"]).read_text(encoding="utf-8")
    assert "draft: true" in text and "- Rodong Sinmun" in text


def test_a_captured_draft_opens_in_the_preview_without_drafts_on(running):
    status, reply = post(running, payload(token_of(running)))
    assert status == 200, reply
    assert reply["open"] == "/__digest__/capture/open?path=" + reply["path"].replace("/", "%2F")
    opened = running.get(reply["open"])
    assert opened.status == 303
    location = opened.headers["Location"]
    assert location.startswith("/2019/08/") and "n-korea-slams-s-korea" in location
    page = running.get(location)
    assert page.status == 200
    assert "N. Korea slams S. Korea for joint military drill" in page.text
    # only the captured draft is shown: another draft file stays out of the preview
    (running.site / "content" / "other.md").write_text(
        article("Other draft", "2021-02-01", draft=True), encoding="utf-8")
    running.server.session.rebuild([running.site / "content" / "other.md"])
    assert running.server.session.article_url("content/other.md", 0.5) is None
    assert running.server.session.article_url(reply["path"], 0.5) == location


def test_the_open_page_names_only_content_files(running):
    assert running.get("/__digest__/capture/open?path=..%2Fdigest.yaml").status == 404
    assert running.get("/__digest__/capture/open").status == 404


def test_the_token_differs_per_run(make_site):
    site = make_site({"content/old.md": article("Old", "2021-01-01")})
    tokens = []
    for _ in range(2):
        server = start_server(site, capture=lambda request: import_capture(site, request, now=NOW))
        try:
            tokens.append(token_of(server))
        finally:
            server.server.stop()
    assert tokens[0] != tokens[1] and len(tokens[0]) >= 40


@pytest.mark.browser
def test_the_bookmarklet_on_a_news_page_makes_a_draft(running, news):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            context = browser.new_context()
            page: Any = context.new_page()
            page.set_default_timeout(15_000)
            page.goto(running.url.rstrip("/") + PAGE_PATH)
            code = page.get_attribute("#bookmarklet", "href")
            assert code.startswith("javascript:")
            page.goto(news)  # another origin: the news site
            with page.expect_popup() as popup_info:
                page.evaluate(code.removeprefix("javascript:"))  # what clicking the bookmark runs
            popup = popup_info.value
            # the capture window says it saved the draft, then shows the draft's page in the preview
            popup.wait_for_url(re.compile(r".*/2019/08/.*n-korea-slams-s-korea.*"))
            popup.wait_for_load_state()
            opened, heading = popup.url, popup.inner_text("h1")
        finally:
            browser.close()
    assert opened.startswith(running.url) and "__digest__" not in opened
    assert heading.startswith("N. Korea slams S. Korea for joint military drill, warns of consequences")
    assert heading.endswith("DRAFT")  # the theme marks a draft as one
    [path] = drafts(running.site)
    text = path.read_text(encoding="utf-8")
    assert "title: N. Korea slams S. Korea for joint military drill, warns of consequences" in text
    assert f"url: {news}" in text  # the page's own URL, as the browser had it
    assert "North Korea's official newspaper" in text
