"""What editions add to a build: the same corpus built with and without an ``editions:`` block.

Usage::

    python -m benchmarks.editions [--articles 10000] [--runs 3] [--cold]

The corpus of ``benchmarks.corpus`` is generated once into ``benchmarks/work/editions-n<N>/``.
Each round builds it without editions and with weekly editions (the order alternating, so a
noisy neighbour slows both alike), each time into an empty output folder. By default the
Markdown cache is kept (every page is still rendered and written: the output is empty), so
the difference is the editions' own work: the model, their pages, feeds and e-mail copies;
``--cold`` deletes the cache too. Prints wall-clock medians and the per-stage timings of
``digest build -v``; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import corpus

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "benchmarks" / "work"
EDITIONS = """\
editions:
  cadence: weekly
  start: 2000-01-03
  sections: [energy, politics, economy]
"""
_STAGE_RE = re.compile(r"^\s+(\w+)\s+([\d.]+) ms$")


def build(site: Path, cold: bool) -> tuple[float, dict[str, float], str]:
    shutil.rmtree(site / "output", ignore_errors=True)
    if cold:
        shutil.rmtree(site / ".digest-cache", ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "digest", "build", "-v", "--site", str(site)], capture_output=True, text=True,
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1767225600"}, check=True,
    )
    seconds = time.perf_counter() - started
    stages = {m.group(1): float(m.group(2)) for m in map(_STAGE_RE.match, done.stdout.splitlines()) if m}
    return seconds, stages, done.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="delete the Markdown cache before each build")
    args = parser.parse_args(argv)
    site = WORK / f"editions-n{args.articles}"
    if not (site / corpus.MANIFEST).exists():
        corpus.write_corpus(site, args.articles)
    configs = {"without": corpus.SITE_CONFIG, "with": corpus.SITE_CONFIG + EDITIONS}
    times: dict[str, list[float]] = {name: [] for name in configs}
    stages: dict[str, list[dict[str, float]]] = {name: [] for name in configs}
    summary: dict[str, str] = {}
    for name, text in configs.items():  # one untimed build each: the cache, the page cache of the OS
        (site / "digest.yaml").write_text(text)
        build(site, False)
    for round_number in range(args.runs):
        order = list(configs) if round_number % 2 == 0 else list(reversed(configs))
        for name in order:
            (site / "digest.yaml").write_text(configs[name])
            seconds, timing, summary[name] = build(site, args.cold)
            times[name].append(seconds)
            stages[name].append(timing)
    print(f"{args.articles} articles, {args.runs} runs each, {'cold' if args.cold else 'Markdown cache kept'}")
    for name in configs:
        print(f"  {name:<8} editions: median {statistics.median(times[name]):.2f} s "
              f"(min {min(times[name]):.2f}, max {max(times[name]):.2f}) | {summary[name]}")
    base, extra = statistics.median(times["without"]), statistics.median(times["with"])
    print(f"  editions add {extra - base:+.2f} s = {100 * (extra - base) / base:+.1f} % (medians)")
    names = sorted({k for runs in stages.values() for t in runs for k in t}, key=list(stages["with"][0]).index)
    print("  stage medians (ms): " + ", ".join(
        f"{k} {statistics.median(t.get(k, 0) for t in stages['without']):.0f} -> "
        f"{statistics.median(t.get(k, 0) for t in stages['with']):.0f}" for k in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
