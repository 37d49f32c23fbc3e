"""The only code that touches the output folder.

A build stages every new or changed file in a temporary folder beside the
output; nothing in the output changes until the whole build has succeeded.
Then either the staging folder becomes the output (first build), or it is
completed with hard links to the unchanged files and swapped with the output
in one ``RENAME_EXCHANGE`` (so a reader sees exactly the old tree or exactly
the new one, whenever the build dies), or its files are moved in one by one
under a journal, so a crash part-way through is rolled forward by the next
run. The swap is used for small sites and when much of a site changed; the
one-by-one move when few files of a large site changed (its move-in takes
milliseconds, and the swap's cost grows with the whole site), and where
folders cannot be swapped (another OS, a mount point). Unchanged files are
never rewritten, so they keep their mtime (publishers and rsync rely on it).

Beside the output (in its parent folder) live three hidden things, all named
after it: the staging folder ``.digest-stage-<name>-<pid>``, the journal
``.<name>.digest-journal`` and the lock file ``.<name>.digest-lock``. The lock
(``digest.write.lock``: it names its holder's pid and dies with that process)
is held from the start of staging to the end of the move-in, so two builds
never interleave, and any staging folder found while holding it is a dead
build's leftover. Once a build has committed, the lock file says so: only then
does digest delete files in that folder that the build did not make.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from digest.errors import DigestError, Problem
from digest.rules.urls import UnsafePath, check_relative, lexical_join, safe_join
from digest.write.exchange import available as exchange_available
from digest.write.exchange import exchange
from digest.write.lock import Holder, OutputLock

_STAGE_PREFIX = ".digest-stage-"
_JOURNAL_SUFFIX = ".digest-journal"
_LOCK_SUFFIX = ".digest-lock"
_EXAMPLES = 3  # foreign files named in a refusal
# The whole-tree swap links every unchanged file into the new tree and deletes the old tree after, which
# costs time per file of the site; moving files in one by one costs time per changed file but leaves the
# output part old, part new for as long as the moves take. So: swap when the site is small or much of it
# changed (a long move-in), move in one by one when few files changed (a move-in of milliseconds).
SWAP_ALWAYS_UP_TO = 1000  # files in the whole output
SWAP_UNCHANGED_PER_CHANGED = 3  # larger sites: swap when at most this many unchanged files per changed one
# what the disk (not digest) refuses: said in one line with what to do, never a traceback
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_REFUSED = {errno.EROFS, errno.EACCES, errno.EPERM}


def check_output_dir(output: Path, site_dir: Path, protected: Iterable[Path], origin: str = "digest.yaml") -> None:
    """Refuse an output folder that is the site itself, holds it, lies inside its sources, or is a file.

    ``origin`` names where the folder was chosen (``digest.yaml`` or ``--output``) for the message.
    """
    out = output.resolve()
    site = site_dir.resolve()
    shown = f"{output} ({out})" if str(out) != str(output) else str(output)
    if out == site or site.is_relative_to(out):
        raise DigestError(
            f"the output folder {shown} is the site folder or contains it; a build empties its output:"
            " choose a folder inside the site, like 'output'",
            origin,
        )
    for path in protected:
        p = path.resolve()
        if out == p or p.is_relative_to(out) or out.is_relative_to(p):
            raise DigestError(
                f"the output folder {shown} overlaps {path}: the build would overwrite your sources;"
                " choose another folder, like 'output'",
                origin,
            )
    if output.exists() and not output.is_dir():
        raise DigestError(f"the output folder {output} is a file: move it away or choose another folder", origin)
    if output.is_symlink() and not output.exists():
        raise DigestError(
            f"the output folder {output} is a symbolic link to a missing folder: create the folder or remove the link",
            origin,
        )


def find_collisions(claims: Iterable[tuple[str, str]]) -> list[Problem]:
    """Output files that would overwrite each other, as problems naming both claimants.

    ``claims`` are (output path, what makes it). Two claims collide when they are
    the same path, when they differ only in letter case or trailing dots (one file
    on macOS and Windows), or when one is a file where the other needs a folder.
    """
    problems: list[Problem] = []
    owner: dict[str, str] = {}  # path -> origin
    folded: dict[str, str] = {}  # folded path -> path
    keys: dict[str, str] = {}  # path -> folded path
    for rel, origin in claims:
        too_long = _too_long(rel)
        if too_long is not None:
            problems.append(Problem(origin, None, too_long))
            continue
        if rel in owner:
            if owner[rel] != origin:
                problems.append(
                    Problem(origin, None, f"the output file {rel} is also made by {owner[rel]}: rename one of them")
                )
            continue
        key = _fold(rel)
        if key in folded:
            other = folded[key]
            problems.append(
                Problem(
                    origin,
                    None,
                    f"the output file {rel} differs from {other} (made by {owner[other]}) only in letter case:"
                    " they are one file on macOS and Windows; rename one of them",
                )
            )
            continue
        owner[rel] = origin
        folded[key] = rel
        keys[rel] = key
    for rel, origin in owner.items():
        # a folder of the path, folded, is the folded path up to one of its slashes (folding is per name)
        key = keys[rel]
        at = key.find("/")
        while at != -1:
            folder = folded.get(key[:at])
            at = key.find("/", at + 1)
            if folder is not None:
                problems.append(
                    Problem(
                        origin,
                        None,
                        f"the output file {rel} needs a folder where {owner[folder]} makes the file {folder}:"
                        " rename one of them",
                    )
                )
                break
    return problems


def new_collisions(settled: Sequence[tuple[str, str]], new: Sequence[tuple[str, str]]) -> list[Problem]:
    """``find_collisions`` of the ``settled`` claims (known to be clear among themselves) and the ``new``
    ones, looking only at the settled claims in the top folders of the new ones: paths that collide
    have the same first name, folded (a kept plan adds a few dozen paths to 23,000 settled ones)."""
    if not new:
        return []
    tops = {_fold(rel.partition("/")[0]) for rel, _ in new}
    return find_collisions([*(c for c in settled if _fold(c[0].partition("/")[0]) in tops), *new])


NAME_MAX = 255  # bytes in one file or folder name on every common file system
PATH_MAX = 4096 - 256  # bytes in a whole path on Linux, less room for the output folder's own path


def _too_long(rel: str) -> str | None:
    for part in rel.split("/"):
        size = len(part.encode("utf-8"))
        if size > NAME_MAX:
            return (
                f"the output path {rel[:60]}... has a name of {size} bytes, more than the {NAME_MAX} a file system"
                " allows: give it a shorter 'slug' (or rename the file)"
            )
    if len(rel.encode("utf-8")) > PATH_MAX:
        return f"the output path {rel[:60]}... is longer than {PATH_MAX} bytes: use shorter names or fewer folders"
    return None


def _fold(rel: str) -> str:
    return "/".join(part.casefold().rstrip(". ") for part in rel.split("/"))


@dataclass(slots=True)
class CommitStats:
    written: int = 0
    deleted: int = 0
    unchanged: int = 0
    written_paths: list[str] = field(default_factory=list)
    deleted_paths: list[str] = field(default_factory=list)


class OutputWriter:
    """Stages changed files and applies them to the output only on ``commit``."""

    def __init__(
        self, output: Path, *, wait: bool = False, on_wait: Callable[[Holder], None] | None = None
    ) -> None:
        """Take the output's lock (see ``digest.write.lock``): ``wait`` for another build, or refuse."""
        self.output = output
        # beside the folder the output really is, so moving files in is a rename on one file system
        self.parent = output.resolve().parent
        self.journal = journal_path(output)
        self._made: set[str] = set()  # staging folders already created (saves a mkdir per file)
        self._done = False
        self._holding = False  # commit keeps the lock through its ``then``
        self._moving = False  # files are being moved in one by one: the output is part old, part new
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
            self._lock = OutputLock.acquire(lock_path(output), output, wait=wait, on_wait=on_wait)
        except OSError as exc:
            raise self.explain(exc) or exc from None
        try:
            recover(output, locked=True)
            self.stage = self.parent / f"{_STAGE_PREFIX}{output.name}-{os.getpid()}"
            self.stage.mkdir()
        except BaseException as exc:
            self._release()
            if isinstance(exc, OSError):
                raise self.explain(exc) or exc from None
            raise

    # -- reading the current output ------------------------------------------------------------
    # Reads need no symlink check: nothing is written through these paths.
    def current_bytes(self, rel: str) -> bytes | None:
        try:
            with open(os.path.join(self.output, check_relative(rel)), "rb") as handle:
                return handle.read()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError, UnsafePath):
            return None

    def current_path(self, rel: str) -> Path | None:
        """The output's regular file at ``rel``, if there is one."""
        try:
            path = Path(self.output, check_relative(rel))
        except UnsafePath:
            return None
        return path if path.is_file() else None

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
        try:
            with open(self._stage_target(rel), "wb") as handle:
                handle.write(data)
        except OSError as exc:
            exc.filename = exc.filename or rel  # a full disk fails in write(), which names no file
            raise

    def stage_copy(self, rel: str, source: Path) -> None:
        try:
            shutil.copyfile(source, self._stage_target(rel))
        except OSError as exc:
            exc.filename = exc.filename or rel
            raise

    def staged(self) -> list[str]:
        return sorted(p.relative_to(self.stage).as_posix() for p in self.stage.rglob("*") if p.is_file())

    # -- applying -------------------------------------------------------------------------------
    def commit(
        self, expected: set[str], previous: set[str] | None = None, *, then: Callable[[], None] | None = None
    ) -> CommitStats:
        """Make the output hold exactly ``expected`` (hidden top-level entries such as .git are kept).

        ``previous`` is what the last build wrote: when nothing is staged and the set of files
        is the same, the output is already right; in a folder digest made, the files to delete
        are the previous ones this build does not make, so the output is never walked.
        ``then`` runs once the output holds them, still under the output's lock (the build records
        what it wrote there before another build may read that record).
        """
        self._holding = True  # the lock outlives the moves until ``then`` has run
        try:
            stats = self._commit(expected, previous)
            if then is not None:
                then()
            return stats
        finally:
            self._holding = False
            self._release()

    def _commit(self, expected: set[str], previous: set[str] | None) -> CommitStats:
        stats = CommitStats()
        puts = self.staged()
        if not puts and previous is not None and previous == expected and self.output.is_dir():
            stats.unchanged = len(expected)
            self.discard()
            return stats
        stats.written_paths = puts
        stats.written = len(puts)
        try:
            with _no_interrupts():
                if not self.output.exists() and not self.output.is_symlink():
                    try:
                        os.replace(self.stage, self.output)
                    except OSError as exc:
                        if exc.errno != errno.EXDEV:
                            raise
                    else:
                        self._mark_owned()
                        self._done = True
                        return stats
                    self.output.mkdir()  # a mount point's parent: move the files in one by one
                if previous is not None and self._owned():
                    # what the last build wrote here is known: no walk of every folder of the output
                    deletes = sorted(p for p in previous - expected if os.path.lexists(os.path.join(self.output, p)))
                else:
                    deletes = sorted(set(_existing_files(self.output)) - expected)
                if deletes and not self._owned():
                    shown = ", ".join(deletes[:_EXAMPLES]) + (", ..." if len(deletes) > _EXAMPLES else "")
                    raise DigestError(
                        f"the output folder {self.output} holds {len(deletes)} file(s) this build does not make"
                        f" ({shown}) and was not made by digest, and a build deletes such files: empty it,"
                        " or choose another output folder",
                        "output",
                    )
                stats.deleted_paths = deletes
                stats.deleted = len(deletes)
                stats.unchanged = len(expected) - len(puts)
                if not puts and not deletes:
                    self._mark_owned()
                    self.discard()
                    return stats
                order = _order(puts)
                _check_targets(self.output, order, deletes)
                if self._swap_in(expected, set(puts)):
                    return stats
                # The journal makes the move-in restartable: the next run finishes it.
                _write_json(self.journal, {"stage": self.stage.name, "puts": order, "deletes": deletes})
                self._moving = True
                _apply(self.output, self.stage, order, deletes)
                self.journal.unlink()
                self._mark_owned()
                shutil.rmtree(self.stage, ignore_errors=True)
                self._done = True
        finally:
            if self._done:
                self._release()
        return stats

    def _swap_in(self, expected: set[str], puts: set[str]) -> bool:
        """Complete the staging folder with links to the unchanged files, then swap it with the output.

        One ``RENAME_EXCHANGE`` makes the whole new tree the output, so no reader ever sees a mix.
        Hard links keep the unchanged files' inodes (and mtimes). False, with the output untouched,
        where this cannot be done; the caller then moves the files in one by one.
        """
        unchanged = len(expected) - len(puts)
        if not exchange_available() or (
            len(expected) > SWAP_ALWAYS_UP_TO and unchanged > SWAP_UNCHANGED_PER_CHANGED * len(puts)
        ):
            return False
        real = self.output.resolve()
        kept = sorted(name for name in os.listdir(real) if name.startswith("."))  # .git and the like stay
        if real.is_mount() or set(kept) & {rel.split("/", 1)[0] for rel in expected} or _has_links(real):
            # a mount point cannot be swapped; a hidden folder both trees use needs merging; a symbolic
            # link someone put in the output (a media folder) stays where it is on the one-by-one path
            return False
        try:
            for rel in sorted(expected - puts):
                target = self._stage_target(rel)
                os.link(lexical_join(real, rel), target, follow_symlinks=False)
        except OSError as exc:
            if exc.errno in _FULL or exc.errno in _REFUSED - {errno.EPERM}:
                raise  # the one-by-one path would fail the same way, part-way through the output
            return False  # no hard links here (or a vanished file): the one-by-one path needs none
        # the journal names the staging folder's inode: after the swap the output has it, so a killed
        # run's successor knows whether to move the hidden entries across
        _write_json(self.journal, {"stage": self.stage.name, "swap": self.stage.stat().st_ino, "kept": kept})
        if not exchange(self.stage, real):
            self.journal.unlink()
            return False
        _carry_over(self.stage, real, kept)
        self.journal.unlink()
        self._mark_owned()
        shutil.rmtree(self.stage, ignore_errors=True)  # the old tree
        self._done = True
        return True

    def explain(self, exc: OSError) -> DigestError | None:
        """A full, read-only or forbidden disk as the one message a user needs; None for anything else."""
        if exc.errno in _FULL:
            todo = "free some space there (or build elsewhere with --output) and build again"
        elif exc.errno in _REFUSED:
            todo = "make it writable (or build elsewhere with --output) and build again"
        else:
            return None
        what = (exc.strerror or str(exc)).lower()
        where = f" ({exc.filename})" if exc.filename else ""
        state = (
            "part of the new output is in place and the next build finishes it"
            if self._moving
            else "the old output is unchanged"
        )
        return DigestError(f"cannot write the output folder {self.output}: {what}{where}: {todo}; {state}", "output")

    def discard(self) -> None:
        if not self._done:
            shutil.rmtree(self.stage, ignore_errors=True)
            self._done = True
        self._release()

    def _owned(self) -> bool:
        # read through the held lock: opening the lock file a second time would drop a record lock
        return self._lock.owned() if self._lock is not None else False

    def _mark_owned(self) -> None:
        if self._lock is not None:
            self._lock.mark_owned()

    def _release(self) -> None:
        if self._lock is not None and not self._holding:
            self._lock.release()
            self._lock = None


def lock_path(output: Path) -> Path:
    return output.resolve().parent / f".{output.name}{_LOCK_SUFFIX}"


def journal_path(output: Path) -> Path:
    return output.resolve().parent / f".{output.name}{_JOURNAL_SUFFIX}"


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


def _check_targets(output: Path, puts: list[str], deletes: list[str]) -> None:
    """Refuse, before anything moves, a path whose folders lead out of the output (a symbolic link)."""
    root = output.resolve()
    checked: set[str] = set()
    for rel in [*puts, *deletes]:
        parts = rel.split("/")[:-1]
        for end in range(1, len(parts) + 1):
            prefix = "/".join(parts[:end])
            if prefix in checked:
                continue
            checked.add(prefix)
            current = output / prefix
            if current.is_symlink() and not current.resolve().is_relative_to(root):
                raise DigestError(
                    f"{current} is a symbolic link that leads out of the output folder; digest never writes"
                    " through it: remove the link",
                    "output",
                )
            if not current.exists():
                break


def _apply(output: Path, stage: Path, puts: list[str], deletes: list[str]) -> None:
    for rel in puts:
        source = lexical_join(stage, rel)
        if not source.exists():  # already moved by an interrupted run
            continue
        target = safe_join(output, rel)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        _make_parents(output, target.parent)
        _move(source, target)
    for rel in deletes:
        target = lexical_join(output, rel)
        if not target.parent.resolve().is_relative_to(output.resolve()):
            continue  # never reach through a link out of the output
        try:
            target.unlink()
        except (FileNotFoundError, NotADirectoryError):
            pass
        parent = target.parent
        while parent != output and parent.is_relative_to(output):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        # the output is a mount point: copy beside the target, then rename, so the file is never half-written
        temp = target.with_name(f".{target.name}.digest-tmp")
        shutil.copyfile(source, temp)
        os.replace(temp, target)
        source.unlink()


def _has_links(root: Path) -> bool:
    """A symbolic link anywhere in the output, hidden top-level entries (moved across whole) aside."""
    for dirpath, dirnames, filenames in os.walk(root):
        if dirpath == str(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            filenames = [f for f in filenames if not f.startswith(".")]
        if any(os.path.islink(os.path.join(dirpath, name)) for name in (*dirnames, *filenames)):
            return True
    return False


def _carry_over(old: Path, new: Path, names: list[str]) -> None:
    """Move the hidden top-level entries (.git, .well-known a user made) from the old tree into the new."""
    for name in names:
        source = old / name
        if (source.exists() or source.is_symlink()) and not (new / name).exists():
            os.rename(source, new / name)


def _make_parents(output: Path, folder: Path) -> None:
    # a file where a folder must go (an old page named like a new folder) is replaced
    missing = []
    current = folder
    while current != output and not current.is_dir():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
        path.mkdir(exist_ok=True)


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())  # the journal must be on disk before the first file moves
    os.replace(tmp, path)


def recover(output: Path, *, locked: bool = False) -> None:
    """Finish a move-in a killed build started, and remove stale staging folders.

    Without ``locked`` (the caller does not hold the output's lock) it takes the
    lock itself, and does nothing while another build holds it.
    """
    lock = None
    if not locked:
        try:
            lock = OutputLock.acquire(lock_path(output), output)
        except DigestError:
            return  # a build is running; it recovers on its own
    try:
        parent = output.resolve().parent
        journal = journal_path(output)
        if journal.exists():
            try:
                data = json.loads(journal.read_text(encoding="utf-8"))
                stage = parent / data["stage"]
                if not (stage.name.startswith(_STAGE_PREFIX) and stage.is_dir() and output.is_dir()):
                    pass
                elif "swap" in data:
                    # swapped if the output now is the staging folder that was: carry the hidden entries over
                    if output.resolve().stat().st_ino == data["swap"]:
                        _carry_over(stage, output.resolve(), [str(name) for name in data["kept"]])
                else:
                    _apply(output, stage, list(data["puts"]), list(data["deletes"]))
            except (ValueError, KeyError, TypeError, OSError):
                pass  # a damaged journal: the next build compares every file anyway
            journal.unlink(missing_ok=True)
        prefix = f"{_STAGE_PREFIX}{output.name}-"
        if parent.is_dir():
            for entry in parent.iterdir():
                # under the lock no other build is staging: every staging folder is a leftover
                if entry.name.startswith(prefix) and entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
            for entry in parent.glob(f".{output.name}{_JOURNAL_SUFFIX}.tmp"):
                entry.unlink(missing_ok=True)
    finally:
        if lock is not None:
            lock.release()


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
