"""The SMTP server named by ``DIGEST_SMTP_URL``: ``smtp://user:pass@host:587`` (STARTTLS when the server
offers it), ``smtps://...:465`` (TLS from the start). The password is never printed: messages show
the URL with it replaced by ``***``."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Iterable
from urllib.parse import unquote, urlsplit

from digest.errors import DigestError

ENV_NAME = "DIGEST_SMTP_URL"


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    tls: bool  # TLS from the first byte (smtps)
    user: str
    password: str = field(repr=False)

    @property
    def shown(self) -> str:
        auth = f"{self.user}:***@" if self.user else ""
        return f"{'smtps' if self.tls else 'smtp'}://{auth}{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpTarget:
    if not url:
        raise DigestError(f"set {ENV_NAME} to the SMTP server to send through, like smtp://user:password@host:587")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DigestError(f"{ENV_NAME} is not a URL like smtp://user:password@host:587") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise DigestError(f"{ENV_NAME} must start with smtp:// or smtps:// and name a host, like smtp://host:587")
    tls = parts.scheme == "smtps"
    return SmtpTarget(parts.hostname, port or (465 if tls else 587), tls, unquote(parts.username or ""),
                      unquote(parts.password or ""))


def send_messages(target: SmtpTarget, messages: Iterable[EmailMessage], timeout: float = 30) -> None:
    """Send every message over one connection; ``DigestError`` (without the password) when the server refuses."""
    context = ssl.create_default_context()
    try:
        client = (smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context) if target.tls
                  else smtplib.SMTP(target.host, target.port, timeout=timeout))
        with client:
            client.ehlo()
            if not target.tls and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            if target.user:
                client.login(target.user, target.password)
            for message in messages:
                client.send_message(message)
    except smtplib.SMTPException as exc:
        raise DigestError(f"the SMTP server {target.shown} refused: {_reason(exc)}") from None
    except (OSError, ssl.SSLError) as exc:
        raise DigestError(f"cannot talk to the SMTP server {target.shown}: {exc}") from None


def _reason(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    return str(exc) or type(exc).__name__
