"""Shared fixtures: tiny sites written into a temporary folder from a dict of files."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import pytest

from digest.pipeline import BuildOptions, BuildResult, build

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
# a site with weekly editions from Monday 3 January 2022 (tests of sending and serving editions)
WEEKLY_EDITIONS = """
title: Test Digest
base_url: https://news.example.org/
editions:
  cadence: weekly
  start: 2022-01-03
"""


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def article(title: str, date: str, body: str = "Body text.", **fields: object) -> str:
    """An article file's text with the given front matter fields (values written as YAML)."""
    import yaml

    meta = {"title": title, "date": date, **fields}
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body + "\n"


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    def make(files: dict[str, str | bytes], config: str | None = None) -> Path:
        site = tmp_path / "site"
        site.mkdir(exist_ok=True)
        if config is not None:
            write_files(site, {"digest.yaml": config})
        write_files(site, files)
        return site

    return make


@pytest.fixture
def run_build() -> Callable[..., BuildResult]:
    def run(site: Path, **options: object) -> BuildResult:
        options.setdefault("now", NOW)
        options.setdefault("jobs", 1)
        return build(BuildOptions(site_dir=site, **options))  # type: ignore[arg-type]

    return run


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite tests/golden/ from the current build after an intended change (review the diff)",
    )


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 server on 127.0.0.1, started once for every test that asks for it."""
    pytest.importorskip("moto")
    from publish_helpers import moto_server

    with moto_server(tmp_path_factory.mktemp("moto") / "server.log") as url:
        yield url
