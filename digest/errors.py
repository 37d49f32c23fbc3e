"""Errors that are the user's to fix, printed as ``path:line: message``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the user's input, located in a file."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


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
            return self.message
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
