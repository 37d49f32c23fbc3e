"""Localisation: UI strings from the theme's gettext catalogues, dates, numbers and plurals from Babel."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from babel.messages import checkers
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from conftest import REPO, article
from digest.errors import BuildFailed
from digest.sources.searchterms import MarkTable, tokens

LOCALE = REPO / "themes/default/locale"
LANGUAGES = ("en", "ru", "kk", "ja", "ar")


def text_of(page: Path) -> str:
    """A page's visible text, tags stripped and white space collapsed."""
    html = page.read_text(encoding="utf-8").split("<body", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _stories(tag_counts: dict[str, int]) -> dict[str, str]:
    files: dict[str, str] = {}
    n = 0
    for tag, count in tag_counts.items():
        for _ in range(count):
            n += 1
            files[f"content/a{n}.md"] = article(f"Story {n}", f"2022-01-{n:02d} 09:39", tags=[tag])
    return files


@pytest.fixture
def russian(make_site, run_build) -> Path:
    site = make_site(_stories({"three": 3, "five": 5}), config="language: ru\ntitle: Дайджест\n")
    run_build(site)
    return site / "output"


def test_russian_dates_plurals_and_ui(russian):
    article_page = text_of(russian / "2022/01/01/a1/index.html")
    assert "1 января 2022" in article_page  # Babel's CLDR date: "1 января 2022 г., 09:39"
    assert "January" not in article_page
    assert "3 статьи" in text_of(russian / "tags/three/index.html")
    assert "5 статей" in text_of(russian / "tags/five/index.html")
    assert "8 статей в дайджесте" in text_of(russian / "index.html")
    home = (russian / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ru" dir="ltr">' in home
    assert ">Главная<" in home and ">Архив<" in home and "Перейти к содержимому" in home
    assert "<title>Теги · Дайджест</title>" in (russian / "tags/index.html").read_text(encoding="utf-8")
    assert "январь 2022" in text_of(russian / "2022/01/index.html")  # the month page's title


def test_english_reads_day_month_year(make_site, run_build):
    site = make_site({"content/a.md": article("Coup", "2022-01-10 09:39", tags=["x"])})
    run_build(site)
    page = text_of(site / "output/2022/01/10/a/index.html")
    assert "10 January 2022, 09:39" in page
    assert "Monday, 10 January 2022" in text_of(site / "output/tags/x/index.html")  # a day heading
    assert "1 article" in text_of(site / "output/tags/x/index.html")


def test_japanese_and_arabic(make_site, run_build):
    for lang, date, direction in (("ja", "2022年1月10日", "ltr"), ("ar", "10 يناير 2022", "rtl")):
        site = make_site({"content/a.md": article("A", "2022-01-10 09:39")}, config=f"language: {lang}\n")
        run_build(site)
        page = (site / "output/2022/01/10/a/index.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}" dir="{direction}">' in page
        assert date in text_of(site / "output/2022/01/10/a/index.html")


def test_arabic_plural_forms(make_site, run_build):
    site = make_site(_stories({"one": 1, "two": 2, "three": 3, "eleven": 11}), config="language: ar\n")
    run_build(site)
    out = site / "output"
    assert "مقالة واحدة" in text_of(out / "tags/one/index.html")
    assert "مقالتان" in text_of(out / "tags/two/index.html")
    assert "3 مقالات" in text_of(out / "tags/three/index.html")
    assert "11 مقالة" in text_of(out / "tags/eleven/index.html")


def test_unknown_site_language_is_a_config_error(make_site, run_build):
    site = make_site({"content/a.md": article("A", "2022-01-10")}, config="title: x\nlanguage: klingon\n")
    with pytest.raises(BuildFailed) as caught:
        run_build(site)
    assert str(caught.value.problems[0]).startswith("digest.yaml:2: unknown language 'klingon'")


def test_lang_front_matter_marks_the_article_text(make_site, run_build):
    site = make_site({
        "content/kk.md": article("Қазақстандағы дағдарыс", "2022-01-10", "Мәтін.", lang="kk", summary="Қысқаша."),
        "content/bad.md": article("Bad", "2022-01-11", lang="not a tag"),
    })
    with pytest.raises(BuildFailed) as caught:
        run_build(site)
    assert [str(p) for p in caught.value.problems] == [
        "content/bad.md:4: 'lang: not a tag' is not a language tag digest knows: write one like 'en', 'kk' or 'pt-BR'"
    ]
    (site / "content/bad.md").unlink()
    run_build(site)
    page = (site / "output/2022/01/10/kk/index.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in page  # the page's own words are the site's
    assert '<h1 lang="kk" dir="ltr">Қазақстандағы дағдарыс</h1>' in page
    assert '<div class="article-body" lang="kk" dir="ltr">' in page
    assert 'class="card-title" lang="kk"' in (site / "output/index.html").read_text(encoding="utf-8")


def test_a_site_theme_catalogue_overrides_some_strings(make_site, run_build):
    po = '''msgid ""
msgstr ""
"Language: ru\\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Latest"
msgstr "Главное"
'''
    site = make_site(
        {"content/a.md": article("A", "2022-01-10"), "themes/mine/locale/ru/LC_MESSAGES/messages.po": po},
        config="language: ru\ntheme: mine\n",
    )
    run_build(site)
    home = text_of(site / "output/index.html")
    assert "Главное" in home and "Свежее" not in home
    assert "Главная" in home  # the rest still comes from the default theme's catalogue


# -- the catalogues themselves ------------------------------------------------------------------


def _extracted() -> set[object]:
    with open(REPO / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "plural_forms": (1, 2), "counted": (1, 2)}
    found = set()

    def in_sources(path: str) -> bool:  # babel.cfg names digest/ and themes/: never walk benchmarks/work/
        rel = Path(path).relative_to(REPO).parts
        return rel[:1] in ((), ("digest",), ("themes",))

    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO), method_map, options_map, keywords=keywords, directory_filter=in_sources
    ):
        found.add(message)
    return found


def test_the_template_catalogue_is_up_to_date():
    """Every string the templates and planner ask for is in messages.pot, and nothing else
    (run ./scripts/translations after changing a string)."""
    with open(LOCALE / "messages.pot", "rb") as handle:
        pot = {m.id for m in read_po(handle) if m.id}
    assert _extracted() == pot


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_is_complete(lang):
    with open(LOCALE / "messages.pot", "rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with open(LOCALE / lang / "LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    assert not catalogue.fuzzy  # a fuzzy header is left out when compiled, plural rules and all
    messages = {m.id: m for m in catalogue if m.id}
    assert set(messages) == wanted
    for message in messages.values():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{lang}: {message.id!r} is not translated"
        assert not message.fuzzy, f"{lang}: {message.id!r} is fuzzy"
        if isinstance(message.id, tuple):
            assert len(strings) == catalogue.num_plurals, message.id
        checkers.python_format(catalogue, message)  # raises on placeholders the msgid does not have


# -- search terms ---------------------------------------------------------------------------------


def test_the_mark_table_deletes_exactly_the_non_spacing_marks_but_kana_voicing():
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    kept = "".join(ch for ch in every if unicodedata.category(ch) != "Mn" or ch in "\u3099\u309a")
    assert every.translate(MarkTable()) == kept
    assert len(every) - len(kept) > 1900  # Unicode has some 2,000 non-spacing marks


def test_search_terms_keep_every_script_and_cut_cjk_into_pairs():
    terms = tokens("東京で地震が発生した。Переворот в Қазақстан, الكويت, 서울, Café")
    assert {"переворот", "қазақстан", "الكويت", "서울", "cafe"} <= terms
    assert {"東京", "京で", "で地", "地震", "震が", "発生", "た"} <= terms
    assert "東京で地震が発生した" not in terms
    assert tokens("ガス") == {"ガス", "ス"}  # kana voicing marks are kept: ガ is not カ


def test_check_says_when_a_language_has_no_catalogue(make_site):
    from conftest import NOW
    from digest.commands.check import check_site

    site = make_site({"content/a.md": article("A", "2022-01-10")}, config="language: de\n")
    result = check_site(site, now=NOW)
    assert [str(f) for f in result.findings] == [
        "digest.yaml: the theme has no catalogue for 'de', so its pages' own words stay English: translate"
        " themes/default/locale/messages.pot into locale/de/LC_MESSAGES/messages.po (see docs/languages.md)"
    ]
    assert result.ok  # information, not a problem
    (site / "digest.yaml").write_text("language: kk\n", encoding="utf-8")
    assert check_site(site, now=NOW).findings == ()
