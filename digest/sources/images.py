"""The pixel size of a lead image, read from its header bytes (PNG, GIF, JPEG, WebP).

A page that gives an image its ``width`` and ``height`` keeps its layout while
the image loads (no layout shift; Lighthouse ``unsized-images``). Only the
header is read: for JPEG, segments are skipped up to the frame header.
"""

from __future__ import annotations

import posixpath
import struct
from pathlib import Path
from typing import Iterable, Mapping

# A JPEG's frame header follows its metadata segments (EXIF, ICC profiles); past this, give up.
HEADER_BYTES = 512 * 1024
_JPEG_FRAMES = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the first bytes of an image file, or ``None`` for another format or a damaged file."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            size = struct.unpack(">II", data[16:24])
        elif data[:6] in (b"GIF87a", b"GIF89a"):
            size = struct.unpack("<HH", data[6:10])
        elif data.startswith(b"\xff\xd8"):
            return _jpeg_size(data)
        elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_size(data)
        else:
            return None
    except struct.error:  # cut short
        return None
    return (size[0], size[1]) if size[0] > 0 and size[1] > 0 else None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return (width, height) if width and height else None
        at += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def lead_image_sizes(images: Iterable[tuple[str, str]], assets: Iterable[tuple[str, Path]]) -> dict[str, tuple[int, int]]:
    """The size of each local lead image, keyed by its content-relative path.

    ``images`` holds (content-relative article path, its ``image:`` value); remote images are not
    fetched (their size is unknown here), and files that are no image are left out.
    """
    by_rel: Mapping[str, Path] = dict(assets)
    sizes: dict[str, tuple[int, int]] = {}
    for article_rel, image in images:
        rel = image_rel(article_rel, image)
        if rel is None or rel in sizes or rel not in by_rel:
            continue
        try:
            with open(by_rel[rel], "rb") as handle:
                size = image_size(handle.read(HEADER_BYTES))
        except OSError:
            continue
        if size is not None:
            sizes[rel] = size
    return sizes


def image_rel(article_rel: str, image: str) -> str | None:
    """The content-relative path of an ``image:`` (beside its article, or a site path), ``None`` for a URL."""
    if not image or image.startswith(("//", "data:")) or "://" in image:
        return None
    path = image.split("?")[0].split("#")[0]
    if path.startswith("/"):  # a site path: files in content/ keep their place in the site
        return posixpath.normpath(path.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(article_rel), path))
