"""The one worker pool: results in order, errors raised in the parent, workers that die with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Sequence

import pytest

from digest.workers import CHUNK_ITEMS, apart, chunked, map_chunks

REPO = Path(__file__).resolve().parents[1]


def _square_all(chunk: Sequence[int]) -> list[tuple[int, int]]:
    time.sleep(0.005)  # long enough that no one process takes every chunk before the others start
    return [(n * n, os.getpid()) for n in chunk]


def _fail_on_13(chunk: Sequence[int]) -> list[int]:
    if 13 in chunk:
        raise ValueError("thirteen")
    return list(chunk)


def test_results_come_back_in_input_order_from_more_than_one_process() -> None:
    items = list(range(1000))
    results = [r for chunk in map_chunks(_square_all, items, workers=3, parallel_from=10) for r in chunk]
    assert [square for square, _pid in results] == [n * n for n in items]
    pids = [pid for _square, pid in results]
    assert len(set(pids)) == 3 and os.getpid() in pids  # the parent takes a share: two forked workers


def test_the_parent_works_its_share_and_forks_one_worker_fewer() -> None:
    """Two workers are the parent and one forked process (each forked one counts the parent's pages again)."""
    chunks = list(map_chunks(_square_all, list(range(2000)), workers=2, parallel_from=10))
    owners = [{pid for _square, pid in chunk} for chunk in chunks]
    assert all(len(owner) == 1 for owner in owners)  # a chunk is one process's
    pids = set().union(*owners)
    assert len(pids) == 2 and os.getpid() in pids


def test_a_slow_chunk_does_not_hold_up_the_rest() -> None:
    """Chunks go to whoever is free: one slow chunk in a worker, the other chunks are taken by the parent."""
    items = list(range(200))
    results = [r for chunk in map_chunks(_slow_first, items, workers=2, parallel_from=10) for r in chunk]
    assert [n for n, _pid in results] == items
    slow_owner = results[0][1]
    assert sum(1 for _n, pid in results if pid != slow_owner) > len(items) // 2


def _slow_first(chunk: Sequence[int]) -> list[tuple[int, int]]:
    time.sleep(0.5 if 0 in chunk else 0.005)
    return [(n, os.getpid()) for n in chunk]


def test_few_items_stay_in_process() -> None:
    results = [r for chunk in map_chunks(_square_all, list(range(5)), workers=2, parallel_from=10) for r in chunk]
    assert {pid for _square, pid in results} == {os.getpid()}


def test_an_error_in_a_worker_is_raised_in_the_parent() -> None:
    with pytest.raises(ValueError, match="thirteen"):
        list(map_chunks(_fail_on_13, list(range(100)), workers=2, parallel_from=1))


def _grow_and_report() -> tuple[int, int]:
    held = [bytes(1024) for _ in range(20_000)]  # allocated in the child, and only its size comes back
    return os.getpid(), len(held)


def _raise_in_child() -> None:
    raise ValueError("from the child")


def _die() -> None:
    os._exit(3)


def test_apart_runs_the_work_in_a_child_and_returns_its_result() -> None:
    pid, count = apart(_grow_and_report)
    assert pid != os.getpid() and count == 20_000
    assert pid not in _children_of(os.getpid())  # the child is joined, not left behind


def test_apart_raises_the_childs_error_here() -> None:
    with pytest.raises(ValueError, match="from the child"):
        apart(_raise_in_child)


def test_apart_says_when_the_child_died() -> None:
    with pytest.raises(RuntimeError, match="exit code 3"):
        apart(_die)


def _children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def test_one_chunking_policy() -> None:
    assert chunked([], 2) == []
    chunks = chunked(list(range(10_000)), 2)
    assert sum(len(c) for c in chunks) == 10_000 and max(len(c) for c in chunks) <= CHUNK_ITEMS
    assert len(chunked(list(range(16)), 2)) == 8  # at least four chunks a worker, so none sits idle


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead but not yet reaped by init; /proc says which
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_when_their_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""
        import os, sys, time
        from digest.workers import map_chunks

        def slow(chunk):
            os.write(1, f"{os.getpid()}\\n".encode())  # one write: the two workers share the pipe
            time.sleep(120)
            return chunk

        for _ in map_chunks(slow, list(range(100)), workers=3, parallel_from=1):
            pass
    """))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert parent.stdout is not None
        started = [int(parent.stdout.readline()) for _ in range(3)]  # the parent's own share prints too
        workers = [pid for pid in started if pid != parent.pid]
        assert len(workers) == 2
        assert all(_alive(pid) for pid in workers)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers), "a worker outlived its killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
