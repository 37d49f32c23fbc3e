"""Errors that are the user's to fix, printed as ``path:line: message``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Control characters (C0, DEL, C1) and the bidirectional overrides: a file name or a value
# quoted in a message must not move the cursor, recolour the terminal or reorder the text.
_UNPRINTABLE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``), safe to print."""
    return _UNPRINTABLE_RE.sub(lambda m: _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the user's input, located in a file."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return printable(f"{where}: {self.message}")


class DigestError(Exception):
    """A mistake in the user's content, config or theme (no traceback shown)."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    @property
    def problem(self) -> Problem:
        return Problem(self.path or "digest", self.line, self.message)

    def __str__(self) -> str:
        if self.path is None:
            return printable(self.message)
        return str(self.problem)


class BuildFailed(DigestError):
    """Several problems found in one run; all are reported together."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: (p.path, p.line or 0, p.message)))
        count = len(self.problems)
        summary = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{summary}\nbuild failed: {count} problem{'s' if count != 1 else ''}; output left unchanged")

    def __str__(self) -> str:
        return self.message
