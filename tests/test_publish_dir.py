"""Publishing into a folder, for real: copies, skips, deletes, dry runs, order and atomicity."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from publish_helpers import SITE, tree_of, write_site

from digest.errors import DigestError
from digest.publish import DirTarget, parse_targets, publish
from digest.publish.dir import TMP_PREFIX

OLD = 1_000_000_000  # an mtime long past, to see which files a publish touched


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "output")


@pytest.fixture
def target(tmp_path: Path) -> DirTarget:
    config = parse_targets({"targets": {"mirror": {"type": "dir", "path": "www/digest"}}}, tmp_path / "digest.yaml")
    found = config.get("mirror")
    assert isinstance(found, DirTarget)
    return found


def age_everything(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (OLD, OLD))


def touched(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.stat().st_mtime != OLD}


def test_first_publish_copies_everything(site: Path, target: DirTarget) -> None:
    lines: list[str] = []
    result = publish(target, site, progress=lines.append)
    assert tree_of(target.path) == tree_of(site)
    assert (result.uploaded, result.updated, result.deleted, result.unchanged) == (len(SITE), 0, 0, 0)
    assert result.bytes_moved == sum(len(b) for b in tree_of(site).values())
    assert sorted(result.plan.uploads) == sorted(SITE)
    assert len(lines) == len(SITE) and all(line.startswith("upload ") for line in lines)


def test_writes_go_in_link_safe_order(site: Path, target: DirTarget) -> None:
    lines: list[str] = []
    publish(target, site, progress=lines.append)
    order = [line.split(" ", 1)[1] for line in lines]
    assert order[:2] == ["assets/style.3f2a9c1e.css", "images/logo.png"]  # assets before the pages using them
    assert order[-1] == "index.html"  # the home page last
    assert order.index("2024/05/01/first/index.html") < order.index("feed.xml")


def test_second_publish_moves_nothing_and_keeps_mtimes(site: Path, target: DirTarget) -> None:
    publish(target, site)
    age_everything(target.path)
    result = publish(target, site)
    assert result.files_moved == 0 and result.bytes_moved == 0
    assert result.unchanged == len(SITE)
    assert touched(target.path) == set()


def test_editing_one_file_moves_only_that_file(site: Path, target: DirTarget) -> None:
    publish(target, site)
    age_everything(target.path)
    (site / "about" / "index.html").write_text("<!doctype html><title>About</title><p>New text.</p>\n")
    result = publish(target, site)
    assert result.plan.updates == ("about/index.html",)
    assert (result.uploaded, result.updated, result.deleted) == (0, 1, 0)
    assert result.bytes_moved == (site / "about" / "index.html").stat().st_size
    assert touched(target.path) == {"about/index.html"}
    assert tree_of(target.path) == tree_of(site)


def test_same_size_change_is_found_by_hash(site: Path, target: DirTarget) -> None:
    publish(target, site)
    css = site / "assets" / "style.3f2a9c1e.css"
    css.write_text(css.read_text().replace("serif", "Serif"))
    assert publish(target, site).plan.updates == ("assets/style.3f2a9c1e.css",)


def test_stale_files_stay_without_delete_and_go_with_it(site: Path, target: DirTarget) -> None:
    publish(target, site)
    shutil.rmtree(site / "2024" / "05" / "02")
    kept = publish(target, site)
    assert kept.deleted == 0 and kept.plan.kept == ("2024/05/02/second/index.html",)
    assert (target.path / "2024/05/02/second/index.html").is_file()

    removed = publish(target, site, delete=True)
    assert removed.deleted == 1 and removed.plan.deletes == ("2024/05/02/second/index.html",)
    assert tree_of(target.path) == tree_of(site)
    assert not (target.path / "2024" / "05" / "02").exists()  # emptied folders go too
    assert (target.path / "2024" / "05" / "01").is_dir()


def test_deletes_come_after_every_write(site: Path, target: DirTarget) -> None:
    publish(target, site)
    (site / "feed.xml").unlink()
    (site / "new.html").write_text("new\n")
    lines: list[str] = []
    publish(target, site, delete=True, progress=lines.append)
    assert lines == ["upload new.html", "delete feed.xml"]


def test_dry_run_reports_the_plan_and_changes_nothing(site: Path, target: DirTarget) -> None:
    lines: list[str] = []
    first = publish(target, site, dry_run=True, progress=lines.append)
    assert not target.path.exists()
    assert first.dry_run and first.files_moved == 0
    assert sorted(first.plan.uploads) == sorted(SITE)
    assert all(line.startswith("would upload ") for line in lines)

    publish(target, site)
    age_everything(target.path)
    before = tree_of(target.path)
    (site / "index.html").write_text("changed\n")
    (site / "about" / "index.html").unlink()
    (site / "extra.txt").write_text("extra\n")
    plan = publish(target, site, dry_run=True, delete=True).plan
    assert (plan.uploads, plan.updates, plan.deletes) == (("extra.txt",), ("index.html",), ("about/index.html",))
    assert tree_of(target.path) == before and touched(target.path) == set()


def test_no_temporary_files_are_left(site: Path, target: DirTarget) -> None:
    publish(target, site)
    (site / "index.html").write_text("again\n")
    publish(target, site)
    assert not [p for p in target.path.rglob("*") if p.name.startswith(TMP_PREFIX)]


def test_a_failed_copy_leaves_no_half_written_file(site: Path, target: DirTarget,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    publish(target, site)
    before = tree_of(target.path)
    (site / "about" / "index.html").write_text("new about\n")
    (site / "index.html").write_text("new home\n")

    real = shutil.copyfileobj

    def failing(reader: object, writer: object, length: int = 0) -> None:
        real(reader, writer, length)  # type: ignore[arg-type]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", failing)
    with pytest.raises(DigestError, match="cannot write about/index.html: No space left on device"):
        publish(target, site)
    # the first write failed before its os.replace: the old page is intact and the
    # home page, written after it, was not reached
    assert tree_of(target.path) == before
    assert not [p for p in target.path.rglob("*") if p.name.startswith(TMP_PREFIX)]


def test_refuses_overlapping_folders(site: Path, tmp_path: Path) -> None:
    for path in (site, site / "sub", tmp_path):
        with pytest.raises(DigestError, match="overlaps the site folder"):
            publish(DirTarget("mirror", path), site, delete=True)
    assert tree_of(site) == tree_of(write_site(tmp_path / "fresh"))


def test_refuses_a_file_as_target(site: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(DigestError, match="is a file, not a folder"):
        publish(DirTarget("mirror", tmp_path / "afile"), site)


def test_a_target_git_folder_is_left_alone(site: Path, target: DirTarget) -> None:
    (target.path / ".git").mkdir(parents=True)
    (target.path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    result = publish(target, site, delete=True)
    assert result.deleted == 0
    assert (target.path / ".git" / "HEAD").is_file()
