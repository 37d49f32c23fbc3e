"""The dev server: ``digest serve`` builds in memory, serves, watches and reloads open pages.

Modules, each owning one thing: ``scan`` (re-reading only changed files), ``session`` (the
site held in memory, rebuilt on change, rendered per request), ``watch`` (file events to
debounced batches), ``status`` and ``livereload`` (what open pages are told and the script
that listens), ``http`` (the request handler and event stream), ``app`` (wiring and shutdown).
"""

from digest.server.app import DevServer, ServeEvent, ServeOptions, serve

__all__ = ["DevServer", "ServeEvent", "ServeOptions", "serve"]
