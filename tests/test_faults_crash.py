"""Crash consistency, measured by killing: ``digest build`` and ``digest publish`` get SIGKILL at random moments.

Each kill point is a random moment inside its own slice of the measured run time (stratified, so the
points spread over the whole run). After each kill the output (or publish target) must be exactly the
old or exactly the new version, never a mix or a half-written file; then the next run must complete,
byte-identical to a cold build, and leave nothing behind.

``DIGEST_CRASH_POINTS`` sets the number of kill points per run kind (default 12 for the build, 6 for a
folder and a git target, 4 for S3; ``DIGEST_CRASH_POINTS=60`` is the full run in docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from conftest import NOW, article, write_files
from faults import env, snapshot
from digest.pipeline import BuildOptions, build

SEED = int(os.environ.get("DIGEST_CRASH_SEED", "16"))
POINTS = int(os.environ.get("DIGEST_CRASH_POINTS", "0"))
BUILD_POINTS = POINTS or 12
PUBLISH_POINTS = POINTS or 6
S3_POINTS = POINTS or 4  # each S3 point costs about three seconds against moto

pytestmark = pytest.mark.slow


def kill_times(duration: float, points: int, rng: random.Random) -> list[float]:
    """One random moment in each of ``points`` equal slices of ``duration``."""
    return [(i + rng.random()) * duration / points for i in range(points)]


def run_and_kill(args: list[str], at: float, extra_env: dict[str, str] | None = None) -> bool:
    """Start ``args``, SIGKILL it after ``at`` seconds; True if it was killed (False: it had finished)."""
    proc = subprocess.Popen(args, env={**env(), **(extra_env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=at)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)  # the build only: its workers are on their own (see test_faults_lock)
        proc.wait(timeout=30)
        return True
    finally:
        try:  # then whatever it left running (forked workers, a git child), so the next run starts clean
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def timed(args: list[str], extra_env: dict[str, str] | None = None) -> float:
    started = time.monotonic()
    done = subprocess.run(args, env={**env(), **(extra_env or {})}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started


# -- the build ---------------------------------------------------------------------------------------------------

def old_files() -> dict[str, str | bytes]:
    body = "\n\n".join(f"Paragraph {n} with *some* words and a [link](https://example.com/{n})." for n in range(12))
    files: dict[str, str | bytes] = {
        f"content/2022/01/s{i:02d}.md": article(f"Story {i}", f"2022-01-{1 + i % 28:02d} 10:00", body,
                                                tags=[f"t{i % 5}", "all"], source={"name": f"Paper {i % 4}"})
        for i in range(40)
    }
    files["themes/default/static/extra.css"] = "p { margin: 0 }\n"
    files["content/2022/01/chart.png"] = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    return files


def edit(site: Path) -> None:
    """Changes, additions and deletions of articles, an asset and a theme file: most pages change."""
    (site / "content/2022/01/s03.md").unlink()
    (site / "content/2022/01/chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 8)
    (site / "themes/default/static/extra.css").write_text("p { margin: 1em 0 }\n", encoding="utf-8")
    write_files(site, {
        "content/2022/01/s07.md": article("Story seven, corrected", "2022-01-08 10:00", "New text.", tags=["new"]),
        "content/2022/02/late.md": article("A late story", "2022-02-02 10:00", "Late.", tags=["t1"]),
        "digest.yaml": "title: Crash Digest, renamed\nper_page: 4\n",
    })


@pytest.fixture(scope="module")
def build_case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("crash-build")
    template = root / "template"
    write_files(template, {**old_files(), "digest.yaml": "title: Crash Digest\nper_page: 4\n"})
    build(BuildOptions(site_dir=template, now=NOW, jobs=1))
    old = snapshot(template / "output")
    edited = root / "edited"
    shutil.copytree(template, edited, symlinks=True)
    edit(edited)
    cold = root / "cold"
    build(BuildOptions(site_dir=edited, output_dir=cold, now=NOW, jobs=1, use_cache=False))
    new = snapshot(cold)
    assert new != old
    # how long the killed command runs, measured on copies (the faster of two: the first may compile bytecode)
    durations = []
    for n in range(2):
        trial = root / f"trial-{n}"
        shutil.copytree(template, trial, symlinks=True)
        edit(trial)
        durations.append(timed(build_args(trial), epoch_env()))
    duration = min(durations)
    return {"root": root, "template": template, "old": old, "new": new, "duration": duration}


def build_args(site: Path) -> list[str]:
    return [sys.executable, "-m", "digest", "build", "--site", str(site), "-j", "2", "-q"]


def epoch_env() -> dict[str, str]:
    return {"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir()
                  if p.name.startswith(".digest-stage") or p.name.endswith((".digest-journal", ".tmp")))


def test_a_build_killed_anywhere_leaves_old_or_new_and_the_next_build_is_a_cold_build(build_case) -> None:
    rng = random.Random(SEED)
    outcomes: dict[str, int] = {"old": 0, "new": 0, "finished": 0}
    times = kill_times(build_case["duration"], BUILD_POINTS, rng)
    for n, at in enumerate(times):
        site = build_case["root"] / f"point-{n}"
        shutil.copytree(build_case["template"], site, symlinks=True)
        edit(site)
        killed = run_and_kill(build_args(site), at, epoch_env())
        now = snapshot(site / "output")
        assert now in (build_case["old"], build_case["new"]), f"kill at {at:.3f} s: a mixed output"
        outcomes["finished" if not killed else "old" if now == build_case["old"] else "new"] += 1
        # the next build, with whatever the killed one left in the cache, is byte-identical to a cold build
        build(BuildOptions(site_dir=site, now=NOW, jobs=2))
        assert snapshot(site / "output") == build_case["new"], f"kill at {at:.3f} s: the next build differs"
        assert leftovers(site) == []
        again = build(BuildOptions(site_dir=site, now=NOW, jobs=1))
        assert again.written == 0 and again.rendered_markdown == 0  # the cache is whole and right
        shutil.rmtree(site)
    print(f"\ncrash build: {len(times)} kills over {build_case['duration']:.2f} s: {outcomes}")  # -s shows it
    killed = outcomes["old"] + outcomes["new"]
    assert killed >= len(times) // 3  # most points fell inside the build (a busy machine makes runs vary)


# -- publish: a folder, a git branch, S3 -----------------------------------------------------------------------

DRIVER = """
import json, sys
from digest.publish import parse_targets, publish
raw, site = json.loads(sys.argv[1]), sys.argv[2]
publish(parse_targets({"targets": {"t": raw}}, "digest.yaml").get(), site, delete=True)
"""


def publish_args(raw: dict[str, Any], site: Path) -> list[str]:
    return [sys.executable, "-c", DRIVER, json.dumps(raw), str(site)]


def site_tree(root: Path, version: int) -> dict[str, bytes]:
    """A built site of ~150 files; version 2 changes a third, adds some, deletes some."""
    files: dict[str, bytes] = {}
    for i in range(150):
        if version == 2 and i % 10 == 9:
            continue  # deleted
        changed = version == 2 and i % 3 == 0
        text = f"<!doctype html><title>Page {i}{' v2' if changed else ''}</title>" + "x" * (2000 + i)
        files[f"{i % 7}/page-{i}/index.html"] = text.encode()
    if version == 2:
        files.update({f"new/{i}.html": f"<p>new {i}</p>".encode() for i in range(15)})
    files["index.html"] = f"<!doctype html><title>Home v{version}</title>".encode()
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def scratch_leftovers(root: Path, tmp: Path) -> list[str]:
    """Work folders and temporary files a publish left beside a folder target or in the temporary folder."""
    return sorted([p.name for p in root.iterdir() if "digest-tmp" in p.name] + [p.name for p in tmp.iterdir()])


def consistent(now: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes]) -> list[str]:
    """Paths whose bytes are neither the old nor the new version (a torn or stray file)."""
    return [rel for rel, data in now.items() if data not in (old.get(rel), new.get(rel))]


class Kind:
    """One publish target kind: how to make a fresh target and read what it holds."""

    def __init__(self, name: str, make: Callable[[Path], dict[str, Any]], read: Callable[[dict[str, Any]], dict[str, bytes]]):
        self.name, self.make, self.read = name, make, read


def _dir_make(root: Path) -> dict[str, Any]:
    return {"type": "dir", "path": str(root / "target")}


def _dir_read(raw: dict[str, Any]) -> dict[str, bytes]:
    return snapshot(Path(raw["path"]))


def _git_make(root: Path) -> dict[str, Any]:
    remote = root / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    return {"type": "git", "remote": str(remote), "branch": "pages"}


def _git_read(raw: dict[str, Any]) -> dict[str, bytes]:
    git_dir = raw["remote"]
    listed = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "pages"], capture_output=True, text=True)
    if listed.returncode != 0:
        return {}
    entries = [(line.split("\t", 1)[1], line.split()[2]) for line in listed.stdout.splitlines()]
    entries = [(rel, blob) for rel, blob in entries if rel != ".nojekyll"]
    # every blob in one git process: cat-file --batch prints "<sha> blob <size>\n<bytes>\n" for each
    batch = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "--batch"], capture_output=True, check=True,
                           input="".join(f"{blob}\n" for _rel, blob in entries).encode()).stdout
    files, at = {}, 0
    for rel, _blob in entries:
        header_end = batch.index(b"\n", at)
        size = int(batch[at:header_end].split()[2])
        files[rel] = batch[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1
    fsck = subprocess.run(["git", "--git-dir", git_dir, "fsck", "--no-progress"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
    return files


S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
          "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


def _s3_client(url: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


@pytest.mark.parametrize("kind", ["dir", "git", "s3"])
def test_a_publish_killed_anywhere_is_completed_by_the_next(kind: str, tmp_path: Path, request, monkeypatch) -> None:
    rng = random.Random(SEED + len(kind))
    extra_env: dict[str, str] = {"TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # the next publish runs in this process
    if kind == "s3":
        pytest.importorskip("boto3")
        url = request.getfixturevalue("moto_url")
        client = _s3_client(url)
        for key, value in S3_ENV.items():
            monkeypatch.setenv(key, value)
        extra_env.update(S3_ENV)
        counter = iter(range(10_000))

        def make(root: Path) -> dict[str, Any]:
            bucket = f"crash-{os.getpid()}-{next(counter)}-{rng.randrange(10**6)}"
            client.create_bucket(Bucket=bucket)
            return {"type": "s3", "bucket": bucket, "region": "us-east-1", "endpoint_url": url}

        def read(raw: dict[str, Any]) -> dict[str, bytes]:
            keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=raw["bucket"])
                    for o in page.get("Contents", ())]
            # every listed object must be readable in full: the target never lists what it does not have
            with ThreadPoolExecutor(8) as pool:
                bodies = pool.map(lambda key: client.get_object(Bucket=raw["bucket"], Key=key)["Body"].read(), keys)
                return dict(zip(keys, bodies))
    elif kind == "git":
        make, read = _git_make, _git_read
    else:
        make, read = _dir_make, _dir_read

    old_site, new_site = tmp_path / "old", tmp_path / "new"
    old, new = site_tree(old_site, 1), site_tree(new_site, 2)
    from digest.publish import parse_targets, publish

    def publish_now(raw: dict[str, Any], site: Path) -> None:
        publish(parse_targets({"targets": {"t": raw}}, "digest.yaml").get(), site, delete=True)

    durations = []
    for n in range(2):  # the faster of two: the first may compile bytecode
        trial_root = tmp_path / f"trial-{n}"
        trial_root.mkdir()
        trial = make(trial_root)
        publish_now(trial, old_site)
        durations.append(timed(publish_args(trial, new_site), extra_env))
        assert read(trial) == new
    duration = min(durations)
    outcomes = {"killed": 0, "finished": 0}
    points = S3_POINTS if kind == "s3" else PUBLISH_POINTS
    for n, at in enumerate(kill_times(duration, points, rng)):
        root = tmp_path / f"point-{n}"
        root.mkdir()
        raw = make(root)
        publish_now(raw, old_site)
        assert read(raw) == old
        killed = run_and_kill(publish_args(raw, new_site), at, extra_env)
        outcomes["killed" if killed else "finished"] += 1
        now = read(raw)
        assert consistent(now, old, new) == [], f"{kind}, kill at {at:.3f} s: torn or stray files"
        if kind == "git":
            assert now in (old, new), f"git, kill at {at:.3f} s: the branch is neither commit"
        publish_now(raw, new_site)
        assert read(raw) == new, f"{kind}, kill at {at:.3f} s: the next publish did not complete"
        if scratch_leftovers(root, tmp_path / "tmp"):
            # killed between making its work folder and locking it: recognised by age, removed by a later run
            time.sleep(5.5)
            publish_now(raw, new_site)
        # nothing leaked: no temporary repository or file of the killed publish outlives the next one
        assert scratch_leftovers(root, tmp_path / "tmp") == [], f"{kind}, kill at {at:.3f} s"
    print(f"\ncrash publish {kind}: {points} kills over {duration:.2f} s: {outcomes}")
    # most points fell inside the publish (on a busy machine a run may finish before its moment)
    assert outcomes["killed"] >= points // 3
