"""How well ``digest import`` captures real pages: body, headline, date, site name and tags.

Usage::

    python -m benchmarks.capture [--fixtures DIR] [--verbose] [--json]

Reads the fixture set in ``tests/data/capture/`` (saved pages, browser copies,
reference texts and ``expected.json``; see its README) and imports each input
through the same pure functions ``digest import`` calls, then prints:

- body shingle F1: word 4-gram shingles (CJK and Thai characters count as
  words) of the imported body against the reference text, as sets; the mean
  and the lowest page; pages that lost more than half the reference are
  counted, with how many of them said so in a warning;
- headline exact match: the headline equals the expected one (spaces collapsed);
- date found: of the inputs that show a publication date, how many got the
  right day (the page's own offset), and how many got a wrong one;
- site name and tags: exact match (tags as a set: the page's keywords mapped onto
  ``site_tags`` of expected.json);
- time per import: median and worst wall time of one parse (decode + parse +
  tag mapping), after one untimed warm-up of every input.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.importer.clipping import parse_clipping
from digest.importer.decode import decode_input
from digest.importer.model import Imported
from digest.importer.suggest import map_tags

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "capture"
TODAY = date(2030, 1, 1)  # far from every fixture, so a fallback to "today" is never a right date
UTC = ZoneInfo("UTC")
_TOKEN = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+")


@dataclass(frozen=True, slots=True)
class Score:
    name: str
    kind: str  # "page" or "copy"
    f1: float | None
    recall: float | None
    title_ok: bool
    title: str
    date_expected: str | None
    date_found: str | None
    site_ok: bool | None
    tags_ok: bool | None
    seconds: float
    loss_warned: bool


def shingles(text: str, size: int = 4) -> set[tuple[str, ...]]:
    words = _TOKEN.findall(text.casefold())
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def f1_recall(found: str, reference: str) -> tuple[float, float]:
    got, want = shingles(_plain(found)), shingles(reference)
    if not got or not want:
        return (1.0, 1.0) if got == want else (0.0, 0.0)
    common = len(got & want)
    precision, recall = common / len(got), common / len(want)
    return (0.0 if not common else 2 * precision * recall / (precision + recall)), recall


def _plain(markdown: str) -> str:
    """Markdown as text: link targets and markup characters go, the words stay."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"[*_`#>|]+", " ", text)


def _day(item: Imported) -> str | None:
    when = item.source_published
    return when.date().isoformat() if isinstance(when, datetime) else None


def parse_input(path: Path, kind: str, url: str | None) -> Imported:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    text = decode_input(data, path.name)
    if kind == "page":
        from digest.importer.html_page import parse_html_page

        return parse_html_page(text, UTC, TODAY, url=url)
    return parse_clipping(text, UTC, TODAY)


def evaluate(fixtures: Path = FIXTURES) -> list[Score]:
    expected = json.loads((fixtures / "expected.json").read_text(encoding="utf-8"))
    site_tags = expected["site_tags"]
    jobs = [("page", name, fixtures / "pages" / f"{name}.html.gz", want) for name, want in expected["pages"].items()]
    jobs += [("copy", name, fixtures / "copies" / f"{name}.txt", want) for name, want in expected["copies"].items()]
    for kind, name, path, want in jobs:  # warm-up: imports, regex compilation, lxml and trafilatura start-up
        parse_input(path, kind, expected["pages"].get(name, {}).get("url"))
    scores = []
    for kind, name, path, want in jobs:
        url = expected["pages"].get(name, {}).get("url")
        start = time.perf_counter()
        item = parse_input(path, kind, url)
        mapped = map_tags(item.tags, site_tags)
        seconds = time.perf_counter() - start
        reference = fixtures / "reference" / f"{name}.txt"
        f1 = recall = None
        if reference.exists():
            f1, recall = f1_recall(item.body, reference.read_text(encoding="utf-8"))
        scores.append(
            Score(
                name=name,
                kind=kind,
                f1=f1,
                recall=recall,
                title_ok=" ".join(item.title.split()) == " ".join(want["title"].split()),
                title=item.title,
                date_expected=want.get("date"),
                date_found=_day(item),
                site_ok=item.source_name == want["site"] if "site" in want else None,
                tags_ok=set(mapped.existing) == set(want["tags"]) if "tags" in want else None,
                seconds=seconds,
                loss_warned=any("text" in w and ("lost" in w or "kept only" in w) for w in item.warnings),
            )
        )
    return scores


def report(scores: list[Score], verbose: bool = False) -> str:
    lines = []
    for kind, label in (("page", "saved pages"), ("copy", "browser copies")):
        group = [s for s in scores if s.kind == kind]
        if not group:
            continue
        f1s = [s.f1 for s in group if s.f1 is not None]
        dated = [s for s in group if s.date_expected]
        undated = [s for s in group if not s.date_expected]
        lossy = [s for s in group if s.recall is not None and s.recall < 0.5]
        lines.append(f"{label}: {len(group)}")
        if f1s:
            worst = min((s for s in group if s.f1 is not None), key=lambda s: s.f1 or 0.0)
            lines.append(f"  body shingle F1: mean {statistics.mean(f1s):.3f}, median {statistics.median(f1s):.3f},"
                         f" lowest {worst.f1:.3f} ({worst.name}); {len(f1s)} with a reference text")
            lines.append(f"  lost more than half the text: {len(lossy)} ({sum(s.loss_warned for s in lossy)} warned)")
        lines.append(f"  headline exact: {sum(s.title_ok for s in group)}/{len(group)}")
        right = sum(s.date_found == s.date_expected for s in dated)
        wrong = sum(s.date_found is not None and s.date_found != s.date_expected for s in dated)
        invented = sum(s.date_found is not None for s in undated)
        lines.append(f"  date right: {right}/{len(dated)} of those showing one ({wrong} wrong);"
                     f" {invented}/{len(undated)} dated although the page shows no date")
        for field, label_ in (("site_ok", "site name"), ("tags_ok", "tags")):
            judged = [getattr(s, field) for s in group if getattr(s, field) is not None]
            if judged:
                lines.append(f"  {label_}: {sum(judged)}/{len(judged)}")
        times = [s.seconds for s in group]
        lines.append(f"  time per import: median {statistics.median(times) * 1000:.0f} ms,"
                     f" max {max(times) * 1000:.0f} ms")
        if verbose:
            for s in group:
                flags = [] if s.title_ok else [f"title {s.title!r}"]
                if s.date_expected != s.date_found:
                    flags.append(f"date {s.date_found} (want {s.date_expected})")
                if s.site_ok is False:
                    flags.append("site")
                if s.tags_ok is False:
                    flags.append("tags")
                f1 = f"{s.f1:.3f}" if s.f1 is not None else "  -  "
                lines.append(f"    {s.name:22} F1 {f1}  {'; '.join(flags)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument("--json", action="store_true", help="print every score as JSON")
    args = parser.parse_args(argv)
    scores = evaluate(args.fixtures)
    if args.json:
        print(json.dumps([asdict(s) for s in scores], indent=2, ensure_ascii=False))
    else:
        print(report(scores, args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
