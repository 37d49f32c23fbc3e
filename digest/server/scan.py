"""Re-scanning ``content/`` between rebuilds: only files whose stat changed are read again."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Container

from digest.config import SiteConfig
from digest.ingest import SourceFile, file_key, render_settings_key, walk_content

# (mtime_ns, ctime_ns, size, inode): a rename-over save changes the inode, an in-place one the times.
Signature = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class ScanResult:
    files: list[SourceFile]  # ``data`` is empty for a file that did not change and whose key is known
    assets: list[tuple[str, Path]]
    read: int  # files read from disk this time


@dataclass(slots=True)
class ContentScanner:
    """Walks content/ like ``scan_content`` but remembers each file's stat and key.

    Paths the watcher named are read again whatever their stat says: two saves within one
    clock tick can leave size and times unchanged.
    """

    _known: dict[str, tuple[Signature, str]] = field(default_factory=dict)  # rel -> (signature, key)
    _settings: bytes = b""

    def forget(self) -> None:
        self._known.clear()

    def scan(self, site_dir: Path, config: SiteConfig, *, have: Container[str], force: Container[str]) -> ScanResult:
        """``have``: keys whose parsed article is in memory; ``force``: absolute paths to read regardless."""
        settings = render_settings_key(config).encode()
        if settings != self._settings:
            self._known.clear()  # every key depends on the settings
            self._settings = settings
        files: list[SourceFile] = []
        assets: list[tuple[str, Path]] = []
        known: dict[str, tuple[Signature, str]] = {}
        read = 0
        for rel, full, is_article in walk_content(site_dir / config.content_dir):
            if not is_article:
                assets.append((rel, full))
                continue
            try:
                st = os.stat(full)
            except FileNotFoundError:  # deleted while we walked: the watcher will call again
                continue
            sig = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
            old = self._known.get(rel)
            path = f"{config.content_dir}/{rel}"
            if old is not None and old[0] == sig and old[1] in have and str(full) not in force:
                files.append(SourceFile(path, rel, b"", old[1]))
                known[rel] = old
                continue
            try:
                data = full.read_bytes()
            except FileNotFoundError:
                continue
            read += 1
            key = file_key(settings, rel, data)
            files.append(SourceFile(path, rel, data, key))
            known[rel] = (sig, key)
        self._known = known
        return ScanResult(files, assets, read)
