"""Shared fixtures of the publish tests: a small built site, and git run with a test identity."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

# a real (tiny) PNG, so the image is a binary file like a site's
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4"
    "890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4a40000000049454e44ae426082"
)

SITE: dict[str, str | bytes] = {
    "index.html": """\
        <!doctype html><title>Digest</title>
        <link rel="stylesheet" href="/assets/style.3f2a9c1e.css">
        <link rel="alternate" type="application/atom+xml" href="/feed.xml">
        <a href="/2024/05/01/first/">First</a> <a href="/2024/05/02/second/">Second</a> <a href="/about/">About</a>
        """,
    "2024/05/01/first/index.html": """\
        <!doctype html><title>First</title><link rel="stylesheet" href="/assets/style.3f2a9c1e.css">
        <img src="/images/logo.png" alt=""><a href="/">Home</a>
        """,
    "2024/05/02/second/index.html": """\
        <!doctype html><title>Second</title><link rel="stylesheet" href="/assets/style.3f2a9c1e.css">
        <a href="/2024/05/01/first/">Previous</a>
        """,
    "about/index.html": "<!doctype html><title>About</title><p>About this digest.</p>\n",
    "404.html": "<!doctype html><title>Not found</title>\n",
    "assets/style.3f2a9c1e.css": "body { font-family: serif; }\n",
    "feed.xml": """\
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom"><title>Digest</title></feed>
        """,
    "images/logo.png": PNG,
}


def write_site(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """Write a built site (path -> text or bytes) into ``root`` and return it."""
    for rel, content in (SITE if files is None else files).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def tree_of(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by relative path, with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Digest Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Digest Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}


def isolate_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test identity and no user or system git config, for this process and every git it starts."""
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    for key, value in {**GIT_IDENTITY, "GIT_CONFIG_GLOBAL": str(empty), "GIT_CONFIG_NOSYSTEM": "1"}.items():
        monkeypatch.setenv(key, value)


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git in a test (the environment comes from ``git_env``) and return its stdout."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def moto_server(log_path: Path) -> Iterator[str]:
    """moto's S3 server as a subprocess on a free port of 127.0.0.1, stopped by its PID at the end."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = log_path.open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start (exit code {server.poll()})") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
