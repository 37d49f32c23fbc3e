"""An imported article as a content file: front matter and Markdown, written once and never over another."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from digest.errors import DigestError
from digest.importer.model import Imported
from digest.rules.slugs import slugify


def render_article_file(
    imported: Imported, *, tags: Sequence[str], via: str | None, draft: bool = False, note: str | None = None
) -> str:
    """The text of a content file: YAML front matter between ``---`` lines, then the body.

    Every string is put on one line with single spaces. Keys, in this order,
    empty ones left out: ``title``, ``date``, ``summary``,
    ``tags`` (always, ``[]`` when none, so the curator sees where they go),
    ``author``, ``source`` (``name``, ``url``, ``published``), ``via``, ``note``, ``draft``
    (only when true). Dates are YAML timestamps with their offset
    (``2022-01-10 09:39:00+06:00``); ``yaml.safe_load`` reads them back as the
    same aware datetimes. PyYAML quotes every string that needs it (``:``, quotes,
    ``#``, ``yes``, a leading ``-``), so any title stays valid YAML.
    """
    meta: dict[str, Any] = {"title": _one_line(imported.title), "date": _timestamp(imported.date)}
    if _one_line(imported.summary):
        meta["summary"] = _one_line(imported.summary)
    meta["tags"] = list(dict.fromkeys(tag for tag in map(_one_line, tags) if tag))
    if _one_line(imported.author):
        meta["author"] = _one_line(imported.author)
    source: dict[str, Any] = {}
    if _one_line(imported.source_name):
        source["name"] = _one_line(imported.source_name)
    if _one_line(imported.source_url):
        source["url"] = _one_line(imported.source_url)
    if imported.source_published is not None:
        source["published"] = _timestamp(imported.source_published)
    if source:
        meta["source"] = source
    if via and _one_line(via):
        meta["via"] = _one_line(via)
    if note and note.strip():
        meta["note"] = note.strip()  # Markdown: paragraphs kept
    if draft:
        meta["draft"] = True
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1_000_000, default_flow_style=False)
    body = imported.body.strip("\n")
    return f"---\n{front}---\n" + (f"\n{body}\n" if body else "")


def _one_line(text: str) -> str:
    # Every front matter string is one line. Collapsing also removes the line
    # separators (NEL, U+2028) that PyYAML writes raw and reads back as spaces.
    return " ".join(text.split())


def _timestamp(value: datetime) -> datetime:
    # whole seconds: "09:39:00.123456+06:00" is noise to a reader and to diffs
    return value.replace(microsecond=0)


def article_path(content_dir: Path, imported: Imported) -> Path:
    """``content_dir/YYYY/MM/<slug>.md``, year and month of the article's date, slug of its title."""
    when = imported.date
    slug = slugify(imported.title, fallback="article")
    return content_dir / f"{when:%Y}" / f"{when:%m}" / f"{slug}.md"


def write_new_file(path: Path, text: str, *, content_dir: Path) -> Path:
    """Create ``path`` (and its folders) with ``text``; never overwrite, never leave ``content_dir``.

    Raises :class:`DigestError` when the file exists or when ``path``, followed
    through symbolic links, is not inside ``content_dir``.
    """
    root = content_dir.resolve()
    target = path
    if not target.resolve().is_relative_to(root) or target.resolve() == root:
        raise DigestError(f"refusing to write {path}: it is outside the content folder {content_dir}", path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # the folders may be symbolic links made between the check and now: check what they became
    if not target.parent.resolve().is_relative_to(root):
        raise DigestError(f"refusing to write {path}: it is outside the content folder {content_dir}", path)
    try:
        # "x": the operating system refuses an existing file, so two imports cannot race past a check
        with open(target, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise DigestError(
            f"{path} already exists: not overwriting it; change the title or move the existing file first", path
        ) from None
    return path
