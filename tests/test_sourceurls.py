"""Source URLs reduced to a key, so the same story found twice is one key."""

from __future__ import annotations

import pytest

from digest.sourceurls import normalize_source_url


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("HTTP://WWW.Example.COM/News/1/", "https://example.com/News/1"),
        ("https://example.com/a?utm_source=x&utm_medium=y&fbclid=1&gclid=2&mc_cid=3&mc_eid=4", "https://example.com/a"),
        ("https://example.com/a?ref=hn&ref_src=twsrc&igshid=9&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?b=2&a=1#section", "https://example.com/a?a=1&b=2"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/", "https://example.com"),
        ("  not a url  ", "not a url"),
    ],
)
def test_normalize_source_url(url, key):
    assert normalize_source_url(url) == key
