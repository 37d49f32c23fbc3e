"""Start-up: what ``digest build`` imports, and the compiled templates it keeps between builds."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import REPO, article

# Modules ``digest build`` has no use for: each costs start-up time on every build.
NOT_FOR_BUILD = (
    "digest.server", "digest.publish", "digest.importer", "digest.commands",
    "boto3", "botocore", "trafilatura", "watchdog", "feedparser", "html5lib", "playwright",
)

PROBE = """
import json, sys
from digest.cli import cli
try:
    cli(["build", "--site", sys.argv[1], "-q"])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_build_does_not_import_what_it_does_not_use(make_site):
    site = make_site({"content/a.md": article("One", "2024-01-01", "Body.", tags=["x"])}, config="title: T\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(site)], env=env, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0 and (site / "output/index.html").is_file()
    loaded = [m for m in report["modules"] if m.split(".")[0] in {n.split(".")[0] for n in NOT_FOR_BUILD}]
    assert [m for m in loaded if any(m == n or m.startswith(n + ".") for n in NOT_FOR_BUILD)] == []
    assert "digest.pipeline" in report["modules"]  # the probe did build


def test_compiled_templates_are_kept_in_the_cache_and_follow_edits(make_site, run_build):
    site = make_site({"content/a.md": article("One", "2024-01-01", "Body.")}, config="title: T\ntheme: mine\n")
    templates = site / "themes/mine/templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text('{% extends "base.html" %}{% block content %}<p>Gone.</p>{% endblock %}')
    run_build(site)
    compiled = list((site / ".digest-cache/templates").iterdir())
    assert compiled and all(p.name.startswith("__jinja2_") for p in compiled)
    (templates / "404.html").write_text('{% extends "base.html" %}{% block content %}<p>Moved.</p>{% endblock %}')
    assert run_build(site).rendered_paths == ["404.html"]
    assert "<p>Moved.</p>" in (site / "output/404.html").read_text()
    run_build(site, use_cache=False, output_dir=site.parent / "cold")
    assert (site.parent / "cold/404.html").read_bytes() == (site / "output/404.html").read_bytes()
