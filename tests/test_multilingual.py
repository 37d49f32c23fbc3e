"""Multilingual sites: a three-language sample (English, Russian, Arabic) built and checked from its output."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
from lxml import etree, html as lxml_html

from conftest import NOW, SHARED, article
from digest.commands.check import check_site
from digest.errors import BuildFailed
from test_i18n import text_of
from test_search import browser, serve  # noqa: F401 - fixtures
from test_site_quality import broken_links, invalid_pages

VALIDATORS = SHARED / "tools" / "validators"
BASE = "https://news.example.org/"
CONFIG = f"""\
title: World digest
base_url: {BASE}
language: en
languages:
  ru:
    title: Мировой дайджест
    description: Новости со всего мира
  ar:
    title: الملخص العالمي
"""

SAMPLE: dict[str, str | bytes] = {
    # the same story in three languages: linked by the same path below the language folders
    "content/en/2022/01/coup.md": article("Coup attempt in Kazakhstan", "2022-01-10 09:39", "Last week’s unrest.",
                                          tags=["kazakhstan"], summary="Tokayev speaks."),
    "content/ru/2022/01/coup.md": article("Попытка переворота в Казахстане", "2022-01-10 10:00",
                                          "Беспорядки на прошлой неделе.", tags=["казахстан"]),
    "content/ar/2022/01/coup.md": article("محاولة انقلاب في كازاخستان", "2022-01-10 11:00",
                                          "اضطرابات الأسبوع الماضي.", tags=["كازاخستان"]),
    # two languages, different file names: linked by translation_key
    "content/en/2022/01/oil.md": article("Oil prices rise", "2022-01-12", "Oil.", tags=["energy"], translation_key="oil"),
    "content/ru/2022/01/neft.md": article("Нефть дорожает", "2022-01-12", "Нефть.", tags=["энергетика"],
                                          translation_key="oil"),
    # English only; and a Russian draft, which is not built, so nothing may link to it
    "content/en/2022/01/only.md": article("Only in English", "2022-01-13", "Only.", tags=["energy"]),
    "content/ru/2022/01/only.md": article("Черновик", "2022-01-13", "Черновик.", draft=True),
    # files outside the language folders belong to the site (the default language)
    "content/robots.txt": "User-agent: *\nDisallow: /drafts/\n",
}


@pytest.fixture
def sample(make_site, run_build) -> Path:
    site = make_site(SAMPLE, config=CONFIG)
    result = run_build(site)
    assert result.articles == 6
    return site / "output"


def alternates(page: Path) -> dict[str, str]:
    tree = lxml_html.fromstring(page.read_bytes())
    return {link.get("hreflang"): link.get("href") for link in tree.xpath("//head/link[@rel='alternate'][@hreflang]")}


def switcher(page: Path) -> list[tuple[str, str | None]]:
    tree = lxml_html.fromstring(page.read_bytes())
    return [(item.text_content(), item.get("href")) for item in tree.xpath("//nav[@class='languages']//li/*")]


def test_each_language_has_its_own_pages_under_its_folder(sample):
    for path in ("index.html", "ru/index.html", "ar/index.html", "ru/2022/01/10/coup/index.html",
                 "ar/2022/01/10/coup/index.html", "ru/2022/01/12/neft/index.html", "ru/tags/kazakhstan/index.html",
                 "ru/archive/index.html", "ru/search/index.html", "ar/sources/index.html", "ru/2022/01/index.html",
                 "ru/feed.xml", "ar/feed.xml", "ru/tags/kazakhstan/feed.xml", "sitemap.xml", "robots.txt"):
        assert (sample / path).is_file(), path
    assert not (sample / "ru/2022/01/13").exists()  # the draft
    assert not (sample / "ru/sitemap.xml").exists() and not (sample / "ru/robots.txt").exists()
    assert (sample / "robots.txt").read_text() == "User-agent: *\nDisallow: /drafts/\n"  # content/robots.txt wins
    ru_home = (sample / "ru/index.html").read_text(encoding="utf-8")
    assert '<html lang="ru" dir="ltr">' in ru_home and "<title>Мировой дайджест</title>" in ru_home
    assert "Новости со всего мира" in ru_home
    ar_home = (sample / "ar/index.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in ar_home and "الملخص العالمي" in ar_home
    assert '<html lang="en" dir="ltr">' in (sample / "index.html").read_text(encoding="utf-8")
    # tags are per language, and each language's pages link inside it
    assert "Only in English" not in text_of(sample / "ru/index.html")
    assert 'href="/ru/tags/kazakhstan/"' in ru_home and 'href="/ru/archive/"' in ru_home
    assert "10 января 2022" in text_of(sample / "ru/2022/01/10/coup/index.html")
    assert "10 January 2022" in text_of(sample / "2022/01/10/coup/index.html")


def test_translations_link_both_ways(sample):
    en, ru, ar = (sample / "2022/01/10/coup/index.html", sample / "ru/2022/01/10/coup/index.html",
                  sample / "ar/2022/01/10/coup/index.html")
    expected = {
        "en": f"{BASE}2022/01/10/coup/", "ru": f"{BASE}ru/2022/01/10/coup/", "ar": f"{BASE}ar/2022/01/10/coup/",
        "x-default": f"{BASE}2022/01/10/coup/",
    }
    for page in (en, ru, ar):
        assert alternates(page) == expected
    assert switcher(ru) == [("English", "/2022/01/10/coup/"), ("Русский", None), ("العربية", "/ar/2022/01/10/coup/")]
    assert switcher(en) == [("English", None), ("Русский", "/ru/2022/01/10/coup/"), ("العربية", "/ar/2022/01/10/coup/")]
    # by translation_key, between two languages only
    oil = {"en": f"{BASE}2022/01/12/oil/", "ru": f"{BASE}ru/2022/01/12/neft/", "x-default": f"{BASE}2022/01/12/oil/"}
    assert alternates(sample / "2022/01/12/oil/index.html") == oil
    assert alternates(sample / "ru/2022/01/12/neft/index.html") == oil
    # no translation (the Russian one is a draft): no switcher, no hreflang
    only = sample / "2022/01/13/only/index.html"
    assert alternates(only) == {} and switcher(only) == []
    # other pages: the languages that have the same page
    assert set(alternates(sample / "ru/tags/index.html")) == {"en", "ru", "ar", "x-default"}
    assert set(alternates(sample / "ru/2022/01/12/index.html")) == {"en", "ru", "x-default"}  # no Arabic that day
    assert alternates(sample / "tags/energy/index.html") == {}  # the Russian tag has another name


def test_every_link_resolves_and_every_page_parses(make_site, run_build):
    for config in (CONFIG, CONFIG + "relative_urls: true\n", CONFIG.replace(BASE, BASE + "sub/")):
        site = make_site(SAMPLE, config=config)
        run_build(site)
        out = site / "output"
        assert broken_links(out, "/sub/" if "sub/" in config else "/") == []
        assert invalid_pages(out) == []


def test_sitemap_lists_every_language_with_alternates(sample):
    run = subprocess.run(
        [sys.executable, str(VALIDATORS / "check_sitemap.py"), str(sample / "sitemap.xml"), "--base", BASE,
         "--site", str(sample)], capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    tree = etree.parse(str(sample / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    links = {
        url.findtext("s:loc", namespaces=ns): {a.get("hreflang"): a.get("href") for a in url.findall("x:link", ns)}
        for url in tree.getroot().findall("s:url", ns)
    }
    assert f"{BASE}ru/2022/01/10/coup/" in links and f"{BASE}ar/" in links
    coup = links[f"{BASE}ru/2022/01/10/coup/"]
    assert coup["ar"] == f"{BASE}ar/2022/01/10/coup/" and coup["x-default"] == f"{BASE}2022/01/10/coup/"
    for loc, alts in links.items():
        for lang, href in alts.items():  # every alternate lists this page back, and is itself listed
            assert href in links, (loc, href)
            assert loc in links[href].values(), (loc, lang, href)
    assert links[f"{BASE}2022/01/13/only/"] == {}


def test_feeds_are_per_language(sample):
    ru = feedparser.parse((sample / "ru/feed.xml").read_bytes())
    assert not ru.bozo
    assert ru.feed.title == "Мировой дайджест"
    assert [e.title for e in ru.entries] == ["Нефть дорожает", "Попытка переворота в Казахстане"]
    assert ru.entries[0].link == f"{BASE}ru/2022/01/12/neft/"
    en = feedparser.parse((sample / "feed.xml").read_bytes())
    assert [e.title for e in en.entries][0] == "Only in English"


def test_search_index_is_per_language(sample):
    manifest = next((sample / "ru/search").glob("index.*.js")).read_text(encoding="utf-8")
    assert '"count":2' in manifest
    terms = "".join(p.read_text(encoding="utf-8") for p in (sample / "ru/search/t").glob("*.js"))
    assert "переворота" in terms and '"unrest"' not in terms


def test_a_single_language_site_keeps_content_folders_as_they_are(make_site, run_build):
    site = make_site({"content/en/a.md": article("A", "2022-01-10"), "content/ru/b.md": article("B", "2022-01-11")})
    run_build(site)
    assert (site / "output/2022/01/11/b/index.html").is_file()
    assert not (site / "output/ru").exists()
    assert 'hreflang="' not in (site / "output/2022/01/11/b/index.html").read_text(encoding="utf-8")
    sitemap = (site / "output/sitemap.xml").read_text(encoding="utf-8")
    assert "xhtml" not in sitemap


def test_article_outside_the_language_folders_is_an_error(make_site, run_build):
    site = make_site({**SAMPLE, "content/stray.md": article("Stray", "2022-01-10")}, config=CONFIG)
    with pytest.raises(BuildFailed) as caught:
        run_build(site)
    assert [str(p) for p in caught.value.problems] == [
        "content/stray.md:1: on a multilingual site every article is in a language's folder: move it to"
        " content/en/stray.md (or to another language's folder)"
    ]


def test_a_default_language_page_in_another_languages_folder_is_a_collision(make_site, run_build):
    site = make_site(
        {**SAMPLE, "content/en/ru.md": article("Russia", "2022-01-14")},
        config=CONFIG + "permalinks:\n  article: /{slug}/\n",
    )
    with pytest.raises(BuildFailed) as caught:
        run_build(site)
    assert any("URL /ru/index.html is also made by content/en/ru.md" in str(p) for p in caught.value.problems)


def test_language_config_errors(make_site, run_build):
    site = make_site(SAMPLE, config=CONFIG + "  xx-nope:\n    title: x\n  ja:\n    timezone: Asia/Tokyo\n")
    with pytest.raises(BuildFailed) as caught:
        run_build(site)
    messages = [str(p) for p in caught.value.problems]
    assert "digest.yaml:10: languages: 'xx-nope' is not a language tag digest knows: use one like 'ru', 'ja' or 'pt-BR'" in messages
    assert any(m.startswith("digest.yaml:13: 'languages.ja.timezone' cannot be set per language") for m in messages)


def test_check_reports_duplicate_keys_and_distant_translations(make_site):
    site = make_site({
        **SAMPLE,
        "content/en/2022/01/oil2.md": article("Oil again", "2022-01-12", translation_key="oil"),
        "content/en/2022/01/late.md": article("Late", "2022-01-02"),
        "content/ru/2022/01/late.md": article("Поздно", "2022-01-31"),
    }, config=CONFIG)
    result = check_site(site, now=NOW)
    assert [str(f) for f in result.findings if f.severity != "info"] == [
        "content/en/2022/01/oil2.md:4: translation_key 'oil' is also used by content/en/2022/01/oil.md, in the"
        " same language (en): give each article of a language its own key",
        "content/ru/2022/01/late.md:3: this translation is dated 29 days after content/en/2022/01/late.md"
        " (2022-01-31 and 2022-01-02), more than translation_span_days (7): check the dates, or give them"
        " different translation keys",
    ]
    assert result.files == 10
    (site / "digest.yaml").write_text(CONFIG + "translation_span_days: 30\n", encoding="utf-8")
    assert not any("translation_span_days" in f.message for f in check_site(site, now=NOW).findings)


@pytest.mark.browser
def test_japanese_search_finds_a_word_inside_a_sentence(make_site, run_build, browser, serve):  # noqa: F811
    site = make_site({
        "content/en/quake.md": article("Earthquake", "2022-01-10", "An earthquake hit Tokyo."),
        "content/ja/quake.md": article("地震のニュース", "2022-01-10", "東京で大きな地震が発生しました。"),
        "content/ja/rain.md": article("天気", "2022-01-11", "大阪は雨です。"),
        "content/ru/quake.md": article("Землетрясение", "2022-01-10", "В Токио произошло землетрясение."),
    }, config=f"base_url: {BASE}\nlanguage: en\nlanguages:\n  ja: {{}}\n  ru: {{}}\n")
    run_build(site)
    origin = serve(site / "output")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def query(text: str) -> list[str]:
        page.fill("#search-input", text)
        page.wait_for_function(
            "q => document.getElementById('search-status').textContent.includes(q)", arg=text, timeout=10_000
        )
        return [a.text_content() for a in page.query_selector_all("#search-results a")]

    page.goto(f"{origin}/ja/search/")
    assert query("地震") == ["地震のニュース"]  # inside 東京で大きな地震が発生しました
    assert query("大きな地震") == ["地震のニュース"]
    assert query("発生") == ["地震のニュース"]
    assert query("震") == ["地震のニュース"]  # one character
    assert sorted(query("大")) == ["地震のニュース", "天気"]
    assert query("雨") == ["天気"]
    assert query("台風") == [] and "「台風」に一致する記事はありません。" in page.text_content("#search-status")
    assert "件です" in (query("地震") and page.text_content("#search-status"))
    page.goto(f"{origin}/ru/search/")
    assert query("землетрясение") == ["Землетрясение"]
    assert "найдена 1 статья" in page.text_content("#search-status")
    page.goto(f"{origin}/search/")
    assert query("earthquake") == ["Earthquake"] and query("地震") == []
    assert errors == []


def test_dev_server_serves_every_language_as_the_build_writes_it(make_site, run_build):
    from digest.server.session import SessionOptions, SiteSession

    site = make_site(SAMPLE, config=CONFIG)
    run_build(site)
    session = SiteSession(SessionOptions(site_dir=site, clock=lambda: NOW, use_cache=False))
    try:
        report = session.rebuild()
        assert report.ok and report.articles == 6
        for path in ("/", "/ru/", "/ar/2022/01/10/coup/", "/ru/tags/kazakhstan/", "/ru/feed.xml", "/sitemap.xml"):
            served = session.lookup(path)
            assert served.status == 200, path
            rel = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
            assert served.body == (site / "output" / rel).read_bytes(), path
        assert session.lookup("/ru/2022/01/13/only/").status == 404  # the draft
        (site / "content/ru/2022/01/oil.md").write_text(article("Нефть снова", "2022-01-14", "Ещё."), encoding="utf-8")
        assert session.rebuild([site / "content/ru/2022/01/oil.md"]).changed
        assert "Нефть снова" in session.lookup("/ru/").body.decode("utf-8")
    finally:
        session.close()


def test_the_example_site_builds_clean(tmp_path, run_build):
    """examples/multilingual (English, Russian, Arabic): what the README points new users at."""
    site = tmp_path / "example"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples/multilingual", site,
                    ignore=shutil.ignore_patterns("output", ".digest-cache"))
    run_build(site)
    out = site / "output"
    assert broken_links(out) == [] and invalid_pages(out) == []
    assert check_site(site, now=NOW).ok
    assert '<html lang="ar" dir="rtl">' in (out / "ar/2022/01/10/coup/index.html").read_text(encoding="utf-8")
    assert switcher(out / "ar/2022/01/10/coup/index.html")[0] == ("English", "/2022/01/10/coup/")
    assert switcher(out / "ru/2022/01/12/tenge-ukrepilsya/index.html") == [
        ("English", "/2022/01/12/tenge/"), ("Русский", None),
    ]


def test_a_second_build_writes_nothing_and_a_new_translation_updates_the_others(make_site, run_build):
    site = make_site(SAMPLE, config=CONFIG)
    run_build(site)
    again = run_build(site)
    assert again.written == 0 and again.rendered_pages == 0 and again.rendered_markdown == 0
    (site / "content/ar/2022/01/only.md").write_text(article("فقط", "2022-01-13", "نص."), encoding="utf-8")
    third = run_build(site)
    assert "2022/01/13/only/index.html" in third.written_paths  # it now has a translation
    assert "ar/2022/01/13/only/index.html" in third.written_paths
    assert alternates(site / "output/2022/01/13/only/index.html")["ar"] == f"{BASE}ar/2022/01/13/only/"
    out = site / "output"  # the same site built from scratch gives the same bytes
    fresh = site.parent / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("output", ".digest-cache"))
    run_build(fresh)
    for page in out.rglob("*"):
        if page.is_file():
            assert page.read_bytes() == (fresh / "output" / page.relative_to(out)).read_bytes(), page


def test_new_and_import_write_into_a_language_folder(make_site, run_build):
    from digest.commands.importing import import_article
    from digest.commands.new import create_article
    from digest.config import load_config
    from digest.errors import DigestError

    site = make_site(SAMPLE, config=CONFIG)
    now = datetime(2022, 1, 20, 12, 0, tzinfo=timezone.utc)
    assert create_article(site, "Fresh news", now) == site / "content/en/2022/01/fresh-news.md"
    assert create_article(site, "Свежие новости", now, lang="ru") == site / "content/ru/2022/01/svezhie-novosti.md"
    with pytest.raises(DigestError) as caught:
        create_article(site, "Nouvelles", now, lang="fr")
    assert str(caught.value) == "digest.yaml: the site has no language 'fr': use one of en, ru, ar (languages: in digest.yaml)"
    clipping = "Almaty airport reopens\n\nThe first passenger flights in a week landed in Almaty on Thursday.\n".encode()
    result = import_article(site, load_config(site), clipping, "clip.txt", now=now)
    assert result.path.parent == site / "content/en/2022/01"
    run_build(site, drafts=True)
    assert (site / "output/ru/2022/01/20/svezhie-novosti/index.html").is_file()


# -- the strictest checkers, on every language of the example (Arabic right to left) ---------------

LANGUAGE_PAGES = ("", "2022/01/10/coup/", "tags/", "archive/", "2022/01/", "search/", "sources/")


@pytest.fixture(scope="module")
def example_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from digest.pipeline import BuildOptions, build

    site = tmp_path_factory.mktemp("example") / "site"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples/multilingual", site,
                    ignore=shutil.ignore_patterns("output", ".digest-cache"))
    build(BuildOptions(site_dir=site, now=NOW, jobs=1))
    return site / "output"


@pytest.mark.browser
def test_every_language_passes_the_nu_checker(example_output: Path) -> None:
    from test_theme_checks import VNU, _need

    _need(VNU, "the Nu checker (npm vnu-jar)")
    java = shutil.which("java")
    if java is None:
        _need(Path("/usr/bin/java"), "Java")
    pages = sorted(str(p) for p in example_output.rglob("*.html"))
    assert any("/ar/" in p for p in pages) and any("/ru/" in p for p in pages)
    proc = subprocess.run([java or "java", "-Xss4m", "-jar", str(VNU), "--format", "json", *pages],
                          capture_output=True, text=True, timeout=300)
    import json

    problems = [
        f"{m['url'].rsplit('/output/', 1)[-1]}:{m.get('lastLine', '?')}: {m['type']}: {m['message']}"
        for m in json.loads(proc.stderr)["messages"] if m["type"] != "info" or m.get("subType") == "warning"
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
def test_axe_finds_no_violations_in_any_language(example_output: Path, serve) -> None:  # noqa: F811
    from test_theme_checks import ARGS, AXE, CHROMIUM, _axe, _need

    _need(CHROMIUM, "Debian's chromium")
    _need(AXE, "axe-core (npm axe-core)")
    from playwright.sync_api import sync_playwright

    origin = serve(example_output)
    problems = []
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            for scheme in ("light", "dark"):
                for width in (375, 1280):
                    context = instance.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
                    page = context.new_page()
                    for lang in ("", "ru/", "ar/"):
                        for path in LANGUAGE_PAGES:
                            page.goto(f"{origin}/{lang}{path}", wait_until="load")
                            if width == 375:
                                wide = page.evaluate("document.documentElement.scrollWidth")
                                if wide > 375:
                                    problems.append(f"/{lang}{path} is {wide} px wide at 375 px")
                            problems += [f"/{lang}{path} {scheme} {width}px: {v}" for v in _axe(page)]
                    context.close()
        finally:
            instance.close()
    assert problems == [], "\n".join(problems)


def test_each_language_has_its_own_editions(make_site, run_build):
    site = make_site(SAMPLE, config=CONFIG + "editions:\n  cadence: weekly\n  start: 2022-01-03\n")
    run_build(site)
    out = site / "output"
    assert (out / "editions/index.html").is_file() and (out / "ru/editions/index.html").is_file()
    ru = text_of(out / "ru/editions/index.html")
    assert "Выпуски" in ru  # the navigation, from the catalogue
    assert broken_links(out) == []
