"""``digest theme new NAME``: a theme that starts as the default's templates and inherits the rest."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO, article


def _theme_new(site, name):
    return subprocess.run([sys.executable, "-m", "digest", "theme", "new", name, "--site", str(site)],
                          capture_output=True, text=True)


def test_theme_new_copies_the_templates_and_the_site_builds_with_it(make_site, run_build):
    site = make_site({"content/a.md": article("A", "2022-01-10")}, config="title: T\ntheme: paper\n")
    proc = _theme_new(site, "paper")
    assert proc.returncode == 0, proc.stderr
    assert "set 'theme: paper' in digest.yaml" in proc.stdout
    folder = site / "themes" / "paper"
    copied = sorted(p.relative_to(folder / "templates").as_posix() for p in (folder / "templates").rglob("*.html"))
    default = sorted(p.relative_to(REPO / "themes/default/templates").as_posix()
                     for p in (REPO / "themes/default/templates").rglob("*.html"))
    assert copied == default and "partials/card.html" in copied
    assert "inherit" in (folder / "README.md").read_text()
    assert not (folder / "static").exists()  # static files are inherited, not copied
    # a change to the copy shows; a deleted template falls back to the default's
    base = folder / "templates" / "base.html"
    base.write_text(base.read_text().replace("Skip to content", "Skip to the stories"))
    (folder / "templates" / "404.html").unlink()
    run_build(site)
    out = site / "output"
    assert "Skip to the stories" in (out / "index.html").read_text()
    assert "This page isn’t in the digest" in (out / "404.html").read_text()
    assert list((out / "static").glob("style.*.css"))


def test_theme_new_refuses_an_existing_folder_and_bad_names(make_site):
    site = make_site({"content/a.md": article("A", "2022-01-10")})
    assert _theme_new(site, "paper").returncode == 0
    again = _theme_new(site, "paper")
    assert again.returncode == 1 and "themes/paper/ already exists" in again.stderr
    assert "built-in theme" in _theme_new(site, "default").stderr
    assert "not a safe folder name" in _theme_new(site, "../x").stderr

