"""Scanning ``content/`` again: only what changed since the last scan is read.

Two ways to find what changed. A full scan walks the folder and compares each file's
stat with the last one (a few tens of ms for 10,000 files). A targeted scan trusts the
watcher: it looks only at the paths the watcher named, and falls back to a full scan
for anything it cannot settle alone (a folder, a path it never saw). The dev server runs
a full scan when idle as well, so a change the watcher missed is still picked up.

A build keeps what its scan saw in the build cache (``export``/``restore``), so the next
build reads only the files whose stat moved. A signature is kept only once the file's
times are ``SETTLED_NS`` old at the scan: a file written in the same clock tick as the
scan that stat'ed it could change again without its stat moving ("racy git"). The
inode-change time cannot be set back by ``touch`` or a copy tool, so a save always shows.
"""

from __future__ import annotations

import json
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Container, Iterator

from digest.config import SiteConfig
from digest.errors import DigestError
from digest.sources.editions import is_edition_file
from digest.sources.frontmatter import ARTICLE_SUFFIXES, read_article_bytes
from digest.sources.load import SourceFile, file_key, is_skipped, render_settings_key

# (mtime_ns, ctime_ns, size, inode): a rename-over save changes the inode, an in-place one the times.
Signature = tuple[int, int, int, int]

SETTLED_NS = 2_000_000_000  # file times this much older than the scan cannot share its clock tick


@dataclass(frozen=True, slots=True)
class ScanResult:
    files: list[SourceFile]  # each with its key but without its bytes: ``load`` reads the ones it parses
    assets: list[tuple[str, Path]]
    read: int  # files read from disk this time
    full: bool  # the whole folder was walked


class _NeedsWalk(Exception):
    """A targeted scan met something only a full walk can settle."""


@dataclass(slots=True)
class ContentScanner:
    """Article files with their stat and key, and asset files, as of the last scan."""

    _known: dict[str, tuple[Signature, str]] = field(default_factory=dict)  # rel -> (signature, key)
    _files: dict[str, SourceFile] = field(default_factory=dict)  # rel -> file without its bytes
    _assets: dict[str, Path] = field(default_factory=dict)
    _order: list[str] = field(default_factory=list)  # article rels, sorted
    _settings: bytes = b""
    _content: str = ""
    _started_ns: int = 0  # the clock when the last scan began
    _dirty: bool = False  # what ``export`` would write differs from what was restored

    def export(self) -> str:
        """What the last scan knew, for ``restore`` in another process: the signature and key of every
        article file whose times were settled when it was scanned (JSON text)."""
        settled = self._started_ns - SETTLED_NS
        known = {rel: [*sig, key] for rel, (sig, key) in self._known.items() if sig[0] < settled and sig[1] < settled}
        return json.dumps({"settings": self._settings.decode(), "content": self._content, "known": known},
                          separators=(",", ":"))

    @property
    def changed(self) -> bool:
        """Whether ``export`` holds anything the restored state did not: a file was read, came or went."""
        return self._dirty

    @classmethod
    def restore(cls, text: str | None) -> ContentScanner:
        """A scanner that knows what an exported one knew (a new one if ``text`` is None or unreadable)."""
        scanner = cls()
        if not text:
            return scanner
        try:
            state = json.loads(text)
            scanner._known = {rel: ((int(e[0]), int(e[1]), int(e[2]), int(e[3])), str(e[4]))
                              for rel, e in state["known"].items()}
            scanner._settings, scanner._content = state["settings"].encode(), str(state["content"])
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return cls()  # a damaged entry costs one full read, never a wrong key
        return scanner

    def scan(
        self, site_dir: Path, config: SiteConfig, *, have: Container[str], changed: Collection[str] | None = None
    ) -> ScanResult:
        """``have``: keys whose parsed article is in memory; ``changed``: absolute paths the watcher saw change,
        or ``None`` to walk the whole folder. Named paths are read again whatever their stat says: two saves
        within one clock tick can leave size and times unchanged."""
        settings = render_settings_key(config).encode()
        content = os.path.normpath(os.path.join(site_dir, config.content_dir))
        self._started_ns = time.time_ns()
        if settings != self._settings or content != self._content:
            self._known.clear()  # every key depends on the settings and the place
            self._files.clear()
            self._settings = settings
            self._content = content
            changed = None
        if changed is not None:
            try:
                return self._targeted(config, settings, content, have, changed)
            except _NeedsWalk:
                pass
        return self._walk(config, settings, content, have, changed or ())

    def stale(
        self, site_dir: Path, config: SiteConfig, cancelled: Callable[[], bool] = lambda: False
    ) -> set[str] | None:
        """Paths whose stat differs from what the last scan saw (or that came or went): for idle checks.

        ``None`` when ``cancelled()`` said to stop (a save came in: its rebuild goes first)."""
        content = os.path.normpath(os.path.join(site_dir, config.content_dir))
        if content != self._content:
            return {content}
        seen: set[str] = set()
        differ: set[str] = set()
        for count, (rel, entry) in enumerate(_walk(content)):
            if count % 256 == 0 and cancelled():
                return None
            if is_edition_file(rel, config):
                continue
            seen.add(rel)
            if entry.name.endswith(ARTICLE_SUFFIXES):
                old = self._known.get(rel)
                try:
                    if old is None or old[0] != _signature(entry.stat()):
                        differ.add(entry.path)
                except FileNotFoundError:
                    differ.add(entry.path)
            elif rel not in self._assets:
                differ.add(entry.path)
        for rel in (set(self._known) | set(self._assets)) - seen:
            differ.add(os.path.join(content, *rel.split("/")))
        return differ

    def _read(self, config: SiteConfig, settings: bytes, rel: str, path: str, sig: Signature) -> SourceFile | None:
        # a pipe or a broken link named .md is the user's error, as in a build (never a read that hangs)
        try:
            data = read_article_bytes(Path(path), f"{config.content_dir}/{rel}")
        except DigestError:
            if not os.path.lexists(path):
                return None  # deleted since: as if the scan had started just after (the watcher will say so)
            raise
        key = file_key(settings, rel, data)
        self._known[rel] = (sig, key)
        self._dirty = True
        self._files[rel] = SourceFile(f"{config.content_dir}/{rel}", rel, b"", key)
        return self._files[rel]  # without its bytes: load reads the files it parses, in its workers

    def _walk(
        self, config: SiteConfig, settings: bytes, content: str, have: Container[str], force: Collection[str]
    ) -> ScanResult:
        previous = self._known
        self._known, self._files, self._assets = {}, {}, {}
        fresh: dict[str, SourceFile] = {}
        for rel, entry in _walk(content):
            if is_edition_file(rel, config):  # read on every rebuild by digest.sources.editions
                continue
            if not entry.name.endswith(ARTICLE_SUFFIXES):
                self._assets[rel] = Path(entry.path)
                continue
            try:
                sig = _signature(entry.stat())
            except OSError:  # deleted while we walked, or a broken link or a loop: reading it says which
                sig = (-1, -1, -1, -1)  # never equal to a real file's
                if not os.path.lexists(entry.path):
                    continue
            old = previous.get(rel)
            if old is not None and old[0] == sig and old[1] in have and entry.path not in force:
                self._known[rel] = old
                self._files[rel] = SourceFile(f"{config.content_dir}/{rel}", rel, b"", old[1])
                continue
            item = self._read(config, settings, rel, entry.path, sig)
            if item is not None:
                fresh[rel] = item
        self._order = sorted(self._known)
        self._dirty |= len(self._known) != len(previous)  # a file went
        return self._result(fresh, full=True)

    def _targeted(
        self, config: SiteConfig, settings: bytes, content: str, have: Container[str], changed: Collection[str]
    ) -> ScanResult:
        fresh: dict[str, SourceFile] = {}
        added_or_removed = False
        for path in changed:
            if path == content or content.startswith(path + os.sep):
                raise _NeedsWalk(path)  # the folder itself came or went
            if not path.startswith(content + os.sep):
                continue  # the config or the theme: not ours
            rel = path[len(content) + 1 :].replace(os.sep, "/")
            parts = rel.split("/")
            if any(p.startswith(".") for p in parts[:-1]) or is_skipped(parts[-1]):
                continue  # a walk would not see it either
            if is_edition_file(rel, config):
                continue
            try:
                st = os.stat(path)
            except (FileNotFoundError, NotADirectoryError):
                if rel in self._known:
                    del self._known[rel], self._files[rel]
                    added_or_removed = self._dirty = True
                elif self._assets.pop(rel, None) is None:
                    raise _NeedsWalk(path) from None  # perhaps a folder that went with everything in it
                continue
            if not stat.S_ISREG(st.st_mode) or os.path.islink(os.path.dirname(path)):
                raise _NeedsWalk(path)
            if not parts[-1].endswith(ARTICLE_SUFFIXES):
                self._assets[rel] = Path(path)
                continue
            added_or_removed |= rel not in self._known
            item = self._read(config, settings, rel, path, _signature(st))
            if item is not None:
                fresh[rel] = item
        for rel, file in self._files.items():  # a file that failed to parse last time is tried again
            if rel not in fresh and file.key not in have:
                item = self._read(config, settings, rel, os.path.join(content, *rel.split("/")), self._known[rel][0])
                if item is not None:
                    fresh[rel] = item
        if added_or_removed:
            self._order = sorted(self._known)
        return self._result(fresh, full=False)

    def _result(self, fresh: dict[str, SourceFile], *, full: bool) -> ScanResult:
        files = [fresh.get(rel) or self._files[rel] for rel in self._order]
        return ScanResult(files, sorted(self._assets.items()), len(fresh), full)


def _signature(st: os.stat_result) -> Signature:
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def _walk(top: str, rel: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """The files ``walk_content`` yields, without a ``Path`` per file: hidden and backup files and
    folders skipped, symlinked folders not followed."""
    try:
        with os.scandir(top) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    folders = []
    for entry in entries:
        try:
            is_folder = entry.is_dir()
        except OSError:  # a symbolic link loop: a file to os.walk, and an error when read
            is_folder = False
        if is_folder:
            if not entry.name.startswith(".") and not entry.is_symlink():  # os.walk does not follow links either
                folders.append(entry)
        elif not is_skipped(entry.name):
            yield rel + entry.name, entry
    for folder in folders:
        yield from _walk(folder.path, f"{rel}{folder.name}/")
