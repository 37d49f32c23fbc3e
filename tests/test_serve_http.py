"""The dev server over real HTTP: routes, headers, safety, live-reload events, rebuilds on change."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import REPO, article
from digest.server.app import Rebuilt
from digest.server.http import parse_target, BadRequest
from digest.server.livereload import inject
from digest.server.session import SessionOptions, SiteSession
from digest.server.status import Status
from digest.server.watch import ChangeBatcher, is_editor_dropping
from serving import TIMEOUT, Running, start_server, stream_events

SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"
SNIPPET_RE = re.compile(rb'(<div id="digest-error-overlay".*?</div>)?<script src="/__digest__/livereload\.js"[^>]*></script>')

FILES = {
    "content/2022/01/coup.md": article(
        "Crisis called an attempted coup", "2022-01-10 09:39", "Unrest.\n\n![chart](chart.png)",
        tags=["Kazakhstan", "CSTO"], source={"name": "RT", "url": "https://example.com/a"},
    ),
    "content/2022/01/chart.png": b"\x89PNG\r\n\x1a\nfake",
    "content/2022/01/airport.md": article("Almaty airport reopens", "2022-01-10 12:00", "Flights.", tags=["aviation"]),
    "content/2022/01/oil.md": article("Oil output steady", "2022-01-11 08:00", "Output held.", tags=["energy"]),
    "content/2021/12/old.md": article("Year-end review", "2021-12-30", "A look back.", tags=["review"]),
    "content/files/data.json": '{"a": 1}\n',
    "content/files/app.webmanifest": '{"name": "x"}\n',
    "content/files/font.woff2": b"wOF2fake",
    "content/files/list.xml": "<list/>\n",
}
CONFIG = """
title: Test Digest
base_url: https://news.example.org/
timezone: Asia/Almaty
per_page: 3
"""


@pytest.fixture
def running(make_site):
    site = make_site(FILES, config=CONFIG)
    server = start_server(site)
    yield server
    server.server.stop()


def served_page(body: bytes) -> bytes:
    """A served page without what the server adds to it."""
    return SNIPPET_RE.sub(b"", body)


# -- routes and headers ------------------------------------------------------------------------

def test_pages_assets_types_and_no_store(running: Running):
    expected = {
        "/": "text/html; charset=utf-8",
        "/2022/01/10/coup/": "text/html; charset=utf-8",
        "/2022/01/10/coup/chart.png": "image/png",
        "/files/data.json": "application/json; charset=utf-8",
        "/files/app.webmanifest": "application/manifest+json; charset=utf-8",
        "/files/font.woff2": "font/woff2",
        "/files/list.xml": "application/xml; charset=utf-8",
    }
    css = re.search(r'href="(/static/style\.[0-9a-f]+\.css)"', running.get("/").text)
    assert css, "the default theme links a fingerprinted stylesheet"
    expected[css.group(1)] = "text/css; charset=utf-8"
    for target, kind in expected.items():
        reply = running.get(target)
        assert reply.status == 200, target
        assert reply.headers["Content-Type"] == kind, target
        assert reply.headers["Cache-Control"] == "no-store", target
        assert int(reply.headers["Content-Length"]) == len(reply.body)
    assert running.get("/2022/01/10/coup/chart.png").body == FILES["content/2022/01/chart.png"]
    assert not (running.site / "output").exists(), "serve never writes the output folder"


def test_folder_index_redirect_and_head(running: Running):
    index = running.get("/tags/")
    assert index.status == 200 and "Kazakhstan" in index.text
    assert served_page(running.get("/tags/index.html").body) == served_page(index.body)
    moved = running.get("/tags?x=1")
    assert moved.status == 301 and moved.headers["Location"] == "/tags/?x=1"
    assert moved.headers["Cache-Control"] == "no-store"
    head = running.get("/tags/", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert int(head.headers["Content-Length"]) == len(index.body)


def test_missing_page_is_the_sites_404_page(running: Running):
    reply = running.get("/no/such/page/")
    assert reply.status == 404
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    own = running.get("/404.html")
    assert own.status == 200
    assert served_page(reply.body) == served_page(own.body)
    assert b"/__digest__/livereload.js" in reply.body, "a 404 page reloads when the page appears"


@pytest.mark.parametrize(
    "target",
    [
        "/../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "//etc/passwd",
        "/%2F..%2F..%2Fetc%2Fpasswd",
        "/files/..%2f..%2fdigest.yaml",
        "/..%5c..%5cetc%5cpasswd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/./digest.yaml",
        "/digest.yaml",
        "/.digest-cache/cache.sqlite",
        "/2022/01/coup.md",
        "/files/%00data.json",
        "/%c0%ae%c0%ae/etc/passwd",
        "/leak.txt",
        "/linked/secret.txt",
        "http://evil.example/../../etc/passwd",
    ],
)
def test_paths_outside_the_site_are_refused(make_site, target: str, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET)
    site = make_site(FILES, config=CONFIG + f"extra:\n  note: {SECRET[:3]}\n")
    (site / "content" / "leak.txt").symlink_to(outside / "secret.txt")
    (site / "content" / "linked").symlink_to(outside, target_is_directory=True)
    running = start_server(site)
    try:
        reply = running.get(target)
        # 403: an absolute target names another host (http.client sends it as Host too)
        assert reply.status in ((403,) if target.startswith("http") else (400, 404)), (target, reply.status)
        assert SECRET.encode() not in reply.body
        assert b"root:" not in reply.body
        assert b"base_url" not in reply.body
    finally:
        running.server.stop()


def test_parse_target_rejects_traversal():
    assert parse_target("/a/b/?q=1") == ("/a/b/", "q=1")
    assert parse_target("/caf%C3%A9/") == ("/café/", "")
    for bad in ("/../x", "/a/%2e%2e/x", "/a/%2E/x", "a/b", "/a%5cb", "/a%00", "/%ff"):
        with pytest.raises(BadRequest):
            parse_target(bad)


# -- the live-reload snippet -------------------------------------------------------------------

def test_snippet_only_in_served_html_never_in_a_build(running: Running, run_build):
    page = running.get("/2022/01/10/coup/")
    assert page.text.count("/__digest__/livereload.js") == 1
    assert page.text.index("/__digest__/livereload.js") < page.text.rindex("</body>")
    assert running.get("/__digest__/livereload.js").headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert running.get("/__digest__/livereload-worker.js").status == 200
    assert b"__digest__" not in running.get("/files/data.json").body
    run_build(running.site, now=datetime.now(timezone.utc))
    for path in (running.site / "output").rglob("*"):
        if path.is_file():
            assert b"__digest__" not in path.read_bytes(), path


def test_content_types():
    from digest.server.mime import content_type

    assert content_type(".html") == content_type("a/b.HTML") == "text/html; charset=utf-8"
    assert content_type("feed.xml") == "application/xml; charset=utf-8"
    assert content_type("atom.json") == "application/json; charset=utf-8"
    assert content_type("x.webmanifest") == "application/manifest+json; charset=utf-8"
    assert content_type("f.woff2") == "font/woff2"
    assert content_type("noext") == "application/octet-stream"


def test_inject_without_body_tag_appends():
    status = Status("x.1")
    assert inject(b"<p>hi</p>", status).startswith(b"<p>hi</p><script ")
    assert inject(b"<body>a</BODY>", status).endswith(b"</script></BODY>")


# -- rebuilding on change ----------------------------------------------------------------------

def test_event_stream_announces_a_rebuild(running: Running):
    stream = stream_events(running)
    first = json.loads(next(stream))
    assert first["error"] is None
    running.write("content/2022/01/oil.md", article("Oil output rises", "2022-01-11 08:00", "Up.", tags=["energy"]))
    second = json.loads(next(stream))
    assert second["epoch"] != first["epoch"]
    assert second["error"] is None


def test_edit_reparses_one_file_and_updates_every_page_that_shows_it(running: Running):
    pages = ["/2022/01/10/coup/", "/tags/kazakhstan/", "/2022/01/10/", "/", "/2022/01/10/airport/"]
    for page in pages:  # warm the rendered-page cache: stale entries must not be served
        assert "Crisis called an attempted coup" in running.get(page).text, page
    mark = running.log.mark()
    running.write(
        "content/2022/01/coup.md",
        article("Crisis now called a coup attempt", "2022-01-10 09:39", "Unrest.\n\n![chart](chart.png)",
                tags=["Kazakhstan", "CSTO"], source={"name": "RT", "url": "https://example.com/a"}),
    )
    report = running.log.rebuilt(mark).report
    assert report.reparsed == 1 and report.read == 1
    for page in pages:
        text = running.get(page).text
        assert "Crisis now called a coup attempt" in text, page
        assert "Crisis called an attempted coup" not in text, page


def test_deleted_article_is_404_and_new_article_reaches_home(running: Running):
    mark = running.log.mark()
    (running.site / "content/2022/01/airport.md").unlink()
    running.log.rebuilt(mark)
    assert running.get("/2022/01/10/airport/").status == 404
    assert "Almaty airport reopens" not in running.get("/tags/").text + running.get("/").text
    mark = running.log.mark()
    running.write("content/2022/02/new.md", article("Brand new story", "2022-02-01 10:00", "Fresh.", tags=["energy"]))
    report = running.log.rebuilt(mark).report
    assert report.reparsed == 1
    assert "Brand new story" in running.get("/").text
    assert running.get("/2022/02/01/new/").status == 200


def test_broken_front_matter_shows_file_and_line_until_fixed(running: Running):
    good = (running.site / "content/2022/01/oil.md").read_text()
    mark = running.log.mark()
    running.write("content/2022/01/oil.md", good.replace("tags:", "tags: [unclosed\nnext:", 1))
    error = running.log.error(mark).error
    assert error.problems[0].path == "content/2022/01/oil.md"
    line = error.problems[0].line
    assert line is not None and line > 1
    where = f"content/2022/01/oil.md:{line}"
    assert where in error.text
    for page in ("/", "/2022/01/11/oil/", "/no/such/page/"):
        text = running.get(page).text
        assert 'id="digest-error-overlay"' in text, page
        assert where in text, page
    state = json.loads(next(stream_events(running)))
    assert state["error"]["problems"][0] == {"path": "content/2022/01/oil.md", "line": line,
                                             "message": error.problems[0].message}
    mark = running.log.mark()
    running.write("content/2022/01/oil.md", good)
    running.log.cleared(mark)
    page = running.get("/2022/01/11/oil/")
    assert page.status == 200 and "digest-error-overlay" not in page.text
    assert "Oil output steady" in page.text


def test_template_error_shows_template_file_and_line(running: Running):
    mark = running.log.mark()
    running.write("themes/default/templates/404.html", "{% extends 'base.html' %}\n{% block content %}\n{{ page.nope( }}\n{% endblock %}\n")
    error = running.log.error(mark).error
    assert error.problems[0].path.endswith("themes/default/templates/404.html")
    assert error.problems[0].line == 3
    text = running.get("/").text
    assert "templates/404.html:3" in text
    broken = running.get("/no/such/page/")
    assert broken.status == 500 and broken.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "templates/404.html:3" in broken.text
    mark = running.log.mark()
    (running.site / "themes/default/templates/404.html").unlink()
    running.log.cleared(mark)
    assert running.get("/nope/").status == 404


def test_config_change_rebuilds_everything(running: Running):
    mark = running.log.mark()
    running.write("digest.yaml", CONFIG.replace("Test Digest", "Renamed Digest"))
    running.log.rebuilt(mark)
    assert "Renamed Digest" in running.get("/2022/01/11/oil/").text
    mark = running.log.mark()
    running.write("digest.yaml", CONFIG + "per_pag: 3\n")
    assert "did you mean 'per_page'" in running.log.error(mark).error.text
    mark = running.log.mark()
    running.write("content/2022/01/oil.md", article("Oil output rises", "2022-01-11 08:00", "Up.", tags=["energy"]))
    running.log.wait(mark, lambda e: isinstance(e, Rebuilt))
    assert running.server.session.error is not None, "a broken config stays broken until it is fixed"
    mark = running.log.mark()
    running.write("digest.yaml", CONFIG)
    running.log.cleared(mark)
    assert "Oil output rises" in running.get("/").text


def test_stylesheet_change_is_announced_as_a_swap(running: Running):
    mark = running.log.mark()
    running.write("themes/default/static/style.css", "body { color: rgb(0, 0, 0); }\n")  # the site's own theme appears
    running.log.rebuilt(mark)
    old_css = re.search(r'href="(/static/style\.[0-9a-f]+\.css)"', running.get("/").text).group(1)
    stream = stream_events(running)
    before = json.loads(next(stream))
    running.write("themes/default/static/style.css", "body { color: rgb(1, 2, 3); }\n")
    state = json.loads(next(stream))
    assert state["css"]["since"] == before["epoch"]
    new_css = state["css"]["hrefs"][old_css]
    assert new_css != old_css
    assert running.get(new_css).text == "body { color: rgb(1, 2, 3); }\n"
    assert new_css in running.get("/").text


def test_editor_save_styles_are_all_seen(running: Running):
    path = running.site / "content/2022/01/oil.md"
    # vim: write a probe file, move the original to a backup, write anew, drop the backup
    mark = running.log.mark()
    (path.parent / "4913").write_text("")
    (path.parent / "4913").unlink()
    path.rename(path.parent / "oil.md~")
    path.write_text(article("Oil by vim", "2022-01-11 08:00", "Up.", tags=["energy"]))
    (path.parent / "oil.md~").unlink()
    running.log.rebuilt(mark)
    assert "Oil by vim" in running.get("/2022/01/11/oil/").text
    # atomic save: a temp file renamed over the original
    mark = running.log.mark()
    tmp = path.parent / ".oil.md.tmp123"
    tmp.write_text(article("Oil by rename", "2022-01-11 08:00", "Up.", tags=["energy"]))
    os.replace(tmp, path)
    running.log.rebuilt(mark)
    assert "Oil by rename" in running.get("/2022/01/11/oil/").text
    # delete and recreate
    mark = running.log.mark()
    path.unlink()
    path.write_text(article("Oil recreated", "2022-01-11 08:00", "Up.", tags=["energy"]))
    running.log.wait(mark, lambda e: isinstance(e, Rebuilt) and "Oil recreated" in running.get("/2022/01/11/oil/").text)


def test_saves_during_a_rebuild_are_not_lost(running: Running):
    """Many quick saves: whatever the batching, the last one is what the site shows."""
    for n in range(8):
        running.write("content/2022/01/oil.md", article(f"Oil take {n}", "2022-01-11 08:00", "Up.", tags=["energy"]))
        time.sleep(0.03)
    mark = 0
    running.log.wait(mark, lambda e: isinstance(e, Rebuilt) and "Oil take 7" in running.get("/2022/01/11/oil/").text)


def test_event_streams_survive_clients_that_vanish(running: Running):
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(running.url)
    hub = running.server.httpd.hub
    for _ in range(20):
        sock = socket.create_connection((parts.hostname, parts.port))
        sock.sendall(f"GET /__digest__/events HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
        sock.recv(100)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST on close
        sock.close()
    mark = running.log.mark()
    running.write("content/2022/01/oil.md", article("Oil after the crowd", "2022-01-11 08:00", "Up.", tags=["energy"]))
    running.log.rebuilt(mark)
    deadline = time.monotonic() + TIMEOUT
    while hub.client_count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hub.client_count == 0
    assert running.get("/").status == 200


def test_polling_watcher_sees_saves(make_site):
    running = start_server(make_site(FILES, config=CONFIG), poll=True)
    try:
        mark = running.log.mark()
        running.write("content/2022/01/oil.md", article("Oil, polled", "2022-01-11 08:00", "Up.", tags=["energy"]))
        assert running.log.rebuilt(mark).report.reparsed == 1
        assert "Oil, polled" in running.get("/2022/01/11/oil/").text
    finally:
        running.server.stop()


def test_idle_event_stream_gets_heartbeats(make_site):
    running = start_server(make_site(FILES, config=CONFIG), heartbeat=0.05)
    try:
        from urllib.parse import urlsplit
        import http.client

        parts = urlsplit(running.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT)
        conn.request("GET", "/__digest__/events")
        response = conn.getresponse()
        lines = [response.fp.readline() for _ in range(8)]
        assert b": ping\n" in lines
        conn.close()
    finally:
        running.server.stop()


def test_site_under_a_sub_path(make_site):
    config = CONFIG.replace("https://news.example.org/", "https://news.example.org/digest/")
    site = make_site(FILES, config=config)
    running = start_server(site)
    try:
        assert running.server.site_url == running.url + "digest/"
        root = running.get("/")
        assert root.status == 301 and root.headers["Location"] == "/digest/"
        assert running.get("/digest").headers["Location"] == "/digest/"
        home = running.get("/digest/")
        assert home.status == 200 and 'href="/digest/2022/01/11/oil/"' in home.text
        assert f'href="{running.url}digest/"' in home.text  # canonical links point at this server
        css = re.search(r'href="(/digest/static/style\.[0-9a-f]+\.css)"', home.text).group(1)
        assert running.get(css).status == 200
        assert running.get("/2022/01/11/oil/").status == 404
        assert running.get("/digest/2022/01/11/oil/").status == 200
    finally:
        running.server.stop()


# -- the session on its own --------------------------------------------------------------------

def test_requests_wait_while_a_rebuild_runs(make_site):
    site = make_site(FILES, config=CONFIG)
    gate = threading.Event()
    entered = threading.Event()

    def clock() -> datetime:
        entered.set()
        assert gate.wait(TIMEOUT)
        return datetime.now(timezone.utc)

    gate.set()
    session = SiteSession(SessionOptions(site_dir=site, clock=clock))
    session.rebuild()
    gate.clear()
    entered.clear()
    (site / "content/2022/01/oil.md").write_text(article("Oil mid-build", "2022-01-11 08:00", "Up."))
    builder = threading.Thread(target=session.rebuild, args=([site / "content/2022/01/oil.md"],))
    builder.start()
    assert entered.wait(TIMEOUT)
    answers: list[bytes] = []
    reader = threading.Thread(target=lambda: answers.append(session.lookup("/2022/01/11/oil/").body))
    reader.start()
    reader.join(0.3)
    assert reader.is_alive(), "a request during a rebuild waits for it"
    gate.set()
    builder.join(TIMEOUT)
    reader.join(TIMEOUT)
    assert b"Oil mid-build" in answers[0]


def test_served_pages_equal_a_cold_build_after_edits(make_site, run_build):
    site = make_site(FILES, config=CONFIG)
    now = datetime.now(timezone.utc)
    session = SiteSession(SessionOptions(site_dir=site, base_url="http://127.0.0.1:9/", clock=lambda: now))
    session.rebuild()
    edits = {
        "content/2022/01/coup.md": article("Coup, retitled", "2022-01-10 09:39", "Unrest.\n\n![chart](chart.png)",
                                          tags=["Kazakhstan", "energy"]),
        "content/2022/02/new.md": article("New in February", "2022-02-02", "New.", tags=["aviation"]),
    }
    for rel, text in edits.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    (site / "content/2021/12/old.md").unlink()
    session.rebuild([site / rel for rel in edits] + [site / "content/2021/12/old.md"])
    run_build(site, now=now, base_url="http://127.0.0.1:9/", use_cache=False)
    out = site / "output"
    built = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    state = session.settle(TIMEOUT)
    assert state is not None and state.complete and state.jobs is not None
    served = set(state.jobs) | set(state.files)
    assert built == served
    for rel in sorted(built):
        url = "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        response = session.lookup(url)
        assert response.status == 200, url
        assert response.body == (out / rel).read_bytes(), rel


def test_moved_folder_is_rescanned_whole(make_site, run_build):
    site = make_site(FILES, config=CONFIG)
    now = datetime.now(timezone.utc)
    session = SiteSession(SessionOptions(site_dir=site, base_url="http://127.0.0.1:9/", clock=lambda: now))
    session.rebuild()
    (site / "content/2022/01").rename(site / "content/2022/january")
    report = session.rebuild([site / "content/2022/01", site / "content/2022/january"])
    assert report.ok and report.read == 3  # the three articles now have other paths, so other keys
    run_build(site, now=now, base_url="http://127.0.0.1:9/", use_cache=False)
    assert session.lookup("/2022/01/10/coup/").body == (site / "output/2022/01/10/coup/index.html").read_bytes()
    assert session.lookup("/2022/01/10/coup/chart.png").status == 200


def test_idle_check_finds_what_the_watcher_missed(make_site):
    site = make_site(FILES, config=CONFIG)
    session = SiteSession(SessionOptions(site_dir=site))
    session.rebuild()
    assert session.stale_paths() == set()
    oil = site / "content/2022/01/oil.md"
    oil.write_text(article("Oil, unannounced", "2022-01-11 08:00", "Up."))
    (site / "content/2022/01/extra.md").write_text(article("Extra", "2022-01-12", "New."))
    (site / "content/2021/12/old.md").unlink()
    missed = session.stale_paths()
    assert missed == {str(oil), str(site / "content/2022/01/extra.md"), str(site / "content/2021/12/old.md")}
    assert session.stale_paths(cancelled=lambda: True) is None
    session.rebuild(missed)
    assert b"Oil, unannounced" in session.lookup("/2022/01/11/oil/").body
    assert session.lookup("/2022/01/12/extra/").status == 200
    assert session.lookup("/2021/12/30/old/").status == 404
    assert session.stale_paths() == set()


def test_article_pages_are_served_before_the_plan_and_list_pages_hurry_it(make_site):
    site = make_site(FILES, config=CONFIG)
    epochs: list[str] = []
    session = SiteSession(SessionOptions(site_dir=site, plan_delay=30.0), on_status=lambda s: epochs.append(s.epoch))
    session.rebuild()
    (site / "content/2022/01/oil.md").write_text(article("Oil, early", "2022-01-11 08:00", "Up.", tags=["energy"]))
    builder = threading.Thread(target=session.rebuild, args=([site / "content/2022/01/oil.md"],))
    started = time.monotonic()
    builder.start()
    deadline = time.monotonic() + TIMEOUT
    while len(epochs) < 2 and time.monotonic() < deadline:  # the new model is published before the plan
        time.sleep(0.01)
    assert session.state is not None and session.state.jobs is None, "still planning"
    assert b"Oil, early" in session.lookup("/2022/01/11/oil/").body
    assert b"Oil, early" in session.lookup("/").body  # waits for the plan, and asks for it now
    builder.join(TIMEOUT)
    assert time.monotonic() - started < 10, "a waiting request cuts the planning delay short"
    assert session.state.jobs is not None


def test_feeds_search_and_sitemap_arrive_after_the_pages(make_site):
    site = make_site({**FILES, "themes/default/static/extra.css": "p { margin: 0 }\n"}, config=CONFIG)
    session = SiteSession(SessionOptions(site_dir=site))
    session.rebuild()
    for _ in range(3):  # a content change, then a stylesheet change that keeps the site: the plan still completes
        (site / "content/2022/01/oil.md").write_text(article("Oil again", "2022-01-11 08:00", "Up.", tags=["energy"]))
        session.rebuild([site / "content/2022/01/oil.md"])
        (site / "themes/default/static/extra.css").write_text("p { margin: 1px }\n")
        session.rebuild([site / "themes/default/static/extra.css"])
    state = session.settle(TIMEOUT)
    assert state is not None and state.complete
    for url in ("/feed.xml", "/sitemap.xml", "/robots.txt", "/search/", "/tags/energy/feed.xml"):
        assert session.lookup(url).status == 200, url
    assert b"Oil again" in session.lookup("/feed.xml").body
    assert session.lookup("/no/such/file.xml").status == 404
    session.close()


def test_content_walk_skips_what_the_build_skips(tmp_path: Path):
    from digest.sources.load import walk_content
    from digest.sources.scan import _walk

    content = tmp_path / "content"
    for rel in ["a.md", "b/c.md", "b/.hidden.md", "b/c.md~", ".git/x.md", "b/d/e.png", "z.txt"]:
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text("x")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "f.md").write_text("x")
    (content / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    expected = [(rel, str(path)) for rel, path, _ in walk_content(content)]
    assert [(rel, entry.path) for rel, entry in _walk(str(content))] == expected
    assert [rel for rel, _ in expected] == ["a.md", "z.txt", "b/c.md", "b/d/e.png"]


# -- watching ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "name, dropping",
    [(".oil.md.swp", True), ("4913", True), ("oil.md~", True), (".#oil.md", True), ("#oil.md#", True),
     ("oil.md___jb_tmp___", True), ("sedAb12Cd", True), (".goutputstream-XYZ", True), ("oil.md.tmp", True),
     ("oil.md", False), ("chart.png", False), ("style.css", False), ("digest.yaml", False)],
)
def test_editor_droppings(name: str, dropping: bool):
    assert is_editor_dropping(name) is dropping


def test_batcher_debounces_and_keeps_what_comes_during_a_rebuild():
    batcher = ChangeBatcher(quiet=0.05)
    batcher.add(["a"])
    batcher.add(["a", "b"])
    started = time.monotonic()
    assert batcher.wait() == {"a", "b"}
    assert time.monotonic() - started >= 0.04
    batcher.add(["c"])  # arrived while the caller was rebuilding
    assert batcher.wait() == {"c"}
    batcher.close()
    assert batcher.wait() is None


# -- the command line --------------------------------------------------------------------------

def test_cli_port_zero_prints_url_and_ctrl_c_stops_cleanly(make_site):
    site = make_site(FILES, config=CONFIG)
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "serve", "--site", str(site), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        url = None
        for _ in range(5):
            line = proc.stdout.readline()
            match = re.search(r"serving (http://127\.0\.0\.1:(\d+)/)", line)
            if match:
                url = match.group(1)
                break
        assert url and not url.endswith(":0/"), "the real port is printed"
        import urllib.request

        with urllib.request.urlopen(url) as reply:
            assert reply.status == 200
        events = urllib.request.urlopen(url + "__digest__/events")  # an open stream must not hold up the exit
        events.readline()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in err and "Traceback" not in out
    assert "stopped" in out
    assert not (site / "output").exists()


def test_the_session_moves_through_its_phases_and_refuses_other_moves(make_site):
    from digest.server.session import Phase

    site = make_site(FILES, config=CONFIG)
    session = SiteSession(SessionOptions(site_dir=site, fork_extras=False))
    seen: list[Phase] = []
    original = session._enter

    def spy(phase: Phase) -> None:
        seen.append(phase)
        original(phase)

    session._enter = spy  # type: ignore[method-assign]
    assert session.phase is Phase.IDLE
    assert session.rebuild().ok
    assert seen == [Phase.BUILDING, Phase.PLANNING, Phase.PLANNED, Phase.READY]
    assert session.settle(TIMEOUT) is not None and session.phase is Phase.READY
    seen.clear()
    (site / "digest.yaml").write_text("title: [broken\n")
    assert not session.rebuild([site / "digest.yaml"]).ok
    assert seen == [Phase.BUILDING, Phase.FAILED]
    assert session.lookup("/2022/01/10/coup/").status == 200  # the last good site is still served
    with session._cond, pytest.raises(AssertionError, match="no move from FAILED to PLANNED"):
        original(Phase.PLANNED)
    session.close()


def test_a_kept_page_is_rendered_again_only_when_what_it_read_changed(make_site, monkeypatch):
    """The preview keeps rendered pages by the fingerprint a build uses: the page's own inputs, its
    templates and the ``site`` fields its last render read. A page of a theme that prints the article
    count follows a new article; an article page of the default theme does not."""
    import digest.server.session as session_module

    site = make_site({
        "content/a.md": article("Alpha", "2022-01-10", "Alpha body.", summary="A."),
        "content/b.md": article("Beta", "2022-01-11", "Beta body.", summary="B."),
        "themes/counting/templates/404.html": "{% extends 'base.html' %}{% block content %}"
                                              "<p>{{ site.article_count }} articles</p>{% endblock %}",
    }, config="title: T\ntheme: counting\n")
    rendered: list[str] = []
    real = session_module.render_job

    def counting(job, renderer):  # noqa: ANN001, ANN202
        rendered.append(job.path)
        return real(job, renderer)

    monkeypatch.setattr(session_module, "render_job", counting)
    session = SiteSession(SessionOptions(site_dir=site, fork_extras=False))
    try:
        assert session.rebuild().ok and session.settle(TIMEOUT) is not None
        assert session.lookup("/2022/01/10/a/").status == session.lookup("/2022/01/11/b/").status == 200
        assert b"2 articles" in session.lookup("/404.html").body
        rendered.clear()
        (site / "content/b.md").write_text(article("Beta", "2022-01-11", "Beta body, edited.", summary="B."))
        assert session.rebuild([site / "content/b.md"]).ok and session.settle(TIMEOUT) is not None
        assert session.lookup("/2022/01/10/a/").status == 200 and b"2 articles" in session.lookup("/404.html").body
        assert rendered == []  # neither page shows Beta's body (Alpha's shows its card: the same)
        assert b"Beta body, edited." in session.lookup("/2022/01/11/b/").body
        rendered.clear()
        (site / "content/c.md").write_text(article("Gamma", "2022-01-12", "Gamma body."))
        assert session.rebuild([site / "content/c.md"]).ok and session.settle(TIMEOUT) is not None
        assert b"3 articles" in session.lookup("/404.html").body
        assert b"Alpha body." in session.lookup("/2022/01/10/a/").body
        assert b"Gamma" in session.lookup("/2022/01/11/b/").body  # its newer neighbour now
        assert rendered == ["404.html", "2022/01/11/b/index.html"]
    finally:
        session.close()
