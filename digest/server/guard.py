"""Who may talk to the dev server: the Host check, the token for state-changing requests, security headers.

A preview holds drafts, so the server must not become readable by a web page
the user happens to visit. A DNS-rebinding page (``evil.example`` resolving
first to its own server, then to 127.0.0.1) reaches the preview with its own
name in ``Host``: every request whose Host is not the served address, a
loopback name or a name the user allowed gets 403 before anything is read.
Requests that change state (POST, PUT, PATCH, DELETE) also need the page's
own origin in ``Origin`` and the secret made when the server started, which
only the server's own pages carry. All of this is pure: the handler asks.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass
from typing import Iterable

TOKEN_HEADER = "X-Digest-Token"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The default theme, the live-reload script (an external script with a worker, styles set as attributes
# on the overlay) and search (index shards loaded as same-origin scripts) run under this policy; content
# images and embeds may come from anywhere, scripts only from the preview itself.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "worker-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src * data: blob:",
        "media-src *",
        "font-src 'self' data:",
        "frame-src http: https:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Referrer-Policy", "no-referrer"),
    # another site's page may not even embed our scripts (the search index lists draft titles)
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
)


@dataclass(frozen=True, slots=True)
class Boundary:
    """What the running server accepts: its port, the names it answers to, and its secret."""

    port: int
    names: frozenset[str]  # lower-case host names (no port) besides IP addresses and localhost
    token: str

    @classmethod
    def make(cls, bind_host: str, port: int, allowed: Iterable[str], token: str) -> Boundary:
        names = {"localhost", bind_host.strip("[]").lower()}
        names.update(name.strip().lower().rstrip(".") for name in allowed if name.strip())
        return cls(port=port, names=frozenset(n for n in names if n), token=token)

    def host_allowed(self, host_header: str | None) -> bool:
        """The Host header names this server: an IP address, localhost or an allowed name, with our port."""
        if not host_header:
            return False
        split = split_host(host_header.strip().lower())
        if split is None:
            return False
        name, port = split
        if port is not None and port != self.port:
            return False
        if port is None and self.port != 80:
            return False
        if _is_ip(name):
            return True  # a rebinding page's origin is a name: an address is only ever typed by the user
        name = name.rstrip(".")
        return name in self.names or name.endswith(".localhost")

    def change_allowed(self, origin: str | None, token: str | None, host_header: str) -> bool:
        """A state-changing request: same origin (Origin is this server as addressed) and the token."""
        if origin is None or origin.lower() != f"http://{host_header.strip().lower()}":
            return False
        given = token or ""
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode("utf-8"))


def split_host(value: str) -> tuple[str, int | None] | None:
    """``name[:port]`` or ``[v6][:port]`` as (name, port); None when malformed."""
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else None
    elif value.count(":") == 1:
        name, port_text = value.split(":")
    elif ":" in value:
        return None  # a bare IPv6 address must be bracketed
    else:
        name, port_text = value, None
    if not name or any(c in name for c in "/\\@ \t"):
        return None
    if port_text is None:
        return name, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        return None
    return name, int(port_text)


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server on this machine."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
