"""``digest edition N --email | --text`` and ``digest edition send N``: an edition's copies, built in memory, and sending them.

The copies are the very pages a build writes (``/editions/<n>/email.html`` and ``email.txt``):
the site is built into memory with the same steps, and the edition's two jobs are rendered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Sequence

from digest.cache import CACHE_DIR, Cache
from digest.config import CONFIG_NAME, SiteConfig
from digest.errors import DigestError
from digest.mail.message import Letter, letter_domain, make_message
from digest.mail.sent import Sent, append_sent, read_sent
from digest.mail.smtp import ENV_NAME, parse_smtp_url, send_messages
from digest.model.editions import Edition
from digest import pipeline
from digest.pipeline import now_from_env
from digest.render.jobs import render_job
from digest.render.theme import Renderer, load_theme
from digest.rules.urls import output_path
from digest.sources.editions import EDITIONS_DIR, SENT_FILE


@dataclass(frozen=True, slots=True)
class EditionCopies:
    config: SiteConfig
    edition: Edition
    html: str
    text: str


def edition_copies(site_dir: Path, number: int | None, *, now: datetime | None = None, drafts: bool = False) -> EditionCopies:
    """Edition ``number``'s e-mail HTML and text (``None``: the latest finished edition)."""
    config = pipeline.configure(site_dir)
    if not config.editions.enabled:
        raise DigestError("this site has no editions: add an 'editions:' block with a 'cadence'", CONFIG_NAME)
    now = now or now_from_env()
    theme = load_theme(site_dir, config.theme)
    cache = Cache(site_dir / CACHE_DIR)
    try:
        site = pipeline.prepare(site_dir, config, cache=cache, jobs=1, now=now, drafts=drafts, future=False).site
        assert site is not None  # without keep_going a failed model raised
        editions = site.editions
        assert editions is not None
        edition = editions.latest if number is None else editions.by_number.get(number)
        if edition is None:
            known = ", ".join(str(e.number) for e in editions.items) or "none yet"
            what = "no edition is finished yet" if number is None else f"there is no edition {number}"
            raise DigestError(f"{what} (editions: {known})")
        jobs = pipeline.plan(site)
        renderer = Renderer(theme, config.base_url, False)
        html, text = (render_job(jobs[output_path(edition.url + name)], renderer).decode("utf-8")
                      for name in ("email.html", "email.txt"))
    finally:
        cache.close()
    return EditionCopies(config, edition, html, text)


@dataclass(frozen=True, slots=True)
class SendResult:
    edition: Edition
    messages: tuple[EmailMessage, ...]
    sent: bool  # False: a dry run
    target: str  # the SMTP server, password hidden


def read_addresses(to: Sequence[str], list_file: Path | None) -> list[str]:
    addresses = [a.strip() for a in to if a.strip()]
    if list_file is not None:
        try:
            lines = list_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise DigestError(f"cannot read the address list: {exc.strerror}", list_file) from None
        for number, line in enumerate(lines, start=1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if "@" not in line or " " in line:
                raise DigestError(f"'{line}' is not an e-mail address: one address a line ('#' starts a comment)",
                                  list_file, number)
            addresses.append(line)
    addresses = list(dict.fromkeys(addresses))
    if not addresses:
        raise DigestError("no one to send to: give --to ADDRESS (repeat for more) or --list FILE")
    return addresses


def send_edition(
    site_dir: Path, number: int, *, to: Sequence[str] = (), list_file: Path | None = None, force: bool = False,
    resend: bool = False, dry_run: bool = False, now: datetime | None = None, smtp_url: str | None = None,
) -> SendResult:
    """Send edition ``number`` to every address, then record it in ``content/editions/sent.yaml``."""
    addresses = read_addresses(to, list_file)
    now = now or now_from_env()
    # drafts are read too, so an edition a draft would belong to is refused rather than sent without it
    copies = edition_copies(site_dir, number, now=now, drafts=True)
    config, edition = copies.config, copies.edition
    if not config.editions.sender:
        raise DigestError("set editions.sender, the From: of sent editions, e.g. 'Digest <news@example.org>'",
                          CONFIG_NAME)
    if not force:
        if not edition.finished:
            raise DigestError(f"edition {number} is not finished yet (it is until "
                              f"{edition.finished_at:%Y-%m-%d %H:%M %Z}): wait, or send it anyway with --force"
                              if edition.finished_at else
                              f"edition {number} is not published: give content/editions/{number}.md a 'published'"
                              " date, or send it anyway with --force")
        drafts = [a.path for a in edition.articles if a.draft]
        if drafts:
            raise DigestError(f"edition {number} holds drafts ({', '.join(drafts)}): publish or move them, or send"
                              " with --force")
    sent_path = site_dir / config.content_dir / EDITIONS_DIR / SENT_FILE
    shown = f"{config.content_dir}/{EDITIONS_DIR}/{SENT_FILE}"
    earlier = [r for r in read_sent(sent_path, shown) if r.edition == number]
    if earlier and not resend and not dry_run:
        raise DigestError(f"edition {number} was sent on {earlier[-1].at:%Y-%m-%d %H:%M}: send it again with --resend",
                          shown)
    letter = Letter(
        subject=edition.title, sender=config.editions.sender, text=copies.text, html=copies.html,
        list_unsubscribe=config.editions.list_unsubscribe,
        list_id=f"{config.title} <editions.{letter_domain(config.base_url)}>",
        domain=letter_domain(config.base_url),
    )
    when = now.astimezone(config.tz)
    messages = tuple(make_message(letter, address, when) for address in addresses)
    if dry_run:
        return SendResult(edition, messages, False, "")
    target = parse_smtp_url(smtp_url if smtp_url is not None else os.environ.get(ENV_NAME, ""))
    send_messages(target, messages)
    append_sent(sent_path, Sent(number, when, len(messages), tuple(str(m["Message-ID"]) for m in messages)))
    return SendResult(edition, messages, True, target.shown)
