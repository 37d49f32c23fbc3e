"""The dev server under load: 200 browser tabs (an event stream each, plus pages and assets) while files change.

No request may fail, no tab may be shown a stale page after the reload signal, and memory stays flat over
many rebuilds. ``DIGEST_LOAD_EDITS`` (default 8) and ``DIGEST_LOAD_REBUILDS`` (default 100; the measured
figure in benchmarks/RESULTS.md is 1000) make the long run.
"""

from __future__ import annotations

import gc
import http.client
import json
import os
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest

from conftest import article
from serving import Running, start_server

CLIENTS = 200
EDITS = int(os.environ.get("DIGEST_LOAD_EDITS", "8"))
REBUILDS = int(os.environ.get("DIGEST_LOAD_REBUILDS", "100"))
PAGE = "/2022/01/10/story/"
TITLE_RE = re.compile(r"<h1[^>]*>Version (\d+)</h1>")
EPOCH_RE = re.compile(r'data-epoch="([^"]+)"')

pytestmark = pytest.mark.slow


def files(version: int) -> dict[str, str]:
    body = "\n\n".join(f"Paragraph {n} of the story." for n in range(30))
    return {
        "content/2022/01/story.md": article(f"Version {version}", "2022-01-10 09:00", body, tags=["load"]),
        **{f"content/2022/01/other{i}.md": article(f"Other {i}", f"2022-01-{11 + i} 09:00", body, tags=["load"])
           for i in range(10)},
    }


@dataclass
class Observations:
    lock: threading.Lock = field(default_factory=threading.Lock)
    errors: list[str] = field(default_factory=list)
    seen: list[tuple[str, str, int]] = field(default_factory=list)  # (event epoch, page epoch, title version)
    requests: int = 0

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def tab(running: Running, obs: Observations, stop: threading.Event, assets: list[str]) -> None:
    """One open tab: an event stream; on every state, the page is fetched again as the script's reload does."""
    parts = urlsplit(running.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    try:
        events = http.client.HTTPConnection(host, port, timeout=60)
        events.request("GET", "/__digest__/events")
        stream = events.getresponse()
        if stream.status != 200:
            obs.error(f"event stream: {stream.status}")
            return
        pages = http.client.HTTPConnection(host, port, timeout=60)
        data: list[str] = []
        while not stop.is_set():
            line = stream.fp.readline()
            if not line:
                if not stop.is_set():
                    obs.error("event stream closed")
                return
            text = line.decode().rstrip("\n")
            if text.startswith("data: "):
                data.append(text[6:])
                continue
            if text or not data:
                continue
            epoch = json.loads("\n".join(data))["epoch"]
            data = []
            status, body = get(pages, PAGE)
            page = body.decode()
            title, page_epoch = TITLE_RE.search(page), EPOCH_RE.search(page)
            if status != 200 or title is None or page_epoch is None:
                obs.error(f"{PAGE}: {status}")
                continue
            for path in random.sample(assets, 2):  # what a reload loads besides the page
                if get(pages, path)[0] != 200:
                    obs.error(f"{path}: not 200")
            with obs.lock:
                obs.seen.append((epoch, page_epoch.group(1), int(title.group(1))))
                obs.requests += 3
    except (OSError, http.client.HTTPException) as exc:
        if not stop.is_set():
            obs.error(f"tab: {type(exc).__name__}: {exc}")


def browse(running: Running, obs: Observations, stop: threading.Event, paths: list[str]) -> None:
    """Steady traffic besides the reloads: pages, feeds and assets on a keep-alive connection."""
    parts = urlsplit(running.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=60)
    try:
        while not stop.is_set():
            path = random.choice(paths)
            status, _ = get(conn, path)
            if status != 200:
                obs.error(f"{path}: {status}")
            with obs.lock:
                obs.requests += 1
            time.sleep(0.005)
    except (OSError, http.client.HTTPException) as exc:
        if not stop.is_set():
            obs.error(f"browse: {type(exc).__name__}: {exc}")


def test_200_tabs_while_files_change_see_no_error_and_no_stale_page(make_site) -> None:
    site = make_site(files(0))
    running = start_server(site)
    stop = threading.Event()
    obs = Observations()
    try:
        home = running.get("/").text
        assets = sorted(set(re.findall(r'href="(/static/[^"]+)"', home))) + ["/__digest__/livereload.js",
                                                                            "/__digest__/livereload-worker.js"]
        paths = ["/", PAGE, "/tags/load/", "/2022/01/", "/feed.xml", "/sitemap.xml", *assets]
        threads = [threading.Thread(target=tab, args=(running, obs, stop, assets), daemon=True) for _ in range(CLIENTS)]
        threads += [threading.Thread(target=browse, args=(running, obs, stop, paths), daemon=True) for _ in range(20)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while running.server.httpd.hub.client_count < CLIENTS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert running.server.httpd.hub.client_count == CLIENTS
        epochs = {running.server.session.status().epoch: 0}  # epoch -> the version it shows
        for version in range(1, EDITS + 1):
            mark = running.log.mark()
            running.write("content/2022/01/story.md", files(version)["content/2022/01/story.md"])
            running.log.rebuilt(mark)
            epochs[running.server.session.status().epoch] = version
            time.sleep(0.3)
        # every tab has had the last reload signal and fetched the page after it
        last = max(epochs, key=epochs.__getitem__)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with obs.lock:
                done = sum(1 for event, _page, _v in obs.seen if event == last)
            if done >= CLIENTS:
                break
            time.sleep(0.1)
    finally:
        stop.set()
        running.server.stop()
    assert obs.errors == []
    assert done >= CLIENTS, f"only {done} of {CLIENTS} tabs saw the last version"
    order = {epoch: version for epoch, version in epochs.items()}
    for event, page_epoch, version in obs.seen:
        # the page shown after a signal is at least as new as the signal, and is what its epoch says
        assert page_epoch in order, f"a page at an unknown epoch {page_epoch}"
        assert order[page_epoch] == version, "a page whose content is not its epoch's"
        if event in order:
            assert order[page_epoch] >= order[event], "a stale page after the reload signal"
    print(f"\nload: {CLIENTS} tabs + 20 browsers, {EDITS} edits, {obs.requests} requests, 0 errors")


def test_memory_stays_flat_over_many_rebuilds(make_site) -> None:
    site = make_site(files(0))
    running = start_server(site, plan_delay=0.0)  # the rebuild's own work only, no wait for a browser
    process = psutil.Process()
    try:
        def rebuild(version: int) -> None:
            mark = running.log.mark()
            running.write("content/2022/01/story.md", files(version)["content/2022/01/story.md"])
            running.log.rebuilt(mark)
            running.get(PAGE)

        warm = max(20, REBUILDS // 10)
        for version in range(1, warm + 1):
            rebuild(version)
        gc.collect()
        start = process.memory_info().rss
        for version in range(warm + 1, REBUILDS + 1):
            rebuild(version)
        gc.collect()
        end = process.memory_info().rss
    finally:
        running.server.stop()
    growth = (end - start) / 2**20
    print(f"\nmemory: {REBUILDS} rebuilds, RSS {start / 2**20:.1f} -> {end / 2**20:.1f} MiB ({growth:+.1f} MiB)")
    assert growth < 8 + 0.01 * REBUILDS, f"RSS grew {growth:.1f} MiB over {REBUILDS - warm} rebuilds"
