"""The one worker pool: loading and rendering both fan out through ``map_chunks``.

Workers are forked, not spawned: each inherits the caller's inputs (the file list, the site
model), so nothing big is pickled on the way in; only results come back through a pipe.
The parent is one of the ``n`` workers: it would otherwise only wait, and every forked worker
counts the parent's pages again in memory. Each forked worker is handed the next chunk's index
whenever it sends a result back; the parent takes the next chunk itself whenever no result is
waiting. Results are yielded in input order, so the caller can store and free each chunk's
results as they come.

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
import queue
import signal
import sys
import threading
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as connection_wait
from typing import Any, Callable, Generic, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Results are cut into at least this many chunks per worker, so a slow chunk does not leave the
# other workers idle; and no chunk is bigger than CHUNK_ITEMS, so results stream back in small pieces.
CHUNKS_PER_WORKER = 4
CHUNK_ITEMS = 100

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
    """``work(chunk)`` for each chunk of ``items``, in order; shared between the parent and forked workers when
    there are at least ``parallel_from`` items and more than one worker. An exception in a worker is raised here."""
    chunks = chunked(items, workers)
    if workers <= 1 or len(items) < parallel_from or len(chunks) < 2 or not hasattr(os, "fork"):
        for chunk in chunks:
            yield work(chunk)
        return
    yield from _shared(work, chunks, min(workers, len(chunks)))


def apart(work: Callable[[], R]) -> R:
    """``work()`` in a forked child, its result pickled back (inline where there is no ``fork``). What the
    work allocates on the way dies with the child: a transient peak (the search index's postings) would
    otherwise stay behind in the parent's heap, and every render worker forked later would count it again.
    An exception in the child is raised here. Never call it from a process running other threads."""
    if not hasattr(os, "fork"):
        return work()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_apart_child, args=(work, os.getpid(), sender), daemon=True)
    child.start()
    sender.close()
    try:
        _index, result = _received(receiver, child)
    except BaseException:
        if child.is_alive():  # interrupted while it works: nobody wants its result
            child.terminate()
        raise
    finally:
        receiver.close()
        child.join()
    return result  # type: ignore[no-any-return]  # what work() returned, unpickled


def _apart_child(work: Callable[[], R], parent: int, conn: Connection) -> None:
    die_with_parent(parent)
    try:
        result: object = work()
    except BaseException as exc:  # noqa: BLE001 - the parent raises it
        result = _Failure(exc)
    _send(conn, (0, result))
    conn.close()


# Chunks handed to each forked worker ahead of time, so it never waits for the parent between two.
AHEAD = 2


def _shared(work: Callable[[Sequence[T]], R], chunks: list[Sequence[T]], share: int) -> Iterator[R]:
    """The parent and ``share - 1`` forked workers take the chunks as they come free; results in order.

    A worker is handed the index of its next chunk each time it sends a result (``AHEAD`` in flight);
    the parent takes the next chunk itself whenever no worker has a result ready, so it never sits
    idle, and the chunk its own bookkeeping delays goes to a worker instead."""
    context = multiprocessing.get_context("fork")
    parent = os.getpid()
    trim_heap()  # each worker starts with the parent's resident pages: hand the freed ones back first
    pool: _Pool[T, R] = _Pool(chunks)
    try:
        for _ in range(share - 1):
            parent_end, child_end = context.Pipe(duplex=True)
            started = context.Process(target=_worker, args=(work, chunks, parent, child_end), daemon=True)
            started.start()
            child_end.close()
            pool.add(started, parent_end)
        for index in range(len(chunks)):
            while index not in pool.done:
                if pool.receive_ready():
                    continue
                if pool.handed < len(chunks):  # every worker busy: the parent takes the next chunk
                    pool.done[pool.handed] = work(chunks[pool.handed])
                    pool.handed += 1
                else:
                    pool.wait()  # nothing left to take: wait for a worker's result
            yield pool.done.pop(index)
    finally:
        pool.close()


class _Pool(Generic[T, R]):
    """The parent's side of the forked workers: what each was handed, and the results not yet yielded."""

    def __init__(self, chunks: list[Sequence[T]]) -> None:
        self.chunks = chunks
        self.handed = 0  # chunks given out, to a worker or to the parent, in order
        self.done: dict[int, R] = {}
        self.procs: dict[Connection, multiprocessing.process.BaseProcess] = {}
        self.pending: dict[Connection, int] = {}  # chunks a worker was handed and has not sent back

    def add(self, proc: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self.procs[conn] = proc
        self.pending[conn] = 0
        for _ in range(AHEAD):
            self._hand(conn)

    def _hand(self, conn: Connection) -> None:
        if self.handed < len(self.chunks):
            conn.send(self.handed)
            self.handed += 1
            self.pending[conn] += 1

    def receive_ready(self) -> bool:
        """Take every result a worker has sent; False when none was ready."""
        ready = [conn for conn, count in self.pending.items() if count and conn.poll()]
        for conn in ready:
            self._receive(conn)
        return bool(ready)

    def wait(self) -> None:
        waiting = [conn for conn, count in self.pending.items() if count]
        if not waiting:
            raise RuntimeError("no worker holds the chunk the parent waits for")  # a bug, never a hang
        for conn in connection_wait(waiting):
            self._receive(conn)  # type: ignore[arg-type]  # wait() returns the connections it was given

    def _receive(self, conn: Connection) -> None:
        index, result = _received(conn, self.procs[conn])
        self.pending[conn] -= 1
        self.done[index] = result
        self._hand(conn)

    def close(self) -> None:
        for conn, proc in self.procs.items():
            conn.close()
            if proc.is_alive():
                proc.terminate()
            proc.join()


class _Failure:
    """An exception raised in a worker, sent to the parent to raise (pickled with its traceback text)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _worker(work: Callable[[Sequence[T]], R], chunks: list[Sequence[T]], parent: int, conn: Connection) -> None:
    """Work each chunk whose index the parent sends, until the pipe closes. Results go out from a thread:
    the parent reads them only between its own chunks, and a result bigger than the pipe's buffer would
    otherwise keep this worker waiting that long."""
    die_with_parent(parent)
    outbox: queue.Queue[tuple[int, object] | None] = queue.Queue(maxsize=AHEAD)
    sender = threading.Thread(target=_send_all, args=(outbox, conn), daemon=True)
    sender.start()
    index = -1
    try:
        while True:
            try:
                index = conn.recv()
            except EOFError:
                break  # the parent is done (or gone)
            outbox.put((index, work(chunks[index])))
    except (BrokenPipeError, ConnectionResetError):
        os._exit(1)  # the parent is gone or gave up: nobody wants the rest
    except BaseException as exc:  # noqa: BLE001 - the parent raises it
        outbox.put((index, _Failure(exc)))
    outbox.put(None)
    sender.join()
    conn.close()


def _send_all(outbox: queue.Queue[tuple[int, object] | None], conn: Connection) -> None:
    while (item := outbox.get()) is not None:
        _send(conn, item)


def _send(conn: Connection, item: tuple[int, object]) -> None:
    """Send (chunk index, result or ``_Failure``) to the parent; exit if the parent is gone."""
    try:
        conn.send(item)
    except (BrokenPipeError, ConnectionResetError, OSError):
        os._exit(1)  # the parent is gone or gave up: nobody wants the rest
    except Exception:  # noqa: BLE001 - a result or an error that does not pickle: send what it said
        error = item[1].error if isinstance(item[1], _Failure) else None
        said = f"{type(error).__name__}: {error}" if error else "a result that cannot be sent to the parent"
        conn.send((item[0], _Failure(RuntimeError(said))))


def _received(conn: Connection, proc: multiprocessing.process.BaseProcess) -> tuple[int, Any]:
    """The next (chunk index, result) a worker sent; its error raised here, or its death."""
    try:
        index, result = conn.recv()
    except EOFError:
        proc.join(1)
        raise RuntimeError(f"a worker died (exit code {proc.exitcode})") from None
    if isinstance(result, _Failure):
        raise result.error
    return index, result


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
