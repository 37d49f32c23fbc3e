"""Publish into a local folder: copy what changed, atomically, in a link-safe order."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from digest.errors import DigestError
from digest.publish.config import DirTarget
from digest.publish.scratch import work_folder
from digest.publish.plan import (
    SKIP_DIRS,
    LocalFile,
    Progress,
    PublishResult,
    hash_file,
    make_plan,
    result_of,
    scan_local,
    silent,
)

#: Temporary copies live in a work folder beside the target (inside it, named so, when the target is a
#: mount point) until os.replace moves each into place: a killed publish leaves no stray file in the target.
TMP_PREFIX = ".digest-tmp-"


def scan_folder(root: Path) -> dict[str, Path]:
    """Files already in the target folder by relative path (our leftover temp files excluded)."""
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        dirs[:] = [d for d in dirs if not d.startswith(TMP_PREFIX)]
        for name in names:
            if name.startswith(TMP_PREFIX):
                continue
            full = Path(folder, name)
            found[full.relative_to(root).as_posix()] = full
    return found


def _scratch_place(root: Path) -> tuple[Path, str]:
    """Where the work folder goes: beside the target, or inside it when the target is a mount point."""
    real = root.resolve()
    if real.parent.stat().st_dev == real.stat().st_dev:
        return real.parent, f".{real.name}{TMP_PREFIX}"
    return real, TMP_PREFIX  # os.replace cannot cross file systems; scan_folder skips it


def _remove_leftovers(root: Path) -> None:
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in names:
            if name.startswith(TMP_PREFIX):
                Path(folder, name).unlink(missing_ok=True)


def _same(_rel: str, info: LocalFile, there: Path) -> bool:
    # size first: a different size needs no hashing
    try:
        if there.stat().st_size != info.size:
            return False
        return hash_file(there)[2] == info.sha256
    except OSError:
        return False


class DirPublisher:
    """Sync a built site into ``target.path``.

    Each file is copied to a temporary name in its destination folder and
    moved into place with ``os.replace``, so a reader never sees a partly
    written file; files are written in ``Plan.writes()`` order and stale files
    removed only at the end (and only with ``delete``). Unchanged files are not
    touched, so they keep their modification time.
    """

    def __init__(self, target: DirTarget) -> None:
        self.target = target

    def publish(self, site_dir: str | Path, *, delete: bool = False, dry_run: bool = False,
                progress: Progress | None = None) -> PublishResult:
        say = progress or silent
        site = Path(site_dir)
        root = self.target.path
        self._check_folders(site, root)
        local = scan_local(site)
        remote = scan_folder(root)
        plan = make_plan(local, remote, _same, delete=delete)
        if dry_run:
            for line in plan.lines():
                say(f"would {line}")
            return result_of(self.target.name, "dir", plan, local, dry_run=True)

        _remove_leftovers(root)  # half-copied files an older digest left beside their destination
        new = frozenset(plan.uploads)
        root.mkdir(parents=True, exist_ok=True)
        with work_folder(*_scratch_place(root)) as scratch:
            for rel in plan.writes():
                say(f"{'upload' if rel in new else 'update'} {rel}")
                self._copy(local[rel].path, rel, scratch)
        for rel in plan.delete_order():
            say(f"delete {rel}")
            self._remove(rel)
        if plan.kept:
            say(plan.kept_note())
        return result_of(self.target.name, "dir", plan, local, dry_run=False)

    def _check_folders(self, site: Path, root: Path) -> None:
        if root.exists() and not root.is_dir():
            raise DigestError(f"publish target '{self.target.name}': {root} is a file, not a folder")
        a, b = site.resolve(), root.resolve()
        if a == b or a in b.parents or b in a.parents:
            # syncing a folder into itself (or its parent) would copy or delete the site's own files
            raise DigestError(
                f"publish target '{self.target.name}': folder {root} overlaps the site folder {site}; "
                "publish to a folder outside it"
            )

    def _copy(self, source: Path, rel: str, scratch: Path) -> None:
        dest = self.target.path.joinpath(*rel.split("/"))
        tmp = scratch / f"{secrets.token_hex(4)}-{dest.name}"
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            with open(source, "rb") as reader, open(tmp, "xb") as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
            os.replace(tmp, dest)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise DigestError(
                f"publish target '{self.target.name}': cannot write {rel}: {exc.strerror or exc} "
                "(a file and a folder of the same name?)",
                dest,
            ) from None

    def _remove(self, rel: str) -> None:
        root = self.target.path
        path = root.joinpath(*rel.split("/"))
        path.unlink(missing_ok=True)
        # drop folders the delete left empty, never the target itself
        parent = path.parent
        while parent != root and root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
