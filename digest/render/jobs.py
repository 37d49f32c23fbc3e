"""One page job to bytes, and the fingerprint that says whether its bytes can have changed."""

from __future__ import annotations

import hashlib

from digest.plan.pages import PageJob
from digest.render.theme import Renderer, Theme


def page_fingerprint(job: PageJob, theme: Theme) -> str:
    """A hash of everything the page's bytes depend on: its planned inputs and the theme."""
    return hashlib.blake2b(f"{job.inputs}|{theme.fingerprint}".encode(), digest_size=16).hexdigest()


def render_job(job: PageJob, renderer: Renderer) -> bytes:
    if job.produce is not None:
        return job.produce().encode("utf-8")
    assert job.template is not None
    return renderer.render(job.template, job.context).encode("utf-8")
