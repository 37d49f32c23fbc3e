"""An article's lead image: sized from its file, described, never lazy, never twice; its language marked."""

from __future__ import annotations

import struct

from conftest import article
from digest.sources.images import image_size
from theme_site import png


def _jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    exif = b"\xff\xe1" + struct.pack(">H", 2 + 3000) + b"\x00" * 3000  # metadata before the frame
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + exif + sof + b"\xff\xd9"


def test_image_size_from_header_bytes():
    assert image_size(png(640, 360)) == (640, 360)
    assert image_size(_jpeg(1200, 800)) == (1200, 800)
    assert image_size(b"GIF89a" + struct.pack("<HH", 31, 17) + b"\x00" * 8) == (31, 17)
    vp8x = b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x0a\x00\x00\x00" + b"\x00" * 4 + (99).to_bytes(3, "little") + (49).to_bytes(3, "little")
    assert image_size(vp8x) == (100, 50)
    assert image_size(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert image_size(png(10, 10)[:20]) is None  # cut short


def _page(site, url="2022/01/10/a/index.html") -> str:
    return (site / "output" / url).read_text(encoding="utf-8")


def test_lead_image_is_sized_described_and_loaded_eagerly(make_site, run_build):
    site = make_site({
        "content/a.md": article("Fields", "2022-01-10", "Text.", image="fields.png", image_alt="Green fields"),
        "content/fields.png": png(800, 450),
    })
    run_build(site)
    page = _page(site)
    assert '<img src="fields.png" alt="Green fields" width="800" height="450" fetchpriority="high">' in page
    assert 'loading="lazy"' not in page


def test_lead_image_alt_falls_back_to_the_title_and_a_remote_one_is_unsized(make_site, run_build):
    site = make_site({"content/a.md": article("Fields", "2022-01-10", "Text.", image="https://example.org/f.jpg")})
    run_build(site)
    assert '<img src="https://example.org/f.jpg" alt="Fields" fetchpriority="high">' in _page(site)


def test_lead_image_is_not_shown_twice_when_the_body_has_it(make_site, run_build):
    site = make_site({
        "content/a.md": article("Fields", "2022-01-10", "![Green fields](fields.png)", image="fields.png"),
        "content/fields.png": png(8, 8),
    })
    run_build(site)
    page = _page(site)
    assert page.count('src="fields.png"') == 1 and "lead-image" not in page
    assert "og:image" in page  # still the page's picture for link previews


def test_a_changed_image_file_changes_its_size_on_the_page(make_site, run_build):
    site = make_site({"content/a.md": article("F", "2022-01-10", "Text.", image="f.png"), "content/f.png": png(8, 4)})
    run_build(site)
    (site / "content/f.png").write_bytes(png(16, 9))
    run_build(site)
    assert 'width="16" height="9"' in _page(site)


def test_an_articles_language_marks_its_text_not_the_sites_furniture(make_site, run_build):
    site = make_site({
        "content/a.md": article("Наурыз", "2022-01-10", "Мәтін.", lang="kk", summary="Мереке."),
        "content/b.md": article("Other", "2022-01-09", "Text."),
    })
    run_build(site)
    page = _page(site)
    assert '<html lang="en" dir="ltr">' in page
    assert '<h1 lang="kk" dir="ltr">' in page and '<div class="article-body" lang="kk" dir="ltr">' in page
    assert '<p class="standfirst" lang="kk" dir="ltr">' in page
    home = _page(site, "index.html")
    assert 'class="card-title" lang="kk"' in home and home.count('lang="kk"') == 2  # title and summary
    assert 'lang=' not in _page(site, "2022/01/09/b/index.html").replace('<html lang="en" dir="ltr">', "")


def test_the_front_page_leads_with_the_newest_story_and_its_image(make_site, run_build):
    site = make_site({
        "content/a.md": article("Fields", "2022-01-10", "Text.", image="fields.png"),
        "content/fields.png": png(800, 450),
        "content/b.md": article("Older", "2022-01-09", "Text."),
    })
    run_build(site)
    home = _page(site, "index.html")
    lead = home.split('<div class="lead">', 1)[1].split("</div>", 1)[0]
    assert '<img src="/2022/01/10/a/fields.png" alt="" width="800" height="450" fetchpriority="high">' in lead
    assert ">Fields</a>" in lead and "Older" not in lead
    assert home.count('class="lead"') == 1
    assert 'class="lead"' not in _page(site, "tags/index.html")
