"""Save-to-visible latency of ``digest serve``: edit one article, time until the open page shows it.

Usage::

    python -m benchmarks.latency --articles 1000 10000 [--edits 10] [--corpus-cmd CMD]

For each size, a corpus is generated once into ``benchmarks/work/latency-N/`` (by
``python3 /work/shared/tools/gen_corpus.py OUTDIR --count N`` unless ``--corpus-cmd``
says otherwise; ``{out}`` and ``{count}`` are filled in), ``digest serve`` runs on it
as its own process, and Debian's chromium (through playwright) opens one article page.
Each edit rewrites that article's title; the latency is from just before the write to
the first animation frame in which the page's heading shows the new title, both taken
from the same wall clock (the frame is noted by a script in the page itself, so the
time playwright takes to notice is not counted). Also printed: when the reload started
and when its HTML had arrived (medians, from the write), and the server's own rebuild
time, which includes planning every page after the article page was already served.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from digest.config import load_config
from digest.sources.frontmatter import parse_article
from digest.rules.urls import expand

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work"
DEFAULT_CORPUS_CMD = "python3 /work/shared/tools/gen_corpus.py {out} --count {count}"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# Runs in every document the page loads: notes the first animation frame whose heading shows the
# title the benchmark is waiting for, and when the navigation to this document started.
PROBE = """
(() => {
  const want = sessionStorage.getItem("latency:want");
  if (!want || sessionStorage.getItem("latency:seen")) return;
  const check = () => {
    const h = document.querySelector("h1");
    if (h && h.textContent.includes(want)) {
      const nav = performance.getEntriesByType("navigation")[0];
      sessionStorage.setItem("latency:seen", JSON.stringify({
        seen: Date.now(), start: performance.timeOrigin, html: performance.timeOrigin + (nav ? nav.responseEnd : 0)}));
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
"""


@dataclass
class Result:
    articles: int
    edits: int
    median_ms: float
    min_ms: float
    max_ms: float
    reload_median_ms: float  # write -> the browser starts reloading
    html_median_ms: float  # write -> the new page's HTML has arrived
    rebuild_median_ms: float
    startup_s: float
    samples_ms: list[float]


def make_corpus(count: int, command: str) -> Path:
    out = WORK / f"latency-{count}"
    stamp = out / ".latency-corpus"
    if stamp.exists() and stamp.read_text() == f"{command}\n{count}\n":
        return out
    if out.exists():
        import shutil

        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    args = [part.format(out=str(out), count=count) for part in shlex.split(command)]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    stamp.write_text(f"{command}\n{count}\n")
    return out


def pick_article(site: Path) -> tuple[Path, str]:
    """An article from the middle of the corpus (by path), and its URL path."""
    config = load_config(site)
    content = site / config.content_dir
    files = sorted(content.rglob("*.md"))
    path = files[len(files) // 2]
    rel = path.relative_to(content).as_posix()
    parsed = parse_article(f"{config.content_dir}/{rel}", rel, path.read_text(encoding="utf-8"), config.tz)
    local = parsed.date.astimezone(config.tz)
    url = expand(config.permalinks.article, year=f"{local.year:04d}", month=f"{local.month:02d}",
                 day=f"{local.day:02d}", slug=parsed.slug)
    return path, url


class Server:
    """``digest serve`` as its own process; collects the rebuild times it prints."""

    def __init__(self, site: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "digest", "serve", "--site", str(site), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.rebuilds: list[float] = []
        self.url = ""
        ready = threading.Event()
        assert self.proc.stdout is not None
        stdout = self.proc.stdout

        def read() -> None:
            for line in stdout:
                match = re.search(r"serving (http://\S+)", line)
                if match:
                    self.url = match.group(1)
                    ready.set()
                match = re.search(r"rebuilt in (\d+) ms", line)
                if match:
                    self.rebuilds.append(float(match.group(1)))
                if "rebuilt" not in line and "serving" not in line:
                    sys.stderr.write(f"  server: {line}")
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        ready.wait(3600)
        if not self.url:
            raise SystemExit("digest serve did not start")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def set_title(path: Path, original: str, title: str) -> None:
    text, count = re.subn(r"(?m)^title:.*$", lambda m: f"title: '{title}'", original, count=1)
    assert count == 1, path
    path.write_text(text, encoding="utf-8")


def measure(count: int, edits: int, corpus_cmd: str, settle: float) -> Result:
    from playwright.sync_api import sync_playwright

    site = make_corpus(count, corpus_cmd)
    article, url_path = pick_article(site)
    original = article.read_text(encoding="utf-8")
    started = time.perf_counter()
    server = Server(site)
    startup = time.perf_counter() - started
    samples: list[float] = []
    reloads: list[float] = []
    htmls: list[float] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            # the preview's CSP (script-src 'self') forbids the string evaluation playwright's
            # wait_for_function uses; the page's own scripts load and run the same either way
            page = browser.new_page(bypass_csp=True)
            page.set_default_timeout(60_000)
            page.add_init_script(PROBE)
            page.goto(server.url.rstrip("/") + url_path)
            page.wait_for_function("window.__digestLiveReload === 'connected'")
            for n in range(edits + 2):  # the first two warm up the server and the browser
                title = f"Latency probe {count}-{n}"
                page.evaluate("t => { sessionStorage.removeItem('latency:seen'); sessionStorage.setItem('latency:want', t); }",
                              title)
                written = time.time() * 1000
                set_title(article, original, title)
                page.wait_for_function("() => sessionStorage.getItem('latency:seen')")
                seen = json.loads(page.evaluate("sessionStorage.getItem('latency:seen')"))
                if n >= 2:
                    samples.append(seen["seen"] - written)
                    reloads.append(seen["start"] - written)
                    htmls.append(seen["html"] - written)
                page.wait_for_function("window.__digestLiveReload === 'connected'")
                time.sleep(settle)  # let the server go idle, so edits do not overlap
            browser.close()
    finally:
        article.write_text(original, encoding="utf-8")
        server.stop()
    rebuilds = server.rebuilds[2:] or server.rebuilds
    return Result(
        articles=count, edits=len(samples), median_ms=statistics.median(samples), min_ms=min(samples),
        max_ms=max(samples), reload_median_ms=statistics.median(reloads), html_median_ms=statistics.median(htmls),
        rebuild_median_ms=statistics.median(rebuilds) if rebuilds else float("nan"),
        startup_s=startup, samples_ms=[round(s, 1) for s in samples],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000], help="corpus sizes")
    parser.add_argument("--edits", type=int, default=10, help="measured edits per size (after two warm-ups)")
    parser.add_argument("--corpus-cmd", default=DEFAULT_CORPUS_CMD,
                        help="command that writes a corpus; {out} and {count} are filled in")
    parser.add_argument("--settle", type=float, default=0.5, help="seconds between edits")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"needs chromium at {CHROMIUM}", file=sys.stderr)
        return 1
    results = []
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'articles':>9} {'median':>7} {'min':>7} {'max':>7} | {'reload':>7} {'html':>7} {'rebuild':>8} | startup")
    for count in args.articles:
        result = measure(count, args.edits, args.corpus_cmd, args.settle)
        results.append(result)
        print(f"{result.articles:>9} {result.median_ms:>5.0f}ms {result.min_ms:>5.0f}ms {result.max_ms:>5.0f}ms |"
              f" {result.reload_median_ms:>5.0f}ms {result.html_median_ms:>5.0f}ms {result.rebuild_median_ms:>6.0f}ms |"
              f" {result.startup_s:.1f} s", flush=True)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
