"""The one worker pool: loading and rendering both fan out through ``map_chunks``.

Workers are forked, not spawned: each inherits the caller's inputs (the file list, the site
model), so nothing big is pickled on the way in; only results come back through a pipe.
Worker ``w`` of ``n`` takes chunks ``w, w+n, w+2n, ...``; the parent reads them back
round-robin, so results arrive in input order while every worker keeps busy, and the
caller can store and free each chunk's results as they come.

A worker never outlives its build: it asks the kernel to kill it when its parent dies
(``PR_SET_PDEATHSIG`` on Linux), checks that the parent did not die before that took hold,
and exits when the pipe to the parent closes. A ``kill -9`` of ``digest build`` therefore
leaves no worker behind holding the output lock.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import multiprocessing
import os
import signal
import sys
from multiprocessing.connection import Connection
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Results are cut into at least this many chunks per worker, so a slow chunk does not leave the
# other workers idle; and no chunk is bigger than CHUNK_ITEMS, so results stream back in small pieces.
CHUNKS_PER_WORKER = 4
CHUNK_ITEMS = 250

_PR_SET_PDEATHSIG = 1


def cpu_count(requested: int = 0) -> int:
    """``requested`` if positive, else the CPUs this process may run on."""
    if requested > 0:
        return requested
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def chunked(items: Sequence[T], workers: int) -> list[Sequence[T]]:
    """The one chunking policy: about ``CHUNKS_PER_WORKER`` chunks a worker, none over ``CHUNK_ITEMS``."""
    if not items:
        return []
    count = max(workers * CHUNKS_PER_WORKER, -(-len(items) // CHUNK_ITEMS))
    size = max(1, -(-len(items) // count))
    return [items[start : start + size] for start in range(0, len(items), size)]


def map_chunks(
    work: Callable[[Sequence[T]], R], items: Sequence[T], *, workers: int, parallel_from: int
) -> Iterator[R]:
    """``work(chunk)`` for each chunk of ``items``, in order; forked workers when there are at least
    ``parallel_from`` items and more than one worker. An exception in a worker is raised here."""
    chunks = chunked(items, workers)
    if workers <= 1 or len(items) < parallel_from or len(chunks) < 2 or not hasattr(os, "fork"):
        for chunk in chunks:
            yield work(chunk)
        return
    context = multiprocessing.get_context("fork")
    parent = os.getpid()
    trim_heap()  # each worker starts with the parent's resident pages: hand the freed ones back first
    procs: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    try:
        for number in range(min(workers, len(chunks))):
            parent_end, child_end = context.Pipe(duplex=False)
            mine = range(number, len(chunks), workers)
            started = context.Process(target=_worker, args=(work, chunks, mine, parent, child_end), daemon=True)
            started.start()
            child_end.close()
            procs.append((started, parent_end))
        for index in range(len(chunks)):
            proc, conn = procs[index % len(procs)]
            try:
                result = conn.recv()
            except EOFError:
                proc.join(1)
                raise RuntimeError(f"a worker died (exit code {proc.exitcode})") from None
            if isinstance(result, _Failure):
                raise result.error
            yield result
    finally:
        for proc, conn in procs:
            conn.close()
            if proc.is_alive():
                proc.terminate()
            proc.join()


class _Failure:
    """An exception raised in a worker, sent to the parent to raise (pickled with its traceback text)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _worker(
    work: Callable[[Sequence[T]], R], chunks: list[Sequence[T]], mine: range, parent: int, conn: Connection
) -> None:
    die_with_parent(parent)
    try:
        for index in mine:
            conn.send(work(chunks[index]))
    except (BrokenPipeError, ConnectionResetError):
        os._exit(1)  # the parent is gone or gave up: nobody wants the rest
    except BaseException as exc:  # noqa: BLE001 - the parent raises it
        try:
            conn.send(_Failure(exc))
        except Exception:  # noqa: BLE001 - not picklable: send what it said
            conn.send(_Failure(RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library, loaded once (``find_library`` runs ``ldconfig``): the parent loads it before forking,
    so each worker has it already. ``None`` off Linux or when it does not load."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def trim_heap() -> None:
    """Return the C heap's free memory to the kernel (glibc's ``malloc_trim``). A build frees much on the
    way (the files' bytes once parsed, the loading workers' results): without this the pages stay resident
    in the parent, and a forked worker counts every one of them again."""
    try:
        libc = _libc()
        if libc is not None:
            libc.malloc_trim(0)
    except AttributeError:
        pass  # not glibc (musl has no malloc_trim): nothing to hand back this way


def die_with_parent(parent: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies; exit now if it already has."""
    try:
        libc = _libc()
        if libc is not None:
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except AttributeError:
        pass  # no prctl: the closed pipe still ends the worker at its next send
    if os.getppid() != parent:  # the parent died between fork and prctl
        os._exit(1)
