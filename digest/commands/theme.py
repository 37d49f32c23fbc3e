"""``digest theme new NAME``: a copy of the default theme's templates to change, in ``themes/NAME/``.

Themes inherit file by file: digest looks for each template and static file in
``themes/NAME/`` first, then in the default theme. So a new theme starts as a
full copy of the default templates (to read and change), and any file deleted
from it falls back to the default's, including ``static/style.css`` and the
other static files, which are not copied: add a file of the same name to
override one.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from digest.errors import DigestError
from digest.render.theme import DEFAULT_THEME
from digest.rules.urls import is_safe_segment

THEME_README = """\
# Theme '{name}'

Made by `digest theme new {name}` as a copy of the default theme's templates.
Use it by writing `theme: {name}` in digest.yaml.

How a theme inherits: for every template (`templates/...`) and static file
(`static/...`), digest looks here first, then in the default theme that ships
with digest. So:

- change any template copied here; the site uses your version;
- delete the templates you do not change: the default's are used, and you get
  its fixes when you upgrade digest;
- to restyle, add `static/style.css` here (it replaces the default's), or add a
  new stylesheet and link it from the `head` block of `templates/base.html`;
- `{{% extends "base.html" %}}` finds the first `base.html`: yours if it is here.

Every template, block and context variable is described in digest's README,
section "Themes".
"""


@dataclass(frozen=True, slots=True)
class NewTheme:
    folder: Path
    files: tuple[str, ...]  # theme-relative paths written


def create_theme(site_dir: Path, name: str) -> NewTheme:
    """Copy the default templates into ``site_dir/themes/name/``; refuse to touch an existing folder."""
    if name == "default":
        raise DigestError("'default' is the built-in theme: choose another name, e.g. digest theme new mine")
    if not is_safe_segment(name):
        raise DigestError(f"theme name '{name}' is not a safe folder name: use letters, digits and hyphens")
    if not site_dir.is_dir():
        raise DigestError(f"no site folder at {site_dir}: pass --site")
    folder = site_dir / "themes" / name
    if folder.exists():
        raise DigestError(f"themes/{name}/ already exists: choose another name, or delete it first")
    source = DEFAULT_THEME / "templates"
    written = []
    for path in sorted(source.rglob("*.html")):
        rel = path.relative_to(DEFAULT_THEME)
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(rel.as_posix())
    (folder / "README.md").write_text(THEME_README.format(name=name), encoding="utf-8")
    written.append("README.md")
    return NewTheme(folder, tuple(written))
