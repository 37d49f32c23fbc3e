"""Bodies as real posts are written: raw URLs, outlines that skip levels, text not in NFC."""

from __future__ import annotations

import unicodedata

from conftest import article
from digest.commands.check import check_site
from digest.rules.hrefs import encode_href
from digest.sources.outline import shift_headings


def test_urls_are_encoded_as_a_browser_sends_them():
    assert encode_href("{{ site.repository }}/issues") == "%7B%7B%20site.repository%20%7D%7D/issues"
    assert encode_href("{{ site.repository\n}}/pull/1") == "%7B%7B%20site.repository%7D%7D/pull/1"  # line breaks dropped
    assert encode_href("a%20b?q=1&r=2#top") == "a%20b?q=1&r=2#top"  # already valid: unchanged
    assert encode_href("50%") == "50%25"
    assert encode_href("x#a#b") == "x#a%23b"
    assert encode_href("http://[::1]:8000/a[1]") == "http://[::1]:8000/a%5B1%5D"
    assert encode_href("/ünï cödé") == "/ünï%20cödé"  # letters are valid in an IRI


def test_headings_shift_so_the_outline_never_skips():
    assert shift_headings("<h3 id=a>A</h3><h4>B</h4><h3>C</h3>") == "<h2 id=a>A</h2><h3>B</h3><h2>C</h2>"
    assert shift_headings("<h2>A</h2><h4>B</h4><h5>C</h5><h2>D</h2>") == "<h2>A</h2><h3>B</h3><h4>C</h4><h2>D</h2>"
    assert shift_headings("<h1>A</h1><h2>B</h2>") == "<h2>A</h2><h3>B</h3>"
    assert shift_headings("<h2>A</h2><h3>B</h3>") == "<h2>A</h2><h3>B</h3>"
    assert shift_headings("<p>no headings</p>") == "<p>no headings</p>"


def test_built_article_is_nfc_with_shifted_headings_and_encoded_links(make_site, run_build):
    decomposed = unicodedata.normalize("NFD", "Қазақстан café")
    body = f"### {decomposed}\n\nSee [issues]({{{{ site.repository }}}}/issues).\n\n##### Detail\n\nText.\n"
    site = make_site({"content/a.md": article(decomposed, "2022-01-10", body)})
    run_build(site)
    page = (site / "output/2022/01/10/a/index.html").read_text(encoding="utf-8")
    assert decomposed not in page and "Қазақстан café" in page
    assert '<h2 id="' in page and "<h3" in page and "<h4" not in page and "<h5" not in page
    assert 'href="%7B%7B%20site.repository%20%7D%7D/issues"' in page


def test_check_reports_urls_a_browser_would_encode(make_site, tmp_path):
    from conftest import NOW

    body = "Intro.\n\nSee [the tracker]({{ site.repository }}/issues) and [a file](my%20notes.txt).\n"
    site = make_site({"content/a.md": article("A", "2022-01-10", body)})
    result = check_site(site, now=NOW)
    messages = [str(f) for f in result.findings if "holds" in f.message]
    assert messages == [
        "content/a.md:7: link '{{ site.repository }}/issues' holds Liquid, which digest does not expand:"
        " write the URL out in full (the page links to '%7B%7B%20site.repository%20%7D%7D/issues')"
    ]
