"""digest import end to end on real pages: keywords become the site's tags; a missing extra is one line."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import article
from digest.cli import cli

pytest.importorskip("trafilatura")

PAGES = Path(__file__).parent / "data" / "capture" / "pages"
REPO = Path(__file__).resolve().parents[1]


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def saved_page(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.html"
    path.write_bytes(gzip.decompress((PAGES / f"{name}.html.gz").read_bytes()))
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_page_keywords_are_written_as_the_sites_own_tags(make_site, tmp_path):
    site = make_site({"content/old.md": article("Old", "2021-01-01", tags=["Winter Storms", "Holiday travel", "Politics"])})
    page = saved_page(tmp_path, "cnn_article")
    code, out, err = run("import", str(page), "--site", str(site))
    assert code == 0, err
    meta = front_matter(site / out.strip().splitlines()[-1])
    assert meta["title"] == "After storm, forecasters see smooth sailing for Thanksgiving"
    assert meta["tags"] == ["Winter Storms", "Holiday travel"]  # the site's spelling, not "winter storm"
    assert meta["source"]["name"] == "CNN"
    assert meta["source"]["published"].isoformat() == "2013-11-27T08:36:32+00:00"
    assert "suggested tags: Thanksgiving storm, Thanksgiving winter storm" in err  # new ones only with the flag


def test_new_keyword_tags_only_with_accept_suggested_tags(make_site, tmp_path):
    site = make_site({"content/old.md": article("Old", "2021-01-01", tags=["Israel"])})
    page = saved_page(tmp_path, "wired_001")
    code, out, err = run("import", str(page), "--site", str(site), "--accept-suggested-tags")
    assert code == 0, err
    tags = front_matter(site / out.strip().splitlines()[-1])["tags"]
    assert tags[0] == "Israel"
    assert {"surveillance", "security", "israel-hamas war"} <= set(tags)


def test_without_the_import_extra_a_page_import_says_how_to_install_it(make_site, tmp_path):
    site = make_site({"content/old.md": article("Old", "2021-01-01")})
    page = saved_page(tmp_path, "yna_co_kr")
    # trafilatura made unimportable, as in an installation without the extra
    code = (
        "import sys; sys.modules['trafilatura'] = None\n"
        "from digest.cli import main\n"
        f"sys.exit(main(['import', {str(page)!r}, '--site', {str(site)!r}]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("pip install 'digest[import]'")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (site / "content" / "2019").exists()
