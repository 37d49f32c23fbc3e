"""What a publish will do: the local files, the plan against a remote, the result.

Every publisher follows the same steps: ``scan_local`` the built site, read
the remote's state, ``make_plan``, then carry out ``Plan.writes()`` and
``Plan.deletes`` in that order (or only report them on a dry run) and return a
``PublishResult``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from digest.errors import DigestError

#: Receives one human-readable progress line at a time (the CLI prints them).
Progress = Callable[[str], None]

R = TypeVar("R")

_CHUNK = 1 << 20

#: Folders that are never part of a site, even when a user keeps one in output/
#: (and that a dir target never deletes).
SKIP_DIRS = frozenset({".git"})


@dataclass(frozen=True, slots=True)
class LocalFile:
    """One file of the built site."""

    path: Path  #: absolute path on disk
    size: int  #: bytes
    md5: str  #: hex MD5 (what S3 reports as the ETag of a single-part upload)
    sha256: str  #: hex SHA-256 (our own content hash, stored in S3 metadata)


def hash_file(path: Path) -> tuple[int, str, str]:
    """Size, MD5 and SHA-256 of a file, read in chunks."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            size += len(chunk)
            md5.update(chunk)
            sha.update(chunk)
    return size, md5.hexdigest(), sha.hexdigest()


def scan_local(site_dir: str | Path) -> dict[str, LocalFile]:
    """Every file of a built site by its ``/``-separated path relative to the site folder.

    Refuses a missing or empty folder: publishing one would, with ``delete``,
    wipe the remote.
    """
    root = Path(site_dir)
    if not root.is_dir():
        raise DigestError(f"site folder not found: {root} — build the site first", root)
    files: dict[str, LocalFile] = {}
    seen: set[str] = set()
    # symlinked folders are followed (a site may link in a media folder); the
    # set of real paths walked stops a link cycle from walking forever
    for folder, dirs, names in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in names:
            full = Path(folder, name)
            rel = full.relative_to(root).as_posix()
            if full.is_symlink() and not full.exists():
                raise DigestError(f"broken symbolic link in the site: {rel} — fix or remove it", full)
            if not full.is_file():  # sockets and pipes are not site files
                continue
            if "\n" in rel or "\r" in rel:
                raise DigestError(f"file name with a line break cannot be published: {rel!r}", full)
            size, md5, sha = hash_file(full)
            files[rel] = LocalFile(full, size, md5, sha)
    if not files:
        raise DigestError(f"site folder is empty: {root} — build the site first", root)
    return dict(sorted(files.items()))


# ---------------------------------------------------------------- ordering

_FEED_SUFFIXES = (".xml", ".rss", ".atom")
_FEED_NAMES = frozenset({"feed.json", "robots.txt"})


def _kind(relpath: str) -> int:
    """0 asset, 1 page, 2 index (root HTML pages, feeds, sitemaps: the entry points)."""
    name = relpath.rsplit("/", 1)[-1].lower()
    if name.endswith(_FEED_SUFFIXES) or name in _FEED_NAMES:
        return 2
    if name.endswith((".html", ".htm")):
        return 2 if "/" not in relpath else 1
    return 0


def _depth_first(relpath: str) -> tuple[int, str]:
    # deeper paths first: an article (/2024/05/01/slug/) goes up before its
    # month and year listings, and those before the home page
    return (-relpath.count("/"), relpath)


def write_stages(uploads: Iterable[str], updates: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """New and changed files in stages, each written only after the one before it is complete.

    Assets first (new, then changed), so no page points at a missing stylesheet
    or image; then new pages, so listings never link to a page not yet there;
    then changed pages; then the entry points (``404.html``, feeds, sitemaps,
    other root pages); the home page ``index.html`` alone at the very end.
    Within a stage deeper paths come first and the order does not matter for
    links, so a publisher may write one stage's files concurrently.
    """
    new, changed = list(uploads), list(updates)
    both = new + changed

    def part(paths: Iterable[str], kind: int) -> list[str]:
        return sorted((p for p in paths if _kind(p) == kind and p != "index.html"), key=_depth_first)

    stages = (
        part(new, 0) + part(changed, 0),
        part(new, 1),
        part(changed, 1),
        part(both, 2),
        [p for p in both if p == "index.html"],
    )
    return tuple(tuple(stage) for stage in stages if stage)


def publish_order(uploads: Iterable[str], updates: Iterable[str]) -> tuple[str, ...]:
    """``write_stages`` flattened: the order a one-at-a-time publisher writes in."""
    return tuple(p for stage in write_stages(uploads, updates) for p in stage)


def delete_order(deletes: Iterable[str]) -> tuple[str, ...]:
    """Pages before the assets they use, deeper paths first."""
    return tuple(sorted(deletes, key=lambda p: (_kind(p) == 0, _depth_first(p))))


# ---------------------------------------------------------------- planning


@dataclass(frozen=True, slots=True)
class Plan:
    """What a publish changes on the remote; each tuple is sorted by path."""

    uploads: tuple[str, ...]  #: files the remote does not have
    updates: tuple[str, ...]  #: files whose content differs on the remote
    deletes: tuple[str, ...]  #: stale remote files that will be removed
    unchanged: tuple[str, ...]  #: files the remote already has, byte for byte
    kept: tuple[str, ...] = ()  #: stale remote files left in place (publish without delete)

    def writes(self) -> tuple[str, ...]:
        """Uploads and updates in the order they are written (see ``write_stages``)."""
        return publish_order(self.uploads, self.updates)

    def write_stages(self) -> tuple[tuple[str, ...], ...]:
        """Uploads and updates in stages that may each be written concurrently (see ``write_stages``)."""
        return write_stages(self.uploads, self.updates)

    def delete_order(self) -> tuple[str, ...]:
        """Deletes in the order they are carried out, after every write."""
        return delete_order(self.deletes)

    @property
    def changes(self) -> int:
        """How many files the publish writes or removes."""
        return len(self.uploads) + len(self.updates) + len(self.deletes)

    def bytes_to_move(self, local: Mapping[str, LocalFile]) -> int:
        return sum(local[p].size for p in self.uploads + self.updates)

    def lines(self) -> list[str]:
        """The plan as progress lines, in the order it would run."""
        new = frozenset(self.uploads)
        out = [f"{'upload' if p in new else 'update'} {p}" for p in self.writes()]
        out += [f"delete {p}" for p in self.delete_order()]
        if self.kept:
            out.append(self.kept_note())
        return out

    def kept_note(self) -> str:
        """A line about stale files left in place."""
        count = len(self.kept)
        return f"keep {count} stale file{'s' if count != 1 else ''} (publish with --delete to remove them)"


def make_plan(
    local: Mapping[str, LocalFile],
    remote: Mapping[str, R],
    same: Callable[[str, LocalFile, R], bool],
    *,
    delete: bool,
) -> Plan:
    """Compare the site with a remote's state; ``same`` says whether a remote entry matches a local file."""
    uploads: list[str] = []
    updates: list[str] = []
    unchanged: list[str] = []
    for rel, info in sorted(local.items()):
        if rel not in remote:
            uploads.append(rel)
        elif same(rel, info, remote[rel]):
            unchanged.append(rel)
        else:
            updates.append(rel)
    stale = tuple(sorted(rel for rel in remote if rel not in local))
    return Plan(
        uploads=tuple(uploads),
        updates=tuple(updates),
        deletes=stale if delete else (),
        unchanged=tuple(unchanged),
        kept=() if delete else stale,
    )


# ---------------------------------------------------------------- result


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What a publish did (on a dry run: nothing; ``plan`` says what it would do)."""

    target: str  #: the target's name
    type: str  #: ``dir``, ``git`` or ``s3``
    plan: Plan
    dry_run: bool
    uploaded: int = 0  #: new files written
    updated: int = 0  #: changed files rewritten
    deleted: int = 0  #: stale files removed
    unchanged: int = 0  #: files left as they were
    bytes_moved: int = 0  #: size of the files written
    commit: str | None = None  #: git only: the new commit, None when nothing changed

    @property
    def files_moved(self) -> int:
        return self.uploaded + self.updated + self.deleted

    def summary(self) -> str:
        """One line for the end of a publish."""
        if self.dry_run:
            p = self.plan
            text = (f"{self.target}: dry run, would upload {len(p.uploads)}, update {len(p.updates)}, "
                    f"delete {len(p.deletes)}; {len(p.unchanged)} unchanged")
        else:
            text = (f"{self.target}: {self.uploaded} uploaded, {self.updated} updated, {self.deleted} deleted, "
                    f"{self.unchanged} unchanged ({_size(self.bytes_moved)} moved)")
        if self.plan.kept:
            text += f"; {len(self.plan.kept)} stale kept (use --delete)"
        if self.commit:
            text += f"; commit {self.commit[:12]}"
        return text


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{count} B"  # pragma: no cover


def result_of(target: str, kind: str, plan: Plan, local: Mapping[str, LocalFile], *,
              dry_run: bool, commit: str | None = None) -> PublishResult:
    """The result of carrying out ``plan`` in full (or of not carrying it out, on a dry run)."""
    if dry_run:
        return PublishResult(target, kind, plan, True, unchanged=len(plan.unchanged))
    return PublishResult(
        target, kind, plan, False,
        uploaded=len(plan.uploads), updated=len(plan.updates), deleted=len(plan.deletes),
        unchanged=len(plan.unchanged), bytes_moved=plan.bytes_to_move(local), commit=commit,
    )


def silent(_line: str) -> None:
    """A progress callback that drops every line."""
