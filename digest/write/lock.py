"""The output lock: one build writes a given output folder at a time.

The lock file ``.<name>.digest-lock`` beside the output holds two lines: the
marker that digest built that folder (kept after the build, so later builds
know they may delete files in it) and ``pid N``, the process writing it now.

The lock itself is a POSIX record lock (``fcntl.lockf``), not ``flock``: a
record lock belongs to the process that took it, is never inherited by forked
workers and is released by the kernel the moment that process dies, however
it dies. So a lock file naming a dead process (``kill -9`` of a build whose
workers lived on) is simply taken over by the next build. The price of record
locks is that closing *any* descriptor of the file drops the lock, so while it
is held the file is read and written only through the held descriptor.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from digest.errors import DigestError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; builds must not overlap
    fcntl = None  # type: ignore[assignment]

OWNED = "digest output: built here by digest\n"
WAIT_POLL = 0.2  # seconds between tries while another build holds the lock
_MAX_LOCK_FILE = 4096


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds an output's lock: the process id written in the lock file (None when unreadable)."""

    output: Path
    pid: int | None

    def describe(self) -> str:
        who = f"another digest build (pid {self.pid})" if self.pid else "another digest build"
        return f"{who} is writing {self.output} right now"


def parse_lock_text(text: str) -> tuple[bool, int | None]:
    """(built by digest, holder pid) from a lock file's text; garbage yields (False, None)."""
    owned = OWNED.strip() in text
    pid = None
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == "pid" and value.strip().isdigit():
            pid = int(value.strip())
    return owned, pid


class OutputLock:
    """The held lock on one output folder; ``release`` (or process death) lets it go."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(
        cls, path: Path, output: Path, *, wait: bool = False, on_wait: Callable[[Holder], None] | None = None
    ) -> OutputLock | None:
        """Take the lock at ``path`` (None where the platform has no locks).

        Another live build holding it: refuse with a ``DigestError``, or with ``wait`` tell
        ``on_wait`` once who holds it and try again until it is free.
        """
        if fcntl is None:
            return None
        told = False
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = Holder(output, _read(fd)[1])
                os.close(fd)
                if not wait:
                    raise DigestError(
                        f"{holder.describe()}: wait for it to finish (build without --no-wait waits), or stop it",
                        "output",
                    ) from None
                if not told and on_wait is not None:
                    on_wait(holder)
                    told = True
                time.sleep(WAIT_POLL)
                continue
            lock = cls(path, fd)
            # whatever pid the file named (a build killed with -9) is dead: the kernel let its lock go
            lock._write(lock.owned(), os.getpid())
            return lock

    def owned(self) -> bool:
        return self._fd is not None and _read(self._fd)[0]

    def mark_owned(self) -> None:
        if self._fd is not None and not self.owned():
            self._write(True, os.getpid())

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _rewrite(fd, OWNED if _read(fd)[0] else "")
        except OSError:
            pass  # a full or read-only disk: a stale pid is harmless, the lock goes with the descriptor
        os.close(fd)  # closing releases the lock

    def _write(self, owned: bool, pid: int) -> None:
        assert self._fd is not None
        try:
            _rewrite(self._fd, (OWNED if owned else "") + f"pid {pid}\n")
        except OSError:
            pass  # the pid is for messages only; a full disk must not stop the build here


def _read(fd: int) -> tuple[bool, int | None]:
    try:
        data = os.pread(fd, _MAX_LOCK_FILE, 0)
    except OSError:
        return False, None
    return parse_lock_text(data.decode("utf-8", "replace"))


def _rewrite(fd: int, text: str) -> None:
    data = text.encode("utf-8")
    os.pwrite(fd, data, 0)
    os.ftruncate(fd, len(data))

