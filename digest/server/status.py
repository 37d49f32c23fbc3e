"""What open pages need to know about the dev server's site: its epoch and whether the build is broken."""

from __future__ import annotations

import json
import traceback
from dataclasses import dataclass
from typing import Mapping

from digest.errors import BuildFailed, DigestError, Problem


@dataclass(frozen=True, slots=True)
class ServeError:
    """Why the site cannot be shown as it is on disk: the user's problems, or our own crash."""

    problems: tuple[Problem, ...]
    text: str  # for the terminal

    @classmethod
    def from_exception(cls, exc: BaseException) -> ServeError:
        if isinstance(exc, DigestError):
            problems = exc.problems if isinstance(exc, BuildFailed) else (exc.problem,)
            return cls(problems, "\n".join(str(p) for p in problems))
        # our bug, not the user's: keep the traceback for the terminal, show the gist in the page
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return cls((Problem("digest", None, f"internal error: {type(exc).__name__}: {exc}"),), text)

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "problems": [{"path": p.path, "line": p.line, "message": p.message} for p in self.problems],
        }


@dataclass(frozen=True, slots=True)
class CssSwap:
    """The last rebuild changed only stylesheets: pages at epoch ``since`` swap these hrefs instead of reloading."""

    since: str
    hrefs: Mapping[str, str]  # old URL path -> new URL path


@dataclass(frozen=True, slots=True)
class Status:
    """Sent to every open page whenever it changes; a page reloads when ``epoch`` is not its own."""

    epoch: str
    error: ServeError | None = None
    css: CssSwap | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "epoch": self.epoch,
                "error": self.error.to_dict() if self.error else None,
                "css": {"since": self.css.since, "hrefs": dict(self.css.hrefs)} if self.css else None,
            },
            ensure_ascii=False,
        )
