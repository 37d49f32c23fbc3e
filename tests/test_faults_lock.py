"""The output lock: two builds never interleave, a second one waits or refuses, a dead holder's lock is taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from conftest import NOW, article
from faults import env, lock_holder, snapshot
from digest.pipeline import BuildOptions, build
from digest.write.lock import parse_lock_text
from digest.write.writer import lock_path


def digest_cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "digest", *args]


@pytest.fixture
def built(make_site, run_build) -> tuple[Path, dict[str, bytes]]:
    site = make_site({"content/a.md": article("A story", "2022-01-10 09:00", tags=["x"])})
    run_build(site)
    return site, snapshot(site / "output")


def test_a_second_build_waits_with_a_message_then_builds(built) -> None:
    site, before = built
    (site / "content/b.md").write_text(article("Another story", "2022-01-11 09:00"), encoding="utf-8")
    with lock_holder(site / "output") as holder:
        second = subprocess.Popen(
            digest_cli("build", "--site", str(site)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**env(), "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))},
        )
        assert second.stderr is not None
        line = second.stderr.readline()
        assert line == (
            f"another digest build (pid {holder.pid}) is writing {site / 'output'} right now:"
            " waiting for it to finish (Ctrl-C to stop, --no-wait to refuse)\n"
        )
        time.sleep(0.5)
        assert second.poll() is None  # still waiting: nothing written meanwhile
        assert snapshot(site / "output") == before
        assert holder.stdin is not None
        holder.stdin.close()  # the first build finishes
        out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert out.startswith("built 2 articles")
    assert "2022/01/11/b/index.html" in snapshot(site / "output")


def test_no_wait_refuses_at_once_and_leaves_the_output(built) -> None:
    site, before = built
    with lock_holder(site / "output") as holder:
        started = time.monotonic()
        done = subprocess.run(digest_cli("build", "--site", str(site), "--no-wait"), capture_output=True, text=True,
                              env=env(), timeout=60)
        assert time.monotonic() - started < 30
    assert done.returncode == 1
    assert done.stderr == (
        f"output: another digest build (pid {holder.pid}) is writing {site / 'output'} right now:"
        " wait for it to finish (build without --no-wait waits), or stop it\n"
    )
    assert snapshot(site / "output") == before


def test_the_lock_of_a_killed_build_is_taken_over_though_its_workers_live_on(built, run_build) -> None:
    site, before = built
    with lock_holder(site / "output", fork=True) as holder:
        worker = psutil.Process(holder.pid).children()[0]  # inherited every descriptor, lock file included
        holder.kill()
        holder.wait(timeout=10)
        try:
            assert worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE
            assert parse_lock_text(lock_path(site / "output").read_text()) == (True, holder.pid)
            (site / "content/b.md").write_text(article("Another story", "2022-01-11 09:00"), encoding="utf-8")
            result = build(BuildOptions(site_dir=site, now=NOW, jobs=1, wait=False))  # no wait needed
        finally:
            worker.kill()
    assert result.articles == 2 and result.written > 0
    # released: only the marker that digest owns the folder stays, no pid
    assert lock_path(site / "output").read_text() == "digest output: built here by digest\n"


def test_a_build_writes_its_pid_in_the_lock_while_it_holds_it(built) -> None:
    site, _ = built
    from digest.write.writer import OutputWriter

    writer = OutputWriter(site / "output")
    try:
        # read from another process: opening the lock file here would drop this process's record lock
        text = subprocess.run(["cat", str(lock_path(site / "output"))], capture_output=True, text=True).stdout
        assert parse_lock_text(text) == (True, os.getpid())
        child = os.fork()
        if child == 0:  # a forked worker: closing its copy of the descriptor must not drop the parent's lock
            os._exit(0)
        os.waitpid(child, 0)
        probe = subprocess.run(digest_cli("build", "--site", str(site), "--no-wait"), capture_output=True,
                               text=True, env=env(), timeout=60)
        assert probe.returncode == 1 and "is writing" in probe.stderr
    finally:
        writer.discard()


def many_articles(n: int) -> dict[str, str]:
    body = "A paragraph of the story with *emphasis* and a [link](https://example.com/x).\n\n" * 20
    return {
        f"content/{i:04d}.md": article(f"Story number {i}", f"2022-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00",
                                       body=body, tags=[f"tag{i % 17}"])
        for i in range(n)
    }


@pytest.mark.slow
def test_workers_exit_when_their_build_is_killed(make_site) -> None:
    site = make_site(many_articles(600))
    build_proc = subprocess.Popen(digest_cli("build", "--site", str(site), "-j", "2", "--no-cache"),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env(),
                                  start_new_session=True)  # its own group: the cleanup reaches every worker
    parent = psutil.Process(build_proc.pid)
    workers: list[psutil.Process] = []
    deadline = time.monotonic() + 60
    while not workers and time.monotonic() < deadline and build_proc.poll() is None:
        workers = parent.children()
        time.sleep(0.01)
    assert workers, "the build never started workers"
    build_proc.send_signal(signal.SIGKILL)
    build_proc.wait(timeout=10)
    try:
        gone, alive = psutil.wait_procs(workers, timeout=3)
        assert alive == [], f"workers {[p.pid for p in alive]} outlived their killed build"
    finally:
        try:
            os.killpg(build_proc.pid, signal.SIGKILL)  # workers forked after we looked, too
        except ProcessLookupError:
            pass


def test_a_live_publish_keeps_its_work_folder_and_a_dead_ones_is_removed(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    from digest.publish.scratch import remove_dead, work_folder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    script = ("import os, tempfile, sys; tempfile.tempdir = sys.argv[1]\n"
              "from digest.publish.scratch import work_folder\n"
              "with work_folder() as f:\n    print(f, flush=True); os.kill(os.getpid(), 9)\n")
    dead = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, env=env())
    dead_folder = Path(dead.stdout.strip())
    assert dead.returncode == -9 and dead_folder.is_dir()
    with work_folder() as mine:  # a new publish first removes the dead one's
        assert not dead_folder.exists()
        probe = "import sys; from pathlib import Path; from digest.publish.scratch import remove_dead;" \
                " print([p.name for p in remove_dead(Path(sys.argv[1]))])"
        other = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True,
                               env=env())
        assert other.stdout.strip() == "[]"  # another publish leaves a live one's alone
        assert mine.is_dir()
    assert not mine.exists() and remove_dead(tmp_path) == []
