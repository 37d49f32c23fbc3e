"""Publication dates in the forms news sites print them."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from digest.importer.dates import find_date_line, parse_news_date

ALMATY = ZoneInfo("Asia/Almaty")
LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc


def at(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 Jan, 2022 09:39", datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)),
        ("January 10, 2022", date(2022, 1, 10)),
        ("Jan 10, 2022 9:39 AM", datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)),
        ("Jan 10, 2022 9:39 PM", datetime(2022, 1, 10, 21, 39, tzinfo=ALMATY)),
        ("Jan 10, 2022 12:05 AM", datetime(2022, 1, 10, 0, 5, tzinfo=ALMATY)),
        ("Jan. 10, 2022, 9:39 a.m. EST", datetime(2022, 1, 10, 9, 39, tzinfo=at(-5))),
        ("2022-01-10T09:39:00Z", datetime(2022, 1, 10, 9, 39, tzinfo=UTC)),
        ("2022-01-10T09:39:00.000+06:00", datetime(2022, 1, 10, 9, 39, tzinfo=at(6))),
        ("2022-01-10T09:39:00+0300", datetime(2022, 1, 10, 9, 39, tzinfo=at(3))),
        ("2022-01-10 09:39", datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)),
        ("2022-01-10", date(2022, 1, 10)),
        ("2022/01/10", date(2022, 1, 10)),
        ("10.01.2022", date(2022, 1, 10)),
        ("10.01.2022 09:39", datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)),
        ("10.01.2022, 09:39", datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)),
        ("Published 10 January 2022 at 9:39 GMT", datetime(2022, 1, 10, 9, 39, tzinfo=UTC)),
        ("Updated: 10 January 2022 09:39 UTC", datetime(2022, 1, 10, 9, 39, tzinfo=UTC)),
        ("Monday 10 January 2022 09.39 GMT", datetime(2022, 1, 10, 9, 39, tzinfo=UTC)),
        ("First published on Mon 10 Jan 2022 09.39 GMT", datetime(2022, 1, 10, 9, 39, tzinfo=UTC)),
        ("Tuesday, January 11, 2022", date(2022, 1, 11)),
        ("January 10th, 2022", date(2022, 1, 10)),
        ("10th of January, 2022", date(2022, 1, 10)),
        ("Posted on January 10, 2022 at 09:39 PDT.", datetime(2022, 1, 10, 9, 39, tzinfo=at(-7))),
        ("10 Jan 2022 09:39 BST", datetime(2022, 1, 10, 9, 39, tzinfo=at(1))),
        ("10 Jan 2022 09:39 CET", datetime(2022, 1, 10, 9, 39, tzinfo=at(1))),
        ("10 Jan 2022 09:39 (MSK)", datetime(2022, 1, 10, 9, 39, tzinfo=at(3))),
        ("10 Jan 2022 9:39 PST", datetime(2022, 1, 10, 9, 39, tzinfo=at(-8))),
        ("10 Jan 2022 09:39 GMT+6", datetime(2022, 1, 10, 9, 39, tzinfo=at(6))),
        ("10 Jan 2022 09:39 UTC-05:30", datetime(2022, 1, 10, 9, 39, tzinfo=at(-5.5))),
        ("10 Jan 2022 09:39 +06:00", datetime(2022, 1, 10, 9, 39, tzinfo=at(6))),
        ("10 Jan 2022 · 09:39", datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)),
        ("09:39, 10 January 2022", datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)),
        ("10 января 2022, 09:39", datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)),
        ("10 января 2022 г.", date(2022, 1, 10)),
        ("13/01/2022", date(2022, 1, 13)),  # only day-first makes sense
        ("01/13/2022", date(2022, 1, 13)),  # only month-first makes sense
        ("05/05/2022", date(2022, 5, 5)),
    ],
)
def test_news_date_forms(text: str, expected: datetime | date) -> None:
    value = parse_news_date(text, ALMATY)
    assert value == expected
    assert type(value) is type(expected)
    if isinstance(expected, datetime):
        assert isinstance(value, datetime)
        assert value.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text",
    [
        "10/01/2022",  # 10 January or 1 October: refused, not guessed
        "May Day protests turn violent",
        "March on Almaty",
        "Kazakhstan crisis in May 2022 – President",
        "In 2022-01-10 events",
        "31 February 2022",
        "10 Jan 2022 25:00",
        "10 Jan 2022 13:00 PM",
        "10 January 2022 09:39 XYZ",  # an unknown zone is not silently the site's
        "2022",
        "PST",
        "",
        "Jan 10, 1850",
    ],
)
def test_not_dates(text: str) -> None:
    assert parse_news_date(text, ALMATY) is None


def test_naive_times_take_the_site_zone_with_its_summer_time() -> None:
    value = parse_news_date("10 July 2022 09:39", LONDON)
    assert isinstance(value, datetime)
    assert value.utcoffset() == timedelta(hours=1)


def test_find_date_line_returns_first_date_and_index() -> None:
    lines = ["icon bookmark", "May Day", "", "10 Jan, 2022 09:39", "11 Jan, 2022 10:00"]
    assert find_date_line(lines, ALMATY) == (datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY), 3)


def test_find_date_line_reads_a_date_among_short_parts() -> None:
    assert find_date_line(["By Jane Doe | 10 January 2022 | 3 min read"]) == (date(2022, 1, 10), 0)
    published_then_updated = ["Published 10 Jan 2022 | Updated 11 Jan 2022"]
    assert find_date_line(published_then_updated) == (date(2022, 1, 10), 0)


def test_find_date_line_none_when_no_line_is_a_date() -> None:
    assert find_date_line(["Kazakhstan crisis", "It happened on 10 January 2022 in Almaty."]) is None
