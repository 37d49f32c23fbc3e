"""Words for the search index: how text is cut into terms (pure; the browser does the same).

Words of any script are kept (Cyrillic, Greek, Arabic, Kazakh, Hangul...). Chinese and
Japanese are written without spaces, so a run of their characters is indexed as its
overlapping pairs ("東京で地震" -> 東京 京で で地 地震) plus its last character: a query
is cut the same way and must hold every pair, so any word inside a sentence is found
(a one-character query matches the pairs it starts). No dictionary, no segmenter.
"""

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
# Hiragana, Katakana (and its phonetic extensions), CJK ideographs (with extension A and compatibility)
CJK_CHARS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN_RE = re.compile(f"[{CJK_CHARS}]+")
_KEPT_MARKS = (0x3099, 0x309A)  # kana voicing marks: ガ is not カ


class MarkTable(dict[int, "int | None"]):
    """A ``str.translate`` table deleting every non-spacing mark (Unicode category Mn) but kana voicing,
    filled in per code point as text meets it: a table of all 1.1 million code points cost each process
    half a second of CPU the first time it tokenised non-ASCII text (every load worker of a build)."""

    def __missing__(self, code: int) -> int | None:
        kept = code if unicodedata.category(chr(code)) != "Mn" or code in _KEPT_MARKS else None
        self[code] = kept
        return kept


@functools.cache
def _marks() -> MarkTable:
    return MarkTable()


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def normalise(text: str) -> str:
    """Lower case without accents; the browser does the same (NFKD, drop marks, NFC, toLowerCase)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        # only the non-ASCII runs can hold marks: most text is skipped at C speed
        text = _NON_ASCII.sub(lambda run: run.group().translate(_marks()), text)
        text = unicodedata.normalize("NFC", text)  # what is left recomposes: ガ, Hangul syllables
    return text.lower()


def cjk_grams(run: str) -> list[str]:
    """A run of Chinese/Japanese characters as its overlapping pairs and its last character."""
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def tokens(text: str) -> set[str]:
    text = normalise(text)
    found: set[str] = set()
    if not text.isascii():
        found.update(g for run in _CJK_RUN_RE.findall(text) for g in cjk_grams(run))
        text = _CJK_RUN_RE.sub(" ", text)
    words = {t for t in _TOKEN_RE.findall(text) if MIN_TERM <= len(t) <= MAX_TERM and t not in STOP_WORDS}
    return found | words


def body_terms(*html_fragments: str) -> str:
    """The terms of rendered HTML as one sorted, space-separated string (compact to cache and to pickle)."""
    from digest.sources.markup import plain_text

    return " ".join(sorted(tokens(" ".join(plain_text(f) for f in html_fragments if f))))
