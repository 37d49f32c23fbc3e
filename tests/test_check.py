"""``digest check``: each kind of finding with its exact ``path:line: message``, output formats, exit codes."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import NOW
from digest.commands.check import ERROR, INFO, WARNING, check_site
from digest.cli import cli

EPOCH = str(int(NOW.timestamp()))


def findings(site: Path, **options: object) -> list[tuple[str, str]]:
    result = check_site(site, now=NOW, **options)  # type: ignore[arg-type]
    return [(f.severity, str(f)) for f in result.findings]


def problems(site: Path, **options: object) -> list[tuple[str, str]]:
    return [f for f in findings(site, **options) if f[0] != INFO]


def cli_check(site: Path, *args: str):
    return CliRunner().invoke(cli, ["check", "--site", str(site), *args], env={"SOURCE_DATE_EPOCH": EPOCH})


def page(title: str, date: str, body: str = "Body text.", front: str = "") -> str:
    """An article whose line numbers are easy to count: title is line 2, date line 3, ``front`` from line 4."""
    return f"---\ntitle: {title}\ndate: {date}\n{front}---\n{body}\n"


# ---------------------------------------------------------------- a clean site


def test_a_clean_site_has_nothing_to_say_and_exits_0(make_site):
    site = make_site(
        {
            "content/2022/01/a.md": page("A", "2022-01-10", "See [b](../../11/b/) and ![chart](chart.png)."),
            "content/2022/01/b.md": page("B", "2022-01-11", "Back to [a](/2022/01/10/a/), [tags](/tags/x/).", "tags: [x]\n"),
            "content/2022/01/chart.png": b"PNG",
        }
    )
    assert findings(site) == []
    result = cli_check(site)
    assert result.exit_code == 0
    assert result.stdout == "checked 2 files: 0 errors, 0 warnings\n"


def test_check_writes_nothing(make_site):
    site = make_site({"content/a.md": page("A", "2022-01-10", "[x](missing.html)")})
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    assert cli_check(site).exit_code == 1
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before  # no output/, no .digest-cache/


# ---------------------------------------------------------------- front matter


def test_front_matter_errors_of_every_file_are_reported(make_site):
    site = make_site(
        {
            "content/a.md": page("A", "yesterday"),
            "content/b.md": "---\ndate: 2022-01-10\n---\nNo title.\n",
            "content/c.md": page("C", "2022-01-10", front="draft: maybe\n"),
            "content/d.md": "no front matter\n",
            "content/e.md": b"---\ntitle: caf\xe9\ndate: 2022-01-10\n---\n",
            "content/ok.md": page("OK", "2022-01-10"),
        }
    )
    assert problems(site) == [
        (ERROR, "content/a.md:3: bad 'date': cannot read 'yesterday' as a date:"
                " write it as 2022-01-10 or 2022-01-10 09:39 (optionally +06:00)"),
        (ERROR, "content/b.md:2: missing 'title': add a line like 'title: What happened' to the front matter"),
        (ERROR, "content/c.md:4: 'draft' must be true or false"),
        (ERROR, "content/d.md:1: no front matter: start the file with a '---' line, then 'title:' and 'date:', then '---'"),
        (ERROR, "content/e.md:2: file is not UTF-8 (it looks like latin-1): re-save it as UTF-8,"
                " e.g. iconv -f latin-1 -t utf-8"),
    ]


def test_misspelt_key_is_a_warning_but_free_keys_are_fine(make_site):
    site = make_site({"content/a.md": page("A", "2022-01-10", front="tag: [x]\nmood: calm\nauthor_url: https://x.org\n")})
    assert problems(site) == [
        (WARNING, "content/a.md:4: unknown key 'tag': did you mean 'tags'? (unknown keys only reach templates as extra)"),
    ]


def test_config_errors_are_findings(make_site):
    site = make_site({"content/a.md": page("A", "2022-01-10")}, config="titel: x\n")
    assert findings(site) == [(ERROR, "digest.yaml:1: unknown key 'titel': did you mean 'title'?")]


# ---------------------------------------------------------------- dates


def test_updated_before_date(make_site):
    site = make_site({"content/a.md": page("A", "2022-01-10 09:00", front="updated: 2022-01-09 18:00\n")})
    assert problems(site) == [
        (WARNING, "content/a.md:4: 'updated' (2022-01-09 18:00 UTC) is before 'date' (2022-01-10 09:00 UTC): fix one of them"),
    ]


def test_date_disagreeing_with_the_folder_or_the_file_name(make_site):
    site = make_site(
        {
            "content/2022/01/moved.md": page("Moved", "2022-02-03"),
            "content/2022/early.md": page("Early", "2021-12-31"),
            "content/_posts/2013-01-01-renamed.md": page("Renamed", "2013-02-02"),
            # the folder is a year/month in the site's timezone, not UTC
            "content/2022/02/late-night.md": page("Late", "2022-01-31 23:30 +00:00"),
        },
        config="timezone: Asia/Tokyo\n",
    )
    assert problems(site) == [
        (WARNING, "content/2022/01/moved.md:3: 'date' is 2022-02-03 but the file is in 2022/01/: move the file or fix the date"),
        (WARNING, "content/2022/early.md:3: 'date' is 2021-12-31 but the file is in 2022/: move the file or fix the date"),
        (WARNING, "content/_posts/2013-01-01-renamed.md:3: 'date' is 2013-02-02 but the file name says 2013-01-01:"
                  " the date wins; rename the file or fix the date"),
    ]


# ---------------------------------------------------------------- duplicates


def test_duplicate_urls_are_errors_and_the_rest_is_still_checked(make_site):
    site = make_site(
        {
            "content/one/same.md": page("One", "2022-01-10"),
            "content/two/same.md": page("Two", "2022-01-10"),
            "content/three.md": page("Three", "2022-01-10", "[x](missing/)"),
        }
    )
    assert problems(site) == [
        (ERROR, "content/one/same.md:1: URL /2022/01/10/same/ is also the URL of content/two/same.md:"
                " give one of them another 'slug' or date"),
        (ERROR, "content/three.md:5: link to 'missing/' does not resolve"),
    ]


def test_duplicate_source_urls_after_normalising(make_site):
    site = make_site(
        {
            "content/a.md": page("A", "2022-01-10", front="source:\n  name: RT\n  url: https://example.com/news/1\n"),
            "content/b.md": page("B", "2022-01-11", front="source:\n  name: RT\n  url: http://www.Example.com/news/1/?utm_source=tw#top\n"),
            "content/c.md": page("C", "2022-01-09", front="source: https://example.com/news/2\n"),
            "content/d.md": page("D", "2022-01-12", front="source: https://example.com/news/2?page=2\n"),
        }
    )
    assert problems(site) == [
        (WARNING, "content/b.md:6: source URL 'http://www.Example.com/news/1/?utm_source=tw#top' is also the source of"
                  " content/a.md: is this story in the digest twice?"),
    ]


def test_tags_differing_only_by_case_or_spacing(make_site):
    site = make_site(
        {
            "content/coup.md": page("Coup", "2022-01-10", front="tags: [Kazakhstan, CSTO]\n"),
            "content/oil.md": page("Oil", "2022-01-11", front="tags: energy, Kazakhstan\n"),
            "content/airport.md": page("Airport", "2022-01-12", front='tags:\n- aviation\n- "kazakhstan "\n'),
            "content/draft.md": page("Draft", "2022-01-13", front="tags: [KAZAKHSTAN]\ndraft: true\n"),
        }
    )
    assert problems(site) == [
        (WARNING, "content/airport.md:6: tag 'kazakhstan ' differs only by case or spacing from"
                  " 'Kazakhstan' (content/coup.md, content/oil.md) and 'KAZAKHSTAN' (content/draft.md):"
                  " the build merges them as 'Kazakhstan'; use one spelling"),
        (WARNING, "content/draft.md:4: tag 'KAZAKHSTAN' differs only by case or spacing from"
                  " 'Kazakhstan' (content/coup.md, content/oil.md) and 'kazakhstan ' (content/airport.md):"
                  " the build merges them as 'Kazakhstan'; use one spelling"),
    ]


# ---------------------------------------------------------------- links


@pytest.fixture
def linked(make_site):
    return make_site(
        {
            "content/2022/01/a.md": page(
                "A",
                "2022-01-10",
                "\n".join(
                    [
                        "Fine: [b](/2022/01/11/b/), [b again](../../11/b), [home](/), [tag](/tags/x/),",
                        "[own site](https://news.example.org/2022/01/11/b/), [out](https://example.com/nowhere),",
                        "[mail](mailto:x@example.org), [anchor](#top), ![chart](chart.png), [pdf](/2022/01/report.pdf).",
                        "",
                        "Broken: [gone](/2022/01/12/gone/) and ![missing](missing.png \"A title\")",
                        "[source file](b.md) [draft](/2022/01/20/d/) [later](../../../../2030/01/01/f/)",
                        "[ref][1] and [gone](/2022/01/12/gone/) again.",
                        "",
                        "[1]: ../../../../nowhere/?q=1&r=2",
                    ]
                ),
                "tags: [x]\nimage: cover.jpg\nnote: See [the other](../../11/c/).\n",
            ),
            "content/2022/01/b.md": page("B", "2022-01-11"),
            "content/2022/01/d.md": page("D", "2022-01-20", front="draft: true\n"),
            "content/2030/01/f.md": page("F", "2030-01-01 09:00"),
            "content/2022/01/chart.png": b"PNG",
            "content/2022/01/report.pdf": b"PDF",
        },
        config="base_url: https://news.example.org/\ntimezone: Asia/Tokyo\n",
    )


def test_links_that_do_not_resolve(linked):
    assert problems(linked) == [
        (ERROR, "content/2022/01/a.md:5: link to 'cover.jpg' does not resolve"),
        (ERROR, "content/2022/01/a.md:6: link to '../../11/c/' does not resolve"),
        (ERROR, "content/2022/01/a.md:12: link to '/2022/01/12/gone/' does not resolve"),
        (ERROR, "content/2022/01/a.md:12: link to 'missing.png' does not resolve"),
        (ERROR, "content/2022/01/a.md:13: link to '../../../../2030/01/01/f/' does not resolve:"
                " content/2030/01/f.md is not published until 2030-01-01 09:00 Asia/Tokyo"),
        (ERROR, "content/2022/01/a.md:13: link to '/2022/01/20/d/' does not resolve: content/2022/01/d.md is a draft"),
        (ERROR, "content/2022/01/a.md:13: link to 'b.md' does not resolve:"
                " link to the page of content/2022/01/b.md, '/2022/01/11/b/', instead"),
        (ERROR, "content/2022/01/a.md:16: link to '../../../../nowhere/?q=1&r=2' does not resolve"),
    ]


def test_links_from_drafts_are_checked_with_drafts(linked):
    (linked / "content/2022/01/d.md").write_text(page("D", "2022-01-20", "[x](nope/)", "draft: true\n"))
    assert not [m for _, m in problems(linked) if m.startswith("content/2022/01/d.md")]
    with_drafts = problems(linked, drafts=True)
    assert (ERROR, "content/2022/01/d.md:6: link to 'nope/' does not resolve") in with_drafts
    # with --drafts the draft has a page, so the link to it resolves
    assert not any("/2022/01/20/d/" in message for _, message in with_drafts)


def test_site_absolute_links_under_a_sub_path(make_site):
    site = make_site(
        {
            "content/a.md": page("A", "2022-01-10", "[ok](/2022/01/11/b/) [ok](../../11/b/) [bad](/digest/2022/01/11/b/)"),
            "content/b.md": page("B", "2022-01-11"),
        },
        config="base_url: https://example.org/digest/\n",
    )
    assert problems(site) == [
        (ERROR, "content/a.md:5: link to '/digest/2022/01/11/b/' does not resolve: a link starting with '/' is"
                " a site path (the build writes it under '/digest/'), so write '/2022/01/11/b/'"),
    ]


# ---------------------------------------------------------------- summaries


def test_empty_summary_when_the_body_is_empty(make_site):
    site = make_site(
        {
            "content/empty.md": page("Empty", "2022-01-10", ""),
            "content/blank-summary.md": page("Blank", "2022-01-10", "   ", "summary: ''\n"),
            "content/picture.md": page("Picture", "2022-01-10", "## Only a heading"),
            "content/has-summary.md": page("Fine", "2022-01-10", "", "summary: Said elsewhere.\n"),
            "content/draft.md": page("Draft", "2022-01-10", "<!-- to do -->", "draft: true\n"),
        }
    )
    assert problems(site) == [
        (WARNING, "content/blank-summary.md:4: empty summary: the body is empty and there is no 'summary';"
                  " write the story or add 'summary:'"),
        (WARNING, "content/empty.md:1: empty summary: the body is empty and there is no 'summary';"
                  " write the story or add 'summary:'"),
        (WARNING, "content/picture.md:1: empty summary: the body has no paragraph of text to take one from;"
                  " add 'summary:'"),
    ]


# ---------------------------------------------------------------- why is my article not on the site?


@pytest.fixture
def waiting(make_site):
    return make_site(
        {
            "content/published.md": page("Published", "2022-01-10"),
            "content/draft.md": page("Draft", "2022-01-10 08:00", front="draft: true\n"),
            "content/future.md": page("Future", "2030-01-01 00:00 +00:00"),
            "content/future-draft.md": page("Future draft", "2030-06-01 12:00", front="draft: true\n"),
        },
        config="timezone: Asia/Tokyo\n",
    )


def test_drafts_and_future_articles_are_listed_with_local_times(waiting):
    assert findings(waiting) == [
        (INFO, "content/draft.md:4: draft: not on the site until 'draft: true' is removed (dated 2022-01-10 08:00 Asia/Tokyo)"),
        (INFO, "content/future-draft.md:4: draft: not on the site until 'draft: true' is removed,"
               " and then not before 2030-06-01 12:00 Asia/Tokyo"),
        (INFO, "content/future.md:3: dated in the future: appears with the first build after 2030-01-01 09:00 Asia/Tokyo"
               " (build --future to preview)"),
    ]


def test_flags_include_what_they_include(waiting):
    assert [m for _, m in findings(waiting, drafts=True)] == [
        "content/future-draft.md:3: dated in the future: appears with the first build after 2030-06-01 12:00 Asia/Tokyo"
        " (build --future to preview)",
        "content/future.md:3: dated in the future: appears with the first build after 2030-01-01 09:00 Asia/Tokyo"
        " (build --future to preview)",
    ]
    assert [m for _, m in findings(waiting, future=True)] == [
        "content/draft.md:4: draft: not on the site until 'draft: true' is removed (dated 2022-01-10 08:00 Asia/Tokyo)",
        "content/future-draft.md:4: draft: not on the site until 'draft: true' is removed,"
        " and then not before 2030-06-01 12:00 Asia/Tokyo",
    ]
    assert findings(waiting, drafts=True, future=True) == []


def test_info_alone_exits_0_and_is_labelled(waiting):
    result = cli_check(waiting)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "content/draft.md:4: info: draft: not on the site until 'draft: true' is removed (dated 2022-01-10 08:00 Asia/Tokyo)",
        "content/future-draft.md:4: info: draft: not on the site until 'draft: true' is removed,"
        " and then not before 2030-06-01 12:00 Asia/Tokyo",
        "content/future.md:3: info: dated in the future: appears with the first build after 2030-01-01 09:00 Asia/Tokyo"
        " (build --future to preview)",
        "checked 4 files: 0 errors, 0 warnings, 3 info",
    ]


# ---------------------------------------------------------------- the command line


def test_text_output_and_exit_code_1(make_site):
    site = make_site(
        {
            "content/a.md": page("A", "2022-01-10", "[x](missing/)", "tag: [y]\n"),
            "content/b.md": page("B", "2022-01-10", front="draft: true\n"),
        }
    )
    result = cli_check(site)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "content/a.md:4: warning: unknown key 'tag': did you mean 'tags'? (unknown keys only reach templates as extra)",
        "content/a.md:6: link to 'missing/' does not resolve",
        "content/b.md:4: info: draft: not on the site until 'draft: true' is removed (dated 2022-01-10 00:00 UTC)",
        "checked 2 files: 1 error, 1 warning, 1 info",
    ]


def test_warnings_alone_exit_1(make_site):
    site = make_site({"content/a.md": page("A", "2022-01-10", front="tag: [y]\n")})
    assert cli_check(site).exit_code == 1


def test_json_output(make_site):
    site = make_site(
        {
            "content/a.md": page("A", "2022-01-10", "[x](missing/)"),
            "content/b.md": page("B", "2022-01-10", front="draft: true\n"),
        }
    )
    result = cli_check(site, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"path": "content/a.md", "line": 5, "severity": "error", "message": "link to 'missing/' does not resolve"},
        {"path": "content/b.md", "line": 4, "severity": "info",
         "message": "draft: not on the site until 'draft: true' is removed (dated 2022-01-10 00:00 UTC)"},
    ]
    (site / "content/a.md").write_text(page("A", "2022-01-10"))
    (site / "content/b.md").unlink()
    clean = cli_check(site, "--format", "json")
    assert clean.exit_code == 0
    assert json.loads(clean.stdout) == []


def test_the_sample_site_checks_clean():
    """The repository's own sample site: no errors or warnings (its draft is an info line)."""
    repo = Path(__file__).resolve().parents[1]
    if not (repo / "content").is_dir():
        pytest.skip("no sample site in this checkout")
    result = check_site(repo, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert [str(f) for f in result.findings if f.severity != INFO] == []
    assert result.files > 0


def test_a_tag_slug_clash_is_owned_by_a_file_and_the_rest_is_still_checked(make_site):
    site = make_site(
        {
            "content/a.md": page("A", "2022-01-10", "[x](missing/)", "tags: [New York]\n"),
            "content/b.md": page("B", "2022-01-11", front="tags: [New-York]\n"),
        }
    )
    found = findings(site)
    assert (ERROR, "content/a.md:6: link to 'missing/' does not resolve") in found
    clash = [m for severity, m in found if "same URL slug" in m]
    assert clash and clash[0].startswith(("content/a.md: tag", "content/b.md: tag")), found


def test_missing_site_folder(tmp_path):
    result = CliRunner().invoke(cli, ["check", "--site", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.stderr == f"no site folder at {tmp_path / 'nope'}: pass --site\n"


def test_exit_codes_through_the_installed_entry_point(make_site):
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    site = make_site({"content/a.md": page("A", "2022-01-10", "[x](missing/)")})
    env = {**os.environ, "PYTHONPATH": str(repo), "SOURCE_DATE_EPOCH": EPOCH}
    broken = subprocess.run(
        [sys.executable, "-m", "digest", "check", "--site", str(site), "--format", "json"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert broken.returncode == 1
    assert json.loads(broken.stdout) == [
        {"path": "content/a.md", "line": 5, "severity": "error", "message": "link to 'missing/' does not resolve"}
    ]
    (site / "content/a.md").write_text(page("A", "2022-01-10", "Fine.", "draft: true\n"))
    info_only = subprocess.run(
        [sys.executable, "-m", "digest", "check", "--site", str(site)], capture_output=True, text=True, env=env, check=False
    )
    assert info_only.returncode == 0, info_only.stderr


def test_template_links_to_no_page_are_reported_with_file_and_line(make_site):
    site = make_site(
        {
            "content/a.md": page("A", "2022-01-10"),
            "themes/mine/templates/404.html": (
                '{% extends "base.html" %}\n{% block content %}\n'
                "<a href=\"{{ url('/archive/') }}\">ok</a>\n"
                "<a href=\"{{ url('/abuot/') }}\">typo</a> <a href=\"/nowhere/\">gone</a>\n"
                "{% endblock %}\n"
            ),
        },
        config="theme: mine\n",
    )
    found = [(s, m) for s, m in problems(site) if m.startswith("themes/")]
    assert found == [
        (WARNING, "themes/mine/templates/404.html:4: link to '/abuot/' goes to no page of this site:"
                  " link to a page the site has, or guard the link with an if"),
        (WARNING, "themes/mine/templates/404.html:4: link to '/nowhere/' goes to no page of this site:"
                  " link to a page the site has, or guard the link with an if"),
    ]
