"""``digest publish``: a production build, the checks that protect a live site, then the upload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from digest.pipeline import BuildOptions, BuildResult, build
from digest.config import CONFIG_NAME, SiteConfig, load_config
from digest.errors import DigestError
from digest.publish import PublishResult, describe_source, parse_targets, publish

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


@dataclass(frozen=True, slots=True)
class PublishRun:
    build: BuildResult
    result: PublishResult
    target: str


def check_publishable(config: SiteConfig, config_exists: bool) -> None:
    """Refuse a base_url that would put wrong absolute links (feeds, sitemap) on the live site."""
    host = (urlsplit(config.base_url).hostname or "").lower()
    if not config_exists or host in _LOCAL_HOSTS or host.endswith(".localhost"):
        raise DigestError(
            f"base_url is '{config.base_url}': set it to the public address of the site, "
            "e.g. 'base_url: https://news.example.org/', before publishing",
            CONFIG_NAME,
        )


def publish_site(
    site_dir: Path,
    target_name: str | None,
    *,
    delete: bool = False,
    dry_run: bool = False,
    output_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
    jobs: int = 0,
) -> PublishRun:
    config = load_config(site_dir)
    targets = parse_targets(config.publish, site_dir / CONFIG_NAME)
    target = targets.get(target_name)  # unknown names are refused before anything is built
    check_publishable(config, (site_dir / CONFIG_NAME).exists())
    # production: no drafts, no future articles, the configured base_url, no live-reload code
    built = build(BuildOptions(site_dir=site_dir, output_dir=output_dir, drafts=False, future=False, jobs=jobs, now=now))
    if built.drafts_published:
        raise DigestError(
            f"the output holds {built.drafts_published} draft article(s): remove 'draft: true' or fix the build",
            CONFIG_NAME,
        )
    result = publish(
        target, built.output, delete=delete, dry_run=dry_run, progress=progress, now=now,
        source=describe_source(site_dir),
    )
    return PublishRun(built, result, target.name)
