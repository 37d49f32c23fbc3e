"""Swap two folders in one step: ``renameat2(RENAME_EXCHANGE)`` on Linux.

With it the output folder is at every instant either the old tree or the new
one, even to a reader (a web server) looking while the build is killed. Where
the call does not exist (another OS, an old C library) or the file system
refuses it, ``exchange`` says so and the writer falls back to moving files in
one by one under its journal.
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2 << 0
# errors that mean "not here", not "something is wrong": the caller falls back
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.EXDEV, errno.ENOTSUP, errno.EPERM}


def available() -> bool:
    """Whether this system has the call at all (the file system may still refuse it)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return hasattr(ctypes.CDLL(None), "renameat2")
    except OSError:
        return False


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap the folders ``a`` and ``b``; False (nothing changed) where that cannot be done."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(b))
