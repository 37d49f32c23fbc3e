"""Publish an already built site folder to a target: a folder, a git branch or an S3 bucket.

Publishing reads the built site only and knows nothing of the model. The CLI
parses the config's ``publish`` mapping with ``parse_targets``, picks a
target with ``PublishConfig.get(name)``, builds for production, then calls
``publish(target, output_dir, ...)``, printing each progress line and the
result's ``summary()``.

Every publisher runs the same plan (``scan_local`` -> ``make_plan`` ->
``Plan.writes()`` then ``Plan.deletes``); a dry run reports the plan and
changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from digest.publish.config import (
    DirTarget,
    GitTarget,
    PublishConfig,
    PublishConfigError,
    S3Target,
    Target,
    parse_targets,
)
from digest.publish.fingerprint import is_fingerprinted
from digest.publish.plan import LocalFile, Plan, Progress, PublishResult, make_plan, scan_local

__all__ = [
    "DirTarget", "GitTarget", "LocalFile", "Plan", "Progress", "PublishConfig", "PublishConfigError",
    "PublishResult", "S3Target", "Target", "describe_source", "is_fingerprinted", "make_plan",
    "parse_targets", "publish", "scan_local",
]


def publish(
    target: Target,
    site_dir: str | Path,
    *,
    delete: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
    source: str = "uncommitted",
) -> PublishResult:
    """Publish the built site in ``site_dir`` to ``target``; raise ``DigestError`` on the user's problems.

    ``delete`` removes remote files that are no longer in the site (a git
    target always mirrors). ``dry_run`` computes and reports the plan only.
    ``progress`` receives one line per step. ``now`` and ``source`` (see
    ``describe_source``) go into a git commit's date and message.
    """
    # publishers are imported here so that boto3 is only needed for S3 targets
    if isinstance(target, DirTarget):
        from digest.publish.dir import DirPublisher

        return DirPublisher(target).publish(site_dir, delete=delete, dry_run=dry_run, progress=progress)
    if isinstance(target, GitTarget):
        from digest.publish.git import GitPublisher

        return GitPublisher(target, now=now, source=source).publish(
            site_dir, delete=delete, dry_run=dry_run, progress=progress
        )
    if isinstance(target, S3Target):
        from digest.publish.s3 import S3Publisher

        return S3Publisher(target).publish(site_dir, delete=delete, dry_run=dry_run, progress=progress)
    raise TypeError(f"not a publish target: {target!r}")


def describe_source(project_dir: str | Path) -> str:
    """The source commit for a git publish message, or ``"uncommitted"`` (see ``digest.publish.git``)."""
    from digest.publish.git import describe_source as describe

    return describe(project_dir)
