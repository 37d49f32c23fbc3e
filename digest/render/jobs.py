"""One page job to bytes, and the fingerprint that says whether its bytes can have changed.

A page's bytes follow from three things, and its fingerprint hashes each:

* its planned ``inputs`` (what the planner put in its own context, and the config);
* its template and every template that one extends, includes or imports
  (``Renderer.template_inputs``), so an edit to ``article.html`` touches article pages only;
* the bodies of the other articles it can reach (neighbours, related, a list's items), when a
  template in that closure may print another article's body (``Renderer.reads_other_bodies``);
* the fields of the shared ``site`` context that its last render read. Rendering hands the
  template a ``ReadingSite`` that notes each field asked for; the build keeps the names
  beside the fingerprint, and the next build hashes those fields' current values. A render
  that reads the same values takes the same path through the template and reads nothing
  else, so equal hashes mean equal bytes.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterable, NamedTuple

from digest.plan.pages import PageJob, PageParts
from digest.render.theme import Renderer


class RenderedPage(NamedTuple):
    data: bytes
    reads: tuple[str, ...]  # the ``site`` fields the template read, sorted


class ReadingSite:
    """The ``site`` a template sees: the real one, noting the name of every field read."""

    __slots__ = ("_site", "read")

    def __init__(self, site: Any) -> None:
        self._site = site
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # copy, pickle and friends probing for hooks
            raise AttributeError(name)
        self.read.add(name)
        return getattr(self._site, name)

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        return getattr(self._site, name)


def page_fingerprint(job: PageJob, renderer: Renderer, reads: Iterable[str]) -> str:
    """A hash of everything the page's bytes depend on, given the ``site`` fields it reads."""
    return fingerprint(PageParts(job.inputs, job.template, lambda: job.bodies, job.site_values), reads, renderer)


def fingerprint(parts: PageParts, reads: Iterable[str], renderer: Renderer) -> str:
    """``page_fingerprint`` from a page's parts (``Plan.parts``: a kept plan has them without the job)."""
    templates = other_bodies = ""
    if parts.template is not None:
        templates = renderer.template_inputs(parts.template)
        other_bodies = parts.bodies() if renderer.reads_other_bodies(parts.template) else ""
    names = tuple(reads)
    site = parts.site_values.digest(names) if parts.site_values is not None and names else ""
    return hashlib.blake2b(f"{parts.inputs}|{templates}|{site}|{other_bodies}".encode(), digest_size=16).hexdigest()


def render_job(job: PageJob, renderer: Renderer) -> RenderedPage:
    if job.produce is not None:
        return RenderedPage(job.produce().encode("utf-8"), ())
    assert job.template is not None
    site = job.context.get("site")
    if site is None:
        return RenderedPage(renderer.render(job.template, job.context).encode("utf-8"), ())
    reading = ReadingSite(site)
    html = renderer.render(job.template, {**job.context, "site": reading})
    return RenderedPage(html.encode("utf-8"), tuple(sorted(reading.read)))
