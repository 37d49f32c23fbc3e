"""Temporary work folders of publishers that a killed publish cannot leak.

``tempfile.TemporaryDirectory`` is removed on exit and on exceptions, but not
when the process gets SIGKILL: a killed git publish used to leave a whole
temporary repository behind, every time. Here each work folder holds a file
with a POSIX record lock that its process holds while it works; the kernel
drops that lock when the process dies, however it dies. Every new publish
first removes the folders whose lock it can take: those of dead publishes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Iterator

PREFIX = "digest-publish-"
_LOCK = ".digest-alive"
_DONE = "done-"  # after the prefix: a finished publish's folder, being deleted
# a folder whose lock file is not in place this long after it was made belongs to a publish killed in the
# microseconds between making the folder and locking it (a live one locks at once)
_STALE_SECONDS = 5.0


def temp_root() -> Path:
    """The temporary folder, found as ``tempfile`` does but without its first-use probe.

    ``tempfile.gettempdir()`` first writes and deletes a randomly named file to test the folder;
    a publish killed at that moment left the file behind (the kill harness found one).
    """
    if tempfile.tempdir:
        return Path(tempfile.tempdir)
    for name in ("TMPDIR", "TEMP", "TMP"):
        value = os.environ.get(name)
        if value and os.path.isdir(value):
            return Path(value)
    return Path("/tmp") if os.path.isdir("/tmp") else Path(tempfile.gettempdir())


@contextlib.contextmanager
def work_folder(root: Path | None = None, prefix: str = PREFIX) -> Iterator[Path]:
    """A fresh folder in ``root`` (the temporary folder), removed afterwards; dead publishes' ones go first."""
    root = root or temp_root()
    remove_dead(root, prefix)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    # locked under another name, then renamed: the lock file is never visible unlocked
    fd = os.open(folder / f"{_LOCK}.new", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX)
        os.rename(folder / f"{_LOCK}.new", folder / _LOCK)
        yield folder
    finally:
        # renamed before it is emptied: a publish killed while deleting leaves a folder marked as done
        done = root / f"{prefix}{_DONE}{folder.name[len(prefix):]}"
        try:
            os.rename(folder, done)
        except OSError:
            done = folder
        shutil.rmtree(done, ignore_errors=True)
        os.close(fd)


def remove_dead(base: Path | None = None, prefix: str = PREFIX) -> list[Path]:
    """Remove work folders under ``base`` (the temporary folder) whose publish is dead; returns them."""
    root = base or temp_root()
    removed: list[Path] = []
    try:
        entries = [e for e in root.iterdir() if e.name.startswith(prefix)]
    except OSError:
        return removed
    for entry in entries:
        try:
            info = entry.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            continue
        if entry.name.startswith(prefix + _DONE):
            shutil.rmtree(entry, ignore_errors=True)  # its publish finished; deleting it was cut short
            removed.append(entry)
            continue
        try:
            fd = os.open(entry / _LOCK, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            if time.time() - info.st_mtime > _STALE_SECONDS:
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
            continue  # a publish just starting: leave it
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live publish holds it
        finally:
            os.close(fd)  # also drops the lock we may have taken
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed
