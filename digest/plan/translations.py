"""The plans of a multilingual site's languages as one plan, and each page's alternates.

Each language is planned by the ordinary planner (plan/pages.py) in its own URL space;
this module puts the plans side by side (the other languages' paths under ``<lang>/``,
collisions between languages found before rendering) and tells each page which
languages have it: an article its translations (model/languages.py), any other page
the same local URL in the languages whose plan holds it (``/tags/energy/`` only where
that language has the tag). So ``hreflang`` links and the language switcher never
point at a page that is not built.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterator, Mapping, Sequence

from digest.errors import Problem
from digest.model.languages import Language, Translations
from digest.plan.pages import Alternate, AlternatesOf, Memo, PageJob, PageSpec, Plan
from digest.rules.locale import language_name
from digest.rules.urls import join_base, output_path


def alternates_of(
    language: Language, languages: Sequence[Language], plans: Mapping[str, Mapping[str, PageJob]],
    translations: Translations,
) -> AlternatesOf:
    """(kind, local URL) -> the page in each language that has it, ``x-default`` (the default language's) last.

    ``plans``: tag -> that language's plan; looked up when a page's job is made, after every language is planned.
    """

    def of(kind: str, url: str) -> tuple[Alternate, ...]:
        if kind == "article":
            urls: Mapping[str, str] = translations.of.get((language.tag, url), {})
        else:
            path = output_path(url)
            urls = {other.tag: url for other in languages if path in plans.get(other.tag, {})}
        if len(urls) < 2:
            return ()
        found = [
            Alternate(other.tag, language_name(other.tag), other.prefix + urls[other.tag],
                      join_base(other.config.base_url, urls[other.tag]), other.tag == language.tag)
            for other in languages if other.tag in urls
        ]
        default = languages[0]
        if default.tag in urls:
            found.append(dataclasses.replace(found[0], lang="x-default", current=False))
        return tuple(found)

    return of


class LanguageMemo:
    """A language's own shelf in the build cache's memo (which keeps one entry per name)."""

    def __init__(self, memo: Memo | None, tag: str) -> None:
        self._memo = memo
        self._tag = tag

    def get_memo(self, name: str, key: str) -> str | None:
        return None if self._memo is None else self._memo.get_memo(f"{name}@{self._tag}", key)

    def put_memo(self, name: str, key: str, value: str) -> None:
        if self._memo is not None:
            self._memo.put_memo(f"{name}@{self._tag}", key, value)

    def get_blob(self, name: str) -> bytes | None:
        return None if self._memo is None else self._memo.get_blob(f"{name}@{self._tag}")

    def put_blob(self, name: str, data: bytes) -> None:
        if self._memo is not None:
            self._memo.put_blob(f"{name}@{self._tag}", data)


class LanguagePlans(Plan):
    """Output path -> job over every language: ``ru/2022/01/10/slug/index.html`` is the Russian plan's
    ``2022/01/10/slug/index.html`` with its path and URL under ``ru/``. Jobs are made on first access."""

    def __init__(self, plans: Sequence[tuple[Language, Plan]]) -> None:
        self._where: dict[str, tuple[str, Plan, str]] = {}
        self._made: dict[str, PageJob] = {}
        self.problems: list[Problem] = []
        for language, plan in plans:
            folder = language.prefix.lstrip("/") + "/" if language.prefix else ""
            for path in plan:
                full = folder + path
                if full in self._where:
                    local, other_plan, _ = self._where[full]
                    self.problems.append(Problem(
                        plan.spec(path).origin, None,
                        f"{language.tag}: URL /{full} is also made by {other_plan.spec(local).origin} of another"
                        " language: change a slug or a permalink pattern (the languages' folders are /<lang>/)",
                    ))
                    continue
                self._where[full] = (path, plan, folder)

    def __getitem__(self, path: str) -> PageJob:
        job = self._made.get(path)
        if job is None:
            job = self._made[path] = self._job(path, self._where[path][1].__getitem__)
        return job

    def fresh(self, path: str) -> PageJob:
        return self._made.get(path) or self._job(path, self._where[path][1].fresh)

    def spec(self, path: str) -> PageSpec:
        """The language's own spec (its URL without the language's folder)."""
        local, plan, _ = self._where[path]
        return plan.spec(local)

    def _job(self, path: str, make: Callable[[str], PageJob]) -> PageJob:
        local, _plan, folder = self._where[path]
        job = make(local)
        if folder:
            job = dataclasses.replace(job, path=path, url="/" + folder + job.url.lstrip("/"))
        return job

    def __contains__(self, path: object) -> bool:
        return path in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)
