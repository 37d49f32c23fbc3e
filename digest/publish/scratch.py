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
import tempfile
from pathlib import Path
from typing import Iterator

PREFIX = "digest-publish-"
_LOCK = ".digest-alive"


@contextlib.contextmanager
def work_folder() -> Iterator[Path]:
    """A fresh temporary folder, removed afterwards; a dead publish's leftovers are removed first."""
    remove_dead()
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    # locked under another name, then renamed: the lock file is never visible unlocked
    fd = os.open(folder / f"{_LOCK}.new", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX)
        os.rename(folder / f"{_LOCK}.new", folder / _LOCK)
        yield folder
    finally:
        os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)


def remove_dead(base: Path | None = None) -> list[Path]:
    """Remove work folders under ``base`` (the temporary folder) whose publish is dead; returns them."""
    root = base or Path(tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = [e for e in root.iterdir() if e.name.startswith(PREFIX)]
    except OSError:
        return removed
    for entry in entries:
        if entry.is_symlink() or not entry.is_dir() or entry.stat().st_uid != os.getuid():
            continue
        try:
            fd = os.open(entry / _LOCK, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            continue  # no lock file yet (a publish just starting), or not ours: leave it
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live publish holds it
        finally:
            os.close(fd)  # also drops the lock we may have taken
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed
