"""digest's one-pass smart typography: the same results as Python-Markdown's smarty, code untouched."""

from __future__ import annotations

import markdown
import nh3
import pytest

from digest.sources.typography import TypographyExtension, smarten

CASES = [
    ('"Hello," she said -- it\'s the \'90s...', "“Hello,” she said – it’s the ’90s…"),
    ("A --- B", "A — B"),
    ("Kazakhstan's 'coup' (\"a\")", "Kazakhstan’s ‘coup’ (“a”)"),
    ("He said: 'no'.", "He said: ‘no’."),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_text(text, expected):
    assert smarten(f"<p>{text}</p>") == f"<p>{expected}</p>"


def test_code_and_tags_are_untouched():
    html = '<p>"a" <code>"x" -- y...</code> <a href="it\'s--x">"b"</a></p><pre><code>\'q\' -- r</code></pre>'
    assert smarten(html) == '<p>“a” <code>"x" -- y...</code> <a href="it\'s--x">“b”</a></p><pre><code>\'q\' -- r</code></pre>'


def test_quotes_around_inline_markup():
    assert smarten('<p>"<em>word</em>"</p>') == "<p>“<em>word</em>”</p>"


BODIES = [
    "\"Armed militant groups, who had been waiting for their turn, came into action,\" he said -- and 'more'...",
    "It's the *'90s* and \"**bold** claims\" -- 'quoted' text.\n\n> \"A quote,\" she wrote.\n\n- 'one'\n- \"two\"",
    "Use `\"code\" -- here` and:\n\n```\n'raw' -- \"block\"...\n```\n\nThen \"done\".",
]


@pytest.mark.parametrize("body", BODIES)
def test_same_as_smarty_after_sanitising(body):
    ours = markdown.Markdown(extensions=["extra", TypographyExtension()]).convert(body)
    theirs = markdown.Markdown(extensions=["extra", "smarty"]).convert(body)
    assert nh3.clean(ours, link_rel=None) == nh3.clean(theirs, link_rel=None)


def test_attribute_values_holding_angle_brackets_stay_attributes():
    html = '<iframe srcdoc="<script>x</script>" title=\'a > "b"\'></iframe><p>"c"</p>'
    assert smarten(html) == '<iframe srcdoc="<script>x</script>" title=\'a > "b"\'></iframe><p>“c”</p>'
