"""The build cache in ``.digest-cache/``: rendered articles and the last output manifest.

SQLite (standard library, one file, atomic commits) holding JSON text: no
pickle, so a cache from another version can never run code, and a damaged
cache is dropped and rebuilt instead of failing the build.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

Row = tuple[str, str, str, str, str, str, str]  # key, metadata JSON, html, toc, auto summary, note html, terms

CACHE_DIR = ".digest-cache"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    key TEXT PRIMARY KEY, meta TEXT NOT NULL, html TEXT NOT NULL, toc TEXT NOT NULL,
    summary TEXT NOT NULL, note TEXT NOT NULL, terms TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    output TEXT NOT NULL, path TEXT NOT NULL, fingerprint TEXT NOT NULL, sha TEXT NOT NULL,
    reads TEXT NOT NULL,  -- the site fields the page's template read, space-separated
    PRIMARY KEY (output, path)
);
CREATE TABLE IF NOT EXISTS memo (name TEXT PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL);
"""


class Cache:
    """Rendered articles keyed by a hash of their bytes and the render settings."""

    def __init__(self, directory: Path | None) -> None:
        self._db: sqlite3.Connection | None = None
        if directory is None:
            return
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._db = self._open(directory / "cache-v4.sqlite")
        except (OSError, sqlite3.DatabaseError):
            try:
                (directory / "cache-v4.sqlite").unlink(missing_ok=True)
                self._db = self._open(directory / "cache-v4.sqlite")
            except (OSError, sqlite3.DatabaseError):
                self._db = None  # an unwritable cache only costs speed

    def _open(self, path: Path) -> sqlite3.Connection:
        self._path = path
        db = sqlite3.connect(path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        gitignore = path.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n")
        return db

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def folder(self, name: str) -> Path | None:
        """A sub-folder of the cache for files of its own (compiled templates), made on first use."""
        if self._db is None:
            return None
        folder = self._path.parent / name
        try:
            folder.mkdir(exist_ok=True)
        except OSError:
            return None
        return folder

    def get_articles(self, keys: Iterable[str], *, bodies: bool = True) -> dict[str, Row]:
        """Rows by key; ``bodies=False`` leaves html, toc, note and search terms empty (read them later with ``bodies()``)."""
        if self._db is None:
            return {}
        columns = "*" if bodies else "key, meta, '', '', summary, '', ''"
        return {row[0]: row for row in _rows_by_key(self._db, columns, list(keys))}

    def article_keys(self) -> set[str]:
        """The key of every article the cache holds."""
        if self._db is None:
            return set()
        return {row[0] for row in self._db.execute("SELECT key FROM articles")}

    def put_articles(self, rows: Iterable[Row]) -> None:
        if self._db is None:
            return
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def keep_articles(self, keep: Iterable[str]) -> None:
        """Drop the entries no file maps to any more (by key: after an edit, one or two)."""
        if self._db is None:
            return
        gone = self.article_keys().difference(keep)
        if gone:
            with self._db:
                self._db.executemany("DELETE FROM articles WHERE key = ?", ((k,) for k in gone))

    # The manifest is what the last build wrote into one output folder: per folder, because
    # building into another folder must not make digest trust files it did not write there.
    def get_manifest(self, output: str) -> dict[str, tuple[str, str, str]]:
        """Path -> (fingerprint, sha, site fields read) of each file the last build wrote to ``output``."""
        if self._db is None:
            return {}
        rows = self._db.execute("SELECT path, fingerprint, sha, reads FROM pages WHERE output = ?", (output,))
        return {path: (fp, sha, reads) for path, fp, sha, reads in rows}

    def put_manifest(
        self, output: str, manifest: Mapping[str, tuple[str, str, str]], old: Mapping[str, tuple[str, str, str]]
    ) -> None:
        """Make the stored manifest of ``output`` ``manifest``, given that it is ``old`` now (what
        ``get_manifest`` gave): only the rows that differ are written (a one-page edit, not 23,000 rows)."""
        if self._db is None:
            return
        with self._db:
            self._db.executemany(
                "DELETE FROM pages WHERE output = ? AND path = ?", ((output, p) for p in old if p not in manifest)
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)",
                ((output, p, f, s, r) for p, (f, s, r) in manifest.items() if old.get(p) != (f, s, r)),
            )

    def get_memo(self, name: str, key: str) -> str | None:
        """The value last stored under ``name`` if it was stored for this ``key`` (one entry per name)."""
        if self._db is None:
            return None
        row = self._db.execute("SELECT value FROM memo WHERE name = ? AND key = ?", (name, key)).fetchone()
        return None if row is None else str(row[0])

    def put_memo(self, name: str, key: str, value: str) -> None:
        if self._db is None:
            return
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO memo VALUES (?, ?, ?)", (name, key, value))

    # Blobs: one file each beside the database, for values too big to be a row worth rewriting
    # (the search index's state: tens of MB at 10,000 articles), written whole and renamed into place.
    def get_blob(self, name: str) -> bytes | None:
        if self._db is None:
            return None
        try:
            return (self._path.parent / _blob_name(name)).read_bytes()
        except OSError:
            return None

    def put_blob(self, name: str, data: bytes) -> None:
        if self._db is None:
            return
        path = self._path.parent / _blob_name(name)
        part = path.with_name(f"{path.name}.{os.getpid()}.part")
        try:
            part.write_bytes(data)
            os.replace(part, path)
        except OSError:  # a full or read-only disk only costs the next build its speed
            part.unlink(missing_ok=True)

    def bodies(self) -> CachedBodies | None:
        """A reader of stored bodies that also works in forked worker processes."""
        return CachedBodies(self._path) if self._db is not None else None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class CachedBodies:
    """Reads rendered bodies back from the cache by key, one connection per process
    (an SQLite connection must not cross a fork)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._pid = -1
        self._db: sqlite3.Connection | None = None
        self._last: tuple[str, tuple[str, str, str]] | None = None  # an article page asks for html, toc, note

    def body(self, key: str) -> tuple[str, str, str]:
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        row = self._connection().execute("SELECT html, toc, note FROM articles WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise LookupError(f"the build cache lost the body of {key}: delete .digest-cache/ and build again")
        self._last = (key, (row[0], row[1], row[2]))
        return self._last[1]

    def terms(self, keys: Sequence[str]) -> dict[str, str]:
        """The search terms of these bodies, by key."""
        found: dict[str, str] = dict(_rows_by_key(self._connection(), "key, terms", keys))
        missing = next((key for key in keys if key not in found), None)
        if missing is not None:
            raise LookupError(f"the build cache lost the body of {missing}: delete .digest-cache/ and build again")
        return found

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db = sqlite3.connect(f"file:{self._path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
            self._pid = os.getpid()
        return self._db


def _blob_name(name: str) -> str:
    return "blob-" + "".join(c if c.isalnum() or c in "-_" else f"%{ord(c):x}" for c in name)


def _rows_by_key(db: sqlite3.Connection, columns: str, keys: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """``SELECT columns FROM articles`` for these keys, 900 a query (SQLite's limit on parameters)."""
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        yield from db.execute(f"SELECT {columns} FROM articles WHERE key IN ({','.join('?' * len(chunk))})", chunk)
