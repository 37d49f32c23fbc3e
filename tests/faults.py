"""Helpers for the fault-injection tests: processes to hold locks and kill, output snapshots."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]

# Holds the output lock of argv[1] until stdin closes; with argv[2] == "fork" it first forks a child
# that inherits every descriptor and sleeps on (a render worker outliving its killed build).
_HOLDER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from digest.write.writer import OutputWriter
    writer = OutputWriter(Path(sys.argv[1]))
    if sys.argv[2] == "fork" and os.fork() == 0:
        time.sleep(120)
        os._exit(0)
    print("held", flush=True)
    sys.stdin.read()
    writer.discard()
    """
)


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


@contextlib.contextmanager
def lock_holder(output: Path, *, fork: bool = False) -> Iterator[subprocess.Popen[str]]:
    """Another process holding ``output``'s lock while the block runs."""
    child = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(output), "fork" if fork else "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == "held\n", child.stderr.read() if child.stderr else line
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` with its bytes (missing folder: empty)."""
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }
