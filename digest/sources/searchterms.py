"""Words for the search index: how text is cut into terms (pure; the browser does the same)."""

from __future__ import annotations

import functools
import re
import unicodedata

MIN_TERM, MAX_TERM = 2, 30

# Common English words: they match most articles, so they cost index bytes and rank nothing.
# The browser reads this list from the manifest, so query and index always agree.
STOP_WORDS = frozenset(
    """a about after all also an and any are as at be because been but by can could did do does for from had has
    have he her his how i if in into is it its just more most my no not of on one or our out over she so some than
    that the their them then there these they this to up was we were what when which who will with would you your""".split()
)

_TOKEN_RE = re.compile(r"[^\W_]+")


@functools.cache
def _marks() -> dict[int, None]:
    """A ``str.translate`` table deleting every non-spacing mark (Unicode category Mn)."""
    return {code: None for code in range(0x110000) if unicodedata.category(chr(code)) == "Mn"}


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def normalise(text: str) -> str:
    """Lower case without accents; the browser does the same (NFKD, drop marks, toLowerCase)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        # only the non-ASCII runs can hold marks: most text is skipped at C speed
        text = _NON_ASCII.sub(lambda run: run.group().translate(_marks()), text)
    return text.lower()


def tokens(text: str) -> set[str]:
    found = set(_TOKEN_RE.findall(normalise(text)))
    return {t for t in found if MIN_TERM <= len(t) <= MAX_TERM and t not in STOP_WORDS}


def body_terms(*html_fragments: str) -> str:
    """The terms of rendered HTML as one sorted, space-separated string (compact to cache and to pickle)."""
    from digest.sources.markup import plain_text

    return " ".join(sorted(tokens(" ".join(plain_text(f) for f in html_fragments if f))))
