"""How dates, numbers and plurals read in a language: Babel (CLDR data), never hand-written names.

A page's language is a BCP 47 tag (``en``, ``ru``, ``pt-BR``). Dates are formatted by
*named formats* that map to CLDR skeletons, so each language gets its own order, month
forms and numerals ("10 January 2022", "10 января 2022 г.", "2022年1月10日").

Bare ``en`` reads as CLDR's international English (``en_001``: day, month, year),
which is how digest has always written dates; ``en-US`` gives "January 10, 2022".
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime

from babel import Locale, UnknownLocaleError
from babel.dates import DateTimePattern, format_date, match_skeleton, parse_pattern
from babel.numbers import format_decimal

# name -> CLDR skeleton (the fields a date shows; the locale decides their order and punctuation)
# "datetime" is "date" and "time" joined as the locale joins them, "daytime" likewise "day" and "time"
DATE_FORMATS: dict[str, str] = {
    "date": "yMMMMd",  # 10 January 2022
    "month": "yMMMM",  # January 2022
    "day": "MMMMd",  # 10 January
    "weekday": "full",  # Monday, 10 January 2022: the locale's full date (a skeleton would abbreviate the day)
    "time": "Hm",  # 09:39
    "year": "y",  # 2022
}

_TAG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def is_language_tag(tag: str) -> bool:
    """A well-formed BCP 47 tag that Babel knows (``en``, ``ru``, ``zh-Hant``, ``pt-BR``)."""
    if not _TAG_RE.match(tag):
        return False
    try:
        locale_of(tag)
    except (UnknownLocaleError, ValueError):
        return False
    return True


@functools.lru_cache(maxsize=64)
def locale_of(tag: str) -> Locale:
    """The Babel locale of a BCP 47 tag; ``UnknownLocaleError``/``ValueError`` when there is none."""
    if tag.lower() == "en":
        return Locale.parse("en_001")
    return Locale.parse(tag, sep="-")


@functools.lru_cache(maxsize=256)  # asked once per page (44,000 times at 10,000 articles); Babel's answer is fixed
def text_direction(tag: str) -> str:
    """``rtl`` for right-to-left scripts (Arabic, Hebrew, Persian, Urdu…), else ``ltr``."""
    try:
        return "rtl" if locale_of(tag).character_order == "right-to-left" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


def format_date_named(value: date | datetime, name: str, tag: str) -> str:
    """``value`` in a named format (see ``DATE_FORMATS``) or a CLDR skeleton, for the language ``tag``."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    # already in the site's timezone: shown as it is, never shifted
    return _format_date(value.replace(tzinfo=None), name, tag)


# Pure functions of small values, asked for again and again (every card of a day shows its date):
# Babel takes tens of microseconds a call, a cache hit well under one.
@functools.lru_cache(maxsize=16384)
def _format_date(value: datetime, name: str, tag: str) -> str:
    locale = locale_of(tag)
    if name == "weekday":
        return str(format_date(value, "full", locale=locale))
    if name in ("datetime", "daytime"):  # 10 January 2022, 09:39: the locale's own glue between date and time
        glue = str(locale.datetime_formats["medium"])
        day = _skeleton("date" if name == "datetime" else "day", value, locale)
        return glue.replace("{1}", day).replace("{0}", _skeleton("time", value, locale))
    return _skeleton(name, value, locale)


def _skeleton(name: str, value: datetime, locale: Locale) -> str:
    return str(_pattern(DATE_FORMATS.get(name, name), locale).apply(value, locale))


@functools.lru_cache(maxsize=256)
def _pattern(skeleton: str, locale: Locale) -> DateTimePattern:
    """The locale's pattern for a skeleton (what ``format_skeleton`` looks up on every call, once)."""
    known = locale.datetime_skeletons
    return parse_pattern(known[skeleton] if skeleton in known else known[match_skeleton(skeleton, known)])


@functools.lru_cache(maxsize=4096)
def format_number(value: int | float, tag: str) -> str:
    """``1234`` as the language writes it: "1,234", "1 234", "١٬٢٣٤"."""
    return str(format_decimal(value, locale=locale_of(tag)))


def language_name(tag: str) -> str:
    """A language's name in itself, capitalised: "English", "Русский", "日本語", "العربية"."""
    try:
        locale = locale_of(tag)
    except (UnknownLocaleError, ValueError):
        return tag
    name = Locale.parse(str(locale).split("_")[0]).get_display_name(locale) or tag
    return name[:1].upper() + name[1:]
