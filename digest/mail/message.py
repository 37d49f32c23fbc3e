"""One edition as a ``multipart/alternative`` message (plain text first, then HTML, as RFC 2046 orders them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Letter:
    """What every copy of one edition's message shares."""

    subject: str
    sender: str
    text: str
    html: str
    list_unsubscribe: str  # a mailto: or https URL, or empty
    list_id: str  # e.g. "Test Digest <editions.news.example.org>"
    domain: str  # for Message-IDs


def letter_domain(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def make_message(letter: Letter, to: str, when: datetime) -> EmailMessage:
    """The message for one recipient (each gets their own: no list of addresses in a header)."""
    message = EmailMessage()
    message["Subject"] = letter.subject
    message["From"] = letter.sender
    message["To"] = to
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain=letter.domain)
    message["List-Id"] = letter.list_id
    if letter.list_unsubscribe:
        message["List-Unsubscribe"] = f"<{letter.list_unsubscribe}>"
    message.set_content(letter.text, subtype="plain", charset="utf-8")
    message.add_alternative(letter.html, subtype="html", charset="utf-8")
    return message
