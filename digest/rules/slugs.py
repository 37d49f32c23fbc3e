"""URL-safe slugs from any title or name (Cyrillic and Kazakh transliterate)."""

from __future__ import annotations

import hashlib
import re

from slugify import slugify as _slugify

# Unidecode drops or mangles the Kazakh-specific letters; transliterate them the
# way the 2021 Kazakh Latin alphabet does, so "Әкімдік" becomes "akimdik".
_KAZAKH = {
    "ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}
_REPLACEMENTS = [[k, v] for k, v in _KAZAKH.items()] + [[k.upper(), v] for k, v in _KAZAKH.items()]

MAX_SLUG_LENGTH = 80
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")  # undecodable bytes of a file name: nothing to transliterate


def slug_or_none(text: str) -> str | None:
    """The slug of ``text``, or ``None`` when nothing of it survives transliteration."""
    slug = _slugify(
        _SURROGATE_RE.sub(" ", str(text)),
        max_length=MAX_SLUG_LENGTH,
        word_boundary=True,
        replacements=_REPLACEMENTS,
        allow_unicode=False,
    )
    return slug or None


def slugify(text: str, fallback: str = "") -> str:
    """Return a lowercase ASCII slug of ``[a-z0-9-]``; never empty, never a path.

    When nothing of ``text`` survives (emoji, punctuation only), the slug is a
    short stable hash of the text, prefixed by ``fallback`` when given.
    """
    slug = slug_or_none(text)
    if slug:
        return slug
    digest = hashlib.sha1(str(text).encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slugify(fallback)}-{digest}" if fallback and slugify(fallback) else f"x{digest}"


def term_key(name: str) -> str:
    """The identity of a tag or source: names differing in case or spacing are one."""
    return " ".join(str(name).split()).casefold()
