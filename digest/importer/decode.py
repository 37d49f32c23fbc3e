"""Bytes a curator saved or pasted, as text: UTF-8 first, then the legacy code pages news came in.

Why our own scorer and not ``charset_normalizer``: on the inputs we get (a
paragraph or two, often one line) it guessed wrong in most of our trials:
"Привет, мир" in cp1251 came back as cp1125, French latin-1 as cp1250 (``été``
became ``ýtý``), English cp1252 with curly quotes as cp852. Only a handful of
encodings are plausible for a news digest, and telling them apart needs just two
observations: a wrong Cyrillic code page produces words whose letter case flips
mid-word (cp1251 read as KOI8-R gives ``пРЕЗИДЕНТ``), and a Cyrillic text read as
a Latin code page produces words made almost only of accented letters
(``Ïðåçèäåíò``), or Latin and Cyrillic letters mixed inside one word.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from digest.errors import DigestError

# Tried in this order; on equal scores the earlier wins. cp1252 before cp1251
# because English text with curly quotes decodes identically in both.
LEGACY_ENCODINGS = ("cp1252", "cp1251", "koi8_r", "latin_1")

_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (perhaps a .docx or .odt document)"),
    (b"\xd0\xcf\x11\xe0", "an old Word or Excel document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)

_WHAT_TO_DO = "save the page as HTML or paste the article text into a .txt file"

# Punctuation that real text in these languages uses; anything else non-ASCII
# and not a letter counts against a decoding.
_TYPOGRAPHY = set("‘’‚“”„«»–—…•·№©®°±×€£¥§ \u00a0\u2009\u202f")
# The most frequent Russian letters; rare ones are not penalised, frequent ones help.
_COMMON_CYRILLIC = set("оеаинтсрвлкмдпуяыьгзбОЕАИНТСРВЛКМДПУЯ")


def decode_input(data: bytes, name: str) -> str:
    """Decode ``data`` (the contents of the file ``name``) to text with ``\\n`` line ends.

    UTF-8 with or without a byte-order mark, UTF-16 with a byte-order mark, a
    saved page's ``<meta charset>``, and otherwise the most plausible of
    :data:`LEGACY_ENCODINGS`. Empty or binary
    input raises :class:`DigestError` naming ``name`` and what to do instead.
    """
    if not data.strip():
        raise DigestError(f"{name} is empty: nothing to import; {_WHAT_TO_DO}", name)
    text = _decode_with_bom(data, name)
    if text is None:
        _refuse_binary(data, name)  # UTF-16 without a BOM is refused here too: it is full of NULs
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_declared(data) or _decode_legacy(data)
    if _looks_binary(text):
        raise DigestError(f"{name} does not look like text; {_WHAT_TO_DO}", name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DigestError(f"{name} is empty: nothing to import; {_WHAT_TO_DO}", name)
    return text


def _decode_with_bom(data: bytes, name: str) -> str | None:
    # A byte-order mark is the writer saying what the encoding is; if the bytes
    # then disagree, guessing another code page would hide a damaged file.
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DigestError(
                    f"{name} starts with a {encoding.upper().removesuffix('-SIG')} byte-order mark but byte {exc.start}"
                    f" is not valid {encoding.upper().removesuffix('-SIG')}: the file is damaged; save it again",
                    name,
                ) from None
    return None


def _refuse_binary(data: bytes, name: str) -> None:
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise DigestError(f"{name} is {what}, not text; {_WHAT_TO_DO}", name)
    if b"\x00" in data:
        raise DigestError(f"{name} contains NUL bytes: it is a binary file, not text; {_WHAT_TO_DO}", name)


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    return controls > max(2, len(text) // 100)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode_declared(data: bytes) -> str | None:
    """A saved page's own ``<meta charset>``, as a browser would honour it (any codec Python knows)."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        encoding = codecs.lookup(match[1].decode("ascii")).name
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None  # an unknown or lying declaration: fall back to guessing


def _decode_legacy(data: bytes) -> str:
    best: tuple[float, str] | None = None
    for encoding in LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if best is None or score > best[0]:
            best = (score, text)
    assert best is not None, "latin_1 decodes any bytes"
    return best[1]


def plausibility(text: str) -> float:
    """How much ``text`` looks like human writing; higher is better, 0 for pure ASCII.

    Only non-ASCII characters and the words holding them are looked at, since
    ASCII reads the same in every candidate encoding.
    """
    score = 0.0
    for ch in text:
        if ch.isascii():
            continue
        category = unicodedata.category(ch)
        if category.startswith("L"):
            score += 1.0 if ch in _COMMON_CYRILLIC else 0.5
        elif ch in _TYPOGRAPHY:
            score += 0.5
        elif category.startswith("C"):
            score -= 10.0  # C1 controls: a Windows code page read as latin-1, or noise
        else:
            score -= 3.0  # box drawing, ¤ ¦ ¬ ¶ and friends
    for word in _words(text):
        if word.isascii():
            continue
        latin = sum(1 for ch in word if "LATIN" in unicodedata.name(ch, ""))
        cyrillic = sum(1 for ch in word if "CYRILLIC" in unicodedata.name(ch, ""))
        if latin and cyrillic:
            score -= 4.0 * len(word)
        if _case_flips(word):
            score -= 3.0 * len(word)
        accented = sum(1 for ch in word if not ch.isascii())
        if cyrillic == 0 and len(word) >= 3 and accented * 2 > len(word):
            score -= 2.0 * len(word)
    return score


def _words(text: str) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch.isalpha():
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _case_flips(word: str) -> bool:
    """True when an upper-case letter follows a lower-case one (``пРЕЗИДЕНТ``, not ``McCain``-like runs)."""
    flips = sum(1 for a, b in zip(word, word[1:]) if a.islower() and b.isupper())
    return flips > 0 and not (flips == 1 and word[:1].isupper())
