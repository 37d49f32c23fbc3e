"""parse_html_page: metadata precedence and the main text of pages saved from browsers."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from digest.errors import DigestError
from digest.importer.html_page import join_names, parse_html_page

pytest.importorskip("trafilatura")

ALMATY = ZoneInfo("Asia/Almaty")
TODAY = date(2022, 2, 1)

PARAGRAPHS = """
<p>Last week’s unrest throughout Kazakhstan was an attempted coup that had been planned in advance, and was not
simply a spontaneous protest against rising fuel prices, the country’s President Kassym-Jomart Tokayev claimed.</p>
<p>Speaking to an online meeting of the <a href="/csto/about">Collective Security Treaty Organization</a> (CSTO),
made up of six former Soviet republics, Tokayev also stated that <em>constitutional order</em> had been restored.</p>
<h2>Foreign militants</h2>
<p>“Kazakhstan has experienced the worst crisis in the history of its 30-year independence,” Tokayev said, claiming
that terrorists, “including foreign militants,” had entered the country to cause mayhem.</p>
<p>“I would like to give special thanks to Russian President Vladimir Vladimirovich Putin,” the Kazakh leader said.</p>
"""

CHROME = """
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/russia">Russia</a></nav></header>
"""
FOOTER = """
<aside><h3>Most read</h3><ul><li><a href="/x">Other story one</a></li><li><a href="/y">Other story two</a></li></ul>
</aside><footer><p>© 2005–2022 TV-Novosti. All rights reserved.</p></footer>
"""


def page(head: str, article: str = "", *, h1: str = "Kazakhstan crisis ‘attempted coup’ – President") -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}</head><body>{CHROME}"
        f"<main><article><h1>{h1}</h1>{article}{PARAGRAPHS}</article>{FOOTER}</main></body></html>"
    )


GRAPH = """
<title>Kazakhstan crisis ‘attempted coup’ – President — RT World News</title>
<link rel="canonical" href="https://www.rt.com/russia/545741-kazakhstan-attempted-coup-tokayev/">
<meta property="og:title" content="OG title that loses to JSON-LD">
<meta property="og:site_name" content="RT International">
<meta property="og:description" content="OG description that loses to JSON-LD">
<meta property="article:published_time" content="2022-01-11T00:00:00Z">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "@id": "https://www.rt.com/#website", "name": "RT website"},
  {"@type": "WebPage", "@id": "https://www.rt.com/russia/545741/#webpage", "name": "page name"},
  {"@type": ["ReportageNewsArticle"], "@id": "#article",
   "headline": "Kazakhstan crisis &#8216;attempted coup&#8217; &#8211; President",
   "description": "Tokayev thanks Russia for assistance in dealing with worst incident “in the history of the country”",
   "datePublished": "2022-01-10T09:39:00+00:00", "dateModified": "2022-01-12T10:00:00+00:00",
   "mainEntityOfPage": {"@id": "https://www.rt.com/russia/545741-kazakhstan-attempted-coup-tokayev/"},
   "keywords": "Kazakhstan, Russia, CSTO",
   "author": [{"@type": "Person", "name": "Jane Doe"}, {"@id": "#p2"}, "https://www.rt.com/authors/x/"],
   "publisher": {"@id": "https://www.rt.com/#org"}},
  {"@type": "Person", "@id": "#p2", "name": "John Roe"},
  {"@type": "Organization", "@id": "https://www.rt.com/#org", "name": "RT"}
]}
</script>
"""


def test_json_ld_graph_wins_and_is_resolved() -> None:
    item = parse_html_page(page(GRAPH), ALMATY, TODAY)
    assert item.title == "Kazakhstan crisis ‘attempted coup’ – President"
    assert item.summary.startswith("Tokayev thanks Russia for assistance in dealing with worst incident")
    assert item.author == "Jane Doe and John Roe"
    assert item.source_name == "RT International"  # the page's own og:site_name beats JSON-LD's publisher
    assert item.source_url == "https://www.rt.com/russia/545741-kazakhstan-attempted-coup-tokayev/"
    assert item.source_published == datetime(2022, 1, 10, 9, 39, tzinfo=timezone.utc)
    assert item.date == datetime(2022, 1, 10, 15, 39, tzinfo=ALMATY)
    assert item.date.utcoffset() == timedelta(hours=6)
    assert item.tags == ("Kazakhstan", "Russia", "CSTO")
    assert item.warnings == ()


def test_main_text_is_markdown_without_chrome_or_repeated_title() -> None:
    item = parse_html_page(page(GRAPH), ALMATY, TODAY)
    assert item.body.startswith("Last week’s unrest throughout Kazakhstan")
    assert item.body.endswith("the Kazakh leader said.")
    assert "## Foreign militants" in item.body
    assert "*constitutional order*" in item.body
    # relative links are made absolute against the canonical URL
    assert "[Collective Security Treaty Organization](https://www.rt.com/csto/about)" in item.body
    assert "attempted coup’ – President" not in item.body
    for chrome in ("Home", "Most read", "Other story", "All rights reserved"):
        assert chrome not in item.body


def test_opengraph_only() -> None:
    head = """
    <title>Kazakh tenge steadies | The Astana Times</title>
    <meta property="og:title" content="Kazakh tenge steadies as markets reopen">
    <meta property="og:site_name" content="The Astana Times">
    <meta property="og:url" content="https://astanatimes.com/2022/01/kazakh-tenge-steadies/?utm_source=tg">
    <meta property="og:description" content="The currency traded at 435 to the dollar.">
    <meta property="article:published_time" content="2022-01-11T14:05:00+06:00">
    <meta property="article:author" content="https://www.facebook.com/astanatimes">
    <meta property="article:tag" content="Economy"><meta property="article:tag" content="Tenge">
    <meta name="author" content="Aigerim Seitkali">
    """
    item = parse_html_page(page(head, h1="Kazakh tenge steadies as markets reopen"), ALMATY, TODAY)
    assert item.title == "Kazakh tenge steadies as markets reopen"
    assert item.source_name == "The Astana Times"
    assert item.source_url == "https://astanatimes.com/2022/01/kazakh-tenge-steadies/?utm_source=tg"
    assert item.summary == "The currency traded at 435 to the dollar."
    assert item.date == datetime(2022, 1, 11, 14, 5, tzinfo=ALMATY)
    assert item.author == "Aigerim Seitkali"  # the profile URL in article:author is not a name
    assert item.tags == ("Economy", "Tenge")


def test_only_a_time_element_and_a_title() -> None:
    head = "<title>Curfew lifted in Almaty - Kazinform</title>"
    article = '<p class="meta">Posted <time datetime="2022-01-13">13 January</time></p>'
    html = page(head, article, h1="")
    item = parse_html_page(html.replace("<h1></h1>", ""), ALMATY, TODAY, url="https://www.inform.kz/en/curfew")
    assert item.title == "Curfew lifted in Almaty"  # " - Kazinform" names the host, inform.kz
    assert item.date == datetime(2022, 1, 13, 0, 0, tzinfo=ALMATY)
    assert item.source_url == "https://www.inform.kz/en/curfew"  # the url given, as nothing better is known


def test_site_suffix_kept_when_it_does_not_name_the_site() -> None:
    head = "<title>Tokayev: ‘We will not negotiate’ - interview</title>"
    item = parse_html_page(page(head, h1="").replace("<h1></h1>", ""), ALMATY, TODAY, url="https://example.kz/a")
    assert item.title == "Tokayev: ‘We will not negotiate’ - interview"


def test_canonical_link_and_meta_date() -> None:
    head = """
    <title>Banks reopen</title>
    <link rel="Canonical" href="/en/banks-reopen">
    <meta name="pubdate" content="2022-01-10T09:39:00+06:00">
    <meta name="description" content="Banks in Almaty reopened on Monday.">
    """
    item = parse_html_page(page(head, h1="Banks reopen"), ALMATY, TODAY, url="https://www.inform.kz/en/x?fbclid=1")
    assert item.source_url == "https://www.inform.kz/en/banks-reopen"
    assert item.date == datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)
    assert item.summary == "Banks in Almaty reopened on Monday."


def test_json_ld_article_in_a_list_with_author_string_and_publisher_object() -> None:
    head = """
    <script type="application/ld+json">
    [{"@type": "BreadcrumbList", "itemListElement": []},
     {"@context": "http://schema.org", "@type": "NewsArticle", "headline": "Internet restored",
      "datePublished": "2022-01-10", "author": "Jane Doe",
      "publisher": {"@type": "Organization", "name": "Kazinform"}}]
    </script>
    """
    item = parse_html_page(page(head, h1="Internet restored"), ALMATY, TODAY)
    assert (item.title, item.author, item.source_name) == ("Internet restored", "Jane Doe", "Kazinform")
    assert item.date == datetime(2022, 1, 10, 0, 0, tzinfo=ALMATY)


def test_broken_json_ld_is_a_warning_and_the_next_layer_answers() -> None:
    head = """
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": "x" "datePublished": }</script>
    <meta property="og:title" content="From OpenGraph">
    <meta property="article:published_time" content="2022-01-10T09:39:00Z">
    """
    item = parse_html_page(page(head, h1="From OpenGraph"), ALMATY, TODAY)
    assert item.title == "From OpenGraph"
    assert any("JSON-LD block 1" in warning for warning in item.warnings)


def test_json_ld_wrapped_in_a_comment_with_trailing_commas() -> None:
    head = """<script type="application/ld+json"><!--
    {"@type": "Article", "headline": "Wrapped", "author": {"@type": "Person", "name": "A. Writer",},}
    --></script>"""
    item = parse_html_page(page(head, h1="Wrapped"), ALMATY, TODAY)
    assert item.title == "Wrapped"
    assert item.author == "A. Writer"


def test_no_date_means_today_with_a_warning() -> None:
    item = parse_html_page(page("<title>Undated</title>", h1="Undated"), ALMATY, TODAY)
    assert item.date == datetime(2022, 2, 1, tzinfo=ALMATY)
    assert item.source_published is None
    assert any("no publication date" in warning for warning in item.warnings)


def test_xml_declaration_does_not_stop_parsing() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?>\n' + page('<meta property="og:title" content="XHTML page">')
    assert parse_html_page(html, ALMATY, TODAY).title == "XHTML page"


def test_empty_page_is_an_error() -> None:
    with pytest.raises(DigestError, match="page is empty"):
        parse_html_page("  \n", ALMATY, TODAY)


def test_page_without_text_warns() -> None:
    item = parse_html_page("<html><head><title>Only a title</title></head><body></body></html>", ALMATY, TODAY)
    assert item.title == "Only a title"
    assert item.body == ""
    assert any("article text" in warning for warning in item.warnings)


def test_date_byline_share_and_tags_in_the_text_without_metadata() -> None:
    article = (
        '<p class="byline">By Jane Doe</p><p class="date">10 Jan, 2022 09:39</p><p>Share</p>'
        "<figure><img src='a.jpg'><figcaption>Queues outside a bank.</figcaption></figure>"
    )
    html = page("<title>Banks reopen in Almaty | Kazinform</title>", article, h1="Banks reopen in Almaty")
    html = html.replace("</article>", "<p>Advertisement</p><p>Tags: Banks, Almaty</p></article>")
    item = parse_html_page(html, ALMATY, TODAY)
    assert item.title == "Banks reopen in Almaty"
    assert item.date == datetime(2022, 1, 10, 9, 39, tzinfo=ALMATY)
    assert item.author == "Jane Doe"
    assert item.tags == ("Banks", "Almaty")
    assert item.body.startswith("Last week’s unrest")
    assert item.body.endswith("the Kazakh leader said.")
    assert "Advertisement" not in item.body and "Share" not in item.body
    assert item.warnings == ()


def test_metadata_date_wins_over_a_date_in_the_text() -> None:
    head = '<meta property="article:published_time" content="2022-01-09T08:00:00+06:00">'
    html = page(head, '<p class="date">10 Jan, 2022 09:39</p>', h1="Banks reopen")
    assert parse_html_page(html, ALMATY, TODAY).date == datetime(2022, 1, 9, 8, 0, tzinfo=ALMATY)


def test_join_names() -> None:
    assert join_names([]) == ""
    assert join_names(["A"]) == "A"
    assert join_names(["A", "B"]) == "A and B"
    assert join_names(["A", "B", "C"]) == "A, B and C"


# --- the cases the capture issue measured ----------------------------------------------


def minimal(head: str, body: str = "", url: str | None = "https://www.example-news.com/world/bridge") -> object:
    html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body><main><article>{body}"
            f"{PARAGRAPHS}</article></main></body></html>")
    return parse_html_page(html, ALMATY, TODAY, url=url)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Opinion | The bridge we deserve", "The bridge we deserve"),
        ("The bridge we deserve | Editorial", "The bridge we deserve"),
        ("The bridge we deserve - Example News", "The bridge we deserve"),
        ("The bridge we deserve » Local » Noticias » Example News", "The bridge we deserve"),
        ("Tokayev: ‘We will not negotiate’ - interview", "Tokayev: ‘We will not negotiate’ - interview"),
    ],
)
def test_headline_without_section_labels_or_site_names(title: str, expected: str) -> None:
    item = minimal(f"<meta property='og:title' content='{title}'><meta property='og:site_name' content='Example News'>")
    assert item.title == expected


def test_a_cut_short_json_ld_headline_loses_to_the_full_h1() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Kazakhstan crisis ‘attempted'
            ' coup’ …", "datePublished": "2022-01-10T09:39:00Z"}</script>')
    assert minimal(head, "<h1>Kazakhstan crisis ‘attempted coup’ – President</h1>").title == (
        "Kazakhstan crisis ‘attempted coup’ – President"
    )


def test_the_pages_own_site_name_beats_the_json_ld_publisher_then_the_host() -> None:
    blog = '<script type="application/ld+json">{"@type": "BlogPosting", "headline": "A", "publisher": {"name": "Blogger"}}</script>'
    assert minimal(blog + "<meta property='og:site_name' content=\"LinkNaija | Nigeria's popular news platform\">").source_name == "LinkNaija"
    assert minimal(blog).source_name == "Blogger"
    assert minimal("<title>A story</title>", url="https://china.chinadaily.com.cn/a/1.html").source_name == "chinadaily.com.cn"


@pytest.mark.parametrize(
    "markup",
    [
        '<meta itemprop="datePublished dateCreated" content="2022-01-10T09:39:00+06:00">',
        '<script type="application/ld+json">{"@type": "MedicalWebPage", "name": "x", "datePublished": "2022-01-10T09:39:00+06:00"}</script>',
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "ClaimReview",'
        ' "datePublished": "2022-01-10T09:39:00+06:00"}, {"@type": "Organization", "name": "Checkers"}]}</script>',
        '<script type="application/ld+json">{"@type": "WebPage", "datePublished": "20220110T093900+0600"}</script>',
    ],
)
def test_dates_from_itemprop_lists_and_json_ld_of_any_type(markup: str) -> None:
    item = minimal(f"<title>Banks reopen</title>{markup}")
    assert item.source_published == datetime(2022, 1, 10, 9, 39, tzinfo=timezone(timedelta(hours=6)))


def test_a_date_in_a_related_list_is_not_the_articles_but_the_url_is_a_last_resort() -> None:
    related = ("</article><aside class='related'><ul><li><a href='/x'>Older story</a>"
               "<time datetime='2021-12-01T08:00:00Z'>1 Dec</time></li></ul></aside><article>")
    item = minimal("<title>Banks reopen</title>", related, url="https://example.org/2022/01/09/banks-reopen")
    assert item.source_published == datetime(2022, 1, 9, tzinfo=ALMATY)
    assert any("took 2022-01-09 from its URL" in warning for warning in item.warnings)


def test_the_space_between_a_link_and_the_next_word_is_kept() -> None:
    from digest.importer.html_page import space_links

    assert space_links("said [the report](https://x.example/a)that was") == "said [the report](https://x.example/a) that was"
    assert space_links("the[report](https://x.example/a), then") == "the [report](https://x.example/a), then"
    assert space_links("日本[経済](https://x.example/a)新聞") == "日本[経済](https://x.example/a)新聞"


def test_body_classes_and_an_articles_own_footer_do_not_hide_the_headline_and_date() -> None:
    # themes put "has-sidebar" and "comments-open" on <body>; HTML5 articles keep their date in <article><footer>
    paragraph = "<p>" + "The council voted on Tuesday to reopen the northern bridge after months of repairs. " * 5 + "</p>"
    html = (
        "<html><head><title>Bridge reopens - Town News</title></head><body class='single has-sidebar comments-open'>"
        f"<article><h1>Bridge reopens</h1>{paragraph * 3}<footer><time datetime='2022-01-10T09:00:00Z'>10 Jan</time>"
        "</footer></article><aside class='sidebar'><time datetime='2021-01-01T00:00:00Z'>1 Jan</time></aside></body></html>"
    )
    item = parse_html_page(html, ALMATY, TODAY, url="https://town.example/a")
    assert item.title == "Bridge reopens"
    assert item.source_published == datetime(2022, 1, 10, 9, 0, tzinfo=timezone.utc)
    assert item.source_name == "town.example"
