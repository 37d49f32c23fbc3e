"""The sample site's whole output, byte for byte, against committed expected files.

After an intended change to what the build writes, regenerate them and review the diff:

    python3 -m pytest tests/test_golden.py --update-golden && git diff --stat tests/golden/
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from conftest import NOW, REPO
from digest.pipeline import BuildOptions, build

GOLDEN = REPO / "tests" / "golden" / "sample"


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def sample_site(tmp_path: Path) -> Path:
    site = tmp_path / "sample"
    site.mkdir()
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "digest.yaml", site / "digest.yaml")
    if (REPO / "themes").is_dir():
        shutil.copytree(REPO / "themes", site / "themes")
    return site


def test_the_sample_site_builds_exactly_the_golden_output(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    # pinned clock, one worker, no cache: the output must not depend on when, how fast or how often it is built
    build(BuildOptions(site_dir=site, output_dir=out, now=NOW, jobs=1, use_cache=False))
    built = files_under(out)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
        pytest.skip(f"rewrote {len(built)} golden files: review `git diff tests/golden/`")
    expected = files_under(GOLDEN)
    assert built.keys() == expected.keys(), (
        f"missing: {sorted(expected.keys() - built.keys())[:10]}, unexpected: {sorted(built.keys() - expected.keys())[:10]}"
        " (after an intended change: pytest tests/test_golden.py --update-golden)"
    )
    for name, data in built.items():
        if data != expected[name]:
            try:
                diff = "\n".join(list(difflib.unified_diff(
                    expected[name].decode().splitlines(), data.decode().splitlines(), "golden", "built", lineterm="",
                ))[:40])
            except UnicodeDecodeError:
                diff = f"{len(expected[name])} bytes expected, {len(data)} built"
            pytest.fail(f"{name} differs from tests/golden/sample/{name}"
                        " (after an intended change: pytest tests/test_golden.py --update-golden):\n" + diff)


def test_a_cached_parallel_rebuild_gives_the_same_bytes(tmp_path: Path) -> None:
    site = sample_site(tmp_path)
    out = tmp_path / "out"
    cold = tmp_path / "cold"
    build(BuildOptions(site_dir=site, output_dir=cold, now=NOW, jobs=1, use_cache=False))
    for _ in range(2):  # the second build runs from the cache
        build(BuildOptions(site_dir=site, output_dir=out, now=NOW, jobs=2))
    assert files_under(out) == files_under(cold)
