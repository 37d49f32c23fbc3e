"""Which of the site's existing tags an imported text talks about."""

from __future__ import annotations

import re
from collections.abc import Iterable

from digest.rules.slugs import term_key


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
