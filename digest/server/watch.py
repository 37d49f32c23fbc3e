"""File watching for the dev server: watchdog events, editor droppings filtered out, saves debounced.

Editors save in odd ways: a temp file renamed over the original, delete and recreate,
several events for one save, swap and lock files beside the file. Every path an event
names (both ends of a move) is collected; a batch is handed over once no event has come
for ``quiet`` seconds. Events that arrive during a rebuild start the next batch, so the
last save is never lost.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path
from typing import Iterable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

# reads (ours included: every rebuild opens files) and folder timestamp changes say nothing new
_IGNORED_EVENTS = {"opened", "closed_no_write"}
_DROPPINGS = re.compile(
    r"""^(?:
        \..*                      # hidden: vim .x.swp, emacs .#x lock, gedit .goutputstream-*, kate .x.kate-swp
      | .*~                       # backups
      | \#.*\#                    # emacs auto-save
      | 4913 | 5036               # vim checks it can write the folder
      | .*\.(?:sw[a-p]|tmp|temp|bak|orig|crswap|part)
      | .*___jb_(?:tmp|old)___    # JetBrains safe write
      | sed[A-Za-z0-9]{6}         # sed -i
      | ~\$.*                     # office lock files
    )$""",
    re.VERBOSE,
)


def is_editor_dropping(name: str) -> bool:
    """A file an editor or tool writes beside the one being saved, which never belongs to the site."""
    return bool(_DROPPINGS.match(name))


class ChangeBatcher:
    """Collects changed paths and hands them over in debounced batches."""

    def __init__(self, quiet: float = 0.05, max_wait: float = 1.0) -> None:
        self.quiet = quiet
        self.max_wait = max_wait  # a stream of events (a copy of many files) still rebuilds now and then
        self._cond = threading.Condition()
        self._paths: set[str] = set()
        self._first = 0.0
        self._last = 0.0
        self._closed = False

    def add(self, paths: Iterable[str]) -> None:
        with self._cond:
            now = time.monotonic()
            if not self._paths:
                self._first = now
            self._paths.update(paths)
            self._last = now
            self._cond.notify_all()

    def pending(self) -> bool:
        """Whether changes are waiting to be handed over."""
        with self._cond:
            return bool(self._paths) or self._closed

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wait(self, idle: float | None = None) -> set[str] | None:
        """Block until a batch is ready and return it; ``None`` once closed; an empty set after ``idle``
        seconds without any event."""
        deadline = None if idle is None else time.monotonic() + idle
        with self._cond:
            while True:
                if self._closed:
                    return None
                if not self._paths:
                    if deadline is None:
                        self._cond.wait()
                        continue
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return set()
                    self._cond.wait(left)
                    continue
                now = time.monotonic()
                due = min(self._last + self.quiet, self._first + self.max_wait)
                if now >= due:
                    batch, self._paths = self._paths, set()
                    return batch
                self._cond.wait(due - now)


class _Handler(FileSystemEventHandler):
    def __init__(self, batcher: ChangeBatcher, root: Path) -> None:
        self.batcher = batcher
        self.root = str(root)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _IGNORED_EVENTS:
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's mtime changes with every file saved in it; the file's own event follows
        paths = [os.fsdecode(event.src_path)]
        if event.event_type == "moved" and event.dest_path:
            paths.append(os.fsdecode(event.dest_path))
        wanted = [p for p in paths if self._relevant(p)]
        if wanted:
            self.batcher.add(wanted)

    def _relevant(self, path: str) -> bool:
        rel = os.path.relpath(path, self.root)
        if rel == ".":
            return False
        return not any(is_editor_dropping(part) for part in rel.split(os.sep))


class Watcher:
    """Watches folders (recursively or not) and feeds a ``ChangeBatcher``; ``--poll`` polls instead."""

    def __init__(self, batcher: ChangeBatcher, *, poll: bool = False, poll_interval: float = 0.5) -> None:
        self.batcher = batcher
        self.observer: BaseObserver = PollingObserver(timeout=poll_interval) if poll else Observer()
        self._watches: dict[tuple[str, bool], ObservedWatch] = {}

    def watch(self, roots: Iterable[tuple[Path, bool]]) -> None:
        """Watch exactly these folders that exist; call again after a rebuild as folders come and go."""
        wanted = {(str(path), recursive) for path, recursive in roots if path.is_dir()}
        for key in list(self._watches):
            if key not in wanted or not os.path.isdir(key[0]):
                watch = self._watches.pop(key)
                try:
                    self.observer.unschedule(watch)
                except (KeyError, OSError):
                    pass
        for path, recursive in sorted(wanted - set(self._watches)):
            try:
                self._watches[(path, recursive)] = self.observer.schedule(
                    _Handler(self.batcher, Path(path)), path, recursive=recursive
                )
            except OSError:
                continue  # vanished meanwhile: the next rebuild tries again

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.batcher.close()
        if self.observer.is_alive():
            self.observer.stop()
            self.observer.join(timeout=5)
