"""Front-matter dates in the forms people actually write, made timezone-aware."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

# 2013-09-14 | 2013-09-14 20:46 | 2013-09-14T20:46:50.123 | 2013-11-22 5:00:00 +0000 | ...Z | ...+05:00 | ... UTC
_ISO_RE = re.compile(
    r"""^\s*(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})
    (?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6})\d*)?)?)?
    \s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


class BadDate(ValueError):
    pass


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise BadDate(f"offset '{text}' is out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_date_value(value: object, tz: tzinfo) -> datetime:
    """A YAML value (date, datetime or string) as an aware datetime; naive ones are in ``tz``."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=tz)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadDate(f"expected a date like 2022-01-10 or 2022-01-10 09:39, got {type(value).__name__}")
    text = str(value).strip()
    match = _ISO_RE.match(text)
    if match:
        try:
            result = datetime(
                int(match["y"]),
                int(match["m"]),
                int(match["d"]),
                int(match["H"] or 0),
                int(match["M"] or 0),
                int(match["S"] or 0),
                int((match["f"] or "0").ljust(6, "0")),
            )
        except ValueError as exc:
            raise BadDate(f"'{text}' is not a real date ({exc})") from None
        offset = _offset(match["tz"])
        return result.replace(tzinfo=offset or tz)
    try:  # RFC 2822, as some exporters write: "Mon, 10 Jan 2022 09:39:00 +0000"
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)
    raise BadDate(f"cannot read '{text}' as a date: write it as 2022-01-10 or 2022-01-10 09:39 (optionally +06:00)")


_NAME_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")


def date_from_filename(stem: str) -> tuple[date, str] | None:
    """``2013-09-14-some-slug`` -> (date, ``some-slug``), as Jekyll names posts."""
    match = _NAME_DATE_RE.match(stem)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])), match[4]
    except ValueError:
        return None
