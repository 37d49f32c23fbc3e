"""Which of the site's existing tags an imported text talks about."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from digest.rules.slugs import slug_or_none, term_key


def suggest_tags(text: str, existing_tags: Iterable[str]) -> list[str]:
    """Existing tags that occur in ``text`` as whole words or phrases, most frequent first.

    Case does not matter ("central asia" matches "Central Asia"), spaces and
    hyphens between a phrase's words are interchangeable, and a possessive or
    punctuation may follow ("Russia’s"). Short all-capital tags ("US", "EU",
    "UN") match only in capitals, so "us" the pronoun is not the country. Tags
    that differ only in case or spacing are one; the first spelling is kept.
    Ties keep the order of ``existing_tags``. Only existing tags are suggested:
    the curator, not the importer, grows the vocabulary.
    """
    counted: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    for order, tag in enumerate(existing_tags):
        key = term_key(tag)
        if not key or key in seen:
            continue
        seen.add(key)
        count = len(_pattern(tag).findall(text))
        if count:
            counted.append((-count, order, tag))
    return [tag for _, _, tag in sorted(counted)]


def _pattern(tag: str) -> re.Pattern[str]:
    words = re.split(r"[\s_-]+", tag.strip())
    phrase = r"[\s\u00a0-]+".join(re.escape(word) for word in words if word)
    acronym = len(tag.strip()) <= 3 and tag.strip().isupper()
    return re.compile(rf"(?<!\w){phrase}(?!\w)", 0 if acronym else re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TagMatch:
    """A page's own keywords, sorted into the site's tags they name and plausible new ones."""

    existing: tuple[str, ...]  #: site tags, in the site's spelling, in the page's keyword order
    new: tuple[str, ...]  #: keywords that name no site tag and read like a tag (short, not generic)


# Keywords sites add to every page: they say nothing about the story.
_GENERIC = frozenset(
    "news|latest news|breaking news|top stories|headlines|home|homepage|article|articles|story|stories|local"
    "|world|video|videos|photo|photos|blog|post|featured|general|uncategorized|noticias|nachrichten|новости".split("|")
)


def tag_key(tag: str) -> str:
    """What two spellings of one tag share: case, accents, script, spacing and plurals do not count.

    "Holiday travels", "holiday-travel" and "HOLIDAY TRAVEL" are one; so are
    "Fiscalía Anticorrupción" and "Fiscalia anticorrupcion" (transliterated as
    slugs are), and "香港" with itself. Only a word's final plural ``s``/``es``/``ies``
    goes, and only from words of four letters or more, so "US" and "bus" stay.
    """
    slug = slug_or_none(tag) or term_key(tag)
    return "-".join(_singular(word) for word in re.split(r"[-\s]+", slug) if word)


def _singular(word: str) -> str:
    if len(word) < 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1]


def map_tags(keywords: Iterable[str], site_tags: Iterable[str], *, title: str = "") -> TagMatch:
    """Sort a page's ``keywords`` into the ``site_tags`` they name and new tag candidates.

    A keyword names a site tag when their :func:`tag_key` is equal. A keyword
    that names none is a candidate only when it reads like a tag: at most four
    words and 40 characters, not a generic word such as "News", and not the
    headline (some sites put the title in ``keywords``).
    """
    by_key: dict[str, str] = {}
    for tag in site_tags:
        by_key.setdefault(tag_key(tag), tag)
    existing: dict[str, None] = {}
    new: dict[str, str] = {}
    title_key = tag_key(title) if title else ""
    for keyword in keywords:
        word = " ".join(keyword.split()).strip(" ,;#")
        key = tag_key(word) if word else ""
        if not key:
            continue
        if key in by_key:
            existing.setdefault(by_key[key], None)
        elif (
            key not in new
            and len(word.split()) <= 4
            and len(word) <= 40
            and term_key(word) not in _GENERIC
            and key != title_key
        ):
            new[key] = word
    return TagMatch(tuple(existing), tuple(new.values()))
