"""``digest edition N --email|--text`` and ``digest edition send``, sent to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import socket
import subprocess
import sys
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from conftest import REPO, WEEKLY_EDITIONS, article, write_files
from digest.commands.edition import edition_copies, send_edition
from digest.errors import DigestError

CONFIG = WEEKLY_EDITIONS + """\
  sender: "Test Digest <news@example.org>"
  list_unsubscribe: "https://news.example.org/unsubscribe/"
"""
LATER = datetime(2022, 6, 1, tzinfo=timezone.utc)
DURING = datetime(2022, 1, 12, tzinfo=timezone.utc)  # inside edition 2's week


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's API
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            self.logins.append((data.login.decode(), data.password.decode()))
            return AuthResult(success=data.password == b"s3cret", handled=False)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def site(make_site) -> Path:
    return make_site(
        {
            "content/a.md": article("Week one story & more", "2022-01-04 10:00", note="A *note*.",
                                    source={"name": "RT", "url": "https://example.com/a"}),
            "content/b.md": article("Week two story", "2022-01-11 10:00"),
        },
        config=CONFIG,
    )


def test_copies_are_the_built_files(site, run_build):
    out = run_build(site, now=LATER).output
    copies = edition_copies(site, 1, now=LATER)
    assert copies.html == (out / "editions/1/email.html").read_text()
    assert copies.text == (out / "editions/1/email.txt").read_text()
    assert edition_copies(site, None, now=LATER).edition.number == 2
    with pytest.raises(DigestError, match=r"there is no edition 5 \(editions: 2, 1\)"):
        edition_copies(site, 5, now=LATER)


def test_cli_prints_the_copies(site):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "digest", "edition", *args, "--site", str(site)], capture_output=True, text=True,
            cwd=REPO, env={"SOURCE_DATE_EPOCH": str(int(LATER.timestamp())), "PATH": "/usr/bin:/bin",
                           "PYTHONPATH": str(REPO)},
        )

    html = run("1", "--email")
    assert html.returncode == 0, html.stderr
    assert html.stdout.startswith("<!DOCTYPE html>") and "Week one story &amp; more" in html.stdout
    text = run("1", "--text")
    assert text.stdout.splitlines()[0] == "Edition 1" and "* Week one story & more [1]" in text.stdout
    missing = run("9", "--text")
    assert missing.returncode == 1 and "there is no edition 9" in missing.stderr


def test_send_delivers_a_multipart_message_and_records_it(site, smtp):
    inbox, port = smtp
    url = f"smtp://curator:s3cret@127.0.0.1:{port}"
    result = send_edition(site, 1, to=["one@example.org", "two@example.org"], now=LATER, smtp_url=url)
    assert result.sent and "s3cret" not in result.target and "***" in result.target
    assert inbox.logins == [("curator", "s3cret")]
    assert [(m[0], m[1]) for m in inbox.messages] == [
        ("news@example.org", ["one@example.org"]), ("news@example.org", ["two@example.org"])]
    message = inbox.messages[0][2]
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "Edition 1" and message["To"] == "one@example.org"
    assert message["List-Unsubscribe"] == "<https://news.example.org/unsubscribe/>"
    parts = [p.get_content_type() for p in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    text, html = (p.get_content() for p in message.iter_parts())
    assert "Week one story & more" in text and "Week one story &amp; more" in html and "<script" not in html
    assert html.replace("\r\n", "\n").strip() == edition_copies(site, 1, now=LATER).html.strip()
    record = yaml.safe_load((site / "content/editions/sent.yaml").read_text())
    assert record[0]["edition"] == 1 and record[0]["recipients"] == 2
    assert record[0]["message_ids"] == [m[2]["Message-ID"] for m in inbox.messages]

    # the second send is refused; --resend sends again; the record is no asset of the site
    with pytest.raises(DigestError, match="edition 1 was sent on .*: send it again with --resend"):
        send_edition(site, 1, to=["one@example.org"], now=LATER, smtp_url=url)
    send_edition(site, 1, to=["one@example.org"], now=LATER, smtp_url=url, resend=True)
    assert len(inbox.messages) == 3
    assert len(yaml.safe_load((site / "content/editions/sent.yaml").read_text())) == 2


def test_send_refuses_unfinished_editions_drafts_and_bad_passwords(site, smtp, run_build):
    inbox, port = smtp
    url = f"smtp://curator:s3cret@127.0.0.1:{port}"
    with pytest.raises(DigestError, match="edition 2 is not finished yet .*--force"):
        send_edition(site, 2, to=["one@example.org"], now=DURING, smtp_url=url)
    write_files(site, {"content/draft.md": article("Half done", "2022-01-05 10:00", draft=True)})
    with pytest.raises(DigestError, match=r"edition 1 holds drafts \(content/draft.md\)"):
        send_edition(site, 1, to=["one@example.org"], now=LATER, smtp_url=url)
    with pytest.raises(DigestError) as info:
        send_edition(site, 1, to=["one@example.org"], now=LATER, force=True, smtp_url=url.replace("s3cret", "wrong"))
    assert "refused: 535" in str(info.value) and "wrong" not in str(info.value)
    assert inbox.messages == [] and not (site / "content/editions/sent.yaml").exists()
    send_edition(site, 2, to=["one@example.org"], now=DURING, force=True, smtp_url=url)
    assert len(inbox.messages) == 1


def test_dry_run_and_address_list(site, smtp, tmp_path):
    inbox, port = smtp
    addresses = tmp_path / "list.txt"
    addresses.write_text("# readers\none@example.org\n\ntwo@example.org  # a comment\n")
    result = send_edition(site, 1, list_file=addresses, now=LATER, dry_run=True, smtp_url="")
    assert not result.sent and [m["To"] for m in result.messages] == ["one@example.org", "two@example.org"]
    assert inbox.messages == [] and not (site / "content/editions/sent.yaml").exists()
    addresses.write_text("one@example.org\nnot an address\n")
    with pytest.raises(DigestError) as info:
        send_edition(site, 1, list_file=addresses, now=LATER, dry_run=True)
    assert str(info.value).endswith(":2: 'not an address' is not an e-mail address: one address a line ('#' starts a"
                                    " comment)")
    with pytest.raises(DigestError, match="set DIGEST_SMTP_URL"):
        send_edition(site, 1, to=["one@example.org"], now=LATER, smtp_url="")


def test_the_sent_record_is_not_published(site, smtp, run_build):
    inbox, port = smtp
    send_edition(site, 1, to=["one@example.org"], now=LATER, smtp_url=f"smtp://127.0.0.1:{port}")
    out = run_build(site, now=LATER).output
    assert not list(out.rglob("sent.yaml"))


def test_starttls_is_used_when_the_server_offers_it(site, tmp_path, monkeypatch):
    import ssl

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this test certificate, as it would a real CA's
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate,
                            tls_context=context, require_starttls=True)
    controller.start()
    try:
        # the server refuses AUTH and MAIL before STARTTLS: a message arrives only over TLS
        send_edition(site, 1, to=["one@example.org"], now=LATER, smtp_url=f"smtp://curator:s3cret@127.0.0.1:{port}")
    finally:
        controller.stop()
    assert inbox.logins == [("curator", "s3cret")] and len(inbox.messages) == 1
