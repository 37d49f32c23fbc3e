"""Dependencies point one way: a module imports only modules of its own or a lower layer.

Adding a module means placing it in LAYERS; the test fails until it is placed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "digest"

# The intended layers, lowest first: a module may import from its own package and any layer before it.
# The pipeline stages read top to bottom; the edges (commands, server, publish, importer) sit on the pipeline.
LAYERS: list[set[str]] = [
    {"digest", "errors"},  # the version and the Problem type
    {"rules"},  # URL, slug, date and YAML rules: each once, used by every stage
    {"config"},  # digest.yaml, validated
    {"workers"},  # the one fork pool
    {"sources"},  # stage 1: files -> front matter + safe HTML
    {"model"},  # stage 2: loaded articles -> the site
    {"plan"},  # stage 3: the site -> page jobs
    {"outputs"},  # page sources that are not templates (feeds, search, sitemap)
    {"render"},  # stage 4: themes, Jinja
    {"write"},  # stage 5: staged, atomic output
    {"cache"},  # what the pipeline remembers between builds
    {"pipeline"},  # the one place that knows the order of the stages
    {"server", "publish", "importer", "mail"},  # the edges: preview, upload, capture, e-mail
    {"commands"},  # what each CLI command does (check, new, import, publish)
    {"cli", "__main__"},
]


def layer_of(module: str) -> int:
    top = module.split(".")[0]
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise AssertionError(f"digest.{module} is in no layer: add it to LAYERS in tests/test_layers.py")


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def name_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts) or "digest"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("digest"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("digest"))
    return {m.removeprefix("digest.") if m != "digest" else "digest" for m in found}


@pytest.mark.parametrize("path", modules(), ids=lambda p: name_of(p))
def test_module_imports_only_lower_layers(path):
    me = name_of(path)
    mine = layer_of(me)
    for target in imports_of(path):
        if target.split(".")[0] == me.split(".")[0]:
            continue  # inside one package
        assert layer_of(target) <= mine, f"digest.{me} (layer {mine}) imports digest.{target} (layer {layer_of(target)})"
