"""The importer stays a pure core: it imports only below itself, and only the writer touches disk."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "digest" / "importer"
MODULES = sorted(PACKAGE.glob("*.py"))
ALLOWED_DIGEST = {"digest.errors", "digest.rules.slugs", "digest.rules.sourceurls"}
IO_CALLS = {"open", "write_text", "write_bytes", "read_text", "read_bytes", "mkdir", "unlink", "rename", "urlopen"}


def imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_there_are_modules_to_check() -> None:
    assert {path.stem for path in MODULES} >= {"clipping", "dates", "decode", "html_page", "writer"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_importer_depends_only_on_errors_slugs_and_itself(path: Path) -> None:
    for name in imports(ast.parse(path.read_text(encoding="utf-8"))):
        if name == "digest" or name.startswith("digest."):
            assert name in ALLOWED_DIGEST or name.startswith("digest.importer"), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", [p for p in MODULES if p.stem != "writer"], ids=lambda p: p.stem)
def test_only_the_writer_does_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            assert name not in IO_CALLS, f"{path.name}:{node.lineno} calls {name}()"


def test_the_package_imports_without_the_import_extra() -> None:
    # lxml and trafilatura come with the optional "import" extra; clippings must work without them
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    assert not any(name.startswith(("lxml", "trafilatura", "digest.importer.html_page")) for name in imports(tree))
