"""The languages of a multilingual site, and which articles translate each other.

With ``languages:`` in digest.yaml, each language is a site of its own, built by the
same model and plan steps as a single-language site, from ``content/<lang>/`` and with
its own config (``SiteConfig.for_language``): the default ``language`` is served at
``/``, every other at ``/<lang>/``. Its ``base_url`` carries that folder, so feeds,
sitemaps and canonical links are right without knowing about languages; URLs inside
one language's model stay "local" (``/2022/01/10/slug/``) and get the prefix when
the languages' plans are put together (plan/translations.py).

Two articles of different languages are translations of each other when they share
a ``translation_key:``, or, without one, the same path below their language folder
(``content/en/2022/coup.md`` and ``content/ru/2022/coup.md``). Only published
articles are linked, so a link to a translation never ends on a 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Iterable, Mapping, Sequence

from digest.config import SiteConfig
from digest.errors import DigestError, Problem
from digest.model.site import Article, Site
from digest.rules.urls import join_base


@dataclass(frozen=True, slots=True)
class Language:
    tag: str  # BCP 47, as digest.yaml writes it; also the name of its content and output folder
    config: SiteConfig  # what this language's model sees: its overrides, base_url and content_dir
    prefix: str  # "" for the default language, "/ru" for the others
    default: bool


def site_languages(config: SiteConfig) -> tuple[Language, ...]:
    """The site's languages, the default first; a site without ``languages:`` has one, its config unchanged."""
    if not config.languages:
        return (Language(config.language, config, "", True),)
    tags = [config.language, *(tag for tag in config.languages if tag != config.language)]
    languages = []
    for tag in tags:
        default = tag == config.language
        prefix = "" if default else f"/{tag}"
        own = config.for_language(tag)
        own = replace(own, base_url=join_base(config.base_url, prefix + "/"), content_dir=f"{config.content_dir}/{tag}")
        languages.append(Language(tag, own, prefix, default))
    return tuple(languages)


def language_config(config: SiteConfig, tag: str | None = None) -> SiteConfig:
    """The config of one language (``tag``, else the default): where ``digest new`` and ``digest import``
    write. A single-language site has only its own; asking it for another language is an error."""
    languages = site_languages(config)
    if tag is None:
        return languages[0].config
    for language in languages:
        if language.tag == tag:
            return language.config
    known = ", ".join(lang.tag for lang in languages)
    raise DigestError(f"the site has no language '{tag}': use one of {known} (languages: in digest.yaml)",
                      "digest.yaml")


def translation_key(article: Article) -> str:
    """What links an article to its translations: its ``translation_key``, else its path in its language folder."""
    if article.translation_key:
        return "key:" + article.translation_key
    return "path:" + str(PurePosixPath(article.rel).with_suffix(""))


@dataclass(frozen=True, slots=True)
class Translations:
    """(language, article URL) -> {language: URL of the translation}, the article itself included."""

    of: Mapping[tuple[str, str], Mapping[str, str]]
    groups: tuple[Mapping[str, Article], ...]  # each set of translations, by language


def link_translations(sites: Sequence[tuple[str, Site]]) -> Translations:
    """Group the articles of every language by ``translation_key``. When one language has the key twice,
    the first by file path takes part (``digest check`` reports the others: ``duplicate_keys``)."""
    grouped: dict[str, dict[str, Article]] = defaultdict(dict)
    for tag, site in sites:
        for article in sorted(site.articles, key=lambda a: a.path):
            grouped[translation_key(article)].setdefault(tag, article)
    of: dict[tuple[str, str], Mapping[str, str]] = {}
    groups = []
    for members in grouped.values():
        if len(members) < 2:
            continue
        urls = {tag: article.url for tag, article in members.items()}
        groups.append(members)
        for tag, article in members.items():
            of[(tag, article.url)] = urls
    return Translations(of, tuple(groups))


def duplicate_keys(sites: Iterable[tuple[str, Iterable[Article]]]) -> list[Problem]:
    """A ``translation_key`` used by two articles of one language: which one is the translation?"""
    problems = []
    for tag, articles in sites:
        first: dict[str, Article] = {}
        for article in sorted(articles, key=lambda a: a.path):
            if not article.translation_key:
                continue
            other = first.setdefault(article.translation_key, article)
            if other is not article:
                problems.append(Problem(
                    article.path, None,
                    f"translation_key '{article.translation_key}' is also used by {other.path}, in the same"
                    f" language ({tag}): give each article of a language its own key",
                ))
    return problems


def far_apart(translations: Translations, days: int) -> list[Problem]:
    """Translations whose dates differ by more than ``days``: probably not the same story, or a wrong date."""
    problems = []
    span = timedelta(days=days)
    for members in translations.groups:
        ordered = sorted(members.values(), key=lambda a: a.date)
        oldest, newest = ordered[0], ordered[-1]
        if newest.date - oldest.date > span:
            gap = (newest.date - oldest.date).days
            problems.append(Problem(
                newest.path, None,
                f"this translation is dated {gap} days after {oldest.path} ({newest.date:%Y-%m-%d} and"
                f" {oldest.date:%Y-%m-%d}), more than translation_span_days ({days}): check the dates, or give"
                " them different translation keys",
            ))
    return problems
