"""One-click capture while previewing: a bookmarklet sends the page a curator is reading to ``digest serve``.

The flow, and why each step is there:

1. ``GET /__digest__/capture`` is a local page with the bookmarklet. Its code
   holds this server's origin and a secret token made when the server started
   (``secrets.token_urlsafe``); nothing else ever serves the token.
2. Clicked on a news page, the bookmarklet opens ``/__digest__/capture/receive``
   (a page of this server) in a new window and hands it the page's URL, title,
   selected text and HTML by ``postMessage``, addressed to this origin only.
3. That page POSTs them, with the token, to ``/__digest__/capture`` as JSON:
   a same-origin request. The server writes a draft only when the token
   matches (compared in constant time), the ``Origin`` header is the server's
   own, the ``Host`` is a loopback name, and the body is JSON under
   :data:`MAX_BODY`. Anything else is 403 (or 400/413) and writes nothing: a
   page elsewhere cannot make the browser create drafts, because it cannot
   learn the token and its requests carry its own ``Origin``.
4. On success the capture window goes to ``/__digest__/capture/open?path=…``,
   which waits for the rebuild that publishes the new draft (the server shows
   captured drafts even without ``--drafts``) and redirects to its page: the
   curator sees the draft as the site will show it, with live reload while they
   edit the file.

The importing itself is a callable handed in by the command line (the server
layer knows nothing of content files): it takes a :class:`CaptureRequest` and
returns the new file's site-relative path, or raises :class:`DigestError`.
"""

from __future__ import annotations

import hmac
import html
import json
import secrets
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qs, urlencode

from digest.errors import DigestError

PAGE_PATH = "/__digest__/capture"
RECEIVE_PATH = "/__digest__/capture/receive"
OPEN_PATH = "/__digest__/capture/open"
OPEN_WAIT = 20.0  # seconds the open page waits for the rebuild that publishes a captured draft
MAX_BODY = 10 * 1024 * 1024
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True, slots=True)
class CaptureRequest:
    """What the bookmarklet sent: the page as the curator saw it."""

    url: str
    title: str
    selection: str  #: the selected text; "" when nothing was selected
    html: str  #: the page's HTML (document.documentElement.outerHTML); "" when not sent


Importer = Callable[[CaptureRequest], str]


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    content_type: str
    body: bytes


def loopback_host(host: str) -> bool:
    """A ``Host`` header naming this machine: a page reached through another name (DNS rebinding) is not ours."""
    return any(host == name or host.startswith(name + ":") for name in _LOOPBACK)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def bookmarklet(origin: str, token: str) -> str:
    """The ``javascript:`` URL: open the receiving page, then post it the page once it says it is ready."""
    code = (
        "(function(){var o=%s,t=%s,w=window.open(o+%s,'digest-capture','width=520,height=360');"
        "if(!w){alert('digest: allow pop-ups for this page to capture it');return;}"
        "var d={token:t,url:location.href,title:document.title,selection:String(window.getSelection()||''),"
        "html:document.documentElement.outerHTML};"
        "function f(e){if(e.origin===o&&e.data==='digest-ready'){w.postMessage(d,o);"
        "window.removeEventListener('message',f);}}window.addEventListener('message',f);})();"
    ) % (json.dumps(origin), json.dumps(token), json.dumps(RECEIVE_PATH))
    return "javascript:" + code


def page(origin: str, token: str) -> Reply:
    """The local page that offers the bookmarklet."""
    link = html.escape(bookmarklet(origin, token), quote=True)
    body = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>digest: capture</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto">
<h1>Capture a story</h1>
<p>Drag this link to your bookmarks bar: <a id="bookmarklet" href="{link}">Capture to digest</a></p>
<p>On any news page, select the article text (or nothing, to send the whole page) and click the bookmark.
The story becomes a draft in <code>content/</code> while this server runs. The bookmark works only with this
run of <code>digest serve</code>: after a restart, drag it here again.</p>
</body></html>"""
    return Reply(200, "text/html; charset=utf-8", body.encode("utf-8"))


RECEIVE_SCRIPT_PATH = "/__digest__/capture-receive.js"

# The receive page's script, served as a file: the dev server's Content-Security-Policy allows scripts
# from the preview itself only (script-src 'self'), never inline ones.
RECEIVE_SCRIPT = """(function () {
  var me = document.currentScript, endpoint = me.getAttribute('data-endpoint');
  var shown = document.getElementById('status');  // not `status`: window.status is a string
  window.addEventListener('message', function (event) {
    var d = event.data;
    if (!d || typeof d.token !== 'string') return;
    shown.textContent = 'Importing…';
    fetch(endpoint, {method: 'POST', body: JSON.stringify(d),
                     headers: {'Content-Type': 'application/json', 'X-Digest-Token': d.token}})
      .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (res) {
        shown.textContent = res[0] ? 'Saved as a draft: ' + res[1].path : 'Not imported: ' + res[1].error;
        shown.className = res[0] ? 'saved' : 'failed';
        if (res[0] && res[1].open) location.replace(res[1].open);  // show the draft in the preview
      })
      .catch(function (e) { shown.textContent = 'Not imported: ' + e; shown.className = 'failed'; });
  });
  if (window.opener) window.opener.postMessage('digest-ready', '*');
})();
"""


def receive_page(origin: str) -> Reply:
    """The page the bookmarklet opens: it forwards what it is posted, same-origin, and shows the result."""
    endpoint = html.escape(origin + PAGE_PATH, quote=True)
    body = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>digest: capturing…</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;margin:2em"><p id="status">Waiting for the page…</p>
<script src="{RECEIVE_SCRIPT_PATH}" data-endpoint="{endpoint}"></script></body></html>"""
    return Reply(200, "text/html; charset=utf-8", body.encode("utf-8"))


def receive_script() -> Reply:
    return Reply(200, "text/javascript; charset=utf-8", RECEIVE_SCRIPT.encode("utf-8"))


def handle_post(
    headers: dict[str, str], body: bytes, *, origin: str, token: str, importer: Importer | None
) -> Reply:
    """Check a capture request and, only when it passes every check, import it."""
    if importer is None:
        return _json(404, {"error": "capture is not available on this server"})
    if not loopback_host(headers.get("host", "")):
        return _json(403, {"error": "forbidden"})
    if headers.get("origin", "") != origin:
        return _json(403, {"error": "forbidden"})
    if not headers.get("content-type", "").startswith("application/json"):
        return _json(403, {"error": "forbidden"})
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _json(400, {"error": "the request is not JSON"})
    sent = data.get("token") if isinstance(data, dict) else None
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), token.encode()):
        return _json(403, {"error": "forbidden"})
    fields = {key: data.get(key) for key in ("url", "title", "selection", "html")}
    if not all(isinstance(value, str) or value is None for value in fields.values()):
        return _json(400, {"error": "url, title, selection and html must be strings"})
    request = CaptureRequest(**{key: str(value or "") for key, value in fields.items()})
    try:
        path = importer(request)
    except DigestError as exc:
        return _json(422, {"error": str(exc)})
    return _json(200, {"path": path, "open": OPEN_PATH + "?" + urlencode({"path": path})})


def open_target(query: str) -> str | None:
    """The site-relative draft path an open request names; ``None`` if it names none."""
    paths = parse_qs(query).get("path", [])
    return paths[0] if len(paths) == 1 and paths[0].startswith("content/") else None


def not_shown(path: str) -> Reply:
    """The open page when no rebuild published the draft in time: where the file is, and what to look at."""
    body = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>digest: draft saved</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;margin:2em"><p id="status" class="saved">Saved as a draft:
<code>{html.escape(path)}</code>. The preview has not shown it yet: if the site's build failed, the preview's
error overlay says why. <a href="/">Open the preview</a>.</p></body></html>"""
    return Reply(200, "text/html; charset=utf-8", body.encode("utf-8"))


def _json(status: int, value: dict[str, str]) -> Reply:
    return Reply(status, "application/json; charset=utf-8", json.dumps(value, ensure_ascii=False).encode("utf-8"))
