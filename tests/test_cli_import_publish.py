"""The import and publish commands end to end, through the real CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import SHARED, article
from digest.cli import cli

SEED = SHARED / "samples" / "clipping-kazakhstan-2022-01-10.txt"


def run(*args: str, input: bytes | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.output


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.mark.skipif(not SEED.exists(), reason="shared samples not present")
def test_import_seed_clipping_then_build(make_site, tmp_path):
    site = make_site({"content/old.md": article("Old", "2021-01-01", tags=["Kazakhstan", "CSTO"])},
                     config="timezone: Asia/Almaty\nbase_url: https://news.example.org/\n")
    code, out = run("import", str(SEED), "--site", str(site), "--source-url", "https://example.com/news/kazakhstan-coup",
                    "--tag", "kazakhstan", "--via", "https://example.net/friend")
    assert code == 0, out
    path = site / out.strip().splitlines()[-1]
    assert path.relative_to(site).as_posix() == "content/2022/01/kazakhstan-crisis-attempted-coup-president.md"
    meta = front_matter(path)
    assert meta["title"] == "Kazakhstan crisis ‘attempted coup’ – President"
    assert meta["summary"] == "Tokayev thanks Russia for assistance in dealing with worst incident “in the history of the country”"
    assert meta["date"].isoformat() == "2022-01-10T09:39:00+06:00"
    assert meta["via"] == "https://example.net/friend"
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2].strip()
    assert body.startswith("Last week’s unrest throughout Kazakhstan")
    assert body.endswith("the Kazakh leader said.")
    assert "icon" not in body and "Kazakhstan crisis ‘attempted coup’" not in body
    assert "suggested tags: CSTO" in out  # a site tag found in the text, not given with --tag
    code, out = run("build", "--site", str(site), "-q")
    assert code == 0, out
    page = site / "output/2022/01/10/kazakhstan-crisis-attempted-coup-president/index.html"
    assert "Kazakhstan crisis ‘attempted coup’ – President" in page.read_text()


@pytest.mark.skipif(not SEED.exists(), reason="shared samples not present")
def test_import_refuses_duplicates_and_never_overwrites(make_site):
    site = make_site({"content/x.md": article("Other", "2021-01-01",
                                              source={"name": "RT", "url": "http://www.example.com/news/kazakhstan-coup/?utm_source=tw"})})
    code, out = run("import", str(SEED), "--site", str(site), "--source-url", "https://example.com/news/kazakhstan-coup")
    assert code == 1
    assert "content/x.md: same source URL" in out and "--force" in out
    assert not (site / "content/2022").exists()
    code, out = run("import", str(SEED), "--site", str(site), "--force")
    assert code == 0, out
    code, out = run("import", str(SEED), "--site", str(site), "--force")
    assert code == 0, out
    files = sorted(p.name for p in (site / "content/2022/01").iterdir())
    assert files == ["kazakhstan-crisis-attempted-coup-president-2.md", "kazakhstan-crisis-attempted-coup-president.md"]


def test_import_from_stdin_with_source_name(make_site):
    site = make_site({}, config="timezone: UTC\n")
    text = "January 12, 2022\n\nAlmaty airport reopens\n\nFlights resumed on Wednesday after a week.\n\nMore flights tomorrow.\n"
    code, out = run("import", "-", "--site", str(site), "--source-name", "Reuters", input=text.encode())
    assert code == 0, out
    meta = front_matter(site / out.strip().splitlines()[-1])
    assert meta["title"] == "Almaty airport reopens"
    assert meta["source"]["name"] == "Reuters"


def test_import_cp1251_clipping(make_site, tmp_path):
    site = make_site({})
    clip = tmp_path / "clip.txt"
    clip.write_bytes("10.01.2022\n\nПротесты в Алматы\n\nВ понедельник в Алматы прошли протесты.\n".encode("cp1251"))
    code, out = run("import", str(clip), "--site", str(site))
    assert code == 0, out
    meta = front_matter(site / out.strip().splitlines()[-1])
    assert meta["title"] == "Протесты в Алматы"
    assert (site / "content/2022/01/protesty-v-almaty.md").exists()


def test_import_rejects_binary_input(make_site, tmp_path):
    site = make_site({})
    blob = tmp_path / "x.bin"
    blob.write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    code, out = run("import", str(blob), "--site", str(site))
    assert code == 1 and "x.bin" in out


PUBLISH_CONFIG = """
base_url: https://news.example.org/
publish:
  default: mirror
  targets:
    mirror: {{type: dir, path: {target}}}
"""


def test_publish_refuses_a_local_base_url(make_site, tmp_path):
    site = make_site({"content/a.md": article("A", "2022-01-10")},
                     config=f"publish:\n  targets:\n    m: {{type: dir, path: {tmp_path / 'www'}}}\n")
    code, out = run("publish", "m", "--site", str(site))
    assert code == 1
    assert "base_url is 'http://localhost:8000/'" in out
    assert not (tmp_path / "www").exists()


def test_publish_dir_end_to_end(make_site, tmp_path):
    target = tmp_path / "www"
    site = make_site(
        {"content/a.md": article("Alpha", "2022-01-10"), "content/b.md": article("Beta", "2022-01-11"),
         "content/d.md": article("Hidden draft", "2022-01-12", draft=True)},
        config=PUBLISH_CONFIG.format(target=target),
    )
    code, out = run("publish", "--site", str(site), "-q")
    assert code == 0, out
    assert (target / "2022/01/10/a/index.html").is_file()
    assert not (target / "2022/01/12").exists()  # production: no drafts
    assert "Hidden draft" not in (target / "index.html").read_text()
    code, out = run("publish", "--site", str(site), "-q")
    assert code == 0 and "0 uploaded, 0 updated" in out, out
    # dry run after an edit changes nothing in the target
    (site / "content/b.md").write_text(article("Beta", "2022-01-11", "Changed body."))
    before = (target / "2022/01/11/b/index.html").read_bytes()
    code, out = run("publish", "--site", str(site), "--dry-run")
    assert code == 0 and "would update 2022/01/11/b/index.html" in out, out
    assert (target / "2022/01/11/b/index.html").read_bytes() == before
    code, out = run("publish", "--site", str(site), "-q")
    assert "Changed body." in (target / "2022/01/11/b/index.html").read_text()
    # a deleted article's page goes only with --delete
    (site / "content/a.md").unlink()
    run("publish", "--site", str(site), "-q")
    assert (target / "2022/01/10/a/index.html").exists()
    run("publish", "--site", str(site), "-q", "--delete")
    assert not (target / "2022/01/10/a/index.html").exists()


def test_cli_entry_point_runs_as_module(make_site):
    site = make_site({"content/a.md": article("A", "2022-01-10")})
    proc = subprocess.run([sys.executable, "-m", "digest", "build", "--site", str(site)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("built 1 articles")
