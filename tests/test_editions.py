"""Editions: membership, numbering that never changes, sections, /latest/, edition feeds, the e-mail copies."""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import html5lib
import pytest
from lxml import html as lxml_html

from conftest import SHARED, article, write_files
from digest.config import parse_config
from digest.errors import BuildFailed

WEEKLY = """
title: Test Digest
base_url: https://news.example.org/
timezone: Europe/Berlin
editions:
  cadence: weekly
  start: 2021-12-27
  title: "Weekly digest #{number}"
  sections: [Politics, Economy]
"""
LATER = datetime(2022, 6, 1, tzinfo=timezone.utc)


def _validators():  # the shared, strict feed checks every site feed passes too
    spec = importlib.util.spec_from_file_location("check_feeds", SHARED / "tools/validators/check_feeds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page(out: Path, rel: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((out / rel).read_bytes())


def items_of(out: Path, number: int) -> dict[str, list[str]]:
    """Section heading -> item titles, in page order (items are h3 under a section's h2, else h2)."""
    root = page(out, f"editions/{number}/index.html")
    return {
        (s.findtext("h2") or ""): [li.find_class("card-title")[0].text_content().strip() for li in s.find_class("edition-item")]
        for s in root.find_class("edition-section")
    }


def numbers(out: Path) -> list[int]:
    return sorted(int(p.name) for p in (out / "editions").iterdir() if p.name.isdigit())


@pytest.fixture
def weekly(make_site):
    return make_site(
        {
            # week 1 runs Mon 27 Dec 2021 to Sun 2 Jan 2022 (across the year), local time in Berlin
            "content/a.md": article("New year vote", "2021-12-31 12:00", section="politics"),
            "content/b.md": article("Late Sunday", "2022-01-02 23:30", section="Economy"),
            "content/c.md": article("Monday just after midnight", "2022-01-03 00:10"),
            # 27 March 2022: clocks go forward in Berlin; the Sunday belongs to week 13, Monday to 14
            "content/d.md": article("DST Sunday", "2022-03-27 23:59", section="Economy"),
            "content/e.md": article("DST Monday", "2022-03-28 00:01", section="Politics"),
            "content/f.md": article("Unsorted", "2022-03-28 09:00", section="Weather"),
        },
        config=WEEKLY,
    )


def test_weekly_membership_numbering_and_sections(weekly, run_build):
    out = run_build(weekly, now=LATER).output
    assert numbers(out) == [1, 2, 13, 14]  # weeks without articles have no edition; their numbers stay free
    assert items_of(out, 1) == {"Politics": ["New year vote"], "Economy": ["Late Sunday"]}
    assert items_of(out, 2) == {"Other": ["Monday just after midnight"]}
    assert items_of(out, 13) == {"Economy": ["DST Sunday"]}
    # configured order, then "Other" for no section and for a section not in the list
    assert list(items_of(out, 14)) == ["Politics", "Other"]
    assert items_of(out, 14)["Other"] == ["Unsorted"]
    one = page(out, "editions/1/index.html")
    assert one.findtext(".//h1") == "Weekly digest #1"
    assert "27 Dec 2021" in one.find_class("page-meta")[0].text_content()
    assert "2 Jan 2022" in one.find_class("page-meta")[0].text_content()
    # editions link previous and next; article pages link their edition
    assert one.xpath("//a[@rel='next']/@href") == ["/editions/2/"]
    assert page(out, "editions/13/index.html").xpath("//a[@rel='prev']/@href") == ["/editions/2/"]
    story = page(out, "2022/01/02/b/index.html")
    assert story.xpath("//p[@class='in-edition']/a/@href") == ["/editions/1/"]
    # the list: newest first, with counts and date ranges
    listed = page(out, "editions/index.html")
    entries = listed.find_class("edition-entry")
    assert [e.find("a").get("href") for e in entries] == ["/editions/14/", "/editions/13/", "/editions/2/", "/editions/1/"]
    assert "2 articles" in entries[0].text_content() and "28 Mar 2022" in entries[0].text_content()


def test_numbers_never_change_when_old_or_earlier_articles_are_added(weekly, run_build):
    out = run_build(weekly, now=LATER).output
    before = {n: items_of(out, n) for n in numbers(out)}
    write_files(weekly, {
        "content/old.md": article("Added to week 2 later", "2022-01-05 10:00", section="Politics"),
        "content/earliest.md": article("Before edition 1", "2021-11-01 10:00"),
    })
    out = run_build(weekly, now=LATER).output
    assert numbers(out) == [1, 2, 13, 14]  # the November article is in no edition: it is before editions.start
    after = {n: items_of(out, n) for n in numbers(out)}
    assert after[2]["Politics"] == ["Added to week 2 later"]
    assert {n: v for n, v in after.items() if n != 2} == {n: v for n, v in before.items() if n != 2}
    assert page(out, "2021/11/01/earliest/index.html").find_class("in-edition") == []


def test_latest_is_the_newest_finished_edition_and_in_progress_is_marked(weekly, run_build):
    # Wednesday 30 March 2022: week 14 is still running
    out = run_build(weekly, now=datetime(2022, 3, 30, 12, tzinfo=timezone.utc)).output
    latest = page(out, "latest/index.html")
    assert latest.findtext(".//h1") == "Weekly digest #13"
    assert latest.xpath("//link[@rel='canonical']/@href") == ["https://news.example.org/editions/13/"]
    assert (out / "latest/index.html").read_bytes() != (out / "editions/13/index.html").read_bytes()  # a page, not a redirect
    running = page(out, "editions/14/index.html")
    assert running.find_class("in-progress") and "In progress" in running.text_content()
    assert not page(out, "editions/13/index.html").find_class("in-progress")
    feed = feedparser.parse((out / "editions/feed.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Weekly digest #13", "Weekly digest #2", "Weekly digest #1"]
    # a period ends at local midnight: 23:00 UTC on Sunday 3 April is midnight in Berlin (summer time)
    out = run_build(weekly, now=datetime(2022, 4, 3, 21, 59, tzinfo=timezone.utc)).output
    assert page(out, "latest/index.html").findtext(".//h1") == "Weekly digest #13"
    out = run_build(weekly, now=datetime(2022, 4, 3, 22, 0, tzinfo=timezone.utc)).output
    assert page(out, "latest/index.html").findtext(".//h1") == "Weekly digest #14"
    sitemap = (out / "sitemap.xml").read_text()
    assert "/editions/14/</loc>" in sitemap and "/latest/" not in sitemap and "email.html" not in sitemap


def test_in_progress_hide_and_publish(weekly, run_build):
    now = datetime(2022, 3, 30, 12, tzinfo=timezone.utc)
    (weekly / "digest.yaml").write_text(WEEKLY + "  in_progress: hide\n")
    out = run_build(weekly, now=now).output
    assert numbers(out) == [1, 2, 13]
    (weekly / "digest.yaml").write_text(WEEKLY + "  in_progress: publish\n")
    out = run_build(weekly, now=now).output
    assert page(out, "latest/index.html").findtext(".//h1") == "Weekly digest #14"
    assert json.loads((out / "editions/feed.json").read_text())["items"][0]["title"] == "Weekly digest #14"


def test_edition_feeds_are_valid_and_hold_the_whole_edition(weekly, run_build, tmp_path):
    write_files(weekly, {"content/editions/1.md": "---\ntitle: The first week\n---\nHello **readers**.\n"})
    out = run_build(weekly, now=LATER).output
    checks = _validators()
    assert checks.check_atom(str(out / "editions/feed.xml")) == []
    assert checks.check_jsonfeed(str(out / "editions/feed.json")) == []
    atom = feedparser.parse((out / "editions/feed.xml").read_bytes())
    assert atom.bozo == 0 and atom.version == "atom10"
    assert [e.link for e in atom.entries][-1] == "https://news.example.org/editions/1/"
    first = atom.entries[-1]
    assert first.title == "The first week"
    assert first.id == "tag:news.example.org,2021-12-27:edition-1"
    content = first.content[0].value
    assert "<strong>readers</strong>" in content and "New year vote" in content and "Late Sunday" in content
    assert 'href="https://news.example.org/2021/12/31/a/"' in content
    data = json.loads((out / "editions/feed.json").read_text())
    assert data["feed_url"] == "https://news.example.org/editions/feed.json"
    assert len(data["items"]) == 4
    # the feeds are linked from the editions' pages
    links = page(out, "editions/index.html").xpath("//link[@rel='alternate']/@href")
    assert "/editions/feed.xml" in links and "/editions/feed.json" in links


def test_daily_and_monthly_cadence(make_site, run_build):
    files = {
        "content/a.md": article("One", "2022-02-27 10:00"),
        "content/b.md": article("Two", "2022-02-28 23:59"),
        "content/c.md": article("Three", "2022-03-01 00:00"),
    }
    site = make_site(files, config="editions:\n  cadence: daily\n  start: 2022-02-27\n")
    out = run_build(site, now=LATER).output
    assert numbers(out) == [1, 2, 3]
    (site / "digest.yaml").write_text("editions:\n  cadence: monthly\n  start: 2022-01-15\n")
    out = run_build(site, now=LATER).output
    assert numbers(out) == [2, 3]  # January is edition 1 and has no articles
    assert items_of(out, 2) == {"": ["Two", "One"]}


def test_manual_cadence_editions_are_declared_by_their_files(make_site, run_build):
    site = make_site(
        {
            "content/a.md": article("In seven", "2022-01-03 10:00", edition=7),
            "content/b.md": article("Moved to seven", "2022-02-10 10:00", edition="7"),
            "content/c.md": article("In eight", "2022-02-11 10:00", edition=8),
            "content/d.md": article("No edition", "2022-02-12 10:00"),
            "content/e.md": article("Unknown number", "2022-02-12 11:00", edition=99),
            "content/editions/7.md": "---\npublished: 2022-02-12 08:00\n---\nSeven's intro.\n",
            "content/editions/8.md": "---\ntitle: Eight, still open\n---\n",
        },
        config="base_url: https://news.example.org/\neditions:\n  cadence: manual\n  title: 'Issue {number}'\n",
    )
    out = run_build(site, now=LATER).output
    assert numbers(out) == [7, 8]
    assert items_of(out, 7) == {"": ["Moved to seven", "In seven"]}
    assert "Seven’s intro." in page(out, "editions/7/index.html").text_content()
    assert page(out, "editions/8/index.html").findtext(".//h1") == "Eight, still open"
    assert page(out, "editions/8/index.html").find_class("in-progress")  # no 'published' yet
    assert page(out, "latest/index.html").findtext(".//h1") == "Issue 7"
    assert not (out / "editions/7.md").exists() and not (out / "editions/8/7.md").exists()


def test_a_site_without_editions_is_unchanged(make_site, run_build):
    site = make_site({"content/a.md": article("One", "2022-01-03 10:00", section="Economy")})
    out = run_build(site).output
    assert not (out / "editions").exists() and not (out / "latest").exists()
    assert "Editions" not in (out / "index.html").read_text()


def test_drafts_and_future_articles_are_never_in_an_edition(weekly, run_build):
    write_files(weekly, {
        "content/draft.md": article("A draft", "2022-01-01 10:00", draft=True),
        "content/future.md": article("Not yet", "2022-05-30 10:00"),
    })
    out = run_build(weekly, now=datetime(2022, 5, 1, tzinfo=timezone.utc)).output
    text = "".join((out / f"editions/{n}/index.html").read_text() for n in numbers(out))
    assert "A draft" not in text and "Not yet" not in text


def test_edition_file_errors_name_the_file_and_line(weekly, run_build):
    write_files(weekly, {"content/editions/3.md": "---\ntitle: ok\npublishd: 2022-01-01\n---\n"})
    with pytest.raises(BuildFailed) as info:
        run_build(weekly, now=LATER)
    assert "content/editions/3.md:3: unknown key 'publishd'" in str(info.value)
    (weekly / "content/editions/3.md").unlink()
    write_files(weekly, {"content/editions/third.md": "---\ntitle: x\n---\n"})
    with pytest.raises(BuildFailed) as info:
        run_build(weekly, now=LATER)
    assert "content/editions/third.md:1: an edition's file is named by its number" in str(info.value)


@pytest.mark.parametrize(
    "block, message",
    [
        ("  cadence: weekly\n", "editions.start must be the first day of edition 1"),
        ("  cadence: fortnightly\n  start: 2022-01-03\n", "editions.cadence must be one of daily, weekly, monthly, manual"),
        ("  cadence: manual\n  title: 'No {numbr}'\n", "may use only {number}, {start} and {end}"),
        ("  cadence: manual\n  sections: [A, a]\n", "editions.sections lists 'A' twice"),
    ],
)
def test_bad_editions_config(block, message):
    with pytest.raises(BuildFailed) as info:
        parse_config("editions:\n" + block)
    assert message in str(info.value)


# -- the e-mail copies -------------------------------------------------------------------------

URL_ATTRIBUTES = ("href", "src", "action", "background", "poster")


def test_email_html_is_one_self_contained_document(make_site, run_build):
    files = {
        f"content/s{i:02d}.md": article(
            f"Story number {i} with a reasonably long headline about events",
            f"2022-01-{3 + i % 7:02d} {8 + i % 10:02d}:00",
            "Body " * 200,
            section=["Politics", "Economy", "Security", "Opinion", ""][i % 5],
            summary="A summary of about two lines of text, as curators write them for each story in an edition.",
            source={"name": f"Source {i}", "url": f"https://example.com/{i}"},
            note=f"A curator's note with [a link](https://example.net/{i}) and *emphasis*.",
        )
        for i in range(40)
    }
    files["content/editions/1.md"] = "---\ntitle: Forty stories\n---\nWelcome. ![A chart](chart.png) [More](/archive/)\n"
    site = make_site(files, config=WEEKLY.replace("[Politics, Economy]", "[Politics, Economy, Security, Opinion]")
                     .replace("start: 2021-12-27", "start: 2022-01-03") + "  list_unsubscribe: mailto:leave@example.org\n")
    out = run_build(site, now=LATER).output
    data = (out / "editions/1/email.html").read_bytes()
    assert len(data) < 100 * 1024, len(data)  # Gmail clips longer messages
    html5lib.HTMLParser(strict=False).parse(data)
    root = lxml_html.fromstring(data)
    assert root.xpath("count(//h3)") == 40
    assert root.xpath("//script") == [] and root.xpath("//link") == []
    for element in root.iter():
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if value is not None:
                assert re.match(r"^(https?:|mailto:)", value), (element.tag, name, value)
    assert root.xpath("//img/@src") == ["https://news.example.org/editions/1/chart.png"]
    for img in root.iter("img"):
        assert img.get("alt") == "A chart" and img.get("width", "").isdigit()
    body = root.find("body")
    styled = [e for e in body.iter() if isinstance(e.tag, str) and e.tag not in ("br", "tbody", "tr", "strong", "em")]
    assert all(e.get("style") for e in styled if e.tag in ("body", "table", "td", "h1", "h2", "h3", "p", "a"))
    styles = root.xpath("//style")
    assert len(styles) == 1 and "prefers-color-scheme: dark" in styles[0].text  # only the @media rules remain
    assert "p.meta" not in styles[0].text.split("@media")[0]
    assert root.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    assert root.xpath("//meta[@name='robots']/@content") == ["noindex"]  # the edition's page is the one to index
    assert "mailto:leave@example.org" in root.xpath("//a/@href")

    text = (out / "editions/1/email.txt").read_text()
    lines = text.splitlines()
    refs = [line for line in lines if re.match(r"^\[\d+\] https?://", line)]
    assert all(len(line) <= 72 for line in lines if line not in refs)
    assert lines[0] == "Forty stories"
    assert "[1] https://news.example.org/archive/" in refs
    headline = next(line for line in lines if line.startswith("* Story number 0 "))
    number = re.search(r"\[(\d+)\]$", headline)
    assert number and f"[{number.group(1)}] https://news.example.org/2022/01/03/s00/" in refs
    assert text.index("POLITICS") < text.index("ECONOMY") < text.index("SECURITY") < text.index("OPINION") < text.index("OTHER")


# -- digest check ------------------------------------------------------------------------------


def check_lines(site: Path, now: datetime = LATER) -> list[str]:
    from digest.commands.check import check_site

    return [f"{f.severity}: {f}" for f in check_site(site, now=now).findings]


def test_check_reports_edition_mistakes_with_file_and_line(make_site):
    site = make_site(
        {
            "content/a.md": article("Bad section", "2022-01-04 10:00", section="Econmy"),
            "content/b.md": article("Bad number", "2022-01-05 10:00", edition="next"),
            "content/c.md": article("Too early", "2021-11-01 10:00"),
            "content/d.md": article("Fine", "2022-01-06 10:00", section="economy"),
            "content/editions/10.md": "---\ntitle: No articles\n---\n",
            "content/editions/900.md": "---\ntitle: Far ahead\n---\n",
        },
        config=WEEKLY,
    )
    lines = check_lines(site)
    assert ("error: content/a.md:4: section 'Econmy' is not in editions.sections (it would go under 'Other'):"
            " did you mean 'Economy'?") in lines
    assert "error: content/b.md:4: 'edition' must be an edition's number, like 'edition: 12', not 'next'" in lines
    assert ("warning: content/c.md: dated 2021-11-01, before edition 1 (editions.start: 2021-12-27): it is in no"
            " edition; give it 'edition: N' to place it") in lines
    assert ("warning: content/editions/10.md:1: this file matches no edition: no article is dated 2022-02-28 to"
            " 2022-03-06 or has 'edition: 10'; rename it to the edition's number or delete it") in lines
    assert "info: content/editions/900.md:1: edition 900 begins on 2039-03-21: its articles are still to come" in lines
    assert not any("content/d.md" in line for line in lines)


def test_check_manual_cadence_numbers_and_empty_editions(make_site):
    site = make_site(
        {
            "content/a.md": article("Unknown", "2022-01-04 10:00", edition=3),
            "content/b.md": article("Known", "2022-01-04 11:00", edition=1),
            "content/editions/1.md": "---\npublished: 2022-01-05\n---\n",
            "content/editions/2.md": "---\ntitle: Nothing in it\n---\n",
        },
        config="editions:\n  cadence: manual\n",
    )
    lines = check_lines(site)
    assert ("error: content/a.md:4: edition 3 does not exist: create content/editions/3.md or fix the number"
            " (editions: 1, 2)") in lines
    assert "warning: content/editions/2.md:1: edition 2 is empty: no article has 'edition: 2'" in lines
    assert not any("content/b.md" in line or "editions/1.md" in line for line in lines)
