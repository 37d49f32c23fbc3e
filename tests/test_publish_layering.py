"""Publishing reads output/ only and knows nothing of the model: an import check keeps it so."""

from __future__ import annotations

import ast
from pathlib import Path

import digest.publish

PACKAGE = Path(digest.publish.__file__).parent


def digest_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "digest":
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.split(".")[0] == "digest")
    return names


def test_publish_imports_only_errors_and_itself() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) >= 7
    for module in modules:
        outside = {name for name in digest_imports(module)
                   if name not in ("digest", "digest.errors") and not name.startswith("digest.publish")}
        assert not outside, f"{module.name} imports {outside}"


def test_fingerprint_helper_has_no_digest_imports() -> None:
    # the build may reuse it; it must not drag the publish package (or boto3) along
    assert digest_imports(PACKAGE / "fingerprint.py") == set()


def test_boto3_is_imported_only_inside_the_s3_publisher() -> None:
    for module in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        top = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        for node in top:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            assert not any(n.split(".")[0] in ("boto3", "botocore") for n in names), module.name
