"""The plan a build keeps for the next one.

Planning a site (every page's URL, template and key-free inputs, ``PageJob.static``) is a fifth of
a build that changes nothing, and what it finds follows from a few things only: the articles' list
fields in order (``Article.header``: URL, title, dates, tags, source, ...), the editions, the files
of ``content/`` that are not articles, the config, the theme's catalogues and the code that plans.
A build keeps its plan as rows (``PageRow``) under a hash of those (``plan_key``). The next build
whose hash is the same takes the rows instead of planning, and finishes each page's fingerprint
with the articles' current keys: an edited body changes a key, never the plan. The outputs that
are named by the bodies (the search index) or hold their keys in their own inputs (editions) are
planned anew each time; their pages stand between the kept rows, where the whole plan puts them.

A kept page that must be rendered gets the job the whole plan would have made for it: an
article's page from its article alone, a page of a planner that can run apart (the feeds) from
that planner, anything else from the whole plan, made once, before render workers fork
(``KeptPlan.prepare``).
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from digest import __version__
from digest.model.site import Article, Site
from digest.plan.pages import (
    ArticlePlanner, PageJob, PageParts, PageRow, PageSpec, Plan, PlannedPages, Planner, bodies_hash, keyed_inputs,
)

FORMAT = 1
BLOB = "plan"  # the cache's blob of the kept plan
# the code a plan follows from: a build of another version of any of it plans anew
CODE = ("plan", "outputs", "model", "rules")

Row = tuple[str, str | None, str, str, str, tuple[int, ...], tuple[int, ...]]  # the output path, then a PageRow
_DIGEST = 16


@dataclass(frozen=True, slots=True)
class KeptRows:
    key: str
    before: tuple[Row, ...]  # the pages planned before the outputs planned each time
    after: tuple[Row, ...]  # and after them (the sitemap lists them all)


def code_hash(package: Path | None = None) -> str:
    """A hash of the source of the planning code and the model it reads."""
    root = package or Path(__file__).resolve().parent.parent
    h = hashlib.blake2b(__version__.encode(), digest_size=_DIGEST)
    for path in [root / "config.py", *(p for folder in CODE for p in sorted((root / folder).glob("*.py")))]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def plan_key(site: Site, *, catalogue: str, code: str, url_prefix: str = "") -> str:
    """A hash of everything a plan follows from (see the module's docstring); ``catalogue``: a hash of the
    theme's UI catalogues (titles and descriptions of pages are in their words)."""
    h = hashlib.blake2b(digest_size=_DIGEST)
    editions = site.editions.signature() if site.editions is not None else ""
    h.update(repr((FORMAT, code, site.config.fingerprint(), catalogue, url_prefix, editions,
                   sorted(rel for rel, _src in site.assets), len(site.articles))).encode("utf-8", "surrogatepass"))
    h.update("\n".join(a.header for a in site.articles).encode("utf-8", "surrogatepass"))
    # feed entry ids given in front matter: a kept plan does not check them against each other again
    h.update(repr([(a.index, a.extra["id"]) for a in site.articles if "id" in a.extra]).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def pack(key: str, plan: PlannedPages, rows: Mapping[str, PageRow], each_build: Sequence[Callable[..., None]]) -> bytes | None:
    """The plan's rows as the cache keeps them; None when the plan cannot be kept (an output planned each
    time did not run, or a page has no row)."""
    spans = [plan.spans.get(output) for output in each_build]
    if not spans or any(span is None for span in spans):
        return None
    first = min(span[0] for span in spans if span is not None)
    end = max(span[1] for span in spans if span is not None)
    paths = list(plan)
    try:
        before = [(path, *rows[path]) for path in paths[:first]]
        after = [(path, *rows[path]) for path in paths[end:]]
    except KeyError:
        return None
    payload = marshal.dumps((FORMAT, key, before, after))
    return hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload


def unpack(data: bytes | None, key: str, articles: int) -> KeptRows | None:
    """The rows kept under ``key``, or None: another key, or a blob that is damaged or not ours (refused
    whole: a plan is never half-taken)."""
    if data is None or len(data) <= _DIGEST:
        return None
    check, payload = data[:_DIGEST], data[_DIGEST:]
    if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != check:
        return None
    try:
        fmt, kept_key, before, after = marshal.loads(payload)
    except (ValueError, TypeError, EOFError):
        return None
    if fmt != FORMAT or kept_key != key or not isinstance(before, list) or not isinstance(after, list):
        return None
    # the key holds the code's hash, so rows of the right length are rows this code wrote: the checksum
    # caught damage; a row that points past the articles is refused all the same
    highest = -1
    for row in (*before, *after):
        if type(row) is not tuple or len(row) != 7:
            return None
        highest = max((highest, *row[5], *row[6]))
    if highest >= articles:
        return None
    return KeptRows(key, tuple(before), tuple(after))


class KeptPlan(Plan):
    """The last build's rows with this build's pages of the outputs planned each time between them.

    ``planner``: the planner of those outputs (its site and ``site`` values are this build's); ``whole``:
    makes the whole plan; ``apart``: page kind -> a plan of those pages alone (the feeds)."""

    def __init__(self, rows: KeptRows, planner: Planner, whole: Callable[[], Plan],
                 apart: Mapping[str, Callable[[], Plan]]) -> None:
        self._planner = planner
        self._fresh = planner.jobs
        self._articles = planner.site.articles
        self._rows: dict[str, Row] = {row[0]: row for row in (*rows.before, *rows.after)}
        self._order = [row[0] for row in rows.before] + list(self._fresh) + [row[0] for row in rows.after]
        self._makers: dict[str, Callable[[], Plan]] = {"": whole, **apart}
        self._plans: dict[str, Plan] = {}
        self._article_planner: ArticlePlanner | None = None

    @classmethod
    def make(cls, rows: KeptRows, planner: Planner, whole: Callable[[], Plan],
             apart: Mapping[str, Callable[[], Plan]]) -> KeptPlan | None:
        """None when a page planned this time takes a kept page's path (the whole plan then says which)."""
        plan = cls(rows, planner, whole, apart)
        if len(plan._order) != len(plan._rows) + len(plan._fresh):
            return None
        return plan

    def _maker(self, kind: str) -> str:
        return kind if kind in self._makers else ""

    def _plan(self, kind: str) -> Plan:
        name = self._maker(kind)
        found = self._plans.get(name)
        if found is None:
            found = self._plans[name] = self._makers[name]()
        return found

    def _article_job(self, row: Row) -> PageJob:
        if self._article_planner is None:
            self._article_planner = ArticlePlanner(self._planner)
        return self._article_planner.job(self._articles[row[5][0]])

    def fresh(self, path: str) -> PageJob:
        row = self._rows.get(path)
        if row is None:
            return self._fresh.fresh(path)
        if row[2] == "article":
            return self._article_job(row)
        return self._plan(row[2]).fresh(path)

    def spec(self, path: str) -> PageSpec:
        row = self._rows.get(path)
        if row is None:
            return self._fresh.spec(path)
        if row[2] == "article":
            if self._article_planner is None:
                self._article_planner = ArticlePlanner(self._planner)
            return self._article_planner.spec(self._articles[row[5][0]])
        return self._plan(row[2]).spec(path)

    def origin(self, path: str) -> str:
        row = self._rows.get(path)
        return self._fresh.spec(path).origin if row is None else row[3]

    def template(self, path: str) -> str | None:
        row = self._rows.get(path)
        return self._fresh.spec(path).template if row is None else row[1]

    def parts(self, path: str) -> PageParts:
        row = self._rows.get(path)
        if row is None:
            return super().parts(path)
        articles = self._articles
        inputs = keyed_inputs(row[4], [articles[i].key for i in row[5]])
        return PageParts(inputs, row[1], partial(_bodies, articles, row[6]), self._planner.site_values)

    def prepare(self, paths: Iterable[str]) -> None:
        for path in paths:
            row = self._rows.get(path)
            if row is not None and row[2] != "article":
                self._plan(row[2])

    @property
    def planned_now(self) -> frozenset[str]:
        return frozenset(self._fresh)

    @property
    def made_whole(self) -> bool:
        """Whether a page needed the whole plan after all (tests and ``-v`` tell)."""
        return "" in self._plans

    def __getitem__(self, path: str) -> PageJob:
        return self.fresh(path)

    def __contains__(self, path: object) -> bool:
        return path in self._rows or path in self._fresh

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


def _bodies(articles: Sequence[Article], indexes: tuple[int, ...]) -> str:
    return bodies_hash(articles[i].key for i in indexes)
