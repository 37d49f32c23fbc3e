"""digest.yaml: defaults for everything, clear errors for the rest."""

from __future__ import annotations

import pytest

from conftest import article
from digest.config import SiteConfig, parse_config
from digest.errors import BuildFailed


def problems(text: str) -> list[str]:
    with pytest.raises(BuildFailed) as info:
        parse_config(text)
    return [str(p) for p in info.value.problems]


def test_empty_config_is_all_defaults():
    assert parse_config("") == SiteConfig()
    assert parse_config("# only a comment\n") == SiteConfig()


def test_unknown_keys_suggest_the_closest_valid_one():
    assert problems("title: x\ntimzone: UTC\n") == ["digest.yaml:2: unknown key 'timzone': did you mean 'timezone'?"]
    assert problems("permalinks:\n  artcle: /{slug}/\n") == [
        "digest.yaml:2: unknown key 'permalinks.artcle': did you mean 'permalinks.article'?"
    ]


def test_every_problem_is_reported_at_once():
    found = problems("per_page: ten\ntimezone: Mars/Base\nbase_url: example.org\n")
    assert found == ["digest.yaml:1: 'per_page' must be a whole number, not 'ten'"]  # types first
    found = problems("timezone: Mars/Base\nbase_url: example.org\n")
    assert found == [
        "digest.yaml:1: unknown timezone 'Mars/Base': use an IANA name such as 'Europe/London' or 'UTC'",
        "digest.yaml:2: base_url 'example.org' must be absolute, like 'https://news.example.org/'",
    ]


def test_bad_permalink_patterns():
    assert problems("permalinks:\n  article: /{year}/\n") == [
        "digest.yaml:2: permalinks.article: '/{year}/' needs {slug} so that each page gets its own URL"
    ]
    assert problems("permalinks:\n  tag: /tags/../{slug}/\n")[0].startswith("digest.yaml:2: permalinks.tag:")


def test_invalid_yaml_names_line_and_column():
    assert problems("title: [x\n")[0].startswith("digest.yaml:2: invalid YAML")


def test_config_error_fails_the_build_and_keeps_output(make_site, run_build):
    site = make_site({"content/a.md": article("A", "2022-01-10")})
    run_build(site)
    before = (site / "output/index.html").read_bytes()
    (site / "digest.yaml").write_text("titel: Oops\n")
    with pytest.raises(BuildFailed):
        run_build(site)
    assert (site / "output/index.html").read_bytes() == before


def test_summary_is_first_paragraph_cut_at_a_word(make_site, run_build):
    long = "word " * 200
    site = make_site(
        {"content/a.md": article("A", "2022-01-10", f"First *para* with a note.[^1]\n\nSecond.\n\n[^1]: x"),
         "content/b.md": article("B", "2022-01-11", long)},
        config="summary_length: 50\n",
    )
    run_build(site)
    home = (site / "output/index.html").read_text()
    assert "First para with a note." in home
    cut = "word " * 9
    assert cut.strip() + "…" in home
