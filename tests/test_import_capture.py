"""Capture on real pages and browser copies: headline, date, source name, tags and body, per fixture.

The fixtures and what they must give are in tests/data/capture/ (see its README);
``python -m benchmarks.capture`` prints the same measures as figures.
"""

from __future__ import annotations

import json
import statistics
from datetime import date

import pytest

from benchmarks.capture import FIXTURES, evaluate, f1_recall, parse_input, shingles
from digest.importer.suggest import map_tags, tag_key

pytest.importorskip("trafilatura")

EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
FLOOR = 0.9  # body F1 of every input, unless its expected.json entry gives a lower "f1_floor" and says why
GOAL = 0.97  # mean body F1 over the saved pages, and over the copies


def floor(want: dict[str, object]) -> float:
    value = want.get("f1_floor", FLOOR)
    assert isinstance(value, float) and (value == FLOOR or want.get("floor_why")), "a lower floor says why"
    return value


@pytest.fixture(scope="module")
def scores():
    return {(s.kind, s.name): s for s in evaluate()}


@pytest.mark.parametrize("name", sorted(EXPECTED["pages"]))
def test_saved_page(name: str, scores) -> None:
    want = EXPECTED["pages"][name]
    item = parse_input(FIXTURES / "pages" / f"{name}.html.gz", "page", want["url"])
    assert item.title == want["title"]
    assert item.source_name == want["site"]
    found = item.source_published.date().isoformat() if item.source_published else None
    assert found == want["date"]
    assert set(map_tags(item.tags, EXPECTED["site_tags"], title=item.title).existing) == set(want["tags"])
    score = scores[("page", name)]
    if score.f1 is not None:
        assert score.f1 >= floor(want), f"{name}: body F1 {score.f1:.3f}"


@pytest.mark.parametrize("name", sorted(EXPECTED["copies"]))
def test_browser_copy(name: str, scores) -> None:
    want = EXPECTED["copies"][name]
    item = parse_input(FIXTURES / "copies" / f"{name}.txt", "copy", None)
    assert item.title == want["title"]
    found = item.source_published.date().isoformat() if item.source_published else None
    assert found == want["date"]
    assert scores[("copy", name)].f1 >= floor(want), f"{name}: body F1 {scores[('copy', name)].f1:.3f}"
    assert "Terms of" not in item.body and "Privacy Policy" not in item.body  # the footer went


def test_accuracy_goals_over_the_fixture_set(scores) -> None:
    pages = [s for s in scores.values() if s.kind == "page"]
    copies = [s for s in scores.values() if s.kind == "copy"]
    assert statistics.mean(s.f1 for s in pages if s.f1 is not None) >= GOAL
    assert statistics.mean(s.f1 for s in copies if s.f1 is not None) >= GOAL
    # no input loses more than half its text without a warning saying so
    assert all(s.recall is None or s.recall >= 0.5 or s.loss_warned for s in pages + copies)
    assert all(s.title_ok for s in pages + copies)
    assert all(s.date_found == s.date_expected for s in pages + copies)
    assert all(s.site_ok is not False and s.tags_ok is not False for s in pages)
    assert statistics.median(s.seconds for s in pages) < 0.3


def test_every_fixture_is_in_expected_json_and_has_a_reference() -> None:
    pages = {p.name.removesuffix(".html.gz") for p in (FIXTURES / "pages").glob("*.html.gz")}
    copies = {p.stem for p in (FIXTURES / "copies").glob("*.txt")}
    assert pages == set(EXPECTED["pages"]) and copies == set(EXPECTED["copies"])
    assert copies <= pages  # a copy is of a saved page, and is scored against its reference
    missing = {p.stem for p in (FIXTURES / "reference").glob("*.txt")} ^ pages
    assert missing == {"autoindustria"}  # newspaper4k ships no text for it


def test_the_date_of_a_copy_is_the_one_by_the_headline_not_in_the_related_list() -> None:
    # the Chinese BBC copy lists older stories below the article, the first dated on a line of its own
    text = (FIXTURES / "copies" / "chinese_article.txt").read_text(encoding="utf-8")
    assert "\n2012年12月6日\n" in text
    item = parse_input(FIXTURES / "copies" / "chinese_article.txt", "copy", None)
    assert item.source_published is not None and item.source_published.date() == date(2012, 12, 10)


def test_shingle_f1_measures_overlap() -> None:
    assert f1_recall("a b c d e", "a b c d e") == (1.0, 1.0)
    assert f1_recall("x y z w", "a b c d e")[0] == 0.0
    assert len(shingles("港特首梁振英")) == 3  # characters are words where words are not spaced


@pytest.mark.parametrize(
    ("keyword", "tag"),
    [("holiday travel", "Holiday Travels"), ("WINTER-STORM", "Winter storm"), ("Fiscalía Anticorrupción", "Fiscalia anticorrupcion"),
     ("stories", "Story"), ("香港", "香港")],
)
def test_keywords_name_site_tags_whatever_their_spelling(keyword: str, tag: str) -> None:
    assert tag_key(keyword) == tag_key(tag)
    assert map_tags([keyword], [tag]).existing == (tag,)


def test_new_keywords_are_candidates_only_when_they_read_like_tags() -> None:
    title = "All-new 2020 Sentra is what we really want from Nissan PH"
    match = map_tags(["News", title, "Nissan", "a keyword that is far too long to be a tag"], ["Cars"], title=title)
    assert match.existing == ()
    assert match.new == ("Nissan",)
    assert tag_key("US") != tag_key("U") and tag_key("bus") == "bus"


SENTENCE = "The council voted on Tuesday to reopen the northern bridge after months of repairs, officials said today."


def test_the_fuller_extraction_is_taken_with_a_warning_only_when_it_adds_paragraphs() -> None:
    from digest.importer.html_page import choose_text

    precise = f"{SENTENCE} {SENTENCE}"
    lost = "\n\n".join([precise] + [f"{SENTENCE} {SENTENCE} Paragraph {n}." for n in range(4)])
    text, warning = choose_text(precise, lost)
    assert text == lost and "kept only 19%" in warning  # 34 words of 178
    menus = "\n\n".join([precise] + [f"- [Other story {n}](https://x.example/{n})" for n in range(40)] + ["Home"] * 30)
    assert choose_text(precise, menus) == (precise, "")  # more words, but no paragraphs: nothing was lost


def test_related_lists_and_comment_sections_leave_the_text() -> None:
    from digest.importer.html_page import drop_closing_sections, drop_related_links

    text = "\n\n".join([SENTENCE] * 6)
    related = "**Related stories**\n\n[Bridge closed in May](https://x.example/a)\n\n[Repairs begin](https://x.example/b)"
    body, links = drop_related_links(f"{text}\n\n{related}\n\nSupport us: donate today")
    assert (body, links) == (text, 2)
    inline = f"{text}\n\n{related}\n\n{text}"
    assert drop_related_links(inline) == (f"{text}\n\n{text}", 2)  # the text after the list stays
    assert drop_closing_sections(f"{text}\n\n## Comentar\n\n{SENTENCE}") == text
    more = f"{text}\n\n## More Must-Reads From TIME\n\n- The Struggle [Inside](https://x.example/c)"
    assert drop_closing_sections(more) == text
    assert drop_closing_sections(f"{text}\n\n## More on the vote\n\n{SENTENCE} {SENTENCE}") != text  # a real section


# Whole-page copies shaped like the Guardian's and the BBC's (menus, a standfirst, a captioned photo, lists after).
MENU = "\n".join(["Skip to main content", "Skip to navigation", "Print subscriptions", "Sign in", "Search jobs",
                  "News", "Opinion", "Sport", "Culture", "Lifestyle", "World", "Europe", "US news", "Americas",
                  "Asia", "Australia", "Middle East", "Africa", "Inequality", "Global development"])
GUARDIAN = MENU + """
Kazakhstan
This article is more than 2 years old
Kazakhstan president says unrest was attempted coup
Kassym-Jomart Tokayev says ‘terrorists’ planned to seize power, as Russian-led troops begin to withdraw
Andrew Roth in Moscow
Mon 10 Jan 2022 15.29 GMT
Share
Kazakhstan’s president, Kassym-Jomart Tokayev, has said that last week’s unrest in the country was an attempted coup d’état planned by terrorists.
Speaking at a video summit of the Russian-led Collective Security Treaty Organization, Tokayev said the country had faced armed aggression.
Troops of the alliance will begin to withdraw within days, the president said, after restoring order in Almaty.
Explore more on these topics
Kazakhstan
Asia Pacific
Russia
Most viewed
Prince Harry loses appeal over police protection
Published 7 January 2022
"""
BBC = MENU + """
Kazakhstan unrest: President says coup attempt was foiled
Published
10 January 2022
Share
IMAGE SOURCE, REUTERS
Image caption,
President Tokayev said order had been restored in Kazakhstan after the coup attempt
By Steve Rosenberg
BBC News, Moscow
Kazakhstan's president has said that the unrest which swept the country last week was an attempted coup.
President Tokayev told a meeting of the CSTO that "terrorists" had sought to seize power in the country.
He said order had been restored, and that the alliance's troops would soon withdraw.
Related Topics
Kazakhstan
More on this story
Kazakhstan: Who is Tokayev?
Published
7 January 2022
"""


@pytest.mark.parametrize(
    ("copy", "title", "author", "published", "tags"),
    [
        (GUARDIAN, "Kazakhstan president says unrest was attempted coup", "Andrew Roth",
         "2022-01-10T15:29:00+00:00", ("Kazakhstan", "Asia Pacific", "Russia")),
        (BBC, "Kazakhstan unrest: President says coup attempt was foiled", "Steve Rosenberg",
         "2022-01-10T00:00:00+00:00", ("Kazakhstan",)),
    ],
    ids=["guardian", "bbc"],
)
def test_whole_page_copies_headline_not_standfirst_or_caption(copy, title, author, published, tags) -> None:
    from zoneinfo import ZoneInfo

    from digest.importer.clipping import parse_clipping

    item = parse_clipping(copy, ZoneInfo("UTC"), date(2030, 1, 1))
    assert item.title == title
    assert item.author == author
    assert item.source_published is not None and item.source_published.isoformat() == published
    assert item.tags == tags
    assert item.body.startswith("Kazakhstan") and item.body.endswith(".")
    assert "Prince Harry" not in item.body and "Who is Tokayev" not in item.body and "Global development" not in item.body
    assert "order had been restored in Kazakhstan after the coup attempt" not in item.body  # the BBC caption
    assert item.warnings[0].startswith("read as a whole-page copy: dropped 2")


STORY = [f"Paragraph {n} of the story tells what the council decided about the bridge and why it took so long." for n in range(4)]


def test_a_thread_that_dates_every_comment_loses_to_a_shorter_story() -> None:
    from zoneinfo import ZoneInfo

    from digest.importer.page_copy import article_window

    comments = []
    for n in range(8):
        comments += [f"Reader {n} sagt:", f"2{n % 8}. Juni 2016 um 17:21 Uhr",
                     f"Comment {n} is a long opinion about the story that goes on and on, as reader comments do, for ever."]
    tips = ["Unsere Lesetipps"] + [f"Other story {n}" for n in range(8)]  # between story and comments, as on netzpolitik.org
    lines = MENU.split("\n") + ["Bridge reopens after months", "23.06.2016 um 16:14 Uhr"] + STORY + tips + comments
    window = article_window(lines, ZoneInfo("UTC"))
    assert window is not None and window.lines[0] == "Bridge reopens after months"
    assert not any("Comment" in line for line in window.lines)
    assert window.date is not None and window.date.isoformat().startswith("2016-06-23")


def test_a_gallery_inside_the_text_and_a_list_after_it_leave_the_copy() -> None:
    from zoneinfo import ZoneInfo

    from digest.importer.clipping import parse_clipping

    gallery = []
    for n in range(5):
        gallery += ["Bridges of the city: a history", f"Slide {n}", f"Caption {n} describes an old photograph of a bridge in the city centre."]
    teasers = ["DW recommends", "Another story", "A teaser sentence about another story entirely, to make you click."]
    lines = MENU.split("\n") + ["Bridge reopens after months", "Date 19.01.2020"] + STORY[:2] + gallery + STORY[2:] + teasers
    item = parse_clipping("\n".join(lines), ZoneInfo("UTC"), date(2030, 1, 1))
    assert item.body == "\n\n".join(STORY)
    assert item.source_published is not None and item.source_published.date() == date(2020, 1, 19)
