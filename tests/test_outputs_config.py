"""The feeds, seo and search sections of digest.yaml: defaults, and each bad value named with its line."""

from __future__ import annotations

import pytest

from digest.config import FeedsConfig, SearchConfig, SeoConfig, parse_config
from digest.errors import BuildFailed


def problems(text: str) -> list[str]:
    with pytest.raises(BuildFailed) as info:
        parse_config(text)
    return [str(p) for p in info.value.problems]


def test_defaults():
    config = parse_config("")
    assert config.feeds == FeedsConfig() and config.seo == SeoConfig() and config.search == SearchConfig()
    assert (config.feeds.atom, config.feeds.rss, config.feeds.json) == ("/feed.xml", "/rss.xml", "/feed.json")
    assert (config.feeds.tag_atom, config.feeds.limit, config.feeds.content) == ("feed.xml", 20, "full")
    assert parse_config("feeds:\n  json: ''\n  limit: 5\n").feeds.json == ""


def test_bad_values_are_named_with_their_line():
    text = (
        "feeds:\n  atom: feed.xml\n  tag_rss: /x.xml\n  limit: 0\n  content: all\n  id_authority: a b\n"
        "seo:\n  image: share.png\nsearch:\n  url: /find\n"
    )
    assert problems(text) == [
        "digest.yaml:2: feeds.atom: 'feed.xml' must be a file path in the site, like '/feed.xml' (or empty for none)",
        "digest.yaml:3: feeds.tag_rss: '/x.xml' must be a file name inside the tag's folder, like 'feed.xml' (or empty)",
        "digest.yaml:4: feeds.limit must be at least 1",
        "digest.yaml:5: feeds.content must be 'full' or 'summary', not 'all'",
        "digest.yaml:6: feeds.id_authority must be a host name like 'news.example.org', not 'a b'",
        "digest.yaml:8: seo.image must be a site path like '/static/share.png' or an http(s) URL, not 'share.png'",
        "digest.yaml:10: search.url must be a folder path like '/search/', not '/find'",
    ]


def test_unknown_keys_in_the_new_sections():
    assert problems("feeds:\n  limt: 3\n") == ["digest.yaml:2: unknown key 'feeds.limt': did you mean 'feeds.limit'?"]
    assert problems("search: yes\n") == ["digest.yaml:1: 'search' must be a mapping"]
