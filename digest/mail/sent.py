"""``content/editions/sent.yaml``: which editions were sent, when, and with which Message-IDs.

It lives in ``content/`` beside the editions' own files, so it travels with the site (and
its git history) and a second ``send`` of an edition from another machine is refused too.
Addresses are not recorded: the site may be public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from digest.errors import DigestError
from digest.rules.yamlload import YamlProblem, load_yaml

HEADER = "# Written by `digest edition send`: one entry per sent edition. Delete an entry to send it again.\n"


@dataclass(frozen=True, slots=True)
class Sent:
    edition: int
    at: datetime
    recipients: int
    message_ids: tuple[str, ...]


def read_sent(path: Path, shown: str) -> tuple[Sent, ...]:
    if not path.exists():
        return ()
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except YamlProblem as exc:
        raise DigestError(exc.message, shown, exc.line) from None
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise DigestError("must be a list of sent editions", shown, 1)
    records = []
    for item in raw:
        try:
            records.append(Sent(int(item["edition"]), datetime.fromisoformat(str(item["sent"])),
                                int(item.get("recipients", 0)), tuple(item.get("message_ids") or ())))
        except (KeyError, TypeError, ValueError):
            raise DigestError(f"an entry is not 'edition', 'sent', 'recipients', 'message_ids': {item!r}",
                              shown) from None
    return tuple(records)


def append_sent(path: Path, record: Sent) -> None:
    """Add one entry, rewriting the file through a temporary one so it is never half-written."""
    records = [*read_sent(path, str(path)), record]
    data = [{"edition": r.edition, "sent": r.at.isoformat(timespec="seconds"), "recipients": r.recipients,
             "message_ids": list(r.message_ids)} for r in records]
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")  # hidden: never taken for content
    temp.write_text(HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    temp.replace(path)
