"""decode_input: what a curator's file becomes as text, and the files it refuses."""

from __future__ import annotations

import pytest

from digest.errors import DigestError
from digest.importer.decode import decode_input

RUSSIAN = "Президент Казахстана Касым-Жомарт Токаев заявил, что беспорядки были попыткой переворота."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8_r"),
        ("Привет, мир", "cp1251"),  # short: where generic detectors guess cp1125
        ("Привет, мир", "koi8_r"),
        ("СРОЧНО: ТОКАЕВ ЗАЯВИЛ", "cp1251"),
        ("Le président a déclaré que l'été à Genève était très agréable.", "latin_1"),
        ("café", "latin_1"),
        ("Größere Straßen – „Grüße“ aus München.", "cp1252"),
        ("It’s the “worst” crisis – the president said.", "cp1252"),
        ("Kazakhstan crisis ‘attempted coup’ – Токаев заявил.", "cp1251"),
    ],
)
def test_legacy_encodings_are_recognised(text: str, encoding: str) -> None:
    assert decode_input(text.encode(encoding), "clip.txt") == text


def test_utf8_with_and_without_bom() -> None:
    text = "Kazakhstan crisis ‘attempted coup’ – President\nТокаев"
    assert decode_input(text.encode("utf-8"), "a.txt") == text
    assert decode_input(b"\xef\xbb\xbf" + text.encode("utf-8"), "a.txt") == text


def test_utf16_with_bom() -> None:
    assert decode_input("Токаев said".encode("utf-16"), "a.txt") == "Токаев said"


def test_line_endings_become_newlines() -> None:
    assert decode_input(b"one\r\ntwo\rthree\n", "a.txt") == "one\ntwo\nthree\n"


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n"])
def test_empty_input_is_refused_with_its_name(data: bytes) -> None:
    with pytest.raises(DigestError) as info:
        decode_input(data, "clips/empty.txt")
    assert info.value.path == "clips/empty.txt"
    assert "clips/empty.txt is empty" in info.value.message
    assert ".txt file" in info.value.message  # says what to do


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00", "NUL"),
        (bytes(range(256)) * 4, "NUL"),
    ],
)
def test_binary_input_is_refused(data: bytes, said: str) -> None:
    with pytest.raises(DigestError) as info:
        decode_input(data, "page.bin")
    assert info.value.path == "page.bin"
    assert said in info.value.message
    assert "save the page as HTML" in info.value.message


def test_control_characters_without_nul_are_refused() -> None:
    noise = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 20 + b"some text"
    with pytest.raises(DigestError, match="does not look like text"):
        decode_input(noise, "x.txt")


def test_a_lying_bom_is_an_error_not_a_guess() -> None:
    with pytest.raises(DigestError, match="byte-order mark"):
        decode_input(b"\xef\xbb\xbf" + "Привет".encode("cp1251"), "x.txt")


def test_a_saved_page_declared_charset_is_honoured() -> None:
    # Polish in ISO-8859-2 is not among the guessed code pages; the declaration says what it is
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2"></head>'
    page += "<body><p>Łódź, żółw i gęś</p></body></html>"
    assert "Łódź, żółw i gęś" in decode_input(page.encode("iso-8859-2"), "page.html")


def test_a_lying_or_unknown_declaration_falls_back_to_guessing() -> None:
    page = '<html><head><meta charset="x-no-such-codec"></head><body>' + RUSSIAN + "</body></html>"
    assert RUSSIAN in decode_input(page.encode("cp1251"), "page.html")
