"""Dependencies point one way: a module imports only modules of its own or a lower layer.

Adding a module means placing it in LAYERS; the test fails until it is placed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "digest"

# lowest first; a module may import from its own layer and any layer before it
LAYERS: list[set[str]] = [
    {"digest", "errors", "slugs", "dates", "urls", "yamlload"},
    {"config"},
    {"content"},
    {"typography"},
    {"markup", "fastmd"},
    {"searchterms"},
    {"cache", "ingest"},
    {"model"},
    {"pages", "feeds", "search", "sitemap", "seo"},
    {"theme"},
    {"writer"},
    {"build"},
    {"importer", "publish", "check", "newarticle", "server"},
    {"import_command", "publish_command"},
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
