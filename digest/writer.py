"""The only code that touches the output folder.

A build stages every new or changed file in a temporary folder beside the
output; nothing in the output changes until the whole build has succeeded.
Then either the staging folder becomes the output (first build) or its
files are moved in one by one under a journal, so a crash part-way through
is rolled forward by the next run. Unchanged files are never rewritten, so
they keep their mtime (publishers and rsync rely on it).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from digest.errors import DigestError
from digest.urls import UnsafePath, check_relative, safe_join

_STAGE_PREFIX = ".digest-stage-"
_JOURNAL_SUFFIX = ".digest-journal"


def check_output_dir(output: Path, site_dir: Path, protected: Iterable[Path]) -> None:
    """Refuse an output folder that is the site itself, holds it, or lies inside its sources."""
    out = output.resolve()
    site = site_dir.resolve()
    if out == site or site.is_relative_to(out):
        raise DigestError(
            f"the output folder {output} is the site folder or contains it: choose a folder inside it, like 'output'",
            "digest.yaml",
        )
    for path in protected:
        p = path.resolve()
        if out == p or p.is_relative_to(out) or out.is_relative_to(p):
            raise DigestError(
                f"the output folder {output} overlaps {path}: the build would overwrite your sources; choose 'output'",
                "digest.yaml",
            )


@dataclass(slots=True)
class CommitStats:
    written: int = 0
    deleted: int = 0
    unchanged: int = 0
    written_paths: list[str] = field(default_factory=list)
    deleted_paths: list[str] = field(default_factory=list)


class OutputWriter:
    """Stages changed files and applies them to the output only on ``commit``."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.parent = output.parent
        self.parent.mkdir(parents=True, exist_ok=True)
        self.journal = self.parent / f".{output.name}{_JOURNAL_SUFFIX}"
        recover(output)
        self.stage = self.parent / f"{_STAGE_PREFIX}{output.name}-{os.getpid()}"
        if self.stage.exists():
            shutil.rmtree(self.stage)
        self.stage.mkdir()
        self._made: set[str] = set()  # staging folders already created (saves a mkdir per file)
        self._done = False

    # -- reading the current output ------------------------------------------------------------
    # Reads need no symlink check: nothing is written through these paths.
    def current_bytes(self, rel: str) -> bytes | None:
        try:
            with open(os.path.join(self.output, check_relative(rel)), "rb") as handle:
                return handle.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError, UnsafePath):
            return None

    def exists(self, rel: str) -> bool:
        try:
            return os.path.isfile(os.path.join(self.output, check_relative(rel)))
        except UnsafePath:
            return False

    # -- staging --------------------------------------------------------------------------------
    def _stage_target(self, rel: str) -> str:
        # The staging folder is ours and fresh (no symlinks in it), so checking the path's
        # segments is enough; no need to resolve() every file on the hot path.
        check_relative(rel)
        folder, _, _name = rel.rpartition("/")
        if folder and folder not in self._made:
            os.makedirs(os.path.join(self.stage, folder), exist_ok=True)
            self._made.add(folder)
        return os.path.join(self.stage, rel)

    def stage_bytes(self, rel: str, data: bytes) -> None:
        with open(self._stage_target(rel), "wb") as handle:
            handle.write(data)

    def stage_copy(self, rel: str, source: Path) -> None:
        shutil.copyfile(source, self._stage_target(rel))

    def staged(self) -> list[str]:
        return sorted(p.relative_to(self.stage).as_posix() for p in self.stage.rglob("*") if p.is_file())

    # -- applying -------------------------------------------------------------------------------
    def commit(self, expected: set[str], previous: set[str] | None = None) -> CommitStats:
        """Make the output hold exactly ``expected`` (hidden top-level entries such as .git are kept).

        ``previous`` is what the last build wrote: when nothing is staged and the set of files
        is the same, the output is already right and is not even walked.
        """
        stats = CommitStats()
        puts = self.staged()
        if not puts and previous is not None and previous == expected and self.output.is_dir():
            stats.unchanged = len(expected)
            self.discard()
            return stats
        stats.written_paths = puts
        stats.written = len(puts)
        with _no_interrupts():
            if not self.output.exists():
                os.replace(self.stage, self.output)
                self._done = True
                stats.unchanged = 0
                return stats
            deletes = sorted(set(_existing_files(self.output)) - expected)
            stats.deleted_paths = deletes
            stats.deleted = len(deletes)
            stats.unchanged = len(expected) - len(puts)
            if not puts and not deletes:
                self.discard()
                return stats
            # The journal makes the move-in restartable: the next run finishes it.
            _write_json(self.journal, {"stage": self.stage.name, "puts": _order(puts), "deletes": deletes})
            _apply(self.output, self.stage, _order(puts), deletes)
            self.journal.unlink()
            shutil.rmtree(self.stage, ignore_errors=True)
            self._done = True
        return stats

    def discard(self) -> None:
        if not self._done:
            shutil.rmtree(self.stage, ignore_errors=True)
            self._done = True


def _order(puts: list[str]) -> list[str]:
    # assets and feeds first, pages after, index pages last: links in a new page never point at a missing file
    return sorted(puts, key=lambda p: (p.endswith(".html"), p.endswith("index.html"), p.count("/") * -1, p))


def _existing_files(root: Path) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        if dirpath == str(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            filenames = [f for f in filenames if not f.startswith(".")]
        rel_dir = os.path.relpath(dirpath, root)
        for name in filenames:
            yield name if rel_dir == "." else f"{rel_dir.replace(os.sep, '/')}/{name}"


def _apply(output: Path, stage: Path, puts: list[str], deletes: list[str]) -> None:
    for rel in puts:
        source = stage / rel
        if not source.exists():  # already moved by an interrupted run
            continue
        target = safe_join(output, rel)
        if target.is_dir():
            shutil.rmtree(target)
        _make_parents(output, target.parent)
        os.replace(source, target)
    for rel in deletes:
        target = safe_join(output, rel)
        try:
            target.unlink()
        except FileNotFoundError:
            pass
        parent = target.parent
        while parent != output and parent.is_relative_to(output):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent


def _make_parents(output: Path, folder: Path) -> None:
    # a file where a folder must go (an old page named like a new folder) is replaced
    missing = []
    current = folder
    while current != output and not current.is_dir():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        if path.exists() and not path.is_dir():
            path.unlink()
        path.mkdir(exist_ok=True)


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def recover(output: Path) -> None:
    """Finish a move-in a killed build started, and remove stale staging folders."""
    parent = output.parent
    journal = parent / f".{output.name}{_JOURNAL_SUFFIX}"
    if journal.exists():
        try:
            data = json.loads(journal.read_text())
            stage = parent / data["stage"]
            if stage.is_dir() and output.is_dir():
                _apply(output, stage, data["puts"], data["deletes"])
        except (ValueError, KeyError, OSError):
            pass
        journal.unlink(missing_ok=True)
    prefix = f"{_STAGE_PREFIX}{output.name}-"
    if parent.is_dir():
        for entry in parent.iterdir():
            if entry.name.startswith(prefix) and entry.is_dir():
                pid = entry.name[len(prefix) :]
                if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
                    continue  # another build is running right now
                shutil.rmtree(entry, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _no_interrupts:
    """Hold Ctrl-C during the few milliseconds of moving files in; deliver it afterwards."""

    def __enter__(self) -> None:
        self._received: list[int] = []
        try:
            self._old = signal.signal(signal.SIGINT, lambda s, f: self._received.append(s))
        except ValueError:  # not the main thread
            self._old = None

    def __exit__(self, *exc: object) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
            if self._received:
                raise KeyboardInterrupt
