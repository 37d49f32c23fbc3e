"""The live-reload script and error overlay, added to HTML responses by the dev server only.

Nothing here is ever part of a build: pages are rendered exactly as ``digest build``
renders them and the snippet is spliced into the bytes on their way out.
"""

from __future__ import annotations

import html
from importlib import resources

from digest.server.status import ServeError, Status

PREFIX = "/__digest__/"
EVENTS_PATH = PREFIX + "events"
SCRIPT_PATH = PREFIX + "livereload.js"
WORKER_PATH = PREFIX + "livereload-worker.js"
OVERLAY_ID = "digest-error-overlay"

_ASSETS = {SCRIPT_PATH: "livereload.js", WORKER_PATH: "livereload-worker.js"}


def asset(path: str) -> bytes | None:
    """The bytes of one of our scripts, or ``None`` if ``path`` is not one."""
    name = _ASSETS.get(path)
    if name is None:
        return None
    return resources.files("digest.server").joinpath(name).read_bytes()


def overlay_html(error: ServeError) -> str:
    """The overlay as markup, for pages served while the build is broken (the script draws the same one)."""
    rows = []
    for problem in error.problems:
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path
        rows.append(
            f'<li style="margin:0 0 .8em"><code class="digest-where" style="color:#ffb4a8;font-weight:bold">'
            f'{html.escape(where)}</code><br><span class="digest-message">{html.escape(problem.message)}</span></li>'
        )
    return (
        f'<div id="{OVERLAY_ID}" role="alert" style="position:fixed;inset:0;z-index:2147483647;overflow:auto;'
        'box-sizing:border-box;padding:2em;background:rgba(24,16,16,.95);color:#f3f3f3;'
        'font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left">'
        '<p style="margin:0 0 1em;font-size:1.3em;color:#ff6b57">digest: the build failed</p>'
        f'<ul style="list-style:none;margin:0;padding:0">{"".join(rows)}</ul>'
        '<p style="margin:1.5em 0 0;color:#aaa">Fix the file and save: this page reloads by itself.</p></div>'
    )


def snippet(status: Status, token: str = "") -> bytes:
    # the token lets the server's own pages make state-changing requests (see guard.py)
    script = (
        f'<script src="{SCRIPT_PATH}" data-epoch="{html.escape(status.epoch)}" data-events="{EVENTS_PATH}"'
        f' data-worker="{WORKER_PATH}" data-token="{html.escape(token)}"></script>'
    )
    overlay = overlay_html(status.error) if status.error else ""
    return (overlay + script).encode("utf-8")


def inject(page: bytes, status: Status, token: str = "") -> bytes:
    """``page`` with the snippet before its last ``</body>``, or at the end when there is none."""
    extra = snippet(status, token)
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + extra
    return page[:at] + extra + page[at:]

