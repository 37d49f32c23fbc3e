"""Publication dates as news pages print them, read by whole-line regexes.

Why not ``dateparser`` (installed): it finds a date in almost anything. "May
Day protests" or "March on Almaty" become dates, and a clipping's first
headline-like line would silently date the article. It is also slow to import
and to run. News sites print a dozen forms; each is a regex below that must
match the *whole* line (after an optional "Published"/"Updated" prefix and a
weekday), so a sentence that merely mentions a month is never a date.

Forms read (weekday, "at", commas and a final full stop optional)::

    2022-01-10T09:39:00Z   2022-01-10 09:39   2022-01-10T09:39:00.000+06:00   2022/01/10
    10 Jan, 2022 09:39     10 January 2022    Monday 10 January 2022 09.39 GMT
    Published 10 January 2022 at 9:39 GMT     Updated: 10 January 2022 09:39 UTC
    January 10, 2022       Jan 10, 2022 9:39 AM      Jan. 10, 2022, 9:39 a.m. EST
    10.01.2022             10.01.2022 09:39          10 января 2022, 09:39
    09:39, 10 January 2022

Slashed day/month dates (``10/01/2022``) are read only when unambiguous: one of
the first two numbers is above 12, or both are equal. ``10/01/2022`` is 10 January
in Almaty and 1 October in New York, and a wrong date is worse than none (the
importer then says it found none and the curator writes it).

Zones: ``Z``, numeric offsets (``+06:00``, ``+0600``, ``GMT+6``, ``UTC-05:00``) and
the abbreviations in :data:`ZONES`. An unknown abbreviation makes the line not a
date rather than a date in the wrong zone. Times without a zone are in the site's
timezone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo

# Fixed offsets: an abbreviation names the offset in force when the page was
# written, so "BST" in January is still +01:00. Ambiguous ones (IST is India here,
# CST is US Central) follow English-language news usage.
ZONES: dict[str, float] = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5,
    "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "ALMT": 6, "QYZT": 6,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "HKT": 8, "SGT": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
}

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        # English, Russian, then Spanish, French, German, Italian, Portuguese (de/di/do between the parts)
        "jan january января январь янв enero ene janvier janv januar jän gennaio gen janeiro",
        "feb february февраля февраль фев febrero février févr februar febbraio fevereiro fev",
        "mar march марта март marzo mars märz mär março",
        "apr april апреля апрель апр abril abr avril avr aprile",
        "may мая май mayo mai maggio mag maio",
        "jun june июня июнь junio juin juni giugno giu junho",
        "jul july июля июль julio juillet juil juli luglio lug julho",
        "aug august августа август авг agosto ago août",
        "sep sept september сентября сентябрь сен septiembre setiembre septembre settembre set setembro",
        "oct october октября октябрь окт octubre octobre oktober okt ottobre ott outubro out",
        "nov november ноября ноябрь ноя noviembre novembre novembro",
        "dec december декабря декабрь дек diciembre dic décembre déc dezember dez dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_MONTH = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thu|fri|sat|sun"
    r"|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье|пн|вт|ср|чт|пт|сб|вс"
    r"|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\.?,?"
)
_PREFIX = (
    r"(?:(?:first\s+|originally\s+)?published(?:\s+on)?|(?:last\s+)?(?:updated|modified)(?:\s+on)?"
    r"|posted(?:\s+on)?|date|created|опубликовано|обновлено|дата(?:\s+публикации)?"
    r"|veröffentlicht(?:\s+am)?|aktualisiert(?:\s+am)?|datum|publié(?:\s+le)?|mis\s+à\s+jour(?:\s+le)?"
    r"|publicado(?:\s+el)?|actualizado(?:\s+el)?)\s*:?"
)
_ZONE_NAMES = "|".join(sorted((z for z in ZONES if z != "Z"), key=len, reverse=True))
_ZONE = (
    rf"(?:\(\s*)?(?P<zone>(?:{_ZONE_NAMES})(?:\s*[+-]\d{{1,2}}(?::?\d{{2}})?)?|[+-]\d{{2}}:?\d{{2}}|Z)(?:\s*\))?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})(?:\s*(?:г\.|г|года))?"
_TIME = (
    r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?)?"
    r"(?:\s*(?P<ampm>[ap]\.?\s?m\.?))?(?:\s*uhr\b)?"
)

_DATES = {
    "dmy": rf"{_DAY}\.?\s+(?:of\s+|de\s+|di\s+)?(?P<month>{_MONTH}),?\s+(?:de\s+)?{_YEAR}",
    # 2012年12月10日, 2018年6月20日（水）: Chinese and Japanese
    "cjk": r"(?P<year>\d{4})\s*年\s*(?P<mnum>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日(?:\s*[（(][^）)]{1,3}[）)])?",
    "mdy": rf"(?P<month>{_MONTH})\s+{_DAY},?\s+{_YEAR}",
    "dotted": r"(?P<day>\d{1,2})\.(?P<mnum>\d{1,2})\.(?P<year>\d{4})",
    "slashed": r"(?P<first>\d{1,2})/(?P<second_>\d{1,2})/(?P<year>\d{4})",
    "ymd": r"(?P<year>\d{4})[/.](?P<mnum>\d{1,2})[/.](?P<day>\d{1,2})",
}


def _line_pattern(date_re: str) -> re.Pattern[str]:
    lead = rf"^\s*(?:{_PREFIX}\s*)?(?:{_WEEKDAY}\s*)?"
    time_after = rf"(?:(?:\s*,\s*|\s+)(?:at\s+|um\s+|à\s+|a\s+las\s+|в\s+|[-–—|·•]\s+)?{_TIME})?"
    tail = rf"(?:\s*{_ZONE})?\s*\.?\s*$"
    return re.compile(lead + date_re + time_after + tail, re.IGNORECASE)


def _time_first_pattern(date_re: str) -> re.Pattern[str]:
    lead = rf"^\s*(?:{_PREFIX}\s*)?{_TIME}(?:\s*{_ZONE})?\s*[,|]?\s+(?:{_WEEKDAY}\s*)?"
    return re.compile(lead + date_re + r"\s*\.?\s*$", re.IGNORECASE)


_PATTERNS = [_line_pattern(d) for d in _DATES.values()] + [
    _time_first_pattern(_DATES[k]) for k in ("dmy", "mdy", "dotted")
]

_ISO = re.compile(
    rf"^\s*(?:{_PREFIX}\s*)?(?P<year>\d{{4}})-(?P<mnum>\d{{2}})-(?P<day>\d{{2}})"
    r"(?:(?:T|\s+)(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?)?"
    rf"(?:\s*{_ZONE})?\s*$",
    re.IGNORECASE,
)


# 20180619T055000+0900: ISO 8601's basic format, as some CMSs write JSON-LD
_ISO_BASIC = re.compile(
    r"^\s*(?P<year>\d{4})(?P<mnum>\d{2})(?P<day>\d{2})T(?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2})?"
    r"(?:\.\d+)?(?P<zone>Z|[+-]\d{2}:?\d{2})?\s*$"
)


def parse_news_date(text: str, tz: tzinfo) -> datetime | date | None:
    """The date ``text`` states, if the whole of ``text`` is a date.

    Returns an aware ``datetime`` when a time is given (in ``tz`` unless the text
    names a zone), a ``date`` when only the day is, and ``None`` when ``text`` is
    anything else.
    """
    text = " ".join(text.split())
    if not text or len(text) > 80:
        return None
    for pattern in (_ISO, _ISO_BASIC, *_PATTERNS):
        match = pattern.match(text)
        if match:
            return _build(match, tz)
    return None


def aware(value: date | datetime, tz: tzinfo) -> datetime:
    """``value`` as an aware datetime: a day starts at midnight in ``tz``, a naive time is in ``tz``."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime.combine(value, time(0, 0), tzinfo=tz)


def find_date_line(lines: Sequence[str], tz: tzinfo | None = None) -> tuple[datetime | date, int] | None:
    """The first line that is a date, as ``(value, index)``; ``None`` when none is.

    A line may also hold the date as one of several parts separated by ``|``,
    ``•`` or ``·`` ("By Jane Doe | 10 January 2022 | 3 min read") when the other
    parts are short; the first part that is a date wins, so "Published … |
    Updated …" gives the publication date. ``tz`` defaults to UTC.
    """
    zone = tz if tz is not None else timezone.utc
    for index, line in enumerate(lines):
        value = parse_news_date(line, zone)
        if value is None:
            value = _date_in_parts(line, zone)
        if value is not None:
            return value, index
    return None


_SEPARATORS = re.compile(r"\s+[|•·]\s+")


def _date_in_parts(line: str, tz: tzinfo) -> datetime | date | None:
    parts = _SEPARATORS.split(line.strip())
    if len(parts) < 2 or any(len(part.split()) > 8 for part in parts):
        return None
    for part in parts:
        value = parse_news_date(part, tz)
        if value is not None:
            return value
    return None


def _build(match: re.Match[str], tz: tzinfo) -> datetime | date | None:
    groups = match.groupdict()
    year = int(groups["year"])
    month, day = _month_day(groups)
    if month is None or day is None or not 1900 <= year <= 2100:
        return None
    try:
        day_value = date(year, month, day)
    except ValueError:
        return None
    if groups.get("hour") is None:
        return day_value
    hour = int(groups["hour"])
    minute = int(groups["minute"] or 0)
    second = int(groups.get("second") or 0)
    ampm = (groups.get("ampm") or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    elif groups["minute"] is None:
        return None  # "10 January 2022 9" is not a time
    if hour > 23 or minute > 59 or second > 59:
        return None
    zone = _zone(groups.get("zone"))
    if groups.get("zone") and zone is None:
        return None
    return datetime(year, month, day, hour, minute, second, tzinfo=zone or tz)


def _month_day(groups: dict[str, str | None]) -> tuple[int | None, int | None]:
    if groups.get("month"):
        name = str(groups["month"]).lower().rstrip(".")
        return MONTHS.get(name), int(str(groups["day"]))
    if groups.get("mnum"):
        return int(str(groups["mnum"])), int(str(groups["day"]))
    first, second = int(str(groups["first"])), int(str(groups["second_"]))
    if first > 12 >= second:
        return second, first
    if second > 12 >= first:
        return first, second
    if first == second:
        return first, first
    return None, None  # 10/01/2022: day-first or month-first, we cannot tell


_OFFSET = re.compile(r"^(?P<name>[A-Z]*)\s*(?:(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?)?$")


def _zone(text: str | None) -> tzinfo | None:
    if not text:
        return None
    match = _OFFSET.match(text.upper())
    if not match:
        return None
    base = ZONES.get(match["name"], None) if match["name"] else 0.0
    if base is None:
        return None
    offset = timedelta(hours=base)
    if match["sign"]:
        hours, minutes = int(match["h"]), int(match["m"] or 0)
        if hours > 14 or minutes > 59:
            return None
        step = timedelta(hours=hours, minutes=minutes)
        offset += step if match["sign"] == "+" else -step
    return timezone(offset)
