"""A full disk and a read-only output folder: one clear message, the old output intact, nothing left behind.

The output lives on a small tmpfs mounted for the test (skipped, with the reason, where mounting is not
allowed). Read-only is a read-only remount, since root ignores file modes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from conftest import NOW, article, write_files
from faults import env, snapshot
from digest.errors import DigestError
from digest.pipeline import BuildOptions, build

SIZE_KIB = 8192


def mount(point: Path, options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True,
                          text=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    point = tmp_path / "disk"
    point.mkdir()
    try:
        done = mount(point, f"size={SIZE_KIB}k")
    except FileNotFoundError:
        pytest.skip("no mount command: cannot make a small file system")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def site_of(tmp_path: Path, words: str) -> Path:
    site = tmp_path / "site"
    body = (words + " ") * 200
    # over 200 pages, so -j 2 renders (and fills the disk) in forked workers
    write_files(site, {f"content/a{i:02d}.md": article(f"Story {i}", f"2022-01-{1 + i % 28:02d} 10:00", body)
                       for i in range(100)})
    write_files(site, {"digest.yaml": "per_page: 2\n"})
    return site


def fill(disk: Path, leave_kib: int) -> None:
    import os

    free = os.statvfs(disk)
    left = free.f_bavail * free.f_frsize
    (disk / "filler").write_bytes(b"\0" * max(0, left - leave_kib * 1024))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_full_disk_fails_with_one_message_and_keeps_the_old_output(small_disk, tmp_path, jobs) -> None:
    site = site_of(tmp_path, "word")
    output = small_disk / "out"
    build(BuildOptions(site_dir=site, output_dir=output, now=NOW, jobs=1))
    before = snapshot(output)
    for path in (site / "content").glob("*.md"):  # every page grows
        path.write_text(path.read_text(encoding="utf-8").replace("word", "longer words"), encoding="utf-8")
    fill(small_disk, leave_kib=64)
    with pytest.raises(DigestError) as info:
        build(BuildOptions(site_dir=site, output_dir=output, now=NOW, jobs=jobs))
    message = str(info.value)
    assert message.startswith(f"output: cannot write the output folder {output}: no space left on device (")
    assert message.endswith(": free some space there (or build elsewhere with --output) and build again;"
                            " the old output is unchanged")
    assert "\n" not in message
    assert snapshot(output) == before
    assert sorted(p.name for p in small_disk.iterdir()) == [".out.digest-lock", "filler", "out"]  # no stage left
    (small_disk / "filler").unlink()  # space again: the next build completes
    build(BuildOptions(site_dir=site, output_dir=output, now=NOW, jobs=1))
    assert "longer words" in (output / "2022/01/02/a01/index.html").read_text(encoding="utf-8")


def test_a_read_only_output_fails_with_one_message_from_the_command_line(small_disk, tmp_path) -> None:
    site = site_of(tmp_path, "word")
    output = small_disk / "out"
    build(BuildOptions(site_dir=site, output_dir=output, now=NOW, jobs=1))
    before = snapshot(output)
    (site / "content/a01.md").write_text(article("Story one, edited", "2022-01-02 10:00", "New."), encoding="utf-8")
    done = subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot remount read-only: {done.stderr.strip()}")
    result = subprocess.run([sys.executable, "-m", "digest", "build", "--site", str(site), "--output", str(output)],
                            capture_output=True, text=True, env=env(), timeout=120)
    assert result.returncode == 1
    assert result.stderr == (
        f"output: cannot write the output folder {output}: read-only file system ({small_disk}/.out.digest-lock):"
        " make it writable (or build elsewhere with --output) and build again; the old output is unchanged\n"
    )
    assert snapshot(output) == before
