"""Source URL keys, tag suggestions and duplicate detection."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.importer.duplicates import Duplicate, ExistingArticle, find_duplicates
from digest.importer.model import Imported
from digest.importer.suggest import suggest_tags
from digest.rules.sourceurls import normalize_source_url

ALMATY = ZoneInfo("Asia/Almaty")


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("HTTP://WWW.RT.com/russia/545741-kazakhstan/", "https://rt.com/russia/545741-kazakhstan"),
        ("https://rt.com/russia/545741-kazakhstan#comments", "https://rt.com/russia/545741-kazakhstan"),
        (
            "https://www.rt.com/russia/545741/?utm_source=telegram&utm_medium=social&fbclid=IwAR0&b=2&a=1",
            "https://rt.com/russia/545741?a=1&b=2",
        ),
        (
            "https://example.kz/a?gclid=1&mc_cid=2&mc_eid=3&ref=tw&ref_src=twsrc&igshid=4&yclid=5&_ga=6&id=7",
            "https://example.kz/a?id=7",
        ),
        ("https://example.kz/a?UTM_Campaign=x&Page=2", "https://example.kz/a?Page=2"),
        ("https://rt.com/", "https://rt.com"),
        ("https://rt.com:443/a", "https://rt.com/a"),
        ("http://rt.com:8080/a", "https://rt.com:8080/a"),
        ("www.rt.com/news/1/", "https://rt.com/news/1"),
        ("//rt.com/news/1", "https://rt.com/news/1"),
        ("https://example.com/a/%7euser/caf%c3%a9", "https://example.com/a/~user/caf%C3%A9"),
        ("https://example.com/a/~user/café", "https://example.com/a/~user/caf%C3%A9"),
        ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),  # an escaped slash is not a slash
        ("https://example.com/Case/Path", "https://example.com/Case/Path"),  # paths keep their case
        ("https://example.com/s?q=a+b", "https://example.com/s?q=a%20b"),
        ("https://президент.рф/news/1", "https://xn--d1abbgf6aiiy.xn--p1ai/news/1"),
        ("  https://rt.com/a  ", "https://rt.com/a"),
        ("not a url", "not a url"),
    ],
)
def test_normalize_source_url(url: str, key: str) -> None:
    assert normalize_source_url(url) == key


def test_http_and_https_variants_share_a_key() -> None:
    variants = [
        "http://www.rt.com/russia/545741-kazakhstan/",
        "https://rt.com/russia/545741-kazakhstan",
        "https://www.RT.com/russia/545741-kazakhstan/?utm_source=tg#top",
    ]
    assert len({normalize_source_url(url) for url in variants}) == 1


@given(
    path=st.lists(st.text(alphabet="abcXYZ019-_~é%/", min_size=1, max_size=8), max_size=4),
    params=st.lists(st.tuples(st.sampled_from(["a", "b", "id", "utm_source", "fbclid"]), st.text("xyz1 ", max_size=3))),
)
def test_normalising_twice_changes_nothing(path: list[str], params: list[tuple[str, str]]) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    url = "HTTP://www.Example.com/" + "/".join(path) + ("?" + query if query else "")
    once = normalize_source_url(url)
    assert normalize_source_url(once) == once
    assert "utm_source" not in once and "fbclid" not in once


TAGS = ["Kazakhstan", "Russia", "Central Asia", "CSTO", "US", "fuel prices", "Covid-19", "Tokayev", "kazakhstan"]


def test_suggest_tags_whole_words_case_insensitive_most_frequent_first() -> None:
    text = (
        "Kazakhstan’s president thanked Russia and the CSTO. Unrest in Kazakhstan followed a rise in fuel "
        "prices across central  Asia; KAZAKHSTAN officials blamed foreign militants. The Kazakhstani tenge fell."
    )
    assert suggest_tags(text, TAGS) == ["Kazakhstan", "Russia", "Central Asia", "CSTO", "fuel prices"]


def test_suggest_tags_ignores_parts_of_words_and_pronouns() -> None:
    assert suggest_tags("Russians told us about Tokayevism and Covid.", TAGS) == []
    assert suggest_tags("Talks with the US began; COVID-19 rules eased.", TAGS) == ["US", "Covid-19"]


def test_suggest_tags_hyphen_and_space_are_one() -> None:
    assert suggest_tags("Central-Asia and fuel-prices", ["central asia", "fuel prices"]) == ["central asia", "fuel prices"]


def test_suggest_tags_ties_keep_site_order() -> None:
    assert suggest_tags("Russia and Kazakhstan", ["Russia", "Kazakhstan"]) == ["Russia", "Kazakhstan"]
    assert suggest_tags("Russia and Kazakhstan", ["Kazakhstan", "Russia"]) == ["Kazakhstan", "Russia"]


def imported(title: str, when: datetime, url: str = "") -> Imported:
    return Imported(title=title, date=when, summary="", body="", source_url=url)


def test_duplicates_by_url_and_by_title_on_the_same_day() -> None:
    item = imported(
        "Kazakhstan crisis ‘attempted coup’ – President",
        datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY),
        "https://www.rt.com/russia/545741/?utm_source=tg",
    )
    existing = [
        ExistingArticle(Path("content/2022/01/a.md"), "Another title", date(2021, 5, 1), "http://rt.com/russia/545741"),
        ("content/2022/01/b.md", "kazakhstan  CRISIS ‘attempted coup’ – president", date(2022, 1, 10), ""),
        ("content/2022/01/c.md", "Kazakhstan crisis ‘attempted coup’ – President", date(2022, 1, 11), ""),
        ("content/2022/01/d.md", "Unrelated", datetime(2022, 1, 10, tzinfo=ALMATY), "https://rt.com/russia/1"),
        # 20:00 UTC on the 9th is 02:00 on the 10th in Almaty: the same day for this site
        ("content/2022/01/e.md", "Kazakhstan crisis ‘attempted coup’ – President",
         datetime(2022, 1, 9, 20, 0, tzinfo=timezone.utc), None),
        ("content/2022/01/f.md", "Kazakhstan crisis ‘attempted coup’ – President", None, ""),
    ]
    assert find_duplicates(item, existing) == [
        Duplicate(Path("content/2022/01/a.md"), "Another title", "same source URL"),
        Duplicate("content/2022/01/b.md", "kazakhstan  CRISIS ‘attempted coup’ – president", "same title on the same day"),
        Duplicate("content/2022/01/e.md", "Kazakhstan crisis ‘attempted coup’ – President", "same title on the same day"),
    ]


def test_no_duplicates_without_url_or_matching_title() -> None:
    item = imported("New story", datetime(2022, 1, 10, tzinfo=ALMATY))
    assert find_duplicates(item, [("a.md", "Old story", date(2022, 1, 10), "")]) == []
