"""``digest new``: a draft file with front matter that reads back exactly, never overwriting."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.sources.frontmatter import parse_article
from digest.commands.new import BODY_PLACEHOLDER, create_article

# 2026-01-31 20:00:05 UTC is already 1 February in Tokyo (+09:00, no DST), so the folder and
# the date must both come from the site's timezone
EPOCH = int(datetime(2026, 1, 31, 20, 0, 5, tzinfo=timezone.utc).timestamp())
TOKYO = "timezone: Asia/Tokyo\n"


def run(site: Path, *args: str):
    return CliRunner().invoke(cli, ["new", *args, "--site", str(site)], env={"SOURCE_DATE_EPOCH": str(EPOCH)})


def parse(site: Path, rel: str):
    return parse_article(rel, rel.removeprefix("content/"), (site / rel).read_text(encoding="utf-8"), ZoneInfo("Asia/Tokyo"))


def test_new_writes_a_draft_dated_now_in_the_site_timezone(make_site):
    site = make_site({}, config=TOKYO)
    result = run(
        site, "Almaty airport reopens", "--tag", "kazakhstan", "--tag", "aviation",
        "--source-url", "https://example.org/news/1", "--source-name", "Example Wire",
    )
    assert result.exit_code == 0, result.output
    rel = "content/2026/02/almaty-airport-reopens.md"
    assert result.stdout == f"{site / rel}\n"
    assert (site / rel).read_text(encoding="utf-8") == (
        "---\n"
        "title: Almaty airport reopens\n"
        "date: 2026-02-01 05:00:05+09:00\n"
        "tags:\n"
        "- kazakhstan\n"
        "- aviation\n"
        "source:\n"
        "  name: Example Wire\n"
        "  url: https://example.org/news/1\n"
        "draft: true\n"
        "---\n" + BODY_PLACEHOLDER
    )
    parsed = parse(site, rel)
    assert parsed.title == "Almaty airport reopens"
    assert parsed.date == datetime(2026, 1, 31, 20, 0, 5, tzinfo=timezone.utc)
    assert parsed.tags == ("kazakhstan", "aviation")
    assert parsed.source is not None and parsed.source.url == "https://example.org/news/1"
    assert parsed.source.name == "Example Wire"
    assert parsed.draft is True


def test_only_keys_with_values_are_written(make_site):
    site = make_site({}, config=TOKYO)
    assert run(site, "Quiet day").exit_code == 0
    text = (site / "content/2026/02/quiet-day.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Quiet day\ndate: 2026-02-01 05:00:05+09:00\ndraft: true\n---\n")
    assert "tags" not in text and "source" not in text and "summary" not in text


@pytest.mark.parametrize(
    "title",
    [
        'Kazakhstan crisis: "attempted coup" – President',
        "It's 'quoted' and #hashed",
        "- starts like a list item",
        "yes",
        "null",
        "2022-01-10",
        "[not, a, list] {nor: a map}",
        "Қазақстан: дағдарыс",
        "50% of flights: cancelled & delayed",
    ],
)
def test_titles_that_need_quoting_round_trip(make_site, title):
    site = make_site({}, config=TOKYO)
    path = create_article(site, title, datetime(2026, 1, 31, 20, 0, 5, tzinfo=timezone.utc), tags=("a: b", "x"))
    rel = path.relative_to(site).as_posix()
    parsed = parse(site, rel)
    assert parsed.title == title
    assert parsed.tags == ("a: b", "x")


def test_new_refuses_to_overwrite_and_names_the_file(make_site):
    site = make_site({}, config=TOKYO)
    assert run(site, "Almaty airport reopens").exit_code == 0
    path = site / "content/2026/02/almaty-airport-reopens.md"
    path.write_text("my edits\n", encoding="utf-8")
    second = run(site, "Almaty airport reopens", "--tag", "other")
    assert second.exit_code == 1
    assert second.stderr == (
        "content/2026/02/almaty-airport-reopens.md: already exists, so nothing was written:"
        " edit that file, or give the new article another title\n"
    )
    assert path.read_text(encoding="utf-8") == "my edits\n"


def test_new_stays_inside_content(make_site):
    site = make_site({}, config=TOKYO)
    result = run(site, "../../../etc/passwd")
    assert result.exit_code == 0
    assert result.stdout == f"{site / 'content/2026/02/etc-passwd.md'}\n"
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == [
        "content/2026/02/etc-passwd.md", "digest.yaml",
    ]


def test_new_honours_content_dir_from_the_config(make_site):
    site = make_site({}, config=TOKYO + "content_dir: posts\n")
    assert run(site, "Hello").stdout == f"{site / 'posts/2026/02/hello.md'}\n"


def test_new_rejects_a_source_url_the_build_would_reject(make_site):
    site = make_site({}, config=TOKYO)
    result = run(site, "Hello", "--source-url", "example.org/news")
    assert result.exit_code == 1
    assert result.stderr == "--source-url must be an http(s) URL, not 'example.org/news'\n"
    assert not (site / "content").exists()


def test_new_rejects_an_empty_title(make_site):
    site = make_site({}, config=TOKYO)
    result = run(site, "   ")
    assert result.exit_code == 1
    assert 'the title is empty' in result.stderr


def test_a_new_draft_checks_clean_and_is_listed_as_not_on_the_site(make_site):
    site = make_site({}, config=TOKYO)
    assert run(site, "Almaty airport reopens", "--tag", "aviation").exit_code == 0
    result = CliRunner().invoke(cli, ["check", "--site", str(site)], env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "content/2026/02/almaty-airport-reopens.md:6: info: draft: not on the site until 'draft: true' is removed"
        " (dated 2026-02-01 05:00:05 Asia/Tokyo)\n"
        "checked 1 file: 0 errors, 0 warnings, 1 info\n"
    )
