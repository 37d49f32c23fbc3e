"""The benchmark runner's digest path, driven by a stand-in for digest.

digest's own build is measured by ``python -m benchmarks.run``; here a tiny
fake builder takes its place so the scenarios, the page check and the report
are exercised in a second or two, with no timing asserted.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import pytest

# benchmarks/ is a top-level folder of the repository, not an installed package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import run  # noqa: E402

FAKE_BUILDER = textwrap.dedent("""\
    import sys
    from pathlib import Path
    args = sys.argv[1:]
    site = Path(args[args.index("--site") + 1])
    out = Path(args[args.index("--output") + 1])
    template = (site / "themes" / "bench" / "templates" / "article.html").read_text()
    for md in sorted((site / "content").rglob("*.md")):
        page = out / md.relative_to(site / "content").with_suffix("") / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(template + md.read_text(encoding="utf-8"), encoding="utf-8")
    (out / "index.html").write_text("home", encoding="utf-8")
    (site / ".digest-cache").mkdir(exist_ok=True)
    if "-v" in args:
        print("load      0.010 s")
        print("render    0.020 s")
""")


@pytest.fixture
def fake_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    builder = tmp_path / "fake_digest.py"
    builder.write_text(FAKE_BUILDER, encoding="utf-8")
    real_setup = run.setup_digest

    def setup(site: Path, out: Path, jobs: int | None, engine: str, src: Path = run.REPO) -> run.Tool:
        tool = real_setup(site, out, jobs, engine, src)
        tool.cmd = [sys.executable, str(builder), "build", "--site", str(site), "--output", str(out), "-q"]
        return tool

    monkeypatch.setattr(run, "setup_digest", setup)
    monkeypatch.setattr(run, "WORK", tmp_path / "work")
    return builder


def args(**kw: object) -> argparse.Namespace:
    base = dict(articles=[12], runs=2, compare=[], jobs=None, engine="default", skip_digest=False, digest_src=run.REPO,
                warmup=0, seed=1, timeout=60.0, quiet=True)
    base.update(kw)
    return argparse.Namespace(**base)


def test_digest_scenarios_run_and_report(fake_digest: Path) -> None:
    bench = run.Bench(args())
    rep = bench.run_size(12)
    by_scenario = {r.scenario: r for r in rep.results}
    assert list(by_scenario) == list(run.DIGEST_SCENARIOS)
    for r in rep.results:
        assert r.error is None, r.error
        assert len(r.samples) == 2 and all(s.seconds > 0 and s.peak_rss > 0 for s in r.samples)
    assert by_scenario["cold"].pages == 13 and by_scenario["cold"].articles == 12
    assert rep.stages is not None and "render    0.020 s" in rep.stages
    text = run.size_section(rep)
    assert "| digest | edit-template |" in text and "12 / 12" in text


def test_changes_are_undone_after_the_scenarios(fake_digest: Path) -> None:
    bench = run.Bench(args(runs=1))
    bench.run_size(12)
    site = run.WORK / "n12" / "site"
    assert len(list((site / "content").rglob("*.md"))) == 12
    template = (site / "themes" / "bench" / "templates" / "article.html").read_text(encoding="utf-8")
    assert "edit 1" not in template
    assert "Update 1:" not in "".join(p.read_text(encoding="utf-8") for p in (site / "content").rglob("*.md"))


def test_a_failing_build_is_reported_not_raised(fake_digest: Path) -> None:
    fake_digest.write_text("import sys; print('boom'); sys.exit(3)", encoding="utf-8")
    rep = run.Bench(args(runs=1)).run_size(5)
    assert rep.results[0].error is not None and "boom" in rep.results[0].error
    assert "failed" in run.size_section(rep)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{% extends "base.html" %}{% block title %}T{% endblock %}{% block content %}C{% endblock %}',
         '{% extends "base.html" %}{% block title %}T{% endblock %}{% block content %}<!-- bench-article -->C{% endblock %}'),
        ('{% extends "base.html" %}{% block a %}A{% endblock %}{% block b %}B{% endblock %}',
         '{% extends "base.html" %}{% block a %}A{% endblock %}{% block b %}<!-- bench-article -->B{% endblock %}'),
        ("<html><body class=x>hi</body></html>", "<html><body class=x><!-- bench-article -->hi</body></html>"),
    ],
)
def test_marker_goes_where_it_is_printed(template: str, expected: str) -> None:
    assert run.mark_template(template) == expected


def test_two_engines_and_the_goals_table(fake_digest: Path) -> None:
    bench = run.Bench(args(engine=["default", "fast"], runs=1))
    rep = bench.run_size(12)
    cold = [r.tool for r in rep.results if r.scenario == "cold"]
    assert cold == ["digest", "digest-fast"]
    assert [r.scenario for r in rep.results if r.tool == "digest-fast"] == ["cold"]  # the first engine's scenarios only
    rep.articles = 10_000  # the goals table reads the 10,000-article figures
    table = run.goals_section([rep], run.Latency(10_000, 120.0, 410.0))
    assert "| one body edit / no-op rebuild | 10,000 |" in table
    assert "| dev server save → visible (median of 10) | 10,000 | 120 ms | ≤ 150 ms | yes |" in table
    assert "| the same, while a second build runs | 10,000 | 410 ms | ≤ 300 ms | **no** |" in table
    assert "cold build, default engine / Pelican cold | 10,000 | n/a" in table  # no peers in this run
    assert "| one body edit / no-op rebuild | 10,000 |" in table and "user CPU: " in table
