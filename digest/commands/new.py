"""``digest new``: a draft article file with its front matter filled in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import yaml

from digest.config import SiteConfig, load_config
from digest.model.languages import language_config
from digest.errors import DigestError
from digest.rules.slugs import slugify

BODY_PLACEHOLDER = "<!-- Write the story here. Remove 'draft: true' above to publish it. -->\n"


@dataclass(frozen=True, slots=True)
class NewArticle:
    rel: str  # site-relative path, e.g. content/2026/01/almaty-airport-reopens.md
    text: str


def plan_new_article(
    title: str,
    config: SiteConfig,
    now: datetime,
    *,
    tags: tuple[str, ...] = (),
    source_url: str | None = None,
    source_name: str | None = None,
) -> NewArticle:
    """The path and text of a new draft (pure: nothing is read or written)."""
    title = " ".join(title.split())
    if not title:
        raise DigestError("the title is empty: digest new \"What happened\"")
    # the file's folder and its date agree because both come from the same local time
    local = now.astimezone(config.tz).replace(microsecond=0)
    meta: dict[str, object] = {"title": title, "date": local}
    # spaces collapsed as the build does, so `new` never writes a spelling `check` would warn about
    clean_tags = list(dict.fromkeys(" ".join(t.split()) for t in tags if t.strip()))
    if clean_tags:
        meta["tags"] = clean_tags
    source: dict[str, str] = {}
    if source_name and source_name.strip():
        source["name"] = source_name.strip()
    if source_url and source_url.strip():
        url = source_url.strip()
        if not re.match(r"^https?://\S+$", url, re.IGNORECASE):
            raise DigestError(f"--source-url must be an http(s) URL, not '{url}'")
        source["url"] = url
    if source:
        meta["source"] = source
    meta["draft"] = True
    # safe_dump quotes whatever needs it (titles with ': ' or quotes); an aware datetime is
    # written plainly as 2026-01-02 10:03:04+05:00, which parse_article reads back exactly
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    rel = PurePosixPath(config.content_dir) / f"{local.year:04d}" / f"{local.month:02d}" / f"{slugify(title)}.md"
    return NewArticle(rel.as_posix(), f"---\n{front}---\n{BODY_PLACEHOLDER}")


def create_article(
    site_dir: Path,
    title: str,
    now: datetime,
    *,
    tags: tuple[str, ...] = (),
    source_url: str | None = None,
    source_name: str | None = None,
    lang: str | None = None,
) -> Path:
    """Write a new draft under the site's content folder (on a multilingual site, ``lang``'s folder, by
    default the default language's); never overwrites a file."""
    if not site_dir.is_dir():
        raise DigestError(f"no site folder at {site_dir}: create it, or pass --site")
    config = language_config(load_config(site_dir), lang)
    new = plan_new_article(title, config, now, tags=tags, source_url=source_url, source_name=source_name)
    content = (site_dir / config.content_dir).resolve()
    target = site_dir / new.rel
    # slugify only makes [a-z0-9-], but content_dir comes from the config: check where we land
    if not target.resolve().is_relative_to(content):
        raise DigestError(f"refusing to write {new.rel}: it is outside {config.content_dir}/", "digest.yaml")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(new.text)
    except FileExistsError:
        raise DigestError(
            "already exists, so nothing was written: edit that file, or give the new article another title",
            new.rel,
        ) from None
    return target
