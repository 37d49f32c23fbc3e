"""Publish by committing the site as the whole tree of a branch (the gh-pages model).

Everything happens in a temporary bare repository with git plumbing
(``hash-object``, ``update-index`` on a temporary index, ``write-tree``,
``commit-tree``, ``push``), so the user's own repository, branch and working
tree are never touched. The branch gets one new commit on top of its history,
or none when the tree did not change.

The commit is the whole site, so files no longer in the site disappear from
the branch whether or not ``delete`` is given: a git target always mirrors
(the old files stay in the branch's history).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from digest import __version__
from digest.errors import DigestError
from digest.publish.config import GitTarget
from digest.publish.scratch import work_folder
from digest.publish.plan import (
    LocalFile,
    Plan,
    Progress,
    PublishResult,
    hash_file,
    make_plan,
    result_of,
    scan_local,
    silent,
)

# Variables that would point git at the user's repository (set, for example,
# when digest runs inside a git hook); our commands must only see the temp repo.
_REPO_VARIABLES = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX", "GIT_COMMON_DIR",
)


class GitFailed(Exception):
    """A git command exited non-zero; ``stderr`` says why."""

    def __init__(self, args: Sequence[str], code: int, stderr: str) -> None:
        super().__init__(f"git {' '.join(args)} failed ({code}): {stderr}")
        self.code = code
        self.stderr = stderr


def _clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _REPO_VARIABLES}
    env.update(extra or {})
    return env


def run_git(args: Sequence[str], *, git_dir: Path | None = None, cwd: Path | None = None,
            input: bytes | None = None, env: Mapping[str, str] | None = None) -> bytes:
    """Run one git command and return its stdout; raise ``GitFailed`` with its stderr."""
    command = ["git", *([f"--git-dir={git_dir}"] if git_dir else []), *args]
    try:
        done = subprocess.run(
            command, input=input, stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True, cwd=cwd, env=_clean_env(env), check=False,
        )
    except FileNotFoundError:
        raise DigestError("git is not installed (or not on PATH): publishing to a git target needs it") from None
    if done.returncode != 0:
        raise GitFailed(args, done.returncode, done.stderr.decode("utf-8", "replace").strip())
    return done.stdout


def describe_source(project_dir: str | Path) -> str:
    """The commit the site was built from, or ``"uncommitted"`` when the source has changes (or no git)."""
    try:
        head = run_git(["rev-parse", "--verify", "--short=12", "HEAD"], cwd=Path(project_dir)).decode().strip()
        dirty = run_git(["status", "--porcelain"], cwd=Path(project_dir)).strip()
    except (GitFailed, DigestError, OSError):
        return "uncommitted"
    return "uncommitted" if dirty else head


_USERINFO = re.compile(r"(://[^/@:]+):[^/@]*@")


def redact(text: str) -> str:
    """Hide a password or token embedded in a URL (``https://user:TOKEN@host``) before it is shown."""
    return _USERINFO.sub(r"\1:***@", text)


class GitPublisher:
    """Commit a built site to ``target.branch`` of ``target.remote`` and push it.

    ``now`` (UTC) dates the commit and its message; ``source`` names what the
    site was built from (see ``describe_source``).
    """

    def __init__(self, target: GitTarget, *, now: datetime | None = None, source: str = "uncommitted") -> None:
        self.target = target
        self.now = (now or datetime.now(UTC)).astimezone(UTC)
        self.source = source

    # ---------------------------------------------------------------- errors

    def _fail(self, doing: str, exc: GitFailed) -> DigestError:
        where = f"publish target '{self.target.name}'"
        remote = redact(self.target.remote)
        # git's message on one line: it will be printed after ours
        detail = " ".join(redact(exc.stderr).split()) or f"git exited with status {exc.code}"
        return DigestError(f"{where}: {doing} git remote '{remote}' (branch '{self.target.branch}') failed: {detail}")

    # ---------------------------------------------------------------- steps

    def publish(self, site_dir: str | Path, *, delete: bool = False, dry_run: bool = False,
                progress: Progress | None = None) -> PublishResult:
        say = progress or silent
        target = self.target
        files = scan_local(site_dir)
        with work_folder() as tmp:
            files = {**files, **self._generated_files(tmp)}
            repo = tmp / "repo.git"
            run_git(["init", "--quiet", "--bare", str(repo)])

            say(f"fetch {target.branch} from {redact(target.remote)}")
            old = self._fetch(repo)
            before: dict[str, str] = self._tree_blobs(repo, old) if old else {}
            blobs = self._write_blobs(repo, files)
            plan = make_plan(files, before, lambda rel, _info, sha: blobs[rel] == sha, delete=True)
            if plan.deletes and not delete:
                say(f"note: a git target mirrors the site; {len(plan.deletes)} file(s) no longer in it "
                    "leave the branch even without --delete")
            if dry_run:
                for line in plan.lines():
                    say(f"would {line}")
                return result_of(target.name, "git", plan, files, dry_run=True)

            tree = self._write_tree(repo, tmp / "index", files, blobs)
            if old and tree == self._git(repo, ["rev-parse", f"{old}^{{tree}}"]).decode().strip():
                say(f"nothing changed: {target.branch} stays at {old[:12]}")
                return result_of(target.name, "git", plan, files, dry_run=False)
            for line in plan.lines():
                say(line)
            commit = self._commit(repo, tree, old, plan)
            say(f"commit {commit[:12]}: {self._subject()}")
            say(f"push {target.branch} to {redact(target.remote)}")
            try:
                self._git(repo, ["push", "--quiet", target.remote, f"{commit}:refs/heads/{target.branch}"])
            except GitFailed as exc:
                if "rejected" in exc.stderr or "fetch first" in exc.stderr:
                    raise DigestError(
                        f"publish target '{target.name}': branch '{target.branch}' changed on "
                        f"'{redact(target.remote)}' while publishing; publish again"
                    ) from None
                raise self._fail("pushing to", exc) from None
            return result_of(target.name, "git", plan, files, dry_run=False, commit=commit)

    def _git(self, repo: Path, args: Sequence[str], *, input: bytes | None = None,
             env: Mapping[str, str] | None = None) -> bytes:
        return run_git(args, git_dir=repo, input=input, env=env)

    def _generated_files(self, tmp: Path) -> dict[str, LocalFile]:
        """``.nojekyll`` (serve files starting with ``_`` as they are) and ``CNAME`` (the custom domain)."""
        made: dict[str, bytes] = {".nojekyll": b""}
        if self.target.cname:
            # the config wins over a CNAME file in the site: it is what the user set for this target
            made["CNAME"] = f"{self.target.cname}\n".encode()
        out: dict[str, LocalFile] = {}
        folder = tmp / "generated"
        folder.mkdir()
        for rel, content in made.items():
            path = folder / rel
            path.write_bytes(content)
            out[rel] = LocalFile(path, *hash_file(path))
        return out

    def _fetch(self, repo: Path) -> str | None:
        """The branch's current commit fetched into ``repo`` (history depth 1), or None when absent."""
        ref = f"refs/heads/{self.target.branch}"
        try:
            listing = self._git(repo, ["ls-remote", self.target.remote, ref]).decode()
        except GitFailed as exc:
            raise self._fail("reaching", exc) from None
        heads = [line.split("\t")[0] for line in listing.splitlines() if line.endswith(f"\t{ref}")]
        if not heads:
            return None
        try:
            # one commit of history is enough to put a new one on top of it
            self._git(repo, ["fetch", "--quiet", "--no-tags", "--depth=1", self.target.remote,
                             f"+{ref}:refs/digest/previous"])
        except GitFailed as exc:
            raise self._fail("fetching from", exc) from None
        return self._git(repo, ["rev-parse", "--verify", "refs/digest/previous"]).decode().strip()

    def _tree_blobs(self, repo: Path, commit: str) -> dict[str, str]:
        out = self._git(repo, ["ls-tree", "-r", "-z", "--full-tree", commit])
        blobs: dict[str, str] = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            _mode, kind, sha = meta.decode().split(" ")
            if kind == "blob":
                blobs[path.decode("utf-8", "surrogateescape")] = sha
        return blobs

    def _write_blobs(self, repo: Path, files: Mapping[str, LocalFile]) -> dict[str, str]:
        names = list(files)
        # --no-filters: store the bytes as built, never with line endings converted
        paths = "".join(f"{files[rel].path}\n" for rel in names).encode("utf-8", "surrogateescape")
        out = self._git(repo, ["hash-object", "-w", "--no-filters", "--stdin-paths"], input=paths)
        shas = out.decode().split()
        if len(shas) != len(names):  # pragma: no cover - git contract
            raise RuntimeError(f"git hash-object returned {len(shas)} ids for {len(names)} files")
        return dict(zip(names, shas))

    def _write_tree(self, repo: Path, index: Path, files: Mapping[str, LocalFile],
                    blobs: Mapping[str, str]) -> str:
        records = "".join(f"100644 blob {blobs[rel]}\t{rel}\0" for rel in files)
        env = {"GIT_INDEX_FILE": str(index)}
        self._git(repo, ["update-index", "--add", "-z", "--index-info"],
                  input=records.encode("utf-8", "surrogateescape"), env=env)
        return self._git(repo, ["write-tree"], env=env).decode().strip()

    def _subject(self) -> str:
        return f"Publish site from {self.source} at {self.now:%Y-%m-%d %H:%M:%S} UTC"

    def _commit(self, repo: Path, tree: str, parent: str | None, plan: Plan) -> str:
        message = (
            f"{self._subject()}\n\n"
            f"{len(plan.uploads)} added, {len(plan.updates)} changed, {len(plan.deletes)} removed, "
            f"{len(plan.unchanged)} unchanged.\nPublished by digest {__version__}.\n"
        )
        stamp = f"{int(self.now.timestamp())} +0000"
        env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        args = ["commit-tree", tree, *(["-p", parent] if parent else []), "-F", "-"]
        try:
            return self._git(repo, args, input=message.encode(), env=env).decode().strip()
        except GitFailed as exc:
            if "identity" in exc.stderr or "user.email" in exc.stderr:
                raise DigestError(
                    f"publish target '{self.target.name}': git does not know who is committing: "
                    "set `git config --global user.name` and `user.email` "
                    "(or GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL/GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL)"
                ) from None
            raise
