"""Publishing to a branch of a git remote, for real: a bare repository, cloned and inspected."""

from __future__ import annotations

import shutil
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from publish_helpers import SITE, git, isolate_git, tree_of, write_site

from digest.errors import DigestError
from digest.publish import GitTarget, describe_source, parse_targets, publish

NOW = datetime(2024, 5, 3, 9, 30, 0, tzinfo=UTC)
GENERATED = {".nojekyll": b"", "CNAME": b"news.example.org\n"}


@pytest.fixture(autouse=True)
def _git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(tmp_path, monkeypatch)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "output")


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(path))
    return path


@pytest.fixture
def target(remote: Path, tmp_path: Path) -> GitTarget:
    raw = {"targets": {"pages": {"type": "git", "remote": str(remote), "branch": "gh-pages",
                                 "cname": "news.example.org"}}}
    found = parse_targets(raw, tmp_path / "digest.yaml").get()
    assert isinstance(found, GitTarget)
    return found


def checkout(remote: Path, dest: Path, branch: str = "gh-pages") -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    git("clone", "--quiet", "--branch", branch, str(remote), str(dest))
    return dest


def history(remote: Path, branch: str = "gh-pages") -> list[str]:
    return git("--git-dir", str(remote), "log", "--format=%s", branch).splitlines()


def head(remote: Path, branch: str = "gh-pages") -> str:
    return git("--git-dir", str(remote), "rev-parse", branch).strip()


def test_first_publish_commits_the_whole_site(site: Path, target: GitTarget, remote: Path, tmp_path: Path) -> None:
    result = publish(target, site, now=NOW, source="0123456789ab")
    clone = checkout(remote, tmp_path / "clone")
    assert tree_of(clone) == {**tree_of(site), **GENERATED}
    assert history(remote) == ["Publish site from 0123456789ab at 2024-05-03 09:30:00 UTC"]
    assert result.commit == head(remote)
    assert (result.uploaded, result.updated, result.deleted, result.unchanged) == (len(SITE) + 2, 0, 0, 0)
    body = git("--git-dir", str(remote), "log", "-1", "--format=%b%n%an <%ae>%n%cI", "gh-pages")
    assert f"{len(SITE) + 2} added, 0 changed, 0 removed, 0 unchanged." in body
    assert "Digest Test <test@example.org>" in body
    assert "2024-05-03T09:30:00Z" in body or "2024-05-03T09:30:00+00:00" in body


def test_second_publish_with_nothing_changed_makes_no_commit(site: Path, target: GitTarget, remote: Path) -> None:
    publish(target, site, now=NOW)
    before = head(remote)
    lines: list[str] = []
    result = publish(target, site, now=NOW.replace(hour=10), progress=lines.append)
    assert head(remote) == before
    assert len(history(remote)) == 1
    assert result.commit is None and result.files_moved == 0 and result.bytes_moved == 0
    assert result.unchanged == len(SITE) + 2
    assert any(line.startswith("nothing changed") for line in lines)


def test_editing_one_file_commits_only_that_change(site: Path, target: GitTarget, remote: Path,
                                                   tmp_path: Path) -> None:
    first = publish(target, site, now=NOW)
    (site / "about" / "index.html").write_text("<!doctype html><title>About</title><p>Changed.</p>\n")
    result = publish(target, site, now=NOW.replace(hour=11))
    assert result.plan.updates == ("about/index.html",) and result.plan.uploads == ()
    assert (result.uploaded, result.updated, result.deleted) == (0, 1, 0)
    assert result.bytes_moved == (site / "about" / "index.html").stat().st_size
    parents = git("--git-dir", str(remote), "rev-list", "--parents", "-1", "gh-pages").split()
    assert parents == [head(remote), first.commit]  # one new commit on top of the history
    changed = git("--git-dir", str(remote), "diff", "--name-only", f"{first.commit}", "gh-pages").split()
    assert changed == ["about/index.html"]
    assert tree_of(checkout(remote, tmp_path / "clone")) == {**tree_of(site), **GENERATED}


def test_git_always_mirrors_deleted_pages(site: Path, target: GitTarget, remote: Path, tmp_path: Path) -> None:
    publish(target, site, now=NOW)
    shutil.rmtree(site / "2024" / "05" / "02")
    lines: list[str] = []
    # without delete too: the commit is the whole tree, so the page leaves the branch
    result = publish(target, site, now=NOW, progress=lines.append)
    assert result.deleted == 1 and result.plan.deletes == ("2024/05/02/second/index.html",)
    assert any("mirrors the site" in line for line in lines)
    clone = checkout(remote, tmp_path / "clone")
    assert not (clone / "2024" / "05" / "02").exists()
    assert tree_of(clone) == {**tree_of(site), **GENERATED}
    # still in the history
    assert "<title>Second</title>" in git("--git-dir", str(remote), "show", "gh-pages~1:2024/05/02/second/index.html")


def test_dry_run_reports_the_plan_and_pushes_nothing(site: Path, target: GitTarget, remote: Path) -> None:
    lines: list[str] = []
    first = publish(target, site, dry_run=True, progress=lines.append)
    assert first.dry_run and first.commit is None and first.files_moved == 0
    assert sorted(first.plan.uploads) == sorted([*SITE, *GENERATED])
    assert git("--git-dir", str(remote), "for-each-ref").strip() == ""  # branch still absent
    assert sum(line.startswith("would upload ") for line in lines) == len(SITE) + 2

    publish(target, site, now=NOW)
    before = head(remote)
    (site / "index.html").write_text("changed\n")
    (site / "feed.xml").unlink()
    (site / "new.txt").write_text("new\n")
    plan = publish(target, site, dry_run=True).plan
    assert (plan.uploads, plan.updates, plan.deletes) == (("new.txt",), ("index.html",), ("feed.xml",))
    assert head(remote) == before


def test_publishes_on_top_of_an_existing_branch(site: Path, target: GitTarget, remote: Path, tmp_path: Path) -> None:
    # a gh-pages branch someone made by hand, with a file the site does not have
    work = tmp_path / "work"
    git("init", "--quiet", "-b", "gh-pages", str(work))
    (work / "old.html").write_text("old\n")
    (work / "CNAME").write_text("old.example.org\n")
    git("add", ".", cwd=work)
    git("commit", "--quiet", "-m", "Hand-made pages", cwd=work)
    git("push", "--quiet", str(remote), "gh-pages", cwd=work)
    (site / "CNAME").write_text("site.example.org\n")  # the target's cname wins over the site's file

    result = publish(target, site, now=NOW)
    assert history(remote) == ["Publish site from uncommitted at 2024-05-03 09:30:00 UTC", "Hand-made pages"]
    assert result.plan.deletes == ("old.html",) and result.plan.updates == ("CNAME",)
    clone = checkout(remote, tmp_path / "clone")
    assert (clone / "CNAME").read_text() == "news.example.org\n"
    assert not (clone / "old.html").exists()


def test_no_cname_without_the_setting(site: Path, remote: Path, tmp_path: Path) -> None:
    publish(GitTarget("pages", str(remote), "site"), site, now=NOW)
    clone = checkout(remote, tmp_path / "clone", "site")
    assert (clone / ".nojekyll").is_file() and not (clone / "CNAME").exists()


def test_the_users_repository_is_never_touched(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # publishing to a branch of the very repository the site is written in,
    # from a shell where a git hook has set GIT_DIR and GIT_INDEX_FILE
    project = tmp_path / "project"
    git("init", "--quiet", "-b", "main", str(project))
    (project / "digest.yaml").write_text("title: News\n")
    git("add", "digest.yaml", cwd=project)
    git("commit", "--quiet", "-m", "Source", cwd=project)
    (project / "draft.md").write_text("work in progress\n")
    git("add", "draft.md", cwd=project)  # staged, not committed
    (project / "digest.yaml").write_text("title: News (edited)\n")  # unstaged edit

    def state() -> tuple[str, str, str, bytes, str]:
        return (git("status", "--porcelain", cwd=project), git("symbolic-ref", "HEAD", cwd=project),
                git("rev-parse", "main", cwd=project), (project / ".git" / "index").read_bytes(),
                (project / "digest.yaml").read_text())

    before = state()
    source = describe_source(project)
    assert source == "uncommitted"

    monkeypatch.setenv("GIT_DIR", str(project / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(project / ".git" / "index"))
    result = publish(GitTarget("pages", str(project), "gh-pages"), site, now=NOW, source=source)
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_INDEX_FILE")

    assert result.commit is not None
    assert state() == before
    assert git("rev-parse", "gh-pages", cwd=project).strip() == result.commit
    assert git("ls-tree", "--name-only", "gh-pages", cwd=project).split() == sorted(
        {".nojekyll", "2024", "404.html", "about", "assets", "feed.xml", "images", "index.html"}
    )


def test_describe_source(tmp_path: Path) -> None:
    assert describe_source(tmp_path) == "uncommitted"  # not a repository
    git("init", "--quiet", str(tmp_path / "p"))
    (tmp_path / "p" / "a.md").write_text("a\n")
    git("add", "a.md", cwd=tmp_path / "p")
    git("commit", "--quiet", "-m", "a", cwd=tmp_path / "p")
    sha = git("rev-parse", "HEAD", cwd=tmp_path / "p").strip()
    assert describe_source(tmp_path / "p") == sha[:12]
    (tmp_path / "p" / "b.md").write_text("new article\n")
    assert describe_source(tmp_path / "p") == "uncommitted"


def test_unreachable_remote_is_a_clear_error(site: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-remote.git"
    with pytest.raises(DigestError) as caught:
        publish(GitTarget("pages", str(missing)), site)
    message = str(caught.value)
    assert message.startswith(f"publish target 'pages': reaching git remote '{missing}' (branch 'gh-pages') failed: ")
    assert "does not appear to be a git repository" in message  # git's own words


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_url_is_a_clear_error_without_the_password(site: Path) -> None:
    url = f"http://me:s3cret@127.0.0.1:{free_port()}/digest.git"  # nothing listens there
    with pytest.raises(DigestError) as caught:
        publish(GitTarget("pages", url), site)
    message = str(caught.value)
    assert "publish target 'pages': reaching git remote 'http://me:***@127.0.0.1:" in message
    assert "s3cret" not in message
    assert "Failed to connect" in message or "Connection refused" in message


def test_push_rejected_when_the_branch_moved(site: Path, target: GitTarget, remote: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    publish(target, site, now=NOW)
    (site / "index.html").write_text("mine\n")

    # someone else publishes between our fetch and our push
    from digest.publish import git as git_publisher

    real_commit = git_publisher.GitPublisher._commit

    def commit_then_race(self: git_publisher.GitPublisher, *args: object) -> str:
        made = real_commit(self, *args)  # type: ignore[arg-type]
        work = checkout(remote, tmp_path / "other")
        (work / "theirs.html").write_text("theirs\n")
        git("add", ".", cwd=work)
        git("commit", "--quiet", "-m", "Theirs", cwd=work)
        git("push", "--quiet", "origin", "gh-pages", cwd=work)
        return made

    monkeypatch.setattr(git_publisher.GitPublisher, "_commit", commit_then_race)
    with pytest.raises(DigestError, match="branch 'gh-pages' changed on .* while publishing; publish again"):
        publish(target, site, now=NOW)
    assert history(remote)[0] == "Theirs"  # nothing of theirs was overwritten


def test_a_missing_identity_is_explained(site: Path, target: GitTarget, monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("EMAIL", "")
    monkeypatch.setenv("HOME", str(tmp_path))
    # git falls back to user@hostname; only an empty name makes it refuse everywhere
    monkeypatch.setenv("GIT_AUTHOR_NAME", "")
    with pytest.raises(DigestError, match="git does not know who is committing"):
        publish(target, site, now=NOW)

