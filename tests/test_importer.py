"""parse_clipping: the seed clipping exactly, and the other shapes curators paste."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.errors import DigestError
from digest.importer.clipping import escape_block, is_chrome, parse_clipping

ALMATY = ZoneInfo("Asia/Almaty")
TODAY = date(2022, 2, 1)
# The shared folder is the repository's sibling: <workspace>/shared next to <workspace>/<repo>.
SEED = Path(__file__).resolve().parents[2] / "shared" / "samples" / "clipping-kazakhstan-2022-01-10.txt"


def clip(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


@pytest.fixture
def seed_text() -> str:
    if not SEED.is_file():
        pytest.skip(f"shared sample not found at {SEED}")
    return SEED.read_text(encoding="utf-8")


def test_seed_clipping_exactly(seed_text: str) -> None:
    item = parse_clipping(seed_text, ALMATY, TODAY)
    assert item.title == "Kazakhstan crisis ‘attempted coup’ – President"
    assert item.date == datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)
    assert item.date.utcoffset() == timedelta(hours=6)
    assert item.source_published == item.date
    assert item.summary == (
        "Tokayev thanks Russia for assistance in dealing with worst incident “in the history of the country”"
    )
    assert item.body.startswith("Last week’s unrest throughout Kazakhstan was an attempted coup")
    assert item.body.endswith("since the first days of the terrorist attack on our country,” the Kazakh leader said.")
    assert "icon" not in item.body and "icon" not in item.title and "icon" not in item.summary
    assert item.title not in item.body
    assert "10 Jan, 2022" not in item.body
    assert item.warnings == ()


def test_seed_clipping_paragraphs_and_typography_kept(seed_text: str) -> None:
    item = parse_clipping(seed_text, ALMATY, TODAY)
    paragraphs = item.body.split("\n\n")
    source_lines = [line.strip() for line in seed_text.splitlines() if line.strip()]
    assert paragraphs == source_lines[-len(paragraphs) :]
    assert len(paragraphs) == 8
    assert "coup d’état.”" in item.body
    assert "\n\n\n" not in item.body


def test_clipping_without_chrome_or_standfirst() -> None:
    item = parse_clipping(
        clip(
            """
            Almaty airport reopens after unrest
            11 January 2022 14:05
            The international airport in Almaty resumed flights on Tuesday, the operator said.

            Passengers were asked to arrive four hours before departure.
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.title == "Almaty airport reopens after unrest"
    assert item.summary == ""
    assert item.date == datetime(2022, 1, 11, 14, 5, tzinfo=ALMATY)
    assert item.body == (
        "The international airport in Almaty resumed flights on Tuesday, the operator said.\n\n"
        "Passengers were asked to arrive four hours before departure."
    )


def test_byline_source_url_and_trailing_debris() -> None:
    item = parse_clipping(
        clip(
            """
            Skip to main content
            Home › World › Asia
            Kazakhstan lifts state of emergency
            The measures were imposed after deadly riots in early January.
            By Jane Doe and John Roe, Reuters
            Published 19 January 2022 at 9:39 GMT
            Share
            Facebook Twitter Telegram
            ALMATY (Reuters) – Kazakhstan lifted a state of emergency on Wednesday, officials said.

            Advertisement

            The government said all restrictions would end by the weekend, according to a statement.
            Read more: Kazakh president names new prime minister
            Officials gave no figures for arrests made during the unrest, which left 225 people dead.
            Source: Reuters
            https://www.reuters.com/world/asia-pacific/kazakhstan-lifts-emergency-2022-01-19/
            Tags: Kazakhstan, Central Asia
            Related
            Russia-led troops leave Kazakhstan
            Tokayev blames ‘terrorists’ for unrest
            12 comments
            We use cookies to improve your experience. By using this site you accept our cookie policy.
            Accept all
            © 2022 Reuters. All rights reserved.
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.title == "Kazakhstan lifts state of emergency"
    assert item.summary == "The measures were imposed after deadly riots in early January."
    assert item.author == "Jane Doe and John Roe"
    assert item.source_name == "Reuters"
    assert item.source_url == "https://www.reuters.com/world/asia-pacific/kazakhstan-lifts-emergency-2022-01-19/"
    assert item.tags == ("Kazakhstan", "Central Asia")
    assert item.date == datetime(2022, 1, 19, 15, 39, tzinfo=ALMATY)
    assert item.date.utcoffset() == timedelta(hours=6)  # in the site's zone, for its archive folders
    assert item.source_published is not None
    assert item.source_published.utcoffset() == timedelta(0)  # as the page printed it
    assert item.body == (
        "ALMATY (Reuters) – Kazakhstan lifted a state of emergency on Wednesday, officials said.\n\n"
        "The government said all restrictions would end by the weekend, according to a statement.\n\n"
        "Officials gave no figures for arrests made during the unrest, which left 225 people dead."
    )


def test_clipping_without_a_date_uses_today_with_a_warning() -> None:
    item = parse_clipping(
        clip(
            """
            Kazakh tenge steadies as markets reopen
            The currency traded at 435 to the dollar on Tuesday, dealers in Almaty said.
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.date == datetime(2022, 2, 1, 0, 0, tzinfo=ALMATY)
    assert item.source_published is None
    assert len(item.warnings) == 1
    assert "no publication date" in item.warnings[0] and "2022-02-01" in item.warnings[0]


def test_headline_with_a_month_name_is_not_a_date() -> None:
    item = parse_clipping(
        clip(
            """
            May Day rallies banned in Almaty
            Authorities said gatherings of more than ten people would not be allowed this year.
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.title == "May Day rallies banned in Almaty"
    assert item.source_published is None


def test_masthead_before_a_repeated_headline_is_the_source_name() -> None:
    item = parse_clipping(
        clip(
            """
            RT News
            Kazakh president accepts government resignation
            Tokayev also declared a state of emergency in Almaty
            Kazakh president accepts government resignation
            Kazakhstan’s President Kassym-Jomart Tokayev accepted the resignation of the government on Wednesday.
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.source_name == "RT News"
    assert item.title == "Kazakh president accepts government resignation"
    assert item.summary == "Tokayev also declared a state of emergency in Almaty"
    assert item.body.startswith("Kazakhstan’s President")


def test_standfirst_with_full_stop_is_recognised_by_the_byline_after_it() -> None:
    item = parse_clipping(
        clip(
            """
            Fuel prices capped for 180 days
            The government has frozen the price of liquefied gas and petrol for six months, it said on Monday.
            By Aigerim Seitkali | 10 January 2022

            The cap covers liquefied petroleum gas, which many drivers use, the energy ministry said in a statement.

            It runs until July.
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.summary.startswith("The government has frozen")
    assert item.author == "Aigerim Seitkali"
    assert item.date == datetime(2022, 1, 10, 0, 0, tzinfo=ALMATY)
    assert item.source_published == item.date
    assert item.body.startswith("The cap covers")


def test_related_links_at_the_end_are_dropped_with_a_warning() -> None:
    item = parse_clipping(
        clip(
            """
            Internet restored across Kazakhstan
            10 Jan, 2022 09:39
            Mobile and fixed internet access was restored across the country on Monday, operators said.

            Some banking services were still unavailable in the afternoon, customers reported.

            Kazakhstan names new prime minister
            CSTO troops to leave within ten days
            What we know about the unrest so far
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.body.endswith("customers reported.")
    assert len(item.warnings) == 1
    assert "3 lines" in item.warnings[0] and "Kazakhstan names new prime minister" in item.warnings[0]


def test_comments_close_the_article_even_when_they_read_like_text() -> None:
    item = parse_clipping(
        clip(
            """
            Tokayev dismisses security chief
            10 Jan, 2022 09:39
            The former head of the National Security Committee was detained on suspicion of treason.

            Comments (2)
            This is exactly what everyone expected to happen sooner or later, frankly.
            I do not believe a word of the official version of these events at all.
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.body == "The former head of the National Security Committee was detained on suspicion of treason."


def test_inline_related_block_in_the_body_is_removed_but_text_after_it_kept() -> None:
    item = parse_clipping(
        clip(
            """
            Banks reopen in Almaty
            10 Jan, 2022 09:39
            Banks in Almaty reopened on Monday after a week-long closure, the central bank said.
            Related
            Tenge falls as unrest spreads
            Queues formed outside branches in the morning, but there was no sign of panic, witnesses said.
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.body == (
        "Banks in Almaty reopened on Monday after a week-long closure, the central bank said.\n\n"
        "Queues formed outside branches in the morning, but there was no sign of panic, witnesses said."
    )


def test_a_body_line_starting_by_is_not_a_byline() -> None:
    item = parse_clipping(
        clip(
            """
            Curfew lifted in Almaty
            10 Jan, 2022 09:39
            By the end of the week, officials said, all checkpoints would be removed from the city.
            By Monday evening the streets were busy again.
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.author == ""
    assert item.body.startswith("By the end of the week")
    assert item.body.endswith("By Monday evening the streets were busy again.")


def test_russian_clipping() -> None:
    item = parse_clipping(
        clip(
            """
            Поделиться
            Токаев назвал беспорядки попыткой госпереворота
            10 января 2022, 09:39
            Автор: Айгерим Сейткали
            Президент Казахстана заявил, что конституционный порядок восстановлен.
            Читайте также
            Интернет восстановлен по всей стране
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.title == "Токаев назвал беспорядки попыткой госпереворота"
    assert item.author == "Айгерим Сейткали"
    assert item.date == datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)
    assert item.body == "Президент Казахстана заявил, что конституционный порядок восстановлен."


def test_guardian_style_section_label_byline_in_city_and_topics() -> None:
    item = parse_clipping(
        clip(
            """
            Kazakhstan
            This article is more than 2 years old
            Kazakhstan president says unrest was attempted coup
            Kassym-Jomart Tokayev says ‘terrorists’ planned to seize power, as Russian-led troops begin to withdraw
            Andrew Roth in Moscow
            Mon 10 Jan 2022 15.29 GMT
            Last modified on Mon 10 Jan 2022 17.14 GMT
            Share
            Kazakhstan’s president, Kassym-Jomart Tokayev, has said that last week’s unrest was an attempted coup.
            Kassym-Jomart Tokayev at the summit. Photograph: Pavel Pavlov/AP

            Speaking at a video summit of the CSTO, Tokayev said the country had faced “armed aggression”.
            Explore more on these topics
            Kazakhstan
            Asia Pacific
            Russia
            Reuse this content
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.title == "Kazakhstan president says unrest was attempted coup"
    assert item.summary.startswith("Kassym-Jomart Tokayev says ‘terrorists’")
    assert item.author == "Andrew Roth"
    assert item.source_published == datetime(2022, 1, 10, 15, 29, tzinfo=ZoneInfo("UTC"))
    assert item.tags == ("Kazakhstan", "Asia Pacific", "Russia")
    assert item.body == (
        "Kazakhstan’s president, Kassym-Jomart Tokayev, has said that last week’s unrest was an attempted coup.\n\n"
        "Speaking at a video summit of the CSTO, Tokayev said the country had faced “armed aggression”."
    )
    # a whole page's text: the section label above the headline went with the menus
    assert item.warnings == ("read as a whole-page copy: dropped 2 line(s) of menus before the headline and 0 after"
                             " the article text",)


def test_bbc_style_labels_captions_and_desk_line() -> None:
    item = parse_clipping(
        clip(
            """
            Skip to content
            BBC Homepage
            Kazakhstan unrest: President says coup attempt was foiled
            Published
            10 January 2022
            Share
            IMAGE SOURCE, REUTERS
            Image caption,
            Mr Tokayev said order had been restored
            By Steve Rosenberg
            BBC News, Moscow
            Kazakhstan's president has said that the unrest was an attempted coup d'état.

            He told a meeting of the CSTO that "terrorists" had sought to seize power.
            Related Topics
            Kazakhstan
            More on this story
            Kazakhstan: Who is Tokayev?
            Published
            7 January 2022
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.title == "Kazakhstan unrest: President says coup attempt was foiled"
    assert item.summary == ""
    assert item.author == "Steve Rosenberg"
    assert item.date == datetime(2022, 1, 10, tzinfo=ALMATY)
    assert item.tags == ("Kazakhstan",)
    assert item.body == (
        "Kazakhstan's president has said that the unrest was an attempted coup d'état.\n\n"
        'He told a meeting of the CSTO that "terrorists" had sought to seize power.'
    )
    assert "order had been restored" not in item.body  # the photo caption
    assert item.warnings == (
        "read as a whole-page copy: dropped 2 line(s) of menus before the headline and 0 after the article text",
        "dropped 1 line(s) around the headline: 'BBC News, Moscow'",
    )


def test_a_series_label_in_the_head_is_not_an_author() -> None:
    item = parse_clipping(
        clip(
            """
            Tokayev names a new prime minister
            Parliament approves the president’s choice within hours
            Unrest in Kazakhstan
            Alikhan Smailov was approved by parliament on Tuesday.
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.author == ""
    assert item.summary == "Parliament approves the president’s choice within hours"
    assert any("'Unrest in Kazakhstan'" in warning for warning in item.warnings)


def test_question_headline_with_standfirst() -> None:
    item = parse_clipping(
        clip(
            """
            Kazakhstan
            Is Kazakhstan stable again?
            Analysts weigh what the January unrest means for the region
            10 Jan, 2022 09:39
            Calm returned to Almaty this week, but questions remain about who organised the violence.
            """
        ),
        ALMATY,
        TODAY,
    )
    assert item.title == "Is Kazakhstan stable again?"
    assert item.summary == "Analysts weigh what the January unrest means for the region"
    assert item.body.startswith("Calm returned")


def test_only_chrome_is_an_error() -> None:
    with pytest.raises(DigestError, match="only page chrome"):
        parse_clipping("Share\nFacebook Twitter\n\nSubscribe\n", ALMATY, TODAY)


def test_today_may_be_an_aware_datetime() -> None:
    now = datetime(2022, 2, 1, 15, 30, tzinfo=ALMATY)
    item = parse_clipping("Headline\nA first paragraph that is a sentence of some length.", ALMATY, now)
    assert item.date == now


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("#MeToo reached Almaty in 2018.", "\\#MeToo reached Almaty in 2018."),
        ("> quoted", "\\> quoted"),
        ("2022. The year began with unrest.", "2022\\. The year began with unrest."),
        ("* * *", "\\* * *"),
        ("---", "\\---"),
        ("- a copied list item", "- a copied list item"),
        ("Plain text with *stars* stays.", "Plain text with *stars* stays."),
    ],
)
def test_escape_block(line: str, expected: str) -> None:
    assert escape_block(line) == expected


@pytest.mark.parametrize(
    ("line", "chrome"),
    [
        ("icon bookmark-bicon bookmarkicon cameraicon checkicon", True),
        ("Share this article", True),
        ("Follow us", True),
        ("Follow us on Telegram for the latest news", True),
        ("Sign up for our morning briefing", True),
        ("READ MORE: Kazakh president names new prime minister", True),
        ("Advertisement", True),
        ("5 min read", True),
        ("Home › World › Asia", True),
        ("© Sputnik / Vladimir Astapkovich", True),
        ("This website uses cookies. By continuing you accept our privacy policy.", True),
        ("|", True),
        ("* * *", False),
        ("Share prices fell sharply on Monday.", False),
        ("The icon of the revolution, the iconic square and its icons.", False),
        ("Home is where the heart is › a proverb", False),
    ],
)
def test_is_chrome(line: str, chrome: bool) -> None:
    assert is_chrome(line) is chrome


def test_seed_clipping_end_to_end(seed_text: str, tmp_path: Path) -> None:
    import yaml

    from digest.importer import article_path, decode_input, render_article_file, write_new_file

    item = parse_clipping(decode_input(SEED.read_bytes(), SEED.name), ALMATY, TODAY)
    content = tmp_path / "content"
    path = write_new_file(
        article_path(content, item), render_article_file(item, tags=["Kazakhstan"], via=None), content_dir=content
    )
    assert path == content / "2022" / "01" / "kazakhstan-crisis-attempted-coup-president.md"
    front, _, body = path.read_text(encoding="utf-8").removeprefix("---\n").partition("\n---\n")
    meta = yaml.safe_load(front)
    assert meta["title"] == "Kazakhstan crisis ‘attempted coup’ – President"
    assert meta["date"] == datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)
    assert body.strip() == item.body


def test_cp1251_clipping_through_decode() -> None:
    from digest.importer import decode_input

    text = "Токаев назвал беспорядки попыткой госпереворота\n10.01.2022 09:39\nПрезидент заявил, что порядок восстановлен."
    item = parse_clipping(decode_input(text.encode("cp1251"), "clip.txt"), ALMATY, TODAY)
    assert item.title == "Токаев назвал беспорядки попыткой госпереворота"
    assert item.body == "Президент заявил, что порядок восстановлен."
    assert item.date == datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)
